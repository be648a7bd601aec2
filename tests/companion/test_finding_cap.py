"""The cap on findings of one rule: a post of thousands of phone numbers stops being read at
500 kept numbers, says so, and never lets a number through that a full read would flag.

Only numbers that are *kept* count (past the context rule, the pack's threshold and the org's
allow list), so a post cannot spend the cap on numbers that are dropped anyway and hide one
behind them.
"""

from __future__ import annotations

import random

from companion.detection.finding_cap import CARD_LIMIT, LIMIT, FindingCap

_PRIVATE_MOBILE = "+971 50 123 4567"


def _national_list(count: int, seed: int = 1) -> str:
    rnd = random.Random(seed)
    return ", ".join(f"0{rnd.randrange(20, 99)} {rnd.randrange(1000, 9999)} {rnd.randrange(1000, 9999)}"
                     for _ in range(count))


def test_a_post_of_thousands_of_numbers_says_it_was_not_read_to_the_end(detection_engine):
    result = detection_engine.check(_national_list(3_000))
    assert result.verdict != "allow"
    assert result.text_incomplete
    assert "text_incomplete" in result.warnings and "findings_capped" in result.warnings
    phones = [f for f in result.findings if f.rule == "contact.phone"]
    assert phones and all(f.excerpt for f in phones)


def test_a_post_under_the_cap_is_read_whole_and_says_nothing(detection_engine):
    text = _national_list(LIMIT - 100)
    result = detection_engine.check(text)
    assert not result.text_incomplete and "findings_capped" not in result.warnings
    assert result.findings[-1].end == len(text)  # the last number is found too


def test_the_cap_counts_what_is_kept_so_allowed_numbers_cannot_hide_a_private_one(detection_engine):
    """The org's own hotline is allowed (dropped), so 1,500 copies of it spend nothing of the
    cap, and the private mobile after them is found, and the check is complete."""
    text = "\n".join(["Our hotline +86 574 8765 4321 is open"] * 1_500 + [f"my mobile {_PRIVATE_MOBILE}"])
    result = detection_engine.check(text)
    assert [f.matched for f in result.findings if f.category == "contact_pii"] == [_PRIVATE_MOBILE]
    assert not result.text_incomplete


def test_numbers_under_the_threshold_spend_nothing_of_the_cap(detection_engine):
    """Bare runs of digits without a phone word score under the pack's threshold: 1,500 of
    them are dropped, not counted, and the number after them is still read."""
    rnd = random.Random(2)
    bare = " ".join(f"020{rnd.randrange(10_000_000, 99_999_999)}" for _ in range(1_500))
    text = f"{bare} call me: {_PRIVATE_MOBILE}"
    found = [f.matched for f in detection_engine.check_text(text) if f.category == "contact_pii"]
    assert found == [_PRIVATE_MOBILE]


def test_every_other_matcher_still_reads_the_whole_post(detection_engine):
    """After the cap, a price and a client's e-mail address at the end are found all the same."""
    text = _national_list(3_000) + "\nUSD 0.42/pc FOB Ningbo, write to anna.lind@nordvik-interior.se"
    categories = {f.category for f in detection_engine.check(text).findings}
    assert {"contact_pii", "pricing"} <= categories
    emails = [f for f in detection_engine.check_text(text) if f.rule == "contact.email"]
    assert [f.matched for f in emails] == ["anna.lind@nordvik-interior.se"]


def test_the_cap_stops_at_its_limit_and_names_what_it_did_not_read():
    kept_numbers = [(i, i + 1) for i in range(0, 50, 2)]
    cap = FindingCap(limit=3)
    cap.keep = lambda c: c[0] != 0  # the first is dropped, as an allowed number would be
    read = []

    def lazily():
        for span in kept_numbers:
            read.append(span)
            yield span

    class _Span(tuple):
        end = property(lambda self: self[1])

    taken = cap.take("contact.phone", (_Span(s) for s in lazily()),
                     lambda end: [s for s in kept_numbers if s[0] >= end])
    assert taken == [(2, 3), (4, 5), (6, 7)]
    assert len(read) == 4  # nothing after the third kept one is read
    assert cap.capped == ["contact.phone"] and cap.unread == kept_numbers[4:]


