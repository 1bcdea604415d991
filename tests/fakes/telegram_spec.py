"""Validate Bot API calls against the vendored official spec (tests/specs/telegram-bot-api.json).

The fake server rejects whatever real Telegram would, so tests catch bad requests before production does;
rules (types, required fields, limits, one-of groups) are derived from the spec's own descriptions.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

from tests.fakes.telegram_markup import PARSE_MODES, parse_entities
from tests.fakes.telegram_schema import FieldSpec, Schema, build_schema

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "telegram-bot-api.json"

_INT_RE = re.compile(r"-?\d+")
_PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})
_MISMATCH = 1000  # shape score of a value that is not even the right JSON kind


@dataclass(frozen=True)
class UploadedFile:
    """A multipart file part as received by the fake server."""

    part_name: str
    filename: str
    content_type: str
    data: bytes


@dataclass
class CallCheck:
    """Result of checking one call: canonical method name, decoded parameters, violations."""

    method: str | None
    params: dict[str, Any] = field(default_factory=dict)
    violations: list[str] = field(default_factory=list)


def _describe(value: Any) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:40] + '...' if len(text) > 40 else text}"


class TelegramSpec:
    """The parsed spec: method and type schemas, looked up by the validation walk."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        self.version: str = raw.get("version", "?")
        self.methods = {name: build_schema(m) for name, m in raw["methods"].items()}
        self.types = {name: build_schema(t) for name, t in raw["types"].items()}
        self._by_lower = {name.lower(): name for name in self.methods}

    def canonical_method(self, method: str) -> str | None:
        """Telegram matches method names case-insensitively."""
        return self._by_lower.get(method.lower())

    def check_call(
        self, method: str, params: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None
    ) -> CallCheck:
        """Validate one call. ``params`` may hold form strings, JSON values or UploadedFile parts."""
        canonical = self.canonical_method(method)
        if canonical is None:
            return CallCheck(None, dict(params), [f"unknown method {method!r}"])
        schema = self.methods[canonical]
        walk = _Walk(self, dict(files or {}))
        params = dict(params)
        for part_name in list(walk.files):
            if part_name in schema.fields and part_name not in params:
                params[part_name] = walk.files.pop(part_name)
        violations: list[str] = []
        decoded = walk.fields(params, schema, canonical, True, violations)
        unused = [name for name in walk.files if name not in walk.used]
        violations.extend(f"{canonical}: file part {name!r} is never referenced" for name in unused)
        return CallCheck(canonical, decoded, violations)

    def check_object(self, type_name: str, value: Any) -> list[str]:
        """Validate a JSON value (e.g. an Update built by a test) against an object type."""
        violations: list[str] = []
        _Walk(self, {}).alternatives(value, (type_name,), type_name, False, violations)
        return violations

    def check_result(self, method: str, value: Any) -> list[str]:
        """Validate a method's result (e.g. a test's stub) against the spec's ``returns`` types."""
        violations: list[str] = []
        _Walk(self, {}).alternatives(value, self.methods[method].returns, f"{method} result", False, violations)
        return violations

    def expand(self, alternatives: tuple[str, ...]) -> list[str]:
        """Replace abstract types by their subtypes; add String where the type allows it."""
        out: list[str] = []
        for alt in alternatives:
            schema = self.types.get(alt)
            if schema is not None and schema.subtypes:
                out.extend(self.expand(schema.subtypes))
            else:
                out.append(alt)
                if schema is not None and schema.string_ok:
                    out.append("String")
        return list(dict.fromkeys(out))


