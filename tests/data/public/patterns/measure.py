"""Recall, precision and false alarms on clean items of the public pattern set.

    PYTHONPATH=<checkout> python tests/data/public/patterns/measure.py test [--misses]

A category counts as raised when the engine reports it at warn or block. Recall is per
category over items that expect it; precision counts a raised category as wrong unless
the item expects it or lists it in `also_ok`; the false-alarm rate is the share of clean
items (`expect: []`) that raise anything not in `also_ok`.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path

HERE = Path(__file__).parent
CATEGORIES = ("contact_pii", "credentials", "pricing")


def load(split: str) -> list[dict]:
    with open(HERE / f"{split}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def raised(engine, text: str) -> set[str]:
    return {f.category for f in engine.check_text(text) if f.severity != "info"}


def measure(engine, items: list[dict], misses: list | None = None, seen: dict | None = None) -> dict:
    """The figures (see the top); `seen`, when given, receives each item's raised categories by
    id, so that a caller counting more needs no second check of the same item."""
    tp, fn, fp = Counter(), Counter(), Counter()
    by_source = Counter()
    clean = clean_alarms = strict = strict_alarms = 0
    for it in items:
        got = raised(engine, it["text"])
        if seen is not None:
            seen[it["id"]] = got
        for cat in it["expect"]:
            (tp if cat in got else fn)[cat] += 1
            by_source[(it["source"], cat, cat in got)] += 1
            if cat not in got and misses is not None:
                misses.append(("miss", cat, it["id"], it["text"]))
        wrong = got - set(it["expect"]) - set(it["also_ok"])
        for cat in wrong:
            fp[cat] += 1
            if misses is not None:
                misses.append(("false", cat, it["id"], it["text"]))
        if not it["expect"]:
            clean += 1
            clean_alarms += bool(wrong)
            if not it["also_ok"]:
                strict += 1
                strict_alarms += bool(got)
    out = {}
    for cat in sorted(set(tp) | set(fn) | set(fp)):
        expected = tp[cat] + fn[cat]
        out[cat] = {"expected": expected, "found": tp[cat], "false": fp[cat],
                    "recall": round(tp[cat] / expected, 3) if expected else None,
                    "precision": round(tp[cat] / (tp[cat] + fp[cat]), 3) if tp[cat] + fp[cat] else None}
    for source, cat in sorted({(s, c) for s, c, _ in by_source}):
        hit, total = by_source[(source, cat, True)], by_source[(source, cat, True)] + by_source[(source, cat, False)]
        out[f"recall {cat} from {source}"] = round(hit / total, 3)
    out["clean"] = {"items": clean, "false_alarms": clean_alarms,
                    "rate": round(clean_alarms / clean, 3) if clean else None}
    # Clean items with no also_ok category at all: anything raised is a false alarm.
    out["clean_strict"] = {"items": strict, "false_alarms": strict_alarms,
                           "rate": round(strict_alarms / strict, 3) if strict else None}
    return out


def main() -> None:
    from companion.config import Settings
    from companion.runtime import build_engine

    split = sys.argv[1] if len(sys.argv) > 1 else "dev"
    engine = build_engine(Settings.from_env())
    misses = [] if "--misses" in sys.argv else None
    print(json.dumps(measure(engine, load(split), misses), indent=1))
    for row in misses or []:
        print(*row, sep="\t")


if __name__ == "__main__":
    main()
