"""Benchmark: text checks on posts no cache can flatter, with a 100,000-entry client list.

Every post is 3,000 characters of sentences that never repeat, within a post or across
posts (generated from templates with seeded randomness: names, prices in many currencies,
order numbers, dates, quantities, places, some Chinese), so a per-sentence cache only
helps where a real user would be helped by one. Measured in one run, engines side by side,
interleaved post by post so a load spike hits them alike:

- loading a 100k-entry clients.csv into the org matchers;
- a cold check of a 3,000-character post (p50/p95; every sentence new to the engine), and of
  3,000 characters of Chinese in paragraphs of three sentences (read whole as well);
- a single new sentence (p50/p95);
- "click after pre-check": the post was checked while typing, then one sentence changed,
  and the click checks it again (p50/p95; whatever the engine caches, it may use);
- with `--server`: `postguard serve` on a free port with the same client list, start to
  ready (GET /v1/health answers 200) and its RSS after checks over HTTP;
- with `--deny-list`: the same posts through Presidio's `deny_list` (what we do NOT do).

Engines: `current` is the engine `build_engine` makes. When `build_engine` takes a
`semantic` argument, `lexical` (semantic=False) is measured beside it; when the engine has
a `semantic` attribute instead, `lexical` is a copy with it set to None. Without either,
that row is left out and the output says so.

Run: .venv/bin/python bench/bench_text.py [--clients 100000] [--posts 40] [--server]
     [--code DIR]                  measure another checkout's companion (e.g. a baseline worktree)
     [--code A --code B --rounds 2] compare checkouts, each in its own process, rounds alternating
"""

from __future__ import annotations

import argparse
import copy
import csv
import inspect
import os
import random
import resource
import shutil
import socket
import statistics
import string
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

from serving import wait_until_ready  # bench/ is on the path when a script here runs

REPO = Path(__file__).resolve().parent.parent

FORMS = ["GmbH", "Ltd", "LLC", "S.r.l.", "Sp. z o.o.", "Inc.", "AB", "SARL"]
CURRENCIES = ["USD", "EUR", "RMB", "GBP", "AED", "RM", "₹", "R$", "PLN", "$", "€", "¥"]
PRODUCTS = ["stainless pans", "garden hoses", "LED panels", "cable ties", "door hinges", "glass jars",
            "hand tools", "bath mats", "copper fittings", "kitchen scales", "solar lamps", "pet bowls",
            "drawer slides", "ceramic mugs", "shelf brackets", "rain boots", "yoga mats", "wall clocks"]
CITIES = ["Ningbo", "Hamburg", "Rotterdam", "Dubai", "Mumbai", "Santos", "Gdansk", "Felixstowe",
          "Valencia", "Genoa", "Busan", "Durban", "Antwerp", "Jebel Ali", "Port Klang", "Shanghai"]
PEOPLE = ["Anna", "Marek", "Priya", "Jonas", "Lucia", "Omar", "Chen Wei", "Sofia", "Kenji", "Fatima",
          "Lars", "Thabo", "Elif", "Diego", "Mei", "Ivan", "Aisha", "Pierre", "Nina", "Rahul"]
TEMPLATES = [
    "{person} from {city} asked about {n} cartons of {product} for the {month} shipment.",
    "Quick update: {cur} {price}/pc FOB {city} for {qty} pcs of {product}.",
    "Met {client} at booth {hall}.{booth} and talked about {product} for {n} minutes.",
    "Order #{order} left {city} on {day} {month}, {n} containers, ETA {city2} in {m} days.",
    "Our team in {city} packed {qty} sets of {product} this week, {n} more than planned.",
    "{person} says the {product} samples passed the {n}-hour drop test in {city}.",
    "Thanks to {person} for the visit, the {product} line now runs {n} shifts a day.",
    "We shipped {qty} {product} to {client} via {city}, invoice {order} attached.",
    "Training day in {city}: {n} new colleagues learned how we test {product}.",
    "Photo from hall {hall}: our {product} next to the {color} {product2}, {n} visitors so far.",
    "{person} will call {client} about the {product} tooling on {day} {month}.",
    "Discount of {m}% on {product} for orders above {qty} pcs, valid until {day} {month}.",
    "{客户}下单{qty}件{产品}，单价{price}元，{day}号从{港口}发货。",
    "今天在{港口}的工厂见了{person}，聊了{n}分钟{产品}的包装。",
    "{person}说{产品}的样品已经通过了{n}小时的测试。",
]
ZH_PRODUCTS = ["不锈钢锅", "园艺水管", "LED面板", "扎带", "门铰链", "玻璃罐", "手动工具", "陶瓷杯", "太阳能灯"]
ZH_PORTS = ["宁波", "上海", "深圳", "青岛", "厦门", "天津", "广州"]
MONTHS = ["January", "February", "March", "April", "May", "June", "July", "August", "September",
          "October", "November", "December"]
