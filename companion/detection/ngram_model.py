"""The red-line model's second reader: a linear model over the characters of a sentence.

The sentence encoder reads meaning; this model reads characters. It is a logistic model over
hashed character n-grams (1 to 4 characters) of the sentence, plus the same n-grams of the
sentence with spaces and signs squeezed out (so `河 南 人` and `河-南-人` read as `河南人`).
Chinese prejudice leans on fixed words and fragments (地域黑 nicknames, 某地人都…, 黑鬼 with
a character swapped) that the encoder's 4,088 Chinese pieces blur; on the dev split the two
readers together find more of COLD's offensive comments at the same false-alarm rate than
the encoder alone. For English it adds nothing (HateCheck's templates differ from split to
split), so the head says which languages it serves (`model.json`, `ngram.languages`).

Costs: a few hundred n-grams per sentence, each hashed with CRC-32 (the same in every
process, unlike Python's `hash`), and one sum over a table of 2^18 rows per label:
microseconds per sentence, 2 MB of weights in the head's `weights.npz`.

`scripts/train_semantic.py` trains it with the functions below, so training and the
companion cut text the same way.
"""

from __future__ import annotations

import re
import unicodedata
import zlib

import numpy as np

BUCKETS = 1 << 18
ORDERS = (1, 2, 3, 4)
_SPACE = re.compile(r"\s+")
_NON_WORD = re.compile(r"[\W_]+")


def normal(text: str) -> str:
    """NFKC (full-width letters, ligatures), lower case, runs of white space as one, padded."""
    folded = unicodedata.normalize("NFKC", text).lower()
    return " " + _SPACE.sub(" ", folded).strip() + " "


def feature_ids(text: str, buckets: int = BUCKETS, orders: tuple[int, ...] = ORDERS) -> np.ndarray:
    """The distinct hashed n-gram ids of one text."""
    padded = normal(text)
    views = [padded]
    squeezed = _NON_WORD.sub("", padded)
    if squeezed and squeezed != padded.strip():
        views.append("#" + squeezed + "#")
    ids = set()
    mask = buckets - 1
    for view in views:
        for n in orders:
            for at in range(len(view) - n + 1):
                ids.add(zlib.crc32(view[at:at + n].encode("utf-8")) & mask)
    return np.fromiter(ids, np.int64, len(ids))


def sparse_rows(texts: list[str], buckets: int = BUCKETS,
                orders: tuple[int, ...] = ORDERS) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """(row, column, value, n_rows) of the texts' features; each row has unit length."""
    rows, cols = [], []
    for n, text in enumerate(texts):
        ids = feature_ids(text, buckets, orders)
        rows.append(np.full(len(ids), n, np.int64))
        cols.append(ids)
    row = np.concatenate(rows) if rows else np.zeros(0, np.int64)
    col = np.concatenate(cols) if cols else np.zeros(0, np.int64)
    counts = np.bincount(row, minlength=len(texts)).astype(np.float32)
    value = (1.0 / np.sqrt(np.maximum(counts[row], 1.0))).astype(np.float32)
    return row, col, value, len(texts)


def logits(x: tuple, weights: np.ndarray, bias: np.ndarray) -> np.ndarray:
    """(n_rows, n_labels) scores before the sigmoid."""
    row, col, value, n = x
    out = np.empty((n, weights.shape[1]), np.float32)
    for k in range(weights.shape[1]):
        out[:, k] = np.bincount(row, value * weights[col, k], minlength=n) + bias[k]
    return out


def probabilities(texts: list[str], weights: np.ndarray, bias: np.ndarray,
                  orders: tuple[int, ...] = ORDERS) -> np.ndarray:
    """(n_texts, n_labels) independent sigmoids."""
    z = logits(sparse_rows(texts, weights.shape[0], orders), weights, bias)
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))


def train(x: tuple, y: np.ndarray, weight: np.ndarray, epochs: int, l2: float,
          learning_rate: float = 0.05, buckets: int = BUCKETS) -> tuple[np.ndarray, np.ndarray]:
    """Full-batch Adam on the weighted binary cross-entropy (weight 0: left out). Deterministic:
    no sampling, weights start at zero."""
    row, col, value, _ = x
    n_labels = y.shape[1]
    w = np.zeros((buckets, n_labels), np.float32)
    b = np.zeros(n_labels, np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    mb, vb = np.zeros_like(b), np.zeros_like(b)
    total = np.maximum(weight.sum(0), 1e-9)
    for step in range(1, epochs + 1):
        p = 1.0 / (1.0 + np.exp(-np.clip(logits(x, w, b), -30, 30)))
        residual = (p - y) * weight / total
        grad = np.empty_like(w)
        for k in range(n_labels):
            grad[:, k] = np.bincount(col, value * residual[row, k], minlength=buckets)
        grad += l2 * w
        grad_b = residual.sum(0)
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad * grad
        mb = 0.9 * mb + 0.1 * grad_b
        vb = 0.999 * vb + 0.001 * grad_b * grad_b
        w -= learning_rate * (m / (1 - 0.9 ** step)) / (np.sqrt(v / (1 - 0.999 ** step)) + 1e-8)
        b -= learning_rate * (mb / (1 - 0.9 ** step)) / (np.sqrt(vb / (1 - 0.999 ** step)) + 1e-8)
    return w, b
