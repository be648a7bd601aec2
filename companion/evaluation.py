"""`postguard eval`: precision and recall per category on labeled corpora.

A post's predicted categories are those of its findings (warn/block, plus competitor
mentions at info level); `expect` lists what it should produce, `also_ok` what it may
produce without being wrong (a hateful remark about a religion expects `disparagement`
and may also read as `sensitive_topic`). Text-only posts and posts with images are
scored separately, since OCR has its own error rate. A clean post (`expect: []`) that
produces anything outside `also_ok` is a false alarm and is listed by id; the report
gives the false-alarm rate on clean posts overall and per `source`.

Several files can be scored as one set (`collect_files` picks e.g. every `test.jsonl`
below a directory); a broken line or an unknown category stops the run with an error
naming the file and line, never the post's text.
"""

from __future__ import annotations

import glob
from collections import defaultdict
from pathlib import Path

from companion.batch import check_post, read_jsonl
from companion.detection.engine import DetectionEngine
from companion.detection.types import CATEGORIES
from companion.errors import PostguardError, RequestError

GROUPS = ("text", "image")
NO_SOURCE = "-"


def collect_files(targets: list[str | Path], split: str | None = None) -> list[Path]:
    """The JSONL files to score, in a stable order.

    A file is taken as it is; a directory gives every `<split>.jsonl` below it (every
    `*.jsonl` without a split); a glob pattern gives the files it matches.
    """
    found: list[Path] = []
    for target in targets:
        path = Path(target)
        if path.is_dir():
            found += sorted(path.rglob(f"{split}.jsonl" if split else "*.jsonl"))
        elif path.is_file():
            found.append(path)
        elif glob.has_magic(str(target)):
            found += sorted(Path(p) for p in glob.glob(str(target), recursive=True) if Path(p).is_file())
        else:
            raise RequestError(f"{target}: no such file or directory", "labeled_missing")
    unique = list(dict.fromkeys(found))
    if not unique:
        wanted = f"{split}.jsonl" if split else "*.jsonl"
        raise RequestError(f"no {wanted} files under {', '.join(map(str, targets))}", "labeled_missing")
    return unique


def _scores(tp: int, fp: int, fn: int) -> dict:
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    return {"tp": tp, "fp": fp, "fn": fn, "precision": round(precision, 3), "recall": round(recall, 3)}


def _categories(value, field: str, where: str) -> set[str]:
    """A label list checked against the known categories; the error names file, line, field."""
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise RequestError(f"{where}: {field} must be a list of categories", "invalid_label")
    unknown = [c for c in value if c not in CATEGORIES]
    if unknown:
        raise RequestError(f"{where}: {field} names an unknown category {unknown[0]!r} "
                           f"(known: {', '.join(CATEGORIES)})", "invalid_label")
    return set(value)


class _Tally:
    """Counts for one slice of the set (all posts, or one source)."""

    def __init__(self):
        self.cells = {g: defaultdict(lambda: [0, 0, 0]) for g in GROUPS}
        self.posts = {g: 0 for g in GROUPS}
        self.clean = 0
        self.false_alarms = 0

    def add(self, group: str, expect: set[str], also_ok: set[str], found: set[str]) -> None:
        self.posts[group] += 1
        for category in expect | (found - also_ok):
            hit, raised = category in expect, category in found
            self.cells[group][category][0 if hit and raised else 1 if raised else 2] += 1
        if not expect:
            self.clean += 1
            self.false_alarms += bool(found - also_ok)

    def _table(self, tables) -> dict:
        merged = defaultdict(lambda: [0, 0, 0])
        for table in tables:
            for category, cell in table.items():
                merged[category] = [a + b for a, b in zip(merged[category], cell)]
        total = [sum(v[i] for v in merged.values()) for i in range(3)]
        return {"overall": _scores(*total),
                "categories": {c: _scores(*merged[c]) for c in CATEGORIES if c in merged}}

    def report(self) -> dict:
        rate = round(self.false_alarms / self.clean, 3) if self.clean else None
        return {"posts": dict(self.posts), **{g: self._table([self.cells[g]]) for g in GROUPS},
                "all": self._table(self.cells.values()),
                "clean_posts": {"posts": self.clean, "false_alarms": self.false_alarms,
                                "false_alarm_rate": rate}}