COLORS = ["red", "blue", "green", "black", "white", "grey", "orange"]


class SentenceMaker:
    """Unique sentences from templates and seeded randomness; never returns one twice."""

    def __init__(self, rng: random.Random, clients: list[str]):
        self.rng, self.clients, self.seen = rng, clients, set()

    def _fill(self, template: str) -> str:
        r = self.rng
        return template.format(
            person=r.choice(PEOPLE), city=r.choice(CITIES), city2=r.choice(CITIES), product=r.choice(PRODUCTS),
            product2=r.choice(PRODUCTS), n=r.randint(2, 99), m=r.randint(3, 45), qty=f"{r.randint(1, 99) * 500:,}",
            cur=r.choice(CURRENCIES), price=f"{r.randint(1, 9999) / 100:.2f}", client=r.choice(self.clients),
            hall=r.randint(1, 20), booth=f"{r.choice('ABCDEFGH')}{r.randint(1, 60)}", order=r.randint(10**6, 10**7),
            day=r.randint(1, 28), month=r.choice(MONTHS), color=r.choice(COLORS),
            客户=r.choice(self.clients), 产品=r.choice(ZH_PRODUCTS), 港口=r.choice(ZH_PORTS))

    def sentence(self) -> str:
        while True:
            sentence = self._fill(self.rng.choice(TEMPLATES))
            if sentence not in self.seen:
                self.seen.add(sentence)
                return sentence

    def chinese_post(self, length: int = 3000) -> str:
        """Chinese sentences only, a line break after every third (paragraphs the red-line model
        also reads whole), adding up to `length` characters."""
        chinese = [t for t in TEMPLATES if any("\u4e00" <= c <= "\u9fff" for c in t)]
        text, count = "", 0
        while len(text) < length:
            while (sentence := self._fill(self.rng.choice(chinese))) in self.seen:
                pass
            self.seen.add(sentence)
            count += 1
            text += sentence + ("\n" if count % 3 == 0 else "")
        return text[:length]

    def post(self, length: int = 3000) -> list[str]:
        """Sentences adding up to `length` characters (the last one cut to fit)."""
        parts, total = [], 0
        while total < length:
            parts.append(self.sentence())
            total += len(parts[-1]) + 1
        parts[-1] = parts[-1][: max(1, len(parts[-1]) - (total - length))]
        return parts


def write_clients(path: Path, count: int, rng: random.Random) -> list[str]:
    words = ["".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))).title() for _ in range(40000)]
    names = [f"{rng.choice(words)} {rng.choice(words)} {rng.choice(FORMS)}" for _ in range(count)]
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["name", "aliases", "contacts"])
        for name in names:
            writer.writerow([name, "", ""])
    return names


def percentiles(samples: list[float]) -> dict:
    ordered = sorted(samples)
    return {"p50": statistics.median(ordered), "p95": ordered[max(0, int(len(ordered) * 0.95) - 1)],
            "max": ordered[-1]}


def engine_variants(settings) -> dict:
    """The engines to compare: `current`, and `lexical` once build_engine can leave the model out."""
    from companion.runtime import build_engine

    engine = build_engine(settings)
    variants = {"current": engine}
    if "semantic" in inspect.signature(build_engine).parameters:
        variants["lexical"] = build_engine(settings, analyzer=engine.analyzer, semantic=False)
    elif getattr(engine, "semantic", None) is not None:
        lexical = copy.copy(engine)  # the same engine with its model layer left out
        lexical.semantic = None
        variants["lexical"] = lexical
    return variants


def timed(fn, *args) -> float:
    started = time.perf_counter()
    fn(*args)
    return (time.perf_counter() - started) * 1000