class _Walk:
    """One validation pass; tracks uploaded file parts and which ``attach://`` names were used."""

    def __init__(self, spec: TelegramSpec, files: dict[str, UploadedFile]) -> None:
        self.spec = spec
        self.files = files
        self.used: set[str] = set()

    def alternatives(
        self, value: Any, alternatives: tuple[str, ...], path: str, top: bool, violations: list[str]
    ) -> Any:
        """Accept ``value`` if any alternative matches, else report the closest alternative's problems."""
        if value is None:
            violations.append(f"{path}: null is not allowed; omit the field instead")
            return value
        best: tuple[tuple[int, int], Any, list[str]] | None = None
        for alt in self.spec.expand(alternatives):
            errors: list[str] = []
            decoded, shape = self.one(value, alt, path, top, errors)
            if not errors:
                return decoded
            if best is None or (shape, len(errors)) < best[0]:
                best = ((shape, len(errors)), decoded, errors)
        assert best is not None
        if best[0][0] >= _MISMATCH:
            violations.append(f"{path}: expected {' or '.join(alternatives)}, got {_describe(value)}")
        else:
            violations.extend(best[2])
        return best[1]

    def one(self, value: Any, alt: str, path: str, top: bool, errors: list[str]) -> tuple[Any, int]:
        """Check ``value`` against one type expression; return (decoded value, shape mismatch score)."""
        if isinstance(value, str) and value.startswith("attach://") and alt in ("String", "InputFile"):
            name = value.removeprefix("attach://")
            self.used.add(name)
            if name not in self.files:
                errors.append(f"{path}: {value!r} refers to a file part that was not uploaded")
            return (self.files.get(name, value) if top else value), 0
        if top and isinstance(value, str) and (alt.startswith("Array of ") or alt in self.spec.types):
            value = _json(value)  # form fields carry objects and arrays JSON-serialized
        if alt.startswith("Array of "):
            if not isinstance(value, list):
                errors.append("type")
                return value, _MISMATCH
            inner = (alt.removeprefix("Array of "),)
            items = [self.alternatives(v, inner, f"{path}[{i}]", False, errors) for i, v in enumerate(value)]
            return items, 0
        if alt in _PRIMITIVES:
            decoded = _primitive(value, alt, top)
            if decoded is _BAD:
                errors.append("type")
                return value, _MISMATCH
            return decoded, 0
        schema = self.spec.types.get(alt)
        if schema is None or not isinstance(value, dict):
            errors.append("type" if schema else f"{path}: spec names unknown type {alt!r}")
            return value, _MISMATCH
        shape = sum(1 for key in value if key not in schema.fields)
        shape += sum(1 for f in schema.fields.values() if f.required and f.name not in value)
        shape += sum(10 for f in schema.fields.values() if f.const and value.get(f.name) != f.const)
        return self.fields(value, schema, path, False, errors), shape

    def fields(
        self, params: Mapping[str, Any], schema: Schema, path: str, top: bool, violations: list[str]
    ) -> dict[str, Any]:
        """Check every field of a method call or object against its schema."""
        decoded: dict[str, Any] = {}
        for key, value in params.items():
            spec = schema.fields.get(key)
            if spec is None:
                violations.append(f"{path}: unknown field {key!r}")
                decoded[key] = value
                continue
            where = f"{path}.{key}"
            decoded[key] = self.alternatives(value, spec.types, where, top, violations)
            _check_rules(decoded[key], spec, where, schema=schema, params=params, violations=violations)
        violations.extend(
            f"{path}: missing required field {spec.name!r}"
            for spec in schema.fields.values()
            if spec.name not in params and (
                spec.required
                or (spec.required_unless and not any(name in params for name in spec.required_unless))
                or (spec.required_with is not None and spec.required_with in params)
            )
        )
        if schema.one_of is not None:
            present = [name for name in schema.one_of.fields if name in params]
            if len(present) > 1 or (schema.one_of.exactly and not present):
                quantity = "exactly" if schema.one_of.exactly else "at most"
                violations.append(
                    f"{path}: {quantity} one of {', '.join(schema.one_of.fields)} must be set, "
                    f"got {len(present)}{' (' + ', '.join(present) + ')' if present else ''}"
                )
        return decoded


def _json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return _BAD


