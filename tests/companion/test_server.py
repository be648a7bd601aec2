"""A real `postguard serve` process, reached over real HTTP, as the extension and curl reach it.

Start-to-ready is printed (the 5 s target belongs to bench/, this only guards against a
hang); the server must listen on loopback only, refuse to bind elsewhere, keep every
acknowledged event through `kill -9`, and never write the post text to its log.
"""

from __future__ import annotations

import base64
import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import images
import pytest

from companion.errors import PORT_TAKEN

POSTGUARD = str(Path(sys.executable).parent / "postguard")
READY_LIMIT_S = 120.0  # a loaded CI machine; the ready time itself is measured in bench/
MARKER = "WOMBATHEXAGON4417"
MAX_BODY = 1_000_000


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict:
    """The environment without the developer's POSTGUARD_* settings, and with OCR and text budgets
    a loaded CI machine does not run out of (speed is measured in bench/, not here; the tests of
    the budgets pass their own)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTGUARD_")}
    env["POSTGUARD_OCR_BUDGET_S"] = "30"
    env["POSTGUARD_CHECK_BUDGET_S"] = "30"
    env.update(extra)
    return env


def request(port: int, method: str, path: str, body=None, headers=None, host: str = "127.0.0.1",
            timeout: float = 60):
    """(status, headers, parsed JSON or raw bytes) of one HTTP request to the server."""
    data = body if isinstance(body, bytes) or body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"http://{host}:{port}{path}", data=data, method=method)
    if data is not None:
        req.add_header("Content-Type", "application/json")
    for name, value in (headers or {}).items():
        req.add_header(name, value)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            status, hdrs, raw = resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as err:
        status, hdrs, raw = err.code, dict(err.headers), err.read()
    try:
        return status, hdrs, json.loads(raw)
    except ValueError:
        return status, hdrs, raw


class Server:
    """A running `postguard serve` and where its log goes."""

    def __init__(self, port: int, data_dir: Path, log_path: Path, process: subprocess.Popen, ready_s: float):
        self.port, self.data_dir, self.log_path, self.process, self.ready_s = \
            port, data_dir, log_path, process, ready_s

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def post(self, path: str, body, **kw):
        return request(self.port, "POST", path, body, **kw)

    def get(self, path: str, **kw):
        return request(self.port, "GET", path, **kw)


# How often a start on a port picked here is tried again on another, when another program took
# the port before the server bound it (it says so with companion.errors.PORT_TAKEN).
PORT_ATTEMPTS = 3


@contextmanager
def running_server(tmp: Path, *extra_args: str, env: dict | None = None):
    """Start `postguard serve`, wait until it is ready and /v1/health answers 200, stop it afterwards.

    The port is picked here, and the server binds it only once its engines are loaded, seconds
    later: another program on the machine may take it meanwhile. Then the server says so and
    exits, and it is started again on another port; and it counts as ready only once its own log
    names the port, so whatever else answers there is never taken for it."""
    data_dir, log_path = tmp / "data", tmp / "server.log"
    started = time.perf_counter()
    for _ in range(PORT_ATTEMPTS):
        port = free_port()
        with log_path.open("wb") as log:
            process = subprocess.Popen([POSTGUARD, "serve", "--port", str(port), "--data-dir", str(data_dir),
                                        *extra_args], stdout=log, stderr=subprocess.STDOUT,
                                       env=env or clean_env())
        try:
            if _wait_until_ready(process, port, log_path, started):
                break
        except BaseException:
            _stop(process)
            raise
    else:
        pytest.fail(f"the port was taken {PORT_ATTEMPTS} times in a row:\n{log_path.read_text()}")
    try:
        ready_s = time.perf_counter() - started
        print(f"\npostguard serve: start to ready {ready_s:.2f} s")
        yield Server(port, data_dir, log_path, process, ready_s)
    finally:
        _stop(process)


def _wait_until_ready(process: subprocess.Popen, port: int, log_path: Path, started: float) -> bool:
    """True once the server says it is ready on `port` and answers there; False when it exited
    because the port was taken; a failed test for anything else."""
    ready_line = f"ready on http://127.0.0.1:{port} "
    while True:
        if process.poll() is not None:
            if PORT_TAKEN in log_path.read_text(errors="replace"):
                return False
            pytest.fail(f"server exited with {process.returncode}:\n{log_path.read_text()}")
        if time.perf_counter() - started > READY_LIMIT_S:
            pytest.fail(f"server not ready after {READY_LIMIT_S} s:\n{log_path.read_text()}")
        try:
            if ready_line in log_path.read_text(errors="replace") and \
                    request(port, "GET", "/v1/health", timeout=2)[0] == 200:
                return True
        except OSError:
            pass
        time.sleep(0.1)


def _stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        process.terminate()
        try:
            process.wait(10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    env = clean_env(POSTGUARD_MAX_REQUEST_BYTES=str(MAX_BODY))
    with running_server(tmp_path_factory.mktemp("serve"), env=env) as srv:
        yield srv


def test_server_is_ready_in_reasonable_time(server):
    assert server.ready_s < READY_LIMIT_S
    assert f"ready on http://127.0.0.1:{server.port}" in server.log()


def test_audit_token_names_the_port_the_companion_serves(server):
    """Started with --port (not 7717): `audit token` sends the reviewer to that port."""
    token = subprocess.run([POSTGUARD, "audit", "token", "--data-dir", str(server.data_dir)], capture_output=True,
                           text=True, timeout=60, env=clean_env(), check=True)
    assert f"sign in at http://127.0.0.1:{server.port}/audit" in token.stderr
    assert sign_in(server.port, token.stdout.strip())[0] == 303


def test_check_over_real_http(server):
    status, headers, body = server.post("/v1/check", {"text": "Deal closed: USD 0.42/pc FOB Ningbo", "platform": "linkedin"})
    assert status == 200 and headers["Content-Type"] == "application/json"
    assert body["verdict"] == "warn"
    assert [f["excerpt"] for f in body["findings"]] == ["USD 0.**/pc FOB Ningbo"]
    status, _, body = server.post("/v1/check", {"text": "wifi password: Sunflower#2024"},
                                  headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert status == 200 and body["verdict"] == "block"
    assert "密码" in body["findings"][0]["message"]


def test_image_check_over_real_http(server):
    image, _ = images.render_quotation_sheet()
    attachment = {"name": "q.png", "mime": "image/png", "data": base64.b64encode(images.to_png(image)).decode()}
    status, _, body = server.post("/v1/check", {"text": "", "images": [attachment]})
    assert status == 200
    assert any(f["category"] == "pricing" and f["source"] == "image" and f["bbox"] for f in body["findings"])


def test_oversized_body_gets_the_json_413_envelope(server):
    status, _, body = server.post("/v1/check", {"text": MARKER * (MAX_BODY // len(MARKER) + 10)})
    assert status == 413
    assert body == {"error": {"code": "payload_too_large", "message": body["error"]["message"]}}


def test_rebinding_host_and_web_origin_are_refused_over_real_http(server):
    status, headers, body = server.post("/v1/check", {"text": MARKER}, headers={"Host": "evil.com"})
    assert status == 403 and body["error"]["code"] == "bad_host"
    status, headers, body = server.post("/v1/check", {"text": MARKER}, headers={"Origin": "https://www.linkedin.com"})
    assert status == 403 and "Access-Control-Allow-Origin" not in headers
    status, headers, _ = server.get("/v1/health", headers={"Origin": "chrome-extension://lgpmbmmgjnablpheopbbjncokjbhohij"})
    assert status == 200
    assert headers["Access-Control-Allow-Origin"] == "chrome-extension://lgpmbmmgjnablpheopbbjncokjbhohij"


def test_wrong_methods_are_405_with_allow_over_real_http(server):
    for method, path, allowed in [("POST", "/v1/health", "GET, HEAD, OPTIONS"),
                                  ("TRACE", "/v1/check", "OPTIONS, POST")]:
        status, headers, body = request(server.port, method, path, body=b"x",
                                        headers={"Content-Type": "text/plain"})
        assert status == 405 and body["error"]["code"] == "method_not_allowed"
        assert sorted(m.strip() for m in headers["Allow"].split(",")) == sorted(allowed.split(", "))


def sign_in(port: int, token: str) -> tuple[int, dict, str]:
    """One sign-in form post to /audit/login as the browser sends it; redirects are not followed."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request("POST", "/audit/login", body=urllib.parse.urlencode({"token": token}),
                           headers={"Content-Type": "application/x-www-form-urlencoded",
                                    "Origin": f"http://127.0.0.1:{port}"})
        response = connection.getresponse()
        return response.status, dict(response.headers), response.read().decode("utf-8")
    finally:
        connection.close()