def measure_engines(variants: dict, maker: SentenceMaker, posts: int) -> dict:
    """Cold 3,000-char check (mixed, and all Chinese in paragraphs), single sentence, click after
    pre-check; interleaved per post."""
    results = {name: {"cold": [], "cold_zh": [], "sentence": [], "click": []} for name in variants}
    for engine in variants.values():  # first call pays one-off lazy loading, for every engine
        engine.check(" ".join(maker.post()))
    for _ in range(posts):
        for name, engine in variants.items():
            sentences = maker.post()
            text = " ".join(sentences)
            results[name]["cold"].append(timed(engine.check, text))
            results[name]["cold_zh"].append(timed(engine.check, maker.chinese_post()))
            results[name]["sentence"].append(timed(engine.check, maker.sentence()))
            edited = list(sentences)
            edited[len(edited) // 2] = maker.sentence()  # one sentence edited before the click
            results[name]["click"].append(timed(engine.check, " ".join(edited)))
    return results


def measure_deny_list(names: list[str], texts: list[str]) -> tuple[float, dict]:
    """Presidio with the client list as a deny_list recognizer: build time and per-post times."""
    from presidio_analyzer import AnalyzerEngine, PatternRecognizer, RecognizerRegistry

    from companion.detection.recognizers.registry import PreloadedSpacyNlpEngine, load_spacy

    started = time.perf_counter()
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(PatternRecognizer(supported_entity="CLIENT", deny_list=names))
    deny = AnalyzerEngine(registry=registry, nlp_engine=PreloadedSpacyNlpEngine(load_spacy()),
                          supported_languages=["en"])
    deny.analyze(texts[0], language="en")
    build_s = time.perf_counter() - started
    return build_s, percentiles([timed(deny.analyze, t, "en") for t in texts])


def measure_server(code: Path, org_dir: Path, maker: SentenceMaker, posts: int) -> dict:
    """Start `postguard serve` (that checkout's code) on a free port: start to ready, RSS after checks."""
    import json

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    env = {**os.environ, "PYTHONPATH": str(code), "OMP_THREAD_LIMIT": "1"}
    command = [sys.executable, "-c", "from companion.cli import main; main()", "serve", "--port", str(port),
               "--org", str(org_dir), "--data-dir", tempfile.mkdtemp()]
    started = time.perf_counter()
    # From the checkout itself: `python -c` puts the working directory first on sys.path.
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=code)
    base = f"http://127.0.0.1:{port}"
    try:
        ready_s = wait_until_ready(proc, base, started)
        http_ms = []
        for _ in range(posts):
            body = json.dumps({"text": " ".join(maker.post()), "platform": "linkedin"}).encode()
            request = urllib.request.Request(base + "/v1/check", body, {"Content-Type": "application/json"})
            t = time.perf_counter()
            with urllib.request.urlopen(request, timeout=60) as response:
                response.read()
            http_ms.append((time.perf_counter() - t) * 1000)
        status = Path(f"/proc/{proc.pid}/status").read_text()
        rss = next(int(line.split()[1]) / 1024 for line in status.splitlines() if line.startswith("VmRSS:"))
    finally:
        proc.kill()
        proc.wait()
    return {"ready_s": ready_s, "rss_mb": rss, "http": percentiles(http_ms)}


def _line(label: str, p: dict) -> str:
    return f"{label:<52} p50 {p['p50']:7.1f} ms  p95 {p['p95']:7.1f} ms  max {p['max']:7.1f} ms"


