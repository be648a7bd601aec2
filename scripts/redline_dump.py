"""Dump what the red-line layers see, item by item, to study misses and false alarms offline.

    .venv/bin/python scripts/redline_dump.py tests/data/public/redline/dev.jsonl \
        tests/data/public/clean/dev.jsonl --out /tmp/redline-dump/dev.jsonl

For every item: the lexical red-line candidates (rule id, category, score, span) and, per
sentence the model reads, its span, language, group, the head's scores per label, the two
readers' own scores (`net`: the network; `ngram`: the character n-gram model, for the languages
it serves), whether a classifier rule's cue fires in it (`cue`), and where the sentence speaks of
a group as "they", the same scores of it read with the sentence before it (`pair`), and per
Chinese paragraph read whole (`paragraphs`), its span, language, group and scores, so that
mixing weights, thresholds and cues can be replayed without the encoder.
`scripts/redline_study.py` reads these files; nothing here changes the engine. Use it on the
train and dev splits only: the test split chooses nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

REDLINE = ("sensitive_topic", "disparagement")


def dump_item(engine, text: str) -> dict:
    """The lexical red-line candidates and the model's scores per sentence of one text."""
    from companion.detection.deadline import Deadline
    from companion.detection.semantic_matcher import _blank, _paragraphs_to_read
    from companion.detection.sentences import split_sentences, worth_reading

    semantic, engine.semantic = engine.semantic, None
    try:
        lexical = engine.candidates(text)
    finally:
        engine.semantic = semantic
    prose = _blank(text, [c for c in lexical if c.pack.category not in REDLINE])
    spans = [(a, b) for a, b in split_sentences(text) if worth_reading(text[a:b]) and worth_reading(prose[a:b])]
    scores = semantic._scores([text[a:b] for a, b in spans], Deadline.none())
    every = split_sentences(text)
    starts = {(a, b): every[n - 1][0] if n else a for n, (a, b) in enumerate(every)}
    before = {span: text[start:span[0]] for span, start in starts.items()}
    readers = _readers(semantic, [(text[a:b], before[(a, b)]) for a, b in spans if text[a:b] in scores])
    # A sentence that speaks of a group as "they" is read with the sentence before it too.
    pairs = {(a, b): text[starts[(a, b)]:b] for a, b in spans
             if semantic._refers_to_group(text, a, b, starts[(a, b)])}
    pair_scores = semantic._scores(list(pairs.values()), Deadline.none())
    pair_readers = _readers(semantic, [(p, "") for p in pairs.values()])
    # A Chinese paragraph of two sentences or more is read whole as well (photos are not).
    whole = _paragraphs_to_read(text, prose, every, worth_reading)
    whole_scores = semantic._scores([text[a:b] for a, b in whole], Deadline.none())
    return {
        "lexical": [{"rule": c.rule.id, "category": c.pack.category, "score": round(c.score, 3),
                     "severity": c.rule.severity or c.pack.severity,
                     "start": c.start, "end": c.end} for c in lexical if c.pack.category in REDLINE],
        "sentences": [{"start": a, "end": b, "language": scores[text[a:b]]["language"],
                       "group": scores[text[a:b]]["group"],
                       **{k: round(v, 4) for k, v in scores[text[a:b]]["redline"].items()},
                       **readers[text[a:b]],
                       **({"pair": {**{k: round(v, 4) for k, v in pair_scores[pairs[(a, b)]]["redline"].items()},
                                    "net": pair_readers[pairs[(a, b)]]["net"],
                                    "ngram": pair_readers[pairs[(a, b)]]["ngram"]}} if (a, b) in pairs else {})}
                      for a, b in spans if text[a:b] in scores],
        "paragraphs": [{"start": a, "end": b, "language": whole_scores[text[a:b]]["language"],
                        "group": whole_scores[text[a:b]]["group"],
                        **{k: round(v, 4) for k, v in whole_scores[text[a:b]]["redline"].items()}}
                       for a, b in whole if text[a:b] in whole_scores],
    }


def _readers(semantic, pairs: list[tuple[str, str]]) -> dict[str, dict]:
    """Per (sentence, the text of the sentence before it): the network's and the n-gram model's
    scores apart, and whether a cue fires."""
    import numpy as np

    from companion.detection import ngram_model
    from companion.detection.semantic_model import _mlp, _sigmoid

    head = semantic._heads["redline"]
    cue = next(iter(semantic._cues.values()), None)
    out = {}
    if not pairs:
        return out
    sentences = [s for s, _ in pairs]
    with semantic._encoder.one_thread():
        net = _sigmoid(_mlp(semantic._encoder.encode(sentences), head.arrays, "category"))
    grams = (ngram_model.probabilities(sentences, head.ngram.weights, head.ngram.bias, head.ngram.orders)
             if head.ngram else np.zeros_like(net))
    for n, (s, before) in enumerate(pairs):
        out[s] = {"net": [round(float(v), 4) for v in net[n]], "ngram": [round(float(v), 4) for v in grams[n]],
                  "cue": bool(cue and cue.fires(s, before))}
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("split", type=Path, nargs="+")
    parser.add_argument("--out", type=Path, required=True)
    args = parser.parse_args()
    from companion.config import Settings
    from companion.runtime import build_engine

    engine = build_engine(Settings.from_env())
    args.out.parent.mkdir(parents=True, exist_ok=True)
    with args.out.open("w", encoding="utf-8") as out:
        for path in args.split:
            for line in path.read_text(encoding="utf-8").splitlines():
                if not line.strip():
                    continue
                item = json.loads(line)
                row = {k: item.get(k) for k in ("id", "source", "topic", "expect", "also_ok", "text")}
                row.update(dump_item(engine, item["text"]))
                out.write(json.dumps(row, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
