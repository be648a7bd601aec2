"""Test images a salesperson might attach to a post, rendered with Pillow so OCR tests need no binary fixtures.

Each `render_*` function returns `(image_or_bytes, boxes)`: `boxes` maps every string the
function drew (and every word of it) to `(x, y, w, h)` in the coordinates of the image
*as displayed* (EXIF orientation applied), so a test can check that OCR put a word where
it was drawn. Strings are keyed by their exact text; a word drawn twice keeps its first box.

Everything is deterministic (fixed seeds), so a failing test fails the same way twice.
"""

from __future__ import annotations

import io
import math

import numpy as np
from PIL import Image, ImageDraw, ImageFilter, ImageFont

DEJAVU = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
DEJAVU_BOLD = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"
WQY = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

Box = tuple[int, int, int, int]
Boxes = dict[str, Box]


def font(size: int, path: str = DEJAVU) -> ImageFont.FreeTypeFont:
    """A TrueType font; tests share these so glyph sizes match between runs."""
    return ImageFont.truetype(path, size)


def draw_text(draw: ImageDraw.ImageDraw, xy: tuple[int, int], text: str, fnt, boxes: Boxes,
              fill=(20, 20, 20)) -> Box:
    """Draw `text` at `xy`, record its box and each space-separated word's box in `boxes`."""
    draw.text(xy, text, font=fnt, fill=fill)
    x0, y0, x1, y1 = draw.textbbox(xy, text, font=fnt)
    boxes.setdefault(text, (x0, y0, x1 - x0, y1 - y0))
    offset = 0
    for word in text.split(" "):
        if word:
            lead = draw.textlength(text[:offset], font=fnt)
            wx0, wy0, wx1, wy1 = draw.textbbox((xy[0] + lead, xy[1]), word, font=fnt)
            boxes.setdefault(word, (round(wx0), wy0, round(wx1 - wx0), wy1 - wy0))
        offset += len(word) + 1
    return boxes[text]


def _table(draw, origin, col_widths, rows, fnt, boxes, row_height=56, header_font=None):
    """A ruled table like the ones in an Excel quotation sheet; the first row is the header."""
    x0, y0 = origin
    width = sum(col_widths)
    for r, row in enumerate(rows):
        top = y0 + r * row_height
        if r == 0:
            draw.rectangle([x0, top, x0 + width, top + row_height], fill=(221, 230, 240))
        x = x0
        for cell, cw in zip(row, col_widths):
            draw_text(draw, (x + 12, top + 14), cell, header_font if r == 0 and header_font else fnt, boxes)
            x += cw
    bottom = y0 + len(rows) * row_height
    for r in range(len(rows) + 1):
        draw.line([x0, y0 + r * row_height, x0 + width, y0 + r * row_height], fill=(90, 90, 90), width=2)
    x = x0
    for cw in (0, *col_widths):
        x += cw
        draw.line([x, y0, x, bottom], fill=(90, 90, 90), width=2)


QUOTE_ROWS = [
    ["Item", "Description", "Qty", "Unit price", "Terms"],
    ["1", "M8 hex bolt zinc", "20,000", "USD 0.42/pc", "FOB Ningbo"],
    ["2", "Cabinet hinge 35mm", "8,000", "USD 1.15/pc", "FOB Ningbo"],
    ["3", "Drawer slide 450", "3,500", "USD 2.80/set", "CIF Hamburg"],
    ["4", "Handle HX-220", "6,000", "USD 0.96/pc", "FOB Ningbo"],
]


