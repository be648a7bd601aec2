"""Build the public secrets set from two upstream rule suites' own examples.

Run from the repo root with the upstream snapshots (git directories, see DATACARD.md):

    python tests/data/public/secrets/build.py --noseyparker DIR --gitleaks DIR

Nosey Parker's rules are YAML with `examples` (what each rule must find) and
`negative_examples` (what it must leave alone); gitleaks' rules are Go functions whose
`tps`/`fps` string lists are checked by its own tests. Only strings written out in those
files are taken, as they are: a gitleaks sample made at run time by Go code
(`utils.GenerateSampleSecrets(...)`, `"ghp_" + secrets.NewSecret(...)`) is not a string in
the file and is left out, and no Go or Rust is run. The split is `sha1(id) mod 10`, as in
the pattern set (0-4 train, 5-6 dev, 7-9 test), so it never changes when items are added.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import re
import subprocess
from pathlib import Path

import yaml

from companion.detection.types import CATEGORIES

OUT = Path(__file__).parent
NP_RULES = "crates/noseyparker/data/default/builtin/rules/"
GL_RULES = "cmd/generate/config/rules/"
MAX_CHARS = 3000

# Nosey Parker rules whose categories do not say `secret` but whose matches are bearer
# credentials by our labelling rules (docs/rules.md, credentials): an AWS access key id is
# one half of a key pair and is what leaked-key reports quote; a JWT, an MWS auth token and
# a TeamCity token each grant access on their own.
NP_CREDENTIAL_IDENTIFIERS = {"np.aws.1", "np.jwt.1", "np.aws.5", "np.teamcity.1"}
# Negative examples Nosey Parker's own comments say should be found ("FIXME: extend this
# rule so these examples get matched", generic.yml; "modify the pattern to detect cases
# like the following", aws.yml; "we probably want this example to actually match",
# microsoft_teams.yml): labeled as the secrets upstream says they are. A placeholder among
# them (`backend_pass = "XXXXXXXXXXXXX"`) may be flagged but need not be.
NP_NEGATIVES_WANTED = ("client_credential='5pX8Q~", "secret_access_key = 'abcdefg12346+FJQCK'",
                       "Ldap password               ----   H7IKC85R", "aws_secret_key: OOzkR1+hF",
                       "office365ConnectorSend message:")
NP_NEGATIVES_EITHER = ('backend_pass = "XXXXXXXXXXXXX"',)


def git(repo: str, *args: str) -> str:
    return subprocess.run(["git", "-C", repo, *args], check=True, capture_output=True, text=True).stdout


def item(source: str, key: str, text: str, expect: list[str], also_ok: list[str] = (), rule: str = "") -> dict:
    """One post. Only secrets were labeled: what else a string may hold (the e-mail address
    in a config, a figure read as a price) is counted neither way."""
    unlabeled = [c for c in CATEGORIES if c != "credentials"]
    return {"id": f"{source}-{hashlib.sha1(key.encode()).hexdigest()[:10]}", "text": text,
            "platform": "linkedin", "images": [], "expect": expect, "also_ok": list(also_ok) + unlabeled,
            "source": source, "rule": rule}


def usable(text) -> bool:
    return isinstance(text, str) and bool(text.strip()) and len(text) <= MAX_CHARS


# -- Nosey Parker -----------------------------------------------------------------------

def noseyparker(repo: str) -> list[dict]:
    out = []
    for path in git(repo, "ls-tree", "--name-only", "HEAD", NP_RULES).split():
        for rule in yaml.safe_load(git(repo, "show", f"HEAD:{path}"))["rules"]:
            rid, categories = rule["id"], set(rule.get("categories") or [])
            secret = "secret" in categories or rid in NP_CREDENTIAL_IDENTIFIERS
            for text in rule.get("examples") or []:
                if usable(text):
                    # An identifier (a bucket, an ARN, a client id) is no credential, but its
                    # example may sit in a config that holds one: counted neither way.
                    out.append(item("noseyparker", f"{rid}-pos-{text}", text,
                                    ["credentials"] if secret else [], [] if secret else ["credentials"], rid))
            for text in rule.get("negative_examples") or []:
                if not usable(text):
                    continue
                if any(mark in text for mark in NP_NEGATIVES_WANTED):
                    out.append(item("noseyparker", f"{rid}-neg-{text}", text, ["credentials"], rule=rid))
                elif any(mark in text for mark in NP_NEGATIVES_EITHER):
                    out.append(item("noseyparker", f"{rid}-neg-{text}", text, [], ["credentials"], rid))
                else:
                    out.append(item("noseyparker", f"{rid}-neg-{text}", text, [], rule=rid))
    return out


# -- gitleaks -----------------------------------------------------------------------------

_GO_TOKEN = re.compile(r'//[^\n]*|/\*.*?\*/|"(?:\\.|[^"\\\n])*"|`[^`]*`|\'(?:\\.|[^\'\\])*\'|[A-Za-z_][\w.]*|\S',
                       re.S)
_GO_ESCAPE = re.compile(r'\\(x[0-9a-fA-F]{2}|u[0-9a-fA-F]{4}|U[0-9a-fA-F]{8}|[0-7]{3}|.)', re.S)
_SIMPLE_ESCAPES = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'", "a": "\a", "b": "\b",
                   "f": "\f", "v": "\v"}


def _go_string(token: str) -> str | None:
    if token.startswith("`"):
        return token[1:-1]
    if not token.startswith('"'):
        return None

    def unescape(m):
        esc = m.group(1)
        if esc[0] in "xuU":
            return chr(int(esc[1:], 16))
        if esc[0].isdigit():
            return chr(int(esc, 8))
        return _SIMPLE_ESCAPES.get(esc, esc)
    return _GO_ESCAPE.sub(unescape, token[1:-1])


def _literal_lists(source: str) -> list[tuple[str, str]]:
    """(`tps` or `fps`, text) for every string written out as a whole element of a
    `tps`/`fps` list: `x := []string{...}` or `tps = append(tps, ...)`."""
    tokens = [t for t in _GO_TOKEN.findall(source) if not t.startswith(("//", "/*"))]
    out, i = [], 0
    while i < len(tokens):
        name = tokens[i]
        if name in ("tps", "fps") and i + 1 < len(tokens) and tokens[i + 1] in (":", "="):
            j = i + 2 if tokens[i + 1] == "=" else i + 3  # `:=` lexes as ':' '='
            opener = tokens[j:j + 4]
            if opener[:3] == ["[", "]", "string"] and opener[3] == "{" or opener[:2] == ["append", "("]:
                i = _collect(tokens, j + (4 if opener[0] == "[" else 2), name, out)
                continue
        i += 1
    return out


def _collect(tokens: list[str], i: int, name: str, out: list) -> int:
    """Whole-element string literals from tokens[i:] to the close of the opened list."""
    depth, stack = 1, ["list"]
    while i < len(tokens) and depth:
        tok = tokens[i]
        if tok in "{(":
            # a composite literal or `append(` keeps its elements; a call's arguments are no elements
            kind = "list" if tok == "{" or tokens[i - 1] == "append" else "call"
            stack.append(kind)
            depth += 1
        elif tok in "})":
            stack.pop()
            depth -= 1
        elif stack[-1] == "list" and tok[:1] in '"`' and tokens[i - 1] in ("{", "(", ",") \
                and i + 1 < len(tokens) and tokens[i + 1] in (",", "}", ")"):
            text = _go_string(tok)
            if text is not None:
                out.append((name, text))
        i += 1
    return i


def gitleaks(repo: str) -> list[dict]:
    out = []
    for path in git(repo, "ls-tree", "--name-only", "HEAD", GL_RULES).split():
        if not path.endswith(".go") or path.endswith("_test.go"):
            continue
        rule = Path(path).stem
        for kind, text in _literal_lists(git(repo, "show", f"HEAD:{path}")):
            if usable(text):
                out.append(item("gitleaks", f"{rule}-{kind}-{text}", text,
                                ["credentials"] if kind == "tps" else [], rule=rule))
    return out


def dedupe(items: list[dict]) -> list[dict]:
    """One item per text: a string both suites hold (or two rules of one) is one post. Where
    the labels disagree (one's example is another's negative) the item counts neither way."""
    by_text: dict[str, dict] = {}
    for it in items:
        seen = by_text.get(it["text"])
        if seen is None:
            by_text[it["text"]] = it
        elif set(seen["expect"]) != set(it["expect"]):
            seen["expect"] = []
            seen["also_ok"] = sorted(set(seen["also_ok"]) | {"credentials"})
    return list(by_text.values())


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--noseyparker", required=True)
    ap.add_argument("--gitleaks", required=True)
    args = ap.parse_args()
    _patterns_build().write_splits(dedupe(noseyparker(args.noseyparker) + gitleaks(args.gitleaks)), OUT)


def _patterns_build():
    """The pattern set's build script: its split by a hash of the id and its writer, shared."""
    spec = importlib.util.spec_from_file_location("public_patterns_build", OUT.parent / "patterns" / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


if __name__ == "__main__":
    main()