def _primitive(value: Any, alt: str, top: bool) -> Any:
    """Decode/accept a primitive; form strings are decoded only at the top level."""
    if alt == "InputFile":
        return value if isinstance(value, UploadedFile) else _BAD
    if alt == "String":
        return value if isinstance(value, str) else _BAD
    if top and isinstance(value, str):
        if alt == "Integer":
            return int(value) if _INT_RE.fullmatch(value) else _BAD
        if alt == "Boolean":
            return {"true": True, "false": False}.get(value, _BAD)
        try:
            value = float(value)
        except ValueError:
            return _BAD
    if isinstance(value, bool):
        return value if alt == "Boolean" else _BAD
    if alt == "Integer":
        return value if isinstance(value, int) else _BAD
    if alt == "Float" and isinstance(value, int | float) and math.isfinite(value):
        return value
    return _BAD


def _parse_mode_field(spec: FieldSpec, schema: Schema) -> str | None:
    """The parse-mode parameter that governs ``spec`` (e.g. text <- parse_mode, quote <- quote_parse_mode)."""
    own = f"{spec.name}_parse_mode"
    if own in schema.fields:
        return own
    governed = spec.after_entities or spec.name in ("text", "caption", "message_text")
    if "parse_mode" in schema.fields and governed:
        return "parse_mode"
    return None


def _check_rules(
    value: Any, spec: FieldSpec, where: str, *,
    schema: Schema, params: Mapping[str, Any], violations: list[str],
) -> None:
    """Constants, parse modes, numeric ranges, character sets and length limits of one decoded field."""
    if spec.const is not None and value != spec.const:
        violations.append(f"{where}: must be {spec.const!r}, got {value!r}")
    if spec.name.endswith("parse_mode") and isinstance(value, str):
        if value and value.lower() not in PARSE_MODES:
            violations.append(f"{where}: unsupported parse_mode {value!r}")
        return
    if isinstance(value, int) and not isinstance(value, bool) and spec.value_range:
        low, high = spec.value_range
        if not low <= value <= high:
            violations.append(f"{where}: {value} is outside the accepted range {low}-{high}")
    if not isinstance(value, str):
        return
    text, what = value, ""
    mode_field = _parse_mode_field(spec, schema)
    mode = params.get(mode_field) if mode_field else None
    if isinstance(mode, str) and mode.lower() in PARSE_MODES:
        parsed = parse_entities(value, mode)
        violations.extend(f"{where}: can't parse entities: {error}" for error in parsed.errors)
        text, what = parsed.text, " after entity parsing"
    if spec.charset is not None and not spec.charset.fullmatch(text):
        violations.append(f"{where}: {text!r} contains characters outside {spec.charset.pattern}")
    if spec.limit is None:
        return
    size = len(text.encode("utf-8")) if spec.limit.unit == "bytes" else len(text)
    if not spec.limit.low <= size <= spec.limit.high:
        allowed = f"{spec.limit.low}-{spec.limit.high}"
        violations.append(f"{where}: {size} {spec.limit.unit}{what}, allowed {allowed}")
    elif spec.limit.low > 0 and mode_field is not None and not text.strip():
        violations.append(f"{where}: text is empty after entity parsing and trimming")


class _Bad:
    """Sentinel for a value that failed decoding."""

    def __repr__(self) -> str:
        return "<undecodable>"


_BAD: Any = _Bad()


@lru_cache(maxsize=1)
def load_spec(path: Path = SPEC_PATH) -> TelegramSpec:
    """Parse the vendored spec once per process."""
    return TelegramSpec(json.loads(path.read_text(encoding="utf-8")))


def validate_call(
    method: str, params: Mapping[str, Any], files: Mapping[str, UploadedFile] | None = None
) -> list[str]:
    """Human-readable violations of one Bot API call; an empty list means Telegram would accept it."""
    return load_spec().check_call(method, params, files).violations
