"""Run the Tesseract binary once, under a hard deadline, and parse the words it read.

We start the process ourselves instead of calling `pytesseract.image_to_data`: pytesseract
gives its child this process's whole environment (we need `OMP_THREAD_LIMIT=1` for the child
only: measured up to 2x faster on our 2-core laptops) and cannot share one deadline between
passes. pytesseract still tells us which binary to run (`pytesseract.pytesseract.tesseract_cmd`,
so a site can point it elsewhere) and answers the health questions (version, languages).

Errors (never carrying image data or read text):

    OcrError(code, message)
    ├── code "ocr_unavailable": the binary or a language pack is missing
    └── code "ocr_failed": Tesseract exited with an error
    OcrTimeout: the deadline passed; the process was killed (not an error for the user:
                the caller returns what it has and marks the result incomplete)
"""

from __future__ import annotations

import functools
import io
import os
import subprocess
import time
from dataclasses import dataclass

import pytesseract
from PIL import Image

TSV_COLUMNS = 12  # level page block par line word left top width height conf text


class OcrError(Exception):
    """OCR could not run; `code` is stable for the API, `message` is safe to show."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message


class OcrTimeout(Exception):
    """The deadline passed before Tesseract finished; its process has been killed."""


@dataclass(frozen=True)
class RawWord:
    """One word from Tesseract's TSV, in the pixel coordinates of the image it was given."""

    text: str
    left: int
    top: int
    width: int
    height: int
    confidence: float
    line_key: tuple[int, int, int]  # (block, paragraph, line) as Tesseract numbered them


def run_tesseract(image: Image.Image, languages: str, psm: int, deadline: float) -> list[RawWord]:
    """Read `image` with `languages` ("eng", "eng+chi_sim", ...), killing Tesseract at `deadline`.

    `deadline` is a `time.monotonic()` value. Raises OcrTimeout or OcrError.
    """
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise OcrTimeout()
    pixels = io.BytesIO()
    image.convert("L").save(pixels, "PPM")  # uncompressed: ~3 ms where PNG takes ~80 ms
    command = [pytesseract.pytesseract.tesseract_cmd, "stdin", "stdout", "-l", languages,
               "--psm", str(psm), "tsv"]
    try:
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   stderr=subprocess.PIPE, env=_child_env())
    except OSError as exc:
        raise OcrError("ocr_unavailable", "The Tesseract OCR program is not installed.") from exc
    try:
        out, err = process.communicate(pixels.getvalue(), timeout=max(remaining, 0.001))
    except subprocess.TimeoutExpired:
        process.kill()
        process.communicate()
        raise OcrTimeout() from None
    if process.returncode != 0:
        raise _error_from_stderr(err)
    return parse_tsv(out.decode("utf-8", errors="replace"))


def _child_env() -> dict[str, str]:
    """Our environment plus one OpenMP thread: Tesseract's threads fight over 2 cores otherwise."""
    env = dict(os.environ)
    env["OMP_THREAD_LIMIT"] = "1"
    return env


def _error_from_stderr(stderr: bytes) -> OcrError:
    """Classify a Tesseract failure without echoing its output (it can quote file content)."""
    text = stderr.decode("utf-8", errors="replace").lower()
    if "failed loading language" in text or "could not initialize tesseract" in text:
        return OcrError("ocr_unavailable", "A Tesseract language pack is not installed.")
    return OcrError("ocr_failed", "Tesseract could not read the image.")


def parse_tsv(tsv: str) -> list[RawWord]:
    """The word rows (level 5) of Tesseract's TSV output, skipping empty ones."""
    words = []
    for row in tsv.splitlines()[1:]:
        cells = row.split("\t")
        if len(cells) < TSV_COLUMNS or cells[0] != "5" or not cells[11].strip():
            continue
        try:
            block, par, line = int(cells[2]), int(cells[3]), int(cells[4])
            left, top, width, height = (int(c) for c in cells[6:10])
            confidence = float(cells[10])
        except ValueError:
            continue
        words.append(RawWord(cells[11].strip(), left, top, width, height, confidence, (block, par, line)))
    return words


@functools.lru_cache(maxsize=1)
def tesseract_version() -> str | None:
    """The installed Tesseract version ("5.3.0"), or None when it is missing: for /health."""
    try:
        return str(pytesseract.get_tesseract_version())
    except (pytesseract.TesseractNotFoundError, OSError):
        return None


@functools.lru_cache(maxsize=1)
def installed_languages() -> tuple[str, ...]:
    """The language packs Tesseract can load ("chi_sim", "eng", ...): for /health."""
    try:
        return tuple(sorted(lang for lang in pytesseract.get_languages(config="") if lang != "osd"))
    except (pytesseract.TesseractNotFoundError, pytesseract.TesseractError, OSError):
        return ()
