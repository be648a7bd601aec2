"""`postguard service`: the per-user service files, checked by the tools that read them where this
machine has them (systemd-analyze for the user unit, plistlib for the LaunchAgent, an XML parser
plus the Task Scheduler schema's required elements for the task), and installs that change nothing
when the OS refuses them."""

from __future__ import annotations

import os
import plistlib
import shutil
import subprocess
import sys
from pathlib import Path
from xml.etree import ElementTree

import pytest

from companion.cli import main
from companion.config import Settings
from companion.detection.start_cache import start_cache_dir
from companion.deploy.service import LAUNCHD_LABEL, platform_for, postguard_executable, systemd_unit, task_xml

TASK = "{http://schemas.microsoft.com/windows/2004/02/mit/task}"
needs_systemd = pytest.mark.skipif(shutil.which("systemd-analyze") is None,
                                   reason="systemd-analyze missing (Debian package: systemd)")


@pytest.fixture
def home(tmp_path, monkeypatch) -> Path:
    """A throw-away home so no test writes into the real ~/.config or ~/Library."""
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / ".config"))
    return tmp_path


def systemd_verify(unit_text: str, tmp_path: Path) -> subprocess.CompletedProcess:
    """`systemd-analyze --user verify` on a unit file; it reports problems as lines naming the file."""
    unit = tmp_path / "units" / "postguard.service"
    unit.parent.mkdir(parents=True, exist_ok=True)
    unit.write_text(unit_text)
    runtime = tmp_path / "runtime"
    runtime.mkdir(mode=0o700, exist_ok=True)
    return subprocess.run(["systemd-analyze", "--user", "verify", str(unit)], capture_output=True, text=True,
                          env={**os.environ, "XDG_RUNTIME_DIR": str(runtime)}, timeout=60)


@needs_systemd
def test_the_user_unit_passes_systemd_analyze_verify(tmp_path, home):
    unit = platform_for("linux").content.decode()
    done = systemd_verify(unit, tmp_path)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "postguard.service" in line]
    assert done.returncode == 0 and problems == [], done.stdout + done.stderr
    assert f"ExecStart={postguard_executable()} serve" in unit
    assert "Restart=on-failure" in unit and "WantedBy=default.target" in unit


@needs_systemd
def test_systemd_analyze_catches_a_broken_unit_so_the_check_above_can_fail(tmp_path):
    broken = systemd_unit([str(postguard_executable()), "serve"]).replace("Restart=on-failure", "Restart=on-failur")
    done = systemd_verify(broken + "ProtectEverything=yes\n", tmp_path)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "postguard.service" in line]
    assert len(problems) == 2
    missing = systemd_verify(systemd_unit(["/nonexistent/postguard", "serve"]), tmp_path)
    assert missing.returncode != 0


def test_launch_agent_plist_runs_at_login_and_restarts_after_a_crash(home):
    agent = plistlib.loads(platform_for("macos").content)
    assert agent["Label"] == LAUNCHD_LABEL
    assert agent["ProgramArguments"] == [str(postguard_executable()), "serve"]
    assert agent["RunAtLoad"] is True and agent["KeepAlive"] == {"SuccessfulExit": False}
    assert agent["StandardErrorPath"].startswith(str(home / "Library" / "Logs"))
    assert platform_for("macos").path == home / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"


def test_task_xml_is_utf16_task_scheduler_xml_with_a_logon_trigger():
    data = task_xml([r"C:\Program Files\Postguard\Scripts\postguard.exe", "serve"], r"LUMEN\li.wei")
    assert data[:2] == b"\xff\xfe", "schtasks /XML reads UTF-16 with a byte-order mark"
    text = data[2:].decode("utf-16-le")
    assert text.startswith('<?xml version="1.0" encoding="UTF-16"?>')
    task = ElementTree.fromstring(text.encode("utf-16"))
    assert task.tag == f"{TASK}Task" and task.get("version") == "1.2"
    assert [child.tag[len(TASK):] for child in task] == ["RegistrationInfo", "Triggers", "Principals", "Settings", "Actions"]
    trigger = task.find(f"{TASK}Triggers/{TASK}LogonTrigger")
    assert [c.tag[len(TASK):] for c in trigger] == ["Enabled", "UserId"], "base type elements come first"
    assert trigger.findtext(f"{TASK}UserId") == r"LUMEN\li.wei"
    principal = task.find(f"{TASK}Principals/{TASK}Principal")
    assert principal.findtext(f"{TASK}LogonType") == "InteractiveToken"
    assert principal.findtext(f"{TASK}RunLevel") == "LeastPrivilege"
    settings = task.find(f"{TASK}Settings")
    assert settings.findtext(f"{TASK}ExecutionTimeLimit") == "PT0S", "the companion runs all day"
    assert settings.findtext(f"{TASK}DisallowStartIfOnBatteries") == "false"
    restart = settings.find(f"{TASK}RestartOnFailure")
    assert [c.tag[len(TASK):] for c in restart] == ["Interval", "Count"]
    exec_ = task.find(f"{TASK}Actions/{TASK}Exec")
    assert [c.tag[len(TASK):] for c in exec_] == ["Command", "Arguments"]
    assert exec_.findtext(f"{TASK}Command") == r"C:\Program Files\Postguard\Scripts\postguard.exe"
    assert exec_.findtext(f"{TASK}Arguments") == "serve"
    assert principal.get("id") == task.find(f"{TASK}Actions").get("Context")


