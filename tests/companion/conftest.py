"""Fixtures for the companion's doors (HTTP API, CLI, server), flaskr style.

Each test gets its own Settings with a private data dir, so audit events never leak
between tests; the real detection engine (Presidio + spaCy + Tesseract) is built once
per session because loading it takes seconds. The engine here has generous OCR and
text budgets: the machine is shared and these tests are about what the API answers, not
about speed (bench/ measures that).
"""

from __future__ import annotations

import logging
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from companion.app import create_app
from companion.config import REPO_ROOT, Settings

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:  # the image helpers live next to the tests
    sys.path.insert(0, str(HERE))

# Budgets no shared machine runs out of (see tests/conftest.py): these tests are about what the
# API answers, not about speed.
OCR_BUDGET_S = 30.0
CHECK_BUDGET_S = 30.0


@pytest.fixture(scope="session")
def api_engine():
    """The real engine, once per session, with budgets no shared machine runs out of."""
    from companion.runtime import build_engine

    return build_engine(Settings(ocr_budget_s=OCR_BUDGET_S, check_budget_s=CHECK_BUDGET_S))


@pytest.fixture
def data_dir(tmp_path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def settings(data_dir) -> Settings:
    """Test config: defaults (repo rules, example org) with a private data dir."""
    return Settings(data_dir=data_dir, ocr_budget_s=OCR_BUDGET_S, check_budget_s=CHECK_BUDGET_S)


@pytest.fixture
def app(settings, api_engine):
    app = create_app(settings, engine=api_engine)
    yield app
    app.extensions["postguard"].audit.close()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def audit_store(app):
    """The app's own audit store, to see what a check or decision left behind."""
    return app.extensions["postguard"].audit


@pytest.fixture
def runner():
    return CliRunner()


@pytest.fixture
def rules_dir() -> Path:
    return REPO_ROOT / "rules"


@pytest.fixture
def example_org() -> Path:
    return REPO_ROOT / "rules" / "org" / "example"


@pytest.fixture
def all_logs(caplog):
    """Capture every log record, down to DEBUG, from every library."""
    caplog.set_level(logging.DEBUG)
    return caplog


@pytest.fixture
def error_envelope():
    """A checker for the one error shape, `{"error": {"code", "message"}}`, and nothing else."""

    def check(response, status: int, code: str | None = None) -> dict:
        assert response.status_code == status, response.get_data(as_text=True)
        assert response.mimetype == "application/json"
        body = response.get_json()
        assert set(body) == {"error"}
        assert set(body["error"]) == {"code", "message"}
        assert body["error"]["message"].strip()
        if code is not None:
            assert body["error"]["code"] == code, body
        return body

    return check


@pytest.fixture
def rsyslog(tmp_path):
    """A real rsyslog on a loopback port, writing what it receives to a file (sink tests)."""
    from sink_servers import Rsyslog

    server = Rsyslog(tmp_path / "rsyslog").start()
    yield server
    server.stop()
