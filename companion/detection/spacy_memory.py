"""spaCy's vocabulary, kept from growing with every new word the posts bring.

spaCy interns every string its tokenizer meets in the pipeline's `StringStore` and keeps a
`Lexeme` for it in the `Vocab`, for the life of the process. Posts are full of strings that never
come back (order numbers, prices, names, e-mail addresses), so a companion that runs for weeks
would keep every one of them: with the soak's posts (bench/soak_posts.py) the vocabulary grew
by about ten strings and ten lexemes a post, without bound.

`Language.memory_zone()` (spaCy 3.8) frees, when the block ends, every string and lexeme that
was added inside it; what the model shipped with stays. A zone swaps the vocabulary's memory
pool for every thread at once, so a second thread tokenizing during someone else's zone could
be handed a lexeme freed under it. Hence one lock: every use of the shared pipeline goes
through `transient_vocab`, one at a time. The tokenizer and Presidio's recognizers hold the GIL
anyway, so two checks never ran them in parallel before either.

Nothing made inside the block (a `Doc`, a `Token`) may be used after it; Presidio's results are
plain Python objects and outlive it safely.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_LOCK = threading.Lock()


@contextmanager
def transient_vocab(nlp) -> Iterator[None]:
    """A block in which `nlp` may tokenize; the strings and lexemes it added are freed at the end."""
    with _LOCK, nlp.memory_zone():
        yield
