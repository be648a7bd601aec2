"""Token formats detect-secrets does not know, and what a placeholder looks like.

detect-secrets 1.5 has a plugin for about twenty vendors. Since then most vendors have given
their keys a fixed prefix so that scanners can find them (GitHub's secret-scanning partners,
OpenAI's `T3BlbkFJ` marker, Hugging Face's `hf_`): those prefixes, with the length and
alphabet each vendor documents, are listed here as data. Every pattern is compiled with RE2
(`LinearPattern`), so a post costs time linear in its length whatever it holds.

A tutorial's `ghp_xxxxxxxx`, a config's `${DB_PASSWORD}` or `curl -u $USER:$PASS` has the
shape of a secret and none of its content; `is_placeholder` says so for every value the
recognizer finds, from these formats, detect-secrets' plugins or a keyword assignment.
"""

from __future__ import annotations

from companion.detection.linear_regex import LinearPattern

# (vendor, pattern of the whole token). Prefixes and lengths as the vendors document them.
TOKEN_FORMATS: tuple[tuple[str, str], ...] = (
    ("OpenAI", r"sk-[A-Za-z0-9_-]{20,}T3BlbkFJ[A-Za-z0-9_-]{20,}"),
    ("Anthropic", r"\bsk-ant-(?:api|admin)\d\d-[A-Za-z0-9_-]{93}AA\b"),
    ("Hugging Face", r"\b(?:hf|api_org)_[A-Za-z]{34}\b"),
    ("GitHub fine-grained", r"\bgithub_pat_[A-Za-z0-9_]{80,}"),
    ("Grafana", r"\bglsa_[A-Za-z0-9]{32}_[A-Fa-f0-9]{8}\b|\bglc_[A-Za-z0-9+/]{32,400}={0,2}"),
    ("Notion", r"\bntn_\d{11}[A-Za-z0-9]{35}\b|\bsecret_[A-Za-z0-9]{43}\b"),
    ("Docker Hub", r"\bdckr_pat_[A-Za-z0-9_-]{27}"),
    ("Adafruit IO", r"\baio_[A-Za-z0-9]{28}\b"),
    ("age", r"AGE-SECRET-KEY-1[0-9A-Z]{58}"),
    ("Tavily", r"\btvly-(?:dev-)?[A-Za-z0-9]{32}\b"),
    ("Dependency-Track", r"\bodt_[A-Za-z0-9]{32,}"),
    ("Doppler", r"\bdp\.(?:ct|pt|st|sa|scim|audit)\.[A-Za-z0-9]{40,44}\b"),
    ("Databricks", r"\bdapi[a-f0-9]{32}(?:-\d)?\b"),
    ("New Relic", r"\bNRAK-[A-Z0-9]{27}\b|\bNRII-[A-Za-z0-9_-]{32}|\bNRJS-[a-f0-9]{19}\b|\b(?:eu01xx[a-f0-9]{30}|[a-f0-9]{36})NRAL\b"),
    ("NuGet", r"\boy2[a-z0-9]{43}\b"),
    ("Postman", r"\bPMAK-[a-f0-9]{24}-[a-f0-9]{34}\b"),
    ("RubyGems", r"\brubygems_[a-f0-9]{48}\b"),
    ("Sourcegraph", r"\bsgp_(?:[a-fA-F0-9]{16}_|local_)?[a-fA-F0-9]{40}\b"),
    ("Segment", r"\bsgp_[A-Za-z0-9]{64}\b"),
    ("Shopify", r"\bshp(?:at|ca|pa|ss)_[a-fA-F0-9]{32}\b"),
    ("Twitch stream key", r"\blive_\d{6,12}_[A-Za-z0-9]{30}\b"),
    ("SonarQube", r"\bsq[pua]_[A-Za-z0-9]{40}\b"),
    ("HashiCorp Vault", r"\bhv[sb]\.[A-Za-z0-9_-]{24,}"),
    ("Sentry", r"\bsntry[su]_[A-Za-z0-9+/=_]{40,}"),
    ("Meta (Facebook) access token", r"\bEAA[A-Za-z0-9]{90,}"),
    ("Slack", r"\bxapp-\d-[A-Z0-9]+-\d+-[a-f0-9]{32,}|\bxoxe-\d+-\d+-\d+-[a-f0-9]{32,}"
              r"|hooks\.slack\.com/(?:services|workflows|triggers)/T[A-Z0-9]{6,}/[A-Za-z0-9]+/[A-Za-z0-9/]{10,}"),
    ("Microsoft Teams webhook", r"(?:outlook\.office\.com/webhook|\.webhook\.office\.com/webhookb2)/"
                                r"[a-f0-9-]{36}@[a-f0-9-]{36}/[A-Za-z]+/[a-f0-9]{32}"),
    ("Microsoft Entra client secret", r"[A-Za-z0-9_~.-]{3}\dQ~[A-Za-z0-9_~.-]{31,34}"),
    ("Azure shared access key", r"SharedAccessKey=[A-Za-z0-9+/]{42,43}="),
    ("1Password", r"\bops_eyJ[A-Za-z0-9+/]{250,}={0,3}"
                  r"|\bA3-[A-Z0-9]{6}-(?:[A-Z0-9]{11}|[A-Z0-9]{6}-[A-Z0-9]{5})-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}\b"),
    ("Stripe", r"\b(?:sk|rk)_(?:test|live|prod)_[A-Za-z0-9]{20,}"),
    ("Fly.io", r"\bfo1_[A-Za-z0-9_-]{43}|\bfm[12][ar]?_[A-Za-z0-9+/]{100,}={0,3}"),
    ("42 intra", r"\bs-s4t2(?:ud|af)-[a-f0-9]{64}\b"),
    ("Google OAuth client secret", r"\bGOCSPX-[A-Za-z0-9_-]{28}"),
    ("DigitalOcean", r"\bdo[opr]_v1_[a-f0-9]{64}\b"),
    ("Atlassian", r"\bATATT3[A-Za-z0-9_=-]{150,}"),
    ("Linear", r"\blin_api_[A-Za-z0-9]{40}\b"),
    ("Mailgun", r"\bkey-[a-f0-9]{32}\b"),
    ("Heroku", r"\bHRKU-[A-Za-z0-9_-]{60}"),
    ("Salesforce session", r"\b00D[A-Za-z0-9]{12,15}![A-Za-z0-9._]{80,}"),
    ("Telegram bot", r"\b\d{8,10}:AA[A-Za-z0-9_-]{30,35}"),
    # A password hash is the password to anyone with a cracking rig: crypt(3) formats and
    # Kerberos tickets as the cracking tools print them.
    ("crypt(3) password hash", r"\$(?:1|2[abxy]?|5|6|7|8|9|y|gy)\$[./A-Za-z0-9$=,]{20,}"),
    ("Kerberos hash", r"\$krb5(?:asrep|tgs|pa)\$\d\d?\$[A-Za-z0-9.@:$/_-]{60,}"),
)

