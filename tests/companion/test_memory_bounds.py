"""A companion that runs for weeks keeps no memory per post it has checked.

spaCy keeps every new string its tokenizer meets (order numbers, names, e-mail addresses)
unless it tokenizes inside a memory zone, and even then its hash tables keep a mark for each
and double now and then (`detection/spacy_memory.py`). These tests show its vocabulary stays
the same size however many distinct words are checked, that its tables are renewed before
they grow far, that the tokenizer on its own vocabulary reads text as the model's does, and
that checks on several threads at once, each in its turn in the zone, still find what they
should. The RSS over an hour is measured by bench/soak.py, not here.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

from companion.detection.spacy_memory import WindowTokenizer, window_tokenizer

SYLLABLES = ["ka", "lo", "mir", "ten", "va", "zu", "bre", "dan", "si", "or", "pel", "qui", "ra", "sto"]


def _word(rng: random.Random) -> str:
    return "".join(rng.choice(SYLLABLES) for _ in range(rng.randint(3, 5)))


def _posts(count: int, seed: int) -> list[tuple[str, tuple[int, int]]]:
    """Posts of words no other post has, each with one e-mail address and where it stands."""
    rng, posts = random.Random(seed), []
    for i in range(count):
        name, domain = _word(rng), _word(rng)
        email = f"{name}.{i}@{domain}.com"
        head = (f"Order {rng.randint(10**6, 10**8)} for {name.title()} {_word(rng).title()} left "
                f"{_word(rng).title()} today, {rng.randint(2, 99)} cartons. Write to ")
        text = head + email + f" or call +49 30 {rng.randint(1000000, 9999999)} before Friday."
        posts.append((text, (len(head), len(head) + len(email))))
    return posts


def _lexemes(vocab) -> int:
    """Lexemes the vocabulary holds (`len(vocab)` counts every one ever added, freed or not)."""
    return sum(1 for _ in vocab)


def _email_spans(engine, text: str) -> list[tuple[int, int]]:
    return [(f.start, f.end) for f in engine.check_text(text) if f.rule == "contact.email"]


def test_spacy_vocabulary_does_not_grow_with_the_words_checked(detection_engine):
    nlp = detection_engine.analyzer.nlp_engine.nlp["en"]
    model_strings = len(nlp.vocab.strings)
    tokenizer = window_tokenizer(nlp)
    first, *rest = _posts(201, seed=1)
    assert _email_spans(detection_engine, first[0]) == [first[1]], "Presidio ran on the post"
    assert tokenizer.wait_for_renewal(120)
    vocab = tokenizer.vocab
    strings, lexemes = len(vocab.strings), _lexemes(vocab)

    found = [_email_spans(detection_engine, text) == [span] for text, span in rest]

    assert all(found), "every e-mail address was still found"
    if tokenizer.vocab is vocab:  # else renewed meanwhile: a fresh vocabulary holds none of them
        assert (len(vocab.strings), _lexemes(vocab)) == (strings, lexemes), \
            "200 posts of new words left spaCy's strings and lexemes as they were"
    assert len(nlp.vocab.strings) == model_strings, "the model's own vocabulary is never added to"


def test_spacy_hash_tables_are_renewed_before_they_grow_far(detection_engine):
    """Without renewal the tables double with every new word they have slots for: 30,000 words
    take the string table from 4,096 cells to 32,768. Renewed once it reaches 8,192, it grows no
    further."""
    tokenizer = WindowTokenizer(detection_engine.analyzer.nlp_engine.nlp["en"], max_table_cells=1 << 13)
    rng, largest = random.Random(3), 0
    for _ in range(3_000):
        words = " ".join(f"{_word(rng)}{rng.randint(10**5, 10**9)}" for _ in range(10))
        with tokenizer.window(words) as doc:
            assert len(doc) == 10
        assert tokenizer.wait_for_renewal(120)
        largest = max(largest, tokenizer.table_cells())
    assert largest <= 1 << 13
    assert tokenizer.renewals >= 2


TOKENIZER_SAMPLES = [
    "Call Mr. O'Neil at +44 20 1234-5678 or mail bob.o-neil@x.co.uk; USD 0.42/pc FOB Ningbo (v2.1) don't!!",
    "http://x.y/z?q=1 :) 3rd U.S. can't 10km $5.00 e.g. 中文字符 #tag @user a-b-c Tel.:+86 138-0013-8000",
    "IBAN: DE89 3704 0044 0532 0130 00, swift COBADEFFXXX — passport no. X1234567; Straße 12, 2nd floor",
]


def test_the_tokenizer_on_its_own_vocabulary_reads_text_as_the_model_does(detection_engine):
    nlp = detection_engine.analyzer.nlp_engine.nlp["en"]
    tokenizer = WindowTokenizer(nlp)
    for text in TOKENIZER_SAMPLES:
        with tokenizer.window(text) as doc:
            ours = [(t.text, t.idx, t.lower_, t.is_stop, t.is_punct) for t in doc]
        with nlp.memory_zone():
            model = [(t.text, t.idx, t.lower_, t.is_stop, t.is_punct) for t in nlp.tokenizer(text)]
        assert ours == model


def test_checks_on_several_threads_find_what_one_thread_finds(detection_engine):
    posts = _posts(120, seed=2)
    with ThreadPoolExecutor(6) as pool:
        spans = list(pool.map(lambda post: _email_spans(detection_engine, post[0]), posts))
    assert spans == [[span] for _, span in posts]
