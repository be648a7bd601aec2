"""Builds the public red-line set (train/dev/test JSONL) from local copies of public data sets.

Run once by hand; the output is committed, this script documents how it was made:

    python tests/data/public/redline/sample.py --hatecheck DIR --cold DIR --ewt DIR \
        --pud-en DIR --pud-zh DIR --gsd-zh DIR

Each DIR is a checkout of the repository named in DATACARD.md, at the commit named there.
Sampling and splits are seeded hashes of stable keys, so the output is the same on every run.
Labels map to our categories as DATACARD.md says; nothing here looks at what the checks find.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
from pathlib import Path

SEED = "postguard-redline-1"
HERE = Path(__file__).resolve().parent

# HateCheck target groups -> (expect, also_ok). Race and religion are red-line topics
# (tests/data/README.md: "a jab at race or religion is sensitive_topic"); demeaning talk about
# other groups (immigrants, women, trans and gay people, disabled people) is disparagement.
HATECHECK_TARGETS = {
    "black people": (["sensitive_topic"], ["disparagement"]),
    "Muslims": (["sensitive_topic"], ["disparagement"]),
    "immigrants": (["disparagement"], ["sensitive_topic"]),
    "women": (["disparagement"], ["sensitive_topic"]),
    "trans people": (["disparagement"], ["sensitive_topic"]),
    "gay people": (["disparagement"], ["sensitive_topic"]),
    "disabled people": (["disparagement"], ["sensitive_topic"]),
}
# Non-hateful abuse of non-protected targets ("I hate waiters", "I hate you"): not a red line
# by our definitions, but not a false alarm either if a check calls it disparaging.
HATECHECK_ABUSE_NH = {"target_group_nh", "target_indiv_nh"}
# COLD topics -> (expect, also_ok) for offensive comments.
COLD_TOPICS = {
    "race": (["sensitive_topic"], ["disparagement"]),
    "region": (["disparagement"], ["sensitive_topic"]),  # 地域黑
    "gender": (["disparagement"], ["sensitive_topic"]),
}
COLD_SIZES = {"train": 25725, "dev": 600, "test": 1000}  # train: every row
EWT_GENRES = ("reviews", "email")  # weblogs and newsgroups carry political opinion pieces
UD_CAP = 1200


def _key(*parts: str) -> str:
    return hashlib.sha256("|".join((SEED,) + parts).encode("utf-8")).hexdigest()


def _split(*parts: str) -> str:
    """60/20/20 by a seeded hash of a stable key."""
    bucket = int(_key(*parts)[:8], 16) % 10
    return "train" if bucket < 6 else "dev" if bucket < 8 else "test"


def _item(source: str, ident: str, text: str, expect: list, also_ok: list) -> dict:
    return {"id": f"{source}-{ident}", "text": " ".join(text.split()), "platform": "linkedin",
            "images": [], "expect": expect, "also_ok": also_ok, "source": source}


def hatecheck(root: Path) -> dict[str, list[dict]]:
    """All 3,728 test-suite cases; a template's cases stay in one split (no template leaks)."""
    out: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    with open(root / "test_suite_cases.csv", encoding="utf-8", newline="") as fh:
        for row in csv.DictReader(fh):
            func = row["functionality"]
            if row["label_gold"] == "hateful":
                expect, also_ok = HATECHECK_TARGETS[row["target_ident"]]
            else:
                expect, also_ok = [], (["disparagement"] if func in HATECHECK_ABUSE_NH else [])
            item = _item("hatecheck", f"{int(row['case_id']):04d}", row["test_case"], expect, also_ok)
            item["functionality"] = func
            item["target"] = row["target_ident"]
            out[_split("hatecheck", row["templ_id"])].append(item)
    return out


def cold(root: Path) -> dict[str, list[dict]]:
    """COLD's own splits, each sampled by a seeded hash of its first column (ties: file order)."""
    out: dict[str, list[dict]] = {}
    for split, size in COLD_SIZES.items():
        with open(root / "COLDataset" / f"{split}.csv", encoding="utf-8-sig", newline="") as fh:
            rows = list(enumerate(csv.DictReader(fh), start=2))  # (line in the file, row)
        rows.sort(key=lambda r: _key("cold", split, r[1][""]))
        items = []
        for line, row in rows[:size]:
            if row["label"] == "1":
                expect, also_ok = COLD_TOPICS[row["topic"]]
            else:
                # A calm comment about race still touches a red-line topic for a business post.
                expect, also_ok = [], (["sensitive_topic"] if row["topic"] == "race" else [])
            # COLD's first column repeats within a file, so the id is the line in the file.
            item = _item("cold", f"{split}-L{line}", row["TEXT"], expect, also_ok)
            item["topic"] = row["topic"]
            items.append(item)
        out[split] = items
    return out


def _conllu(path: Path) -> list[tuple[str, str]]:
    """(sent_id, text) pairs of a CoNLL-U file."""
    pairs, sent_id = [], ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("# sent_id = "):
            sent_id = line[len("# sent_id = "):].strip()
        elif line.startswith("# text = "):
            pairs.append((sent_id, line[len("# text = "):].strip()))
    return pairs


def ud(source: str, files: list[Path], keep=lambda sid, text: True) -> dict[str, list[dict]]:
    """Clean sentences (expect []): a seeded sample of up to UD_CAP, split by sentence id."""
    pairs = [(sid, text) for f in files for sid, text in _conllu(f)
             if keep(sid, text) and 12 <= len(text) <= 400]
    pairs.sort(key=lambda p: _key(source, p[0]))
    out: dict[str, list[dict]] = {"train": [], "dev": [], "test": []}
    for sid, text in pairs[:UD_CAP]:
        # PUD's English and Chinese sentences share ids, so a translation pair shares a split.
        out[_split("ud", sid.split("_")[-1] if "pud" in source else sid)].append(
            _item(source, sid, text, [], []))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    for name in ("hatecheck", "cold", "ewt", "pud-en", "pud-zh", "gsd-zh"):
        parser.add_argument(f"--{name}", type=Path, required=True)
    args = parser.parse_args()
    parts = [
        hatecheck(args.hatecheck),
        cold(args.cold),
        ud("ud_ewt", sorted(args.ewt.glob("en_ewt-ud-*.conllu")),
           keep=lambda sid, text: sid.startswith(EWT_GENRES) and len(text.split()) >= 4),
        ud("ud_pud_en", sorted(args.pud_en.glob("*.conllu"))),
        ud("ud_pud_zh", sorted(args.pud_zh.glob("*.conllu"))),
        ud("ud_gsd_zh", sorted(args.gsd_zh.glob("*.conllu"))),
    ]
    seen: set[str] = set()  # a text in test is dropped from dev and train, one in dev from train
    for split in ("test", "dev", "train"):
        items = sorted((i for p in parts for i in p[split] if i["text"] not in seen), key=lambda i: i["id"])
        seen |= {i["text"] for i in items}
        with open(HERE / f"{split}.jsonl", "w", encoding="utf-8") as fh:
            for item in items:
                fh.write(json.dumps(item, ensure_ascii=False) + "\n")
        print(split, len(items))


if __name__ == "__main__":
    main()
