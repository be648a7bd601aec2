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
        data = path.read_bytes()
    except FileNotFoundError:
        raise RequestError(f"{path}: no such image file", "image_missing") from None
    except OSError as exc:
        raise RequestError(f"{path}: cannot read the image ({exc.strerror})", "image_unreadable") from None
    try:
        return ImageInput(imaging.decode_image(data), path.name)
    except imaging.ImageError as exc:
        raise RequestError(f"{path}: {exc.message}", exc.code) from None


def result_json(result: ScanResult) -> dict:
    return {"verdict": result.verdict, "findings": [f.to_wire() for f in result.findings],
            "timings_ms": result.timings_ms, "ocr_incomplete": result.ocr_incomplete}


def result_text(result: ScanResult) -> str:
    """What a person reads in a terminal: the verdict, then one line per finding."""
    lines = [f"Verdict: {result.verdict.upper()}"]
    for f in result.findings:
        where = (f"image {f.image_index + 1}" if f.source == "image"
                 else "the whole post" if f.start is None else f"chars {f.start}-{f.end}")
        lines.append(f"  [{f.severity}] {f.category} ({where}, rule {f.rule}): {f.message}")
    if result.ocr_incomplete:
        lines.append("  Note: reading text in an image ran out of time; results may be incomplete.")
    if not result.findings:
        lines.append("  Nothing found.")
    return "\n".join(lines)


def read_jsonl(path: Path):
    """Yield (line number, post dict or error) for every non-blank line.

    A line that is not UTF-8 or not a JSON object becomes an error for that line only,
    so one broken line never hides the results of the others.
    """
    with path.open("rb") as handle:
        for number, raw in enumerate(handle, 1):
            try:
                line = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError:
                yield number, RequestError(f"{path}:{number}: not UTF-8 text", "malformed_json")
                continue
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
    """Check one batch post; image paths are relative to the batch file's directory."""
    text = post.get("text") or ""
    if not isinstance(text, str):
        raise RequestError("field text: must be a string", "invalid_request")
    paths = post.get("images") or []
    if not isinstance(paths, list) or not all(isinstance(p, str) and p for p in paths):
        raise RequestError("field images: must be a list of file paths", "invalid_request")
    images = [load_image(base / p) for p in paths]
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
