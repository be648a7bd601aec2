"""Build the public pattern set (phones, secrets, prices, addresses) from upstream test data.

Run from the repo root with the upstream snapshots checked out (git directories):

    python tests/data/public/patterns/build.py --phonenumbers DIR --presidio DIR \
        --detect-secrets DIR --price-parser DIR --address-formatting DIR

Every string comes from an upstream file; nothing here is evaluated as code (the
Python test files are read with `ast`, and `"...".format(NAME)` is resolved from the
module's own string constants). The split is a hash of the id, so it never changes
when items are added: 50% train, 20% dev, 30% test.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import re
import subprocess
import unicodedata
import xml.etree.ElementTree as ET
from pathlib import Path

import phonenumbers
import yaml

OUT = Path(__file__).parent
# Regions whose national formats the evaluation org deals with (see DATACARD.md).
NATIONAL_REGIONS = ("GB", "FR", "DE", "IT", "ES", "NL", "PL", "SE", "US", "CN", "AE", "IN", "MY", "BR", "SA", "AU")
INTERNATIONAL_REGIONS = NATIONAL_REGIONS + ("JP", "KR", "SG", "TR", "MX", "ZA", "VN", "TH", "ID", "CH", "AT", "BE",
                                            "DK", "NO", "FI", "PT", "CZ", "HU", "RO", "GR", "IL", "EG", "NG", "KE")


def show(repo: str, path: str) -> str:
    return subprocess.run(["git", "-C", repo, "show", f"HEAD:{path}"], check=True,
                          capture_output=True, text=True).stdout


def item(source: str, key: str, text: str, expect: list[str], also_ok: list[str] = ()) -> dict:
    return {"id": f"{source}-{hashlib.sha1(key.encode()).hexdigest()[:10]}", "text": text,
            "platform": "linkedin", "images": [], "expect": expect, "also_ok": list(also_ok),
            "source": source}


# -- a small evaluator for test-data expressions ----------------------------------------

class _Unsupported(Exception):
    pass


def _eval(node, env):
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        if node.id in env:
            return env[node.id]
        raise _Unsupported(node.id)
    if isinstance(node, (ast.Tuple, ast.List)):
        return [_eval(e, env) for e in node.elts]
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _eval(node.left, env) + _eval(node.right, env)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Mult):
        left, right = _eval(node.left, env), _eval(node.right, env)
        if isinstance(left, str) and isinstance(right, int) and right < 50:
            return left * right
        raise _Unsupported("mult")
    if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "format"):
        base = _eval(node.func.value, env)
        if isinstance(base, str):
            return base.format(*[_eval(a, env) for a in node.args])
    if isinstance(node, ast.JoinedStr):
        return "".join(str(_eval(v.value, env)) if isinstance(v, ast.FormattedValue) else v.value
                       for v in node.values)
    raise _Unsupported(type(node).__name__)


def _module_env(tree) -> dict:
    env = {}
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
            try:
                env[stmt.targets[0].id] = _eval(stmt.value, env)
            except (_Unsupported, TypeError, IndexError, KeyError, ValueError):
                pass
    return env


# -- phones -----------------------------------------------------------------------------

def phones(repo: str, presidio: str) -> list[dict]:
    root = ET.fromstring(show(repo, "resources/PhoneNumberMetadata.xml"))
    out = []
    for territory in root.iter("territory"):
        region = territory.get("id")
        if region not in INTERNATIONAL_REGIONS:
            continue
        for kind in ("fixedLine", "mobile"):
            node = territory.find(f"{kind}/exampleNumber")
            if node is None:
                continue
            number = phonenumbers.parse(node.text, region)
            intl = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.INTERNATIONAL)
            out.append(item("libphonenumber", f"{region}-{kind}-intl", intl, ["contact_pii"]))
            out.append(item("libphonenumber", f"{region}-{kind}-e164",
                            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
                            ["contact_pii"]))
            if region in NATIONAL_REGIONS:
                national = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)
                out.append(item("libphonenumber", f"{region}-{kind}-national", national, ["contact_pii"]))
    # Strings libphonenumber's matcher tests say are not phone numbers at any leniency.
    tree = ast.parse(show(repo, "python/tests/phonenumbermatchertest.py"))
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", "") == "IMPOSSIBLE_CASES":
            for call in stmt.value.elts:
                text = call.args[0].value
                out.append(item("libphonenumber-matcher", f"impossible-{text}", text, []))
    out += _presidio_cases(presidio, "test_phone_recognizer.py", "phone")
    out += _presidio_cases(presidio, "test_us_ssn_recognizer.py", "ssn")
    return out


def _presidio_cases(repo: str, name: str, tag: str) -> list[dict]:
    """Presidio's parametrized (text, expected_len, ...) rows: expected_len 0 means clean."""
    tree = ast.parse(show(repo, f"presidio-analyzer/tests/{name}"))
    out, seen = [], set()
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "parametrize"):
            continue
        names = node.args[0].value if isinstance(node.args[0], ast.Constant) else ""
        if not names.startswith("text, expected_len"):
            continue
        for row in node.args[1].elts:
            try:
                text, count = _eval(row.elts[0], {}), _eval(row.elts[1], {})
            except _Unsupported:
                continue
            if text in seen:
                continue
            seen.add(text)
            if tag == "ssn" and count:
                # Presidio scores these 0.05-0.6 without context: a bare 9-digit run is not an SSN
                # to a reader either, so a match is welcome but not required.
                out.append(item("presidio", f"{tag}-{text}", text, [], ["contact_pii"]))
            else:
                out.append(item("presidio", f"{tag}-{text}", text, ["contact_pii"] if count else []))
    return out