def raised_categories(findings) -> set[str]:
    """What a post raised: warn and block findings, and competitor mentions (info by design).

    Other info findings (a neutral political topic, say) tell the user something without
    warning; they are neither hits nor false alarms.
    """
    return {f.category for f in findings if f.severity != "info" or f.category == "competitor"}


def _score_post(engine: DetectionEngine, post: dict, path: Path, number: int):
    """(group, source, expect, also_ok, found) for one labeled post; errors name file and line."""
    where = f"{path}:{number}"
    expect = _categories(post.get("expect"), "expect", where)
    also_ok = _categories(post.get("also_ok", []), "also_ok", where)
    source = post.get("source", NO_SOURCE)
    if not isinstance(source, str) or not source:
        raise RequestError(f"{where}: source must be a non-empty string", "invalid_label")
    try:
        found = raised_categories(check_post(engine, post, path.parent).findings)
    except PostguardError as exc:
        raise RequestError(f"{where}: {exc.message}", exc.code) from None
    return ("image" if post.get("images") else "text"), source, expect, also_ok, found


def evaluate_files(engine: DetectionEngine, paths: list[Path]) -> dict:
    """Check every labeled post of every file and tally per group, category and source."""
    overall, by_source = _Tally(), defaultdict(_Tally)
    false_alarms, misses = [], []
    for path in paths:
        for number, post in read_jsonl(path):
            if isinstance(post, PostguardError):
                raise post
            group, source, expect, also_ok, found = _score_post(engine, post, path, number)
            overall.add(group, expect, also_ok, found)
            by_source[source].add(group, expect, also_ok, found)
            extra = found - expect - also_ok
            if not expect and extra:
                false_alarms.append({"id": post.get("id"), "found": sorted(extra)})
            if expect - found or extra:
                misses.append({"id": post.get("id"), "missed": sorted(expect - found),
                               "extra": sorted(extra)})
    report = overall.report()
    report.update({"files": [str(p) for p in paths], "false_alarms_on_clean_posts": false_alarms,
                   "mismatches": misses})
    if set(by_source) != {NO_SOURCE}:
        report["sources"] = {name: by_source[name].report() for name in sorted(by_source)}
    return report


def evaluate_file(engine: DetectionEngine, path: Path) -> dict:
    """One labeled file (see `evaluate_files`)."""
    return evaluate_files(engine, [path])


def _group_lines(name: str, posts: int, table: dict, indent: str = "") -> list[str]:
    overall = table["overall"]
    lines = [f"{indent}{name} posts: {posts}  precision {overall['precision']:.3f}  "
             f"recall {overall['recall']:.3f}",
             f"{indent}  {'category':<22}{'precision':>10}{'recall':>8}{'tp':>5}{'fp':>5}{'fn':>5}"]
    for category, s in table["categories"].items():
        lines.append(f"{indent}  {category:<22}{s['precision']:>10.3f}{s['recall']:>8.3f}"
                     f"{s['tp']:>5}{s['fp']:>5}{s['fn']:>5}")
    return lines


def _rate_line(clean: dict) -> str:
    if not clean["posts"]:
        return "false-alarm rate on clean posts: no clean posts"
    return (f"false-alarm rate on clean posts: {clean['false_alarm_rate']:.3f} "
            f"({clean['false_alarms']} of {clean['posts']})")


def _source_lines(name: str, part: dict) -> list[str]:
    lines = [f"source {name}:"]
    for group in GROUPS:
        if part["posts"][group]:
            lines += _group_lines(group, part["posts"][group], part[group], indent="  ")
    return lines + ["  " + _rate_line(part["clean_posts"])]


def report_text(report: dict) -> str:
    """Tables a person can read: per group, then per source, then the false alarms by id."""
    lines = []
    for group in GROUPS:
        if report["posts"][group]:
            lines += _group_lines(group, report["posts"][group], report[group])
    for name, part in report.get("sources", {}).items():
        lines += _source_lines(name, part)
    alarms = report["false_alarms_on_clean_posts"]
    lines.append(_rate_line(report["clean_posts"]))
    lines.append(f"false alarms on clean posts: {len(alarms)}")
    lines += [f"  {a['id']}: {', '.join(a['found'])}" for a in alarms]
    return "\n".join(lines)
