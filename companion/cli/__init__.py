"""The `postguard` command: a thin door onto the same engine the HTTP API uses.

    postguard serve | check | eval | rules validate|bundle|install|keygen | audit ...
    postguard deploy policy|pack | service install|uninstall|status

Errors print one line naming what to fix (file, line, field) and exit non-zero;
the user's text is never part of an error.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from companion.config import EXAMPLE_ORG_DIR, Settings
from companion.errors import PostguardError, RequestError

_ORG = click.option("--org", "org_dir", type=click.Path(path_type=Path), default=None,
                    help="Org directory (default: POSTGUARD_ORG_DIR or the example org).")
_DATA = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                     help="Data directory holding the audit store (default: POSTGUARD_DATA_DIR).")


class PostguardGroup(click.Group):
    """Renders PostguardError as one clear line with its own exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PostguardError as exc:
            click.echo(f"postguard: {exc.message}", err=True)
            sys.exit(exc.exit_code)


@click.group(cls=PostguardGroup)
@click.version_option(package_name="postguard")
def main():
    """Postguard: check social-media posts for leaks before they go out."""


def _settings_help() -> str:
    """Every setting's environment variable and help text, for `postguard serve --help`."""
    lines = ["\b", "Settings (environment variables; options above take precedence):"]
    lines += [f"  POSTGUARD_{name.upper():<18} {field.description}"
              for name, field in Settings.model_fields.items()]
    return "\n".join(lines)


@main.command(epilog=_settings_help())
@click.option("--host", default=None, help="Bind address (loopback only; default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 7717).")
@_ORG
@_DATA
def serve(host, port, org_dir, data_dir):
    """Run the companion on 127.0.0.1 with a production WSGI server (waitress)."""
    from companion.server import run_server

    run_server(Settings.from_env(host=host, port=port, org_dir=org_dir, data_dir=data_dir))


@main.command()
@click.argument("text", required=False)
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--image", "images", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Batch: one JSON post per line; prints one JSON result per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", help="Language of messages.")
@_ORG
def check(text, text_file, images, jsonl, fmt, lang, org_dir):
    """Check one post (TEXT, --text-file, --image) or a batch (--jsonl)."""
    from companion import batch
    from companion.runtime import build_engine

    if not jsonl and text is None and not text_file and not images:
        raise click.UsageError("give the post as TEXT, --text-file or --image (or a batch with --jsonl)")
    if text is not None and text_file:
        raise click.UsageError("give the text either as TEXT or with --text-file, not both")
    if text_file:
        text = _read_post_file(text_file)
    engine = build_engine(Settings.from_env(org_dir=org_dir))
    if jsonl:
        sys.exit(batch.check_jsonl(engine, jsonl, sys.stdout, lang))
    result = engine.check(text or "", [batch.load_image(p) for p in images], lang=lang)
    if fmt == "json":
        click.echo(json.dumps(batch.result_json(result), ensure_ascii=False))
    else:
        click.echo(batch.result_text(result))


def _read_post_file(path: Path) -> str:
    """The post text from a file; a file that is not UTF-8 is named, its bytes never shown."""
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise RequestError(f"{path}:{line}: the file is not UTF-8 text", "bad_text_file") from None


@main.command("eval")
@click.argument("labeled", nargs=-1, required=True)
@click.option("--split", default=None, metavar="NAME",
              help="In directories, score every NAME.jsonl below them (e.g. test); default every *.jsonl.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@_ORG
def evaluate(labeled, split, fmt, org_dir):
    """Precision and recall per category, and the false-alarm rate on clean posts, over one or
    more labeled JSONL files (LABELED: files, directories or glob patterns), overall and per
    source."""
    from companion.evaluation import collect_files, evaluate_files, report_text
    from companion.runtime import build_engine

    paths = collect_files(list(labeled), split)
    report = evaluate_files(build_engine(Settings.from_env(org_dir=org_dir)), paths)
    click.echo(json.dumps(report, ensure_ascii=False, indent=1) if fmt == "json" else report_text(report))


@main.group()
def rules():
    """Rule packs: validate them; sign, install and verify rule bundles."""


@rules.command("validate")
@click.argument("rules_dir", required=False, type=click.Path(path_type=Path))
@click.option("--skip-examples", is_flag=True, help="Only check the schema, not the examples.")
@_ORG
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


from companion.audit_cli import audit  # noqa: E402  (registered after the group exists)
from companion.deploy.commands import deploy, rules_bundle, rules_install, rules_keygen, service  # noqa: E402

main.add_command(audit)
main.add_command(deploy)
main.add_command(service)
rules.add_command(rules_bundle)
rules.add_command(rules_install)
rules.add_command(rules_keygen)


if __name__ == "__main__":  # `python -m companion.cli ...` runs the same command as `postguard ...`
    main()
