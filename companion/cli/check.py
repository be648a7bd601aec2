"""`postguard check` and `postguard eval`: the engine from a terminal, one post or a labeled set."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from companion.cli.options import ORG
from companion.config import Settings
from companion.errors import RequestError
from companion.sites import SITE_IDS


@click.command()
@click.argument("text", required=False)
@click.option("--acting-as", metavar="NAME", default=None,
              help="Who the post goes out as on the site (display name or handle, as the page shows it); "
                   "judged against identities.yaml like the extension's check. Needs --site.")
@click.option("--site", type=click.Choice(SITE_IDS), default=None,
              help="The site the post goes out on (for --acting-as and --author).")
@click.option("--author", metavar="NAME", default=None,
              help="Check a reaction instead: reacting to a post by NAME (TEXT is that post's text), as the "
                   "reaction guard does. Needs --site.")
@click.option("--author-handle", metavar="HANDLE", default="",
              help="The author's handle or profile path, e.g. northwind.hardware (with --author).")
@click.option("--text-file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--image", "images", multiple=True, type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--jsonl", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Batch: one JSON post per line; prints one JSON result per line.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--lang", type=click.Choice(["en", "zh"]), default="en", help="Language of messages.")
@ORG
def check(text, text_file, images, jsonl, fmt, lang, org_dir, acting_as, site, author, author_handle):
    """Check one post (TEXT, --text-file, --image) or a batch (--jsonl).

    With --acting-as and --site, the post is also judged for the identity it goes out from, so IT can
    reproduce a wrong-account warning ("You are posting as linchen.eats, your personal account").
    With --author, it is a reaction check instead: is liking, reposting or commenting on that post risky,
    and, with --acting-as, would the company page be doing it."""
    from companion import batch
    from companion.detection.acting_identity import apply_judgement, judge_acting_identity
    from companion.runtime import build_engine

    if not jsonl and text is None and not text_file and not images and author is None:
        raise click.UsageError("give the post as TEXT, --text-file or --image (or a batch with --jsonl)")
    if text is not None and text_file:
        raise click.UsageError("give the text either as TEXT or with --text-file, not both")
    if (acting_as is not None or author is not None) and site is None:
        raise click.UsageError("--acting-as and --author need --site (the identities are declared per site)")
    if jsonl and (acting_as is not None or author is not None):
        raise click.UsageError("--acting-as and --author check one post, not a --jsonl batch")
    if text_file:
        text = _read_post_file(text_file)
    engine = build_engine(Settings.from_env(org_dir=org_dir))
    if jsonl:
        sys.exit(batch.check_jsonl(engine, jsonl, sys.stdout, lang))
    if author is not None:
        _check_reaction(engine, site, author, author_handle, text or "", acting_as, fmt, lang)
        return
    result = engine.check(text or "", [batch.load_image(p) for p in images], lang=lang)
    acting = judge_acting_identity(engine.org, site, acting_as, text or "", result, lang) if acting_as else None
    apply_judgement(result, acting)
    if fmt == "json":
        body = batch.result_json(result)
        if acting_as is not None:
            body["acted_as_company"] = acting.acted_as_company if acting else None
        click.echo(json.dumps(body, ensure_ascii=False))
    else:
        click.echo(batch.result_text(result))
        if acting_as is not None:
            click.echo(_identity_line(site, acting.acted_as_company if acting else None))


def _identity_line(site: str, company: bool | None) -> str:
    """How the acting identity was judged; None: not at all (no company identity declared for `site`)."""
    if company is None:
        return f"  Identity: not judged (identities.yaml declares no company identity for {site})."
    return f"  Identity: {'a company identity' if company else 'a personal identity'} on {site}."


def _check_reaction(engine, site, author, handle, text, acting_as, fmt, lang) -> None:
    """What the reaction guard's check says about reacting to one post (nothing is stored)."""
    from companion.detection.reaction import check_reaction, reacting_as

    risk = check_reaction(engine, author_name=author, author_handle=handle, text=text, lang=lang)
    who = reacting_as(engine.org.identities, site, acting_as)
    as_company = bool(who and who.company and {"competitor", "red_line"} & set(risk.reasons))
    if fmt == "json":
        click.echo(json.dumps({
            "reasons": risk.reasons, "red_line": risk.red_line,
            "listed": {"kind": risk.listed.kind, "name": risk.listed.label} if risk.listed else None,
            "acting": {"company": who.company, "name": who.name} if who else None,
            "acting_as_company_warning": as_company}, ensure_ascii=False))
        return
    lines = [f"Reaction: {'RISKY (' + ', '.join(risk.reasons) + ')' if risk.reasons else 'harmless'}"]
    if as_company:
        lines.append(f"  You are acting as the company page {who.name}: the reaction would be the company's.")
    if risk.listed:
        lines.append(f"  The author is on the {risk.listed.kind} list ({risk.listed.label}).")
    if risk.red_line:
        lines.append(f"  The post's text is red-line: {', '.join(risk.red_line)}.")
    if acting_as is not None and not as_company:
        lines.append(_identity_line(site, who.company if who else None))
    click.echo("\n".join(lines))


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
