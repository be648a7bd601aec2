"""Splitting a post into sentences, in English, Chinese and both mixed.

The red-line model reads one sentence at a time: a finding then points at the sentence that
reads as prejudiced, and a sentence scored while the user typed is not scored again at the
Post click (the cache is keyed by sentence text). A full stop ends an English sentence only
before a space or the end, so prices and versions (`USD 0.42`, `v2.1`) are not cut; Chinese
full-width marks end a sentence where they stand. A run-on text without marks is cut into
windows at spaces so that no single piece costs the encoder too much.
"""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path

from companion.detection.linear_regex import compile_linear

# On RE2: with Python's engine, a run of 20,000 full stops before a letter took 13 s (each
# start tried the whole run again).
_BOUNDARY = compile_linear(r"[.!?…]+[\"')\]”’]*(?:\s+|$)|[。！？；;]+[\"')\]”’」』]*\s*|\n+")
MAX_SENTENCE = 300
# What the model can read: words of two letters or more in alphabets that space their words,
# and CJK characters (Chinese does not space its words).
MIN_WORDS = 2
MIN_LETTERS = 6  # in those words: "MO.-SA." (a receipt's opening hours) is two words of two
MIN_CJK_CHARS = 3
_ENCODER_CJK = Path(__file__).parent / "data" / "encoder_cjk.txt"
# Latin script (Basic Latin to Latin Extended-B): the alphabets the pieces test is for.
_LATIN_END = "\u0250"
MIN_LATIN_FOR_PIECES = 20
# Text read from a photo (OCR) is held to more: three distinct words of three letters or more,
# or five ideographs (see `worth_reading_in_photo`).
MIN_PHOTO_WORDS = 3
MIN_PHOTO_CJK_CHARS = 5
# A word of three letters or more in an alphabet that spaces its words (not CJK, not digits).
_PHOTO_WORD = re.compile(r"[^\W\d_\u3400-\u9fff]{3,}")


def worth_reading(sentence: str) -> bool:
    """True when a sentence has enough words to say something about people.

    A lone word ("OK!", "Thanks"), a price or a row of digits and signs never reads as
    prejudice to the model (slurs on their own are the lexical rules' job), and each
    sentence costs the encoder milliseconds: a post of number soup must not cost seconds.
    Nor does a "sentence" whose letters are mostly not in words: a run of e-mail addresses,
    random signs and letters, or ideographs the encoder has no piece for (of random CJK 80%
    are not among the 4,088 it knows; of Chinese prose, none). A number counts as one letter
    however long, and punctuation not at all, so "13353392588.麻花389401931.黑人勿扰。" and
    "真的想知道啊？？？？" are still read. Nor, last, a "sentence" of spaced words that says the
    same two or three over and over: 300 characters of "USD 12.34/pc" in a row. Nor two
    short words of fewer than six letters in all, which the encoder reads as noise and
    sometimes scores high: "MO.-SA." on a German receipt read as demeaning (0.82); "Jews
    suck." is still read.

    Random signs are not language either (`reads_as_language`): the letters in words must
    be at least half of the signs too, and Latin letters must be cut by the encoder's own
    tokenizer into pieces the size of words, not of single letters.
    """
    letters = sum(map(str.isalpha, sentence))
    if letters < MIN_CJK_CHARS:
        return False  # fewer letters than either test below asks: digits and signs, no count needed
    if _signs_outnumber_words(sentence):
        return False  # `reads_as_language`'s first test, on bounds that need no count by hand
    shape = _DIGIT_RUN.sub("0", sentence)
    tally = _TALLIES.get(shape, _UNSEEN)
    pieces_read = False
    if tally is _UNSEEN and letters >= MIN_LATIN_FOR_PIECES:
        # A shape seen for the first time (random letters are thousands, each new): the pieces
        # test first, which turns random letters away without a count by hand. Both tests must
        # pass, so the order changes no answer. A shape seen before is counted, and its count
        # kept: a list of e-mail addresses or "1a1a1a…" repeats a few shapes the count turns away.
        if not _pieces_word_sized(sentence, sum(map(str.isalpha, _LATIN_RANGE.findall(sentence)))):
            _remember(shape, None)
            return False
        pieces_read = True
    if tally is None or tally is _UNSEEN:
        tally = _remember(shape, _tally(shape))
    words, in_words, ideographs, known, written, distinct, signs, latin = tally
    if 2 * (in_words + known) < written or (4 * distinct < words and in_words > known):
        return False
    if not ((words >= MIN_WORDS and in_words >= MIN_LETTERS) or ideographs >= MIN_CJK_CHARS):
        return False
    if pieces_read:
        return 2 * (in_words + known) >= signs
    return reads_as_language(sentence, in_words + known, signs, latin)


