"""Fixtures for the end-to-end tests: replica server, Chromium (with or without the extension),
managed policy files and the real companion.

Typical extension test:

    def test_x(managed_policy, start_companion_process, launch_browser, open_site):
        companion = start_companion_process()
        managed_policy({"companionUrl": companion.url})        # before any browser starts
        context = launch_browser(extension=True)
        page = open_site(context, "linkedin")
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable, Iterator

import pytest
from playwright.sync_api import BrowserContext, Page, Playwright, Worker, expect, sync_playwright

from harness.certs import make_self_signed_certificate
from harness.chromium import EXTENSION_DIR, launch_chromium, open_replica, wait_for_service_worker
from harness.companion import CompanionProcess, free_port, start_companion
from harness.policy import ManagedPolicy, browser_policy_guard
from harness.replica_server import ReplicaServer

# `expect(...)` waits for the state it asserts; Playwright gives up after 5 s, which a loaded 2-core
# machine can spend rendering a page or answering the worker. The same generous wait as the tests'
# own waits for panels and notices (it passes as soon as the state holds, so it costs nothing).
expect.set_options(timeout=15_000)


@pytest.fixture(scope="session")
def replica_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReplicaServer]:
    """The HTTPS server behind www.linkedin.com / www.facebook.com / www.instagram.com for this session."""
    certificate = make_self_signed_certificate(tmp_path_factory.mktemp("replica-tls"))
    server = ReplicaServer(certificate).start()
    yield server
    server.stop()


@pytest.fixture(scope="session")
def pw() -> Iterator[Playwright]:
    """One Playwright driver for the session (Chromium itself is started per test)."""
    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture
def launch_browser(pw: Playwright, replica_server: ReplicaServer, tmp_path: Path) -> Iterator[Callable[..., BrowserContext]]:
    """Factory: `launch_browser(extension=False|True|Path, extra_args=(), locale="en-US", profile=None)` →
    a persistent context reaching the replicas at their real hostnames, in a fresh profile dir or in
    `profile` (a browser restarted on the same profile). Every context it made is closed at teardown.
    `extension=True` loads the repo's extension/ (skips if it is missing)."""
    contexts: list[BrowserContext] = []
    guards = []

    def launch(extension: bool | Path = False, extra_args: tuple[str, ...] = (), locale: str = "en-US",
               profile: Path | None = None) -> BrowserContext:
        extension_dir = EXTENSION_DIR if extension is True else (extension or None)
        if extension_dir is not None and not (Path(extension_dir) / "manifest.json").exists():
            pytest.skip(f"no extension to load: {extension_dir}/manifest.json is missing")
        guard = browser_policy_guard()
        guard.__enter__()
        guards.append(guard)
        profile = profile or tmp_path / f"profile-{len(contexts)}"
        context = launch_chromium(pw, profile, replica_server.host_resolver_rules(),
                                  Path(extension_dir) if extension_dir else None, extra_args, locale)
        contexts.append(context)
        return context

    yield launch
    for context in contexts:
        context.close()
    for guard in reversed(guards):
        guard.__exit__(None, None, None)


@pytest.fixture
def replica_browser(launch_browser: Callable[..., BrowserContext]) -> BrowserContext:
    """Chromium without any extension: the replicas exactly as a user without Postguard sees them."""
    return launch_browser(extension=False)


@pytest.fixture
def extension_browser(launch_browser: Callable[..., BrowserContext]) -> BrowserContext:
    """Chromium with the repo's unpacked extension loaded (write managed policy BEFORE requesting this)."""
    return launch_browser(extension=True)


@pytest.fixture
def extension_worker(extension_browser: BrowserContext) -> Worker:
    """The extension's service worker in `extension_browser`."""
    return wait_for_service_worker(extension_browser)


@pytest.fixture
def open_site(replica_server: ReplicaServer) -> Callable[[BrowserContext, str], Page]:
    """Factory: `open_site(context, "linkedin"|"facebook"|"instagram", path=None)` → a new tab on the
    replica at its real URL, returned once the page's app is built."""

    def open_(context: BrowserContext, site: str, path: str | None = None) -> Page:
        return open_replica(context, replica_server.url(site, path))

    return open_


@pytest.fixture
def managed_policy() -> Iterator[Callable[[dict], Path]]:
    """Factory: `managed_policy({"enforcement": "block", ...})` writes the extension's managed policy file
    (/etc/chromium/policies/managed, 3rdparty → extensions → ID) and returns its path; may be called again
    to change the values (then `reload_managed_policies(context)`). Removed at teardown."""
    policy = ManagedPolicy()
    yield policy.write
    policy.remove()


def _start_or_skip(data_dir: Path, port: int | None, extra_args: tuple[str, ...]) -> CompanionProcess:
    try:
        return start_companion(data_dir, port=port, extra_args=extra_args)
    except FileNotFoundError as missing:
        pytest.skip(f"companion not installed: {missing}")


@pytest.fixture(scope="session")
def companion(tmp_path_factory: pytest.TempPathFactory) -> Iterator[CompanionProcess]:
    """One real `postguard serve` for the session on a free port (shared audit store)."""
    process = _start_or_skip(tmp_path_factory.mktemp("companion-data"), None, ())
    yield process
    process.stop()


@pytest.fixture
def start_companion_process(tmp_path: Path) -> Iterator[Callable[..., CompanionProcess]]:
    """Factory: `start_companion_process(port=None, extra_args=())` → a fresh companion with its own data
    dir, for tests that stop it, restart it or read its audit store. Stopped at teardown."""
    started: list[CompanionProcess] = []

    def start(port: int | None = None, extra_args: tuple[str, ...] = ()) -> CompanionProcess:
        process = _start_or_skip(tmp_path / f"companion-{len(started)}", port, extra_args)
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@pytest.fixture
def dead_companion_url() -> str:
    """A companion URL where nothing listens (for "companion down" cases)."""
    return f"http://127.0.0.1:{free_port()}"