def measure_checkout(args, code: Path) -> dict:
    """Everything for one checkout's companion, in this process (raw samples, for merging)."""
    sys.path.insert(0, str(code))
    import companion
    from companion.config import Settings
    from companion.detection.org_matchers import OrgMatchers
    from companion.org import load_org

    rng = random.Random(42)  # the same client list and posts for every checkout
    org_dir = Path(tempfile.mkdtemp())
    shutil.copytree(Settings().org_dir, org_dir, dirs_exist_ok=True)
    names = write_clients(org_dir / "clients.csv", args.clients, rng)
    maker = SentenceMaker(rng, names)
    started = time.perf_counter()
    OrgMatchers.build(load_org(org_dir))
    data = {"code": str(Path(companion.__file__).parent), "load_s": [time.perf_counter() - started],
            "loadavg": [os.getloadavg()[0]]}
    variants = engine_variants(Settings(org_dir=org_dir))
    data["engines"] = measure_engines(variants, maker, args.posts)
    data["rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    if args.deny_list:
        build_s, d = measure_deny_list(names, [" ".join(maker.post()) for _ in range(3)])
        data["deny_list"] = {"build_s": build_s, **d}
    if args.server:
        data["server"] = [measure_server(code, org_dir, maker, min(args.posts, 20))]
    data["loadavg"].append(os.getloadavg()[0])
    data["sentences"] = len(maker.seen)
    return data


def print_report(data: dict, clients: int) -> None:
    print(f"code: {data['code']}  load average {min(data['loadavg']):.2f}-{max(data['loadavg']):.2f}")
    print(f"clients: {clients:,}  {data['sentences']:,} distinct sentences in the posts")
    print(f"client list load (CSV -> automaton): {statistics.median(data['load_s']):.2f} s")
    for name, r in data["engines"].items():
        print(_line(f"[{name}] cold check, 3,000 chars", percentiles(r["cold"])))
        if r.get("cold_zh"):
            print(_line(f"[{name}] cold check, 3,000 Chinese chars in paragraphs", percentiles(r["cold_zh"])))
        print(_line(f"[{name}] single sentence", percentiles(r["sentence"])))
        print(_line(f"[{name}] click after pre-check (1 sentence edited)", percentiles(r["click"])))
    if "lexical" not in data["engines"]:
        print("lexical-only engine: not measured (no semantic layer loaded in this code: nothing to leave out)")
    print(f"peak RSS of the bench process ({len(data['engines'])} engine(s) loaded): {data['rss_mb']:.0f} MB")
    if "deny_list" in data:
        d, ours = data["deny_list"], percentiles(data["engines"]["current"]["cold"])["p50"]
        print(f"Presidio deny_list: build {d['build_s']:.1f} s, p50 {d['p50']:.1f} ms ({d['p50'] / ours:.0f}x ours)")
    for s in data.get("server", []):
        print(f"postguard serve: start to ready {s['ready_s']:.2f} s, RSS after checks {s['rss_mb']:.0f} MB")
        print(_line("check over HTTP, 3,000 chars", s["http"]))


def compare(args) -> None:
    """Several checkouts, each in its own process, in alternating rounds: a load spike hits all."""
    import json

    merged: dict[str, dict] = {}
    for round_no in range(args.rounds):
        order = args.code if round_no % 2 == 0 else list(reversed(args.code))
        for code in order:
            out = Path(tempfile.mkdtemp()) / "result.json"
            command = [sys.executable, __file__, "--code", str(code), "--clients", str(args.clients),
                       "--posts", str(args.posts), "--json", str(out)]
            if args.server and round_no == args.rounds - 1:
                command.append("--server")
            subprocess.run(command, check=True)
            data = json.loads(out.read_text())
            into = merged.setdefault(str(code), data)
            if into is not data:
                for name, samples in data["engines"].items():
                    for key, values in samples.items():
                        into["engines"].setdefault(name, {}).setdefault(key, []).extend(values)
                for key in ("load_s", "loadavg", "server"):
                    into.setdefault(key, []).extend(data.get(key, []))
                into["rss_mb"] = max(into["rss_mb"], data["rss_mb"])
    for code, data in merged.items():
        print(f"== {code} ({args.rounds} rounds x {args.posts} posts)")
        print_report(data, args.clients)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--posts", type=int, default=40, help="Posts per engine (per round with several --code).")
    parser.add_argument("--server", action="store_true", help="Also measure `postguard serve`.")
    parser.add_argument("--deny-list", action="store_true", help="Also time Presidio's deny_list (~2 min).")
    parser.add_argument("--code", type=Path, action="append",
                        help="Checkout whose companion to measure (default this one); give it twice or more "
                             "to compare checkouts in alternating rounds.")
    parser.add_argument("--rounds", type=int, default=2, help="Rounds when comparing checkouts.")
    parser.add_argument("--json", type=Path, help=argparse.SUPPRESS)  # one round's raw samples, for compare()
    args = parser.parse_args()
    args.code = args.code or [REPO]
    if len(args.code) > 1:
        compare(args)
        return
    data = measure_checkout(args, args.code[0])
    if args.json:
        import json

        args.json.write_text(json.dumps(data))
        return
    print_report(data, args.clients)


if __name__ == "__main__":
    main()