def worth_reading_in_photo(sentence: str) -> bool:
    """`worth_reading`, held to more words, for a line that OCR read in a photo.

    A receipt's or an invoice's lines are labels, names, codes and item rows, and OCR turns
    smudges and logos into short runs of letters; the model reads two or three such words as
    noise and now and then scores them high: a salutation and a misread name, a code beside
    a word that names an illness, a misread payment label, an ID label printed twice. Each
    told a salesperson that a photo of a receipt reads as demeaning. A statement about people
    takes more words than that, so a photo's line is read only with three distinct words of
    three letters or more ("Muslims are terrorists"), or five ideographs ("河南人都是骗子").
    A short slogan in a photo ("Gays out.") is left to the lexical rules, as a slur is.
    """
    if not worth_reading(sentence):
        return False
    ideographs = sum("\u3400" <= ch <= "\u9fff" for ch in sentence)
    if ideographs >= MIN_PHOTO_CJK_CHARS:
        return True
    return len({w.casefold() for w in _PHOTO_WORD.findall(sentence)}) >= MIN_PHOTO_WORDS


def reads_as_language(sentence: str, in_words: int, signs: int, latin: int) -> bool:
    """False for random signs and strings, which cost the encoder most (every sign is a
    piece of its own) and say nothing about people.

    - Signs outnumber the letters in words more than two to one ("a€@$aa中-$9$Z_ a9,-"): a
      run of one sign counts once, so emphasis ("！！！！！！", "。。。。。。。", ":-) :-)") and a
      sentence between quotes or brackets stay read.
    - Twenty Latin letters or more that the encoder's tokenizer cuts into pieces of fewer
      than 1.5 letters on average: random letters, keys, tokens and hashes
      ("MZ1yGvKTj0rY0cV8i47CjAa.uRHQPq"), where a word of any Latin-script language we
      have is a piece or a few (English about four letters a piece, Czech prices and
      German receipts two or more).
    """
    return 2 * in_words >= signs and _pieces_word_sized(sentence, latin)


def _pieces_word_sized(sentence: str, latin: int) -> bool:
    """`reads_as_language`'s second test: fewer than MIN_LATIN_FOR_PIECES Latin letters, or
    pieces of 1.5 Latin letters or more on average."""
    if latin < MIN_LATIN_FOR_PIECES:
        return True
    tokenizer = encoder_tokenizer()
    known = _latin_pieces(tokenizer.get_piece_size())
    ids = tokenizer.encode(sentence)
    states = list(map(known.__getitem__, ids))
    if _UNKNOWN in states:
        for piece_id in {i for i, state in zip(ids, states) if state == _UNKNOWN}:
            latin_piece = any(ch.isalpha() and ch < _LATIN_END for ch in tokenizer.id_to_piece(piece_id))
            known[piece_id] = _HAS_LATIN if latin_piece else _NO_LATIN
        states = list(map(known.__getitem__, ids))
    return 2 * latin >= 3 * states.count(_HAS_LATIN)


# Whether a piece of the encoder's vocabulary holds a Latin letter, by piece id, learnt as the
# pieces come (random letters are a piece per letter, thousands a post, of a few dozen
# kinds), in one byte per piece of the vocabulary: 128 KB, however many posts.
_UNKNOWN, _NO_LATIN, _HAS_LATIN = 0, 1, 2


@lru_cache(maxsize=1)
def _latin_pieces(vocabulary_size: int) -> bytearray:
    return bytearray(vocabulary_size)


# Bounds on `_tally`'s counts, each found by one regular expression instead of a Python step
# per character (random signs are thousands of 300-character "sentences"): the letters in
# words plus the known ideographs are at most the characters of runs of two or more word
# characters that are not digits (`_WORDISH` takes in numerals such as "²" too, which can
# only join or lengthen runs) plus every ideograph; the signs are at least the runs of one
# character that is neither a word character nor a space ("_" is left out: fewer still).
_WORDISH = re.compile(r"[^\W\d_\u3400-\u9fff]{2,}")
_IDEOGRAPH = re.compile(r"[\u3400-\u9fff]")
_SIGN_RUN = re.compile(r"([^\w\s])\1*")


def _signs_outnumber_words(sentence: str) -> bool:
    """True only when `reads_as_language` must say no: the signs outnumber the letters in
    words (with the known ideographs) more than two to one, on the bounds above."""
    signs = len(_SIGN_RUN.findall(sentence))
    if signs < 2:
        return False
    most = sum(map(len, _WORDISH.findall(sentence))) + len(_IDEOGRAPH.findall(sentence))
    return 2 * most < signs


