"""A real `postguard central serve` on loopback over the session's PostgreSQL, for the central
service's tests: key files, an account, an enrollment code, and the server process itself."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import requests

from sink_servers import free_port, wait_for_port

from companion.errors import PORT_TAKEN

POSTGUARD = str(Path(sys.executable).parent / "postguard")
PASSWORD = "correct horse battery staple"


def cli_env(**extra: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("POSTGUARD_")}
    env.update(extra)
    return env


def postguard(*args: str, env: dict | None = None, check: bool = True) -> subprocess.CompletedProcess:
    return subprocess.run([POSTGUARD, *args], capture_output=True, text=True, timeout=120, env=env or cli_env(),
                          check=check)


# How often a start on a port picked here is tried again on another, when another program took
# the port before the server bound it (it says so with companion.errors.PORT_TAKEN).
PORT_ATTEMPTS = 3


class Central:
    """A running central service: its URL, database, key dir, and how to stop or kill it."""

    def __init__(self, db_url: str, key_dir: Path, log_path: Path, port: int | None = None,
                 retention_days: int = 30, env: dict | None = None):
        self.db_url, self.key_dir, self.log_path, self.retention_days = db_url, key_dir, log_path, retention_days
        self.env = {"POSTGUARD_CENTRAL_SECURE_COOKIES": "false", **(env or {})}
        self.port_picked_here = port is None
        self.port = port or free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process: subprocess.Popen | None = None

    def start(self) -> "Central":
        """Start the service and wait until it serves on its port: its own output names the port
        and the port takes connections (whatever else listens there is never taken for it).

        The service binds only once its app is built, and another program may take a port picked
        here meanwhile: then the service says so and exits, and a first start goes again on another
        port. A restart keeps its port, as behind a load balancer."""
        attempts = PORT_ATTEMPTS if self.port_picked_here and self.process is None else 1
        for _ in range(attempts):
            since = self.log_path.stat().st_size if self.log_path.exists() else 0
            with self.log_path.open("ab") as log:
                self.process = subprocess.Popen(
                    [POSTGUARD, "central", "serve", "--db", self.db_url, "--port", str(self.port),
                     "--key-dir", str(self.key_dir)], stdout=log, stderr=subprocess.STDOUT,
                    env=cli_env(POSTGUARD_CENTRAL_APPROVAL_RETENTION_DAYS=str(self.retention_days), **self.env))
            if self._serving(since):
                return self
            if PORT_TAKEN not in self._output_since(since):
                break
            self.port = free_port()
            self.url = f"http://127.0.0.1:{self.port}"
        raise AssertionError(f"the central service did not start on port {self.port}:\n"
                             f"{self._output_since(since)[-3000:]}")

    def _serving(self, since: int, timeout_s: float = 60.0) -> bool:
        """True once this process says it serves on the port and the port takes connections; False
        when it exited or did not get there within `timeout_s`."""
        ready_line = f"central service on {self.url} "
        deadline = time.monotonic() + timeout_s
        while time.monotonic() < deadline and self.process.poll() is None:
            if ready_line in self._output_since(since):
                wait_for_port(self.port, max(1.0, deadline - time.monotonic()))
                return True
            time.sleep(0.05)
        return False

    def stop(self, sig: int = signal.SIGTERM) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(sig)
            self.process.wait(20)

    def log(self) -> str:
        return self.log_path.read_text(encoding="utf-8", errors="replace")

    def _output_since(self, since: int) -> str:
        """What the log gained from byte `since` on (it is appended to across restarts)."""
        return self.log_path.read_bytes()[since:].decode("utf-8", errors="replace")

    def enroll_code(self, uses: int = 1, days: float = 7) -> str:
        done = postguard("central", "enroll-code", "--db", self.db_url, "--label", "test rollout",
                         "--uses", str(uses), "--days", str(days))
        return done.stdout.strip()

    def account(self, name: str, role: str = "reviewer") -> None:
        postguard("central", "user", "set", name, "--role", role, "--db", self.db_url,
                  env=cli_env(POSTGUARD_CENTRAL_PASSWORD=PASSWORD))

    def session(self, name: str, password: str = PASSWORD) -> requests.Session:
        """A browser-like session signed in as `name`."""
        session = requests.Session()
        response = self.sign_in(session, name, password)
        assert response.status_code == 303, response.text
        return session

    def sign_in(self, session: requests.Session, name: str, password: str) -> requests.Response:
        form = session.get(f"{self.url}/signin", timeout=30)
        return session.post(f"{self.url}/signin", data={"username": name, "password": password,
                                                         "csrf_token": csrf_of(form.text), "next": "/approvals"},
                            allow_redirects=False, timeout=30)


def csrf_of(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@contextmanager
def running_central(db_url: str, tmp: Path, retention_days: int = 30, env: dict | None = None):
    key_dir = tmp / "central-keys"
    postguard("central", "keygen", "--key-dir", str(key_dir))
    postguard("central", "init-db", "--db", db_url)
    central = Central(db_url, key_dir, tmp / "central.log", retention_days=retention_days, env=env).start()
    try:
        yield central
    finally:
        central.stop()


def wait_until(condition, timeout_s: float = 60.0, what: str = "condition"):
    """Poll `condition` until it returns something truthy; fail naming `what` after the timeout."""
    deadline = time.monotonic() + timeout_s
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.05)
