"""Secrets in the shapes they really take, found by Yelp's detect-secrets plugins.

detect-secrets (Apache-2.0) knows the formats of cloud and SaaS tokens (AWS, GitHub,
GitLab, Slack, Stripe, Twilio, SendGrid, OpenAI, npm, PyPI, JWTs, private keys, basic auth
in URLs, ...), keyword assignments (`client_secret: …`, `db_pass = …`) and high-entropy
strings. Its plugins are called directly, per line, with no settings, no network
verification and no file handling:

- its patterns use Python's backtracking engine, so they only ever see short pieces of
  lines that an RE2 prefilter marked (a 12+ character token that is not a plain word,
  one of the plugins' keywords, `://…@`, `-----BEGIN`),
  at most `MAX_PIECES` such pieces of `PIECE` characters: the cost has a ceiling whatever the
  post holds;
- high-entropy strings are quoted strings, as the plugins find them by default, measured
  with the plugins' own Shannon entropy and limits (base64 4.5, hex 3.0), then passed
  through detect-secrets' heuristic filters (UUIDs, sequences, templates, ids);
- a keyword value must be one token with a digit or a symbol: "Secret: our launch is
  Monday" is a teaser, not a password;
- vendor token formats detect-secrets does not know (Hugging Face, OpenAI project keys, Docker,
  Vault, password hashes, ...) are data in `secret_formats.py`, and a secret given to a name
  written as code (`REACT_APP_DB_PASSWORD=bluefinch`), said to be the password, or passed as
  one on a command line is read by `secret_assignments.py`, both with RE2 patterns;
- a value that stands for a secret (`$PASSWORD`, `${{ secrets.X }}`, `<token>`) is none; filler
  (`ghp_xxxx…`) still counts where a detect-secrets plugin finds it, as detect-secrets' own
  tests want, and nowhere else.
"""

from __future__ import annotations

from detect_secrets.filters import heuristic
from detect_secrets.plugins import (artifactory, aws, azure_storage_key, basic_auth, discord,
                                    github_token, gitlab_token, jwt, keyword, mailchimp, npm,
                                    openai, private_key, pypi_token, sendgrid, slack, square_oauth,
                                    stripe, telegram_token, twilio)
from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString
from presidio_analyzer import AnalysisExplanation, EntityRecognizer, RecognizerResult

from companion.detection.linear_regex import LinearPattern
from companion.detection.recognizers.secret_assignments import assigned_secrets, names_code
from companion.detection.recognizers.secret_formats import is_placeholder, is_template, token_formats

PIECE = 300
MAX_PIECES = 10
# What a piece needs before any plugin sees it: one of detect-secrets' keywords, a URL with
# credentials, a PEM header, or a 12+ character token that is not a plain word
# ("international" is not a key; "AKIAIOSFODNN7EXAMPLE" and "sk_live_..." may be).
_KEYWORDS = LinearPattern(
    r"(?i:(?:api|auth|service|account|db|database|priv|private|client)_?key|(?:db|database|key)_?pass"
    r"|pass(?:word|wd|phrase|code)|pwd|secret|token|credential|contrase|authorization|login|--user|\s-[up]\s|://[^\s/]*@|-----BEGIN)", max_matches=1)
_LONG_TOKEN = LinearPattern(r"[A-Za-z0-9_\-+/=.]{12,}", max_matches=50)
_KEYWORD_REGEXES = keyword.REGEX_BY_FILETYPE[keyword.FileType.YAML]


def _token_plugins() -> list:
    return [aws.AWSKeyDetector(), artifactory.ArtifactoryDetector(), azure_storage_key.AzureStorageKeyDetector(),
            basic_auth.BasicAuthDetector(), discord.DiscordBotTokenDetector(), github_token.GitHubTokenDetector(),
            gitlab_token.GitLabTokenDetector(), jwt.JwtTokenDetector(), mailchimp.MailchimpDetector(),
            npm.NpmDetector(), openai.OpenAIDetector(), private_key.PrivateKeyDetector(),
            pypi_token.PypiTokenDetector(), sendgrid.SendGridDetector(), slack.SlackDetector(),
            square_oauth.SquareOAuthDetector(), stripe.StripeDetector(),
            telegram_token.TelegramBotTokenDetector(), twilio.TwilioKeyDetector()]


