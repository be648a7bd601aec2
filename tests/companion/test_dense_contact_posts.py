"""A post full of phone numbers and e-mail addresses: every one is found, where it stands.

E-mail addresses and phone numbers are read once over the whole post (not in Presidio's
spaCy windows, which read only the first 20 numbers of each and cost a second or more on
such a post). A salesperson who pastes a long contact list sees each number and address
flagged, not the first few, up to the cap of 500 phone numbers (`finding_cap.py`, which
says so in the answer); and a LinkedIn-sized list is checked completely.
"""

from __future__ import annotations

import pytest

from companion.detection.pii import hotspot_windows

_NUMBERS = ["+44 20 7946 {:04d}", "+49 40 3012 {:04d}", "+971 50 123 {:04d}", "+33 6 12 34 {:04d}"]


def _contact_list(length: int) -> tuple[str, list[str]]:
    """A post of lines "Anna: <number>, anna12@<domain>" up to `length` characters, and the
    numbers and addresses in it, in order."""
    lines, values, i = [], [], 0
    while sum(len(line) + 1 for line in lines) < length - 80:
        number = _NUMBERS[i % len(_NUMBERS)].format(i % 10_000)
        address = f"anna{i}@nordvik-interior{i % 7}.se"
        lines.append(f"Anna: {number}, write to {address}")
        values += [number, address]
        i += 1
    return "\n".join(lines), values


@pytest.mark.parametrize("length", [3_000, 60_000, 99_999])
def test_every_number_and_address_in_a_long_contact_list_is_found_where_it_stands(detection_engine, length):
    """Every address, and every number up to the cap on findings of one rule (then the check
    says it is incomplete: `test_finding_cap.py`)."""
    from companion.detection.finding_cap import LIMIT

    text, values = _contact_list(length)
    findings = [f for f in detection_engine.check_text(text) if f.category == "contact_pii"]
    numbers = [v for v in values if "@" not in v]
    expected = [v for v in values if "@" in v or v in numbers[:LIMIT]]
    assert len(numbers) > LIMIT or expected == values
    assert [f.matched for f in findings] == expected
    assert all(text[f.start:f.end] == f.matched for f in findings)
    assert {f.rule for f in findings} == {"contact.phone", "contact.email"}


def test_a_linkedin_sized_contact_list_is_checked_completely(detection_engine):
    text, values = _contact_list(3_000)
    result = detection_engine.check(text)
    assert not result.text_incomplete and "text_incomplete" not in result.warnings
    assert len([f for f in result.findings if f.category == "contact_pii"]) == len(values)


def test_a_contact_list_opens_no_presidio_window():
    """Phones and addresses need no spaCy; windows are only for cards, IBANs, account and
    passport numbers, so a long list costs what reading its numbers costs."""
    text, _ = _contact_list(20_000)
    assert hotspot_windows(text) == []
    assert hotspot_windows("Card 4111 1111 1111 1111 exp 12/28") != []


def test_phone_validity_is_libphonenumbers_own_on_every_country_code():
    """Our faster `is_valid_number` (one pattern per length) answers as libphonenumber does:
    its example numbers of each region and type, and random numbers of every country code."""
    import random

    import phonenumbers
    from phonenumbers import COUNTRY_CODE_TO_REGION_CODE, PhoneNumberType

    from companion.detection.recognizers.phone_validity import is_valid_number

    rnd = random.Random(2026)
    numbers = []
    for code, regions in COUNTRY_CODE_TO_REGION_CODE.items():
        for region in regions:
            for kind in (PhoneNumberType.FIXED_LINE, PhoneNumberType.MOBILE, PhoneNumberType.TOLL_FREE):
                example = phonenumbers.example_number_for_type(region, kind)
                numbers += [example] if example else []
        numbers += [phonenumbers.PhoneNumber(country_code=code, national_number=rnd.randrange(10 ** rnd.randrange(3, 13)))
                    for _ in range(40)]
    theirs = [phonenumbers.is_valid_number(n) for n in numbers]
    assert sum(theirs) > 1_000  # the examples are valid: the comparison covers both answers
    assert [is_valid_number(n) for n in numbers] == theirs


def test_reading_a_long_list_of_numbers_stops_at_the_checks_deadline():
    """Each number costs libphonenumber's parse, so a list of thousands stops between numbers
    once the check's budget is spent, instead of running past it."""
    from companion.detection.deadline import Deadline
    from companion.detection.recognizers.phone import PhoneNumberRecognizer

    text, values = _contact_list(20_000)
    recognizer = PhoneNumberRecognizer()
    assert len(recognizer.analyze(text, [])) == len(values) // 2
    assert recognizer.analyze(text, [], deadline=Deadline(0.0)) == []


