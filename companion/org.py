"""The organisation's own data: clients, competitors, unreleased products, its allow list.

An org directory holds `clients.csv` (header `name,aliases,contacts`; aliases and contacts
separated by `;`), `competitors.txt`, `products.txt`, `allow.txt` and `markets.txt` (the
ISO 3166 codes of the countries the org trades with, whose national phone numbers are
recognised without a country code) (one entry per line,
`#` comments), all UTF-8, and `identities.yaml` (the company's own pages and accounts per
site, companion/identities.py) and `reaction_policy.yaml` (the reaction guard's policy,
companion/reaction_policy.py). A broken file names its path, line and field; nothing is
guessed, because a silently skipped client is a client that can leak.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

from companion.errors import ConfigError
from companion.identities import FILE_NAME as IDENTITIES_FILE, Identities, load_identities
from companion.reaction_policy import FILE_NAME as REACTION_POLICY_FILE, ReactionPolicy, load_reaction_policy

CLIENT_HEADER = ["name", "aliases", "contacts"]


@dataclass(frozen=True)
class Client:
    """One client: its name, the other names people use for it, and its contacts."""

    name: str
    aliases: tuple[str, ...] = ()
    contacts: tuple[str, ...] = ()
    line: int = 0


@dataclass
class OrgData:
    """Everything the org directory says, ready for the matchers."""

    clients: list[Client] = field(default_factory=list)
    competitors: list[str] = field(default_factory=list)
    products: list[str] = field(default_factory=list)
    allow: list[str] = field(default_factory=list)
    markets: list[str] = field(default_factory=list)
    path: str = ""
    identities: Identities = field(default_factory=Identities)  # identities.yaml: the company's own pages
    reaction_policy: ReactionPolicy | None = None  # reaction_policy.yaml: the reaction guard's cells IT set


def _read_text(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        line = path.read_bytes()[: exc.start].count(b"\n") + 1
        raise ConfigError("the file is not UTF-8 text", path=str(path), line=line) from None


def read_list(path: Path) -> list[str]:
    """One entry per line; blank lines and `#` comments are skipped; missing file = empty."""
    if not path.exists():
        return []
    entries = []
    for line in _read_text(path).splitlines():
        entry = line.strip()
        if entry and not entry.startswith("#"):
            entries.append(entry)
    return entries


def _split(cell: str | None) -> tuple[str, ...]:
    return tuple(part.strip() for part in (cell or "").split(";") if part.strip())


def read_clients(path: Path) -> list[Client]:
    """Parse clients.csv strictly: the header, a name on every row, no stray columns."""
    if not path.exists():
        return []
    rows = csv.reader(_read_text(path).splitlines(), strict=True)
    try:
        header = [h.strip().lower() for h in next(rows)]
    except StopIteration:
        return []
    except csv.Error as exc:
        raise ConfigError(f"cannot read the CSV header ({exc})", path=str(path), line=1) from None
    if header != CLIENT_HEADER:
        raise ConfigError("the header must be name,aliases,contacts", path=str(path), line=1,
                          field="header")
    clients = []
    try:
        for row in rows:
            line = rows.line_num
            if not any(cell.strip() for cell in row):
                continue
            if len(row) > 3:
                raise ConfigError(f"{len(row)} columns, expected at most 3 (use ';' inside a cell)",
                                  path=str(path), line=line, field="row")
            name = row[0].strip()
            if not name:
                raise ConfigError("the client name is empty", path=str(path), line=line, field="name")
            cells = row + [""] * (3 - len(row))
            clients.append(Client(name, _split(cells[1]), _split(cells[2]), line))
    except csv.Error as exc:
        raise ConfigError(f"malformed CSV ({exc})", path=str(path), line=rows.line_num) from None
    return clients


def read_markets(path: Path) -> list[str]:
    """Two-letter ISO 3166 codes, one per line; anything else names its line."""
    if not path.exists():
        return []
    markets = []
    for number, line in enumerate(_read_text(path).splitlines(), start=1):
        code = line.split("#", 1)[0].strip().upper()
        if not code:
            continue
        if len(code) != 2 or not code.isalpha():
            raise ConfigError("a market is a two-letter ISO 3166 country code (DE, GB, CN)",
                              path=str(path), line=number, field="market")
        markets.append(code)
    return markets


def load_org(org_dir: Path, *, with_clients: bool = True) -> OrgData:
    """Read an org directory; the directory itself must exist. `with_clients=False` leaves
    clients.csv out, for a caller whose client matchers are already built from the same bytes
    (detection/client_cache.py)."""
    if not org_dir.is_dir():
        raise ConfigError("the org directory does not exist", path=str(org_dir))
    return OrgData(
        clients=read_clients(org_dir / "clients.csv") if with_clients else [],
        competitors=read_list(org_dir / "competitors.txt"),
        products=read_list(org_dir / "products.txt"),
        allow=read_list(org_dir / "allow.txt"),
        markets=read_markets(org_dir / "markets.txt"),
        path=str(org_dir),
        identities=load_identities(org_dir / IDENTITIES_FILE),
        reaction_policy=load_reaction_policy(org_dir / REACTION_POLICY_FILE),
    )
