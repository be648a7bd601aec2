"""Benchmark: text checks with a 100,000-entry client list, side by side with Presidio's deny_list.

Measures, in one run so the ratios hold on a noisy shared machine:
- loading a 100k-entry clients.csv into the org matchers (target <= 2 s);
- p50/p95 of a full text check of a 3,000-character post (target p95 <= 50 ms);
- the same posts through a Presidio AnalyzerEngine whose client list is a `deny_list`
  PatternRecognizer (what we do NOT do), for the build time and per-post ratio;
- the process RSS after loading.

Run: .venv/bin/python bench/bench_text.py [--clients 100000] [--posts 60]
"""

from __future__ import annotations

import argparse
import csv
import random
import resource
import shutil
import statistics
import string
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from companion.config import Settings  # noqa: E402
from companion.detection.engine import DetectionEngine  # noqa: E402
from companion.detection.org_matchers import OrgMatchers  # noqa: E402
from companion.detection.recognizers.registry import build_analyzer, load_spacy  # noqa: E402
from companion.org import load_org  # noqa: E402
from companion.rules import load_rules  # noqa: E402

FORMS = ["GmbH", "Ltd", "LLC", "S.r.l.", "Sp. z o.o.", "Inc.", "AB", "SARL"]
FILLER = ("Great week at the Canton Fair! Thanks to everyone who visited our booth in Hall 11.2. "
          "Our new 304 stainless cookware line got a lot of attention, and the team is proud of "
          "the 5-year warranty we now offer on every pan. ")
RISKY = ["Quick update: USD 0.42/pc FOB Ningbo for 20k pcs. ", "Met {client} today. ",
         "WhatsApp me on +49 40 3012 7788. ", "30% T/T deposit as usual. "]


def write_clients(path: Path, count: int, rng: random.Random) -> list[str]:
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))).title() for _ in range(40000)]
    names = [f"{rng.choice(words)} {rng.choice(words)} {rng.choice(FORMS)}" for _ in range(count)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "aliases", "contacts"])
        for name in names:
            writer.writerow([name, "", ""])
    return names


def make_post(rng: random.Random, names: list[str], length: int = 3000) -> str:
    parts = []
    while sum(map(len, parts)) < length:
        parts.append(rng.choice(RISKY).format(client=rng.choice(names)) if rng.random() < 0.15 else FILLER)
    return "".join(parts)[:length]


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered), "p95": ordered[int(len(ordered) * 0.95) - 1],
            "max": ordered[-1]}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=60)
    parser.add_argument("--deny-posts", type=int, default=3)
    args = parser.parse_args()
    rng = random.Random(42)
    org_dir = Path(tempfile.mkdtemp())
    shutil.copytree(Settings().org_dir, org_dir, dirs_exist_ok=True)
    names = write_clients(org_dir / "clients.csv", args.clients, rng)

    started = time.perf_counter()
    org = OrgMatchers.build(load_org(org_dir))
    load_s = time.perf_counter() - started
    nlp = load_spacy()
    analyzer = build_analyzer(nlp)
    engine = DetectionEngine(load_rules(Settings().rules_dir), org, analyzer)
    posts = [make_post(rng, names) for _ in range(args.posts)]
    engine.check_text(posts[0])
    ours = []
    for post in posts:
        t = time.perf_counter()
        engine.check(post)
        ours.append((time.perf_counter() - t) * 1000)
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024

    from presidio_analyzer import AnalyzerEngine, PatternRecognizer, RecognizerRegistry

    from companion.detection.recognizers.registry import PreloadedSpacyNlpEngine

    started = time.perf_counter()
    deny = PatternRecognizer(supported_entity="CLIENT", deny_list=names)
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(deny)
    deny_engine = AnalyzerEngine(registry=registry, nlp_engine=PreloadedSpacyNlpEngine(nlp),
                                 supported_languages=["en"])
    deny_engine.analyze(posts[0], language="en")
    deny_build_s = time.perf_counter() - started
    theirs = []
    for post in posts[: args.deny_posts]:
        t = time.perf_counter()
        deny_engine.analyze(post, language="en")
        theirs.append((time.perf_counter() - t) * 1000)

    o, d = percentiles(ours), percentiles(theirs)
    print(f"clients: {args.clients:,}  posts: {args.posts} x {len(posts[0])} chars")
    print(f"client list load (CSV -> automaton): {load_s:.2f} s")
    print(f"Postguard full text check: p50 {o['p50']:.1f} ms  p95 {o['p95']:.1f} ms  max {o['max']:.1f} ms")
    print(f"Presidio deny_list (clients only): build {deny_build_s:.1f} s, p50 {d['p50']:.1f} ms  "
          f"p95 {d['p95']:.1f} ms")
    print(f"ratio deny_list / Postguard per post (p50): {d['p50'] / o['p50']:.1f}x")
    print(f"peak RSS of this process (both engines loaded): {rss_mb:.0f} MB")


if __name__ == "__main__":
    main()