def _random_national_numbers(count: int, seed: int) -> list[tuple[str, str]]:
    import random

    from companion.detection.recognizers.phone import NATIONAL_REGIONS

    rnd = random.Random(seed)
    regions = list(NATIONAL_REGIONS) + ["JE", "GG", "CA", "PR", "CH", "KR", "HK", "RU"]
    numbers = []
    for _ in range(count):
        first = rnd.choice(["0", "00", "01", "1", "2", "3", "4", "44", "49", "5", "6", "7", "8", "86", "9"])
        digits = first + "".join(rnd.choice("0123456789") for _ in range(rnd.randint(6, 13) - len(first)))
        cut = rnd.randint(2, 5)
        numbers.append((rnd.choice(regions), f"{digits[:cut]} {digits[cut:]}" if rnd.random() < 0.7 else digits))
    return numbers


def test_the_number_type_pretest_never_refuses_a_number_libphonenumber_takes():
    """Before parsing a national number in a region, its digits must match one of the number
    types (fixed line, mobile ...) of the regions of that country code: a number that fails
    can never be valid there, so libphonenumber is not asked. Checked on 20,000 random
    numbers of the default regions and regions that share a country code."""
    import phonenumbers

    from companion.detection.recognizers.phone import _could_be_valid_in, _national_test
    from companion.detection.recognizers.phone_validity import is_valid_number

    taken = refused_before_parse = 0
    for region, raw in _random_national_numbers(20_000, 2026):
        try:
            valid = is_valid_number(phonenumbers.parse(raw, region))
        except phonenumbers.NumberParseException:
            valid = False
        test = _national_test(region)
        if valid and test is not None:
            taken += 1
            idd, _, typed = test
            digits = raw.replace(" ", "")
            assert (idd is not None and idd.match(digits)) or typed.fullmatch(digits), (region, raw)
        refused_before_parse += not _could_be_valid_in(raw.replace(" ", ""), region)
    assert taken > 1_000 and refused_before_parse > 10_000


def test_a_list_of_national_numbers_is_parsed_once_a_number(monkeypatch):
    """"020 7946 0958"-style numbers of the UK or Germany matched China's general number
    pattern, so each was parsed as a Chinese number first (3,848 parses for 2,000 numbers);
    now only in the region whose number types it fits."""
    import random

    rnd = random.Random(1)
    text = ", ".join(f"0{rnd.randrange(20, 99)} {rnd.randrange(1000, 9999)} {rnd.randrange(1000, 9999)}"
                     for _ in range(500))
    found, parses = phones_and_parses(monkeypatch, text)
    assert len(found) >= 480
    assert len(parses) <= 1.05 * len(found)


def test_digits_and_signs_without_a_card_open_no_presidio_window():
    """A window opens where Presidio's card recognizer matches and its Luhn check holds,
    not around every run of 13 digits: 100,000 random digits and signs went through spaCy
    and Presidio whole for no card at all."""
    import random

    rnd = random.Random(3)
    soup = "".join(rnd.choice("0123456789.,-/()+ ") for _ in range(20_000))
    assert hotspot_windows(soup) == []
    assert hotspot_windows("Order 1234 5678 9012 3456 shipped") == []  # card-shaped, fails Luhn
    card = soup[:5_000] + " Card 4111 1111 1111 1111 exp 12/28 " + soup[5_000:]
    windows = hotspot_windows(card)
    assert len(windows) == 1 and windows[0][0] <= 5_006 and 5_025 <= windows[0][1]


def test_a_card_in_random_digits_and_an_iban_written_with_dashes_are_found(detection_engine):
    import random

    rnd = random.Random(4)
    soup = "".join(rnd.choice("0123456789.,-/()+ ") for _ in range(3_000))
    text = soup + " pay to card 4111 1111 1111 1111 or IBAN NL91-ABNA-0417-1643-00 " + soup
    found = {f.matched for f in detection_engine.check_text(text) if f.category == "contact_pii"}
    assert "4111 1111 1111 1111" in found and "NL91-ABNA-0417-1643-00" in found
    # Alone, an IBAN with dashes and fewer than 13 digits opened no window before.
    alone = "Deposit to NL91-ABNA-0417-1643-00 by Friday please"
    assert [f.matched for f in detection_engine.check_text(alone) if f.category == "contact_pii"] == [
        "NL91-ABNA-0417-1643-00"]


