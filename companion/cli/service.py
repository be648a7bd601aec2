"""`postguard service install|uninstall|status`: the companion as a per-user service that starts at
login (docs/deploy.md, step 5). Input is checked before anything is written."""

from __future__ import annotations

import subprocess
from pathlib import Path

import click

from companion.config import Settings
from companion.deploy.errors import DeployError


@click.group()
def service():
    """The companion as a per-user service that starts at login."""


_PLATFORM = click.option("--platform", "platform_name", type=click.Choice(["linux", "macos", "windows"]),
                         default=None, help="Render for this OS (default: this one; others only with --dry-run).")
_DRY = click.option("--dry-run", is_flag=True, help="Show the file and commands; change nothing.")


def _platform(platform_name: str | None, dry_run: bool, environment: dict | None = None):
    from companion.deploy.service import platform_for, this_platform

    here = this_platform()
    name = platform_name or here
    if name != here and not dry_run:
        raise DeployError(f"this is {here}; a {name} service can only be shown with --dry-run", "wrong_platform")
    return platform_for(name, environment=environment)


def _origins(extension_ids: tuple[str, ...]) -> dict:
    """The companion answers only its own extension: the packed extension's ID must be allowed, and so
    is the Firefox add-on (by its ID: the companion learns its per-profile uuid)."""
    from companion.deploy.policy import FIREFOX_ADDON_ID, check_extension_id

    origins = [f"chrome-extension://{check_extension_id(i)}" for i in extension_ids]
    origins += [f"moz-extension://{FIREFOX_ADDON_ID}"] if origins else []
    return {"POSTGUARD_ALLOWED_ORIGINS": ",".join(origins)} if origins else {}


# Settings a service may not carry: the address is fixed to loopback by design, and the origins
# come from --extension-id.
_NOT_SETTABLE = {"host", "allowed_origins"}


def _service_values(pairs: tuple[str, ...]) -> dict[str, str]:
    """`--set NAME=VALUE` pairs by setting name, validated now as the companion will read them (and
    file paths made absolute: the service does not start in this directory)."""
    from companion.audit.sinks import build_sinks

    settable = sorted(set(Settings.model_fields) - _NOT_SETTABLE)
    values: dict[str, str] = {}
    for pair in pairs:
        name, has_value, value = pair.partition("=")
        name = name.strip().lower().replace("-", "_")
        if not has_value or name not in settable:
            raise DeployError(f"--set {name or pair}: not a setting a service can carry; use NAME=VALUE with "
                              f"NAME one of {', '.join(settable)}", "bad_setting")
        if Settings.model_fields[name].annotation in (Path, Path | None) and value:
            value = str(Path(value).expanduser().resolve())
        values[name] = value
    if values.get("central_db"):
        from companion.audit.sinks.pg_connect import parse_central_db

        if parse_central_db(values["central_db"], field="--set central_db").password:
            raise DeployError("--set central_db: the URL holds a password, which a service file (or, on Windows, "
                              "the user's environment) would keep in clear text; leave it out of the URL "
                              "and put it in the user's ~/.pgpass (chmod 600; %APPDATA%\\postgresql\\pgpass.conf "
                              "on Windows)", "secret_in_service")
    build_sinks(Settings.from_env(**values))  # a bad target or certificate fails here, not at login
    return values


def _run(command: list[str]) -> subprocess.CompletedProcess:
    try:
        return subprocess.run(command, capture_output=True, text=True, timeout=60)
    except FileNotFoundError:
        return subprocess.CompletedProcess(command, 127, "", f"{command[0]}: command not found")


def _show(platform, commands: list[list[str]]) -> None:
    content = platform.content
    text = content.decode("utf-16") if content.startswith(b"\xff\xfe") else content.decode()
    click.echo(f"# {platform.path}\n{text}")
    for command in commands:
        click.echo("$ " + " ".join(f'"{arg}"' if " " in arg else arg for arg in command))


@service.command("install")
@_PLATFORM
@_DRY
@click.option("--extension-id", "extension_ids", multiple=True,
              help="ID of the extension the companion answers (repeat for Chrome and Edge if they differ); "
                   "default: the development ID only.")
@click.option("--set", "settings_pairs", multiple=True, metavar="NAME=VALUE",
              help="A companion setting for the service, e.g. syslog_target=tls://siem.example.com:6514 "
                   "(repeatable; checked now).")