def _card_numbers(count: int, seed: int = 3) -> list[str]:
    """Visa-shaped numbers whose Luhn check holds, as Presidio's card recognizer reports them."""
    rnd, numbers = random.Random(seed), []
    while len(numbers) < count:
        digits = [4] + [rnd.randrange(10) for _ in range(14)]
        total = sum(d if i % 2 else (2 * d if 2 * d < 10 else 2 * d - 9) for i, d in enumerate(reversed(digits)))
        digits.append((10 - total % 10) % 10)
        number = "".join(map(str, digits))
        numbers.append(" ".join(number[i:i + 4] for i in range(0, 16, 4)))
    return numbers


def _card_list(count: int) -> str:
    # Far enough apart that each number opens a window of its own, as in random digits.
    return "\n".join(f"{number} {'0 ' * 150}" for number in _card_numbers(count))


def test_a_post_of_many_card_numbers_says_it_was_not_read_to_the_end(detection_engine):
    result = detection_engine.check(_card_list(CARD_LIMIT + 15))
    assert result.verdict != "allow"
    assert result.text_incomplete
    assert "text_incomplete" in result.warnings and "findings_capped" in result.warnings
    assert any(f.rule == "contact.payment_card" for f in result.findings)


def test_a_post_with_cards_under_the_cap_is_read_whole_and_says_nothing(detection_engine):
    text = _card_list(CARD_LIMIT - 5)
    result = detection_engine.check(text)
    assert not result.text_incomplete and "findings_capped" not in result.warnings
    cards = [f for f in result.findings if f.rule == "contact.payment_card"]
    assert cards[-1].matched == _card_numbers(CARD_LIMIT - 5)[-1]  # the last card is found too


def test_past_the_card_cap_an_iban_and_an_account_are_still_read(detection_engine):
    """Only windows that card numbers alone opened are skipped; a label or an IBAN opens its own."""
    text = _card_list(CARD_LIMIT + 15) + "\nIBAN GB82 WEST 1234 5698 7654 32.\nSWIFT code BKCHCNBJ"
    result = detection_engine.check(text)
    assert "findings_capped" in result.warnings
    rules = {c.rule.id for c in detection_engine.candidates(text)}
    assert {"contact.iban", "contact.payment_card", "contact.bank_account"} <= rules


def test_cards_packed_between_iban_shaped_words_stop_at_the_window_limit_and_say_so(detection_engine):
    """Card numbers with an IBAN-shaped word after each, wall to wall, open windows the card cap
    does not skip; the limit on the characters of windows analysed stops them, visibly."""
    unit = "4111 1111 1111 1111 AB12 CDEF "
    text = (unit * (99_999 // len(unit)))[:99_999]
    result = detection_engine.check(text)
    assert result.text_incomplete
    assert "text_incomplete" in result.warnings and "findings_capped" in result.warnings
    assert any(f.rule == "contact.payment_card" for f in result.findings)


def test_a_long_post_with_contact_data_under_the_window_limit_is_read_whole(detection_engine):
    """A Facebook-length post with an e-mail address or a phone number in every paragraph stays
    under the window limit: the last address is found and nothing is said to be unread."""
    paragraphs = [f"Paragraph {n} about our spring catalogue and the fair in Hannover next week, "
                  f"write to sales{n}@lumen-example.com for samples." for n in range(50)]
    text = "\n\n".join(" ".join([p] * 3) for p in paragraphs)
    assert len(text) > 15_000
    result = detection_engine.check(text)
    assert not result.text_incomplete and "findings_capped" not in result.warnings
    assert any("sales49@" in f.matched for f in result.findings if f.category == "contact_pii")
