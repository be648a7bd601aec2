"""Phones, prices, secrets, addresses, IDs and company lists found through libraries
(libphonenumber, Babel's CLDR data, detect-secrets, python-stdnum), as tables of
(text, category, the matched span a salesperson would see highlighted)."""

from __future__ import annotations

import time

import pytest

from companion.detection.masking import mask_digits
from companion.detection.recognizers.not_a_phone import container_check_ok
from companion.detection.recognizers.registry import whole_text_recognizers

FOUND = [
    # phones: national formats, the 00 prefix, brackets, hyphens, region from a country name
    ("Call our London office: 020 7946 0958", "contact_pii", "020 7946 0958"),
    ("Marie: 06 12 34 56 78", "contact_pii", "06 12 34 56 78"),
    ("portable 06.12.34.56.78", "contact_pii", "06.12.34.56.78"),
    ("WhatsApp 612 345 678 (Spain)", "contact_pii", "612 345 678"),
    ("call 0044 20 7946 0958", "contact_pii", "0044 20 7946 0958"),
    ("US office (201) 555-0123", "contact_pii", "(201) 555-0123"),
    ("+44 (0)20 7946 0958 any time", "contact_pii", "+44 (0)20 7946 0958"),
    ("联系电话：021-61234567", "contact_pii", "021-61234567"),
    ("有事请打13912345678找我", "contact_pii", "13912345678"),
    # US SSN and other national IDs next to their label, with checksums
    ("My SSN is 536-90-4399", "contact_pii", "536-90-4399"),
    ("PESEL 44051401359", "contact_pii", "44051401359"),
    ("codice fiscale RCCMNL83S18D969H", "contact_pii", "RCCMNL83S18D969H"),
    # street addresses
    ("15 Avenue Charles Floquet, 75007 Paris", "contact_pii", None),
    ("Via Pisacane 13, 76121 Barletta", "contact_pii", None),
    ("Calle Mayor 5, 28013 Madrid", "contact_pii", None),
    ("ul. Marszałkowska 10/12, 00-590 Warszawa", "contact_pii", None),
    ("Herengracht 573, 1017 CD Amsterdam", "contact_pii", None),
    ("Turkuer Straße 30, 18107 Rostock", "contact_pii", None),
    ("1600 Pennsylvania Avenue NW, Washington", "contact_pii", None),
    ("上海市浦东新区陆家嘴西路99号", "contact_pii", "上海市浦东新区陆家嘴西路99号"),
    # prices in any currency, European amounts, totals
    ("Our price: RM 51.30", "pricing", "RM 51.30"),
    ("AED 1,250 per carton", "pricing", None),
    ("₹ 4,500 each", "pricing", None),
    ("Rs 980 per piece", "pricing", None),
    ("R$ 89,90", "pricing", "R$ 89,90"),
    ("SAR 500 quoted", "pricing", None),
    ("PLN 3.200,00 net", "pricing", None),
    ("只要500円", "pricing", "500円"),
    ("12,50 € pro Stück", "pricing", "12,50 €"),
    ("EUR 1.234,56", "pricing", "EUR 1.234,56"),
    ("99,90 zł", "pricing", "99,90 zł"),
    ("GRAND TOTAL: 51.30", "pricing", None),
    ("Amount due 980.00", "pricing", None),
    ("合计：¥3,280.00", "pricing", None),
    ("总价 5000元", "pricing", None),
    # secrets in the shapes they take
    ("client_secret: 8f3k2LmQ9xZ7pR4t", "credentials", None),
    ("access_token=ya29.a0AfH6SMBx3kL", "credentials", None),
    ('{"credentials": "Xy7$kLp9Qw"}', "credentials", None),
    ("curl --user admin:S3cret! https://api.example.com", "credentials", None),
    ("clone https://deploy:Tr0ub4dor3@git.example.com/repo.git", "credentials", None),
    ("-----BEGIN RSA PRIVATE KEY-----", "credentials", None),
    ("stripe sk_live_ReTllpYQYfIZu2Jnf2lAPFjD", "credentials", None),
    ("xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx", "credentials", None),
    # company lists: legal forms with any spacing, several forms in one list
    ("Our buyers: Texas Instruments Inc., Analog Devices Inc. and Microchip Technology Corp.",
     "client_confidential", None),
    ("Brandt Werkzeuge GmbH , Rossi Utensili S. r. l. and Zielinski Sp. z o. o.", "client_confidential", None),
]


@pytest.mark.parametrize("text,category,span", FOUND)
def test_found(detection_engine, text, category, span):
    findings = [f for f in detection_engine.check_text(text) if f.category == category]
    assert findings, f"no {category} finding"
    if span is not None:
        assert span in [text[f.start:f.end] for f in findings]


