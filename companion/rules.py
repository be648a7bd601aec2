"""Rule packs: what Postguard looks for, as data (YAML in `rules/packs/`), validated at load.

A pack covers one category: its severity, the message a salesperson reads, the score a
match needs, and its rules. A rule is exactly one kind of matcher:

- `patterns`: regular expressions with scores; a named group `value` marks the part
  that is secret (only that part is masked in excerpts);
- `keywords`: term lists per language;
- `near`: a target term and a cue term within a window ("customer ... pays so slowly");
- `entity`: a Presidio entity (contact data), scored by Presidio;
- `org_list`: the org's own lists (clients, competitors, products);
- `company_list`: several company names with legal forms in one post;
- `classifier`: a trained head in `rules/models/<head>/` that reads each sentence
  (companion/detection/semantic_matcher.py), with its threshold chosen on the dev split.

`context` words near a match add `context_boost` to its score; `skip_mentions` drops a match
that is quoted or named ("calling people X") rather than used. Every rule carries
`examples` that must and must not match; the tests run them through the real engine.
Errors name the file, the line and the field.
"""

from __future__ import annotations

from functools import cached_property
from pathlib import Path
from typing import Annotated, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from companion.detection.linear_regex import LinearPattern, UnsupportedPattern, compile_linear
from companion.detection.types import CATEGORIES
from companion.errors import ConfigError

MaskStyle = Literal["digits", "email", "phone", "secret", "name", "none"]


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a pack must not silently disable a rule."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Pattern(Strict):
    """A regular expression RE2 can run in linear time, with guards RE2 has no syntax for.

    `not_before` / `not_after` are character-class bodies (`\\d.`) that must not touch
    the match; `value_must_contain` lists classes that must each occur in the `value`
    group (or the whole match), e.g. a password has a digit or a symbol;
    `value_not_placeholder` drops a value that stands for a secret instead of being one
    (`xxxxxx`, `$PASSWORD`, `${{ secrets.X }}`, `<password>`), which no character class says.
    """

    regex: str
    score: float = Field(0.8, ge=0, le=1)
    ignore_case: bool = True
    not_before: str | None = None
    not_after: str | None = None
    value_must_contain: list[str] = []
    value_not_placeholder: bool = False

    @field_validator("regex")
    @classmethod
    def _compiles(cls, value: str) -> str:
        try:
            compile_linear(value)
        except UnsupportedPattern as exc:
            raise ValueError(f"RE2 cannot run this pattern in linear time: {exc}") from None
        return value

    @field_validator("not_before", "not_after")
    @classmethod
    def _guard_compiles(cls, value: str | None) -> str | None:
        if value is not None:
            _class_compiles(value)
        return value

    @field_validator("value_must_contain")
    @classmethod
    def _classes_compile(cls, value: list[str]) -> list[str]:
        for chars in value:
            _class_compiles(chars)
        return value

    @cached_property
    def compiled(self) -> LinearPattern:
        return LinearPattern(self.regex, ignore_case=self.ignore_case, not_before=self.not_before,
                             not_after=self.not_after)

    @cached_property
    def value_checks(self) -> list:
        return [compile_linear(f"[{chars}]") for chars in self.value_must_contain]


def _class_compiles(chars: str) -> None:
    try:
        compile_linear(f"[{chars}]")
    except UnsupportedPattern as exc:
        raise ValueError(f"not a character class body: {exc}") from None


class Near(Strict):
    targets: dict[str, list[str]]
    cues: dict[str, list[str]]
    window: int = Field(60, ge=1, le=400)
    target_lists: list[Literal["clients", "competitors"]] = Field(
        [], description="The org's own client/competitor names also count as targets.")


class ModelCue(Strict):
    """A group (`targets`) and a judgement of it (`cues`) in one sentence, the judgement neither
    negated just before it nor quoted: there the classifier's score counts from `thresholds`
    (per language, lower than the rule's own) instead (companion/detection/model_cues.py)."""

    targets: dict[str, list[str]]
    cues: dict[str, list[str]]
    thresholds: dict[Literal["en", "zh"], Annotated[float, Field(ge=0, le=1)]]


class Classifier(Strict):
    """A sentence classifier: which head, which of its labels, the score that counts, and
    which target groups this rule explains (empty: any group the pack's other rules leave).

    `threshold` holds for every sentence; `thresholds` may set another one for the sentences
    of a language (`en`, `zh`, as companion/detection/semantic_model.py's
    `sentence_language` reads them), each chosen on the dev split; `cue` a lower one for the
    sentences that name a group and judge it."""

    head: str = Field(pattern=r"^[a-z0-9_]+$")
    label: str
    threshold: float = Field(ge=0, le=1)
    thresholds: dict[Literal["en", "zh"], Annotated[float, Field(ge=0, le=1)]] = {}
    groups: list[str] = []
    cue: ModelCue | None = None

    def threshold_for(self, language: str) -> float:
        return self.thresholds.get(language, self.threshold)

    def cue_threshold_for(self, language: str) -> float:
        """The threshold in a sentence where the `cue` fires (never above the usual one)."""
        usual = self.threshold_for(language)
        return min(usual, self.cue.thresholds.get(language, usual)) if self.cue else usual


