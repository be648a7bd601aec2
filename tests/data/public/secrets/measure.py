"""Secret recall, precision and false alarms on upstream negatives, per source.

    PYTHONPATH=<checkout> python tests/data/public/secrets/measure.py dev [--misses]

The counting is the pattern set's (`../patterns/measure.py`): a category counts when the
engine raises it at warn or block; an item's `also_ok` is counted neither way. The TEST
split is read only to record figures, never to choose anything.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("public_patterns_measure", HERE.parent / "patterns" / "measure.py")
_patterns = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_patterns)


def load(split: str) -> list[dict]:
    with open(HERE / f"{split}.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def measure(engine, items: list[dict], misses: list | None = None) -> dict:
    """The pattern set's figures, plus the false alarms on each source's negatives: the items
    its upstream says hold no secret (`expect: []`, credentials not in `also_ok`)."""
    seen: dict[str, set[str]] = {}
    out = _patterns.measure(engine, items, misses, seen)
    out.pop("clean_strict", None)  # every item lists the categories it was not labeled for
    raised = {it["id"]: "credentials" in seen[it["id"]] for it in items if _negative(it)}
    for source in [None] + sorted({it["source"] for it in items}):
        ids = [it["id"] for it in items if _negative(it) and source in (None, it["source"])]
        alarms = sum(raised[i] for i in ids)
        out["negatives" + (f" from {source}" if source else "")] = {
            "items": len(ids), "false_alarms": alarms, "rate": round(alarms / len(ids), 3) if ids else None}
    return out


def _negative(it: dict) -> bool:
    return not it["expect"] and "credentials" not in it["also_ok"]


def main() -> None:
    from companion.config import Settings
    from companion.runtime import build_engine

    split = sys.argv[1] if len(sys.argv) > 1 else "dev"
    engine = build_engine(Settings.from_env())
    misses = [] if "--misses" in sys.argv else None
    items = load(split)
    print(json.dumps(measure(engine, items, misses), indent=1))
    rules = {it["id"]: it.get("rule", "") for it in items}
    for kind, cat, item_id, text in misses or []:
        print(kind, cat, item_id, rules[item_id], json.dumps(text[:200]), sep="\t")


if __name__ == "__main__":
    main()
