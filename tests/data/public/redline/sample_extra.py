"""Adds two extra English training sources (ToxiGen's statements, Stormfront sentences) to train.jsonl.

A trial, not part of the committed set: on 2026-12-05 every mix of these sources made the
head worse on dev (docs/semantic.md, "Tried after head v4"), so the committed train.jsonl does
not hold them. To repeat the trial:

    python tests/data/public/redline/sample_extra.py --toxigen DIR --stormfront DIR
    .venv/bin/python scripts/train_semantic.py --cache /tmp/pg-emb --source-cap 3000 --hidden 512 \
        --out /tmp/trial [--leave-out SOURCE] [--leave-out-clean SOURCE] [--cap SOURCE=N]
    git checkout tests/data/public/redline/train.jsonl

Each DIR is a checkout of the repository named in DATACARD.md ("Sources looked at and left
out"), at the commit named there. Only `train.jsonl` changes: rows of these sources already in
it are replaced, the rest of the file is kept as it is, and `dev.jsonl` and `test.jsonl` are
only read (a text that is in either of them is not added). The output is sorted by id, as
sample.py writes it, so runs are byte-identical. Labels map as DATACARD.md says.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCES = ("toxigen", "stormfront")

# ToxiGen prompt file group -> (expect for a hateful statement, also_ok, our group).
# As in sample.py: race and religion are red-line topics (sensitive_topic); demeaning talk
# about nationalities, women, sexual minorities and disabled people is disparagement.
TOXIGEN_GROUPS = {
    "asian": (["sensitive_topic"], ["disparagement"], "race"),
    "black": (["sensitive_topic"], ["disparagement"], "race"),
    "jewish": (["sensitive_topic"], ["disparagement"], "religion"),
    "latino": (["sensitive_topic"], ["disparagement"], "race"),
    "native_american": (["sensitive_topic"], ["disparagement"], "race"),
    "muslim": (["sensitive_topic"], ["disparagement"], "religion"),
    "chinese": (["disparagement"], ["sensitive_topic"], "nationality"),
    "mexican": (["disparagement"], ["sensitive_topic"], "nationality"),
    "middle_east": (["disparagement"], ["sensitive_topic"], "nationality"),
    "immigrant": (["disparagement"], ["sensitive_topic"], "nationality"),
    "women": (["disparagement"], ["sensitive_topic"], "gender"),
    "lgbtq": (["disparagement"], ["sensitive_topic"], "sexuality"),
    "bisexual": (["disparagement"], ["sensitive_topic"], "sexuality"),
    "trans": (["disparagement"], ["sensitive_topic"], "sexuality"),
    "mental_disability": (["disparagement"], ["sensitive_topic"], "disability"),
    "physical_disability": (["disparagement"], ["sensitive_topic"], "disability"),
}


def _item(source: str, ident: str, text: str, expect: list, also_ok: list) -> dict:
    return {"id": f"{source}-{ident}", "text": " ".join(text.split()), "platform": "linkedin",
            "images": [], "expect": expect, "also_ok": also_ok, "source": source}


def toxigen(root: Path) -> list[dict]:
    """The distinct statements of ToxiGen's prompt files (each line is several statements
    joined by a literal backslash-n and a dash; the files repeat them in many orders)."""
    out: dict[str, dict] = {}
    for path in sorted((root / "prompts").glob("*_1k.txt")):
        kind, group = path.stem[:-3].split("_", 1)  # "hate_mental_disability_1k" -> hate, mental_disability
        expect, also_ok, ours = TOXIGEN_GROUPS[group]
        for line in path.read_text(encoding="utf-8").splitlines():
            for part in line.split("\\n-"):
                text = " ".join(part.strip().lstrip("-").split())
                if len(text) < 12:
                    continue
                key = hashlib.sha256(f"{group}|{text}".encode("utf-8")).hexdigest()[:10]
                if kind == "hate":
                    item = _item("toxigen", f"{group}-{key}", text, expect, also_ok)
                else:  # neutral and positive statements about the group, and talk about prejudice
                    item = _item("toxigen", f"{group}-{key}", text, [], [])
                item["target"], item["group"], item["label"] = group, ours, kind
                out[item["id"]] = item
    return list(out.values())


def stormfront(root: Path) -> list[dict]:
    """Every sentence labelled hate or noHate; 'relation' (hateful only with the sentences
    around it) and 'idk/skip' are left out."""
    items = []
    with open(root / "annotations_metadata.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["label"] not in ("hate", "noHate"):
                continue
            text = (root / "all_files" / f"{row['file_id']}.txt").read_text(encoding="utf-8")
            if len(text.strip()) < 12:
                continue
            if row["label"] == "hate":  # the forum's targets are mostly race, Jews and immigrants
                item = _item("stormfront", row["file_id"], text, ["sensitive_topic"], ["disparagement"])
            else:
                item = _item("stormfront", row["file_id"], text, [], [])
            item["label"] = row["label"]
            items.append(item)
    return items


def read(name: str) -> list[dict]:
    return [json.loads(line) for line in (HERE / name).read_text(encoding="utf-8").splitlines() if line.strip()]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--toxigen", type=Path, required=True)
    parser.add_argument("--stormfront", type=Path, required=True)
    args = parser.parse_args()
    held_out = {i["text"] for name in ("dev.jsonl", "test.jsonl") for i in read(name)}
    kept = [i for i in read("train.jsonl") if i["source"] not in SOURCES]
    seen = held_out | {i["text"] for i in kept}
    added = []
    for item in toxigen(args.toxigen) + stormfront(args.stormfront):
        if item["text"] in seen:  # a text already in a split (or added once) is not added again
            continue
        seen.add(item["text"])
        added.append(item)
    items = sorted(kept + added, key=lambda i: i["id"])
    with open(HERE / "train.jsonl", "w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    for source in SOURCES:
        rows = [i for i in added if i["source"] == source]
        print(source, len(rows), "positives", sum(bool(i["expect"]) for i in rows))
    print("train", len(items))


if __name__ == "__main__":
    main()