@click.option("--no-prepare", is_flag=True,
              help="Do not build the first start's cache now (the org's lists, the models); the first start "
                   "then builds it, which takes longer with a long client list.")
def service_install(platform_name, dry_run, extension_ids, settings_pairs, no_prepare):
    """Write the service file and start it now and at every login."""
    values = _service_values(settings_pairs)
    environment = {**{f"POSTGUARD_{name.upper()}": value for name, value in values.items()}, **_origins(extension_ids)}
    platform = _platform(platform_name, dry_run, environment)
    if not extension_ids:
        click.echo("note: no --extension-id: the companion answers only the development extension ID, "
                   "not an extension packed with your key", err=True)
    if dry_run:
        return _show(platform, platform.activate)
    if not no_prepare:
        _prepare_first_start(values)
    previous = platform.path.read_bytes() if platform.path.exists() else None
    platform.path.parent.mkdir(parents=True, exist_ok=True)
    platform.path.write_bytes(platform.content)
    platform.path.chmod(0o600)  # it may carry settings such as the central store's URL
    for command in platform.activate:
        done = _run(command)
        if done.returncode != 0:
            if previous is None:
                platform.path.unlink()
            else:
                platform.path.write_bytes(previous)
            reason = (done.stderr or done.stdout).strip().splitlines()[-1:] or [f"exit {done.returncode}"]
            raise DeployError(f"`{' '.join(command)}` failed ({reason[0]}); the service was not installed",
                              "service_failed")
    click.echo(f"installed {platform.path}; the companion starts now and at every login")


def _prepare_first_start(values: dict[str, str]) -> None:
    """What the service's first start would build (a long client list's matchers, the encoder's
    weights, Presidio's patterns) is built now, before the service starts, so that its first start
    is as quick as every restart (`postguard rules prepare`). A broken rule pack or list stops the
    install here, with its file, line and field, before anything is written."""
    from companion.runtime import prepare_start

    click.echo("preparing the companion's first start (rule packs, the org's lists, the models) ...")
    seconds = prepare_start(Settings.from_env(**values))
    click.echo(f"first start prepared in {seconds:.1f} s")


@service.command("uninstall")
@_PLATFORM
@_DRY
def service_uninstall(platform_name, dry_run):
    """Stop the service, keep it from starting at login, and remove its file."""
    # Every variable a service install may have set (on Windows they outlive the task otherwise).
    platform = _platform(platform_name, dry_run, {f"POSTGUARD_{name.upper()}": ""
                                                  for name in sorted(Settings.model_fields) if name != "host"})
    if dry_run:
        return _show(platform, platform.deactivate)
    for command in platform.deactivate:
        _run(command)  # already stopped or never registered is fine: the goal is "not installed"
    platform.path.unlink(missing_ok=True)
    click.echo(f"removed {platform.path}")


@service.command("status")
@_PLATFORM
@_DRY
def service_status(platform_name, dry_run):
    """Is the service installed, does the OS run it, does the companion answer?"""
    from companion.deploy.service import companion_health

    platform = _platform(platform_name, dry_run)
    if dry_run:
        return _show(platform, [platform.query])
    installed = platform.path.exists()
    click.echo(f"service file: {platform.path} ({'present' if installed else 'missing'})")
    done = _run(platform.query)
    state = (done.stdout or done.stderr).strip().splitlines()
    click.echo(f"service manager: {state[0] if state else 'no answer'} (`{' '.join(platform.query)}`)")
    settings = Settings.from_env()
    health = companion_health(settings.host, settings.port)
    click.echo(f"companion on {settings.host}:{settings.port}: "
               + (f"answering, rules {health['versions']['rules']}" if health else "not answering"))
    for target in (health or {}).get("forwarding", []):
        click.echo(f"audit forwarding to {target['target']}: {_forwarding_state(target)}")
    raise SystemExit(0 if installed and health else 1)


def _forwarding_state(target: dict) -> str:
    """One line on whether a forwarding target keeps up (informational: the events wait on disk)."""
    if not target["failures"]:
        return f"delivered through event {target['delivered_through']}, {target['backlog']} waiting"
    return (f"FAILING ({target['failures']} attempts in a row: {target['last_error']}), "
            f"{target['backlog']} events wait in the spool")