NOT_FOUND = [
    # numbers of trade that are not phones
    ("PO 4500123456 shipped today", "contact_pii"),
    ("Order 2024-1138 is ready", "contact_pii"),
    ("HS code 8471.30.0100", "contact_pii"),
    ("Container MSCU 1234565 sailed", "contact_pii"),
    ("Booked on CSQU 3054383 yesterday", "contact_pii"),
    ("Delivered on 2024-01-15", "contact_pii"),
    ("2012/01/02 08:00", "contact_pii"),
    ("Model 3300-2201 in stock", "contact_pii"),
    ("Visit Hall 11.2 Booth C23", "contact_pii"),
    ("Revenue 1.350.000 this year", "contact_pii"),
    ("Order 44051401359 shipped", "contact_pii"),
    ("We shipped 12 containers to Hamburg", "contact_pii"),
    # words and numbers that are not prices
    ("TOP 10 suppliers of 2024", "pricing"),
    ("We won 3 awards", "pricing"),
    ("Invoice No. 4411 is attached", "pricing"),
    ("ALL 5 lines are running", "pricing"),
    ("Total: 3 containers this month", "pricing"),
    ("总计 3 个柜子", "pricing"),
    ("Shipped 500 pounds of steel", "pricing"),
    # text that is not a secret
    ("Secret: our new product launch is Monday", "credentials"),
    ("See https://www.linkedin.com/posts/lumen-hardware_newproduct-activity-7123456789012345678-AbCd",
     "credentials"),
    ("Where do I find my access token?", "credentials"),
    # one company is not a list
    ("Met the team of Brandt Werkzeuge GmbH at the fair", "client_confidential"),
]


@pytest.mark.parametrize("text,category", NOT_FOUND)
def test_not_found(detection_engine, text, category):
    assert not [f for f in detection_engine.check_text(text) if f.category == category]


@pytest.mark.parametrize("value,excerpt", [
    ("USD 2.10/pc FOB ZQXPLUMB", "USD 2.**/pc FOB Z*******"),
    ("USD 0.42/pc FOB Ningbo", "USD 0.**/pc FOB Ningbo"),
    ("$1.20 CIF Los Angeles", "$1.** CIF Los Angeles"),
])
def test_incoterm_place_kept_only_when_known(value, excerpt):
    assert mask_digits(value) == excerpt


def test_unknown_place_is_masked_in_the_finding(detection_engine):
    [finding] = detection_engine.check_text("Offer: USD 2.10/pc FOB ZQXPLUMB")
    assert "ZQXPLUMB" not in finding.excerpt and "2.10" not in finding.excerpt


def test_container_check_digit():
    assert container_check_ok("CSQU3054383") and not container_check_ok("CSQU3054384")  # ISO 6346 example


@pytest.mark.parametrize("text", ["1" * 100_000, "aA1_" * 25_000, "$1 " * 30_000, "020 7946 0958, " * 7_000,
                                  "SSN " * 25_000, "password: " * 10_000])
def test_library_recognizers_stay_linear_on_hostile_posts(text):
    """Every whole-text recognizer together: well under a second of CPU (about 20-40 ms here),
    where a backtracking or quadratic scan would take seconds. CPU time of this thread, so
    other work on a busy CI machine does not count."""
    started = time.thread_time()
    for recognizer in whole_text_recognizers().values():
        recognizer.analyze(text, [])
    assert time.thread_time() - started < 0.5


def test_post_text_never_reaches_the_logs(detection_engine, caplog):
    caplog.set_level("DEBUG")
    detection_engine.check_text("client_secret: 8f3k2LmQ9xZ7pR4t, call 020 7946 0958, RM 51.30")
    assert "8f3k2LmQ9xZ7pR4t" not in caplog.text and "7946" not in caplog.text


def test_org_markets_come_first_for_national_numbers(tmp_path):
    from companion.detection.org_matchers import OrgMatchers
    from companion.detection.recognizers.phone import PhoneNumberRecognizer
    from companion.org import Client, OrgData

    kenyan = "Simu yangu: 0712 123456"  # a Kenyan mobile, national format
    recognizer = PhoneNumberRecognizer(regions=())  # no default markets: only the org's count
    assert not recognizer.analyze(kenyan, [])
    org = OrgMatchers.build(OrgData(clients=[Client("Nairobi Traders", contacts=("+254 20 2222222",))],
                                    markets=["ZA"]))
    assert org.markets == ("ZA", "KE")  # markets.txt first, then the clients' countries
    recognizer.org_regions = org.markets
    assert [kenyan[r.start:r.end] for r in recognizer.analyze(kenyan, [])] == ["0712 123456"]


def test_a_bad_market_names_its_line(tmp_path):
    from companion.errors import ConfigError
    from companion.org import read_markets

    (tmp_path / "markets.txt").write_text("# ours\nDE\nGermany\n", encoding="utf-8")
    with pytest.raises(ConfigError) as err:
        read_markets(tmp_path / "markets.txt")
    assert err.value.line == 3


def test_shipped_currency_table_is_what_babel_gives():
    """data/currency_tokens.json is generated, never edited: regenerate it with
    `python -m companion.detection.currency_data` after a Babel or model upgrade."""
    from companion.detection.currency_data import build_table, currency_tokens

    assert build_table() == currency_tokens()
