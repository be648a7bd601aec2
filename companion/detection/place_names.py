"""Places a trade term may name in an excerpt: sea ports and cities from public lists.

An Incoterm's place ("FOB Ningbo", "CIF Los Angeles") helps a reader recognise a finding
and says little on its own; any other word after an Incoterm may be a client's site or a
codename ("FOB ZQXPLUMB") and is masked. Known places are:

- sea ports from UN/LOCODE, as the `sea-ports` package publishes them (MIT; names,
  cities and aliases only), shipped in `data/ports.txt`; rebuild with
  `python -m companion.detection.place_names PORTS_JSON`;
- the cities CLDR names time zones after, in English and in our other languages
  (Babel: "Shanghai", "上海", "Dubai", "Berlin").
"""

from __future__ import annotations

import json
import sys
from functools import lru_cache
from pathlib import Path

PORTS_FILE = Path(__file__).parent / "data" / "ports.txt"
CITY_LOCALES = ("en", "zh", "de", "fr", "it", "es", "pl", "nl")


@lru_cache(maxsize=1)
def known_places() -> frozenset[str]:
    """Casefolded names of ports and cities."""
    from babel import Locale
    from babel.core import get_global

    names = {line.strip() for line in PORTS_FILE.read_text(encoding="utf-8").splitlines() if line.strip()}
    names |= {zone.rsplit("/", 1)[-1].replace("_", " ") for zone in get_global("zone_territories")}
    for ident in CITY_LOCALES:
        names |= {zone["city"] for zone in Locale.parse(ident).time_zones.values() if "city" in zone}
    return frozenset(n.casefold() for n in names)


def is_known_place(name: str) -> bool:
    return name.strip().casefold() in known_places()


def write_ports(ports_json: str) -> int:
    """Trim sea-ports' lib/ports.json to the names we need, one per line."""
    data = json.loads(Path(ports_json).read_text(encoding="utf-8"))
    names = set()
    for port in data.values():
        for name in [port.get("name"), port.get("city"), *(port.get("alias") or [])]:
            if name and name.strip():
                names.add(name.strip())
    PORTS_FILE.write_text("\n".join(sorted(names)) + "\n", encoding="utf-8")
    return len(names)


if __name__ == "__main__":
    print(write_ports(sys.argv[1]), "names")
