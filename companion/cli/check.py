"""`postguard check` and `postguard eval`: the engine from a terminal, one post or a labeled set."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from companion.cli.options import ORG
from companion.config import Settings
from companion.errors import RequestError


@click.command()
@click.argument("text", required=False)
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--image", "images", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Batch: one JSON post per line; prints one JSON result per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", help="Language of messages.")
@ORG
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


@click.command("eval")
@click.argument("labeled", nargs=-1, required=True)
@click.option("--split", default=None, metavar="NAME",
              help="In directories, score every NAME.jsonl below them (e.g. test); default every *.jsonl.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@ORG
def evaluate(labeled, split, fmt, org_dir):
    """Precision and recall per category, and the false-alarm rate on clean posts, over one or
    more labeled JSONL files (LABELED: files, directories or glob patterns), overall and per
    source."""
    from companion.evaluation import collect_files, evaluate_files, report_text
    from companion.runtime import build_engine

    paths = collect_files(list(labeled), split)
    report = evaluate_files(build_engine(Settings.from_env(org_dir=org_dir)), paths)
    click.echo(json.dumps(report, ensure_ascii=False, indent=1) if fmt == "json" else report_text(report))
