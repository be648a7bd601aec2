"""How many findings of one rule a check itemises: a bounded, visible cap.

A post of 100,000 characters can hold 6,600 phone numbers, and each one is read, validated
by libphonenumber's rules, scored and masked: about half a second of CPU for a list no
salesperson posts, while the verdict was settled by the first number. So a recognizer that
reads items one by one (`iter_analyze`: phone numbers) stops once `LIMIT` of its findings
are *kept*, i.e. have passed the same context rule, threshold and allow list as every other
candidate. The verdict cannot become more lenient for it: the rule, its category and its
severity are already among the findings, and every other matcher still reads the whole post.
A cap that counted raw matches could: a thousand copies of the org's own hotline (allowed)
before one private mobile would have hidden the mobile.

Card numbers are capped the same way, at `CARD_LIMIT` kept: each opens a window that spaCy and
Presidio analyse, and 100,000 random digits hold dozens that pass the Luhn check
(`pii.PiiScanner.find`). Windows opened by anything else (an IBAN, an account or passport label)
are still analysed, up to `WINDOW_CHARS_LIMIT` characters of windows in one check; past that
(card numbers with IBAN-shaped words between them, wall to wall) the check stops reading contact
windows and says so like any cap: a later e-mail or IBAN may then go unread, which is what
`text_incomplete` tells the policy.

The cap is never silent. The answer says `text_incomplete` (the extension shows "This post
is too long to check completely") and `findings_capped`; `capped` names the rules, `unread`
names the phone-shaped runs and card numbers that were not read. The runs not read are still blanked for the
red-line gate as read numbers are, so that gate reads at least the sentences it would have.
"""

from __future__ import annotations

from typing import Callable, Iterable

from companion.detection.candidates import Candidate

# Findings of one rule read before the cap: a 3,000-character LinkedIn post holds at most
# about 200 phone numbers, Facebook's 63,206 characters about 4,000. 500 is two and a half
# LinkedIn posts of nothing but numbers; past it a list costs about 45 ms of CPU per 1,000 more.
LIMIT = 500
# Card numbers kept before Presidio stops analysing windows that only card numbers opened
# (`pii.PiiScanner.find`): each costs a spaCy window and Presidio's recognizers, 1-2 ms, and
# 100,000 random digits hold about 65 that pass the Luhn check. No salesperson posts more than a
# few; the first one already makes the verdict.
CARD_LIMIT = 20
# Characters of contact windows (`pii.hotspot_windows`) that spaCy and Presidio analyse in one
# check, 2-3 microseconds each: a 3,000-character post has at most 3,000, a Facebook post of
# 63,206 characters about a third of it at worst in real text. Past it (card numbers with an IBAN
# or a label word between them, wall to wall) the rest is not analysed, and the answer says so.
WINDOW_CHARS_LIMIT = 25_000
WINDOWS_CAPPED = "contact_pii.windows"  # named in `capped` when that limit stopped the reading


class FindingCap:
    """One check's cap: what passes (`keep`), the limit per rule, and what was cut."""

    def __init__(self, limit: int = LIMIT):
        self.limit = limit
        # What passes, set by the engine per check: context, threshold, allow list.
        self.keep: Callable[[Candidate], bool] = lambda c: True
        self.capped: list[str] = []  # rule ids whose reading stopped at the limit
        self.unread: list[tuple[int, int]] = []  # spans of items not read (not itemised)

    def take(self, rule_id: str, candidates: Iterable[Candidate],
             unread_after: Callable[[int], list[tuple[int, int]]]) -> list[Candidate]:
        """The kept candidates of one rule, read lazily until `limit` are kept; then the spans
        of the items after the last one (`unread_after(end)`) are recorded as not read."""
        kept = []
        for c in candidates:
            if not self.keep(c):
                continue
            kept.append(c)
            if len(kept) >= self.limit:
                self.capped.append(rule_id)
                self.unread += unread_after(c.end)
                break
        return kept
