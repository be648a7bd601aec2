"""Benchmark: the real companion process, as the extension meets it.

Starts `postguard serve` on a free port and measures:
- start to ready (GET /v1/health answers 200; target <= 5 s);
- POST /v1/check latency for a 3,000-character post (p50/p95 over HTTP);
- POST /v1/check latency for a 12-megapixel phone photo of a quote (target p95 <= 3 s);
- the companion's resident memory after those checks (target <= 350 MB).

Run: .venv/bin/python bench/bench_server.py [--photos 8] [--posts 40]
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "tests" / "companion"))

import images  # noqa: E402  (the test image renderer)
from serving import wait_until_ready  # noqa: E402  (bench/ is the script's own folder)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def post(url: str, body: dict) -> dict:
    request = urllib.request.Request(url, json.dumps(body).encode(), {"Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as response:
        return json.load(response)


def rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def p95(samples: list[float]) -> float:
    ordered = sorted(samples)
    return ordered[max(0, int(len(ordered) * 0.95) - 1)]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--photos", type=int, default=8)
    parser.add_argument("--posts", type=int, default=40)
    args = parser.parse_args()
    port = free_port()
    data_dir = tempfile.mkdtemp()
    env = {**os.environ, "OMP_THREAD_LIMIT": "1"}
    started = time.perf_counter()
    proc = subprocess.Popen([str(REPO / ".venv/bin/postguard"), "serve", "--port", str(port),
                             "--data-dir", data_dir], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                            env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        ready_s = wait_until_ready(proc, base, started, limit_s=60)
        text = ("Great week at the Canton Fair, thanks to all visitors of Hall 11.2! " * 45)[:2950]
        text += " USD 0.42/pc FOB Ningbo"
        text_ms = []
        for _ in range(args.posts):
            t = time.perf_counter()
            post(base + "/v1/check", {"text": text, "platform": "linkedin"})
            text_ms.append((time.perf_counter() - t) * 1000)
        photo_jpeg, _ = images.render_phone_photo_12mp()
        data = base64.b64encode(photo_jpeg).decode()
        photo_s, incomplete = [], 0
        for _ in range(args.photos):
            t = time.perf_counter()
            result = post(base + "/v1/check", {"text": "", "platform": "instagram",
                                               "images": [{"name": "quote.jpg", "mime": "image/jpeg",
                                                           "data": data}]})
            photo_s.append(time.perf_counter() - t)
            incomplete += result["ocr_incomplete"]
        memory = rss_mb(proc.pid)
    finally:
        proc.kill()
        proc.wait()
    print(f"start to ready: {ready_s:.2f} s")
    print(f"text check over HTTP (3,000 chars): p50 {statistics.median(text_ms):.1f} ms  "
          f"p95 {p95(text_ms):.1f} ms")
    print(f"12 MP photo check over HTTP: p50 {statistics.median(photo_s):.2f} s  p95 {p95(photo_s):.2f} s  "
          f"(OCR incomplete in {incomplete}/{len(photo_s)})  (4000x3000 JPEG, {len(photo_jpeg) // 1024} KB)")
    print(f"companion RSS after the checks: {memory:.0f} MB")


if __name__ == "__main__":
    main()
