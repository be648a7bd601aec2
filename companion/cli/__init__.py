"""The `postguard` command: a thin door onto the same engine the HTTP API uses, one file per
command group.

    serve.py     postguard serve
    check.py     postguard check | eval
    rules.py     postguard rules validate|bundle|install|prepare|keygen
    audit.py     postguard audit list|export|verify|token|prune|init-db|serve
    deploy.py    postguard deploy policy|pack
    service.py   postguard service install|uninstall|status
    central.py   postguard central serve|init-db|enroll-code|user|...

Errors print one line naming what to fix (file, line, field) and exit non-zero;
the user's text is never part of an error.
"""

from __future__ import annotations

import click

from companion.cli.audit import audit
from companion.cli.central import central
from companion.cli.check import check, evaluate
from companion.cli.deploy import deploy
from companion.cli.options import PostguardGroup
from companion.cli.rules import rules
from companion.cli.serve import serve
from companion.cli.service import service


@click.group(cls=PostguardGroup)
@click.version_option(package_name="postguard")
def main():
    """Postguard: check social-media posts for leaks before they go out."""


for command in (serve, check, evaluate, rules, audit, deploy, service, central):
    main.add_command(command)
