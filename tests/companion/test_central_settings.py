"""Every setting of the central service has help text, is in IT's table in docs/deploy.md, and is
read from its POSTGUARD_CENTRAL_* variable; a bad value names the setting and its variable."""

from __future__ import annotations

import pytest

from companion.central.settings import CentralSettings
from companion.config import REPO_ROOT
from companion.errors import ConfigError

DEPLOY_DOC = (REPO_ROOT / "docs" / "deploy.md").read_text(encoding="utf-8")


@pytest.mark.parametrize("name", list(CentralSettings.model_fields))
def test_every_central_setting_is_documented(name):
    description = CentralSettings.model_fields[name].description or ""
    assert len(description.split()) >= 2 and description.endswith("."), f"no help text for {name!r}"
    assert f"`POSTGUARD_CENTRAL_{name.upper()}`" in DEPLOY_DOC, f"{name!r} is missing from docs/deploy.md"


def test_central_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("POSTGUARD_CENTRAL_DB", "postgresql://central@db.example.com/audit")
    monkeypatch.setenv("POSTGUARD_CENTRAL_APPROVAL_RETENTION_DAYS", "7")
    monkeypatch.setenv("POSTGUARD_CENTRAL_SECURE_COOKIES", "false")
    settings = CentralSettings.from_env(port=8100)
    assert (settings.approval_retention_days, settings.secure_cookies, settings.port) == (7, False, 8100)


def test_a_bad_value_names_the_setting_and_its_variable(monkeypatch):
    monkeypatch.setenv("POSTGUARD_CENTRAL_PROXY_HOPS", "-1")
    with pytest.raises(ConfigError) as caught:
        CentralSettings.from_env(db="postgresql://central@db.example.com/audit")
    assert "setting proxy_hops (POSTGUARD_CENTRAL_PROXY_HOPS)" in caught.value.message
