"""Checking posts from files: single posts for `postguard check`, JSONL batches, output shapes."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from companion.detection.engine import DetectionEngine, ImageInput
from companion.detection.types import ScanResult
from companion.errors import PostguardError, RequestError


def load_image(path: Path) -> ImageInput:
    """Decode an image file with the same guards as the HTTP API."""
    from companion import imaging

    try:
        return ImageInput(imaging.decode_image(path.read_bytes()), path.name)
    except imaging.ImageError as exc:
        raise RequestError(f"{path}: {exc.message}", exc.code) from None


def result_json(result: ScanResult) -> dict:
    return {"verdict": result.verdict, "findings": [f.to_wire() for f in result.findings],
            "timings_ms": result.timings_ms, "ocr_incomplete": result.ocr_incomplete}


def result_text(result: ScanResult) -> str:
    """What a person reads in a terminal: the verdict, then one line per finding."""
    lines = [f"Verdict: {result.verdict.upper()}"]
    for f in result.findings:
        where = f"image {f.image_index + 1}" if f.source == "image" else f"chars {f.start}-{f.end}"
        lines.append(f"  [{f.severity}] {f.category} ({where}, rule {f.rule}): {f.message}")
    if result.ocr_incomplete:
        lines.append("  Note: reading text in an image ran out of time; results may be incomplete.")
    if not result.findings:
        lines.append("  Nothing found.")
    return "\n".join(lines)


def read_jsonl(path: Path):
    """Yield (line number, post dict or error) for every non-blank line."""
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if not line.strip():
                continue
            try:
                post = json.loads(line)
                if not isinstance(post, dict):
                    raise ValueError
                yield number, post
            except ValueError:
                yield number, RequestError(f"{path}:{number}: not a JSON object", "malformed_json")


def check_post(engine: DetectionEngine, post: dict, base: Path, lang: str = "en") -> ScanResult:
    text = post.get("text") or ""
    if not isinstance(text, str):
        raise RequestError("field text: must be a string", "invalid_request")
    images = [load_image(base / p) for p in post.get("images") or []]
    return engine.check(text, images, lang=lang)


def check_jsonl(engine: DetectionEngine, path: Path, out: TextIO, lang: str = "en") -> int:
    """One output line per input line, same order; a bad line gets an error line. Exit code."""
    failed = 0
    for number, post in read_jsonl(path):
        if isinstance(post, PostguardError):
            row = {"id": None, "line": number, **post.to_dict()}
        else:
            try:
                result = check_post(engine, post, path.parent, lang)
                row = {"id": post.get("id"), "verdict": result.verdict,
                       "findings": [f.to_wire() for f in result.findings]}
            except PostguardError as exc:
                row = {"id": post.get("id"), "line": number, **exc.to_dict()}
        failed += "error" in row
        out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 1 if failed else 0
