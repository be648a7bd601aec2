"""Rebuild the public image sample from local copies of its two sources (see DATACARD.md).

    python tests/data/public/images/build_sample.py --receipts DIR --invoices DIR
    python tests/data/public/images/build_sample.py --extra-dev-receipts DIR
    python tests/data/public/images/build_sample.py --extra-dev-invoices DIR

`--extra-dev-invoices` adds sample invoices of the Mustang project (ZUGFeRD), dev only.
`--extra-dev-receipts` adds the uncropped scans of the same source (`2D/Receipts/B`, `C`)
to the dev split only (source `softmatic-receipts-uncropped`), leaving the test split as it
was: they were added later, to have more receipts to look at than the dev split held.

`--receipts` holds the receipt scans (`2D/Receipts/{A,B,C,D}/*.jpg`, any depth);
`--invoices` holds the invoice PDFs (`tests/compare/*.pdf`, `tests/files/*.pdf`) and
needs `pdftoppm` (poppler-utils). Every image is turned to greyscale, cropped to the
paper, scaled to at most 1,000 px wide and saved as JPEG at the highest quality that
stays under 300 KB, so the same inputs give the same bytes with the same Pillow.
The split is fixed by a hash of the file name: about two thirds test, one third dev.
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import subprocess
import tempfile
from pathlib import Path

from PIL import Image, ImageOps

HERE = Path(__file__).resolve().parent
MAX_BYTES = 300 * 1024
MAX_WIDTH = 1000
RECEIPT_ALSO_OK = ["contact_pii", "client_confidential"]


def _crop_to_paper(image: Image.Image) -> Image.Image:
    """Flatbed scans of a whole page: keep the receipt (non-white area) with a small margin."""
    mask = image.point(lambda v: 255 if v < 200 else 0)
    box = mask.getbbox()
    if not box:
        return image
    pad = 20
    return image.crop((max(box[0] - pad, 0), max(box[1] - pad, 0),
                       min(box[2] + pad, image.width), min(box[3] + pad, image.height)))


def _crop_to_bright_paper(image: Image.Image) -> Image.Image:
    """Scans of a receipt on grey card (folders B, C): keep the rows and columns that are
    mostly white paper."""
    bright = image.point(lambda v: 255 if v > 200 else 0)
    cols = [x for x in range(bright.width) if _share(bright.crop((x, 0, x + 1, bright.height))) > 0.3]
    if not cols:
        return image
    band = bright.crop((cols[0], 0, cols[-1] + 1, bright.height))
    rows = [y for y in range(band.height) if _share(band.crop((0, y, band.width, y + 1))) > 0.5]
    if not rows:
        return image
    return image.crop((cols[0], rows[0], cols[-1] + 1, rows[-1] + 1))


def _share(strip: Image.Image) -> float:
    return strip.histogram()[255] / (strip.width * strip.height)


def _encode(image: Image.Image, on_card: bool = False) -> bytes:
    image = ImageOps.grayscale(image)
    paper = _crop_to_bright_paper(image) if on_card else image
    # A receipt on white card (no grey around it): crop to its print instead.
    image = _crop_to_paper(image) if paper.width > 0.8 * image.width else paper
    if image.width > MAX_WIDTH:
        image = image.resize((MAX_WIDTH, round(image.height * MAX_WIDTH / image.width)), Image.LANCZOS)
    while True:
        for quality in range(90, 55, -5):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True)
            if out.tell() <= MAX_BYTES:
                return out.getvalue()
        image = image.resize((round(image.width * 0.9), round(image.height * 0.9)), Image.LANCZOS)


def _split(name: str) -> str:
    return "dev" if int(hashlib.sha256(name.encode()).hexdigest(), 16) % 3 == 0 else "test"


def _receipts(root: Path):
    for path in sorted(root.rglob("*.jpg"), key=lambda p: p.name):
        yield f"receipt_{path.stem}", Image.open(path), "softmatic-receipts"


def _invoices(root: Path):
    with tempfile.TemporaryDirectory() as tmp:
        for path in sorted(root.rglob("*.pdf"), key=lambda p: p.name):
            stem = Path(tmp) / path.stem
            subprocess.run(["pdftoppm", "-r", "150", "-f", "1", "-l", "1", "-gray", "-png",
                            str(path), str(stem)], check=True)
            [page] = Path(tmp).glob(f"{path.stem}-*.png")
            yield f"invoice_{path.stem}", Image.open(page), "invoice2data-invoices"
            page.unlink()


EXTRA_SOURCE = "softmatic-receipts-uncropped"


def _post(name: str, source_id: str) -> dict:
    return {"id": f"img-{name}", "text": "", "platform": "instagram", "images": [f"{name}.jpg"],
            "expect": ["pricing"], "also_ok": RECEIPT_ALSO_OK, "source": source_id}


def add_extra_dev_receipts(root: Path) -> None:
    """Folders B and C of the receipt scans, to the dev split only (rows of EXTRA_SOURCE are
    rewritten, the others kept). "*_B.jpg" is an uncropped copy of a folder-A receipt: skipped."""
    dev_file = HERE / "dev.jsonl"
    rows = [json.loads(line) for line in dev_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["source"] != EXTRA_SOURCE]
    for folder in ("B", "C"):
        for path in sorted((root / folder).glob("*.jpg"), key=lambda p: p.name):
            if path.stem.endswith("_B"):
                continue
            name = f"receipt_{path.stem}"
            (HERE / f"{name}.jpg").write_bytes(_encode(Image.open(path), on_card=True))
            rows.append(_post(name, EXTRA_SOURCE))
    with dev_file.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in rows)
    print(f"dev: {len(rows)} posts")


INVOICE_SOURCE = "mustang-invoices"
# Page 1 of these shows no amount at all (metadata, parties, dates, document numbers): a
# photo of it must stay quiet. Read by a person from each rendered page.
NO_PRICE_ON_PAGE_1 = {"EN16931_1_Teilrechnung", "EXTENDED_Fremdwaehrung_wdis_fx-pdfa4",
                      "zugferd_2p1_EXTENDED_PDFA-3A"}


def add_extra_dev_invoices(root: Path) -> None:
    """Sample invoices of the Mustang project (ZUGFeRD/Factur-X, DE/FR/EN), first pages, to the
    dev split only (rows of INVOICE_SOURCE are rewritten, the others kept)."""
    dev_file = HERE / "dev.jsonl"
    rows = [json.loads(line) for line in dev_file.read_text(encoding="utf-8").splitlines() if line.strip()]
    rows = [r for r in rows if r["source"] != INVOICE_SOURCE]
    for name, image, _ in _invoices(root):
        (HERE / f"{name}.jpg").write_bytes(_encode(image))
        post = _post(name, INVOICE_SOURCE)
        if name.removeprefix("invoice_") in NO_PRICE_ON_PAGE_1:
            post["expect"] = []
        rows.append(post)
    with dev_file.open("w", encoding="utf-8") as handle:
        handle.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in rows)
    print(f"dev: {len(rows)} posts")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=Path)
    parser.add_argument("--invoices", type=Path)
    parser.add_argument("--extra-dev-receipts", type=Path, metavar="DIR",
                        help="2D/Receipts of the receipt scans: adds folders B and C to dev")
    parser.add_argument("--extra-dev-invoices", type=Path, metavar="DIR",
                        help="the Mustang project's sample invoice PDFs: adds them to dev")
    args = parser.parse_args()
    if args.extra_dev_receipts or args.extra_dev_invoices:
        if args.extra_dev_receipts:
            add_extra_dev_receipts(args.extra_dev_receipts)
        if args.extra_dev_invoices:
            add_extra_dev_invoices(args.extra_dev_invoices)
        return
    if not (args.receipts and args.invoices):
        parser.error("--receipts and --invoices are both needed (or --extra-dev-receipts alone)")
    rows = {"test": [], "dev": []}
    # Folder A only: B and C are dev-only extras (add_extra_dev_receipts).
    for source in (_receipts(args.receipts / "A" if (args.receipts / "A").is_dir() else args.receipts),
                   _invoices(args.invoices)):
        for name, image, source_id in source:
            file_name = f"{name}.jpg"
            (HERE / file_name).write_bytes(_encode(image))
            rows[_split(name)].append({"id": f"img-{name}", "text": "", "platform": "instagram",
                                       "images": [file_name], "expect": ["pricing"],
                                       "also_ok": RECEIPT_ALSO_OK, "source": source_id})
    for split, posts in rows.items():
        with (HERE / f"{split}.jsonl").open("w", encoding="utf-8") as handle:
            handle.writelines(json.dumps(p, ensure_ascii=False) + "\n" for p in posts)
        print(f"{split}: {len(posts)} posts")


if __name__ == "__main__":
    main()
