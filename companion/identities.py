"""The company's own identities per site, from `identities.yaml` in the org directory.

    linkedin:  {company: ["Lumen Hardware Co., Ltd."]}
    facebook:  {company: ["Lumen Hardware"]}
    instagram: {company: [lumenhardware.official]}
    work_content: any_finding      # optional: any_finding (default), company_mentions, all_posts

Each site lists the display names or handles of the company's pages and accounts; every other
identity the user acts as on that site counts as personal. `work_content` says which posts are
work, and so must not go out from a personal identity. A broken file names its path, line and
field, like every other org file: an identity silently dropped is a page posted from unguarded.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import yaml

from companion.errors import ConfigError
from companion.sites import SITE_IDS

SITES: tuple[str, ...] = SITE_IDS
WORK_CONTENT: tuple[str, ...] = ("any_finding", "company_mentions", "all_posts")
FILE_NAME = "identities.yaml"


@dataclass(frozen=True)
class Identities:
    """Company identities per site (as written, and folded for matching) and the work-content policy."""

    company: dict[str, tuple[str, ...]] = field(default_factory=dict)
    work_content: str = "any_finding"

    def declared(self, site: str) -> bool:
        """True when IT named at least one company identity for `site`."""
        return bool(self.company.get(site))

    def company_name(self, site: str, acting_as: str) -> str | None:
        """The list entry `acting_as` is (by display name or handle, any case, a leading @ or
        surrounding slashes ignored), or None for a personal identity."""
        wanted = fold(acting_as)
        return next((name for name in self.company.get(site, ()) if fold(name) == wanted), None)


def fold(name: str) -> str:
    """One spelling for comparing identities: `@Brightway.Official/` and `brightway.official` match."""
    return " ".join(name.strip().strip("/").lstrip("@").split()).casefold()


def _line(node) -> int:
    return node.start_mark.line + 1


def _refuse(message: str, path: Path, node, where: str):
    raise ConfigError(message, path=str(path), line=_line(node), field=where)


def _names(path: Path, site: str, node) -> tuple[str, ...]:
    if not isinstance(node, yaml.MappingNode):
        _refuse("a site holds `company:` followed by a list of names or handles", path, node, site)
    names: tuple[str, ...] = ()
    for key, value in node.value:
        if key.value != "company":
            _refuse("unknown key; a site holds only `company:`", path, key, f"{site}.{key.value}")
        if not isinstance(value, yaml.SequenceNode):
            _refuse("`company:` is a list, e.g. [brightway.official]", path, value, f"{site}.company")
        for index, item in enumerate(value.value):
            if not isinstance(item, yaml.ScalarNode) or not str(item.value).strip():
                _refuse("each company identity is a non-empty name or handle", path, item,
                        f"{site}.company[{index}]")
            names += (str(item.value).strip(),)
    return names


def load_identities(path: Path) -> Identities:
    """Parse `identities.yaml` strictly; a missing file means no company identity is declared."""
    if not path.exists():
        return Identities()
    try:
        root = yaml.compose(path.read_text(encoding="utf-8-sig"))
    except UnicodeDecodeError:
        raise ConfigError("the file is not UTF-8 text", path=str(path)) from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigError("not valid YAML", path=str(path),
                          line=mark.line + 1 if mark else None) from None
    if root is None:
        return Identities()
    if not isinstance(root, yaml.MappingNode):
        _refuse(f"the file maps each site ({', '.join(SITES)}) to its company identities",
                path, root, "file")
    company, work_content = {}, "any_finding"
    for key, value in root.value:
        name = key.value
        if name == "work_content":
            if not isinstance(value, yaml.ScalarNode) or value.value not in WORK_CONTENT:
                _refuse(f"one of {', '.join(WORK_CONTENT)}", path, value, "work_content")
            work_content = value.value
        elif name in SITES:
            company[name] = _names(path, name, value)
        else:
            _refuse(f"unknown key; use {', '.join(SITES)} or work_content", path, key, str(name))
    return Identities(company, work_content)
