"""Red lines in photos: a photo of a rant is caught, a photo of a receipt is not called demeaning.

OCR turns a receipt's or an invoice's short lines (a salutation and a name, a street, a code
beside a word) and its smudges into runs of two or three words that the red-line model, read
alone, now and then scores as demeaning. A line read in a photo goes to the model only with
three distinct words of three letters or more, or five ideographs
(`companion.detection.sentences.worth_reading_in_photo`). Real Tesseract, real model.
"""

from __future__ import annotations

import images
import pytest
from PIL import Image, ImageDraw

from companion.detection.engine import ImageInput
from companion.detection.sentences import worth_reading, worth_reading_in_photo

REDLINE = {"disparagement", "sensitive_topic"}


def red_lines(findings) -> set[str]:
    return {f.category for f in findings if f.category in REDLINE and f.severity != "info"}


@pytest.mark.parametrize("line,read", [
    ("Muslims are terrorists", True),
    ("Those Ningbo people are all cheats.", True),
    ("河南人都是骗子", True),
    ("Gays out.", False),  # a slogan of two words is left to the lexical rules in a photo
    ("黑人勿扰", False),
    ("Frau Ng", False),
    ("ID: Global 12 ID: Global 34", False),  # one word twice
    ("Emmentaler Stück 5,18 A", False),
])
def test_a_photos_line_is_read_with_three_words_or_five_ideographs(line, read):
    assert worth_reading_in_photo(line) is read


@pytest.mark.parametrize("line", [
    "Frau Ng",  # a salutation and a short surname on an invoice
    "Gay Str.",  # a street's name in an address block
    "AIDS 9: 61ZR",  # a word that names an illness beside a misread code
])
def test_short_lines_the_model_reads_as_demeaning_stay_clean_in_a_photo(detection_engine, line):
    # Typed as a post, the model reads each of them (and, alone, scores it as demeaning):
    assert worth_reading(line)
    assert red_lines(detection_engine.check_text(line)) == {"disparagement"}
    assert red_lines(detection_engine.check_text(line, photo=True)) == set()


def _page(lines: list[tuple[str, object]], size=(1200, 120)) -> tuple[Image.Image, images.Boxes]:
    img = Image.new("RGB", (size[0], size[1] * len(lines) + 60), "white")
    draw = ImageDraw.Draw(img)
    boxes: images.Boxes = {}
    for n, (text, fnt) in enumerate(lines):
        images.draw_text(draw, (50, 40 + n * size[1]), text, fnt, boxes)
    return img, boxes


def test_a_photo_of_a_prejudiced_statement_is_flagged(detection_engine):
    statement = "Those Ningbo people are all cheats and liars."
    img, boxes = images.photograph(*_page([(statement, images.font(44))]), angle_deg=3.0)
    result = detection_engine.check("", [ImageInput(img, "rant.png")])
    [finding] = [f for f in result.findings if f.category == "disparagement"]
    assert finding.source == "image" and finding.severity != "info"
    x, y, w, h = finding.bbox
    bx, by, bw, bh = boxes[statement]
    assert abs(x - bx) < 40 and abs(y - by) < 40 and w > bw / 2


def test_a_photo_of_a_chinese_prejudiced_statement_is_flagged(detection_engine):
    img, _ = _page([("河南人都是骗子，千万别跟他们做生意。", images.font(48, images.WQY))])
    result = detection_engine.check("", [ImageInput(img, "rant_zh.png")])
    assert "disparagement" in red_lines(result.findings)


def test_a_photo_of_a_receipt_with_short_lines_is_not_called_demeaning(detection_engine):
    receipt = ["Frau Ng", "Gay Str. 12", "AIDS 9: 61ZR", "Emmentaler Stück 5,18 A",
               "Vollmilch 1,19 A", "SUMME EUR 6,37"]
    img, _ = _page([(line, images.font(40, images.DEJAVU_BOLD)) for line in receipt], size=(900, 80))
    result = detection_engine.check("", [ImageInput(img, "receipt.png")])
    assert "pricing" in {f.category for f in result.findings}  # the photo was read
    assert red_lines(result.findings) == set()