# -- secrets ----------------------------------------------------------------------------

def secrets(repo: str) -> list[dict]:
    out, seen = [], set()
    listing = subprocess.run(["git", "-C", repo, "ls-tree", "--name-only", "HEAD", "tests/plugins/"],
                             check=True, capture_output=True, text=True).stdout.split()
    for path in listing:
        # ip_public: a public IP address is not a credential under our labelling rules.
        if not path.endswith("_test.py") or path.endswith(("base_test.py", "ip_public_test.py")):
            continue
        plugin = Path(path).stem.removesuffix("_test")
        tree = ast.parse(show(repo, path))
        env = _module_env(tree)
        rows = [v for k, v in env.items() if k.endswith("TEST_CASES") and isinstance(v, list)]
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "parametrize":
                try:
                    rows.append(_eval(node.args[1], env))
                except (_Unsupported, IndexError, TypeError, KeyError, ValueError):
                    continue
        for table in rows:
            for row in table:
                if not (isinstance(row, list) and len(row) >= 2 and isinstance(row[0], str)):
                    continue
                text, flag = row[0], row[1]
                if isinstance(flag, (bool, type(None))):
                    positive = bool(flag)
                elif isinstance(flag, str) and flag in text:  # (line, the secret found in it)
                    positive = True
                else:
                    continue
                if re.search(r"\{\w*\}", text):  # an unfilled template from the test file
                    continue
                if len(text) > 3000 or not text.strip() or text in seen:
                    continue
                seen.add(text)
                out.append(item("detect-secrets", f"{plugin}-{text}", text,
                                ["credentials"] if positive else []))
    return out


# -- prices -----------------------------------------------------------------------------

def prices(repo: str) -> list[dict]:
    tree = ast.parse(show(repo, "tests/test_price_parsing.py"))
    out, seen = [], set()
    for stmt in tree.body:
        if not (isinstance(stmt, ast.Assign) and getattr(stmt.targets[0], "id", "").startswith("PRICE_PARSING")):
            continue
        if "DECIMAL_SEPARATOR" in stmt.targets[0].id:
            continue
        for call in stmt.value.elts:
            if not isinstance(call, ast.Call) or getattr(call.func, "id", "") != "Example":
                continue
            try:
                currency_raw, price_raw, currency, amount_text = (_eval(a, {}) for a in call.args[:4])
            except _Unsupported:
                continue
            for text, role in ((price_raw, "price"), (currency_raw, "hint")):
                if not text or not text.strip() or text in seen:
                    continue
                seen.add(text)
                has_digit = any(ch.isdigit() for ch in text)
                has_symbol = any(unicodedata.category(ch) == "Sc" for ch in text)
                if role == "price" and amount_text and ((currency and currency in text) or has_symbol):
                    out.append(item("price-parser", f"price-{text}", text, ["pricing"]))
                elif not has_digit:
                    out.append(item("price-parser", f"word-{text}", text, []))
                else:
                    # A figure with no currency in the string itself: not a price by our labelling
                    # rules, but a reader could take it for one; counted neither way.
                    out.append(item("price-parser", f"figure-{text}", text, [], ["pricing"]))
    return out


# -- addresses --------------------------------------------------------------------------

def addresses(repo: str) -> list[dict]:
    out = []
    for cc in ("de", "gb", "nl", "fr", "it", "es", "pl", "us", "cn"):
        for case in yaml.safe_load_all(show(repo, f"testcases/countries/{cc}.yaml")):
            if not case or "expected" not in case:
                continue
            comp = case.get("components", {})
            text = ", ".join(line.strip() for line in case["expected"].strip().splitlines() if line.strip())
            street = any(k in comp for k in ("road", "pedestrian", "footway", "street", "path"))
            if street and "house_number" in comp:
                out.append(item("address-formatting", f"{cc}-{text}", text, ["contact_pii"]))
            elif not street and "house_number" not in comp and "postcode" not in comp:
                out.append(item("address-formatting", f"{cc}-{text}", text, []))
    return out


def split_of(item_id: str) -> str:
    bucket = int(hashlib.sha1(item_id.encode()).hexdigest(), 16) % 10
    return "train" if bucket < 5 else "dev" if bucket < 7 else "test"


def main() -> None:
    ap = argparse.ArgumentParser()
    for name in ("phonenumbers", "presidio", "detect-secrets", "price-parser", "address-formatting"):
        ap.add_argument(f"--{name}", required=True)
    args = ap.parse_args()
    items = (phones(args.phonenumbers, args.presidio) + secrets(getattr(args, "detect_secrets"))
             + prices(args.price_parser) + addresses(args.address_formatting))
    unique = {}
    for it in items:
        unique.setdefault(it["id"], it)
    write_splits(list(unique.values()), OUT)


def write_splits(items: list[dict], out: Path) -> None:
    """Each item into train, dev or test by `split_of` its id, one JSON line each, sorted by id
    (the public secrets set is written the same way, `../secrets/build.py`)."""
    splits = {"train": [], "dev": [], "test": []}
    for it in items:
        splits[split_of(it["id"])].append(it)
    for name, rows in splits.items():
        with open(out / f"{name}.jsonl", "w", encoding="utf-8") as fh:
            for row in sorted(rows, key=lambda r: r["id"]):
                fh.write(json.dumps(row, ensure_ascii=False) + "\n")
        print(name, len(rows))


if __name__ == "__main__":
    main()
