"""`postguard central ...`: the fleet service (companion/central/)."""

from __future__ import annotations

import click


@click.group()
def central():
    """The central service: laptops enroll and send their audit events; reviewers sign in."""
