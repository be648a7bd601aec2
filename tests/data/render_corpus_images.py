"""Render the image half of the evaluation corpus, deterministically, with Pillow only.

Salespeople leak quotes and client lists far more often as pictures than as text: a
screenshot of a spreadsheet, a phone photo of a quotation lying on a desk, a whiteboard
after a pricing meeting. `postguard eval` can only measure that if it has such pictures
with honest labels, and committing megabytes of PNGs would bloat the repository, so
this script draws them on demand. The same Pillow version and fonts give the same
pixels: every random choice comes from a seeded `random.Random`.

    python tests/data/render_corpus_images.py --out DIR

writes DIR/images/*.png and DIR/images.jsonl (same schema as corpus.jsonl, image
paths relative to DIR). Scenes are listed in SCENES at the bottom: name, platform,
caption, expected categories, and the function that draws the picture.
"""

from __future__ import annotations

import argparse
import json
import math
import random
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Callable

from PIL import Image, ImageChops, ImageDraw, ImageFilter, ImageFont

FONT_FILES = {
    "sans": "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "bold": "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf",
    "mono": "/usr/share/fonts/truetype/dejavu/DejaVuSansMono.ttf",
    "cjk": "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
}
INK = (25, 25, 30)
GREY = (110, 110, 118)
PAPER = (252, 252, 248)
CATEGORIES = (
    "contact_pii", "client_confidential", "pricing", "unreleased_product",
    "credentials", "sensitive_topic", "disparagement", "competitor",
)


# ---------------------------------------------------------------- text and tables
@lru_cache(maxsize=None)
def font(size: int, kind: str = "sans") -> ImageFont.FreeTypeFont:
    """A cached font; `kind` is sans, bold, mono or cjk."""
    return ImageFont.truetype(FONT_FILES[kind], size)


def has_cjk(text: str) -> bool:
    """DejaVu has no Chinese glyphs, so any CJK character switches to WenQuanYi."""
    return any(ord(ch) >= 0x2E80 for ch in text)


def write(draw: ImageDraw.ImageDraw, xy, text: str, size: int, kind: str = "sans",
          fill=INK, anchor: str = "la") -> None:
    """Draw one line of text, picking the Chinese font when the line needs it."""
    draw.text(xy, text, font=font(size, "cjk" if has_cjk(text) else kind), fill=fill, anchor=anchor)


def lines(draw, x: int, y: int, rows: list[str], size: int, gap: float = 1.6, **kw) -> int:
    """Draw lines top to bottom; return the y just below the last one."""
    for row in rows:
        write(draw, (x, y), row, size, **kw)
        y += int(size * gap)
    return y


