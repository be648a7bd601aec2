"""Misses and false alarms of the red-line layers on a dump of `scripts/redline_dump.py`.

    .venv/bin/python scripts/redline_study.py /tmp/redline-dump/dev.jsonl [--misses SOURCE] [--alarms]

Replays the engine's decision from the dump (a lexical candidate of the category, or a sentence
whose score, or its score read with the sentence before it, reaches the pack's threshold for its
language, or its cue threshold where the dump says the cue fires) and
prints recall and red-line false
alarms per source, then the items asked for. For the train and dev splits only.

A Chinese paragraph read whole counts from its threshold plus `semantic_matcher.PARAGRAPH_MARGIN`,
with no cue, where one of its sentences scores PARAGRAPH_GATE or more, as in the engine (dumps written before the dump recorded paragraphs replay without them).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from pathlib import Path

from companion.detection.semantic_matcher import PARAGRAPH_GATE, PARAGRAPH_MARGIN

REDLINE = ("sensitive_topic", "disparagement")
EVERYDAY = ("tatoeba", "ud_")


def thresholds(rules_dir: Path = Path("rules")) -> dict[str, dict[str, tuple[float, float]]]:
    """{category: {language: (threshold, cue threshold)}} from the packs' classifier rules."""
    from companion.rules import load_rules

    out: dict[str, dict[str, tuple[float, float]]] = {}
    for pack in load_rules(rules_dir).packs:
        for rule in pack.rules:
            if rule.classifier and not rule.classifier.groups:
                spec = rule.classifier
                out[pack.category] = {lang: (spec.threshold_for(lang), spec.cue_threshold_for(lang))
                                      for lang in ("en", "zh")}
    return out


def raised(row: dict, limits: dict) -> set[str]:
    """Red-line categories the engine raises for a dumped item."""
    cats = {c["category"] for c in row["lexical"] if c.get("severity", "warn") != "info"
            and c["rule"] != "sensitive.politics_mention"}
    for s in row["sentences"]:
        for cat in REDLINE:
            usual, with_cue = limits[cat][s["language"]]
            value = max(s[cat], s.get("pair", {}).get(cat, 0.0))  # read with the sentence before
            if value >= usual or (s.get("cue") and value >= with_cue):
                cats.add(cat)
    for p in row.get("paragraphs", ()):
        inside = [s for s in row["sentences"] if p["start"] <= s["start"] and s["end"] <= p["end"]]
        if not any(max(s[c] for c in REDLINE) >= PARAGRAPH_GATE for s in inside):
            continue  # not read whole: none of its sentences is suspect enough
        for cat in REDLINE:
            if p[cat] >= limits[cat][p["language"]][0] + PARAGRAPH_MARGIN:
                cats.add(cat)
    return cats


def is_positive(row: dict) -> bool:
    return bool(set(row["expect"]) & set(REDLINE))


def caught(row: dict, cats: set[str]) -> bool:
    return set(row["expect"]) & set(REDLINE) <= cats


def false_alarm(row: dict, cats: set[str]) -> bool:
    return not row["expect"] and bool(cats - set(row.get("also_ok") or []))


def report(rows: list[dict], found: list[set[str]]) -> str:
    per = defaultdict(lambda: [0, 0, 0, 0])
    for row, cats in zip(rows, found):
        for key in (row["source"], "all", "everyday" if row["source"].startswith(EVERYDAY) else "hard"):
            p = per[key]
            if is_positive(row):
                p[0] += 1
                p[1] += caught(row, cats)
            elif not row["expect"]:
                p[2] += 1
                p[3] += false_alarm(row, cats)
    lines = [f"{'source':<18}{'pos':>5}{'recall':>8}{'clean':>7}{'red f.a':>9}"]
    for key, (pos, hit, clean, fa) in sorted(per.items()):
        rec = f"{hit / pos:.3f}" if pos else "-"
        far = f"{fa / clean:.3%} ({fa})" if clean else "-"
        lines.append(f"{key:<18}{pos:>5}{rec:>8}{clean:>7}  {far}")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dump", type=Path)
    parser.add_argument("--misses", metavar="SOURCE")
    parser.add_argument("--alarms", action="store_true")
    args = parser.parse_args()
    limits = thresholds()
    rows = [json.loads(line) for line in args.dump.read_text(encoding="utf-8").splitlines()]
    found = [raised(r, limits) for r in rows]
    print(report(rows, found))
    for row, cats in zip(rows, found):
        best = max(row["sentences"], key=lambda s: max(s[c] for c in REDLINE), default=None)
        top = f"{best['sensitive_topic']:.2f}/{best['disparagement']:.2f} {best['group']}" if best else "-"
        if args.misses and row["source"] == args.misses and is_positive(row) and not caught(row, cats):
            print(f"MISS {row['id']} {row['expect']} [{top}] {row['text'][:160]}")
        if args.alarms and false_alarm(row, cats):
            rules = sorted({c["rule"] for c in row["lexical"]})
            print(f"ALARM {row['source']} {row['id']} {sorted(cats)} {rules} [{top}] {row['text'][:160]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
