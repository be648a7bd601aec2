"""Contact and payment data through Presidio, on the parts of a post that can hold any.

Presidio runs the spaCy pipeline over the whole text before any recognizer, which is the
largest cost of a check. Card numbers, IBANs, account and passport numbers always involve
a long run of digits, a country code with check digits or a label, so only windows around
such spots (wide enough for Presidio's context words) go through the analyzer; the rest of
a post is never tokenized. E-mail addresses and phone numbers need no spaCy and are read
once over the whole post (`whole_text.py`).
"""

from __future__ import annotations

from bisect import bisect_left

import regex
from presidio_analyzer import AnalyzerEngine
from presidio_analyzer.nlp_engine import NlpArtifacts
from presidio_analyzer.predefined_recognizers import CreditCardRecognizer

from companion.detection.candidates import Candidate
from companion.detection.deadline import Deadline
from companion.detection.finding_cap import CARD_LIMIT, WINDOW_CHARS_LIMIT, WINDOWS_CAPPED, FindingCap
from companion.detection.linear_regex import LinearPattern
from companion.detection.recognizers.registry import whole_text_recognizers
from companion.detection.spacy_memory import window_tokenizer
from companion.lru import BoundedLru
from companion.rules import Pack

# Only the recognizers in `registry.recognizers()` run in windows (e-mail addresses, phone
# numbers, addresses and ID numbers are read once over the whole post): a spot is what
# they need. An IBAN starts with a country code and two check digits (Presidio's IBAN
# pattern, without its look-behind, which RE2 has not; "GB82-WEST-1234-..." too); an account number,
# SWIFT code or passport number follows its label; a card number is where Presidio's own
# card recognizer matches and its Luhn check holds (`_card_spots`). A post dense with phone
# numbers or e-mail addresses opens no window at all, nor does a run of digits and signs
# that holds no card number.
_HOTSPOT = LinearPattern(
    r"[A-Z]{2}\d{2}[\s\-]?[A-Z0-9]{4}"
    r"|(?i:a/c|account|acct|swift|passport)|账号|账户|卡号|银行卡|这张卡|收款卡|护照",
    max_matches=20_000)
_CARDS = CreditCardRecognizer()
_CARD_PATTERNS = [regex.compile(p.regex, flags=_CARDS.global_regex_flags) for p in _CARDS.patterns]
_WINDOW = 120
# Windows kept with their results between checks (a few posts' worth; at most ~1 MB).
WINDOW_CACHE_SIZE = 512
# A window grows to the whole word at each edge, but no word that holds contact data is
# longer than this; a 100,000-character "word" must not make every window that long.
_MAX_WORD_GROWTH = 64
# Presidio's own patterns (card numbers, IBANs) use Python's backtracking engine and spaCy
# tokenizes what it is given: each call gets at most this much text, so their cost stays
# linear in the post. Pieces overlap by a window, so nothing on a cut is missed.
_MAX_PIECE = 1_000
# The longest card number with its separators that Presidio's card pattern takes (19 digits).
_CARD_MAX = 40


def _grow(text: str, start: int, end: int) -> tuple[int, int]:
    floor, ceiling = max(0, start - _MAX_WORD_GROWTH), min(len(text), end + _MAX_WORD_GROWTH)
    while start > floor and not text[start - 1].isspace():
        start -= 1
    while end < ceiling and not text[end].isspace():
        end += 1
    return start, end


def _card_spots(text: str) -> list[tuple[int, int]]:
    """Where Presidio's card recognizer would report a card: its own pattern, run as it runs
    it (the `regex` module, its flags), and its own Luhn check. Before, every run of 13
    digits or more with signs between opened a window, and 100,000 random digits and
    signs went through spaCy and Presidio whole (550-620 ms of CPU) for no card at all.
    The pattern has only bounded repeats, so its cost at each position is bounded: linear
    in the post."""
    spots = []
    for pattern in _CARD_PATTERNS:
        for m in pattern.finditer(text):
            if m.group() and _CARDS.validate_result(m.group()):
                spots.append(m.span())
    return spots


def hotspot_windows(text: str) -> list[tuple[int, int]]:
    """Merged `[start, end)` windows around every spot that may hold contact data."""
    return [(start, end) for start, end, _cards in _windows(text)]


def _windows(text: str) -> list[tuple[int, int, list[tuple[int, int]] | None]]:
    """`hotspot_windows` with, for each, the card spots in it when only card spots opened it
    (None when any other spot did): what the cap on card windows may leave unread."""
    windows: list[list] = []
    spots = sorted([(*m.span(), False) for m in _HOTSPOT.finditer(text)]
                   + [(*span, True) for span in _card_spots(text)])
    for spot_start, spot_end, card in spots:
        start, end = _grow(text, max(0, spot_start - _WINDOW), min(len(text), spot_end + _WINDOW))
        if windows and start <= windows[-1][1]:
            windows[-1][1] = max(windows[-1][1], end)
        else:
            windows.append([start, end, []])
        if not card:
            windows[-1][2] = None
        elif windows[-1][2] is not None:
            windows[-1][2].append((spot_start, spot_end))  # in place: a copy per card was quadratic
    return [(s, e, None if cards is None else _within(cards, s, e))
            for start, end, cards in windows for s, e in _pieces(start, end)]


