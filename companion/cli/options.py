"""Options several command groups share, and the group class that renders Postguard's errors."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from companion.errors import PostguardError

ORG = click.option("--org", "org_dir", type=click.Path(path_type=Path), default=None,
                   help="Org directory (default: POSTGUARD_ORG_DIR or the example org).")
DATA = click.option("--data-dir", type=click.Path(path_type=Path), default=None,
                    help="Data directory holding the audit store (default: POSTGUARD_DATA_DIR).")


class PostguardGroup(click.Group):
    """Renders PostguardError as one clear line with its own exit code."""

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except PostguardError as exc:
            click.echo(f"postguard: {exc.message}", err=True)
            sys.exit(exc.exit_code)
