"""Secrets given to a name in code, config or a command line, whatever the value looks like.

detect-secrets' keyword plugin wants a value with a digit or a symbol in prose ("Secret: our
launch is Monday" is a teaser), and its per-language regexes miss shapes such as
`REACT_APP_AUTH_PASSWORD=whiteduke`, `"AdminPassword" : "thisismypassword"` or
`SONAR_LOGIN := "…"`. When the name is written as code (an identifier with `_`, `.`, `-` or
camelCase, or a quoted key, or an `=`), the value is what the program will send as a password,
however plain: such a line in a post is a leak. Prose ("the password is required") has none
of these marks and is left to the rule pack, which asks for digits or symbols.

Also read: a quoted single word after "the password is" ("the default password is
'blooberry'"), and a password given as a command-line option (`--password x`, `-Password x`,
`-u user -p x`). Values that are stand-ins (`$PASS`, `${{ secrets.X }}`, `xxxxxx`) or plain
code words (`true`, `null`, a CONSTANT_NAME) are not secrets. All patterns are RE2.
"""

from __future__ import annotations

from companion.detection.linear_regex import LinearPattern
from companion.detection.recognizers.secret_formats import is_placeholder

# A name that ends in one of these holds a secret (`db_password`, `SONAR_TOKEN`, `apiKey`).
_NAME_ENDS = ("password", "pass", "passwd", "passphrase", "passcode", "pwd", "secret", "token", "credential",
              "credentials", "apikey", "api_key", "api-key", "accesskey", "access_key", "secretkey",
              "secret_key", "privatekey", "private_key", "authkey", "auth_key", "masterkey", "master_key",
              "encryptionkey", "encryption_key", "signingkey", "signing_key", "licensekey", "license_key",
              "license")
# Words a value takes when it is code, not a secret.
_CODE_WORDS = {"true", "false", "null", "none", "nil", "undefined", "empty", "required", "optional", "string",
               "str", "int", "bool", "yes", "no", "on", "off", "default", "secret", "password", "token",
               "not-set", "unset", "changeme", "redacted", "pass", "passwd", "pwd", "apikey", "api_key"}

_ASSIGNMENT = LinearPattern(
    r"(?i)(?P<name>[A-Za-z0-9_.-]*(?:pass(?:word|wd|phrase|code)?|pwd|secret|token\d*|credentials?"
    r"|(?:api|access|secret|private|auth|master|encryption|signing|license)[_.-]?key|license))"
    r"(?P<close>\\?[\"'\]]?)[ \t]*(?P<op>:{0,3}={1,3}>?|\?=|:|,)[ \t]*\\?[\"'`]?(?P<value>[^\s\"'`,;)}\]]{4,200})",
    max_matches=20)
_SAID = LinearPattern(r"(?i)\bpass(?:word|phrase|code)\s+is\s+[\"'“‘](?P<value>[^\s\"'”’]{4,64})[\"'”’]",
                      max_matches=5)
_OPTION = LinearPattern(
    r"(?i)(?:\s|^)--?(?:[A-Za-z-]*(?:token|secret|password|passwd|api-?key)|pass|pwd)[ =][\"']?"
    r"(?P<value>[^\s\"']{4,200})"
    r"|\s-u\s+[^\s]+\s+-p\s+[\"']?(?P<short>[^\s\"']{4,200})", max_matches=5)
# `curl -u name:password`, `--user name:password`: the part after the colon.
_USER_PASS = LinearPattern(r"(?:\s|^)(?:--user|-u)[ =]?[\"']?[^\s:\"']+:[\"']?(?P<value>[^\s\"']{4,200})",
                           max_matches=5)
# An Authorization header's value, whatever its scheme (Bearer, Api-Token, none).
_HEADER = LinearPattern(r"(?i)\bauthorization[\"']?\s*[:=]\s*[\"']?(?:[A-Za-z][A-Za-z-]{1,20}\s+)?"
                        r"(?P<value>[A-Za-z0-9._~+/=@:-]{12,})", max_matches=5)
# A tool's login given as a token (`sonar.login=…`, `SONAR_LOGIN := "…"`): long, with a digit.
_LOGIN_TOKEN = LinearPattern(r"(?i)[A-Za-z0-9]+[_.]login[\"']?[ \t]*(?::{0,3}=|:|,)[ \t]*[\"']?"
                             r"(?P<value>[A-Za-z0-9_-]{16,200})", max_matches=5)
_CALL = LinearPattern(r"[A-Za-z_]\(")
# Bundler's credentials for a gem server, `BUNDLE_<HOST>__COM=user:password`.
_BUNDLER = LinearPattern(r"\bBUNDLE_[A-Z0-9_]+__[A-Z]+[\"']?[ \t]*[:=][ \t]*[\"']?[^\s:\"']+:(?P<value>[^\s\"';]{4,200})",
                         max_matches=5)
# A HashiCorp Vault unseal key, as `vault operator init` prints it and `vault operator unseal` takes it.
_UNSEAL = LinearPattern(r"(?i)\bunseal(?:[ \t]+key[ \t]+\d+[ \t]*:)?[ \t]+(?P<value>[A-Za-z0-9+/]{40,}={0,2})",
                        max_matches=5)
_MORE = ((_SAID, ("value",)), (_OPTION, ("value", "short")), (_USER_PASS, ("value",)), (_HEADER, ("value",)),
         (_LOGIN_TOKEN, ("value",)), (_BUNDLER, ("value",)), (_UNSEAL, ("value",)))


def assigned_secrets(line: str):
    """Values given to a secret's name, said to be the password, or passed as one."""
    for m in _ASSIGNMENT.finditer(line):
        name, value = m.group("name"), m.group("value")
        if _name_is_code(name, m.group("close"), m.group("op")) and _value_ok(value, name) \
                and (_compound(name) or not value.isalpha()):
            yield value
    for pattern, groups in _MORE:
        for m in pattern.finditer(line):
            value = next((m.group(g) for g in groups if m.group(g)), None)
            if value and _value_ok(value, "") and (pattern is not _LOGIN_TOKEN or any(c.isdigit() for c in value)):
                yield value


def _name_is_code(name: str, close: str, op: str) -> bool:
    lowered = name.lower()
    if not lowered.endswith(_NAME_ENDS) or lowered.startswith(("csrf", "xsrf")):
        return False
    if lowered.endswith("pass") and len(lowered) > 4 and lowered[-5] not in "_.-":
        return False  # bypass, compass
    if "=" in op or close:
        return True
    return _compound(name) and op == ":"


def _compound(name: str) -> bool:
    """A name only code writes (`db_password`, `AdminPassword`, `sonar.token`). A bare
    `password = "somefakekey"` is code too, but one whose plain-word value detect-secrets'
    own tests call no secret; such a value needs a digit or a symbol there."""
    return any(ch in name for ch in "_.-") or any(a.islower() and b.isupper() for a, b in zip(name, name[1:]))


def _value_ok(value: str, name: str) -> bool:
    value = value.rstrip(".")
    lowered = value.lower()
    if len(value) < 4 or is_placeholder(value) or lowered in _CODE_WORDS or lowered == name.lower():
        return False
    return not names_code(value) and not value.startswith(("#", "//", "@"))


def names_code(value: str) -> bool:
    """Another constant's name (PASSWORD_FROM_VAULT) or a call (users.get(name)): code that
    fetches the secret, not the secret."""
    return (value.isupper() and "_" in value) or bool(_CALL.search(value))
