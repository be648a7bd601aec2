"""Settings: one documented list, overridable from the environment, refusing bad values by name.

Like datasette's "undocumented setting" test: a new setting without a description, or
without a row in ENV_SAMPLES below, fails here until it is documented and tested.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from pydantic import SecretStr

from companion.cli import main
from companion.config import Settings
from companion.errors import ConfigError

POSTGUARD = str(Path(sys.executable).parent / "postguard")

# setting -> (value as written in POSTGUARD_<NAME>, value the Settings object then holds)
ENV_SAMPLES = {
    "host": ("localhost", "localhost"),
    "port": ("7800", 7800),
    "org_dir": ("/srv/postguard/org", Path("/srv/postguard/org")),
    "rules_dir": ("/srv/postguard/rules", Path("/srv/postguard/rules")),
    "data_dir": ("/var/lib/postguard", Path("/var/lib/postguard")),
    "allowed_origins": ("chrome-extension://abcdefghijklmnopabcdefghijklmnop, moz-extension://1234-abcd",
                        ["chrome-extension://abcdefghijklmnopabcdefghijklmnop", "moz-extension://1234-abcd"]),
    "max_request_bytes": ("1048576", 1_048_576),
    "max_images": ("3", 3),
    "max_text_chars": ("20000", 20_000),
    "max_image_pixels": ("12000000", 12_000_000),
    "ocr_budget_s": ("1.5", 1.5),
    "check_budget_s": ("0.8", 0.8),
    "threads": ("8", 8),
    "bundle_poll_s": ("0.5", 0.5),
    "syslog_target": ("tls://siem.example.com:6514", "tls://siem.example.com:6514"),
    "syslog_ca_file": ("/etc/ssl/postguard/ca.pem", Path("/etc/ssl/postguard/ca.pem")),
    "syslog_cert_file": ("/etc/ssl/postguard/laptop.pem", Path("/etc/ssl/postguard/laptop.pem")),
    "syslog_key_file": ("/home/li.wei/.postguard/laptop.key", Path("/home/li.wei/.postguard/laptop.key")),
    "central_db": ("postgresql://postguard@db.example.com:5432/audit",
                   SecretStr("postgresql://postguard@db.example.com:5432/audit")),
    "audit_retention_days": ("30", 30),
    "central_url": ("https://postguard.example.com/", "https://postguard.example.com"),
    "central_enroll_code": ("pgc_abc", SecretStr("pgc_abc")),
    "central_ca_file": ("/etc/ssl/postguard/central-ca.pem", Path("/etc/ssl/postguard/central-ca.pem")),
    "alerts_file": ("/etc/postguard/alerts.yaml", Path("/etc/postguard/alerts.yaml")),
    "identity_map": ("/etc/postguard/people.csv", Path("/etc/postguard/people.csv")),
}

BAD_VALUES = [
    ("port", "abc"), ("port", "0"), ("port", "70000"), ("threads", "0"), ("ocr_budget_s", "-1"),
    ("ocr_budget_s", "soon"), ("max_images", "-1"), ("max_request_bytes", "0"), ("max_text_chars", "many"),
    ("allowed_origins", "https://www.linkedin.com"), ("allowed_origins", "*"),
    ("allowed_origins", "chrome-extension://"), ("allowed_origins", "chrome-extension://abc/page.html"),
    ("bundle_poll_s", "-1"), ("syslog_target", "udp://siem:514"), ("central_db", "mysql://x/y"),
    ("central_url", "http://postguard.example.com"), ("central_url", "ftp://x"),
    ("audit_retention_days", "-5"), ("check_budget_s", "0"), ("check_budget_s", "fast"),
]


@pytest.fixture
def no_postguard_env(monkeypatch):
    """Start from defaults: a developer's own POSTGUARD_* variables must not leak into tests."""
    import os

    for name in [n for n in os.environ if n.startswith("POSTGUARD_")]:
        monkeypatch.delenv(name)
    return monkeypatch


@pytest.mark.parametrize("name", list(Settings.model_fields))
def test_every_setting_is_documented(name):
    description = Settings.model_fields[name].description or ""
    assert len(description.split()) >= 3 and description.endswith("."), f"undocumented setting {name!r}"


def test_every_setting_has_an_env_sample_here():
    assert set(ENV_SAMPLES) == set(Settings.model_fields)


def test_serve_help_lists_every_setting_with_its_description(runner):
    text = " ".join(runner.invoke(main, ["serve", "--help"]).output.split())
    for name, field in Settings.model_fields.items():
        assert f"POSTGUARD_{name.upper()} {field.description}" in text


