"""What the engine finds in a post, as tables of (text, what a salesperson would see)."""

from __future__ import annotations

import pytest

CASES = [
    # text, category, masked excerpt (None: only the category is asserted)
    ("Final offer USD 0.42/pc FOB Ningbo, MOQ 5000", "pricing", "USD 0.**/pc FOB Ningbo"),
    ("best I can do is $3.85/set", "pricing", "$3.**/set"),
    ("单价 2.35 美元/件，含税", "pricing", None),
    ("30% T/T deposit, balance before shipment", "pricing", "3*% T/T deposit"),
    ("Please contact j.hansen@hansen-mb.de about the order", "contact_pii", "j.h*****@hansen-mb.de"),
    ("Please contact j.hansen@hansen-mb.de about the order", "client_confidential", "j.h*****@hansen-mb.de"),
    ("加我微信 138 1234 5678", "contact_pii", "138 **** **78"),
    ("wifi password: ningbo2024!", "credentials", "wifi password: ni********"),
    ("Visited HANSEN MASCHINENBAU in Hamburg", "client_confidential", "H***** M***********"),
    ("shipment for Dupont Equipement left today", "client_confidential", None),
    ("华 美 贸 易 的 订 单", "client_confidential", None),
    ("Sneak peek: the LX-9000 is coming", "unreleased_product", "L*-9***"),
    ("Saw Starlight Hardware at the fair", "competitor", "Starlight Hardware"),
    ("这个客户付款太拖拉", "disparagement", None),
    ("支持台独", "sensitive_topic", "台独"),
]


@pytest.mark.parametrize("text,category,excerpt", CASES)
def test_finds_and_masks(detection_engine, text, category, excerpt):
    findings = [f for f in detection_engine.check_text(text) if f.category == category]
    assert findings, f"no {category} finding"
    if excerpt is not None:
        assert findings[0].excerpt == excerpt
    assert findings[0].message and "{" not in findings[0].message


CLEAN = [
    "Contact us at sales@lumenhardware.com or +86 574 8765 4321",
    "Lumen Hardware Co., Ltd. — 宁波流明五金有限公司",
    "We ship FOB or CIF worldwide",
    "Visit us at Canton Fair Hall 11.2 Booth C23",
    "Merry Christmas and Happy New Year! 新年快乐！",
    "304 stainless, 2.5 mm, 1200 W, 5-year warranty",
    "Loaded 3x40HQ today, 95% on-time delivery this year",
    "Contact us for a quotation",
]


@pytest.mark.parametrize("text", CLEAN)
def test_clean_posts_allow(detection_engine, text):
    result = detection_engine.check(text)
    assert result.verdict == "allow" and result.findings == []


def test_verdict_is_the_highest_severity(detection_engine):
    assert detection_engine.check("Saw Starlight Hardware at the fair").verdict == "allow"
    assert detection_engine.check("USD 0.42/pc FOB Ningbo").verdict == "warn"
    assert detection_engine.check("USD 0.42/pc, wifi password: lumen8888!").verdict == "block"


def test_offsets_point_at_the_text(detection_engine):
    text = "Hi all, USD 0.42/pc FOB Ningbo for Hansen MB this week"
    for f in detection_engine.check_text(text):
        assert text[f.start:f.end] == f.matched
    spans = {f.category: text[f.start:f.end] for f in detection_engine.check_text(text)}
    assert spans == {"pricing": "USD 0.42/pc FOB Ningbo", "client_confidential": "Hansen MB"}


def test_a_list_of_companies_reads_as_a_customer_list(detection_engine):
    text = ("Top accounts 2026:\nBrandt Werkzeuge GmbH\nRossi Utensili S.r.l.\n"
            "Oakridge Supply LLC\nZielinski Narzedzia Sp. z o.o.")
    findings = [f for f in detection_engine.check_text(text) if f.category == "client_confidential"]
    assert {f.rule for f in findings} == {"client.company_list"}
    assert "Brandt" not in " ".join(f.excerpt for f in findings)


def test_own_company_does_not_count_towards_a_list(detection_engine):
    text = "Lumen Hardware Co., Ltd. met Brandt Werkzeuge GmbH and Rossi Utensili S.r.l."
    assert not detection_engine.check_text(text)


def test_chinese_messages(detection_engine):
    [finding] = detection_engine.check_text("USD 0.42/pc FOB Ningbo", lang="zh")
    assert "报价" in finding.message and "USD 0.**/pc FOB Ningbo" in finding.message


def test_ocr_tolerant_client_match_only_for_images(detection_engine):
    misread = "Hansen Maschlnenbau delivery schedule"
    assert not [f for f in detection_engine.check_text(misread) if f.category == "client_confidential"]
    fuzzy = detection_engine.check_text(misread, fuzzy=True)
    assert [f for f in fuzzy if f.category == "client_confidential"]


def test_stray_ocr_letters_inside_a_chinese_client_name(detection_engine):
    """Tesseract reads "深圳华美 ER 贸易有限公司" off a photographed 报价单."""
    text = "客户深圳华美 ER 贸易有限公司"
    assert not [f for f in detection_engine.check_text(text) if f.category == "client_confidential"]
    found = [f for f in detection_engine.check_text(text, fuzzy=True) if f.category == "client_confidential"]
    assert found and text[found[0].start:found[0].end].startswith("深圳华美")


def test_a_laptop_without_tesseract_still_checks_the_text(detection_engine, monkeypatch):
    """Tesseract missing (a broken install): the text is checked, the photo is reported unread."""
    import pytesseract
    from PIL import Image

    from companion.detection.engine import ImageInput

    monkeypatch.setattr(pytesseract.pytesseract, "tesseract_cmd", "/nonexistent/tesseract")
    result = detection_engine.check("USD 0.42/pc FOB Ningbo", [ImageInput(Image.new("RGB", (300, 200), "white"))])
    assert result.verdict == "warn"
    assert result.ocr_incomplete and "ocr_unavailable" in result.warnings


def test_the_same_photo_is_read_once(detection_engine, monkeypatch):
    """Re-checks while the caption changes reuse the photo's reading (same findings, no OCR).

    Counted, not timed: Tesseract runs once, however busy the machine is."""
    import hashlib

    import images
    from companion.detection.engine import ImageInput

    reads = []
    real_read = detection_engine.ocr.read
    monkeypatch.setattr(detection_engine.ocr, "read", lambda *a, **k: reads.append(1) or real_read(*a, **k))
    picture, _ = images.render_quotation_sheet()
    digest = hashlib.sha256(images.to_png(picture)).hexdigest()
    first = detection_engine.check("caption one", [ImageInput(picture, "q.png", digest)])
    assert len(reads) == 1 and detection_engine.ocr_cache.get(digest) is not None
    second = detection_engine.check("caption two", [ImageInput(picture, "q.png", digest)])
    assert len(reads) == 1
    assert [(f.category, f.bbox) for f in second.findings] == [(f.category, f.bbox) for f in first.findings]
