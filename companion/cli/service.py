"""`postguard deploy policy|pack`, `postguard service install|uninstall|status` and
`postguard rules bundle|install|keygen`: thin doors onto the deploy modules.

Every command validates all of its input first and writes nothing when something is wrong; the
error is one line naming the option, file or field (rendered by PostguardGroup in cli.py).
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import click

from companion.config import Settings
from companion.deploy.errors import DeployError

_DATA = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                     help="Data directory of the companion (default: POSTGUARD_DATA_DIR).")


@click.group()
def deploy():
    """For IT: browser policy files and the packed extension (see docs/deploy.md)."""


@deploy.command("policy")
@click.option("--extension-id", required=True, help="The ID `postguard deploy pack` printed (32 letters a-p).")
@click.option("--update-url", required=True, help="Where browsers fetch updates.xml, e.g. https://intranet/postguard/updates.xml.")
@click.option("--companion-url", default=None, help="Managed: the companion's URL on each laptop (127.0.0.1 only).")
@click.option("--enforcement", default=None, help="Managed: monitor, warn or block.")
@click.option("--fail-mode", default=None, help="Managed: open or closed when the companion is not running.")
@click.option("--allow-override/--no-allow-override", default=None, help="Managed: may users post anyway.")
@click.option("--require-justification/--no-require-justification", default=None,
              help="Managed: does 'Post anyway' ask for a reason.")
@click.option("--site", "sites", multiple=True, help="Managed: a guarded site (repeat): linkedin, facebook, instagram.")
@click.option("--support-url", default=None, help="Managed: the help page shown to users.")
@click.option("--firefox-install-url", default=None, help="Firefox: URL of the signed .xpi (default: postguard.xpi beside updates.xml).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("postguard-policy"),
              show_default=True, help="Directory to write the policy files into.")
def deploy_policy(extension_id, update_url, companion_url, enforcement, fail_mode, allow_override,
                  require_justification, sites, support_url, firefox_install_url, out_dir):
    """Force-install + pin + managed settings for Chrome, Edge, Chromium (Windows .reg, macOS
    .mobileconfig, Linux JSON) and Firefox (policies.json). Only the settings you give are locked."""
    from companion.deploy.policy import PolicyInputs
    from companion.deploy.policy_files import policy_files, write_files

    managed = {"companionUrl": companion_url, "enforcement": enforcement, "failMode": fail_mode,
               "allowOverride": allow_override, "requireJustification": require_justification,
               "sites": list(sites) or None, "supportUrl": support_url}
    inputs = PolicyInputs.checked(extension_id, update_url, {k: v for k, v in managed.items() if v is not None},
                                  firefox_install_url)
    for path in write_files(out_dir, policy_files(inputs)):
        click.echo(f"wrote {path}")
    locked = ", ".join(f"{k}={v}" for k, v in inputs.managed.items()) or "none (users keep their own settings)"
    click.echo(f"extension {inputs.extension_id} force-installed from {inputs.update_url}; locked: {locked}")


@deploy.command("pack")
@click.option("--key", "key_path", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="RSA private key (PEM) that fixes the extension ID. Default: "
                   "~/.config/postguard/keys/postguard-extension.pem (or under $XDG_CONFIG_HOME), created on "
                   "first use and reused after. Never inside --out, the folder that is uploaded.")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("dist/extension"),
              show_default=True)
@click.option("--update-url", default=None, help="URL updates.xml will be served at; the CRX is expected beside it.")
@click.option("--chromium", default=None, help="Browser binary that packs (default: the first Chromium/Chrome found).")
def deploy_pack(key_path, out_dir, update_url, chromium):
    """Pack extension/ into a CRX3 with Chromium and write updates.xml; prints the extension ID."""
    from companion.deploy.pack import pack
    from companion.deploy.policy import check_url

    if update_url:
        check_url(update_url, "--update-url")
    result = pack(out_dir, key_path, update_url, chromium)
    if result.key_created:
        click.echo(f"WARNING: created a new extension key {result.key}. Keep it safe and reuse it: the key "
                   f"decides the extension ID, and a new key means a new ID in every policy. It is not in {out_dir}: upload only that folder.", err=True)
    click.echo(f"extension ID: {result.extension_id}")
    click.echo(f"packed {result.crx} (version {result.version}) with key {result.key}")
    if result.updates_xml:
        click.echo(f"wrote {result.updates_xml}: serve it at {update_url} with {result.crx.name} beside it")
    else:
        click.echo("no --update-url given: updates.xml not written")


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
    """The companion answers only its own extension: the packed extension's ID must be allowed."""
    from companion.deploy.policy import check_extension_id

    origins = [f"chrome-extension://{check_extension_id(i)}" for i in extension_ids]
    return {"POSTGUARD_ALLOWED_ORIGINS": ",".join(origins)} if origins else {}