def sign_in_once_the_pause_is_over(port: int, token: str, timeout_s: float = 60.0):
    """Sign in with `token`, again while the answer is 429: during a pause every try, the right
    token included, is refused unchecked and unlogged, so retrying changes nothing but the time."""
    deadline = time.monotonic() + timeout_s
    while True:
        status, headers, page = sign_in(port, token)
        if status != 429:
            return status, headers, page
        assert time.monotonic() < deadline, "sign-in still paused after a minute"
        time.sleep(0.1)


def test_review_sign_in_is_throttled_over_real_http(server):
    """A script sending wrong admin tokens: after five it must wait, told how long in the page
    and in Retry-After; the log gets one line for the pause, never a token; then the right
    token gets in."""
    token = _audit(server.data_dir, "token").stdout.strip()
    wrong = "WRONGTOKEN" + MARKER + "x" * 30
    answers = [sign_in(server.port, wrong) for _ in range(6)]
    assert [a[0] for a in answers] == [401] * 5 + [429]
    status, headers, page = answers[5]
    assert headers["Retry-After"] == "1"
    assert "wait 1 second, then sign in again" in " ".join(page.split())
    status, headers, _ = sign_in_once_the_pause_is_over(server.port, token)
    assert status == 303 and "postguard_review=" in headers.get("Set-Cookie", "")
    log = server.log()
    assert log.count("sign-in with a wrong admin token") == 5 and log.count("sign-in paused for 1 s") == 1
    assert MARKER not in log and token not in log


