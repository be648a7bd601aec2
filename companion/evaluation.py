"""`postguard eval`: precision and recall per category on a labeled corpus.

A post's predicted categories are those of its findings (warn/block, plus competitor
mentions at info level); `expect` lists what it should produce. Text-only posts and
posts with images are scored separately, since OCR has its own error rate. A clean post
(`expect: []`) that produces anything is a false alarm and is listed by id.
"""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

from companion.batch import check_post, read_jsonl
from companion.detection.engine import DetectionEngine
from companion.detection.types import CATEGORIES
from companion.errors import PostguardError, RequestError


def _scores(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3), "recall": round(recall, 3)}


def evaluate_file(engine: DetectionEngine, path: Path) -> dict:
    """Check every labeled post and tally per group (text/image) and category."""
    counts = {g: defaultdict(lambda: [0, 0, 0]) for g in ("text", "image")}
    false_alarms, misses, posts = [], [], {"text": 0, "image": 0}
    for number, post in read_jsonl(path):
        if isinstance(post, PostguardError):
            raise post
        expect = post.get("expect")
        if not isinstance(expect, list) or any(c not in CATEGORIES for c in expect):
            raise RequestError(f"{path}:{number}: expect must be a list of categories", "invalid_label")
        group = "image" if post.get("images") else "text"
        posts[group] += 1
        found = {f.category for f in check_post(engine, post, path.parent).findings}
        for category in set(expect) | found:
            cell = counts[group][category]
            cell[0 if category in expect and category in found else 1 if category in found else 2] += 1
        if not expect and found:
            false_alarms.append({"id": post.get("id"), "found": sorted(found)})
        if set(expect) != found:
            misses.append({"id": post.get("id"), "missed": sorted(set(expect) - found),
                           "extra": sorted(found - set(expect))})
    report = {"posts": posts, "false_alarms_on_clean_posts": false_alarms, "mismatches": misses}
    for group, table in counts.items():
        per_category = {c: _scores(*table[c]) for c in CATEGORIES if c in table}
        total = [sum(v[i] for v in table.values()) for i in range(3)]
        report[group] = {"overall": _scores(*total), "categories": per_category}
    return report


def report_text(report: dict) -> str:
    """A table a person can read."""
    lines = []
    for group in ("text", "image"):
        if not report["posts"][group]:
            continue
        overall = report[group]["overall"]
        lines.append(f"{group} posts: {report['posts'][group]}  precision {overall['precision']:.3f}  "
                     f"recall {overall['recall']:.3f}")
        lines.append(f"  {'category':<22}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}")
        for category, s in report[group]["categories"].items():
            lines.append(f"  {category:<22}{s['precision']:>10.3f}{s['recall']:>8.3f}"
                         f"{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}")
    alarms = report["false_alarms_on_clean_posts"]
    lines.append(f"false alarms on clean posts: {len(alarms)}")
    lines += [f"  {a['id']}: {', '.join(a['found'])}" for a in alarms]
    return "\n".join(lines)
