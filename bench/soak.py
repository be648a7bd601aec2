"""Soak: a real `postguard serve` under steady load for an hour, and its resident memory over time.

Starts the companion on a free port with a throw-away data directory and drives it the way a
busy laptop would, only faster:

- text checks (default ~20 a second, from a few client threads) on posts whose sentences never
  repeat: seeded templates filled with generated names, e-mail addresses, phone numbers,
  prices, order numbers and dates, in English and Chinese, so no cache can flatter the run;
- image checks: photos rendered with Pillow, different every time, some with a price or a
  client's name on them;
- decisions (POST /v1/decision) for some of the scan ids, and a few offline ones;
- rule reloads: every few minutes a newly signed bundle (one more client) is installed with
  `postguard rules install`, and the companion picks it up without a restart.

Every `--sample-s` seconds the companion's VmRSS (/proc/<pid>/status) goes to a CSV. Those
samples include the buffers of whatever checks are in flight at that moment, so they follow the
load. Every `--rest-every-s` the clients also pause, wait until no request is in flight, and take
an "at rest" sample: what the companion keeps between checks, which is what growth means. At the
end it prints RSS after warm-up, at the end, the maximum, the spread and slope after warm-up,
latency p50/p95 per kind and error counts. Exit status 1 if any request failed unexpectedly
(anything but a 200), 2 if `--max-growth-mb` was given and RSS grew more than that after
warm-up. The post texts stay in this process; the server log is checked for errors only.

Run: .venv/bin/python bench/soak.py [--minutes 60] [--rate 20] [--threads 4] [--csv soak.csv]
     [--code DIR]              soak another checkout's companion (e.g. an older commit)
     [--server-env K=V ...]    extra environment for the companion (e.g. MALLOC_ARENA_MAX=2)
     [--trace-dir DIR]         at-rest memory dumps from inside the companion (bench/soak_trace.py)
"""

from __future__ import annotations

import argparse
import base64
import csv
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))

from serving import wait_until_ready  # noqa: E402
from soak_posts import PostMaker, render_photo  # noqa: E402

