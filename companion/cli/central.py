"""`postguard central ...`: the central service (companion/central/) and what IT does with it.

    central keygen --key-dir DIR            session.key, drafts.key (0600), once for every instance
    central init-db --db URL                the tables and the review page's indexes (as a role that may create them)
    central serve                           the service behind waitress (TLS at the reverse proxy); builds
                                            what the review page lacks in the background, /health says how far
    central enroll-code --label L [--uses N --days D]   a code to hand out by policy (shown once)
    central devices list | revoke ID        enrolled laptops; revoke one at once
    central user set NAME --role R | disable NAME       reviewers and admins (password asked, never an option)
    central purge                           delete decided drafts past their retention now
    central enroll --url URL --code CODE    on a laptop: enroll now instead of at the first event
"""

from __future__ import annotations

from pathlib import Path

import click

from companion.cli.options import DATA

_DB = click.option("--db", "db_url", envvar="POSTGUARD_CENTRAL_DB", required=True, metavar="URL",
                   help="PostgreSQL URL of the central store (default: POSTGUARD_CENTRAL_DB). Leave the password "
                        "out and use PGPASSWORD or ~/.pgpass.")


def _store(db_url: str):
    from companion.central.db import CentralStore
    from companion.central.schema import central_tables_exist
    from companion.errors import ConfigError

    store = CentralStore(db_url)
    with store.connection() as conn:
        if not central_tables_exist(conn):
            raise ConfigError("the central service's tables are not there; run `postguard central init-db` "
                              "first (is the database name right?)", field="--db")
    return store


@click.group()
def central():
    """The central service: laptops enroll and send their audit events; reviewers sign in."""


@central.command("keygen")
@click.option("--key-dir", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="Directory for session.key and drafts.key (made 0700).")
def central_keygen(key_dir):
    """Make the session and draft keys (existing ones are kept); copy them to every instance."""
    from companion.central.drafts import generate_keys

    written = generate_keys(key_dir)
    click.echo("\n".join(f"wrote {p} (0600)" for p in written) or f"keys already in {key_dir}; nothing changed")


@central.command("init-db")
@_DB
def central_init_db(db_url):
    """Create the audit store's and the service's tables, so the service can run with fewer rights, and
    the review page's tables and indexes (built concurrently: laptops' events keep arriving meanwhile),
    waiting for them; `serve` would build what is missing in the background."""
    from companion.central.db import CentralStore
    from companion.central.schema import init_db

    store = CentralStore(db_url)
    with store.connection() as conn:
        problems = init_db(conn)
    if problems:
        raise click.ClickException(f"not everything could be made in {store.describe()}: " + "; ".join(problems)
                                   + ". The service runs, and its review page reads the events directly.")
    click.echo(f"tables ready in {store.describe()}")


