"""Render the held-out image set: ten labeled pictures a salesperson might attach to a post.

Why: the text hold-out (holdout.jsonl) measures how well the text rules generalise; these images do
the same for the OCR path. They are written independently of the tuning corpus, drawn with Pillow
only and seeded, so every run produces the same pixels. Six are risky (a quote table, a client
contact list, a chat with a price, a photographed invoice, a Wi-Fi note, a Chinese 报价单) and four
are clean (a spec sheet, a booth sign, our own business card, a holiday card).

Usage: python tests/data/holdout_images.py --out DIR
writes DIR/images/*.png and DIR/holdout_images.jsonl (one post per line, `images` relative to DIR).
"""
import argparse
import json
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFilter, ImageFont

FONT_DIR = Path("/usr/share/fonts/truetype")
SANS = FONT_DIR / "dejavu/DejaVuSans.ttf"
BOLD = FONT_DIR / "dejavu/DejaVuSans-Bold.ttf"
MONO = FONT_DIR / "dejavu/DejaVuSansMono.ttf"
CJK = FONT_DIR / "wqy/wqy-microhei.ttc"
INK = (25, 25, 30)
WHITE = (255, 255, 255)


def font(path, size):
    """Load a TrueType font; kept tiny so every drawing function reads as layout, not plumbing."""
    return ImageFont.truetype(str(path), size)


def canvas(width, height, colour=WHITE):
    """A fresh RGB image and its drawing context."""
    image = Image.new("RGB", (width, height), colour)
    return image, ImageDraw.Draw(image)


def draw_lines(draw, x, y, lines, face, gap=18, fill=INK):
    """Draw lines top to bottom and return the y below the last one."""
    for line in lines:
        draw.text((x, y), line, font=face, fill=fill)
        y += face.size + gap
    return y


def draw_table(draw, x, y, widths, rows, face, header_face, row_height=64):
    """Draw a ruled table whose first row is a header; returns the y below the table."""
    right = x + sum(widths)
    for index, row in enumerate(rows):
        if index == 0:
            draw.rectangle((x, y, right, y + row_height), fill=(225, 232, 242))
        cell_x = x
        for width, cell in zip(widths, row):
            draw.text((cell_x + 16, y + 16), cell, font=header_face if index == 0 else face, fill=INK)
            cell_x += width
        draw.line((x, y + row_height, right, y + row_height), fill=(120, 120, 130), width=2)
        y += row_height
    draw.rectangle((x, y - row_height * len(rows), right, y), outline=(80, 80, 90), width=2)
    return y


def quote_table():
    """An English quotation with unit prices, an Incoterm with a place and a deposit term."""
    image, draw = canvas(1600, 900)
    draw.text((80, 60), "QUOTATION  No. LQ-2025-0311", font=font(BOLD, 44), fill=INK)
    draw.text((80, 130), "Valid until 30 April 2025", font=font(SANS, 28), fill=INK)
    rows = [("Item", "Quantity", "Unit price"),
            ("Cabinet hinge 35 mm soft-close", "20,000 pcs", "USD 0.38 / pc"),
            ("Drawer slide 450 mm full ext.", "5,000 sets", "USD 2.95 / set"),
            ("Wall hook, brushed nickel", "12,000 pcs", "USD 0.21 / pc")]
    y = draw_table(draw, 80, 210, (700, 300, 440), rows, font(SANS, 30), font(BOLD, 30))
    draw_lines(draw, 80, y + 50, ["Price terms: FOB Ningbo",
                                  "Payment: 30% T/T deposit, balance before shipment"], font(SANS, 32))
    return image


def client_contact_list():
    """A screenshot-like CRM export listing clients with their contacts' emails and phones."""
    image, draw = canvas(1800, 760, (246, 247, 250))
    draw.rectangle((0, 0, 1800, 90), fill=(45, 85, 150))
    draw.text((40, 24), "CRM  >  Key accounts  >  Export", font=font(BOLD, 34), fill=WHITE)
    rows = [("Company", "Contact", "Phone"),
            ("Hansen Maschinenbau GmbH", "j.hansen@hansen-mb.de", "+49 40 3012 7788"),
            ("Bellini Casa S.r.l.", "marco.bellini@bellinicasa.it", "+39 02 8845 1290"),
            ("Pacific Kitchen Supply LLC", "orders@pacifickitchen.us", "+1 415 555 0187"),
            ("Oceanic Retail Pty Ltd", "sourcing@oceanicretail.com.au", "")]
    draw_table(draw, 40, 150, (620, 640, 460), rows, font(SANS, 30), font(BOLD, 30), row_height=72)
    return image