def render_quotation_sheet() -> tuple[Image.Image, Boxes]:
    """An English quotation sheet with a ruled price table, as exported from a spreadsheet."""
    img = Image.new("RGB", (1240, 900), "white")
    draw = ImageDraw.Draw(img)
    boxes: Boxes = {}
    draw_text(draw, (60, 50), "QUOTATION", font(44, DEJAVU_BOLD), boxes)
    draw_text(draw, (60, 130), "To: Hansen Maschinenbau GmbH", font(26), boxes)
    draw_text(draw, (60, 170), "Quote No. LQ-2024-0815   Valid until 30 June", font(26), boxes)
    _table(draw, (60, 240), [90, 340, 150, 240, 240], QUOTE_ROWS, font(24), boxes,
           header_font=font(24, DEJAVU_BOLD))
    draw_text(draw, (60, 600), "Payment: 30% T/T deposit, balance before shipment", font(24), boxes)
    draw_text(draw, (60, 640), "Lumen Hardware Co., Ltd.  sales@lumenhardware.com", font(24), boxes)
    return img, boxes


CLIENT_ROWS = [
    ["Client", "Contact", "Email", "Phone"],
    ["Bellini Casa S.r.l.", "Marco Bellini", "marco.bellini@bellinicasa.it", "+39 02 8845 1290"],
    ["Nordvik Interior AB", "Anna Lind", "anna.lind@nordvik-interior.se", "+46 8 555 0142"],
    ["Pacific Kitchen Supply", "Orders desk", "orders@pacifickitchen.us", "+1 415 555 0187"],
    ["Maple Leaf Home Goods", "Buyer", "buyer@mapleleafhome.ca", "+1 604 555 0199"],
]


def render_client_list() -> tuple[Image.Image, Boxes]:
    """A spreadsheet screenshot of a client list: grid, header row, emails and phone numbers."""
    img = Image.new("RGB", (1400, 420), "white")
    draw = ImageDraw.Draw(img)
    boxes: Boxes = {}
    draw.rectangle([0, 0, 1400, 40], fill=(33, 115, 70))
    draw_text(draw, (16, 8), "Clients 2024.xlsx", font(20), boxes, fill=(255, 255, 255))
    _table(draw, (20, 70), [300, 200, 520, 240], CLIENT_ROWS, font(20), boxes, row_height=48,
           header_font=font(20, DEJAVU_BOLD))
    return img, boxes


def render_chat_screenshot() -> tuple[Image.Image, Boxes]:
    """A phone chat screenshot: coloured bubbles, a status bar, small text on tinted backgrounds."""
    img = Image.new("RGB", (750, 1334), (236, 229, 221))
    draw = ImageDraw.Draw(img)
    boxes: Boxes = {}
    draw.rectangle([0, 0, 750, 130], fill=(7, 94, 84))
    draw_text(draw, (40, 60), "Marco Bellini", font(34, DEJAVU_BOLD), boxes, fill=(255, 255, 255))
    bubbles = [
        (False, ["Hi, can you confirm the price", "for the HX-220 handles?"]),
        (True, ["Sure, for Bellini Casa we do", "USD 0.96/pc FOB Ningbo", "MOQ 6,000 pcs"]),
        (False, ["Great. Send the PI to", "marco.bellini@bellinicasa.it"]),
        (True, ["Call me: +86 574 8765 4321"]),
    ]
    y = 180
    for mine, lines in bubbles:
        height = 24 + 42 * len(lines)
        left = 250 if mine else 30
        draw.rounded_rectangle([left, y, left + 470, y + height], radius=18,
                               fill=(220, 248, 198) if mine else (255, 255, 255))
        for i, line in enumerate(lines):
            draw_text(draw, (left + 20, y + 14 + 42 * i), line, font(26), boxes)
        y += height + 40
    return img, boxes