class Examples(Strict):
    match: list[str] = Field(min_length=1)
    no_match: list[str] = Field(min_length=1)


class Rule(Strict):
    id: str = Field(pattern=r"^[a-z_]+\.[a-z0-9_.]+$")
    description: str
    patterns: list[Pattern] | None = None
    keywords: dict[str, list[str]] | None = None
    near: Near | None = None
    entity: str | None = None
    org_list: Literal["clients", "competitors", "products"] | None = None
    company_list: int | None = Field(None, ge=2, description="how many companies make a list")
    classifier: Classifier | None = None
    score: float = Field(0.8, ge=0, le=1)
    context: list[str] = []
    context_boost: float = Field(0.0, ge=0, le=1)
    skip_mentions: bool = Field(False, description=(
        "Drop a match that is quoted or named in its sentence (counter-speech, talk about a word): "
        "companion/detection/mentions.py."))
    unless: dict[Literal["en", "zh"], list[str]] | None = Field(None, description=(
        "Words that, not negated, in the clause after a match make it something else: praise after "
        "'Muslims are' ('… our most loyal customers'). companion/detection/rule_matchers.py."))
    mask: MaskStyle = "secret"
    severity: Literal["info", "warn", "block"] | None = None
    message: dict[Literal["en", "zh"], str] | None = None
    examples: Examples

    @model_validator(mode="after")
    def _exactly_one_kind(self) -> "Rule":
        kinds = [k for k in ("patterns", "keywords", "near", "entity", "org_list", "company_list", "classifier")
                 if getattr(self, k) is not None]
        if len(kinds) != 1:
            raise ValueError(f"a rule needs exactly one of patterns, keywords, near, entity, "
                             f"org_list, company_list, classifier (found {', '.join(kinds) or 'none'})")
        if self.classifier is not None and self.unless:
            # A praise word must never excuse a sentence the model reads as a put-down
            # ("Women are great at being useless."): docs/semantic.md, "Praise taken back".
            raise ValueError("unless is for words after a lexical match; a classifier rule reads the whole "
                             "sentence, so praise words in it cannot excuse it")
        return self

    @property
    def kind(self) -> str:
        return next(k for k in ("patterns", "keywords", "near", "entity", "org_list", "company_list", "classifier")
                    if getattr(self, k) is not None)


class Pack(Strict):
    pack: str
    version: int = Field(ge=1)
    category: str
    severity: Literal["info", "warn", "block"]
    threshold: float = Field(0.6, ge=0, le=1)
    context_window: int = Field(50, ge=0, le=400)
    message: dict[Literal["en", "zh"], str]
    rules: list[Rule] = Field(min_length=1)

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in CATEGORIES:
            raise ValueError(f"unknown category {value!r}; use one of {', '.join(CATEGORIES)}")
        return value

    @field_validator("message")
    @classmethod
    def _both_languages(cls, value: dict) -> dict:
        missing = {"en", "zh"} - set(value)
        if missing:
            raise ValueError(f"message needs a text for {', '.join(sorted(missing))}")
        return value


class RuleSet(BaseModel):
    """All packs of a rules directory, with a version string for health and audit."""

    model_config = ConfigDict(arbitrary_types_allowed=True)
    packs: list[Pack]
    version: str
    models_dir: Path | None = None  # trained heads (`classifier` rules) beside the packs, if any

    def pack_for(self, category: str) -> Pack | None:
        return next((p for p in self.packs if p.category == category), None)


def _line_of(path: Path, loc: tuple) -> int | None:
    """The YAML line of the field at `loc`, found by walking the composed node tree.

    A key's own line (`message:`, not the `en:` under it); for a key that is absent, the line
    where the mapping that lacks it starts.
    """
    try:
        node = yaml.compose(path.read_text(encoding="utf-8"))
    except yaml.YAMLError:
        return None
    mark = node.start_mark if node is not None else None
    for key in loc:
        if isinstance(node, yaml.MappingNode):
            entry = next(((k, v) for k, v in node.value if k.value == key), None)
            node, mark = (entry[1], entry[0].start_mark) if entry else (None, mark)
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            mark = node.start_mark
        else:
            node = None
        if node is None:
            break
    return mark.line + 1 if mark is not None else None


def _field_name(loc: tuple) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc).lstrip(".")