def bubble(draw, box, text, face, colour):
    """A rounded chat bubble with one or more lines of text."""
    draw.rounded_rectangle(box, radius=28, fill=colour)
    draw_lines(draw, box[0] + 30, box[1] + 24, text.split("\n"), face, gap=12)


def chat_with_price():
    """A messenger conversation in which the salesperson quotes a unit price."""
    image, draw = canvas(1400, 1000, (236, 229, 221))
    face = font(SANS, 32)
    draw.rectangle((0, 0, 1400, 100), fill=(7, 94, 84))
    draw.text((40, 30), "Mr. Okafor", font=font(BOLD, 36), fill=WHITE)
    bubble(draw, (60, 160, 900, 290), "Hi, can you do better on the\n28 cm carbon steel wok?", face, WHITE)
    bubble(draw, (420, 340, 1340, 540),
           "Best I can do is USD 4.15/pc\nFOB Ningbo for 3,000 pcs.\nValid until Friday.", face, (220, 248, 198))
    bubble(draw, (60, 590, 760, 690), "OK, let me check with my boss", face, WHITE)
    bubble(draw, (880, 740, 1340, 840), "好的，等您消息", font(CJK, 34), (220, 248, 198))
    return image


def invoice_paper():
    """The flat invoice page that invoice_photo later rotates onto a noisy desk."""
    page, draw = canvas(1300, 1500, (250, 248, 240))
    draw.text((70, 70), "COMMERCIAL INVOICE", font=font(BOLD, 52), fill=INK)
    y = draw_lines(draw, 70, 170, ["Invoice No.: INV-25-0142", "Date: 2025-03-18",
                                   "Buyer: Rheinland Haushalt GmbH", "Terms of delivery: CIF Hamburg"],
                   font(SANS, 34))
    rows = [("Description", "Qty", "Amount"),
            ("Stainless stockpot 24 cm", "2,400", "EUR 9,840.00"),
            ("Frying pan 28 cm", "3,000", "EUR 8,920.00")]
    y = draw_table(draw, 70, y + 40, (600, 220, 340), rows, font(SANS, 32), font(BOLD, 32), row_height=70)
    draw.text((70, y + 60), "TOTAL: EUR 18,760.00", font=font(BOLD, 46), fill=INK)
    draw.text((70, y + 150), "Payment: 100% before shipment", font=font(SANS, 32), fill=INK)
    return page


def noisy_desk(size, seed):
    """A blurred speckled brown background so the photo is not a clean scan."""
    rng = random.Random(seed)
    noise = Image.frombytes("L", size, rng.randbytes(size[0] * size[1]))
    noise = noise.filter(ImageFilter.GaussianBlur(2))
    brown = Image.new("RGB", size, (120, 92, 64))
    return Image.blend(brown, Image.merge("RGB", (noise, noise, noise)), 0.35)


def invoice_photo():
    """A phone photo of an invoice: turned about 6 degrees clockwise on a textured desk."""
    paper = invoice_paper()
    page = paper.rotate(-6, resample=Image.BICUBIC, expand=True, fillcolor=(0, 0, 0))
    mask = Image.new("L", paper.size, 255).rotate(-6, resample=Image.BICUBIC, expand=True)
    desk = noisy_desk((page.width + 260, page.height + 200), seed=6)
    desk.paste(page, (130, 100), mask)
    return desk


def wifi_note():
    """A yellow sticky note with the office guest Wi-Fi name and password."""
    image, draw = canvas(1400, 1000, (205, 210, 215))
    draw.rectangle((260, 120, 1140, 880), fill=(255, 236, 120))
    draw_lines(draw, 320, 190, ["Guest Wi-Fi", "SSID: Lumen-Office", "Password: Harbour#8826",
                                "(please don't share)"], font(MONO, 48), gap=44)
    return image


def chinese_quote():
    """A Chinese quotation sheet with unit prices, a total and FOB Ningbo."""
    image, draw = canvas(1600, 1000)
    # Tesseract's chi_sim misreads short Chinese-only lines set large; a title that
    # carries the number next to 报价单 is also how real sheets look.
    draw.text((80, 50), "报价单  No. BJ-20250318", font=font(CJK, 56), fill=INK)
    draw.text((80, 140), "日期 2025年3月18日", font=font(CJK, 40), fill=INK)
    rows = [("品名", "数量", "单价", "金额"),
            ("不锈钢汤锅 24cm", "2000 只", "¥38.50", "¥77,000"),
            ("不锈钢炒锅 32cm", "1000 只", "¥52.00", "¥52,000")]
    y = draw_table(draw, 80, 230, (520, 280, 300, 340), rows, font(CJK, 40), font(CJK, 40), row_height=80)
    draw_lines(draw, 80, y + 50, ["合计金额 ¥129,000（含税）", "FOB 宁波，报价有效期 30 天", "付款方式：30% 定金，发货前付清余款"],
               font(CJK, 48), gap=24)
    return image