# Settings a service may not carry: the address is fixed to loopback by design, and the origins
# come from --extension-id.
_NOT_SETTABLE = {"host", "allowed_origins"}


def _service_settings(pairs: tuple[str, ...]) -> dict:
    """`--set NAME=VALUE` as POSTGUARD_* variables for the service, validated now as the companion
    will read them (and file paths made absolute: the service does not start in this directory)."""
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
    return {f"POSTGUARD_{name.upper()}": value for name, value in values.items()}


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
def service_install(platform_name, dry_run, extension_ids, settings_pairs):
    """Write the service file and start it now and at every login."""
    environment = {**_service_settings(settings_pairs), **_origins(extension_ids)}
    platform = _platform(platform_name, dry_run, environment)
    if not extension_ids:
        click.echo("note: no --extension-id: the companion answers only the development extension ID, "
                   "not an extension packed with your key", err=True)
    if dry_run:
        return _show(platform, platform.activate)
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


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@click.command("bundle")
@click.option("--key", "key_path", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Ed25519 private key (postguard rules keygen).")
@click.option("--org", "org_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Org directory to include (clients.csv, competitors.txt, products.txt, allow.txt).")
@click.option("--rules", "rules_dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Rules directory whose packs/*.yaml to include.")
@click.option("--version", "version", default=None, help="Bundle version (default: the UTC time).")
@click.option("--out", "out_path", required=True, type=click.Path(dir_okay=False, path_type=Path))
def rules_bundle(key_path, org_dir, rules_dir, version, out_path):
    """Sign the org directory and/or rule packs as one bundle for every laptop."""
    from companion.deploy.bundle import bundle_files, build_bundle, default_version, load_private_key, sha256
    from companion.org import load_org
    from companion.rules import load_rules

    if org_dir is None and rules_dir is None:
        raise click.UsageError("give --org, --rules or both")
    key = load_private_key(key_path)
    if org_dir is not None:
        load_org(org_dir)  # a broken file names its path, line and field; nothing broken gets signed
    if rules_dir is not None:
        load_rules(rules_dir)
    files = bundle_files(org_dir, rules_dir)
    data = build_bundle(files, key, version or default_version())
    _write_atomically(out_path, data)
    click.echo(f"wrote {out_path}: {len(files)} files, sha256 {sha256(data)}")


@click.command("install")
@click.argument("bundle_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pubkey", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Ed25519 public key the bundle must be signed with.")
@_DATA
@click.option("--allow-downgrade", is_flag=True, help="Install a bundle older than the installed one.")
def rules_install(bundle_path, pubkey, data_dir, allow_downgrade):
    """Verify a signed bundle (signature, every file's hash, the packs and org files) and make it
    the rules in force; a running companion reloads them without a restart."""
    from companion.deploy.bundle import load_public_key, verify_bundle
    from companion.deploy.installed import install

    from companion.deploy.bundle import MAX_BUNDLE_BYTES
    from companion.deploy.errors import BundleRejected

    settings = Settings.from_env(data_dir=data_dir)
    public_key = load_public_key(pubkey)
    if bundle_path.stat().st_size > MAX_BUNDLE_BYTES:
        raise BundleRejected(f"{bundle_path} is larger than a rule bundle can be")
    verified = verify_bundle(bundle_path.read_bytes(), public_key)
    installed = install(verified, settings.data_dir, allow_downgrade)
    click.echo(f"installed rule bundle {installed.version} ({len(verified.files)} files) in {installed.path}; "
               f"a running companion reloads it within {settings.bundle_poll_s:g} s")


@click.command("keygen")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True)
def rules_keygen(out_dir):
    """Make the Ed25519 key pair that signs bundles (keep the .pem private; ship the .pub.pem)."""
    from companion.deploy.bundle import generate_key_pair

    private, public = out_dir / "postguard-bundle-signing.pem", out_dir / "postguard-bundle-signing.pub.pem"
    generate_key_pair(private, public)
    click.echo(f"private key (keep secret, signs bundles): {private}\npublic key (ship to laptops): {public}")