def test_task_xml_escapes_a_user_name_that_looks_like_markup():
    text = task_xml(["postguard.exe", "serve"], "LUMEN\\a&b<c>")[2:].decode("utf-16-le")
    task = ElementTree.fromstring(text.encode("utf-16"))
    assert task.find(f"{TASK}Principals/{TASK}Principal/{TASK}UserId").text == "LUMEN\\a&b<c>"


@pytest.mark.parametrize("platform, marker", [("linux", "[Service]"), ("macos", "<key>RunAtLoad</key>"),
                                              ("windows", "<LogonTrigger>")])
def test_dry_run_shows_the_file_and_commands_and_writes_nothing(runner, home, platform, marker):
    result = runner.invoke(main, ["service", "install", "--platform", platform, "--dry-run"])
    assert result.exit_code == 0, result.output
    assert marker in result.output and "$ " in result.output
    assert [p for p in home.rglob("*") if p.is_file()] == []


@needs_systemd
def test_the_packed_extensions_id_is_allowed_by_the_service_on_every_os(runner, home, tmp_path):
    ext_id = "mmmgmbfbcjjgdkhlmeijlpejcoankgnb"
    origins = {"POSTGUARD_ALLOWED_ORIGINS": f"chrome-extension://{ext_id}"}
    unit = platform_for("linux", environment=origins).content.decode()
    assert f"Environment=POSTGUARD_ALLOWED_ORIGINS=chrome-extension://{ext_id}" in unit
    done = systemd_verify(unit, tmp_path)
    assert done.returncode == 0 and "postguard.service" not in done.stdout + done.stderr
    assert plistlib.loads(platform_for("macos", environment=origins).content)["EnvironmentVariables"] == origins
    windows = platform_for("windows", environment=origins, windows_user=r"LUMEN\li.wei")
    assert windows.activate[0] == ["setx", "POSTGUARD_ALLOWED_ORIGINS", f"chrome-extension://{ext_id}"]
    shown = runner.invoke(main, ["service", "install", "--dry-run", "--extension-id", ext_id])
    assert f"POSTGUARD_ALLOWED_ORIGINS=chrome-extension://{ext_id}" in shown.output
    refused = runner.invoke(main, ["service", "install", "--dry-run", "--extension-id", "not-an-id"])
    assert refused.exit_code == 2 and "not a Chromium extension ID" in refused.output


def test_installing_another_os_service_for_real_is_refused(runner, home):
    result = runner.invoke(main, ["service", "install", "--platform", "windows"])
    assert result.exit_code == 2 and "only be shown with --dry-run" in result.output


def _user_manager_running() -> bool:
    try:
        return subprocess.run(["systemctl", "--user", "is-system-running"], capture_output=True,
                              timeout=10).returncode == 0
    except (FileNotFoundError, subprocess.TimeoutExpired):
        return False


@pytest.mark.skipif(_user_manager_running(), reason="a real user session: not installing a service into it")
def test_install_without_a_user_session_says_why_and_leaves_no_unit(home):
    # In a process of its own, as IT runs it: what a first start builds is built by this install only.
    done = subprocess.run([sys.executable, "-c", "from companion.cli import main; main()", "service", "install"],
                          capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])})
    output = done.stdout + done.stderr
    assert done.returncode == 2, output
    assert "systemctl --user" in output and "the service was not installed" in output
    assert not platform_for("linux").path.exists()
    # The first start was prepared before the service manager was asked: its start cache is there.
    assert "first start prepared" in output
    cache = start_cache_dir(Settings.from_env().data_dir)
    assert {p.name.split("-", 1)[0] for p in cache.iterdir() if not p.name.startswith(".")} >= {"encoder", "regex"}


def test_install_with_a_broken_client_list_names_it_and_writes_no_service(runner, home, example_org):
    org = home / "org"
    shutil.copytree(example_org, org)
    lines = (org / "clients.csv").read_text(encoding="utf-8").splitlines()
    (org / "clients.csv").write_text("\n".join([*lines, ",no name here,"]) + "\n", encoding="utf-8")
    result = runner.invoke(main, ["service", "install", "--set", f"org_dir={org}"])
    assert result.exit_code != 0
    assert "clients.csv" in result.output and f"{len(lines) + 1}" in result.output, result.output
    assert not platform_for("linux").path.exists()