def spec_sheet():
    """A product spec sheet: numbers and standards, but no prices or secrets."""
    image, draw = canvas(1600, 1000)
    draw.text((80, 70), "LH-220 Stainless Stockpot", font=font(BOLD, 54), fill=INK)
    rows = [("Specification", "Value"), ("Material", "18/10 stainless steel"),
            ("Capacity", "6.5 L"), ("Base", "Encapsulated, Ø 24 cm, induction ready"),
            ("Wall thickness", "0.8 mm"), ("Compliance", "LFGB, GB 4806.9-2016")]
    y = draw_table(draw, 80, 200, (480, 900), rows, font(SANS, 32), font(BOLD, 32), row_height=72)
    draw.text((80, y + 50), "Packing: 4 pcs per carton, 2,400 pcs per 20GP", font=font(SANS, 32), fill=INK)
    return image


def booth_sign():
    """A trade-fair booth sign with the hall and booth number."""
    image, draw = canvas(1800, 800, (20, 60, 120))
    draw.text((120, 120), "LUMEN HARDWARE", font=font(BOLD, 120), fill=WHITE)
    draw_lines(draw, 120, 330, ["Canton Fair 2025 · Phase 2", "Hall 11.2 · Booth F27-28",
                                "Kitchenware · Cabinet Hardware"], font(SANS, 56), gap=30, fill=(230, 236, 245))
    return image


def business_card():
    """Our own business card: every detail on it is on the allow list."""
    image, draw = canvas(1750, 1000, (250, 250, 252))
    draw.rectangle((0, 0, 40, 1000), fill=(20, 60, 120))
    draw.text((120, 90), "Lumen Hardware Co., Ltd.", font=font(BOLD, 60), fill=INK)
    draw.text((120, 180), "宁波流明五金有限公司", font=font(CJK, 48), fill=INK)
    draw_lines(draw, 120, 330, ["Lucy Wang · Export Sales Manager", "sales@lumenhardware.com",
                                "+86 574 8765 4321  ·  +86 139 5748 0000", "lumenhardware.com",
                                "No. 88 Jiangnan Road, Beilun District, Ningbo"], font(SANS, 40), gap=26)
    return image


def holiday_card():
    """A Chinese New Year greeting card."""
    image, draw = canvas(1600, 1000, (178, 24, 30))
    draw.text((300, 200), "新年快乐", font=font(CJK, 160), fill=(255, 215, 90))
    draw_lines(draw, 300, 480, ["Happy Chinese New Year!", "Wishing you health and prosperity",
                                "from all of us at Lumen Hardware"], font(SANS, 56), gap=30, fill=(255, 236, 200))
    return image


# (name, renderer, caption typed in the composer, expected categories)
IMAGES = [
    ("quote-table", quote_table, "Spring offer is ready, ask us for details 📄", ["pricing"]),
    ("client-contacts", client_contact_list, "Cleaning up our CRM this week 🧹",
     ["client_confidential", "contact_pii"]),
    ("chat-price", chat_with_price, "Negotiation mode on 😅", ["pricing"]),
    ("invoice-photo", invoice_photo, "Another shipment done ✅", ["pricing"]),
    ("wifi-note", wifi_note, "Our new meeting room is ready!", ["credentials"]),
    ("zh-quote", chinese_quote, "今天又做了一天报价，累 😮‍💨", ["pricing"]),
    ("spec-sheet", spec_sheet, "Spec sheet for our best-selling stockpot", []),
    ("booth-sign", booth_sign, "See you in Guangzhou!", []),
    ("business-card", business_card, "New business cards just arrived 🎉", []),
    ("holiday-card", holiday_card, "新年快乐！Happy New Year!", []),
]


def write_set(out_dir):
    """Render every image into out_dir/images and write the labeled posts that attach them."""
    image_dir = out_dir / "images"
    image_dir.mkdir(parents=True, exist_ok=True)
    with open(out_dir / "holdout_images.jsonl", "w", encoding="utf-8") as posts:
        for number, (name, render, caption, expect) in enumerate(IMAGES, 1):
            file_name = f"ho-img-{number:02d}-{name}.png"
            render().save(image_dir / file_name)
            post = {"id": f"ho-img-{number:02d}", "text": caption, "platform": "linkedin",
                    "images": [f"images/{file_name}"], "expect": expect}
            posts.write(json.dumps(post, ensure_ascii=False) + "\n")


def main():
    """Command-line entry: --out DIR."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", required=True, type=Path, help="directory to write images/ and the jsonl into")
    write_set(parser.parse_args().out)


if __name__ == "__main__":
    main()