def table(draw, x: int, y: int, widths: list[int], rows: list[list[str]], size: int,
          header_fill=(225, 230, 240)) -> int:
    """A ruled table with a shaded header row; returns the y below it.

    Thin light rules and roomy cells, as spreadsheet and PDF tables have (heavy dark
    borders hugging the text make OCR drop whole rows).
    """
    height = int(size * 2.2)
    for r, row in enumerate(rows):
        cx = x
        for width, cell in zip(widths, row):
            box = (cx, y, cx + width, y + height)
            draw.rectangle(box, fill=header_fill if r == 0 else None, outline=(185, 185, 190), width=1)
            write(draw, (cx + 16, y + height // 2), cell, size, kind="bold" if r == 0 else "sans", anchor="lm")
            cx += width
        y += height
    return y


def page(width: int, height: int, color=PAPER) -> tuple[Image.Image, ImageDraw.ImageDraw]:
    """A blank sheet or screen to draw on."""
    img = Image.new("RGB", (width, height), color)
    return img, ImageDraw.Draw(img)


# ---------------------------------------------------------------- photo effects
def add_noise(img: Image.Image, rng: random.Random, amplitude: int) -> Image.Image:
    """Zero-mean sensor noise from seeded bytes (Pillow's effect_noise is not seedable)."""
    w, h = img.size
    raw = Image.frombytes("L", (w, h), rng.randbytes(w * h))
    scaled = raw.point(lambda v: 128 + (v - 128) * amplitude // 128).convert(img.mode)
    return ImageChops.add(img, scaled, scale=1.0, offset=-128)


def uneven_light(img: Image.Image, rng: random.Random, low: int = 200) -> Image.Image:
    """Darken corners and one side a little, like a desk lamp or a window does."""
    grid = Image.new("L", (4, 3))
    grid.putdata([rng.randint(low, 255) for _ in range(12)])
    light = grid.resize(img.size, Image.Resampling.BICUBIC).convert(img.mode)
    return ImageChops.multiply(img, light)


def wood(size: tuple[int, int], rng: random.Random) -> Image.Image:
    """A desk top: streaky brown planks, blurred and grainy."""
    w, h = size
    img, draw = page(w, h, (150, 105, 65))
    plank = h // 4
    for y in range(0, h, 3):
        base = 125 + 25 * ((y // plank) % 2) + rng.randint(-18, 18)
        draw.line([(0, y), (w, y + rng.randint(-40, 40))], fill=(base, int(base * 0.7), int(base * 0.45)), width=3)
    for p in range(1, 4):
        draw.line([(0, p * plank), (w, p * plank)], fill=(70, 45, 25), width=6)
    return add_noise(img.filter(ImageFilter.GaussianBlur(3)), rng, 18)


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Gaussian elimination with partial pivoting, to stay free of numpy."""
    n = len(vector)
    a = [row[:] + [vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(n):
            if r != col:
                factor = a[r][col] / a[col][col]
                a[r] = [vr - factor * vc for vr, vc in zip(a[r], a[col])]
    return [a[i][n] / a[i][i] for i in range(n)]


def perspective_coeffs(dst: list[tuple[float, float]], src: list[tuple[float, float]]) -> list[float]:
    """Coefficients for Image.transform(PERSPECTIVE): output corner dst[i] samples src[i]."""
    rows, rhs = [], []
    for (x, y), (u, v) in zip(dst, src):
        rows.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        rows.append([0, 0, 0, x, y, 1, -v * x, -v * y])
        rhs += [u, v]
    return solve(rows, rhs)


def photograph(doc: Image.Image, canvas: tuple[int, int], seed: int, angle: float,
               tilt: float, fill: float = 0.85, background: Image.Image | None = None) -> Image.Image:
    """A phone photo of `doc` lying on a desk: rotated, foreshortened, shadowed, noisy."""
    rng = random.Random(seed)
    cw, ch = canvas
    w, h = doc.size
    scale = fill * min(cw / w, ch / h)
    cos, sin = math.cos(math.radians(angle)), math.sin(math.radians(angle))
    corners = [(-w / 2, -h / 2), (w / 2, -h / 2), (w / 2, h / 2), (-w / 2, h / 2)]
    dst = []
    for i, (x, y) in enumerate(corners):
        x *= scale * (1 - tilt if i < 2 else 1)  # far edge looks narrower
        y *= scale
        dst.append((cw / 2 + x * cos - y * sin, ch / 2 + x * sin + y * cos))
    coeffs = perspective_coeffs(dst, [(0, 0), (w, 0), (w, h), (0, h)])
    flat = doc.convert("RGBA")
    warped = flat.transform(canvas, Image.Transform.PERSPECTIVE, coeffs, Image.Resampling.BICUBIC)
    photo = (background or wood(canvas, rng)).convert("RGBA")
    shadow = Image.new("RGBA", canvas, (0, 0, 0, 0))
    ImageDraw.Draw(shadow).polygon([(x + 18, y + 24) for x, y in dst], fill=(0, 0, 0, 130))
    photo = Image.alpha_composite(photo, shadow.filter(ImageFilter.GaussianBlur(20)))
    photo = Image.alpha_composite(photo, warped).convert("RGB")
    photo = uneven_light(photo, rng, low=205)
    return add_noise(photo.filter(ImageFilter.GaussianBlur(0.8)), rng, 10)


# ---------------------------------------------------------------- documents
def letterhead(draw, width: int, title: str, size: int = 30) -> int:
    """Our own company header, as on every quotation we send."""
    write(draw, (80, 60), "Lumen Hardware Co., Ltd.", int(size * 1.4), kind="bold")
    write(draw, (80, 60 + int(size * 2)), "sales@lumenhardware.com  |  +86 574 8765 4321", int(size * 0.8), fill=GREY)
    write(draw, (width - 80, 70), title, int(size * 1.6), kind="bold", anchor="ra")
    draw.line([(80, 60 + int(size * 3.4)), (width - 80, 60 + int(size * 3.4))], fill=INK, width=4)
    return 60 + int(size * 4.4)


def quotation(buyer: str, number: str, rows: list[list[str]], terms: list[str],
              size: int = 30, width: int = 1700, title: str = "QUOTATION",
              portrait: bool = False) -> Image.Image:
    """An English quotation sheet: letterhead, buyer, price table, terms (A4-shaped if portrait)."""
    height = int(size * (16 + 2 * len(rows) + 1.6 * len(terms)))
    img, draw = page(width, max(height, int(width * 1.414)) if portrait else height)
    y = letterhead(draw, width, title, size)
    y = lines(draw, 80, y, [f"To: {buyer}" if buyer else "To: Valued Customer", f"Quotation No.: {number}", "Date: 2025-03-12"], size)
    cols = [int(width * f) for f in (0.08, 0.40, 0.14, 0.17, 0.12)]
    y = table(draw, 80, y + 20, cols, rows, size)
    y = lines(draw, 80, y + 40, terms, size)
    if portrait:
        lines(draw, 80, img.height - size * 5, ["Authorized signature: ______________", "Thank you for your business!"], size, fill=GREY)
    return img


def quote_hansen() -> Image.Image:
    """Screenshot of a PDF quote to a listed client, USD FOB Ningbo."""
    rows = [["No.", "Item", "Qty (pcs)", "Unit price", "Amount"],
            ["1", "Garlic press, 304 SS", "20,000", "USD 0.42/pc", "8,400.00"],
            ["2", "Can opener, zinc alloy", "10,000", "USD 0.95/pc", "9,500.00"],
            ["3", "Peeler set (3 pcs)", "8,000", "USD 1.18/set", "9,440.00"]]
    terms = ["Price terms: FOB Ningbo", "Payment: 30% T/T deposit, 70% against B/L copy", "Total: USD 27,340.00"]
    return quotation("Hansen Maschinenbau GmbH, Hamburg", "LH-Q-25031", rows, terms)


def quote_eur_pricelist() -> Image.Image:
    """A price list without any buyer: still our prices, in EUR, CIF Rotterdam."""
    rows = [["No.", "Item", "Carton", "Unit price", "MOQ"],
            ["1", "Knife set, 5 pcs", "12 sets", "EUR 3.45/set", "1,000"],
            ["2", "Cutlery set, 24 pcs", "6 sets", "EUR 5.80/set", "500"],
            ["3", "Kitchen scissors", "50 pcs", "EUR 0.88/pc", "3,000"],
            ["4", "Cast iron skillet 26 cm", "4 pcs", "EUR 6.20/pc", "800"]]
    return quotation("", "PL-2025-EU", rows, ["Prices CIF Rotterdam, valid until 2025-06-30", "Discount 3% for orders above EUR 20,000"])


def quote_photo_pks() -> Image.Image:
    """12 MP phone photo of a printed quote to Pacific Kitchen Supply, at an angle on a desk."""
    rows = [["No.", "Item", "Qty", "Unit price", "Amount"],
            ["1", "Stock pot 24 cm", "3,000", "USD 6.85/pc", "20,550.00"],
            ["2", "Frying pan 28 cm", "5,000", "USD 4.30/pc", "21,500.00"],
            ["3", "Lid, tempered glass", "8,000", "USD 0.74/pc", "5,920.00"]]
    doc = quotation("Pacific Kitchen Supply LLC, Oakland CA", "LH-Q-25044", rows,
                    ["Price terms: FOB Shanghai", "Payment: L/C at sight", "Total: USD 47,970.00"],
                    size=58, width=2400, portrait=True)
    return photograph(doc, (3000, 4000), seed=7, angle=-5.0, tilt=0.06, fill=0.86)


def baojiadan_huamei() -> Image.Image:
    """A Chinese 报价单 with RMB unit prices for a listed domestic client."""
    width, size = 1600, 32
    img, draw = page(width, 1500)
    write(draw, (width // 2, 70), "宁波流明五金有限公司  报价单", 52, anchor="ma")
    y = lines(draw, 80, 190, ["客户：深圳华美贸易有限公司", "报价单号：BJ-2025-0318    日期：2025年3月18日"], size)
    rows = [["序号", "品名", "数量", "单价（元）", "金额（元）"],
            ["1", "不锈钢汤锅 24cm", "2000", "68.00", "136,000.00"],
            ["2", "不锈钢汤锅 26cm", "1500", "75.00", "112,500.00"],
            ["3", "硅胶铲", "10000", "3.20", "32,000.00"]]
    y = table(draw, 80, y + 30, [120, 520, 220, 260, 320], rows, size)
    lines(draw, 80, y + 40, ["合计：人民币 280,500.00 元（含13%增值税）", "付款方式：30%定金，发货前付清余款", "交货期：收到定金后 35 天"], size)
    return img


def proforma_maple() -> Image.Image:
    """A proforma invoice screenshot: buyer on the client list, totals in USD."""
    rows = [["No.", "Item", "Qty", "Unit price", "Amount"],
            ["1", "Bamboo cutting board L", "12,000", "USD 2.40/pc", "28,800.00"],
            ["2", "Bamboo cutting board M", "12,000", "USD 1.97/pc", "23,640.00"]]
    return quotation("Maple Leaf Home Goods Inc., Toronto", "PI-2025-0412", rows,
                     ["Incoterm: CIF Vancouver", "Total: USD 52,440.00", "Payment: 30% deposit, balance before shipment"],
                     title="PROFORMA INVOICE")


# ---------------------------------------------------------------- screenshots
def client_list_sheet() -> Image.Image:
    """A spreadsheet screenshot: the client list with contacts, the classic leak."""
    img, draw = page(1960, 900, (255, 255, 255))
    draw.rectangle((0, 0, 1960, 70), fill=(33, 115, 70))
    write(draw, (30, 35), "Key accounts 2025.xlsx  -  Excel", 28, fill=(255, 255, 255), anchor="lm")
    rows = [["Client", "Country", "Contact", "Email", "Phone"],
            ["Hansen Maschinenbau GmbH", "Germany", "J. Hansen", "j.hansen@hansen-mb.de", "+49 40 3012 7788"],
            ["Bellini Casa S.r.l.", "Italy", "Marco Bellini", "marco.bellini@bellinicasa.it", "+39 02 8845 1290"],
            ["Kowalski Dom Sp. z o.o.", "Poland", "P. Nowak", "p.nowak@kowalskidom.pl", "+48 22 615 4400"],
            ["Pacific Kitchen Supply LLC", "USA", "Orders desk", "orders@pacifickitchen.us", "+1 415 555 0187"],
            ["Oceanic Retail Pty Ltd", "Australia", "Sourcing", "sourcing@oceanicretail.com.au", ""]]
    table(draw, 20, 110, [500, 200, 260, 560, 400], rows, 28, header_fill=(230, 240, 232))
    return img


def production_schedule() -> Image.Image:
    """Clean: a schedule full of numbers and dates, but no price, buyer or secret."""
    img, draw = page(1800, 800, (255, 255, 255))
    draw.rectangle((0, 0, 1800, 70), fill=(33, 115, 70))
    write(draw, (30, 35), "Production plan week 14.xlsx  -  Excel", 28, fill=(255, 255, 255), anchor="lm")
    rows = [["Line", "Product", "Qty (pcs)", "Start", "Finish", "Containers"],
            ["A1", "Garlic press, 304 SS", "20,000", "2025-03-31", "2025-04-04", "1x20GP"],
            ["A2", "Stock pot 24 cm", "3,000", "2025-03-31", "2025-04-06", "1x40HQ"],
            ["B1", "Knife set, 5 pcs", "12,000", "2025-04-01", "2025-04-08", "2x40HQ"],
            ["B2", "Bamboo board L", "8,000", "2025-04-02", "2025-04-09", "1x40HQ"]]
    table(draw, 20, 110, [140, 480, 250, 270, 270, 300], rows, 28, header_fill=(230, 240, 232))
    return img


def chat_frame(title: str, bar: tuple, width: int = 1080, height: int = 1900):
    """A phone chat screen with a coloured title bar."""
    img, draw = page(width, height, (236, 229, 221) if bar[1] > 100 else (237, 237, 237))
    draw.rectangle((0, 0, width, 150), fill=bar)
    write(draw, (110, 75), title, 40, kind="bold", fill=(255, 255, 255) if bar[1] < 160 else INK, anchor="lm")
    return img, draw


def bubbles(draw, width: int, messages: list[tuple[bool, str]], size: int = 40, mine_fill=(220, 248, 198)) -> None:
    """Chat bubbles: (sent_by_me, text) from the top; mine on the right."""
    y, pad, height = 200, int(size * 0.9), int(size * 2.1)
    for mine, text in messages:
        body = font(size, "cjk" if has_cjk(text) else "sans")
        w = int(draw.textlength(text, font=body)) + 2 * pad
        x = width - 40 - w if mine else 40
        draw.rounded_rectangle((x, y, x + w, y + height), radius=22, fill=mine_fill if mine else (255, 255, 255))
        write(draw, (x + pad, y + height // 2), text, size, anchor="lm")
        y += height + 40


def chat_wechat_price() -> Image.Image:
    """WeChat: haggling over the garlic press price."""
    img, draw = chat_frame("陈总", (237, 237, 237))
    bubbles(draw, img.width, [(False, "这个蒜压器能不能再便宜点？"), (True, "USD 0.42/pc FOB Ningbo"),
                              (True, "已经是最低价了"), (False, "0.40 美元/件 就下单"),
                              (True, "数量 30000 件的话可以"), (False, "好，发 PI 给我")], mine_fill=(149, 236, 105))
    return img


def chat_whatsapp_bellini() -> Image.Image:
    """WhatsApp with a named client contact agreeing a set price."""
    img, draw = chat_frame("Marco Bellini - Bellini Casa", (7, 94, 84))
    bubbles(draw, img.width, [(False, "Bellini Casa autumn order:"), (False, "can you do EUR 2.05/set"), (False, "for 5,000 sets?"),
                              (True, "Best is EUR 2.10/set"), (True, "CIF Genoa, 30% deposit"),
                              (False, "Ok, deal. Send the PI")])
    return img


def chat_team_disparage() -> Image.Image:
    """WhatsApp team group ranting about a buyer: disparagement in a picture."""
    img, draw = chat_frame("Export team", (7, 94, 84))
    bubbles(draw, img.width, [(False, "That buyer from Texas again"), (False, "asked the same thing 10 times"),
                              (True, "He is so stupid lol"), (True, "and pays so slowly"),
                              (False, "Never again with that guy")])
    return img


def chat_group_politics() -> Image.Image:
    """A forwarded WeChat group with a political jab: sensitive talk in a picture."""
    img, draw = chat_frame("外贸交流群 (236)", (237, 237, 237))
    bubbles(draw, img.width, [(False, "美国大选谁上台都一样"), (False, "民主党共和党都是骗子"),
                              (True, "哈哈，同意"), (False, "选谁都是一丘之貉")], mine_fill=(149, 236, 105))
    return img


def email_dupont() -> Image.Image:
    """An email screenshot from a client contact, with her office address in the signature."""
    img, draw = page(1600, 1150, (255, 255, 255))
    draw.rectangle((0, 0, 1600, 80), fill=(0, 90, 170))
    write(draw, (30, 40), "Inbox - Mail", 30, fill=(255, 255, 255), anchor="lm")
    y = lines(draw, 60, 120, ["From: Claire Martin <claire.martin@dupont-equipement.fr>",
                              "To: sales@lumenhardware.com", "Subject: Samples received - next steps"], 30, fill=GREY)
    draw.line([(60, y), (1540, y)], fill=(200, 200, 200), width=2)
    body = ["Hello,", "", "We received the samples yesterday, thank you.", "Please send the next batch to our warehouse:",
            "", "Claire Martin", "Dupont Équipement SARL", "27 Rue de la République, 69002 Lyon, France",
            "Tel. +33 4 78 42 19 60"]
    lines(draw, 60, y + 40, body, 32)
    return img


def bank_details() -> Image.Image:
    """A phone note with someone's bank details: payment data in a picture."""
    img, draw = page(1080, 1400, (255, 250, 235))
    write(draw, (60, 80), "Payment details", 52, kind="bold")
    lines(draw, 60, 220, ["Beneficiary: Pierre Laurent", "Bank: BNP Paribas, Paris",
                          "IBAN:", "FR14 2004 1010 0505 0001 3M02 606", "BIC: BNPAFRPPXXX",
                          "Reference: sample fee"], 44, gap=1.8)
    return img


def terminal_aws_key() -> Image.Image:
    """A terminal screenshot with cloud keys exported in plain text."""
    img, draw = page(2000, 800, (30, 30, 36))
    rows = ["sales@lumen-pc:~/catalog$ cat .env", "AWS_ACCESS_KEY_ID=AKIAIOSFODNN7EXAMPLE",
            "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS_REGION=ap-east-1",
            "sales@lumen-pc:~/catalog$ ./upload_catalog.sh"]
    lines(draw, 40, 60, rows, 44, kind="mono", fill=(235, 240, 235), gap=1.8)
    return img


# ---------------------------------------------------------------- boards, notes, slides
def whiteboard(size: tuple[int, int], seed: int, rows: list[tuple[str, tuple, float]]) -> Image.Image:
    """A phone photo of a meeting-room whiteboard written in marker; sizes are fractions of height."""
    rng = random.Random(seed)
    w, h = size
    img, draw = page(w, h, (120, 118, 110))
    draw.rectangle((int(w * 0.05), int(h * 0.06), int(w * 0.95), int(h * 0.92)), fill=(246, 247, 244),
                   outline=(170, 170, 175), width=max(6, w // 200))
    y = int(h * 0.12)
    for text, color, frac in rows:
        x = int(w * 0.09) + rng.randint(-w // 100, w // 100)
        write(draw, (x, y), text, int(h * frac), kind="bold", fill=color)
        y += int(h * frac * 1.55)
    img = img.rotate(rng.uniform(-2.5, 2.5), resample=Image.Resampling.BICUBIC, fillcolor=(120, 118, 110))
    img = uneven_light(img, rng, low=190)
    return add_noise(img.filter(ImageFilter.GaussianBlur(1.0)), rng, 12)


BLUE, RED, BLACK = (20, 50, 150), (180, 30, 30), (30, 30, 30)


def whiteboard_targets() -> Image.Image:
    """Price targets after a sales meeting."""
    return whiteboard((1600, 1200), 11, [("Q3 price targets", RED, 0.075), ("Garlic press  $0.40/pc", BLUE, 0.06),
                                         ("Knife set  $3.60/set", BLUE, 0.06), ("Skillet 26cm  $7.20 FOB", BLUE, 0.06),
                                         ("Margin min. 12%", BLACK, 0.06)])


def whiteboard_competitors() -> Image.Image:
    """12 MP photo: our price against named competitors' prices."""
    return whiteboard((4000, 3000), 12, [("Knife block - competitor check", RED, 0.065),
                                         ("Starlight Hardware  $3.10", BLUE, 0.055), ("Apex Houseware  $3.40", BLUE, 0.055),
                                         ("Lumen  $3.25 FOB Ningbo", BLACK, 0.055), ("Goal: win Bellini Casa", RED, 0.055)])


def sticky_wifi() -> Image.Image:
    """A sticky note with the office Wi-Fi password, stuck on a monitor bezel."""
    rng = random.Random(13)
    img, draw = page(1600, 1200, (60, 62, 68))
    draw.rectangle((150, 120, 1450, 1000), fill=(20, 20, 24))
    draw.rectangle((200, 170, 1400, 950), fill=(70, 110, 160))
    note = Image.new("RGB", (640, 560), (255, 236, 110))
    nd = ImageDraw.Draw(note)
    lines(nd, 40, 90, ["WiFi:", "Lumen-Office", "PW: Lumen#8888"], 56, kind="bold", fill=(20, 30, 90), gap=1.5)
    note = note.rotate(5, expand=True, resample=Image.Resampling.BICUBIC, fillcolor=(0, 0, 0))
    mask = Image.new("L", (640, 560), 255).rotate(5, expand=True)
    img.paste(note, (720, 460), mask)
    img = uneven_light(img, rng, low=200)
    return add_noise(img.filter(ImageFilter.GaussianBlur(0.8)), rng, 10)


def slide(title: str, rows: list[str], accent=(200, 60, 40)) -> Image.Image:
    """A 16:9 presentation slide with a title and boxed bullet rows."""
    img, draw = page(1920, 1080, (255, 255, 255))
    draw.rectangle((0, 0, 1920, 160), fill=accent)
    write(draw, (80, 80), title, 60, kind="bold", fill=(255, 255, 255), anchor="lm")
    y = 230
    for row in rows:
        draw.rounded_rectangle((80, y, 1840, y + 140), radius=20, fill=(244, 244, 246))
        draw.rectangle((80, y, 96, y + 140), fill=accent)
        write(draw, (140, y + 70), row, 48, anchor="lm")
        y += 180
    write(draw, (1840, 1040), "CONFIDENTIAL - internal only", 26, fill=GREY, anchor="rb")
    return img


def roadmap_slide() -> Image.Image:
    """The product roadmap with unreleased codenames and model numbers."""
    return slide("Product Roadmap 2026", ["Q2  Project Falcon - cordless kettle", "Q3  LX-9000 silent blender",
                                          "Q4  Aurora Max air fryer", "Q4  Marketing kick-off"])


def roadmap_cn() -> Image.Image:
    """The same kind of slide in Chinese: 蓝鲸计划 and KT-770."""
    return slide("2026 新品规划（内部）", ["第二季度  蓝鲸计划 试产", "第三季度  KT-770 上市", "第四季度  新品发布会"], accent=(30, 90, 160))


# ---------------------------------------------------------------- cards and clean pictures
def business_card(rows: list[tuple[str, int, str]], accent=(0, 70, 140)) -> Image.Image:
    """A 3.5 x 2 inch card at 300 dpi: (text, size, font kind) rows under a colour band."""
    img, draw = page(1050, 600, (250, 250, 250))
    draw.rectangle((0, 0, 1050, 36), fill=accent)
    y = 80
    for text, size, kind in rows:
        write(draw, (70, y), text, size, kind=kind)
        y += int(size * 1.55)
    return img


def own_card_flat() -> Image.Image:
    """Clean: a scan of our OWN business card; only allow-listed details on it."""
    card = business_card([("Lumen Hardware Co., Ltd.", 46, "bold"), ("Kevin Zhou - Export Sales Manager", 32, "sans"),
                          ("sales@lumenhardware.com", 32, "sans"), ("Tel +86 574 8765 4321", 32, "sans"),
                          ("Mob +86 139 5748 0000", 32, "sans"), ("www.lumenhardware.com", 32, "sans")])
    img, _ = page(1400, 900, (225, 225, 228))
    img.paste(card.resize((1200, 686)), (100, 107))
    return img


def own_card_photo_cn() -> Image.Image:
    """Clean: a phone photo of the Chinese side of our own card, on a desk."""
    card = business_card([("宁波流明五金有限公司", 50, "cjk"), ("周凯  出口部经理", 36, "cjk"),
                          ("电话：+86 574 8765 4321", 34, "cjk"), ("邮箱：sales@lumenhardware.com", 34, "cjk"),
                          ("网址：www.lumenhardware.com", 34, "cjk")], accent=(170, 30, 30))
    return photograph(card, (2000, 1500), seed=21, angle=4.0, tilt=0.05, fill=0.85)


def client_card_nordvik() -> Image.Image:
    """A client contact's card photographed after a fair: name, company, email, phone."""
    card = business_card([("Nordvik Interiör AB", 46, "bold"), ("Anna Lind - Purchasing Manager", 32, "sans"),
                          ("anna.lind@nordvik-interior.se", 32, "sans"), ("+46 8 555 123 45", 32, "sans"),
                          ("Stockholm, Sweden", 32, "sans")], accent=(40, 40, 40))
    return photograph(card, (2000, 1500), seed=22, angle=-4.0, tilt=0.05, fill=0.85)


def factory(size: tuple[int, int], seed: int, banner: str = "") -> Image.Image:
    """Photo-like factory hall drawn from shapes: lights, machines, a conveyor, people."""
    rng = random.Random(seed)
    w, h = size
    img, draw = page(w, h, (170, 172, 168))
    draw.polygon([(0, h * 0.55), (w, h * 0.55), (w, h), (0, h)], fill=(120, 125, 118))
    for i in range(6):
        cx = w * (0.1 + 0.16 * i)
        draw.ellipse((cx - w * 0.03, h * 0.05, cx + w * 0.03, h * 0.09), fill=(250, 250, 235))
    for i in range(5):
        x0 = w * (0.05 + 0.19 * i)
        draw.rectangle((x0, h * 0.35, x0 + w * 0.13, h * 0.66), fill=rng.choice([(40, 90, 150), (60, 130, 80), (200, 140, 40)]))
        draw.rectangle((x0 + w * 0.02, h * 0.40, x0 + w * 0.06, h * 0.46), fill=(30, 30, 30))
    draw.rectangle((0, h * 0.72, w, h * 0.78), fill=(60, 60, 60))
    for i in range(8):
        x = w * (0.08 + 0.11 * i) + rng.randint(-20, 20)
        draw.ellipse((x, h * 0.60, x + w * 0.025, h * 0.633), fill=(230, 190, 160))
        draw.rectangle((x - w * 0.005, h * 0.635, x + w * 0.03, h * 0.72), fill=(30, 80, 160))
    if banner:
        draw.rectangle((w * 0.2, h * 0.16, w * 0.8, h * 0.27), fill=(190, 20, 20))
        write(draw, (w // 2, int(h * 0.215)), banner, int(h * 0.06), fill=(255, 240, 200), anchor="mm")
    img = uneven_light(img, rng, low=185)
    return add_noise(img.filter(ImageFilter.GaussianBlur(1.2)), rng, 14)


def product_specs() -> Image.Image:
    """Clean: a product shot with its spec line; numbers, but no price."""
    img, draw = page(1600, 1600, (236, 238, 242))
    draw.rectangle((430, 520, 1170, 1080), fill=(180, 184, 190))
    draw.ellipse((430, 450, 1170, 600), fill=(210, 214, 220), outline=(140, 144, 150), width=6)
    draw.ellipse((430, 1000, 1170, 1150), fill=(160, 164, 170))
    for x0 in (330, 1170):
        draw.rounded_rectangle((x0, 600, x0 + 100, 660), radius=20, fill=(60, 60, 65))
    lines(draw, 800, 1230, ["304 Stainless Steel Stock Pot", "2.5 mm tri-ply base  |  18/10  |  induction ready",
                            "5-year warranty"], 44, anchor="ma")
    return img


def booth_sign() -> Image.Image:
    """Clean: our booth sign at the fair, booth number and hall only."""
    sign, draw = page(1800, 900, (10, 50, 110))
    write(draw, (900, 170), "LUMEN HARDWARE", 120, kind="bold", fill=(255, 255, 255), anchor="mm")
    write(draw, (900, 420), "Canton Fair 2025", 80, fill=(255, 210, 80), anchor="mm")
    write(draw, (900, 620), "Hall 11.2  Booth C23", 100, kind="bold", fill=(255, 255, 255), anchor="mm")
    hall = add_noise(page(2000, 1500, (190, 190, 195))[0], random.Random(31), 20)
    return photograph(sign, (2000, 1500), seed=31, angle=2.0, tilt=0.03, fill=0.9, background=hall)


def holiday_card(title: str, rows: list[str], bg: tuple, fg: tuple, seed: int) -> Image.Image:
    """A season's greetings card with scattered dots for snow or stars."""
    rng = random.Random(seed)
    img, draw = page(1600, 1200, bg)
    for _ in range(120):  # snow or stars, kept off the lettering band
        x, y, r = rng.randint(0, 1600), rng.choice([rng.randint(0, 250), rng.randint(800, 1200)]), rng.randint(3, 9)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=(255, 255, 255))
    write(draw, (800, 380), title, 120, kind="bold", fill=fg, anchor="mm")
    lines(draw, 800, 560, rows, 56, fill=fg, anchor="ma")
    return img


def iso_certificate() -> Image.Image:
    """Clean: our own ISO certificate; a number that is not personal data."""
    img, draw = page(1700, 1200, (253, 250, 240))
    draw.rectangle((40, 40, 1660, 1160), outline=(150, 120, 40), width=12)
    write(draw, (850, 150), "CERTIFICATE", 90, kind="bold", fill=(120, 90, 20), anchor="mm")
    lines(draw, 850, 280, ["ISO 9001:2015", "This certifies that the quality management system of",
                           "Lumen Hardware Co., Ltd.", "Ningbo, Zhejiang, China", "conforms to ISO 9001:2015",
                           "Certificate No. CN25/81234", "Valid until 2028-05-31"], 44, anchor="ma")
    return img


def loading_containers() -> Image.Image:
    """Clean: containers at the loading bay with a small board saying how many went out."""
    rng = random.Random(41)
    img, draw = page(2000, 1500, (150, 180, 210))
    draw.rectangle((0, 1000, 2000, 1500), fill=(110, 110, 105))
    for i, color in enumerate([(160, 50, 40), (40, 90, 150), (40, 120, 80)]):
        x0 = 80 + i * 640
        draw.rectangle((x0, 450, x0 + 560, 1050), fill=color)
        for k in range(1, 14):
            draw.line([(x0 + k * 40, 460), (x0 + k * 40, 1040)], fill=tuple(c - 25 for c in color), width=6)
        write(draw, (x0 + 30, 480), f"MSKU 73451{i}{i + 2}", 40, kind="bold", fill=(240, 240, 240))
    draw.rectangle((680, 1110, 1320, 1430), fill=(240, 240, 235), outline=(90, 90, 95), width=12)
    lines(draw, 730, 1160, ["3x40HQ loaded", "2025-04-09"], 70, kind="bold", fill=(20, 50, 150))
    img = uneven_light(img, rng, low=195)
    return add_noise(img.filter(ImageFilter.GaussianBlur(1.0)), rng, 12)


# ---------------------------------------------------------------- the labeled scenes
@dataclass(frozen=True)
class Scene:
    """One labeled image post: what to draw, and what a careful reviewer expects found."""

    name: str
    platform: str
    caption: str
    expect: tuple[str, ...]
    draw: Callable[[], Image.Image]


P, C, PII, CR, U, S, D, K = ("pricing", "client_confidential", "contact_pii", "credentials",
                             "unreleased_product", "sensitive_topic", "disparagement", "competitor")
SCENES = [
    Scene("quote_hansen_usd", "linkedin", "Busy Monday 💪", (C, P), quote_hansen),
    Scene("quote_eur_pricelist", "facebook", "", (P,), quote_eur_pricelist),
    Scene("quote_photo_pks_12mp", "instagram", "Late night at the office 📄", (C, P), quote_photo_pks),
    Scene("baojiadan_huamei", "facebook", "今天又是忙碌的一天", (C, P), baojiadan_huamei),
    Scene("proforma_maple", "facebook", "", (C, P), proforma_maple),
    Scene("client_list_sheet", "linkedin", "Planning next year's visits ✈️", (PII, C), client_list_sheet),
    Scene("chat_wechat_price", "facebook", "", (P,), chat_wechat_price),
    Scene("chat_whatsapp_bellini", "instagram", "Deal closed! 🎉", (C, P), chat_whatsapp_bellini),
    Scene("chat_team_disparage", "facebook", "Friday mood 😂", (D,), chat_team_disparage),
    Scene("chat_group_politics", "facebook", "", (S,), chat_group_politics),
    Scene("email_dupont", "linkedin", "", (PII, C), email_dupont),
    Scene("bank_details", "facebook", "", (PII,), bank_details),
    Scene("terminal_aws_key", "linkedin", "Automating our catalog uploads 🤖", (CR,), terminal_aws_key),
    Scene("whiteboard_targets", "linkedin", "Strategy meeting done ✅", (P,), whiteboard_targets),
    Scene("whiteboard_competitors_12mp", "linkedin", "Great workshop with the team today", (C, P, K), whiteboard_competitors),
    Scene("sticky_wifi", "instagram", "New office setup 🖥️", (CR,), sticky_wifi),
    Scene("roadmap_slide", "linkedin", "Exciting year ahead! 🚀", (U,), roadmap_slide),
    Scene("roadmap_cn", "facebook", "新的一年，新的规划", (U,), roadmap_cn),
    Scene("client_card_nordvik", "linkedin", "Great meeting at the fair!", (PII, C), client_card_nordvik),
    # clean: each looks like something, none leaks anything
    Scene("own_card_flat", "linkedin", "Let's connect! 🤝", (), own_card_flat),
    Scene("own_card_photo_cn", "facebook", "新名片到了", (), own_card_photo_cn),
    Scene("production_schedule", "linkedin", "Full capacity next week 🏭", (), production_schedule),
    Scene("factory_photo", "instagram", "Our workshop this morning", (), lambda: factory((1600, 1200), 51)),
    Scene("factory_hall_12mp", "facebook", "", (), lambda: factory((4000, 3000), 52, "安全生产  SAFETY FIRST")),
    Scene("product_specs", "instagram", "", (), product_specs),
    Scene("booth_sign", "linkedin", "See you at the fair!", (), booth_sign),
    Scene("holiday_christmas", "facebook", "", (), lambda: holiday_card(
        "Merry Christmas", ["& Happy New Year 2026", "from all of us at Lumen Hardware"], (150, 20, 30), (255, 245, 220), 61)),
    Scene("holiday_midautumn", "facebook", "", (), lambda: holiday_card(
        "中秋快乐", ["花好月圆  阖家团圆", "宁波流明五金有限公司 敬贺"], (20, 30, 80), (255, 220, 120), 62)),
    Scene("iso_certificate", "linkedin", "Certified again ✅", (), iso_certificate),
    Scene("loading_containers", "instagram", "", (), loading_containers),
]


def render(out: Path, only: set[str] | None = None) -> list[dict]:
    """Draw every scene into out/images and return the labeled records for images.jsonl."""
    (out / "images").mkdir(parents=True, exist_ok=True)
    records = []
    for scene in SCENES:
        if only and scene.name not in only:
            continue
        path = f"images/{scene.name}.png"
        scene.draw().save(out / path)
        records.append({"id": f"img-{scene.name.replace('_', '-')}", "text": scene.caption,
                        "platform": scene.platform, "images": [path], "expect": sorted(scene.expect, key=CATEGORIES.index)})
    return records


def check(records: list[dict]) -> None:
    """Refuse to write a corpus with a duplicate id or an unknown category."""
    ids = [r["id"] for r in records]
    if len(ids) != len(set(ids)):
        raise SystemExit("duplicate scene id")
    for record in records:
        if not set(record["expect"]) <= set(CATEGORIES):
            raise SystemExit(f"unknown category in {record['id']}")


def main() -> None:
    """CLI: --out DIR [--only NAME ...]."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, required=True, help="directory for images/ and images.jsonl")
    parser.add_argument("--only", nargs="*", help="render just these scenes (quick looks; images.jsonl then lists only them)")
    args = parser.parse_args()
    unknown = set(args.only or ()) - {scene.name for scene in SCENES}
    if unknown:
        parser.error(f"unknown scene(s): {', '.join(sorted(unknown))}")
    records = render(args.out, set(args.only) if args.only else None)
    check(records)
    with open(args.out / "images.jsonl", "w", encoding="utf-8") as f:
        for record in records:
            f.write(json.dumps(record, ensure_ascii=False) + "\n")
    print(f"{len(records)} images written to {args.out / 'images'}")


if __name__ == "__main__":
    main()
