"""Rebuild the public image sample from local copies of its two sources (see DATACARD.md).

    python tests/data/public/images/build_sample.py --receipts DIR --invoices DIR

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


def _encode(image: Image.Image) -> bytes:
    image = ImageOps.grayscale(image)
    image = _crop_to_paper(image)
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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--receipts", type=Path, required=True)
    parser.add_argument("--invoices", type=Path, required=True)
    args = parser.parse_args()
    rows = {"test": [], "dev": []}
    for source in (_receipts(args.receipts), _invoices(args.invoices)):
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
