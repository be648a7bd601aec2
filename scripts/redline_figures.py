"""Red-line figures on the public set: recall on prejudiced statements, false alarms on clean posts.

    .venv/bin/python scripts/redline_figures.py tests/data/public/{redline,clean}/test.jsonl [--json]

Builds the engine as the companion does (`build_engine(Settings.from_env())`) and checks
each item's text. Only warn/block findings count (an info finding such as "political topic"
does not stop a post). Per source it reports:

- `recall`: positives (items expecting sensitive_topic or disparagement) that raise every
  red-line category in `expect`;
- `redline_recall`: positives that raise sensitive_topic or disparagement at all;
- `false_alarms`: clean items (`expect: []`) that raise anything outside `also_ok`;
  `redline_false_alarms`: those that raise sensitive_topic or disparagement;
- per category, precision over all items and recall over the items that expect it.

Run it with PYTHONPATH pointing at another checkout to measure that checkout's engine.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path

REDLINE = ("sensitive_topic", "disparagement")


def raised(engine, text: str) -> set[str]:
    """Categories found at warn or block."""
    return {f.category for f in engine.check_text(text) if f.severity != "info"}


def tally(items: list[dict], found: list[set[str]]) -> dict:
    """Figures per source and for all sources together."""
    groups: dict[str, list[tuple[dict, set[str]]]] = defaultdict(list)
    for item, cats in zip(items, found):
        groups[item["source"]].append((item, cats))
        groups["all"].append((item, cats))
    return {source: _figures(rows) for source, rows in groups.items()}


def _figures(rows: list[tuple[dict, set[str]]]) -> dict:
    pos = [(i, c) for i, c in rows if set(i["expect"]) & set(REDLINE)]
    clean = [(i, c) for i, c in rows if not i["expect"]]
    out = {
        "positives": len(pos),
        "recall": _ratio(sum(set(i["expect"]) & set(REDLINE) <= c for i, c in pos), len(pos)),
        "redline_recall": _ratio(sum(bool(c & set(REDLINE)) for i, c in pos), len(pos)),
        "clean": len(clean),
        "false_alarms": _ratio(sum(bool(c - set(i.get("also_ok", []))) for i, c in clean), len(clean)),
        "redline_false_alarms": _ratio(sum(bool((c & set(REDLINE)) - set(i.get("also_ok", [])))
                                           for i, c in clean), len(clean)),
    }
    for cat in REDLINE:
        tp = sum(cat in i["expect"] and cat in c for i, c in rows)
        fp = sum(cat in c and cat not in i["expect"] and cat not in i.get("also_ok", []) for i, c in rows)
        fn = sum(cat in i["expect"] and cat not in c for i, c in rows)
        out[cat] = {"precision": _ratio(tp, tp + fp), "recall": _ratio(tp, tp + fn), "n": tp + fn}
    return out


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 3) if b else None


def table(figures: dict) -> str:
    """A table a person can read."""
    head = (f"{'source':<17} {'pos':>5} {'recall':>7} {'any-red':>7} {'clean':>6} {'f.alarm':>7} {'red f.a':>7}  "
            f"{'sens P/R':>11}  {'disp P/R':>11}")
    lines = [head]
    fmt = lambda v: "   -" if v is None else f"{v:.3f}"
    for source, f in sorted(figures.items(), key=lambda kv: (kv[0] == "all", kv[0])):
        s, d = f["sensitive_topic"], f["disparagement"]
        lines.append(f"{source:<17} {f['positives']:>5} {fmt(f['recall']):>7} {fmt(f['redline_recall']):>7} "
                     f"{f['clean']:>6} {fmt(f['false_alarms']):>7} {fmt(f['redline_false_alarms']):>7}  "
                     f"{fmt(s['precision'])}/{fmt(s['recall'])}  {fmt(d['precision'])}/{fmt(d['recall'])}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", type=Path, nargs="+", help="JSONL files (e.g. every test.jsonl)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    from companion.config import Settings
    from companion.runtime import build_engine

    engine = build_engine(Settings.from_env())
    items = [json.loads(line) for path in args.split
             for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    started = time.perf_counter()
    found = [raised(engine, item["text"]) for item in items]
    elapsed = time.perf_counter() - started
    figures = tally(items, found)
    print(json.dumps(figures, indent=1) if args.json else table(figures))
    print(f"{len(items)} items, {elapsed * 1000 / len(items):.2f} ms per item", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
