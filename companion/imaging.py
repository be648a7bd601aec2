"""Decode and redact images a salesperson attached to a post: untrusted bytes from a web page.

An attachment is parsed by image decoders written in C, so we only let the formats the sites
accept through (JPEG, PNG, WebP, GIF; HEIC is converted by the browser before upload), refuse
anything over 50 megapixels *before* decoding it (a 1 KB PNG can claim 100,000 x 100,000
pixels), and never load a truncated file half-way.

Coordinates are those of the image as displayed: phones store portrait photos sideways with
an EXIF orientation tag, and both OCR boxes and redaction boxes refer to what the user sees.

    ImageError(code, message)        one class, the code says which case:
      "image_empty"      no bytes                                     (HTTP 400)
      "image_unsupported" not an image, or not JPEG/PNG/WebP/GIF      (HTTP 415)
      "image_too_large"  over the byte or pixel limit (bomb guard)    (HTTP 413)
      "image_corrupt"    truncated or damaged                         (HTTP 400)
      "redact_boxes_invalid" boxes that are not [x, y, w, h] ints     (HTTP 400)

Messages never contain the image's bytes or any text from it.
"""

from __future__ import annotations

import io
import struct
import warnings

from PIL import Image, ImageDraw, ImageOps

ALLOWED_FORMATS = ("JPEG", "PNG", "WEBP", "GIF")
MAX_IMAGE_PIXELS = 50_000_000
MAX_IMAGE_BYTES = 30 * 1024 * 1024
MAX_REDACT_BOXES = 1000
JPEG_QUALITY = 90
WEBP_QUALITY = 90

# Pillow warns between 1x and 2x its limit and refuses above 2x; we refuse above 1x. The explicit
# pixel check in `_open` is what enforces it (thread-safe); the filter is a second line.
Image.MAX_IMAGE_PIXELS = MAX_IMAGE_PIXELS
warnings.simplefilter("error", Image.DecompressionBombWarning)

# What decoders raise on hostile or damaged input; none of these may escape as a 500.
_DECODER_ERRORS = (OSError, SyntaxError, ValueError, EOFError, struct.error, IndexError, KeyError,
                   TypeError, ZeroDivisionError, MemoryError)

_HTTP_STATUS = {"image_unsupported": 415, "image_too_large": 413}


