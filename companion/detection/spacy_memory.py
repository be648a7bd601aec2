"""spaCy's tokenizer for Presidio's windows, on a vocabulary no post's words stay in.

spaCy interns every string its tokenizer meets in a `StringStore` and keeps a `Lexeme` for it in
the `Vocab`, for the life of the process. Posts are full of strings that never come back (order
numbers, prices, names, e-mail addresses): with the soak's posts (bench/soak_posts.py) the
vocabulary grew by about ten strings and ten lexemes a post, without bound.

Two things keep it bounded:

1. Each window is tokenized inside `Vocab.memory_zone()` (spaCy 3.8), which frees, when the block
   ends, every string and lexeme added inside it. A zone swaps the vocabulary's memory pool for
   every thread at once, so one lock lets one window at a time through (the tokenizer and
   Presidio's recognizers hold the GIL anyway; checks never ran them in parallel).
2. A zone leaves a "deleted" mark in the string store's and the vocabulary's hash tables
   (preshed maps), and preshed does not count a deleted mark as free when it decides to grow:
   the tables doubled every time about as many new words as they had slots had gone through
   them, ~17 bytes a word for ever. So the tokenizer works on a vocabulary of its own (not the
   loaded model's), and once its string table has grown to `MAX_TABLE_CELLS` a fresh
   vocabulary and tokenizer are built on a background thread from the same rules (in memory;
   nothing is read from disk) and swapped in under the lock. Building one takes 0.2-1 s of CPU
   (spaCy loads its 1,300 special cases), which is why no check waits for it.

The model's own vocabulary is never touched by a check. Nothing made inside `window` (a `Doc`,
a `Token`) may be used after the block; Presidio's results are plain Python objects and outlive
it safely.
"""

from __future__ import annotations

import logging
import threading
import weakref
from collections.abc import Iterator
from contextlib import contextmanager

from spacy.tokenizer import Tokenizer
from spacy.tokens import Doc
from spacy.vocab import create_vocab

log = logging.getLogger("postguard")

# Cells of 16 bytes: the string table is renewed once it reaches 1 MiB. A fresh one has 4,096; the
# lexeme table grows no faster, since every new lexeme brings at least one new string. (A word
# seen again goes back into its own "deleted" cell, so only words never seen before grow them;
# counting lexemes made would renew every few hundred posts for nothing.)
MAX_TABLE_CELLS = 1 << 16


class WindowTokenizer:
    """spaCy's tokenizer on a vocabulary of its own, renewed once its hash tables have grown."""

    def __init__(self, nlp, max_table_cells: int = MAX_TABLE_CELLS):
        source = nlp.tokenizer
        # The compiled rules are shared, not re-read: a renewal only rebuilds the vocabulary
        # and the special cases on it.
        self._rules = dict(rules=source.rules, prefix_search=source.prefix_search,
                           suffix_search=source.suffix_search, infix_finditer=source.infix_finditer,
                           token_match=source.token_match, url_match=source.url_match,
                           faster_heuristics=source.faster_heuristics)
        self._lang, self._defaults = nlp.lang, nlp.Defaults
        self._max_cells = max_table_cells
        self._lock = threading.Lock()
        self._tokenizer = self._fresh()
        self._next: Tokenizer | None = None
        self._builder: threading.Thread | None = None
        self.renewals = 0

    @contextmanager
    def window(self, text: str) -> Iterator[Doc]:
        """`text` tokenized; its new strings and lexemes are freed when the block ends."""
        with self._lock:
            if self._next is not None:
                self._tokenizer, self._next = self._next, None
                self.renewals += 1
            tokenizer = self._tokenizer
            with tokenizer.vocab.memory_zone():
                yield tokenizer(text)
            if self._builder is None and self._next is None and self.table_cells() >= self._max_cells:
                self._builder = threading.Thread(target=self._build_next, daemon=True,
                                                 name="postguard-spacy-vocab")
                self._builder.start()

    @property
    def vocab(self):
        """The vocabulary windows are tokenized on now (a renewal replaces it)."""
        return self._tokenizer.vocab

    def table_cells(self) -> int:
        """Slots in the current vocabulary's string table (what grows, in steps of doubling)."""
        return self._tokenizer.vocab.strings._map.capacity

    def wait_for_renewal(self, timeout_s: float) -> bool:
        """Block until a renewal being built is ready (for tests and benchmarks); True if none is left."""
        builder = self._builder
        if builder is not None:
            builder.join(timeout_s)
        return self._builder is None

    def _fresh(self) -> Tokenizer:
        return Tokenizer(create_vocab(self._lang, self._defaults), **self._rules)

    def _build_next(self) -> None:
        try:
            self._next = self._fresh()
        except Exception as exc:  # keep tokenizing on the old one, and try again twice as late
            self._max_cells *= 2
            log.error("could not renew the tokenizer's vocabulary (%s)", type(exc).__name__)
        finally:
            self._builder = None


_SHARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()
_SHARED_LOCK = threading.Lock()


def window_tokenizer(nlp) -> WindowTokenizer:
    """The one `WindowTokenizer` for a loaded pipeline, shared by the engines a rules reload builds."""
    with _SHARED_LOCK:
        found = _SHARED.get(nlp)
        if found is None:
            found = _SHARED[nlp] = WindowTokenizer(nlp)
        return found