TOKENS = LinearPattern("|".join(f"(?:{pattern})" for _, pattern in TOKEN_FORMATS), max_matches=20)

# What a value holds when it stands for a secret instead of being one: a run of one character
# (xxxxxx, ******, ######, aaaaaa) or an ellipsis, or a variable or template ($PASS, ${PASS},
# $(cmd), #{pass}, %PASS%, {{ pass }}, <password>, [PASSWORD], process.env.X). A bracket inside a
# value is left alone: "Pa(ss)2024!" is a password.
FILLER_RUN = 6
_TEMPLATE = LinearPattern(r"^[$<\[{(]|[$#][{(]|%[A-Za-z_]+%|\{\{|>$|^(?:process\.)?env\.|getenv\(")
# A value that is only the name of what it stands for: `curl -u username:password`.
_NAME_WORDS = {"password", "passwd", "pass", "pwd", "token", "secret", "key", "apikey", "api_key", "api-key",
               "credentials"}


def is_filler(value: str) -> bool:
    """A run of FILLER_RUN times one character, an ellipsis, or one character repeated:
    `ghp_xxxxxxxx`, `sk-...`, `yyy`."""
    if "..." in value or "\u2026" in value or len(set(value)) == 1:
        return True
    run, previous = 0, ""
    for ch in value:
        run = run + 1 if ch == previous else 1
        previous = ch
        if run >= FILLER_RUN:
            return True
    return False


def is_template(value: str) -> bool:
    """A variable or a template in the value: `${PASS}`, `$PASS`, `%PASS%`, `<password>`."""
    return bool(_TEMPLATE.search(value))


def is_placeholder(value: str) -> bool:
    """True when the value is a stand-in (filler, a variable, a template), not a secret."""
    return is_filler(value) or is_template(value) or value.lower() in _NAME_WORDS


def token_formats(line: str):
    """Whole tokens of the listed formats in one line that are not filler (a format fixes its
    alphabet, so a variable cannot hide in it; a hash starts with `$` by design)."""
    for m in TOKENS.finditer(line):
        if not is_filler(m.group()):
            yield m.group()
