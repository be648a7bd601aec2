"""How long an attachment takes from bytes to text, and how much of it is read: decode + preprocess + OCR.

Target (issue): a 12-megapixel phone photo of a document, p95 <= 3 s for the whole check.
This measures the image part of that check on images rendered like the test ones (see
tests/companion/images.py), for three strategies:

  ours          `eng` on the page, then `chi_sim` only on the lines `eng` was unsure of
  eng+chi_sim   one Tesseract pass with both models on the whole page
  eng           English only (the floor: what the Chinese support costs on top)

Run:  .venv/bin/python bench/bench_ocr.py [--runs 10] [--strategies ours,eng+chi_sim,eng]
The machine is shared: run it when it is quiet and report p50 and p95, not the mean.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "tests" / "companion")]

import images  # noqa: E402  (the test image renderer)

from companion import imaging  # noqa: E402
from companion.ocr.layout import normalize_ocr_text  # noqa: E402
from companion.ocr.preprocess import prepare  # noqa: E402
from companion.ocr.tesseract import TesseractOcr  # noqa: E402

BUDGET_S = 10.0  # measure the full read; the product's budget cuts at its own value

QUOTE_KEYS = ["USD 0.42/pc", "USD 1.15/pc", "USD 2.80/set", "USD 0.96/pc", "FOB Ningbo", "CIF Hamburg",
              "Hansen Maschinenbau GmbH", "LQ-2024-0815", "sales@lumenhardware.com", "20,000", "HX-220",
              "30% T/T deposit"]
CHINESE_KEYS = ["报价单", "深圳华美贸易有限公司", "单价", "2.35 美元/件", "4.10 美元/套", "13822334455", "陈伟"]
CHAT_KEYS = ["USD 0.96/pc FOB Ningbo", "marco.bellini@bellinicasa.it", "+86 574 8765 4321", "Bellini Casa"]
CLIENT_KEYS = ["marco.bellini@bellinicasa.it", "anna.lind@nordvik-interior.se", "orders@pacifickitchen.us",
               "buyer@mapleleafhome.ca", "+1 415 555 0187", "Pacific Kitchen Supply"]

STRATEGIES = {
    "ours": lambda: TesseractOcr(languages=("eng", "chi_sim")),
    "eng+chi_sim": lambda: TesseractOcr(languages=("eng+chi_sim",)),
    "eng": lambda: TesseractOcr(languages=("eng",)),
}


def cases() -> list[tuple[str, bytes, list[str]]]:
    """(name, encoded image, key strings) for each benchmark image."""
    quote_photo, _ = images.render_phone_photo_12mp()
    chinese_photo, _ = images.render_phone_photo_12mp(images.render_chinese_quote(), angle_deg=-5.0)
    chat, _ = images.render_chat_screenshot()
    clients, _ = images.render_client_list()
    angled, _ = images.render_angled_photo()
    return [
        ("12 MP photo, English quote", quote_photo, QUOTE_KEYS),
        ("12 MP photo, Chinese quote", chinese_photo, CHINESE_KEYS),
        ("1600x1200 photo at 7 deg", images.to_jpeg(angled), QUOTE_KEYS),
        ("chat screenshot 750x1334", images.to_png(chat), CHAT_KEYS),
        ("spreadsheet screenshot", images.to_png(clients), CLIENT_KEYS),
    ]


def measure(engine: TesseractOcr, data: bytes, keys: list[str]) -> dict:
    """Timings (ms) of one full check of `data`, and how many key strings were read."""
    t0 = time.perf_counter()
    image = imaging.decode_image(data)
    t1 = time.perf_counter()
    prepare(image)  # timed on its own; `read` prepares again inside its own timing
    t2 = time.perf_counter()
    result = engine.read(image, BUDGET_S)
    t3 = time.perf_counter()
    text = normalize_ocr_text(result.text)
    return {"decode": (t1 - t0) * 1e3, "prepare": (t2 - t1) * 1e3, "read": (t3 - t2) * 1e3,
            "total": (t1 - t0 + t3 - t2) * 1e3, "found": sum(key in text for key in keys),
            "keys": len(keys), "incomplete": result.incomplete, "languages": " then ".join(result.languages)}


def percentile(values: list[float], pct: float) -> float:
    """Nearest-rank percentile: with 10 runs, p95 is the slowest run."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(pct / 100 * len(ordered) + 0.5) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--strategies", default="ours,eng+chi_sim,eng")
    args = parser.parse_args()
    print("| image | strategy | decode p50 | prepare p50 | total p50 | total p95 | key strings | passes |")
    print("|---|---|---|---|---|---|---|---|")
    for name, data, keys in cases():
        for strategy in args.strategies.split(","):
            engine = STRATEGIES[strategy]()
            engine.read(imaging.decode_image(data), BUDGET_S)  # warm the page cache and models
            runs = [measure(engine, data, keys) for _ in range(args.runs)]
            totals = [r["total"] for r in runs]
            found = min(r["found"] for r in runs)
            print(f"| {name} | {strategy} | {statistics.median(r['decode'] for r in runs):.0f} ms "
                  f"| {statistics.median(r['prepare'] for r in runs):.0f} ms "
                  f"| {statistics.median(totals):.0f} ms | {percentile(totals, 95):.0f} ms "
                  f"| {found}/{runs[0]['keys']} | {runs[-1]['languages']} |", flush=True)


if __name__ == "__main__":
    main()