# A run of ASCII digits counts as one number whatever its digits, so sentences that differ only
# in their numbers ("1250 GEL", "87 GEL"; "USD 12.34/pc", "USD 9.10/pc") are tallied once:
# a price list or a list of tags is thousands of lines of a few shapes.
_DIGIT_RUN = re.compile(r"[0-9]+")


# `_tally` of the last 1,024 sentence shapes seen (digit runs each one "0": the same counts), or
# None for a shape seen once and turned away before it was counted.
_TALLIES: dict[str, tuple | None] = {}
_UNSEEN = ()
_TALLIES_KEPT = 1024
# Where the Latin letters `_tally` counts can be (below U+0250): `str.isalpha` picks them out.
_LATIN_RANGE = re.compile("[A-Za-z\u00aa\u00b5\u00ba\u00c0-\u024f]")


def _remember(shape: str, tally: tuple | None) -> tuple | None:
    """Keep `tally` for `shape`, dropping the oldest shapes past `_TALLIES_KEPT`."""
    _TALLIES[shape] = tally
    while len(_TALLIES) > _TALLIES_KEPT:
        try:
            del _TALLIES[next(iter(_TALLIES))]
        except (KeyError, RuntimeError, StopIteration):  # another check's thread dropped it first
            continue
    return tally


def _tally(sentence: str) -> tuple[int, int, int, int, int, int, int, int]:
    """(words of two letters or more, their letters, ideographs, ideographs the encoder knows,
    letters + ideographs + numbers, distinct words, signs, Latin letters), in one pass: every
    sentence of a 100,000-character post goes through here, and a regex per count cost more
    than the counting. A run of one sign ("！！！！") counts as one sign."""
    known_set = encoder_ideographs()
    words = in_words = ideographs = known = written = run = signs = latin = 0
    after_digit = False
    last_sign = ""
    seen = set()
    for at, ch in enumerate(sentence + " "):
        if ch.isalpha():
            written += 1
            after_digit = False
            last_sign = ""
            if "\u3400" <= ch <= "\u9fff":
                ideographs += 1
                known += ch in known_set
            else:
                latin += ch < _LATIN_END
                run += 1
                continue
        elif ch.isnumeric():
            written += not after_digit
            after_digit = True
            last_sign = ""
        else:
            after_digit = False
            if not ch.isspace() and ch != last_sign:
                signs += 1
            last_sign = "" if ch.isspace() else ch
        if run >= 2:
            words += 1
            in_words += run
            seen.add(sentence[at - run:at].casefold())
        run = 0
    return words, in_words, ideographs, known, written, len(seen), signs, latin


@lru_cache(maxsize=1)
def encoder_ideographs() -> frozenset[str]:
    """The CJK ideographs the red-line model's encoder reads as pieces of their own (shipped data)."""
    lines = _ENCODER_CJK.read_text(encoding="utf-8").splitlines()
    return frozenset("".join(line for line in lines if not line.startswith("#")))


def encoder_tokenizer():
    """The red-line encoder's own sentencepiece tokenizer (one per process, shared with it)."""
    from companion.detection.semantic_model import sentencepiece_tokenizer

    return sentencepiece_tokenizer()


def split_sentences(text: str) -> list[tuple[int, int]]:
    """(start, end) spans of the sentences in `text`, trimmed, in order; empty pieces dropped."""
    spans, start = [], 0
    for m in _BOUNDARY.finditer(text):
        spans += _pieces(text, start, m.end())
        start = m.end()
    spans += _pieces(text, start, len(text))
    return spans


def _pieces(text: str, start: int, end: int) -> list[tuple[int, int]]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if end - start < 2:
        return []
    if end - start <= MAX_SENTENCE:
        return [(start, end)]
    cut = text.rfind(" ", start + MAX_SENTENCE // 2, start + MAX_SENTENCE)
    cut = cut if cut > start else start + MAX_SENTENCE
    return _pieces(text, start, cut) + _pieces(text, cut, end)


def paragraphs(text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """(start, end) of each run of two sentences or more (`spans`, from `split_sentences`) that
    no line break divides, where the run is at most MAX_SENTENCE characters.

    The red-line model reads such a run whole as well (Chinese only, see semantic_matcher.py): it
    was trained on whole comments, and a comment's prejudice often lies between its sentences
    ("…我嫉妒河南人。他们…"), where no sentence alone reads as one.
    """
    out, first, last = [], 0, 0
    for n in range(1, len(spans) + 1):
        if n < len(spans) and "\n" not in text[spans[n - 1][1]:spans[n][0]]:
            last = n
            continue
        start, end = spans[first][0], spans[last][1]
        if last > first and end - start <= MAX_SENTENCE:
            out.append((start, end))
        first = last = n
    return out