def test_status_reports_a_missing_service_and_a_silent_companion(runner, home, monkeypatch):
    monkeypatch.setenv("POSTGUARD_PORT", "9")  # nothing answers on the discard port
    result = runner.invoke(main, ["service", "status"])
    assert result.exit_code == 1
    assert f"service file: {platform_for('linux').path} (missing)" in result.output
    assert "companion on 127.0.0.1:9: not answering" in result.output


@needs_systemd
def test_settings_set_at_install_reach_the_service_on_every_os(runner, home, tmp_path, monkeypatch):
    """IT sets the SIEM target and retention once per laptop; relative paths become absolute
    (the service does not start in the directory the command ran in)."""
    ca = tmp_path / "siem-ca.pem"
    ca.write_bytes(Path("/etc/ssl/certs/ca-certificates.crt").read_bytes())
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(main, ["service", "install", "--dry-run", "--set", "syslog_target=tls://siem.example.com:6514",
                                  "--set", "syslog-ca-file=siem-ca.pem", "--set", "audit_retention_days=90"])
    assert result.exit_code == 0, result.output
    for line in ("Environment=POSTGUARD_SYSLOG_TARGET=tls://siem.example.com:6514",
                 f"Environment=POSTGUARD_SYSLOG_CA_FILE={ca}", "Environment=POSTGUARD_AUDIT_RETENTION_DAYS=90"):
        assert line in result.output
    environment = {"POSTGUARD_SYSLOG_TARGET": "tls://siem.example.com:6514", "POSTGUARD_SYSLOG_CA_FILE": str(ca)}
    done = systemd_verify(platform_for("linux", environment=environment).content.decode(), tmp_path)
    assert done.returncode == 0 and "postguard.service" not in done.stdout + done.stderr
    mac = runner.invoke(main, ["service", "install", "--dry-run", "--platform", "macos",
                               "--set", "syslog_target=tcp://siem.example.com:514"])
    assert "<key>POSTGUARD_SYSLOG_TARGET</key>" in mac.output
    windows = runner.invoke(main, ["service", "install", "--dry-run", "--platform", "windows",
                                   "--set", "syslog_target=tcp://siem.example.com:514"])
    assert "$ setx POSTGUARD_SYSLOG_TARGET tcp://siem.example.com:514" in windows.output


@pytest.mark.parametrize("setting, says", [
    ("syslog_target=udp://siem.example.com:514", "setting syslog_target: Value error, the scheme must be tcp://"),
    ("host=0.0.0.0", "--set host: not a setting a service can carry"),
    ("allowed_origins=https://evil.example", "--set allowed_origins: not a setting a service can carry"),
    ("syslog_targt=tcp://siem.example.com:514", "--set syslog_targt: not a setting a service can carry"),
    ("syslog_target", "--set syslog_target: not a setting a service can carry; use NAME=VALUE"),
    ("audit_retention_days=a year", "setting audit_retention_days: Input should be a valid integer"),
    ("syslog_cert_file=missing.pem", "missing.pem setting syslog_cert_file: cannot read it"),
])
def test_a_bad_setting_is_refused_before_anything_is_written(runner, home, setting, says):
    extra = ["--set", "syslog_target=tls://siem.example.com:6514"] if "cert_file" in setting else []
    result = runner.invoke(main, ["service", "install", *extra, "--set", setting])
    assert result.exit_code == 2
    assert says in result.output, result.output
    assert [p for p in home.rglob("*") if p.is_file()] == []


def test_a_central_store_password_is_kept_out_of_the_service_file(runner, home):
    result = runner.invoke(main, ["service", "install", "--dry-run",
                                  "--set", "central_db=postgresql://postguard:Hunter2Secret@db.example.com/audit"])
    assert result.exit_code == 2
    assert "~/.pgpass" in result.output and "Hunter2Secret" not in result.output
    assert [p for p in home.rglob("*") if p.is_file()] == []
    fine = runner.invoke(main, ["service", "install", "--dry-run", "--set", "central_db=postgresql://postguard@db.example.com/audit"])
    assert fine.exit_code == 0 and "POSTGUARD_CENTRAL_DB=postgresql://postguard@db.example.com/audit" in fine.output


def test_uninstall_on_windows_removes_every_variable_an_install_may_have_set(runner, home):
    result = runner.invoke(main, ["service", "uninstall", "--dry-run", "--platform", "windows"])
    assert result.exit_code == 0
    for variable in ("POSTGUARD_ALLOWED_ORIGINS", "POSTGUARD_SYSLOG_TARGET", "POSTGUARD_CENTRAL_DB",
                     "POSTGUARD_SYSLOG_KEY_FILE", "POSTGUARD_AUDIT_RETENTION_DAYS"):
        assert f"$ reg delete HKCU\\Environment /v {variable} /f" in result.output