@central.command("serve")
@_DB
@click.option("--host", default=None, help="Bind address (default 127.0.0.1; the reverse proxy is in front).")
@click.option("--port", type=int, default=None, help="Port (default 7720).")
@click.option("--key-dir", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Directory holding session.key and drafts.key (default: POSTGUARD_CENTRAL_KEY_DIR).")
def central_serve(db_url, host, port, key_dir):
    """Run the central service with waitress until stopped."""
    import logging

    from waitress import create_server

    from companion.central.app import create_central_app, start_purging
    from companion.central.settings import CentralSettings
    from companion.errors import ConfigError, port_taken

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    settings = CentralSettings.from_env(db=db_url, host=host, port=port, key_dir=key_dir)
    app = create_central_app(settings)
    try:
        server = create_server(app, host=settings.host, port=settings.port, threads=settings.threads,
                               ident="postguard-central",
                               max_request_body_size=2 * settings.max_request_bytes)
    except OSError as exc:
        raise port_taken(settings.host, settings.port, exc) from None
    stop_purging = start_purging(settings)
    builder = app.extensions["postguard_central"].builder.start()  # what the review page lacks, while serving
    store = app.extensions["postguard_central"].store
    click.echo(f"Postguard central service on http://{settings.host}:{settings.port} over {store.describe()}",
               err=False)
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        stop_purging.set()
        builder.stop()


@central.command("enroll-code")
@_DB
@click.option("--label", required=True, help="What the code is for, e.g. 'sales EMEA, December rollout'.")
@click.option("--uses", type=int, default=1, show_default=True, help="How many laptops may enroll with it.")
@click.option("--days", type=float, default=7, show_default=True, help="How long it can be used.")
def central_enroll_code(db_url, label, uses, days):
    """A new enrollment code; put it in the companion's central_enroll_code setting by policy."""
    from companion.central.devices import create_code

    with _store(db_url).connection() as conn:
        code = create_code(conn, label, uses, days)
    click.echo(code)
    click.echo(f"good for {uses} laptop(s) within {days:g} days; shown only now", err=True)


@central.group("devices")
def central_devices():
    """Enrolled laptops."""


@central_devices.command("list")
@_DB
def central_devices_list(db_url):
    """One line per laptop: id, host, user, enrolled, last heard from, revoked."""
    from companion.central.devices import list_devices

    with _store(db_url).connection() as conn:
        for d in list_devices(conn):
            state = f"REVOKED {d['revoked_at']:%Y-%m-%d}" if d["revoked_at"] else "active"
            seen = f"{d['last_seen']:%Y-%m-%d %H:%M}" if d["last_seen"] else "never"
            click.echo(f"{d['device_id']}  {d['host'] or '?':<20} {d['os_user'] or '?':<12} "
                       f"enrolled {d['enrolled_at']:%Y-%m-%d}  last seen {seen}  {state}")


@central_devices.command("revoke")
@_DB
@click.argument("device_id")
def central_devices_revoke(db_url, device_id):
    """Revoke one laptop's token at once (it can enroll again only with a new code)."""
    from companion.central.devices import revoke
    from companion.errors import NotFound

    with _store(db_url).connection() as conn:
        if not revoke(conn, device_id):
            raise NotFound("no such active laptop; see `postguard central devices list`")
    click.echo(f"revoked {device_id}")


@central.group("user")
def central_user():
    """Reviewers and admins who sign in to the central service."""


@central_user.command("set")
@_DB
@click.argument("username")
@click.option("--role", type=click.Choice(["reviewer", "admin"]), required=True)
@click.password_option(help="Asked for (twice) when not given through POSTGUARD_CENTRAL_PASSWORD.",
                       envvar="POSTGUARD_CENTRAL_PASSWORD")
def central_user_set(db_url, username, role, password):
    """Create an account, or set its password and role (its open sessions end)."""
    from companion.central.accounts import set_account

    with _store(db_url).connection() as conn:
        created = set_account(conn, username, password, role)
    click.echo(f"{'created' if created else 'updated'} {role} {username}")


@central_user.command("disable")
@_DB
@click.argument("username")
def central_user_disable(db_url, username):
    """Disable an account; its open sessions end at once."""
    from companion.central.accounts import disable_account
    from companion.errors import NotFound

    with _store(db_url).connection() as conn:
        if not disable_account(conn, username):
            raise NotFound("no such account")
    click.echo(f"disabled {username}")


@central.command("purge")
@_DB
@click.option("--expire-hours", type=float, default=None,
              help="Hours a request may wait (default: POSTGUARD_CENTRAL_APPROVAL_EXPIRE_HOURS, else 72).")
def central_purge(db_url, expire_hours):
    """Expire unanswered requests and delete decided drafts past their retention now (the service
    also does it every minute)."""
    from datetime import timedelta

    from companion.central.approvals import purge
    from companion.central.settings import CentralSettings

    hours = CentralSettings.from_env(db=db_url, approval_expire_hours=expire_hours).approval_expire_hours
    with _store(db_url).connection() as conn:
        expired, purged = purge(conn, timedelta(hours=hours))
    click.echo(f"{purged} drafts deleted, {expired} requests expired")


@central.command("enroll")
@click.option("--url", required=True, help="The central service, e.g. https://postguard.example.com.")
@click.option("--code", required=True, envvar="POSTGUARD_CENTRAL_ENROLL_CODE", help="The enrollment code from IT.")
@click.option("--ca-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              default=None, help="CA certificate of the service (default: the system's CAs).")
@DATA
def central_enroll(url, code, ca_file, data_dir):
    """On a laptop: enroll now (the companion otherwise enrolls at its first event)."""
    from companion.central.client import CentralClient
    from companion.config import Settings
    from companion.errors import ConfigError

    try:
        client = CentralClient(url, Settings.from_env(data_dir=data_dir).data_dir, ca_file=ca_file)
    except ValueError as exc:
        raise ConfigError(str(exc), field="--url") from None
    device_id = client.enroll(code)
    click.echo(f"enrolled with {client.url} as laptop {device_id}")
