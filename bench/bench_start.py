"""Benchmark: `postguard serve` from start to ready, with the example org and with 100,000 clients.

"Ready" is what a salesperson needs after a restart, measured from the moment the process is
started:
- `health`: GET /v1/health answers 200 with status "ok" (the port is bound only after the
  engine, the org lists and the red-line model are loaded);
- `found`: a POST /v1/check of a post that names a client from the list is answered with
  that client's finding (rule `client.named`): the list really is in use, not still loading.
And the companion's RSS once it has answered.

Each checkout (`--code`, repeatable; a baseline worktree and this one) starts in turn with each
org, round after round, so a load spike hits them alike. A start with an empty data dir
(`cold`: nothing cached from an earlier start) alternates with a start that reuses the data dir
of the cold one before it (`warm`: whatever the companion cached on disk is there, as on every
restart after the first with the same lists). With `--prepared`, a third start uses a new data dir
that `postguard rules prepare` filled first (`prepared`: the first start after an install or a list
change when the installer or `postguard rules install` prepared it; the time `prepare` took is
printed, not counted); checkouts without that command skip it. The load average is printed at the
start and end.

The companion's own bytecode is compiled before the first start, as `pip install` (or the first
start of an editable install) leaves it; `--no-bytecode` compiles every module from source at every
start instead (what PYTHONDONTWRITEBYTECODE=1 in the environment does: about 85 modules).

CPU to health is the companion's own; "with child processes" adds the process a first start may
build a long client list in (detection/client_prebuild.py), which runs on another core.

Run: .venv/bin/python bench/bench_start.py [--rounds 5] [--clients 100000] [--long-list-only] [--prepared]
     [--code /tmp/pg-baseline --code .]   a baseline worktree and this checkout, side by side
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))

from bench_text import write_clients  # noqa: E402  (the same 100,000 generated names)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _get_json(url: str, body: dict | None = None) -> dict | None:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data, {"Content-Type": "application/json"} if data else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return json.load(response)
    except OSError:
        return None


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_start(code: Path, org_dir: Path, data_dir: Path, client: str, bytecode: bool, limit_s: float = 120.0) -> dict:
    """Start `postguard serve` from checkout `code`; seconds to a healthy answer and to the client found."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**os.environ, "PYTHONPATH": str(code), "OMP_THREAD_LIMIT": "1"}
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    else:
        env["PYTHONDONTWRITEBYTECODE"] = "1"
    command = [sys.executable, "-c", "from companion.cli import main; main()", "serve", "--port", str(port),
               "--org", str(org_dir), "--data-dir", str(data_dir)]
    post = {"text": f"Signed the yearly order with {client} at the fair today, thanks to the team!",
            "platform": "linkedin"}
    started = time.perf_counter()
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env, cwd=code)
    try:
        health_s = found_s = None
        while found_s is None:
            if time.perf_counter() - started > limit_s or proc.poll() is not None:
                raise SystemExit(f"{code}: the companion did not become ready with {org_dir.name}")
            if health_s is None:
                answer = _get_json(base + "/v1/health")
                if answer and answer.get("status") == "ok":
                    health_s = time.perf_counter() - started
                    health_cpu, health_cpu_all = cpu_s(proc.pid), cpu_s(proc.pid, children=True)
            if health_s is not None:
                answer = _get_json(base + "/v1/check", post)
                if answer and any(f.get("rule") == "client.named" for f in answer.get("findings", ())):
                    found_s = time.perf_counter() - started
                elif answer is not None:
                    raise SystemExit(f"{code}: ready, but the check did not find the client ({org_dir.name})")
            if found_s is None:
                time.sleep(0.02)
        memory = rss_mb(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    return {"health_s": health_s, "found_s": found_s, "cpu_s": health_cpu, "cpu_all_s": health_cpu_all,
            "rss_mb": memory}


def can_prepare(code: Path) -> bool:
    """Whether checkout `code` has `postguard rules prepare`."""
    rules = code / "companion" / "cli" / "rules.py"
    return rules.exists() and "def rules_prepare" in rules.read_text(encoding="utf-8")


def prepare(code: Path, org_dir: Path, data_dir: Path, bytecode: bool) -> float:
    """`postguard rules prepare` into `data_dir`, as an installer runs it; seconds it took."""
    env = {**os.environ, "PYTHONPATH": str(code), "OMP_THREAD_LIMIT": "1"}
    if bytecode:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", "from companion.cli import main; main()", "rules", "prepare",
                    "--org", str(org_dir), "--data-dir", str(data_dir)], check=True, env=env, cwd=code,
                   stdout=subprocess.DEVNULL)
    return time.perf_counter() - started