ACTIONS = ["posted", "edited", "cancelled", "overridden", "redacted"]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def post_json(base: str, path: str, body: dict, timeout: float = 60) -> tuple[int, dict]:
    """(status, parsed body) of one POST; the companion's Host check accepts 127.0.0.1:port."""
    request = urllib.request.Request(base + path, json.dumps(body).encode(), {"Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as err:
        return err.code, {}


@dataclass
class Tally:
    """Latencies and errors per kind of request, shared by the client threads."""

    latency_ms: dict = field(default_factory=dict)
    errors: dict = field(default_factory=dict)
    notes: dict = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, ms: float, ok: bool, what: str = "") -> None:
        with self.lock:
            self.latency_ms.setdefault(kind, []).append(ms)
            if not ok:
                self.errors.setdefault(kind, {}).setdefault(what, 0)
                self.errors[kind][what] += 1

    def note(self, name: str) -> None:
        with self.lock:
            self.notes[name] = self.notes.get(name, 0) + 1

    def count(self, kind: str) -> int:
        with self.lock:
            return len(self.latency_ms.get(kind, []))


class RestGate:
    """Lets the clients send while open; `rest()` closes it, waits for the requests in flight to
    finish, and reads RSS with nothing running (then opens it again)."""

    def __init__(self):
        self._open, self._idle = threading.Event(), threading.Condition()
        self._open.set()
        self.in_flight = 0

    def enter(self, stop: threading.Event) -> bool:
        """Wait until the gate is open; False if the run stopped meanwhile."""
        while not self._open.wait(0.5):
            if stop.is_set():
                return False
        with self._idle:
            self.in_flight += 1
        return True

    def leave(self) -> None:
        with self._idle:
            self.in_flight -= 1
            self._idle.notify_all()

    def rest(self, pid: int, settle_s: float = 1.0, timeout_s: float = 120.0,
             at_rest=None) -> float | None:
        """RSS in MB once nothing is in flight (None if the requests did not finish in time);
        `at_rest()`, if given, runs after the reading, before the clients go on."""
        self._open.clear()
        try:
            with self._idle:
                if not self._idle.wait_for(lambda: self.in_flight == 0, timeout_s):
                    return None
            time.sleep(settle_s)  # the server thread returns its buffers after the response is sent
            rss = rss_mb(pid)
            if at_rest is not None:
                at_rest()
            return rss
        finally:
            self._open.set()


def trace_dump(pid: int, directory: Path, number: int, timeout_s: float = 300.0) -> None:
    """Ask the companion run by bench/soak_trace.py for its at-rest dump `number` and wait for it."""
    import signal

    os.kill(pid, signal.SIGUSR1)
    deadline = time.monotonic() + timeout_s
    while not (directory / f"rest-{number:03d}.json").exists() and time.monotonic() < deadline:
        time.sleep(0.2)


class Pacer:
    """Hands out send times `1/rate` apart to any number of threads (open loop, no catch-up burst)."""

    def __init__(self, rate: float):
        self._gap, self._next, self._lock = 1.0 / rate, time.monotonic(), threading.Lock()

    def wait(self) -> None:
        with self._lock:
            now = time.monotonic()
            self._next = max(self._next + self._gap, now - self._gap)
            at = self._next
        time.sleep(max(0.0, at - time.monotonic()))


def client_loop(base: str, maker: PostMaker, rng: random.Random, args, tally: Tally, pacer: Pacer,
                stop: threading.Event, gate: RestGate) -> None:
    """One client thread: paced checks (some with a photo), then sometimes a decision."""
    while not stop.is_set():
        pacer.wait()
        if stop.is_set() or not gate.enter(stop):
            return
        try:
            one_round(base, maker, rng, args, tally)
        finally:
            gate.leave()


def one_round(base: str, maker: PostMaker, rng: random.Random, args, tally: Tally) -> None:
    """One check (sometimes with a photo), then sometimes a decision."""
    kind = "image" if rng.random() < args.image_share else "text"
    body = {"text": maker.post(), "platform": rng.choice(["linkedin", "facebook", "instagram"])}
    if kind == "image":
        body["text"] = maker.caption()
        body["images"] = [{"name": "photo.png", "mime": "image/png",
                           "data": base64.b64encode(render_photo(maker, rng)).decode()}]
    started = time.perf_counter()
    try:
        status, answer = post_json(base, "/v1/check", body)
    except OSError as exc:
        status, answer = type(exc).__name__, {}
    tally.add(kind, (time.perf_counter() - started) * 1000, status == 200, str(status))
    for warning in answer.get("warnings", []):
        tally.note(f"{kind}: {warning}")
    if status == 200 and rng.random() < args.decision_share:
        decide(base, {"scan_id": answer["scan_id"], "action": rng.choice(ACTIONS)}, tally)
    elif rng.random() < 0.01:  # the extension's queue of decisions made while offline
        decide(base, {"action": "posted", "offline": True}, tally)


def decide(base: str, body: dict, tally: Tally) -> None:
    started = time.perf_counter()
    try:
        status, _ = post_json(base, "/v1/decision", body)
    except OSError as exc:
        status = type(exc).__name__
    tally.add("decision", (time.perf_counter() - started) * 1000, status == 200, str(status))


class Reloader:
    """Signs a bundle with one more client every `every_s` and installs it; counts the reloads."""

    def __init__(self, code: Path, work: Path, data_dir: Path, command: list[str], env: dict, log_path: Path):
        self.code, self.work, self.data_dir, self.command, self.env = code, work, data_dir, command, env
        self.log_path = log_path
        self.org = work / "org"
        shutil.copytree(code / "rules" / "org" / "example", self.org)
        self.rules = code / "rules"
        self.version = 1
        self._run("rules", "keygen", "--out", str(work / "keys"))

    def _run(self, *args: str) -> None:
        subprocess.run([*self.command, *args], check=True, capture_output=True, env=self.env, timeout=300,
                       cwd=self.code)

    def reloads_seen(self) -> int:
        return self.log_path.read_text(errors="replace").count("rules reloaded")

    def reload(self, rng: random.Random, tally: Tally) -> None:
        """Install a new bundle and wait until the companion says it reloaded (60 s at most)."""
        self.version += 1
        with (self.org / "clients.csv").open("a", encoding="utf-8") as handle:
            handle.write(f"Soak Client {self.version} {rng.randint(1000, 9999)} Ltd,,\n")
        bundle = self.work / f"bundle-{self.version}.pgb"
        before, started = self.reloads_seen(), time.perf_counter()
        try:
            self._run("rules", "bundle", "--key", str(self.work / "keys" / "postguard-bundle-signing.pem"),
                      "--org", str(self.org), "--rules", str(self.rules), "--version", str(self.version),
                      "--out", str(bundle))
            self._run("rules", "install", str(bundle), "--pubkey",
                      str(self.work / "keys" / "postguard-bundle-signing.pub.pem"), "--data-dir", str(self.data_dir))
        except subprocess.SubprocessError as exc:
            tally.add("reload", (time.perf_counter() - started) * 1000, False, type(exc).__name__)
            return
        deadline = time.monotonic() + 60
        while self.reloads_seen() == before and time.monotonic() < deadline:
            time.sleep(0.2)
        tally.add("reload", (time.perf_counter() - started) * 1000, self.reloads_seen() > before, "not reloaded")


def start_server(args, data_dir: Path, log_path: Path, env: dict) -> tuple[subprocess.Popen, str, float]:
    """`postguard serve` on a free port; (process, base URL, seconds to ready)."""
    port = free_port()
    started = time.perf_counter()
    command = companion_command(args)
    if args.trace_dir:  # the same serve, with at-rest dumps on SIGUSR1 (bench/soak_trace.py)
        command = [sys.executable, str(Path(__file__).resolve().parent / "soak_trace.py")]
    with log_path.open("wb") as log:
        proc = subprocess.Popen([*command, "serve", "--port", str(port), "--data-dir", str(data_dir)],
                                stdout=log, stderr=subprocess.STDOUT, env=env, cwd=args.code)
    base = f"http://127.0.0.1:{port}"
    ready_s = wait_until_ready(proc, base, started,
                               what_failed=f"the companion did not become ready; its log: {log_path}")
    return proc, base, ready_s


def companion_command(args) -> list[str]:
    """`postguard` from `--code`: run with that checkout as the working directory, since `python -c`
    puts the working directory ahead of PYTHONPATH (a checkout's own `companion/` would win)."""
    return [sys.executable, "-c", "from companion.cli import main; main()"]


def server_env(args) -> dict:
    """This environment without the developer's POSTGUARD_* settings, plus --server-env."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTGUARD_")}
    # An OCR budget a loaded machine does not run out of, so photos are read completely.
    env.update(PYTHONPATH=str(args.code), OMP_THREAD_LIMIT="1", POSTGUARD_BUNDLE_POLL_S="2",
               POSTGUARD_OCR_BUDGET_S="10")
    env.update(item.split("=", 1) for item in args.server_env)
    if args.trace_dir:
        env["SOAK_TRACE_DIR"] = str(args.trace_dir)
    return env


def sample_loop(pid: int, args, tally: Tally, stop: threading.Event, rows: list, started: float) -> None:
    """Every `sample_s`: elapsed time, RSS, requests so far and the load average, into the CSV."""
    with open(args.csv, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["elapsed_s", "rss_mb", "text_checks", "image_checks", "decisions", "reloads",
                         "errors", "load1"])
        while True:
            errors = sum(n for kinds in tally.errors.values() for n in kinds.values())
            row = [round(time.monotonic() - started), round(rss_mb(pid), 1), tally.count("text"),
                   tally.count("image"), tally.count("decision"), tally.count("reload"), errors,
                   round(os.getloadavg()[0], 2)]
            rows.append(row)
            writer.writerow(row)
            handle.flush()
            if stop.wait(args.sample_s):
                return


def percentile(samples: list[float], q: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, max(0, int(round(len(ordered) * q)) - 1))]


def slope_per_10_min(points: list[tuple[float, float]]) -> float:
    """Least-squares slope of RSS over time, in MB per 10 minutes."""
    if len(points) < 2:
        return float("nan")
    mean_t = statistics.fmean(t for t, _ in points)
    mean_r = statistics.fmean(r for _, r in points)
    var = sum((t - mean_t) ** 2 for t, _ in points)
    return sum((t - mean_t) * (r - mean_r) for t, r in points) / var * 600 if var else float("nan")


def minute_medians(rows: list) -> list[tuple[int, float, float, float]]:
    """(minute, median, min, max) of the RSS samples in each minute: the curve without the sawtooth.

    RSS moves by tens of MB within a minute (a photo's pixel arrays, a second engine during a
    reload) and comes back; growth is what the medians do from minute to minute.
    """
    by_minute: dict[int, list[float]] = {}
    for elapsed, rss, *_ in rows:
        by_minute.setdefault(int(elapsed // 60), []).append(rss)
    return [(m, statistics.median(v), min(v), max(v)) for m, v in sorted(by_minute.items())]


def summary(args, rows: list, tally: Tally, ready_s: float, loads: list[float]) -> float:
    """Print the RSS curve's figures and per-kind latencies; returns the spread after warm-up
    (largest minus smallest per-minute median RSS)."""
    minutes = minute_medians(rows)
    warm = [m for m in minutes if m[0] >= args.warmup_minutes] or minutes[-1:]
    spread = max(m[1] for m in warm) - min(m[1] for m in warm)
    warm_points = [(r[0], r[1]) for r in rows if r[0] >= args.warmup_minutes * 60]
    elapsed = rows[-1][0]
    checks = tally.count("text") + tally.count("image")
    print(f"\nsoak: {elapsed / 60:.1f} min, {checks} checks ({checks / max(elapsed, 1):.1f}/s), "
          f"{tally.count('decision')} decisions, {tally.count('reload')} reloads; start to ready {ready_s:.1f} s; "
          f"load average {min(loads):.1f}-{max(loads):.1f}")
    print(f"RSS (per-minute median): start {minutes[0][1]:.0f} MB, after warm-up ({args.warmup_minutes:g} min) "
          f"{warm[0][1]:.1f} MB, end {minutes[-1][1]:.1f} MB; max sample {max(r[1] for r in rows):.1f} MB")
    print(f"after warm-up: spread {spread:.1f} MB, slope {slope_per_10_min(warm_points):+.2f} MB per 10 min")
    print("minute  RSS median (min-max) MB")
    for minute, median, low, high in minutes:
        print(f"{minute:>6}  {median:6.1f} ({low:.0f}-{high:.0f})")
    for kind in ("text", "image", "decision", "reload"):
        samples = tally.latency_ms.get(kind, [])
        if samples:
            print(f"{kind:<9} n={len(samples):<6} p50 {percentile(samples, 0.5):8.1f} ms  "
                  f"p95 {percentile(samples, 0.95):8.1f} ms  errors {sum(tally.errors.get(kind, {}).values())} "
                  f"{tally.errors.get(kind, {}) or ''}")
    for name, count in sorted(tally.notes.items()):
        print(f"  {name}: {count}")
    return spread


def write_rest_csv(samples_csv: Path, rest_rows: list) -> None:
    """The at-rest samples beside the main CSV (`soak.csv` -> `soak.rest.csv`)."""
    with open(samples_csv.with_suffix(".rest.csv"), "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["elapsed_s", "rest_rss_mb"])
        writer.writerows(rest_rows)


def rest_summary(args, rest_rows: list) -> float:
    """Print the at-rest curve per 5 minutes; returns its spread after warm-up (max - min, MB).

    At rest, nothing is in flight: what RSS holds then is what the companion keeps between
    checks, so this is the curve that says whether it grows.
    """
    warm = [(t, r) for t, r in rest_rows if t >= args.warmup_minutes * 60]
    if not warm:
        print("at rest: no samples after warm-up")
        return 0.0
    spread = max(r for _, r in warm) - min(r for _, r in warm)
    print(f"at rest (nothing in flight, every {args.rest_every_s:g} s): {len(rest_rows)} samples; after warm-up "
          f"{min(r for _, r in warm):.1f}-{max(r for _, r in warm):.1f} MB, spread {spread:.1f} MB, "
          f"slope {slope_per_10_min(warm):+.2f} MB per 10 min")
    by_five: dict[int, list[float]] = {}
    for t, r in rest_rows:
        by_five.setdefault(int(t // 300), []).append(r)
    print("minutes   at-rest RSS MB (min-max)")
    for block, values in sorted(by_five.items()):
        print(f"{block * 5:>3}-{block * 5 + 5:<4}  {min(values):.1f}-{max(values):.1f}")
    return spread


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minutes", type=float, default=60.0, help="How long to drive the companion.")
    parser.add_argument("--rate", type=float, default=20.0, help="Checks a second, all threads together.")
    parser.add_argument("--threads", type=int, default=4, help="Client threads.")
    parser.add_argument("--image-share", type=float, default=0.03, help="Share of checks that carry a photo.")
    parser.add_argument("--decision-share", type=float, default=0.3, help="Share of checks followed by a decision.")
    parser.add_argument("--reload-every-s", type=float, default=180.0, help="Seconds between rule reloads.")
    parser.add_argument("--rest-every-s", type=float, default=60.0,
                        help="Seconds between 'at rest' samples (clients pause until nothing is in flight).")
    parser.add_argument("--sample-s", type=float, default=10.0, help="Seconds between RSS samples.")
    parser.add_argument("--warmup-minutes", type=float, help="Minutes not counted in the spread "
                        "(default: 5, or a quarter of a shorter run).")
    parser.add_argument("--csv", type=Path, default=Path("soak.csv"), help="Where the RSS samples go.")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--code", type=Path, default=REPO, help="Checkout whose companion to soak.")
    parser.add_argument("--server-env", action="append", default=[], metavar="K=V",
                        help="Extra environment for the companion (repeatable).")
    parser.add_argument("--max-growth-mb", type=float,
                        help="Exit 2 when the at-rest RSS after warm-up spreads more than this.")
    parser.add_argument("--trace-dir", type=Path, help="Run the companion under bench/soak_trace.py and have it "
                        "dump its memory figures (and, with SOAK_TRACE_FRAMES=N, tracemalloc) at each rest.")
    args = parser.parse_args()
    if args.warmup_minutes is None:
        args.warmup_minutes = min(5.0, args.minutes / 4)
    work = Path(tempfile.mkdtemp(prefix="postguard-soak-"))
    data_dir, log_path, env = work / "data", work / "server.log", server_env(args)
    proc, base, ready_s = start_server(args, data_dir, log_path, env)
    tally, stop, rows, loads = Tally(), threading.Event(), [], [os.getloadavg()[0]]
    gate, rest_rows = RestGate(), []
    try:
        reloader = Reloader(args.code, work, data_dir, companion_command(args), env, log_path)
        pacer, started = Pacer(args.rate), time.monotonic()
        sampler = threading.Thread(target=sample_loop, args=(proc.pid, args, tally, stop, rows, started))
        sampler.start()
        clients = [threading.Thread(target=client_loop, daemon=True,
                                    args=(base, PostMaker(random.Random(args.seed * 100 + i), i), random.Random(i),
                                          args, tally, pacer, stop, gate)) for i in range(args.threads)]
        for client in clients:
            client.start()
        next_reload, end = started + args.reload_every_s, started + args.minutes * 60
        next_rest = started + args.rest_every_s
        while time.monotonic() < end and proc.poll() is None:
            time.sleep(1)
            loads.append(os.getloadavg()[0])
            if time.monotonic() >= next_reload:
                reloader.reload(random.Random(len(loads)), tally)
                next_reload += args.reload_every_s
            if time.monotonic() >= next_rest:
                dump = (lambda n=len(rest_rows): trace_dump(proc.pid, args.trace_dir, n)) if args.trace_dir else None
                rest_rss = gate.rest(proc.pid, at_rest=dump)
                if rest_rss is not None:
                    rest_rows.append((round(time.monotonic() - started), round(rest_rss, 1)))
                    write_rest_csv(args.csv, rest_rows)
                next_rest += args.rest_every_s
        stop.set()
        for thread in clients + [sampler]:
            thread.join(90)
        crashed = proc.poll() is not None
    finally:
        stop.set()
        proc.terminate()
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            proc.kill()
    log = log_path.read_text(errors="replace")
    summary(args, rows, tally, ready_s, loads)
    spread = rest_summary(args, rest_rows)
    internal = log.count("internal error")
    print(f"samples: {args.csv}; server log: {log_path} ({internal} internal errors"
          f"{', the companion exited early' if crashed else ''})")
    if crashed or internal or any(tally.errors.values()):
        sys.exit(1)
    if args.max_growth_mb is not None and spread > args.max_growth_mb:
        sys.exit(2)


if __name__ == "__main__":
    main()