@pytest.mark.parametrize("name", list(ENV_SAMPLES))
def test_env_overrides_each_setting(no_postguard_env, name):
    raw, expected = ENV_SAMPLES[name]
    no_postguard_env.setenv(f"POSTGUARD_{name.upper()}", raw)
    settings = Settings.from_env()
    assert getattr(settings, name) == expected
    others = {n: getattr(settings, n) for n in Settings.model_fields if n not in (name, "data_dir")}
    defaults = Settings()
    assert others == {n: getattr(defaults, n) for n in others}


def test_explicit_values_beat_env_and_env_beats_defaults(no_postguard_env):
    no_postguard_env.setenv("POSTGUARD_PORT", "7800")
    assert Settings.from_env().port == 7800
    assert Settings.from_env(port=7900).port == 7900
    assert Settings.from_env(port=None).port == 7800, "an option not given leaves the env value"
    no_postguard_env.delenv("POSTGUARD_PORT")
    assert Settings.from_env().port == 7717


def test_data_dir_defaults_to_xdg_data_home(no_postguard_env, tmp_path):
    no_postguard_env.setenv("XDG_DATA_HOME", str(tmp_path))
    assert Settings.from_env().data_dir == tmp_path / "postguard"


@pytest.mark.parametrize("name,raw", BAD_VALUES)
def test_bad_env_value_is_a_config_error_naming_the_setting(no_postguard_env, name, raw):
    no_postguard_env.setenv(f"POSTGUARD_{name.upper()}", raw)
    with pytest.raises(ConfigError) as caught:
        Settings.from_env()
    assert caught.value.message.startswith(f"setting {name} (POSTGUARD_{name.upper()}): ")
    assert caught.value.exit_code == 2


def test_bad_explicit_value_names_the_setting_not_the_env(no_postguard_env):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(port=0)
    assert caught.value.message.startswith("setting port: ")


def test_unknown_setting_is_refused(no_postguard_env):
    with pytest.raises(ConfigError) as caught:
        Settings.from_env(max_imgaes=3)
    assert "max_imgaes" in caught.value.message


def test_cli_reports_a_bad_setting_in_one_line(no_postguard_env, tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "POSTGUARD_OCR_BUDGET_S": "soon"}
    result = subprocess.run([POSTGUARD, "serve"], capture_output=True, text=True, timeout=60, env=env)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "postguard: setting ocr_budget_s (POSTGUARD_OCR_BUDGET_S): Input should be a valid number, "
        "unable to parse string as a number"]


def test_env_org_dir_and_data_dir_reach_the_commands(no_postguard_env, runner, tmp_path, client, data_dir, app):
    org = tmp_path / "org"
    org.mkdir()
    (org / "clients.csv").write_text("name,aliases,contacts\nZephyrine Lamps GmbH,Zephyrine,\n", encoding="utf-8")
    no_postguard_env.setenv("POSTGUARD_ORG_DIR", str(org))
    result = runner.invoke(main, ["check", "Dinner with Zephyrine tonight"])
    assert result.output.startswith("Verdict: WARN") and "client_confidential" in result.output

    client.post("/v1/check", json={"text": "hello"})
    app.extensions["postguard"].audit.close()
    no_postguard_env.setenv("POSTGUARD_DATA_DIR", str(data_dir))
    listed = runner.invoke(main, ["audit", "list"])
    assert listed.exit_code == 0 and len(listed.output.splitlines()) == 1


def test_settings_change_what_the_api_accepts(data_dir, api_engine):
    from companion.app import create_app

    app = create_app(Settings(data_dir=data_dir, max_images=1, max_text_chars=50), engine=api_engine)
    try:
        client = app.test_client()
        image = {"mime": "image/png", "data": "iVBORw0KGgo="}
        too_many = client.post("/v1/check", json={"text": "x", "images": [image, image]})
        assert too_many.status_code == 400 and too_many.get_json()["error"]["code"] == "too_many_images"
        assert client.post("/v1/check", json={"text": "x" * 51}).get_json()["error"]["code"] == "text_too_long"
        assert client.post("/v1/check", json={"text": "x" * 50}).status_code == 200
    finally:
        app.extensions["postguard"].audit.close()


def test_max_image_pixels_setting_is_honoured(data_dir, api_engine):
    import base64
    import io

    from PIL import Image

    from companion.app import create_app

    out = io.BytesIO()
    Image.new("RGB", (200, 200), "white").save(out, "PNG")
    app = create_app(Settings(data_dir=data_dir, max_image_pixels=10_000), engine=api_engine)
    try:
        body = {"text": "", "images": [{"mime": "image/png", "data": base64.b64encode(out.getvalue()).decode()}]}
        response = app.test_client().post("/v1/check", json=body)
        assert response.status_code in (400, 413)
    finally:
        app.extensions["postguard"].audit.close()
