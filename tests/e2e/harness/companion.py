"""Starting the real companion (`postguard serve`) for end-to-end runs, and free-port helpers.

The extension under test talks to a real companion process — the same console script a salesperson
runs — on a port of the test's choosing with a throw-away data directory (its audit store), so every test
can read back which decisions reached the audit log.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from companion.errors import PORT_TAKEN

from .chromium import REPO_ROOT

# A shared CI machine can be slow enough to cut a photo's OCR at the default 2.5 s budget; these
# tests are about what the user sees, not speed (bench/ measures that). 15 s stays under the
# extension's 20 s wait for a check with photos.
TEST_ENV = {"POSTGUARD_OCR_BUDGET_S": "15"}
COMPANION_SCRIPT = REPO_ROOT / ".venv" / "bin" / "postguard"
STARTUP_TIMEOUT_S = 120.0  # spaCy and Presidio load on start; the machine is shared


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now (nothing will answer there)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class CompanionProcess:
    """A running `postguard serve`; `url` is its base URL, `log_path` collects its output."""

    process: subprocess.Popen
    port: int
    data_dir: Path
    log_path: Path

    @property
    def url(self) -> str:
        """Base URL, e.g. http://127.0.0.1:51234 (no trailing slash)."""
        return f"http://127.0.0.1:{self.port}"

    def health(self) -> dict | None:
        """The /v1/health body, or None while the companion does not answer 200."""
        try:
            with urllib.request.urlopen(f"{self.url}/v1/health", timeout=2) as response:
                return json.loads(response.read()) if response.status == 200 else None
        except (urllib.error.URLError, OSError, ValueError):
            return None

    def stop(self) -> None:
        """Terminate the process (only this one, by its own handle); idempotent."""
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


# How often a start on a port picked here is tried again on another, when another program took
# the port before the server bound it (it says so with companion.errors.PORT_TAKEN).
PORT_ATTEMPTS = 3


def start_companion(data_dir: Path, port: int | None = None, extra_args: tuple[str, ...] = (),
                    env: dict[str, str] | None = None, timeout_s: float = STARTUP_TIMEOUT_S) -> CompanionProcess:
    """Run `postguard serve --port P --data-dir D` and wait until it is ready on P and GET /v1/health
    answers 200.

    A port picked here (no `port` given) is bound by the companion only once its engines are
    loaded, seconds later, and another program on the machine may take it meanwhile: then the
    companion says so and exits, and it is started again on another port. It counts as ready only
    once its own output names the port, so whatever else answers there is never taken for it.
    Raises FileNotFoundError when the console script is not installed and RuntimeError (with the
    process output) when it exits or stays unhealthy.
    """
    if not COMPANION_SCRIPT.exists():
        raise FileNotFoundError(f"{COMPANION_SCRIPT} is not installed (pip install -e . in the repo's .venv)")
    data_dir.mkdir(parents=True, exist_ok=True)
    deadline = time.monotonic() + timeout_s
    for _ in range(1 if port else PORT_ATTEMPTS):
        companion = _launch(data_dir, port or free_port(), extra_args, env)
        if _ready(companion, deadline):
            return companion
        companion.stop()
        output = companion.log_path.read_text(errors="replace")
        if port or PORT_TAKEN not in output:
            break
    raise RuntimeError(f"companion did not become healthy on port {companion.port}:\n{output[-3000:]}")


def _launch(data_dir: Path, port: int, extra_args: tuple[str, ...], env: dict[str, str] | None) -> CompanionProcess:
    log_path = data_dir / "companion-output.log"
    with open(log_path, "wb") as log:
        process = subprocess.Popen(
            [str(COMPANION_SCRIPT), "serve", "--port", str(port), "--data-dir", str(data_dir), *extra_args],
            stdout=log, stderr=subprocess.STDOUT, cwd=REPO_ROOT, env={**os.environ, **TEST_ENV, **(env or {})},
        )
    return CompanionProcess(process, port, data_dir, log_path)


def _ready(companion: CompanionProcess, deadline: float) -> bool:
    """Whether the companion said it is ready on its port and answers there before `deadline`."""
    ready_line = f"ready on {companion.url} "
    while time.monotonic() < deadline:
        if companion.process.poll() is not None:
            return False
        if ready_line in companion.log_path.read_text(errors="replace") and companion.health() is not None:
            return True
        time.sleep(0.25)
    return False