def cpu_s(pid: int, children: bool = False) -> float:
    """User + system CPU seconds the process has used so far (all its threads); with `children`, also
    the processes it started and waited for (a long client list built beside the start)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    ticks = int(fields[11]) + int(fields[12]) + (int(fields[13]) + int(fields[14]) if children else 0)
    return ticks / os.sysconf("SC_CLK_TCK")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95 + 0.5) - 1)]


def make_orgs(work: Path, clients: int) -> dict[str, tuple[Path, str]]:
    """The example org as shipped, and the same with `clients` generated clients; a client to look for in each."""
    example = REPO / "rules" / "org" / "example"
    big = work / f"org-{clients // 1000}k"
    shutil.copytree(example, big)
    names = write_clients(big / "clients.csv", clients, random.Random(7))
    first_example = (example / "clients.csv").read_text(encoding="utf-8").splitlines()[1].split(",")[0]
    return {"example": (example, first_example), f"{clients // 1000}k clients": (big, names[len(names) // 2])}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--code", action="append", type=Path, help="checkout to start (repeatable; default: this one)")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--long-list-only", action="store_true",
                        help="start only with the long client list, not also with the example org")
    parser.add_argument("--prepared", action="store_true",
                        help="also start once with a data dir that `postguard rules prepare` filled first")
    parser.add_argument("--no-bytecode", action="store_true",
                        help="compile the companion's sources at every start (PYTHONDONTWRITEBYTECODE=1, no "
                             "__pycache__), instead of starting as an installed companion does")
    args = parser.parse_args()
    codes = [c.resolve() for c in (args.code or [REPO])]
    if not args.no_bytecode:  # what pip (or a first start) leaves: the companion's bytecode is there
        for code in codes:
            subprocess.run([sys.executable, "-m", "compileall", "-q", str(code / "companion")], check=True,
                           env={k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"})
    work = Path(tempfile.mkdtemp(prefix="pg-bench-start-"))
    orgs = make_orgs(work, args.clients)
    if args.long_list_only:
        orgs.pop("example")
    samples: dict[tuple, list[dict]] = {}
    load_start = os.getloadavg()
    for round_no in range(args.rounds):
        for org_name, (org_dir, client) in orgs.items():
            for code in codes:
                data_dir = work / f"data-{round_no}-{codes.index(code)}-{org_name.split()[0]}"
                kinds = ("cold", "warm", "prepared") if args.prepared and can_prepare(code) else ("cold", "warm")
                for cache in kinds:  # warm: the same data dir again, after the cold start
                    if cache == "prepared":
                        data_dir = data_dir.with_name(data_dir.name + "-prepared")
                        print(f"  prepare: {prepare(code, org_dir, data_dir, not args.no_bytecode):.2f} s", flush=True)
                    result = one_start(code, org_dir, data_dir, client, not args.no_bytecode)
                    samples.setdefault((code, org_name, cache), []).append(result)
                    print(f"round {round_no + 1} {code.name or code} {org_name} {cache}: health "
                          f"{result['health_s']:.2f} s, client found {result['found_s']:.2f} s, "
                          f"CPU to health {result['cpu_s']:.2f} s ({result['cpu_all_s']:.2f} s with child processes), "
                          f"RSS {result['rss_mb']:.0f} MB  (load {os.getloadavg()[0]:.1f})", flush=True)
    load_end = os.getloadavg()
    shutil.rmtree(work, ignore_errors=True)
    print(f"\nload average at the start {load_start[0]:.1f} / {load_start[1]:.1f} (1/5 min), at the end "
          f"{load_end[0]:.1f} / {load_end[1]:.1f}; {os.cpu_count()} cores; {args.rounds} rounds; "
          f"{'sources compiled at every start' if args.no_bytecode else 'bytecode compiled beforehand'}")
    print(f"{'checkout':<28} {'org':<14} {'cache':<5} {'health p50/p95 s':>17} {'client found p50/p95 s':>23} "
          f"{'CPU p50 s':>10} {'+children':>10} {'after health p50 s':>19} {'RSS max MB':>11}")
    for (code, org_name, cache), runs in samples.items():
        health = [r["health_s"] for r in runs]
        found = [r["found_s"] for r in runs]
        print(f"{str(code)[-28:]:<28} {org_name:<14} {cache:<5} {statistics.median(health):8.2f} / "
              f"{p95(health):5.2f} {statistics.median(found):13.2f} / {p95(found):5.2f} "
              f"{statistics.median(r['cpu_s'] for r in runs):10.2f} "
              f"{statistics.median(r['cpu_all_s'] for r in runs):10.2f} "
              f"{statistics.median(r['found_s'] - r['health_s'] for r in runs):19.2f} "
              f"{max(r['rss_mb'] for r in runs):11.0f}")


if __name__ == "__main__":
    main()
