"""Check template management requests (`/{Version}/{WABA-ID}/message_templates`) against Meta's v23.0 spec.

The spec's request schema for creating a template is built from its examples (types only, nothing required), so
the rules Meta enforces and states in its template guide are checked here by name: a name of lowercase letters,
digits and underscores; a known category and language; a BODY of at most 1,024 characters whose variables run
{{1}}..{{n}}, do not start or end it, and come with one example each. The spec's own examples pass
(`tests/test_fake_whatsapp.py`).
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from typing import Any

from jsonschema import Draft202012Validator

from tests.fakes.whatsapp_spec import _error_text, _fill, _resolve, load_spec

TEMPLATES_PATH = "/{Version}/{WABA-ID}/message_templates"
TEMPLATE_PATH = "/{Version}/{TEMPLATE_ID}"
NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,512}$")
CATEGORIES = frozenset({"MARKETING", "UTILITY", "AUTHENTICATION"})
LANGUAGES = frozenset({"id", "en", "en_US", "en_GB", "ms", "jv", "es", "pt_BR", "ar", "hi"})
"""A few of the codes Meta's "Supported languages" lists (not in the OpenAPI file); enough for the bot's."""
BODY_MAX = 1024
LIST_FIELDS = frozenset({"id", "name", "language", "status", "category", "components", "previous_category",
                         "rejected_reason", "quality_score", "parameter_format", "sub_category"})
"""Fields a list may ask for: the spec's example response has the first seven; the rest are the Graph API
reference's fields of a template (`rejected_reason` among them), which the live API answers."""
STATUSES = frozenset({"APPROVED", "PENDING", "REJECTED", "PAUSED", "DISABLED", "IN_APPEAL", "PENDING_DELETION",
                      "FLAGGED", "REINSTATED", "LIMIT_EXCEEDED", "ARCHIVED"})
_VARIABLE = re.compile(r"\{\{\s*([^{}]*?)\s*\}\}")


@functools.cache
def _create_validator() -> Draft202012Validator:
    operation = load_spec()["paths"][TEMPLATES_PATH]["post"]
    schema = _resolve(operation["requestBody"]["content"]["application/json"]["schema"])
    return Draft202012Validator(schema | {"required": ["name", "language", "category", "components"]})


def check_template_create(body: Any) -> list[str]:
    """Human-readable violations of one `POST .../message_templates` body; empty means Meta would take it."""
    if not isinstance(body, dict):
        return ["(body): a template is a JSON object"]
    violations = [_error_text(error) for error in _create_validator().iter_errors(body)]
    if violations:
        return violations
    if not NAME_PATTERN.match(body["name"]):
        violations.append("name: lowercase letters, digits and underscores only, at most 512")
    if body["category"] not in CATEGORIES:
        violations.append(f"category: {body['category']!r} is not one of {sorted(CATEGORIES)}")
    if body["language"] not in LANGUAGES:
        violations.append(f"language: {body['language']!r} is not a supported language code")
    bodies = [c for c in body["components"] if str(c.get("type", "")).upper() == "BODY"]
    if len(bodies) != 1:
        return [*violations, f"components: exactly one BODY, not {len(bodies)}"]
    if body["category"] != "AUTHENTICATION":
        violations += _body_rules(bodies[0])
    return violations


@functools.cache
def _edit_validator() -> Draft202012Validator:
    operation = load_spec()["paths"][TEMPLATE_PATH]["post"]
    schema = _resolve(operation["requestBody"]["content"]["application/json"]["schema"])
    return Draft202012Validator(schema | {"required": ["components"]})


def check_template_edit(body: Any) -> list[str]:
    """Violations of one `POST /{template-id}` body (an edit: new components, perhaps a new category)."""
    if not isinstance(body, dict):
        return ["(body): an edit is a JSON object"]
    violations = [_error_text(error) for error in _edit_validator().iter_errors(body)]
    if violations:
        return violations
    if "category" in body and body["category"] not in CATEGORIES:
        violations.append(f"category: {body['category']!r} is not one of {sorted(CATEGORIES)}")
    bodies = [c for c in body["components"] if str(c.get("type", "")).upper() == "BODY"]
    if len(bodies) != 1:
        return [*violations, f"components: exactly one BODY, not {len(bodies)}"]
    return violations + _body_rules(bodies[0])


def _body_rules(component: dict[str, Any]) -> list[str]:
    text = component.get("text")
    if not isinstance(text, str) or not text.strip():
        return ["components.BODY.text: required"]
    out = []
    if len(text) > BODY_MAX:
        out.append(f"components.BODY.text: {len(text)} characters, limit is {BODY_MAX}")
    names = _VARIABLE.findall(text)
    if names != [str(n) for n in range(1, len(names) + 1)]:
        out.append(f"components.BODY.text: variables must be {{{{1}}}}..{{{{n}}}} in order, not {names}")
    stripped = text.strip()
    if names and (_VARIABLE.match(stripped) or re.search(r"\{\{[^{}]*\}\}$", stripped)):
        out.append("components.BODY.text: a variable may not start or end the body")
    if names:
        example = component.get("example", {}).get("body_text") if isinstance(component.get("example"), dict) else None
        if not (isinstance(example, list) and len(example) == 1 and isinstance(example[0], list)
                and len(example[0]) == len(names) and all(isinstance(v, str) and v for v in example[0])):
            out.append(f"components.BODY.example.body_text: one list of {len(names)} example values is required")
    return out


def check_template_list(query: dict[str, str]) -> list[str]:
    """Violations of a `GET .../message_templates` query: fields named, paging by limit and cursor."""
    out = []
    fields = [f for f in query.get("fields", "").split(",") if f]
    out += [f"fields: {field!r} is not a field of a template" for field in fields if field not in LIST_FIELDS]
    if "limit" in query and not (query["limit"].isdigit() and 0 < int(query["limit"]) <= 1000):
        out.append(f"limit: {query['limit']!r} is not a number of 1 to 1000")
    unknown = set(query) - {"fields", "limit", "after", "before", "name", "status", "category", "language"}
    out += [f"{name}: not a parameter of this endpoint" for name in sorted(unknown)]
    return out


def _examples() -> Iterator[tuple[str, dict[str, Any]]]:
    content = load_spec()["paths"][TEMPLATES_PATH]["post"]["requestBody"]["content"]["application/json"]
    for name, example in content["examples"].items():
        value = _fill(example["value"])
        if value.get("name") == "<TEMPLATE_NAME>":  # a placeholder, as Postman variables are
            value["name"] = "sample_flow_template"
        yield name, value


def spec_template_examples() -> list[tuple[str, dict[str, Any]]]:
    """The spec's own examples of creating a template, Postman variables filled in."""
    return list(_examples())
