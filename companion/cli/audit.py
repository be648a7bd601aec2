"""`postguard audit list|export|verify|token|prune`: the local audit log from a terminal."""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import click

from companion.cli.options import DATA
from companion.config import Settings
from companion.errors import ConfigError, port_taken

_SINCE = click.option("--since", default=None, help="Only events at or after this ISO date/time.")


def _store(data_dir):
    """The existing audit log in the data dir; reading never creates a new, empty one.

    A mistyped --data-dir must not answer "chain OK: 0 events" about a log that was
    created a moment ago instead of the one the admin meant to check.
    """
    from companion.audit import AuditStore
    from companion.audit.schema import DB_FILE_NAME

    directory = Settings.from_env(data_dir=data_dir).data_dir
    if not (directory / DB_FILE_NAME).is_file():
        raise ConfigError("no audit log here (is --data-dir right?)", path=str(directory))
    return AuditStore.open(directory)


def _since(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        return datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter("use an ISO date such as 2026-11-01 or 2026-11-01T09:00",
                                 param_hint="--since") from None


@click.group()
def audit():
    """The local audit log: list, export, verify the hash chain, review token, prune."""


@audit.command("list")
@DATA
@_SINCE
@click.option("--limit", type=int, default=50, show_default=True, help="Newest N events.")
def audit_list(data_dir, since, limit):
    """One line per event: time, kind, platform, verdict or action, categories."""
    for e in _store(data_dir).events(since=_since(since), limit=limit):
        what = e.get("verdict") if e["kind"] == "check" else e.get("action")
        cats = ",".join(e.get("categories") or []) or "-"
        click.echo(f"{e['seq']:>6} {e['ts']} {e['kind']:<9} {e.get('platform') or '-':<9} "
                   f"{what or '-':<10} {cats}  scan={e.get('scan_id') or '-'}")


@audit.command("export")
@DATA
@_SINCE
@click.option("--format", "fmt", type=click.Choice(["jsonl", "csv"]), default="jsonl")
@click.option("--output", "-o", type=click.Path(dir_okay=False, path_type=Path), default=None)
def audit_export(data_dir, since, fmt, output):
    """Every event (or those since a date) as JSONL or CSV."""
    from companion.audit import export_events

    events = _store(data_dir).events(since=_since(since))
    if output:
        with output.open("w", encoding="utf-8", newline="") as handle:
            count = export_events(events, fmt, handle)
        click.echo(f"{count} events written to {output}", err=True)
    else:
        export_events(events, fmt, sys.stdout)


@audit.command("verify")
@DATA
@click.option("--db", "db_url", default=None, metavar="URL",
              help="Verify every laptop's chain in the central PostgreSQL store instead.")
@click.option("--against", "targets", multiple=True, metavar="TARGET",
              help="Also compare the local chain with a forwarding target's copy: a syslog archive file "
                   "(as rsyslog writes it), a postgresql:// URL, or `central` for the configured central_db. "
                   "Catches a cut tail and rewritten events. Repeatable.")
def audit_verify(data_dir, db_url, targets):
    """Check the hash chain; exit 1 and name the first broken link when it is broken.

    With --against, exit 4 when the target holds events deleted here (a cut tail), 5 when
    an event differs from the target's copy (rewritten), 6 when the target holds no event
    of this log.
    """
    if db_url:
        _verify_central(db_url)
        return
    store = _store(data_dir)
    report = store.verify()
    if report.ok:
        click.echo(f"chain OK: {report.checked} events, head {report.head_hash}")
    else:
        click.echo(f"chain BROKEN at event {report.first_broken}: {report.reason}", err=True)
    code = 0 if report.ok else 1
    if targets:
        code = _verify_against(store, targets, code)
    elif report.ok:
        _print_anchors(store, report.head_seq)
    if code:
        sys.exit(code)


def _print_anchors(store, head_seq: int) -> None:
    """Where the head was last anchored, as this laptop's spool remembers it: a hint, not proof
    (the spool is on the laptop too); `--against` asks the target itself."""
    from companion.audit.sinks.anchor_record import read_anchors, read_replacements

    data_dir = store.db_path.parent
    check = "Check with `postguard audit verify --against` and that target's archive or store."
    for replaced in read_replacements(data_dir):
        anchor = replaced.anchor
        click.echo(f"WARNING: {anchor.target or anchor.sink} had confirmed event {anchor.seq} when this log, "
                   f"ending at event {replaced.log_ended_at}, no longer fitted it ({replaced.replaced_at}); "
                   f"forwarding began again under a new laptop id. {check}", err=True)
    for anchor in read_anchors(data_dir):
        where = anchor.target or anchor.sink
        if anchor.seq > head_seq:
            click.echo(f"WARNING: {where} confirmed event {anchor.seq} at {anchor.anchored_at}, but this log "
                       f"ends at event {head_seq}: events may have been cut here. {check}", err=True)
        else:
            click.echo(f"head last anchored to {where} at {anchor.anchored_at}: event {anchor.seq}; "
                       "compare with `postguard audit verify --against ...`")


def _verify_against(store, targets, local_code: int) -> int:
    """Compare with each target; the exit code of the gravest finding (a broken local chain: 1)."""
    from companion.audit.anchor import read_local_chain, worst
    from companion.audit.sinks.anchor_record import read_laptop_ids

    local = read_local_chain(store.events())
    laptop_ids = set(read_laptop_ids(store.db_path.parent))
    found = []
    for spec in targets:
        for comparison in _compare(spec, local, laptop_ids):
            click.echo(comparison.message, err=comparison.outcome != "match")
            found.append(comparison)
    gravest = worst(found)
    if gravest.outcome in ("rewritten", "cut"):
        return gravest.exit_code
    return local_code or gravest.exit_code


def _compare(spec: str, local, laptop_ids: set[str]):
    """The comparisons with one --against target (file, postgresql:// URL or `central`)."""
    from companion.audit.anchor import compare_with_target
    from companion.audit.anchor_sources import central_chains, syslog_archive_chains

    if spec == "central":
        configured = Settings.from_env().central_db
        if configured is None:
            raise ConfigError("--against central needs central_db (POSTGUARD_CENTRAL_DB); or pass the "
                              "postgresql:// URL", field="--against")
        spec = configured.get_secret_value()
    if spec.startswith(("postgresql://", "postgres://")):
        chains, label = central_chains(spec, local, laptop_ids)
        return compare_with_target(local, chains, target=f"the central store {label}", laptop_ids=laptop_ids,
                                   at_means="received")
    path = Path(spec)
    if not path.is_file():
        raise ConfigError("no such file; --against takes a syslog archive file, a postgresql:// URL or "
                          "`central`", path=spec, field="--against")
    return compare_with_target(local, syslog_archive_chains(path), target=f"the syslog archive {path}",
                               laptop_ids=laptop_ids, at_means="recorded")


def _verify_central(db_url: str) -> None:
    """A full walk of every laptop's chain in the central store, one line per laptop."""
    from companion.audit.pg_reader import PostgresAuditReader

    reader = PostgresAuditReader.open(db_url)
    try:
        reports = reader.verify_laptops(full=True)
    finally:
        reader.close()
    for item in reports:
        r = item.report
        state = f"OK: {r.checked} events, head {r.head_hash}" if r.ok else \
            f"BROKEN at event {r.first_broken}: {r.reason}"
        click.echo(f"{item.host or '?'} ({item.laptop_id}) chain {state}", err=not r.ok)
    if any(not item.report.ok for item in reports):
        sys.exit(1)
    click.echo(f"{len(reports)} laptops verified")


@audit.command("init-db")
@click.option("--db", "db_url", envvar="POSTGUARD_CENTRAL_DB", required=True, metavar="URL",
              help="PostgreSQL URL, as a role that may create tables (default: POSTGUARD_CENTRAL_DB).")
def audit_init_db(db_url):
    """Create the central store's tables, so laptops can write with INSERT-only rights."""
    from companion.audit.sinks.pg_connect import connect, parse_central_db
    from companion.audit.sinks.pg_schema import ensure_schema, tables_exist

    db = parse_central_db(db_url, field="--db")
    conn = connect(db, autocommit=True)
    try:
        existed = tables_exist(conn)
        ensure_schema(conn)
    finally:
        conn.close()
    click.echo(f"{'tables already there' if existed else 'tables created'} in {db.describe()}: "
               "postguard_events, postguard_laptops")


@audit.command("serve")
@click.option("--db", "db_url", envvar="POSTGUARD_CENTRAL_DB", required=True, metavar="URL",
              help="PostgreSQL URL of the central audit store (default: POSTGUARD_CENTRAL_DB). Leave the "
                   "password out and use PGPASSWORD or ~/.pgpass: command lines are visible to other users.")
@click.option("--port", type=int, default=7718, show_default=True, help="Port on 127.0.0.1.")
@DATA
def audit_serve(db_url, port, data_dir):
    """Serve the review page over every laptop's events in the central PostgreSQL store.

    The page is on http://127.0.0.1:PORT/audit and opens with the admin token of
    --data-dir (`postguard audit token --data-dir ...`).
    """
    from waitress import create_server

    from companion.audit.pg_reader import PostgresAuditReader
    from companion.review import create_review_app

    settings = Settings.from_env(data_dir=data_dir, port=port)
    reader = PostgresAuditReader.open(db_url)
    app = create_review_app(reader, settings, source_label=f"Central audit store {reader.db.describe()}, "
                                                           "all laptops")
    try:
        server = create_server(app, host="127.0.0.1", port=settings.port, threads=settings.threads,
                               ident="postguard-review")
    except OSError as exc:
        reader.close()
        raise port_taken("127.0.0.1", settings.port, exc) from None
    from companion.server import record_serving_url

    record_serving_url(settings.data_dir, f"http://127.0.0.1:{settings.port}")
    click.echo(f"Postguard review of {reader.db.describe()} on http://127.0.0.1:{settings.port}/audit "
               f"(admin token: postguard audit token --data-dir {settings.data_dir})")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        reader.close()


@audit.command("token")
@DATA
@click.option("--rotate", is_flag=True, help="Replace the token; every open review session ends.")
def audit_token(data_dir, rotate):
    """Print the admin token that opens the review page at /audit (created on first use)."""
    from companion.review.auth import admin_token, token_path

    from companion.server import read_serving_url

    settings = Settings.from_env(data_dir=data_dir)
    token, created = admin_token(settings.data_dir, rotate=rotate)
    click.echo(token)
    what = "new token written to" if created else "token from"
    # The address the companion (or `audit serve`) of this data dir last started on; else the setting.
    base = read_serving_url(settings.data_dir) or f"http://127.0.0.1:{settings.port}"
    click.echo(f"{what} {token_path(settings.data_dir)} (0600); sign in at {base}/audit", err=True)


@audit.command("prune")
@DATA
@click.option("--retention-days", type=int, default=None,
              help="Keep this many days (default: POSTGUARD_AUDIT_RETENTION_DAYS, else 365).")
def audit_prune(data_dir, retention_days):
    """Delete events older than the retention, leaving a checkpoint that keeps the chain verifiable."""
    from companion.audit.retention import prune_as_configured

    settings = Settings.from_env(data_dir=data_dir, audit_retention_days=retention_days)
    if settings.audit_retention_days == 0:
        click.echo("retention is 0 (keep forever): nothing pruned")
        return
    result = prune_as_configured(_store(data_dir), settings)
    click.echo(result.summary() if result else
               f"nothing older than {settings.audit_retention_days} days: nothing pruned")
