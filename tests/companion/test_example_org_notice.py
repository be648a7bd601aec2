"""A companion running the shipped example org says so: in its log at start, in /v1/health and on
the review page; a companion with the organisation's own lists says nothing of the kind."""

from __future__ import annotations

import logging
import shutil

import pytest

from companion.app import create_app
from companion.config import EXAMPLE_ORG_DIR, Settings

NOTICE = 'id="pg-example-org"'


@pytest.fixture
def own_org(tmp_path):
    """The example's files plus one competitor of the organisation's own: no longer the example."""
    org_dir = tmp_path / "org"
    shutil.copytree(EXAMPLE_ORG_DIR, org_dir)
    with (org_dir / "competitors.txt").open("a", encoding="utf-8") as handle:
        handle.write("Brightwater Fasteners\n")
    return org_dir


def _review_page(app) -> str:
    response = app.test_client().get("/audit")
    assert response.status_code == 401  # the sign-in page, which every reviewer sees first
    return response.get_data(as_text=True)


def test_the_example_org_is_announced_in_the_log_health_and_review_page(data_dir, api_engine, caplog):
    with caplog.at_level(logging.WARNING, logger="postguard"):
        app = create_app(Settings(data_dir=data_dir), engine=api_engine)
    try:
        assert any("EXAMPLE org" in r.getMessage() and r.levelno == logging.WARNING for r in caplog.records)
        assert app.test_client().get("/v1/health").get_json()["org"]["example"] is True
        page = _review_page(app)
        assert NOTICE in page and "shipped <strong>example</strong> client list" in page
    finally:
        app.extensions["postguard"].audit.close()


def test_the_organisations_own_lists_bring_no_notice(data_dir, api_engine, own_org, caplog):
    with caplog.at_level(logging.WARNING, logger="postguard"):
        app = create_app(Settings(data_dir=data_dir, org_dir=own_org), engine=api_engine)
    try:
        assert not any("EXAMPLE org" in r.getMessage() for r in caplog.records)
        assert app.test_client().get("/v1/health").get_json()["org"]["example"] is False
        assert NOTICE not in _review_page(app)
    finally:
        app.extensions["postguard"].audit.close()
