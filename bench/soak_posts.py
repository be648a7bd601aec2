"""Posts and photos for the soak (bench/soak.py): never the same twice, seeded so a run can be repeated.

Every sentence carries something generated (a made-up name, an e-mail address, a phone number,
an order number, a price), so the words a long-running companion sees keep changing the way a
year of real posts would, and no per-sentence cache can serve a repeat. A seen-set of sentence
hashes makes "never twice" a guarantee rather than a likelihood.
"""

from __future__ import annotations

import csv
import io
import random
from pathlib import Path

from PIL import Image, ImageDraw, ImageFont

REPO = Path(__file__).resolve().parent.parent
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf"
CJK_FONT = "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"

SYLLABLES = ["ka", "lo", "mir", "ten", "va", "zu", "bre", "dan", "si", "or", "pel", "qui", "ra", "sto",
             "ne", "ul", "fa", "gor", "hi", "jan", "wen", "xi", "yo", "bel", "cas", "dro", "ek", "lin"]
CURRENCIES = ["USD", "EUR", "RMB", "GBP", "AED", "PLN", "$", "€", "¥", "₹"]
PRODUCTS = ["stainless pans", "garden hoses", "LED panels", "cable ties", "door hinges", "glass jars",
            "copper fittings", "kitchen scales", "solar lamps", "drawer slides", "ceramic mugs", "yoga mats"]
CITIES = ["Ningbo", "Hamburg", "Rotterdam", "Dubai", "Mumbai", "Santos", "Gdansk", "Valencia", "Busan",
          "Antwerp", "Shanghai", "Felixstowe"]
ZH_PRODUCTS = ["不锈钢锅", "园艺水管", "LED面板", "扎带", "门铰链", "玻璃罐", "陶瓷杯", "太阳能灯"]
ZH_PORTS = ["宁波", "上海", "深圳", "青岛", "厦门", "天津"]
MONTHS = ["January", "March", "May", "June", "August", "October", "November", "December"]
TEMPLATES = [
    "{name} from {city} asked about {n} cartons of {product} for the {month} shipment.",
    "Quick update: {cur} {price}/pc FOB {city} for {qty} pcs of {product}.",
    "Met {name} of {company} at booth {hall}.{booth}, we talked about {product} for {n} minutes.",
    "Order #{order} left {city} on {day} {month}, {n} containers, ETA {city2} in {m} days.",
    "Welcome to the team, {name}! Reach {first} at {email} or {phone}.",
    "{name} says the {product} samples passed the {n}-hour drop test in {city}.",
    "We shipped {qty} {product} to {client} via {city}, invoice {order} attached.",
    "Training day in {city}: {name} showed {n} new colleagues how we test {product}.",
    "Call {name} on {phone} about the {product} tooling before {day} {month}.",
    "Discount of {m}% on {product} for orders above {qty} pcs, valid until {day} {month} ({order}).",
    "Congratulations to {name} and {name2} on {n} years at {company}!",
    "{client}下单{qty}件{zh_product}，单价{price}元，{day}号从{port}发货，单号{order}。",
    "今天在{port}的工厂见了{name}，聊了{n}分钟{zh_product}的包装，电话{phone}。",
    "{name}说{zh_product}的样品已经通过了{n}小时的测试，批次{order}。",
]


def _clients() -> list[str]:
    with (REPO / "rules" / "org" / "example" / "clients.csv").open(encoding="utf-8") as handle:
        return [row["name"] for row in csv.DictReader(handle)]


class PostMaker:
    """Sentences, posts and captions that never repeat, from one seeded random generator."""

    def __init__(self, rng: random.Random, stream: int = 0):
        self.rng, self.stream, self.clients, self._seen = rng, stream, _clients(), set()

    def word(self, syllables: tuple[int, int] = (2, 3)) -> str:
        return "".join(self.rng.choice(SYLLABLES) for _ in range(self.rng.randint(*syllables))).title()

    def _fields(self) -> dict:
        r = self.rng
        first, last = self.word(), self.word((2, 4))
        return dict(
            name=f"{first} {last}", first=first, name2=f"{self.word()} {self.word()}",
            email=f"{first.lower()}.{last.lower()}@{self.word().lower()}{r.choice(['.com', '.de', '.cn', '.co.uk'])}",
            phone=r.choice([f"+49 30 {r.randint(1000000, 9999999)}", f"+86 138 {r.randint(1000, 9999)} "
                            f"{r.randint(1000, 9999)}", f"(212) 555-{r.randint(1000, 9999)}"]),
            company=f"{self.word()} {r.choice(['GmbH', 'Ltd', 'S.r.l.', 'Inc.', 'AB'])}", client=r.choice(self.clients),
            city=r.choice(CITIES), city2=r.choice(CITIES), product=r.choice(PRODUCTS), n=r.randint(2, 99),
            m=r.randint(3, 45), qty=f"{r.randint(1, 99) * 500:,}", cur=r.choice(CURRENCIES),
            price=f"{r.randint(1, 99999) / 100:.2f}", hall=r.randint(1, 20),
            booth=f"{r.choice('ABCDEFGH')}{r.randint(1, 60)}", order=r.randint(10**6, 10**8),
            day=r.randint(1, 28), month=r.choice(MONTHS), zh_product=r.choice(ZH_PRODUCTS), port=r.choice(ZH_PORTS))

    def sentence(self) -> str:
        while True:
            text = self.rng.choice(TEMPLATES).format(**self._fields())
            key = hash(text)
            if key not in self._seen:
                self._seen.add(key)
                return text

    def post(self) -> str:
        """Mostly a few sentences (typed posts), sometimes up to 3,000 characters."""
        roll = self.rng.random()
        count = self.rng.randint(1, 3) if roll < 0.6 else self.rng.randint(4, 10) if roll < 0.92 else 30
        return " ".join(self.sentence() for _ in range(count))[:3000]

    def caption(self) -> str:
        return self.sentence() if self.rng.random() < 0.7 else ""


def render_photo(maker: PostMaker, rng: random.Random) -> bytes:
    """A PNG of a few lines of new text on a light background; about a third show a price or a client."""
    width, height = rng.randint(640, 1000), rng.randint(260, 460)
    image = Image.new("RGB", (width, height), tuple(rng.randint(225, 255) for _ in range(3)))
    draw = ImageDraw.Draw(image)
    size = rng.randint(24, 34)
    latin, cjk = ImageFont.truetype(FONT, size), ImageFont.truetype(CJK_FONT, size)
    lines = [maker.sentence()[:48] for _ in range(rng.randint(2, 4))]
    if rng.random() < 0.35:
        f = maker._fields()
        lines.insert(rng.randint(0, len(lines)), rng.choice([f"{f['cur']} {f['price']}/pc FOB {f['city']}",
                                                             f"Client: {f['client']}"]))
    y = rng.randint(10, 30)
    for line in lines:
        fnt = cjk if any(ord(ch) > 0x2E80 for ch in line) else latin
        while len(line) > 8 and draw.textlength(line, font=fnt) > width - 50:
            line = line[:-1]
        draw.text((rng.randint(10, 40), y), line, font=fnt, fill=tuple(rng.randint(0, 60) for _ in range(3)))
        y += int(size * 1.6)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()