def test_an_international_number_is_parsed_only_when_its_country_codes_types_fit(monkeypatch):
    """"+44 20 5179 2931" fits no number type of +44: it is refused without libphonenumber's
    parse (a list of +44 numbers was parsed number by number, valid or not), and no number
    libphonenumber takes is refused (random numbers of country codes of one and several
    regions, with and without "(0)")."""
    import random

    import phonenumbers

    from companion.detection.recognizers import phone
    from companion.detection.recognizers.phone_validity import is_valid_number

    rnd = random.Random(2026)
    taken = 0
    for _ in range(20_000):
        code = rnd.choice(["44", "1", "86", "49", "33", "971", "7", "39", "852", "999", "0"])
        rest = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(4, 12)))
        raw = f"+{code}{rnd.choice([' ', ' (0)', ''])}{rest}"
        try:
            valid = is_valid_number(phonenumbers.parse(raw, None))
        except phonenumbers.NumberParseException:
            valid = False
        if valid:
            taken += 1
            assert phone._could_be_international("".join(filter(str.isdigit, raw))), raw
    assert taken > 1_000

    text = " ".join(f"+44 20 {rnd.randrange(1000, 9999)} {rnd.randrange(1000, 9999)}" for _ in range(400))
    found, parses = phones_and_parses(monkeypatch, text)
    assert 100 < len(found) < 400 and len(parses) == len(found)


def phones_and_parses(monkeypatch, text: str) -> tuple[list, list[str]]:
    """The phone recognizer's findings on `text`, from a cold cache, and each number it read
    as libphonenumber's `parse` does (the number as given)."""
    from companion.detection.recognizers import phone

    parses: list[str] = []
    real_read = phone.country_code_and_nsn
    monkeypatch.setattr(phone, "country_code_and_nsn", lambda raw, region: parses.append(raw) or
                        real_read(raw, region))
    phone._parsed_valid.cache_clear()
    return phone.PhoneNumberRecognizer().analyze(text, []), parses


def _random_phone_runs(count: int, seed: int) -> list[tuple[str, str | None]]:
    """Runs of the phone recognizer's characters, each with a region or None: "+" and a
    country code, an international prefix, the region's own country code without "+", a
    national prefix, or nothing, then digits in groups cut by every separator it takes."""
    import random

    import phonenumbers

    rnd = random.Random(seed)
    regions = sorted(phonenumbers.SUPPORTED_REGIONS)
    codes = [str(c) for c in phonenumbers.COUNTRY_CODE_TO_REGION_CODE]
    runs = []
    for _ in range(count):
        region = rnd.choice(regions + [None] * 20)
        kind = rnd.random()
        if kind < 0.3:
            head = "+" + rnd.choice(codes)
        elif kind < 0.45:
            head = rnd.choice(["00", "011", "010", "0011", "810"]) + rnd.choice(codes)
        elif kind < 0.6 and region:
            head = str(phonenumbers.country_code_for_region(region))
        else:
            head = rnd.choice(["0", "1", "", "9", "01", "00", "8", "2", "6", "7"])
        body = "".join(rnd.choice("0123456789") for _ in range(rnd.randint(1, 13)))
        parts, cursor = [head], 0
        while cursor < len(body):
            step = rnd.randint(1, 5)
            parts += [rnd.choice([" ", "-", ".", "/", "", "", " (0) ", ")", "(", "  "]), body[cursor:cursor + step]]
            cursor += step
        runs.append((("(" if rnd.random() < 0.1 else "") + "".join(parts), region))
    return runs


def test_numbers_are_read_as_libphonenumbers_parse_reads_them():
    """The phone recognizer reads a number's country code and national part without
    `phonenumbers.parse` (half the cost of a number in a long list): on random runs of every
    shape, region and country code, the same country code and national significant number,
    and the same refusals."""
    import phonenumbers

    from companion.detection.recognizers.phone_parse import Unreadable, country_code_and_nsn

    def theirs(raw, region):
        try:
            number = phonenumbers.parse(raw, region)
        except phonenumbers.NumberParseException:
            return None
        return number.country_code, phonenumbers.national_significant_number(number)

    def ours(raw, region):
        try:
            return country_code_and_nsn(raw, region)
        except Unreadable:
            return None

    runs = _random_phone_runs(60_000, 2026)
    answers = [theirs(raw, region) for raw, region in runs]
    assert sum(a is None for a in answers) > 1_000 and sum(a is not None for a in answers) > 30_000
    assert [ours(raw, region) for raw, region in runs] == answers


def test_after_warm_up_a_first_number_of_any_country_builds_nothing(detection_engine):
    """The companion's warm-up, once it is ready, builds the index of country names and every
    country code's number tests; before, the first number with words around it built the
    names' index inside a salesperson's check (0.2-1 s), and each new country code its tests."""
    from companion.detection.recognizers import phone, region_names

    def builds():
        return (region_names._automaton.cache_info().misses, phone._international_test.cache_info().misses,
                phone._national_test.cache_info().misses)

    detection_engine.warm_up()
    before = builds()
    findings = detection_engine.check_text("Our Lima office: +51 1 2345678. Nairobi: +254 20 2345678. "
                                           "UK desk 020 7946 0958, Peru mobile 912 345 678.")
    assert sum(f.category == "contact_pii" for f in findings) >= 3
    assert builds() == before