def _pack_error(path: Path, errors: list[dict], data: dict | None = None) -> ConfigError:
    """The one problem to report, with its file, line and field.

    Unknown keys come first: a misspelt `severty:` also leaves `severity` missing, and the
    misspelling, on its own line, is what the author has to fix.
    """
    unknown = [e for e in errors if e["type"] == "extra_forbidden"]
    first = (unknown or errors)[0]
    loc = tuple(p for p in first["loc"] if not str(p).startswith("function-") and p != "[key]")
    message = f"unknown key{_did_you_mean(loc, errors)}" if unknown else first["msg"]
    rule_id = _rule_id_at(loc, data)
    if rule_id:
        message += f" (rule {rule_id})"
    return ConfigError(message, path=str(path), line=_line_of(path, loc), field=_field_name(loc))


def _rule_id_at(loc: tuple, data: dict | None) -> str | None:
    """The id of the rule a problem sits in, so the author can find it by name too."""
    if not data or len(loc) < 3 or loc[0] != "rules" or not isinstance(loc[1], int):
        return None
    rules = data.get("rules")
    rule = rules[loc[1]] if isinstance(rules, list) and loc[1] < len(rules) else None
    rule_id = rule.get("id") if isinstance(rule, dict) else None
    return rule_id if isinstance(rule_id, str) and len(rule_id) <= 80 else None


def _did_you_mean(loc: tuple, errors: list[dict]) -> str:
    """"; did you mean 'severity'?" when the unknown key at `loc` looks like one its mapping takes,
    preferring a key that is reported missing there."""
    import difflib

    missing = [str(e["loc"][-1]) for e in errors
               if e["type"] == "missing" and tuple(e["loc"][:-1]) == loc[:-1]]
    typo = str(loc[-1])
    close = (difflib.get_close_matches(typo, missing, n=1, cutoff=0.6)
             or difflib.get_close_matches(typo, _keys_at(loc[:-1]), n=1, cutoff=0.6))
    return f"; did you mean '{close[0]}'?" if close else ""


def _keys_at(loc: tuple) -> list[str]:
    """The keys the pack format takes in the mapping at `loc` (Pack, a rule, a pattern...)."""
    from typing import get_args

    def model_in(annotation):
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            return annotation
        return next((m for m in map(model_in, get_args(annotation)) if m is not None), None)

    model = Pack
    for part in loc:
        if isinstance(part, int):
            continue
        field = model.model_fields.get(part)
        model = model_in(field.annotation) if field is not None else None
        if model is None:
            return []
    return list(model.model_fields)


# libyaml's parser reads the packs ten times faster than the pure-Python one (start-up time);
# both build the same safe data. The composed node tree for error lines stays pure Python.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def load_pack(path: Path) -> Pack:
    """Read and validate one pack; a problem raises ConfigError naming file, line and field."""
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_YAML_LOADER)
    except UnicodeDecodeError:
        raise ConfigError("the file is not UTF-8 text", path=str(path)) from None
    except yaml.YAMLError as exc:
        # context_mark is where the broken construct opened (an unclosed bracket, say).
        mark = getattr(exc, "context_mark", None) or getattr(exc, "problem_mark", None)
        raise ConfigError(f"not valid YAML ({getattr(exc, 'problem', 'syntax error')})",
                          path=str(path), line=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise ConfigError("a rule pack must be a mapping with pack, category and rules", path=str(path))
    try:
        return Pack.model_validate(data)
    except ValidationError as exc:
        raise _pack_error(path, exc.errors(), data) from None


def load_rules(rules_dir: Path) -> RuleSet:
    """Load every `*.yaml` under `rules_dir/packs`; rule ids must be unique across packs."""
    pack_dir = rules_dir / "packs"
    files = sorted(pack_dir.glob("*.yaml"))
    if not files:
        raise ConfigError("no rule packs (*.yaml) found", path=str(pack_dir))
    packs = [load_pack(f) for f in files]
    seen: dict[str, Path] = {}
    for path, pack in zip(files, packs):
        for index, rule in enumerate(pack.rules):
            if rule.id in seen:
                raise ConfigError(f"rule id {rule.id!r} is already used in {seen[rule.id].name}",
                                  path=str(path), line=_line_of(path, ("rules", index, "id")),
                                  field=f"rules[{index}].id")
            seen[rule.id] = path
    categories = [p.category for p in packs]
    duplicates = {c for c in categories if categories.count(c) > 1}
    if duplicates:
        raise ConfigError(f"more than one pack for {', '.join(sorted(duplicates))}", path=str(pack_dir))
    version = "+".join(f"{p.pack}@{p.version}" for p in packs)
    models = rules_dir / "models"  # a signed bundle carries packs only: the shipped heads serve
    return RuleSet(packs=packs, version=version, models_dir=models if models.is_dir() else None)
