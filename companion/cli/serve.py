"""`postguard serve`: the companion on 127.0.0.1."""

from __future__ import annotations

import click

from companion.cli.options import DATA, ORG
from companion.config import Settings


def _settings_help() -> str:
    """Every setting's environment variable and help text, for `postguard serve --help`."""
    lines = ["\b", "Settings (environment variables; options above take precedence):"]
    lines += [f"  POSTGUARD_{name.upper():<18} {field.description}"
              for name, field in Settings.model_fields.items()]
    return "\n".join(lines)


@click.command(epilog=_settings_help())
@click.option("--host", default=None, help="Bind address (loopback only; default 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default 7717).")
@ORG
@DATA
def serve(host, port, org_dir, data_dir):
    """Run the companion on 127.0.0.1 with a production WSGI server (waitress)."""
    from companion.server import run_server

    run_server(Settings.from_env(host=host, port=port, org_dir=org_dir, data_dir=data_dir))