def render_chinese_quote() -> tuple[Image.Image, Boxes]:
    """A Chinese quotation (报价单) with mixed Chinese and Latin text, as Chinese factories send them."""
    img = Image.new("RGB", (1100, 760), "white")
    draw = ImageDraw.Draw(img)
    boxes: Boxes = {}
    draw_text(draw, (420, 40), "报价单", font(56, WQY), boxes)
    draw_text(draw, (60, 150), "客户：", font(32, WQY), boxes)
    draw_text(draw, (60 + round(draw.textlength("客户：", font=font(32, WQY))), 150), "深圳华美贸易有限公司",
              font(32, WQY), boxes)
    draw_text(draw, (60, 200), "日期：2024年6月12日", font(32, WQY), boxes)
    rows = [["品名", "数量", "单价", "条款"],
            ["铰链", "8000", "2.35 美元/件", "宁波离岸"],
            ["抽屉滑轨", "3500", "4.10 美元/套", "宁波离岸"]]
    _table(draw, (60, 280), [260, 180, 300, 240], rows, font(30, WQY), boxes, row_height=64)
    draw_text(draw, (60, 520), "单价 2.35 美元/件，含包装。", font(32, WQY), boxes)
    draw_text(draw, (60, 580), "联系人：陈伟 13822334455", font(32, WQY), boxes)
    return img, boxes


def textured_background(size: tuple[int, int], seed: int = 7) -> Image.Image:
    """A desk-like background: wood-grain stripes, noise and uneven light, like a phone photo."""
    w, h = size
    rng = np.random.default_rng(seed)
    yy, xx = np.mgrid[0:h, 0:w].astype(np.float32)
    grain = 18 * np.sin(xx / 9.0 + 6 * np.sin(yy / 140.0)) + rng.normal(0, 9, (h, w))
    light = 30 * (xx / w) + 20 * (yy / h)
    base = np.stack([150 + grain + light, 110 + grain * 0.8 + light, 75 + grain * 0.6 + light], axis=-1)
    return Image.fromarray(np.clip(base, 0, 255).astype(np.uint8), "RGB")


def _homography(src: list[tuple[float, float]], dst: list[tuple[float, float]]) -> np.ndarray:
    """The 3x3 projective map that sends the four `src` points to the four `dst` points."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(src, dst):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    coeffs = np.linalg.solve(np.array(rows, float), np.array(rhs, float))
    return np.append(coeffs, 1.0).reshape(3, 3)


def _map_box(matrix: np.ndarray, box: Box) -> Box:
    """The upright bounding box of `box` after the projective map `matrix`."""
    x, y, w, h = box
    pts = np.array([[x, y, 1], [x + w, y, 1], [x, y + h, 1], [x + w, y + h, 1]], float).T
    out = matrix @ pts
    xs, ys = out[0] / out[2], out[1] / out[2]
    return (int(xs.min()), int(ys.min()), int(math.ceil(xs.max() - xs.min())), int(math.ceil(ys.max() - ys.min())))


def photograph(document: Image.Image, boxes: Boxes, size: tuple[int, int] = (1600, 1200),
               angle_deg: float = 7.0, keystone: float = 0.03, seed: int = 7) -> tuple[Image.Image, Boxes]:
    """`document` as if photographed on a desk: rotated by `angle_deg`, slightly keystoned, blurred, lit unevenly.

    The returned boxes are the upright bounding boxes of the original ones after the same warp.
    """
    dw, dh = document.size
    pw, ph = size
    scale = 0.8 * min(pw / dw, ph / dh)
    cx, cy = pw / 2, ph / 2
    theta = math.radians(angle_deg)
    corners = [(-dw / 2, -dh / 2), (dw / 2, -dh / 2), (dw / 2, dh / 2), (-dw / 2, dh / 2)]
    squeeze = [1 - keystone, 1 - keystone, 1 + keystone, 1 + keystone]  # top edge farther away
    dst = []
    for (x, y), k in zip(corners, squeeze):
        x, y = x * scale * k, y * scale
        # Counter-clockwise on screen (y points down), as a photo tilted to the left.
        dst.append((cx + x * math.cos(theta) + y * math.sin(theta), cy - x * math.sin(theta) + y * math.cos(theta)))
    src = [(0, 0), (dw, 0), (dw, dh), (0, dh)]
    forward = _homography(src, dst)
    inverse = np.linalg.inv(forward)
    inverse /= inverse[2, 2]
    warped = document.convert("RGB").transform(size, Image.Transform.PERSPECTIVE, tuple(inverse.flatten()[:8]),
                                               Image.Resampling.BICUBIC)
    mask = Image.new("L", document.size, 255).transform(size, Image.Transform.PERSPECTIVE,
                                                       tuple(inverse.flatten()[:8]), Image.Resampling.BILINEAR)
    photo = textured_background(size, seed)
    photo.paste(warped, (0, 0), mask)
    photo = photo.filter(ImageFilter.GaussianBlur(0.8))
    return photo, {key: _map_box(forward, box) for key, box in boxes.items()}


def render_angled_photo() -> tuple[Image.Image, Boxes]:
    """The quotation sheet photographed at ~7 degrees on a wooden desk."""
    doc, boxes = render_quotation_sheet()
    return photograph(doc, boxes)


def render_dim_photo(document: tuple[Image.Image, Boxes] | None = None) -> tuple[bytes, Boxes]:
    """A poor phone photo: tilted 5°, a hand's shadow over one corner, dim, soft, JPEG quality 60."""
    doc, boxes = document or render_quotation_sheet()
    photo, photo_boxes = photograph(doc, boxes, angle_deg=-5.0, keystone=0.05, seed=11)
    width, height = photo.size
    yy, xx = np.mgrid[0:height, 0:width]
    light = 0.6 * (1 - 0.6 * (xx / width) * (yy / height))  # dim overall, darker to the bottom right
    pixels = np.asarray(photo.filter(ImageFilter.GaussianBlur(1.2)), dtype=np.float32) * light[..., None]
    return to_jpeg(Image.fromarray(np.clip(pixels, 0, 255).astype(np.uint8)), quality=60), photo_boxes


