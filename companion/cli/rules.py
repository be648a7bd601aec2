"""`postguard rules validate|bundle|install|prepare|keygen`: rule packs, and the signed bundles that carry
them (with the org lists) to every laptop."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import click

from companion.cli.options import DATA, ORG
from companion.config import EXAMPLE_ORG_DIR, Settings


@click.group()
def rules():
    """Rule packs: validate them; sign, install and verify rule bundles."""


@rules.command("validate")
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path))
@click.option("--skip-examples", is_flag=True, help="Only check the schema, not the examples.")
@ORG
def rules_validate(rules_dir, skip_examples, org_dir):
    """Validate packs in RULES_DIR (default: the configured rules) and the org directory, then
    run the packs' examples.

    The examples name the example org's clients and products, so they always run against
    the example org; your own org directory (--org) is checked for errors, not against them.
    """
    from companion.org import load_org
    from companion.rules import load_rules
    from companion.rules_check import run_examples

    settings = Settings.from_env(rules_dir=rules_dir, org_dir=org_dir)
    ruleset = load_rules(settings.rules_dir)
    click.echo(f"{len(ruleset.packs)} packs, {sum(len(p.rules) for p in ruleset.packs)} rules: "
               f"{ruleset.version}")
    org = load_org(settings.org_dir)
    click.echo(f"org {settings.org_dir}: {len(org.clients)} clients, {len(org.competitors)} competitors, "
               f"{len(org.products)} unreleased products, {len(org.allow)} allowed entries")
    if skip_examples:
        return
    failures = run_examples(settings.model_copy(update={"org_dir": EXAMPLE_ORG_DIR}))
    for failure in failures:
        click.echo(f"FAIL {failure}", err=True)
    if failures:
        sys.exit(1)
    click.echo("all examples behave as documented")


def _write_atomically(path: Path, data: bytes) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.tmp")
    temporary.write_bytes(data)
    os.replace(temporary, path)


@rules.command("bundle")
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


@rules.command("install")
@click.argument("bundle_path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--pubkey", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Ed25519 public key the bundle must be signed with.")
@DATA
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
    _prepare_client_list(verified, settings)
    installed = install(verified, settings.data_dir, allow_downgrade)
    click.echo(f"installed rule bundle {installed.version} ({len(verified.files)} files) in {installed.path}; "
               f"a running companion reloads it within {settings.bundle_poll_s:g} s")


def _prepare_client_list(verified, settings: Settings) -> None:
    """A long client list's matchers, built into the start cache before the bundle is put in force:
    a running companion that picks the bundle up (within `bundle_poll_s`) and the next start both
    read them, instead of building them beside this command at the same time. The cache file's
    name depends only on the list's bytes and the building code, so a bundle refused after this
    leaves only an unused cache file. A cache that cannot be written is a warning, not a failure:
    the companion then builds the list itself."""
    from companion.detection import client_prebuild
    from companion.detection.start_cache import start_cache_dir

    clients = verified.files.get("org/clients.csv")
    if clients is None:
        return
    try:
        prepared = client_prebuild.prepare(clients, start_cache_dir(settings.data_dir))
    except OSError as err:
        click.echo(f"warning: the client list could not be prepared in the start cache ({err.strerror}); "
                   "the companion builds it when it loads the bundle", err=True)
        return
    if prepared:
        click.echo("client list prepared for the companion's next start")


@rules.command("prepare")
@ORG
@DATA
def rules_prepare(org_dir, data_dir):
    """Build what the companion's next start would otherwise build (a long client list's matchers,
    the red-line encoder's weights unzipped, Presidio's patterns compiled) into the data dir's start
    cache, so that a first start after installing, or after changing the org's lists by hand, is as
    quick as any restart. Errors in the rules or lists are named as `serve` names them."""
    from companion.runtime import prepare_start

    seconds = prepare_start(Settings.from_env(org_dir=org_dir, data_dir=data_dir))
    click.echo(f"start cache prepared in {seconds:.1f} s")


@rules.command("keygen")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True)
def rules_keygen(out_dir):
    """Make the Ed25519 key pair that signs bundles (keep the .pem private; ship the .pub.pem)."""
    from companion.deploy.bundle import generate_key_pair

    private, public = out_dir / "postguard-bundle-signing.pem", out_dir / "postguard-bundle-signing.pub.pem"
    generate_key_pair(private, public)
    click.echo(f"private key (keep secret, signs bundles): {private}\npublic key (ship to laptops): {public}")
