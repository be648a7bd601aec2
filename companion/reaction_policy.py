"""The reaction guard's policy from the org directory: `reaction_policy.yaml`.

    react:   {competitor: warn, client: monitor, red_line: warn}
    share:   {competitor: block}
    comment: {red_line: warn}

Per action group (`react` = likes and reactions, `share` = reposts and shares, `comment`) and per
reason (`competitor`, `client`, `red_line`), one of `monitor`, `warn` or `block`. Any subset: a
cell left out keeps the value of the level below. The extension applies the cells with the same
precedence as every other policy value: the browser's managed policy over this file, this file
over the user's own settings, those over the defaults (extension/background/reaction-handlers.js).

A broken file names its path, line and key, like every other org file: a cell silently dropped
is a competitor's post liked without a warning.
"""

from __future__ import annotations

from pathlib import Path

import yaml

from companion.errors import ConfigError

FILE_NAME = "reaction_policy.yaml"
GROUPS: tuple[str, ...] = ("react", "share", "comment")
REASONS: tuple[str, ...] = ("competitor", "client", "red_line")
LEVELS: tuple[str, ...] = ("monitor", "warn", "block")

ReactionPolicy = dict[str, dict[str, str]]


def _refuse(message: str, path: Path, node, key: str):
    raise ConfigError(message, path=str(path), line=node.start_mark.line + 1, field=key)


def _cells(path: Path, group: str, node) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        _refuse(f"a group maps reasons ({', '.join(REASONS)}) to a level, e.g. {{competitor: warn}}",
                path, node, group)
    cells: dict[str, str] = {}
    for key, value in node.value:
        where = f"{group}.{key.value}"
        if key.value not in REASONS:
            _refuse(f"unknown reason; use {', '.join(REASONS)}", path, key, where)
        if key.value in cells:
            _refuse("set twice", path, key, where)
        if not isinstance(value, yaml.ScalarNode) or value.value not in LEVELS:
            _refuse(f"one of {', '.join(LEVELS)}", path, value, where)
        cells[key.value] = value.value
    return cells


def load_reaction_policy(path: Path) -> ReactionPolicy | None:
    """Parse `reaction_policy.yaml` strictly; a missing or empty file means IT set no cell here."""
    if not path.exists():
        return None
    try:
        root = yaml.compose(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError("the file is not UTF-8 text", path=str(path)) from None
    except yaml.YAMLError as exc:
        # Where the broken construct opened (an unclosed brace, say), else where parsing stopped.
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        raise ConfigError("not valid YAML", path=str(path), line=mark.line + 1 if mark else None) from None
    if root is None:
        return None
    if not isinstance(root, yaml.MappingNode):
        _refuse(f"the file maps action groups ({', '.join(GROUPS)}) to their reasons", path, root, "file")
    policy: ReactionPolicy = {}
    for key, value in root.value:
        if key.value not in GROUPS:
            _refuse(f"unknown action group; use {', '.join(GROUPS)}", path, key, str(key.value))
        if key.value in policy:
            _refuse("set twice", path, key, str(key.value))
        policy[key.value] = _cells(path, key.value, value)
    return policy
