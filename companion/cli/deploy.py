"""`postguard deploy policy|pack`: for IT, the browser policy files and the packed extension
(docs/deploy.md). Every command validates all of its input first and writes nothing when something
is wrong; the error is one line naming the option, file or field."""

from __future__ import annotations

from pathlib import Path

import click

from companion.sites import SITE_IDS


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
@click.option("--site", "sites", multiple=True, help=f"Managed: a guarded site (repeat): {', '.join(SITE_IDS)}.")
@click.option("--support-url", default=None, help="Managed: the help page shown to users.")
@click.option("--support-text", default=None,
              help="Managed: IT's own words after 'Contact IT:' (help desk, extension, chat channel; at most 200 characters).")
@click.option("--ask-for-approval/--no-ask-for-approval", default=None,
              help="Managed: offer 'Ask for approval' when the companion has a central service.")
@click.option("--reaction", "reactions", multiple=True,
              help="Managed: what a reaction to a risky post does, GROUP.REASON=LEVEL (repeat), e.g. react.client=warn; "
                   "groups react, share, comment; reasons competitor, client, red_line; levels monitor, warn, block.")
@click.option("--firefox-install-url", default=None, help="Firefox: URL of the signed .xpi (default: postguard.xpi beside updates.xml).")
@click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path), default=Path("postguard-policy"),
              show_default=True, help="Directory to write the policy files into.")
def deploy_policy(extension_id, update_url, companion_url, enforcement, fail_mode, allow_override,
                  require_justification, sites, support_url, support_text, ask_for_approval, reactions,
                  firefox_install_url, out_dir):
    """Force-install + pin + managed settings for Chrome, Edge, Chromium (Windows .reg, macOS
    .mobileconfig, Linux JSON) and Firefox (policies.json). Only the settings you give are locked."""
    from companion.deploy.policy import PolicyInputs
    from companion.deploy.policy_files import policy_files, write_files

    managed = {"companionUrl": companion_url, "enforcement": enforcement, "failMode": fail_mode,
               "allowOverride": allow_override, "requireJustification": require_justification,
               "sites": list(sites) or None, "supportUrl": support_url, "supportText": support_text,
               "askForApproval": ask_for_approval, "reactionPolicy": _reaction_cells(reactions) or None}
    inputs = PolicyInputs.checked(extension_id, update_url, {k: v for k, v in managed.items() if v is not None},
                                  firefox_install_url)
    for path in write_files(out_dir, policy_files(inputs)):
        click.echo(f"wrote {path}")
    locked = ", ".join(f"{k}={v}" for k, v in inputs.managed.items()) or "none (users keep their own settings)"
    click.echo(f"extension {inputs.extension_id} force-installed from {inputs.update_url}; locked: {locked}")


def _reaction_cells(cells: tuple[str, ...]) -> dict:
    """`react.client=warn` options as {"react": {"client": "warn"}}; the schema check names a bad cell."""
    table: dict = {}
    for cell in cells:
        where, _, level = cell.partition("=")
        group, _, reason = where.partition(".")
        if not (group and reason and level):
            raise click.BadParameter(f"{cell!r} is not GROUP.REASON=LEVEL", param_hint="--reaction")
        table.setdefault(group.strip(), {})[reason.strip()] = level.strip()
    return table


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