def to_jpeg(image: Image.Image, quality: int = 90, exif: Image.Exif | None = None) -> bytes:
    """Encode as a JPEG, as a phone or a screenshot tool would."""
    out = io.BytesIO()
    image.convert("RGB").save(out, "JPEG", quality=quality, exif=exif or Image.Exif())
    return out.getvalue()


def to_png(image: Image.Image) -> bytes:
    """Encode as a PNG, as a screenshot tool would."""
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def with_orientation_6(displayed: Image.Image, extra_exif: dict[int, object] | None = None) -> bytes:
    """A JPEG whose pixels are stored rotated, with EXIF orientation 6 ("rotate 90° clockwise to view").

    This is how most phones save a portrait photo; a viewer shows `displayed` upright.
    """
    stored = displayed.transpose(Image.Transpose.ROTATE_90)  # 90° counter-clockwise
    exif = Image.Exif()
    exif[0x0112] = 6
    for tag, value in (extra_exif or {}).items():
        exif[tag] = value
    return to_jpeg(stored, exif=exif)


def render_exif_rotated_jpeg() -> tuple[bytes, Boxes]:
    """The quotation sheet saved by a phone with orientation 6; boxes are in displayed coordinates."""
    doc, boxes = render_quotation_sheet()
    return with_orientation_6(doc), boxes


def with_gps(image: Image.Image) -> bytes:
    """A JPEG carrying an EXIF GPS position and camera make, the metadata a phone photo leaks."""
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(0x8825)
    gps[1] = "N"
    gps[2] = (29.0, 52.0, 12.5)
    gps[3] = "E"
    gps[4] = (121.0, 32.0, 40.1)
    return to_jpeg(image, exif=exif)


def render_phone_photo_12mp(document: tuple[Image.Image, Boxes] | None = None, angle_deg: float = 4.0,
                            seed: int = 7) -> tuple[bytes, Boxes]:
    """A 4000x3000 (12 MP) phone photo of `document` (default: the quotation sheet) as a JPEG."""
    doc, boxes = document or render_quotation_sheet()
    doc = doc.resize((doc.width * 3, doc.height * 3), Image.Resampling.BICUBIC)
    boxes = {k: (x * 3, y * 3, w * 3, h * 3) for k, (x, y, w, h) in boxes.items()}
    photo, photo_boxes = photograph(doc, boxes, size=(4000, 3000), angle_deg=angle_deg, seed=seed)
    return to_jpeg(photo, quality=88), photo_boxes