def pieces(text: str) -> list[tuple[int, int]]:
    """`[start, end)` pieces of at most PIECE characters, cut at line ends then spaces."""
    out, start = [], 0
    while start < len(text) and len(out) < MAX_PIECES * 4:
        end = text.find("\n", start, start + PIECE + 1)
        if end < 0:
            end = min(len(text), start + PIECE)
            if end < len(text):
                space = text.rfind(" ", start + PIECE // 2, end)
                end = space if space > 0 else end
        out.append((start, end))
        start = end + 1 if end < len(text) and text[end] in "\n " else end
    return out


class SecretRecognizer(EntityRecognizer):
    """detect-secrets plugins on the pieces of a post that can hold a secret."""

    TOKEN_SCORE = 0.9
    KEYWORD_SCORE = 0.85
    ENTROPY_SCORE = 0.7

    def __init__(self):
        super().__init__(supported_entities=["SECRET"], supported_language="en", name="SecretRecognizer")

    def load(self) -> None:
        self._plugins = _token_plugins()
        self._keyword = keyword.KeywordDetector()
        self._entropy = (Base64HighEntropyString(), HexHighEntropyString())

    def analyze(self, text, entities, nlp_artifacts=None):
        found: dict[tuple[int, int], float] = {}
        scanned = 0
        for start, end in pieces(text):
            line = text[start:end]
            if not _worth_scanning(line):
                continue
            scanned += 1
            if scanned > MAX_PIECES:
                break
            for value, score in self._secrets_in(line):
                at = line.find(value)
                if at >= 0 and value.strip():
                    span = (start + at, start + at + len(value))
                    found[span] = max(found.get(span, 0.0), score)
        return [RecognizerResult("SECRET", s, e, score, analysis_explanation=AnalysisExplanation(self.name, score),
                                 recognition_metadata={RecognizerResult.RECOGNIZER_NAME_KEY: self.name,
                                                       RecognizerResult.RECOGNIZER_IDENTIFIER_KEY: self.id})
                for (s, e), score in found.items()]

    def _secrets_in(self, line: str):
        for plugin in self._plugins:
            for value in plugin.analyze_string(line):
                # Filler stays a finding here: detect-secrets' own test data counts `AP6xxxxxxxxxx` as
                # the shape of an Artifactory key, and the plugins keep that reading.
                if isinstance(value, str) and not heuristic.is_templated_secret(value) and not is_template(value):
                    yield value, self.TOKEN_SCORE
        for value in token_formats(line):
            yield value, self.TOKEN_SCORE
        for value in self._keyword.analyze_string(line, _KEYWORD_REGEXES):
            if _keyword_value_ok(value):
                yield value, self.KEYWORD_SCORE
        for value in assigned_secrets(line):
            yield value, self.KEYWORD_SCORE
        for plugin in self._entropy:
            # The plugins' own default: quoted strings only ("…" or '…'); a bare token in
            # prose is too often an id, a slug or a near-miss of some format.
            for token in plugin.analyze_string(line):
                if _letters_and_digits(token) and self._high_entropy(token, line):
                    yield token, self.ENTROPY_SCORE

    def _high_entropy(self, token: str, line: str) -> bool:
        if heuristic.is_sequential_string(token) or heuristic.is_potential_uuid(token) \
                or heuristic.is_templated_secret(token):
            return False
        for plugin in self._entropy:
            if set(token) <= set(plugin.charset) and plugin.calculate_shannon_entropy(token) > plugin.entropy_limit:
                return not heuristic.is_likely_id_string(token, line, plugin)
        return False


def _worth_scanning(line: str) -> bool:
    if _KEYWORDS.search(line):
        return True
    for m in _LONG_TOKEN.finditer(line):
        token = m.group()
        if not (token.isalpha() and token[1:].islower()):
            return True
    return False


def _letters_and_digits(token: str) -> bool:
    return any(ch.isdigit() for ch in token) and any(ch.isalpha() for ch in token)


def _keyword_value_ok(value: str) -> bool:
    value = value.strip("\"'`,;")
    if len(value) < 4 or any(ch.isspace() for ch in value) or heuristic.is_templated_secret(value) \
            or is_placeholder(value) or names_code(value):
        return False
    return any(ch.isdigit() for ch in value) or any(not ch.isalnum() for ch in value)