def non_loopback_addresses() -> list[str]:
    """This machine's IPv4 addresses other than 127.x (the ones a LAN neighbour would use)."""
    found = set()
    try:
        with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
            probe.connect(("192.0.2.1", 9))  # no packet is sent; this only picks the outgoing interface
            found.add(probe.getsockname()[0])
    except OSError:
        pass
    try:
        out = subprocess.run(["hostname", "-I"], capture_output=True, text=True, timeout=5).stdout
        found.update(a for a in out.split() if "." in a)
    except (OSError, subprocess.SubprocessError):
        pass
    return sorted(a for a in found if not a.startswith("127.") and a != "0.0.0.0")


def test_listens_on_loopback_only(server):
    addresses = non_loopback_addresses()
    if not addresses:
        pytest.skip("this machine has no non-loopback IPv4 address")
    for address in addresses:
        with socket.socket() as sock:
            sock.settimeout(3)
            with pytest.raises(OSError):
                sock.connect((address, server.port))
    with socket.create_connection(("127.0.0.1", server.port), timeout=3):
        pass


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.20", "::"])
def test_binding_beyond_loopback_is_refused(tmp_path, host):
    port = free_port()
    result = subprocess.run([POSTGUARD, "serve", "--host", host, "--port", str(port), "--data-dir",
                             str(tmp_path / "data")], capture_output=True, text=True, timeout=60, env=clean_env())
    assert result.returncode != 0
    assert "--host" in result.stderr and "loopback" in result.stderr
    assert "Traceback" not in result.stderr
    with socket.socket() as sock, pytest.raises(OSError):
        sock.settimeout(2)
        sock.connect(("127.0.0.1", port))


def test_server_log_never_holds_the_post_text(tmp_path):
    """What the server writes after answering (audit listeners, alerts) counts too, so the log
    is read once the server has stopped: then it holds everything it will ever write."""
    with running_server(tmp_path) as server:
        texts = [f"Secret deal with {MARKER}: USD 0.42/pc FOB Ningbo, mail {MARKER.lower()}@example.com",
                 f"wifi password: {MARKER}"]
        for text in texts:
            assert server.post("/v1/check", {"text": text})[0] == 200
        server.post("/v1/check", ('{"text": "' + MARKER).encode())
        server.post("/v1/check", {"text": MARKER, "images": [{"mime": "image/png",
                                                              "data": base64.b64encode(MARKER.encode()).decode()}]})
        server.post("/v1/check", {"text": MARKER}, headers={"Host": "evil.com"})
        server.process.terminate()
        assert server.process.wait(30) is not None
    log = server.log()
    assert "ready on" in log, "the log is captured at all"
    assert MARKER not in log and MARKER.lower() not in log


