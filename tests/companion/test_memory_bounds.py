"""A companion that runs for weeks keeps no memory per post it has checked.

spaCy keeps every new string its tokenizer meets (order numbers, names, e-mail addresses)
unless it tokenizes inside a memory zone (`detection/spacy_memory.py`); these tests show its
vocabulary stays the same size however many distinct words are checked, and that checks on
several threads at once, each in its turn in the zone, still find what they should. The RSS
over an hour is measured by bench/soak.py, not here.
"""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

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
    vocab = detection_engine.analyzer.nlp_engine.nlp["en"].vocab
    first, *rest = _posts(201, seed=1)
    assert _email_spans(detection_engine, first[0]) == [first[1]], "Presidio ran on the post"
    strings, lexemes = len(vocab.strings), _lexemes(vocab)

    found = [_email_spans(detection_engine, text) == [span] for text, span in rest]

    assert all(found), "every e-mail address was still found"
    assert (len(vocab.strings), _lexemes(vocab)) == (strings, lexemes), \
        "200 posts of new words left spaCy's strings and lexemes as they were"


def test_checks_on_several_threads_find_what_one_thread_finds(detection_engine):
    posts = _posts(120, seed=2)
    with ThreadPoolExecutor(6) as pool:
        spans = list(pool.map(lambda post: _email_spans(detection_engine, post[0]), posts))
    assert spans == [[span] for _, span in posts]