class ImageError(Exception):
    """An attachment we cannot or will not process; safe to show and to log."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code
        self.message = message
        self.http_status = _HTTP_STATUS.get(code, 400)

    def to_dict(self) -> dict:
        """The one error envelope the API uses."""
        return {"error": {"code": self.code, "message": self.message}}


def decode_image(data: bytes, max_bytes: int = MAX_IMAGE_BYTES,
                 max_pixels: int = MAX_IMAGE_PIXELS) -> Image.Image:
    """The attachment as displayed (EXIF orientation applied), fully loaded, first frame only.

    `max_pixels` may only lower the built-in limit: above it Pillow's own guard refuses.
    """
    image, _ = _open(data, max_bytes, min(max_pixels, MAX_IMAGE_PIXELS))
    return _displayed(image)


def _open(data: bytes, max_bytes: int, max_pixels: int = MAX_IMAGE_PIXELS) -> tuple[Image.Image, str]:
    """Open and fully decode `data`, returning the image and its format ("JPEG", ...)."""
    if not data:
        raise ImageError("image_empty", "The image is empty.")
    if len(data) > max_bytes:
        raise ImageError("image_too_large", f"The image is larger than {max_bytes // (1024 * 1024)} MB.")
    try:
        image = Image.open(io.BytesIO(data), formats=ALLOWED_FORMATS)
        if image.width * image.height > max_pixels:
            raise ImageError("image_too_large",
                             f"The image has more than {max_pixels / 1e6:g} megapixels.")
        image.seek(0)
        image.load()
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ImageError("image_too_large", "The image has more than 50 megapixels.") from None
    except Image.UnidentifiedImageError:
        raise ImageError("image_unsupported", "Only JPEG, PNG, WebP and GIF images can be checked.") from None
    except _DECODER_ERRORS:
        raise ImageError("image_corrupt", "The image is damaged or incomplete.") from None
    fmt = "JPEG" if image.format == "MPO" else image.format  # phones' multi-picture JPEGs
    return image, fmt


def _displayed(image: Image.Image) -> Image.Image:
    """The image turned the way viewers show it, without the orientation tag."""
    try:
        return ImageOps.exif_transpose(image)
    except _DECODER_ERRORS:
        # A broken EXIF block must not stop the check; show the pixels as stored.
        return image.copy()


def redact(data: bytes, boxes, max_bytes: int = MAX_IMAGE_BYTES) -> bytes:
    """The attachment with `boxes` ([x, y, w, h], displayed coordinates) painted black.

    Same format and same displayed size as the original; EXIF (GPS position, camera, time),
    XMP and comments are dropped, so the redacted copy leaks less than the original did.
    """
    image, fmt = _open(data, max_bytes)
    lossless_webp = fmt == "WEBP" and b"VP8L" in data[:64]
    displayed = _displayed(image)
    clean_boxes = validate_boxes(boxes, displayed.size)
    draw = ImageDraw.Draw(displayed)
    fill = _black(displayed)
    for x, y, w, h in clean_boxes:
        draw.rectangle([x, y, x + w - 1, y + h - 1], fill=fill)
    return _encode(displayed, fmt, lossless_webp)


def validate_boxes(boxes, size: tuple[int, int]) -> list[tuple[int, int, int, int]]:
    """`boxes` as `(x, y, w, h)` int tuples clipped to `size`; empty ones dropped.

    Raises ImageError("redact_boxes_invalid") for anything that is not a list of four
    non-negative integers.
    """
    if not isinstance(boxes, (list, tuple)) or len(boxes) > MAX_REDACT_BOXES:
        raise ImageError("redact_boxes_invalid", f"Boxes must be a list of at most {MAX_REDACT_BOXES} [x, y, w, h].")
    width, height = size
    clipped = []
    for box in boxes:
        if (not isinstance(box, (list, tuple)) or len(box) != 4
                or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in box)):
            raise ImageError("redact_boxes_invalid", "Each box must be [x, y, w, h] with non-negative integers.")
        x, y, w, h = box
        x1, y1 = min(x + w, width), min(y + h, height)
        if x < x1 and y < y1:
            clipped.append((x, y, x1 - x, y1 - y))
    return clipped


_OPAQUE_BLACK = {"RGB": (0, 0, 0), "RGBA": (0, 0, 0, 255), "LA": (0, 255), "CMYK": (0, 0, 0, 255),
                 "YCbCr": (0, 128, 128)}


def _black(image: Image.Image):
    """Opaque black in the image's own mode; for a full palette, its darkest opaque colour."""
    if image.mode != "P":
        return _OPAQUE_BLACK.get(image.mode, 0)
    try:
        return image.palette.getcolor((0, 0, 0), image)
    except ValueError:  # all 256 entries taken
        palette = image.getpalette() or [0, 0, 0]
        transparent = image.info.get("transparency")
        entries = [(sum(palette[i:i + 3]), i // 3) for i in range(0, len(palette), 3) if i // 3 != transparent]
        return min(entries)[1] if entries else 0


def _encode(image: Image.Image, fmt: str, lossless_webp: bool) -> bytes:
    """Write `image` as `fmt`, keeping colour profile and transparency, dropping all other metadata."""
    image.info = {key: image.info[key] for key in ("transparency", "icc_profile") if key in image.info}
    out = io.BytesIO()
    options: dict = {}
    if "icc_profile" in image.info:
        options["icc_profile"] = image.info["icc_profile"]
    if fmt == "JPEG":
        options.update(quality=JPEG_QUALITY, comment=b"")
    elif fmt == "WEBP":
        options.update(lossless=True) if lossless_webp else options.update(quality=WEBP_QUALITY)
    elif fmt == "PNG" and "transparency" in image.info:
        options["transparency"] = image.info["transparency"]
    image.save(out, fmt, **options)
    return out.getvalue()