def _audit(data_dir: Path, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([POSTGUARD, "audit", *args, "--data-dir", str(data_dir)], capture_output=True,
                          text=True, timeout=120, env=clean_env())


def test_acknowledged_events_survive_kill_9(tmp_path):
    count = 15
    with running_server(tmp_path) as srv:
        scan_ids = []
        for i in range(count):
            status, _, body = srv.post("/v1/check", {"text": f"Order {i}: USD 0.{i:02d}/pc FOB Ningbo",
                                                     "platform": "facebook"})
            assert status == 200 and body["audited"] is True
            scan_ids.append(body["scan_id"])
            status, _, _ = srv.post("/v1/decision", {"scan_id": body["scan_id"], "action": "edited"})
            assert status == 200
        os.kill(srv.process.pid, signal.SIGKILL)
        srv.process.wait(10)
        assert srv.process.returncode == -signal.SIGKILL

    listed = _audit(srv.data_dir, "list", "--limit", "1000")
    assert listed.returncode == 0, listed.stderr
    for scan_id in scan_ids:
        assert sum(scan_id in line for line in listed.stdout.splitlines()) == 2, scan_id
    exported = _audit(srv.data_dir, "export", "--format", "jsonl")
    events = [json.loads(line) for line in exported.stdout.splitlines()]
    assert [e["kind"] for e in events] == ["check", "decision"] * count
    assert [e["scan_id"] for e in events if e["kind"] == "check"] == scan_ids
    verified = _audit(srv.data_dir, "verify")
    assert verified.returncode == 0, verified.stderr
    assert f"chain OK: {2 * count} events" in verified.stdout


def _ipv6_loopback_available() -> bool:
    try:
        with socket.socket(socket.AF_INET6) as sock:
            sock.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback_available(), reason="no IPv6 loopback on this machine")
def test_ipv6_loopback_server_answers_its_own_address(tmp_path):
    port, log_path = free_port(), tmp_path / "server6.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen([POSTGUARD, "serve", "--host", "::1", "--port", str(port), "--data-dir",
                                    str(tmp_path / "data")], stdout=log, stderr=subprocess.STDOUT, env=clean_env())
    try:
        deadline = time.perf_counter() + READY_LIMIT_S
        while True:
            assert process.poll() is None, log_path.read_text()
            try:
                if request(port, "GET", "/v1/health", host="[::1]", timeout=2)[0] == 200:
                    break
            except OSError:
                pass
            assert time.perf_counter() < deadline, log_path.read_text()
            time.sleep(0.1)
        status, _, body = request(port, "POST", "/v1/check", {"text": "USD 0.42/pc FOB Ningbo"},
                                  host="[::1]", timeout=60)
        assert status == 200 and body["verdict"] == "warn"
    finally:
        process.terminate()
        process.wait(10)


def test_second_server_on_a_taken_port_says_so(server, tmp_path):
    result = subprocess.run([POSTGUARD, "serve", "--port", str(server.port), "--data-dir", str(tmp_path / "data")],
                            capture_output=True, text=True, timeout=120, env=clean_env())
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert f"cannot listen on 127.0.0.1:{server.port}" in result.stderr
    assert "already running" in result.stderr
    assert server.get("/v1/health")[0] == 200, "the first companion keeps serving"


def test_parallel_checks_are_all_answered_and_audited(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    texts = [f"Order {i}: USD 1.{i:02d}/pc FOB Ningbo" if i % 2 else f"Hello number {i}" for i in range(16)]
    with running_server(tmp_path) as srv:
        with ThreadPoolExecutor(8) as pool:
            answers = list(pool.map(lambda t: srv.post("/v1/check", {"text": t}), texts))
    assert [a[0] for a in answers] == [200] * len(texts)
    assert [a[2]["verdict"] for a in answers] == ["allow", "warn"] * (len(texts) // 2)
    exported = _audit(srv.data_dir, "export", "--format", "jsonl")
    assert sorted(json.loads(line)["scan_id"] for line in exported.stdout.splitlines()) == \
        sorted(a[2]["scan_id"] for a in answers)
    assert _audit(srv.data_dir, "verify").returncode == 0