def _within(spots: list[tuple[int, int]], start: int, end: int) -> list[tuple[int, int]]:
    """The spots (sorted by start) that overlap `[start, end)`, found by bisection so that a
    window of thousands of card numbers is not scanned once per piece. Spots are at most a
    card's length long, so one starting a card's length before `start` is the first that can."""
    first = bisect_left(spots, (start - _CARD_MAX, -1))
    last = bisect_left(spots, (end, -1))
    return [c for c in spots[first:last] if c[1] > start]


def _pieces(start: int, end: int) -> list[tuple[int, int]]:
    """`[start, end)` cut into overlapping pieces of at most `_MAX_PIECE` characters."""
    pieces = []
    while end - start > _MAX_PIECE:
        pieces.append((start, start + _MAX_PIECE))
        start += _MAX_PIECE - 2 * _WINDOW
    pieces.append((start, end))
    return pieces


class PiiScanner:
    """Maps Presidio entities to the contact-data pack's rules and scans hotspots.

    Entities found without spaCy (`registry.whole_text_recognizers()`) are left to
    `whole_text.WholeTextScanner`.
    """

    def __init__(self, analyzer: AnalyzerEngine, pack: Pack | None):
        self._analyzer = analyzer
        self._pack = pack
        self._cache: BoundedLru[str, list] = BoundedLru(WINDOW_CACHE_SIZE)
        self._tokenizer = window_tokenizer(analyzer.nlp_engine.nlp["en"])
        direct = whole_text_recognizers()
        self._rules = {r.entity: r for r in pack.rules if r.entity and r.entity not in direct} if pack else {}

    def keep_windows_of(self, previous: "PiiScanner") -> bool:
        """After a rules reload: take `previous`'s cached window results when they come from the same
        analyzer for the same entities (they do not depend on anything else a pack says); True when taken."""
        if previous._analyzer is not self._analyzer or set(previous._rules) != set(self._rules):
            return False
        self._cache = previous._cache
        return True

    def _analyze(self, piece: str) -> list:
        """Presidio's results for one window, from the cache when this window was seen before.

        The post is checked while the salesperson types and again at the click: windows the
        last edit did not touch cost nothing the second time. Results are offsets into the
        piece and never change for the same piece, so sharing them between checks is safe.
        """
        cached = self._cache.get(piece)
        if cached is not None:
            return cached
        # The window's new words (order numbers, names) leave spaCy's vocabulary with it, so a
        # companion running for weeks does not keep every word it was shown (spacy_memory.py).
        with self._tokenizer.window(piece) as doc:
            results = self._analyzer.analyze(piece, language="en", entities=list(self._rules),
                                             nlp_artifacts=self._artifacts(doc))
        self._cache.put(piece, results)
        return results

    def _artifacts(self, doc) -> NlpArtifacts:
        """Presidio's view of a window from spaCy's tokenizer alone.

        Presidio would run the whole spaCy pipeline (tok2vec, tagger, lemmatizer) on every
        window only to compare lemmas with context words such as "phone" or "tel". Its
        context matching is by substring ("phones" holds "phone"), so lower-cased tokens
        serve as well at a fraction of the cost: on a post dense with numbers the pipeline
        was 90% of the check. Its keywords (the lemmas that are neither stop words nor
        punctuation) are taken from the tokens' own flags, as Presidio would from the
        model's vocabulary, which a check must not add to.
        """
        lemmas = [t.lower_ for t in doc]
        artifacts = NlpArtifacts(entities=[], tokens=doc, tokens_indices=[t.idx for t in doc],
                                 lemmas=lemmas, nlp_engine=None, language="en")
        artifacts.nlp_engine = self._analyzer.nlp_engine
        artifacts.keywords = [part for t, lemma in zip(doc, lemmas)
                              if not (t.is_stop or t.is_punct or lemma == "be")
                              for part in lemma.split(":")]
        return artifacts

    def find(self, text: str, deadline: Deadline | None = None,
             cap: FindingCap | None = None) -> list[Candidate]:
        """Candidates from every hotspot window, until the deadline (if any) passes.

        With a `cap`, only the candidates it keeps are returned, and once `CARD_LIMIT` card
        numbers are kept, windows that only card numbers opened are no longer analysed: the
        cap then names the card rule and their card numbers as unread (`finding_cap.py`).
        Windows opened by an IBAN, an account, SWIFT or passport label are analysed until
        `WINDOW_CHARS_LIMIT` characters of windows have been; past that the cap says so too."""
        if not self._rules:
            return []
        card_rule = self._rules.get("CREDIT_CARD")
        found, cards, unread, read, over_budget = [], 0, [], 0, False
        for start, end, card_spots in _windows(text):
            if deadline is not None and deadline.expired():
                break
            if cap is not None and card_spots is not None and cards >= CARD_LIMIT:
                unread += card_spots  # Presidio's costliest work: one window per card number
                continue
            if cap is not None and read >= WINDOW_CHARS_LIMIT:
                over_budget = True  # contact data packed wall to wall, past any post's share
                unread += card_spots or []
                continue
            read += end - start
            for r in self._analyze(text[start:end]):
                c = Candidate(start + r.start, start + r.end, self._pack, self._rules[r.entity_type], r.score)
                if cap is None:
                    found.append(c)
                elif cap.keep(c):
                    found.append(c)
                    cards += c.rule is card_rule
        if unread and card_rule is not None:
            cap.capped.append(card_rule.id)
            cap.unread += unread
        if over_budget:
            cap.capped.append(WINDOWS_CAPPED)
        return found
