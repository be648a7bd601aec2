"""The companion as a per-user service that starts at login, on each operating system.

| OS      | what is written                                               | how it is started              |
|---------|---------------------------------------------------------------|--------------------------------|
| Linux   | ~/.config/systemd/user/postguard.service (systemd user unit)   | systemctl --user enable --now  |
| macOS   | ~/Library/LaunchAgents/com.lumenhardware.postguard.plist      | launchctl bootstrap gui/<uid>  |
| Windows | %LOCALAPPDATA%\\Postguard\\postguard-task.xml (Task Scheduler) | schtasks /Create /XML, /Run    |

Per user, not system-wide: the companion reads the user's own data directory and must run in
the user's session, and a salesperson can install it without admin rights. Every unit runs
`<this environment's postguard> serve`, so the service uses the same installed engine the
command line does. The renderers are pure (tested on any OS); `Platform` pairs them with the
file location and the commands that activate them.
"""

from __future__ import annotations

import os
import plistlib
import sys
from dataclasses import dataclass
from pathlib import Path, PureWindowsPath
from xml.sax.saxutils import escape

SERVICE_NAME = "postguard.service"
LAUNCHD_LABEL = "com.lumenhardware.postguard"
TASK_NAME = "Postguard Companion"
DESCRIPTION = "Postguard companion: checks social-media posts for leaks before they go out"
TASK_NAMESPACE = "http://schemas.microsoft.com/windows/2004/02/mit/task"


_TASK_TEMPLATE = """<?xml version="1.0" encoding="UTF-16"?>
<Task version="1.2" xmlns="{namespace}">
  <RegistrationInfo>
    <Description>{description}</Description>
    <URI>\\{task_name}</URI>
  </RegistrationInfo>
  <Triggers>
    <LogonTrigger>
      <Enabled>true</Enabled>
      <UserId>{user}</UserId>
    </LogonTrigger>
  </Triggers>
  <Principals>
    <Principal id="Author">
      <UserId>{user}</UserId>
      <LogonType>InteractiveToken</LogonType>
      <RunLevel>LeastPrivilege</RunLevel>
    </Principal>
  </Principals>
  <Settings>
    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>
    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>
    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>
    <AllowHardTerminate>true</AllowHardTerminate>
    <StartWhenAvailable>true</StartWhenAvailable>
    <RunOnlyIfNetworkAvailable>false</RunOnlyIfNetworkAvailable>
    <IdleSettings>
      <StopOnIdleEnd>false</StopOnIdleEnd>
      <RestartOnIdle>false</RestartOnIdle>
    </IdleSettings>
    <AllowStartOnDemand>true</AllowStartOnDemand>
    <Enabled>true</Enabled>
    <Hidden>false</Hidden>
    <RunOnlyIfIdle>false</RunOnlyIfIdle>
    <WakeToRun>false</WakeToRun>
    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>
    <Priority>7</Priority>
    <RestartOnFailure>
      <Interval>PT1M</Interval>
      <Count>3</Count>
    </RestartOnFailure>
  </Settings>
  <Actions Context="Author">
    <Exec>
      <Command>{program}</Command>
      <Arguments>{arguments}</Arguments>
    </Exec>
  </Actions>
</Task>
"""


def postguard_executable() -> Path:
    """The `postguard` console script of the environment running this command."""
    scripts = Path(sys.executable).parent
    return scripts / ("postguard.exe" if os.name == "nt" else "postguard")


def _systemd_quote(arg: str) -> str:
    return '"' + arg.replace("\\", "\\\\").replace('"', '\\"') + '"' if any(c in arg for c in ' "\\') else arg


def systemd_unit(command: list[str], environment: dict[str, str] | None = None) -> str:
    """A systemd *user* unit. Hardening is limited to what an unprivileged user manager can apply
    (seccomp filters, no new privileges, umask); mount-namespace options such as ProtectSystem need
    a system manager and would make the unit fail to start in some user sessions."""
    return "\n".join([
        "[Unit]",
        f"Description={DESCRIPTION}",
        "",
        "[Service]",
        "Type=simple",
        f"ExecStart={' '.join(_systemd_quote(a) for a in command)}",
        "Restart=on-failure",
        "RestartSec=5",
        "Environment=PYTHONUNBUFFERED=1",
        *(f"Environment={_systemd_quote(f'{k}={v}')}" for k, v in (environment or {}).items()),
        "UMask=0077",
        "NoNewPrivileges=yes",
        "LockPersonality=yes",
        "RestrictRealtime=yes",
        "RestrictSUIDSGID=yes",
        "RestrictNamespaces=yes",
        "SystemCallArchitectures=native",
        "SystemCallFilter=@system-service",
        "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6",
        "",
        "[Install]",
        "WantedBy=default.target",
        "",
    ])


def launch_agent(command: list[str], log_dir: Path, environment: dict[str, str] | None = None) -> bytes:
    """A LaunchAgent: started at login (RunAtLoad), started again if it exits with an error."""
    extra = {"EnvironmentVariables": dict(environment)} if environment else {}
    return plistlib.dumps({
        "Label": LAUNCHD_LABEL,
        "ProgramArguments": command,
        "RunAtLoad": True,
        "KeepAlive": {"SuccessfulExit": False},
        "ThrottleInterval": 10,
        "StandardOutPath": str(log_dir / "companion.log"),
        "StandardErrorPath": str(log_dir / "companion.log"),
        **extra,
    }, fmt=plistlib.FMT_XML)


