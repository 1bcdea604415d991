"""Turn the Bot API spec's JSON (fields plus prose descriptions) into machine-checkable schemas.

Limits, one-of groups, discriminators and conditional requirements live only in the descriptions, so they
are parsed here with small regexes; explicit fallbacks keep the rules the bot relies on if wording changes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

_LIMIT_RE = re.compile(r"(\d+)-(\d+) (characters|bytes)", re.IGNORECASE)
_RANGE_RE = re.compile(r"Values between (\d+)-(\d+) are accepted")
_AFTER_ENTITIES_RE = re.compile(r"after entit(?:y|ies) parsing")
_CONST_RE = re.compile(r"(?:always|must be) [\"“]?([a-z_]+)[\"”]?\.?$")
_REQUIRED_UNLESS_RE = re.compile(r"[Rr]equired if (\w+(?: and \w+)*) (?:is|are)(?:n't| not) specified")
_REQUIRED_WITH_RE = re.compile(r"[Rr]equired if (\w+) is specified")
_ONE_OF_RE = re.compile(
    r"(Exactly|At most) one of the (?:optional )?fields(?: other than (?P<other>[\w, ]+?))?"
    r"(?: (?P<listed>\w+(?: or \w+)+))? (?:must|can|will) be"
    r"|You must use (exactly) one of the optional fields"
)
_CHARSETS = (
    (re.compile(r"[Cc]an contain only lowercase English letters, digits and underscores"), r"[a-z0-9_]*"),
    (re.compile(r"[Cc]an contain only English letters, digits and underscores"), r"[A-Za-z0-9_]*"),
    (re.compile(r"[Oo]nly (?:characters )?A-Z, a-z, 0-9, _ and - are allowed"), r"[A-Za-z0-9_-]*"),
)


@dataclass(frozen=True)
class Limit:
    """A documented length limit such as "1-4096 characters" or "1-64 bytes"."""

    low: int
    high: int
    unit: Literal["characters", "bytes"]


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method or field of a type, with the rules parsed from its description."""

    name: str
    types: tuple[str, ...]
    required: bool
    limit: Limit | None = None
    value_range: tuple[int, int] | None = None
    charset: re.Pattern[str] | None = None
    const: str | None = None
    required_unless: tuple[str, ...] = ()
    required_with: str | None = None
    after_entities: bool = False


@dataclass(frozen=True)
class OneOf:
    """"Exactly one" / "at most one" of a group of optional fields."""

    fields: tuple[str, ...]
    exactly: bool


@dataclass(frozen=True)
class Schema:
    """A method's parameter list or an object type's field list."""

    name: str
    fields: dict[str, FieldSpec]
    one_of: OneOf | None = None
    subtypes: tuple[str, ...] = ()
    string_ok: bool = False
    returns: tuple[str, ...] = ()


# Used only if a refreshed spec stops stating these in the descriptions; the bot relies on them.
_FALLBACK_LIMITS: dict[tuple[str, str], Limit] = {
    ("sendMessage", "text"): Limit(1, 4096, "characters"),
    ("editMessageText", "text"): Limit(1, 4096, "characters"),
    ("*", "caption"): Limit(0, 1024, "characters"),
    ("InlineKeyboardButton", "callback_data"): Limit(1, 64, "bytes"),
    ("answerCallbackQuery", "text"): Limit(0, 200, "characters"),
    ("BotCommand", "command"): Limit(1, 32, "characters"),
    ("BotCommand", "description"): Limit(1, 256, "characters"),
}
_FALLBACK_CHARSETS = {("BotCommand", "command"): r"[a-z0-9_]*"}
_FALLBACK_ONE_OF = {"InlineKeyboardButton": ("text", "icon_custom_emoji_id", "style")}


def _split_names(text: str) -> list[str]:
    return [name for name in re.split(r"\s*,\s*(?:and\s+|or\s+)?|\s+and\s+|\s+or\s+", text.strip()) if name]


def _field_spec(owner: str, raw: Mapping[str, Any]) -> FieldSpec:
    name, description = raw["name"], raw.get("description", "")
    limit = None
    if match := _LIMIT_RE.search(description):
        unit: Literal["characters", "bytes"] = "bytes" if match.group(3).lower() == "bytes" else "characters"
        limit = Limit(int(match.group(1)), int(match.group(2)), unit)
    limit = limit or _FALLBACK_LIMITS.get((owner, name)) or _FALLBACK_LIMITS.get(("*", name))
    charset = next((pattern for regex, pattern in _CHARSETS if regex.search(description)), None)
    charset = charset or _FALLBACK_CHARSETS.get((owner, name))
    value_range = (int(m.group(1)), int(m.group(2))) if (m := _RANGE_RE.search(description)) else None
    unless = _REQUIRED_UNLESS_RE.search(description)
    with_ = _REQUIRED_WITH_RE.search(description)
    const = m.group(1) if name == "type" and (m := _CONST_RE.search(description)) else None
    return FieldSpec(
        name=name,
        types=tuple(raw["types"]),
        required=bool(raw.get("required")),
        limit=limit,
        value_range=value_range,
        charset=re.compile(charset) if charset else None,
        const=const,
        required_unless=tuple(_split_names(unless.group(1))) if unless else (),
        required_with=with_.group(1) if with_ and not unless else None,
        after_entities=bool(_AFTER_ENTITIES_RE.search(description)),
    )


def _one_of(name: str, description: str, fields: dict[str, FieldSpec]) -> OneOf | None:
    match = _ONE_OF_RE.search(description)
    if match is None:
        excluded = _FALLBACK_ONE_OF.get(name)
        return OneOf(tuple(f for f in fields if f not in excluded), exactly=True) if excluded else None
    exactly = (match.group(1) or match.group(4) or "").lower() == "exactly"
    if match.group("listed"):
        return OneOf(tuple(_split_names(match.group("listed"))), exactly)
    if match.group("other"):
        other = set(_split_names(match.group("other")))
        return OneOf(tuple(f for f in fields if f not in other), exactly)
    return OneOf(tuple(f for f, spec in fields.items() if not spec.required), exactly)


def build_schema(raw: Mapping[str, Any]) -> Schema:
    name = raw["name"]
    description = " ".join(raw.get("description", []))
    fields = {f["name"]: _field_spec(name, f) for f in raw.get("fields", [])}
    return Schema(
        name=name,
        fields=fields,
        one_of=_one_of(name, description, fields),
        subtypes=tuple(raw.get("subtypes", ())),
        string_ok="String can be used instead of this object" in description,
        returns=tuple(raw.get("returns", ())),
    )
