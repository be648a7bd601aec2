"""Turn a phone photo or screenshot into the image Tesseract reads best, and remember how to map back.

Measured on photo-like quotes: Tesseract on the raw photo lost whole table bodies; grayscale,
deskew, autocontrast and a resize to about 1600 px recovered every key string. Two more steps
come from our own measurements: ruling lines of spreadsheet tables are erased (with them, the
Chinese quote's table body was not read at all), and the resize is by area rather than by the
long side alone, so a tall chat screenshot is not shrunk until its text is illegible.

The OCR reads a *copy*; `PreparedImage.to_original` maps a box found on that copy back to the
image as the user sees it (EXIF orientation applied), undoing the rotation and the scaling.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import numpy.ma  # noqa: F401 - loaded at start: np.percentile (a skewed photo's fill) imports it on first use
from PIL import Image, ImageFilter, ImageOps

TARGET_PIXELS = 1600 * 1200  # about 1600 px on the long side of a 4:3 photo
MAX_UPSCALE = 3.0
MAX_LONG_SIDE = 4000
MAX_SKEW_DEG = 15.0
SKEW_SAMPLE_LONG_SIDE = 800
EXIF_ORIENTATION = 0x0112
RULING_MIN_RUN = 120  # px on the prepared image: longer dark runs are table rules, not letters
BAND_ROWS = 128  # rows whose runs are summed at once (a few hundred KB of temporaries)

Box = tuple[int, int, int, int]


@dataclass(frozen=True)
class PreparedImage:
    """The image handed to Tesseract, plus what it takes to map its boxes back to the original."""

    image: Image.Image
    original_size: tuple[int, int]
    scale: float
    angle_deg: float
    # Affine map (a, b, c, d, e, f) from prepared pixels to resized-but-unrotated pixels.
    inverse_affine: tuple[float, float, float, float, float, float]

    def to_original(self, box: Box) -> Box:
        """Map `[x, y, w, h]` on the prepared image to the displayed original, clipped to it."""
        x, y, w, h = box
        a, b, c, d, e, f = self.inverse_affine
        xs, ys = [], []
        for px, py in ((x, y), (x + w, y), (x, y + h), (x + w, y + h)):
            xs.append((a * px + b * py + c) / self.scale)
            ys.append((d * px + e * py + f) / self.scale)
        width, height = self.original_size
        x0 = min(max(int(math.floor(min(xs))), 0), width)
        y0 = min(max(int(math.floor(min(ys))), 0), height)
        x1 = min(max(int(math.ceil(max(xs))), 0), width)
        y1 = min(max(int(math.ceil(max(ys))), 0), height)
        return (x0, y0, x1 - x0, y1 - y0)


def prepare(image: Image.Image) -> PreparedImage:
    """EXIF-orient, grayscale, resize, deskew, erase table rules and stretch contrast for OCR."""
    displayed = image
    if image.getexif().get(EXIF_ORIENTATION, 1) != 1:  # already upright when decode_image opened it
        displayed = ImageOps.exif_transpose(image)
    gray = _grayscale(displayed)
    scale = ocr_scale(gray.size)
    resized = gray.resize((max(1, round(gray.width * scale)), max(1, round(gray.height * scale))),
                          Image.Resampling.LANCZOS, reducing_gap=3.0)
    resized = ImageOps.autocontrast(resized, cutoff=1)
    angle = estimate_skew(resized)
    rotated, inverse = rotate_with_map(resized, angle)
    cleaned = erase_table_rules(rotated)
    return PreparedImage(cleaned, displayed.size, scale, angle, inverse)


def _grayscale(image: Image.Image) -> Image.Image:
    """Luminance, with transparent pixels shown on white as a browser would show them."""
    if image.mode in ("RGBA", "LA", "PA") or (image.mode == "P" and "transparency" in image.info):
        rgba = image.convert("RGBA")
        canvas = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        canvas.alpha_composite(rgba)
        image = canvas
    return image.convert("L")


def ocr_scale(size: tuple[int, int]) -> float:
    """The resize factor: about 1600x1200 worth of pixels, bounded for tiny and extreme images."""
    width, height = size
    scale = math.sqrt(TARGET_PIXELS / max(1, width * height))
    scale = min(scale, MAX_UPSCALE, MAX_LONG_SIDE / max(width, height))
    return scale


def dark_mask(gray: Image.Image, radius: int = 8, delta: int = 30) -> np.ndarray:
    """Pixels clearly darker than their neighbourhood: ink, not shadows or a desk's tint.

    `pixels < local_mean - delta`, worked out on the bytes as they are (no int16 copies, which
    made a photo's peak memory larger): where the mean is brighter than the pixel, their
    difference cannot wrap around. `delta` is not negative.
    """
    pixels = np.asarray(gray)
    local_mean = np.asarray(gray.filter(ImageFilter.BoxBlur(radius)))
    return (local_mean > pixels) & (local_mean - pixels > delta)


def estimate_skew(gray: Image.Image) -> float:
    """The angle (degrees, counter-clockwise) text lines are tilted by, within ±15°.

    Projection profile: when the ink is projected along the right angle, text lines and
    the gaps between them give the sharpest histogram. Sharpness is the energy of the
    histogram's steps, not of its values: a textured desk filling a tilted area would
    otherwise pull the estimate towards that area's edges.
    """
    factor = min(1.0, SKEW_SAMPLE_LONG_SIDE / max(gray.size))
    small = gray.resize((max(1, round(gray.width * factor)), max(1, round(gray.height * factor))),
                        Image.Resampling.BILINEAR)
    ys, xs = np.nonzero(dark_mask(small, radius=6, delta=25))
    if len(xs) < 50:
        return 0.0
    if len(xs) > 60000:
        pick = np.random.default_rng(0).choice(len(xs), 60000, replace=False)
        xs, ys = xs[pick], ys[pick]
    xs = xs - small.width / 2.0
    ys = ys - small.height / 2.0
    coarse = np.arange(-MAX_SKEW_DEG, MAX_SKEW_DEG + 0.01, 0.5)
    best = _best_angle(xs, ys, coarse)
    fine = np.arange(best - 0.5, best + 0.51, 0.1)
    best = _best_angle(xs, ys, fine)
    return float(round(best, 2)) if abs(best) >= 0.15 else 0.0


def _best_angle(xs: np.ndarray, ys: np.ndarray, angles: np.ndarray) -> float:
    """The candidate angle whose row projection of the ink points changes most sharply."""
    scores = []
    for deg in angles:
        rad = math.radians(deg)
        # Row of each ink point once the image is turned `deg` counter-clockwise (y points down).
        rows = ys * math.cos(rad) - xs * math.sin(rad)
        hist = np.bincount((rows - rows.min()).astype(np.int64))
        steps = np.diff(hist)
        scores.append(float(np.dot(steps, steps)))
    return float(angles[int(np.argmax(scores))])


def rotate_with_map(gray: Image.Image, angle_deg: float):
    """Rotate counter-clockwise by `angle_deg` on a canvas large enough for all of it.

    Returns the rotated image and the affine map from rotated pixels back to `gray` pixels,
    which is exactly what PIL applies, so boxes map back without drift.
    """
    if angle_deg == 0.0:
        return gray, (1.0, 0.0, 0.0, 0.0, 1.0, 0.0)
    rad = math.radians(angle_deg)
    cos, sin = math.cos(rad), math.sin(rad)
    w, h = gray.size
    new_w = int(math.ceil(abs(w * cos) + abs(h * sin)))
    new_h = int(math.ceil(abs(w * sin) + abs(h * cos)))
    # Output (u, v) around the new centre -> input around the old centre: inverse of a CCW turn.
    a, b = cos, -sin
    d, e = sin, cos
    c = w / 2.0 - a * new_w / 2.0 - b * new_h / 2.0
    f = h / 2.0 - d * new_w / 2.0 - e * new_h / 2.0
    matrix = (a, b, c, d, e, f)
    fill = int(np.percentile(np.asarray(gray), 90))  # paper colour, so the corners add no edges
    rotated = gray.transform((new_w, new_h), Image.Transform.AFFINE, matrix, Image.Resampling.BICUBIC,
                             fillcolor=fill)
    return rotated, matrix


def erase_table_rules(gray: Image.Image) -> Image.Image:
    """Paint long horizontal and vertical dark runs (table rules) in the surrounding paper's colour.

    Tesseract's page layout treats ruled cells as graphics and drops the text in them, and a
    rule touching a letter turns "FOB" into "|FoB". Rules in a photo lean a degree or two
    (keystone), which breaks them into short runs; widening the ink by a pixel across the
    rule's direction joins those runs again.
    """
    dark = dark_mask(gray, radius=10, delta=40)
    rules = _rules_along_rows(dark) | _rules_along_rows(np.ascontiguousarray(dark.T)).T
    if not rules.any():
        return gray
    grown = _grow(rules)
    pixels = np.asarray(gray).copy()
    paper = _local_max(pixels, radius=3)  # the brightest pixel next to the rule: its paper
    pixels[grown] = paper[grown]
    return Image.fromarray(pixels, "L")


def _rules_along_rows(dark: np.ndarray) -> np.ndarray:
    """Ink pixels in horizontal runs of RULING_MIN_RUN or more, allowing a slight slant."""
    widened = dark.copy()
    widened[1:, :] |= dark[:-1, :]
    widened[:-1, :] |= dark[1:, :]
    return _long_runs(widened, RULING_MIN_RUN) & _grow(dark)


def _local_max(pixels: np.ndarray, radius: int) -> np.ndarray:
    """Maximum over a (2r+1)-square window, separably (PIL's MaxFilter took ~0.5 s here)."""
    rows = pixels.copy()
    for shift in range(1, radius + 1):
        np.maximum(rows[:, shift:], pixels[:, :-shift], out=rows[:, shift:])
        np.maximum(rows[:, :-shift], pixels[:, shift:], out=rows[:, :-shift])
    out = rows.copy()
    for shift in range(1, radius + 1):
        np.maximum(out[shift:, :], rows[:-shift, :], out=out[shift:, :])
        np.maximum(out[:-shift, :], rows[shift:, :], out=out[:-shift, :])
    return out


def _grow(mask: np.ndarray) -> np.ndarray:
    """`mask` grown by one pixel in each direction (so anti-aliased edges are included)."""
    grown = mask.copy()
    grown[1:, :] |= mask[:-1, :]
    grown[:-1, :] |= mask[1:, :]
    grown[:, 1:] |= mask[:, :-1]
    grown[:, :-1] |= mask[:, 1:]
    return grown


def _long_runs(mask: np.ndarray, min_len: int) -> np.ndarray:
    """Pixels of `mask` that lie in a horizontal run of at least `min_len` True values.

    Rows are independent, so they are worked out BAND_ROWS at a time: the running sums of a
    whole photo took several int16 copies of it at once (about 20 MB at 1600 x 1200), which a
    long-running companion's memory then rose and fell with.
    """
    height, width = mask.shape
    if width < min_len:
        return np.zeros_like(mask, dtype=bool)
    runs = np.empty(mask.shape, dtype=bool)
    for top in range(0, height, BAND_ROWS):
        runs[top:top + BAND_ROWS] = _long_runs_in_band(mask[top:top + BAND_ROWS], min_len)
    return runs


def _long_runs_in_band(mask: np.ndarray, min_len: int) -> np.ndarray:
    """`_long_runs` on a few rows: a morphological opening with a 1 x `min_len` line, done with
    running sums (O(pixels))."""
    height, width = mask.shape
    # int16 is enough: rows are at most ~5,000 px (MAX_LONG_SIDE, rotated) and halves the memory traffic.
    sums = np.zeros((height, width + 1), dtype=np.int16)
    np.cumsum(mask, axis=1, out=sums[:, 1:])
    # A run of min_len starts at x when mask[x : x + min_len] is all True.
    starts = (sums[:, min_len:] - sums[:, :-min_len]) == min_len
    start_sums = np.zeros((height, width + 1), dtype=np.int16)
    np.cumsum(starts, axis=1, out=start_sums[:, 1:starts.shape[1] + 1])
    start_sums[:, starts.shape[1] + 1:] = start_sums[:, starts.shape[1]:starts.shape[1] + 1]
    # Pixel x is covered when a run starts anywhere in (x - min_len, x].
    upto = start_sums[:, 1:]
    before = np.zeros_like(upto)
    before[:, min_len:] = start_sums[:, 1:width + 1 - min_len]
    return (upto - before) > 0