def task_xml(command: list[str], user_id: str) -> bytes:
    """A Task Scheduler task (schema 1.2, Windows 7 and later): at this user's logon, in the user's
    session, least privilege, no time limit, restarted three times a minute apart after a failure."""
    program, arguments = command[0], " ".join(f'"{a}"' if " " in a else a for a in command[1:])
    xml = _TASK_TEMPLATE.format(namespace=TASK_NAMESPACE, description=escape(DESCRIPTION), task_name=escape(TASK_NAME),
                                user=escape(user_id), program=escape(program), arguments=escape(arguments))
    return "\ufeff".encode("utf-16-le") + xml.replace("\n", "\r\n").encode("utf-16-le")


@dataclass(frozen=True)
class Platform:
    """One OS: where its service file goes, its content, and the commands around it."""

    name: str
    path: Path | PureWindowsPath
    content: bytes
    activate: list[list[str]]
    deactivate: list[list[str]]
    query: list[str]


def _home() -> Path:
    return Path(os.environ.get("HOME") or os.environ.get("USERPROFILE") or Path.home())


def platform_for(name: str, command: list[str] | None = None, windows_user: str | None = None,
                 environment: dict[str, str] | None = None) -> Platform:
    """The service for `name` (linux, macos, windows), running `command` (default: postguard serve)
    with `environment` (e.g. POSTGUARD_ALLOWED_ORIGINS for the packed extension's ID)."""
    command = command or [str(postguard_executable()), "serve"]
    environment = environment or {}
    if name == "linux":
        config = Path(os.environ.get("XDG_CONFIG_HOME") or _home() / ".config")
        return Platform(name, config / "systemd" / "user" / SERVICE_NAME, systemd_unit(command, environment).encode(),
                        [["systemctl", "--user", "daemon-reload"],
                         ["systemctl", "--user", "enable", "--now", SERVICE_NAME]],
                        [["systemctl", "--user", "disable", "--now", SERVICE_NAME]],
                        ["systemctl", "--user", "is-active", SERVICE_NAME])
    if name == "macos":
        domain = f"gui/{os.getuid() if hasattr(os, 'getuid') else '<uid>'}"
        path = _home() / "Library" / "LaunchAgents" / f"{LAUNCHD_LABEL}.plist"
        return Platform(name, path, launch_agent(command, _home() / "Library" / "Logs" / "Postguard", environment),
                        [["launchctl", "bootstrap", domain, str(path)]],
                        [["launchctl", "bootout", f"{domain}/{LAUNCHD_LABEL}"]],
                        ["launchctl", "print", f"{domain}/{LAUNCHD_LABEL}"])
    if name == "windows":
        return _windows(command, windows_user, environment)
    raise ValueError(f"unknown platform {name!r}")


def _windows(command: list[str], windows_user: str | None, environment: dict[str, str]) -> Platform:
    """A scheduled task cannot carry environment variables, so they are set for the user (setx)
    before the task is registered; the task starts in a session that already has them."""
    user = windows_user or f"{os.environ.get('USERDOMAIN', 'DOMAIN')}\\{os.environ.get('USERNAME', 'user')}"
    if os.name == "nt":
        path = Path(os.environ.get("LOCALAPPDATA") or _home() / "AppData" / "Local") / "Postguard" / "postguard-task.xml"
    else:  # shown with --dry-run only: where it would go on the user's Windows laptop
        path = PureWindowsPath("C:\\Users", user.split("\\")[-1], "AppData", "Local", "Postguard", "postguard-task.xml")
    set_env = [["setx", key, value] for key, value in environment.items()]
    unset_env = [["reg", "delete", "HKCU\\Environment", "/v", key, "/f"] for key in environment]
    return Platform("windows", path, task_xml(command, user),
                    set_env + [["schtasks", "/Create", "/TN", TASK_NAME, "/XML", str(path), "/F"],
                               ["schtasks", "/Run", "/TN", TASK_NAME]],
                    [["schtasks", "/End", "/TN", TASK_NAME], ["schtasks", "/Delete", "/TN", TASK_NAME, "/F"]]
                    + unset_env,
                    ["schtasks", "/Query", "/TN", TASK_NAME, "/FO", "LIST"])


def this_platform() -> str:
    """linux, macos or windows: the OS this command runs on."""
    return {"darwin": "macos", "win32": "windows"}.get(sys.platform, "linux")


def companion_health(host: str, port: int, timeout_s: float = 2.0) -> dict | None:
    """The companion's /v1/health answer, or None when nothing answers (for `service status`)."""
    import json
    import urllib.error
    import urllib.request

    try:
        with urllib.request.urlopen(f"http://{host}:{port}/v1/health", timeout=timeout_s) as response:
            return json.loads(response.read()) if response.status == 200 else None
    except (urllib.error.URLError, OSError, ValueError):
        return None
