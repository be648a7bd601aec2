"""Alert rules and channels, read from one YAML file, checked field by field.

```yaml
channels:
  compliance-mail: {kind: email, smtp: "smtp://mail.example.com:587", starttls: true,
                    from: postguard@example.com, to: [compliance@example.com]}
  hook: {kind: webhook, url: "https://hooks.example.com/postguard"}
  siem: {kind: syslog, target: "tcp://siem.example.com:514"}
rules:
  - {name: Block or override on pricing, category: pricing, outcomes: [blocked, overridden], channels: [compliance-mail, hook]}
  - {name: Many overrides in a day, overrides_per_day: 3, channels: [hook]}
  - {name: Client list in a photo, category: client_confidential, in_image: true, channels: [siem]}
```

A rule fires on one event. `outcomes` are `blocked` (a check blocked the post) and the
decisions (`overridden`, `edited`, `redacted`, `cancelled`, `posted`); `category` narrows to
posts with that category; `in_image` to checks where that category was found in an image;
`overrides_per_day: N` fires when one person posts anyway more than N times in a UTC day
(once per person and day).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Literal, Union

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from companion.detection.types import CATEGORIES
from companion.errors import ConfigError

OUTCOMES = ("blocked", "overridden", "edited", "redacted", "cancelled", "posted")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class EmailSpec(_Strict):
    kind: Literal["email"]
    smtp: str = Field(pattern=r"^smtps?://[^/\s:]+(:\d+)?/?$")
    starttls: bool = False
    username: str | None = None
    password_env: str | None = None  # the password is read from this environment variable
    sender: str = Field(alias="from", pattern=r"^[^@\s]+@[^@\s]+$")
    to: list[str] = Field(min_length=1)

    @field_validator("to")
    @classmethod
    def _addresses(cls, to: list[str]) -> list[str]:
        bad = [a for a in to if "@" not in a or any(c.isspace() for c in a)]
        if bad:
            raise ValueError(f"not an e-mail address: {bad[0]}")
        return to


class WebhookSpec(_Strict):
    kind: Literal["webhook"]
    url: str = Field(pattern=r"^https?://\S+$")


class SyslogSpec(_Strict):
    kind: Literal["syslog"]
    target: str = Field(pattern=r"^(tcp|tls)://\S+:\d+$")


class AlertRule(_Strict):
    """One rule: when it fires, and where it sends."""

    name: str = Field(min_length=1, max_length=120)
    category: str | None = None
    outcomes: list[Literal[OUTCOMES]] = []  # type: ignore[valid-type]
    in_image: bool = False
    overrides_per_day: int | None = Field(None, ge=1, le=10_000)
    channels: list[str] = Field(min_length=1)

    @field_validator("category")
    @classmethod
    def _known_category(cls, category: str | None) -> str | None:
        if category is not None and category not in CATEGORIES:
            raise ValueError(f"not one of {', '.join(CATEGORIES)}")
        return category

    @model_validator(mode="after")
    def _says_when(self) -> "AlertRule":
        if not (self.category or self.outcomes or self.overrides_per_day):
            raise ValueError("say when the rule fires: category, outcomes or overrides_per_day")
        if self.in_image and not self.category:
            raise ValueError("in_image needs a category (which finding in a photo)")
        return self

    def describe(self) -> str:
        """The rule in words, for the settings page."""
        if self.overrides_per_day:
            return f"one person posts anyway more than {self.overrides_per_day} times in a day (UTC)"
        parts = []
        if self.outcomes:
            parts.append(" or ".join("posted anyway" if o == "overridden" else o for o in self.outcomes))
        if self.category:
            parts.append(f"{'found in a photo' if self.in_image else 'with'} {self.category}")
        return " ".join(parts) if parts else "any check"


ChannelSpec = Annotated[Union[EmailSpec, WebhookSpec, SyslogSpec], Field(discriminator="kind")]


class _AlertsFile(_Strict):
    channels: dict[str, ChannelSpec]
    rules: list[AlertRule]


@dataclass
class AlertConfig:
    """The rules and channel specs of one alerts file."""

    rules: list[AlertRule]
    channels: dict[str, EmailSpec | WebhookSpec | SyslogSpec]
    source: str = ""


def load_alerts(path: Path) -> AlertConfig:
    """Read and check an alerts file; a ConfigError names the file and the field at fault."""
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except OSError as exc:
        raise ConfigError(f"cannot read the alerts file ({exc.strerror})", path=str(path)) from None
    except yaml.YAMLError as exc:
        line = getattr(getattr(exc, "problem_mark", None), "line", None)
        raise ConfigError("not valid YAML", path=str(path), line=line + 1 if line is not None else None) from None
    try:
        parsed = _AlertsFile.model_validate(data or {})
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first["loc"])
        raise ConfigError(first["msg"].removeprefix("Value error, "), path=str(path), field=where or None) from None
    for index, rule in enumerate(parsed.rules):
        for name in rule.channels:
            if name not in parsed.channels:
                raise ConfigError(f"channel {name!r} is not under channels", path=str(path),
                                  field=f"rules.{index}.channels")
    return AlertConfig(parsed.rules, parsed.channels, str(path))
