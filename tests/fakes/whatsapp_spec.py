"""Check every outgoing WhatsApp send against Meta's OpenAPI spec (v23.0): tests catch what the API refuses.

No plain JSON-Schema validator accepts the spec's discriminated `oneOf`/`allOf` messages, so discriminators
are resolved first; where Meta's own examples contradict the schema, named `TOLERANCES` follow the examples.
"""

from __future__ import annotations

import copy
import functools
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from jsonschema import Draft202012Validator, ValidationError
from jsonschema.exceptions import best_match

SPEC_PATH = Path(__file__).resolve().parents[1] / "specs" / "whatsapp-business-messaging-api_v23.0.yaml"
MESSAGES_PATH = "/{Version}/{Phone-Number-ID}/messages"

# Postman variables the spec's examples use in place of real values, filled the way a Postman environment
# would be, and one `<...>` placeholder that stands where the schema wants an enum value.
EXAMPLE_VARIABLES: dict[str, str] = {
    "{{Recipient-Phone-Number}}": "16505551234",
    "{{Recipient-WA-Phone-Number}}": "16505551234",
    "{{Flow-ID}}": "1234567890123456",
    "{{Flow-Name}}": "sample_flow",
    "<HEADER_TYPE>": "text",  # "Send Multi-Product Message": header.type, enum text|video|image|document
}

# Interactive types whose `action` the spec does not describe (no ActionObject branch, not in the enum).
ORDER_INTERACTIVE_TYPES = frozenset({"order_details", "order_status"})
# Which ActionObject `oneOf` branch belongs to which `interactive.type` (the second discriminator).
_ACTION_BRANCH = {
    "list": 0, "button": 1, "product": 2, "product_list": 2,
    "catalog_message": 3, "flow": 4, "call_permission_request": 5,
}
_TO_PATTERN = re.compile(r"^\+?\d+$")
_TEMPLATE_SUB_TYPES = {"quick_reply", "url", "catalog", "flow"}
# Limits the Cloud API enforces; several live only in the spec's prose (totals, uniqueness, text body).
TEXT_BODY_MAX = 4096
BUTTONS_MAX, BUTTON_TITLE_MAX, BUTTON_ID_MAX = 3, 20, 256
LIST_ROWS_MAX, ROW_TITLE_MAX, ROW_DESCRIPTION_MAX, ROW_ID_MAX = 10, 24, 72, 200
LIST_BUTTON_MAX, SECTION_TITLE_MAX = 20, 24
INTERACTIVE_BODY_MAX, HEADER_TEXT_MAX, FOOTER_TEXT_MAX = 1024, 60, 60
MEDIA_CAPTION_MAX = 1024  # image, video and document captions
MEDIA_PATH = "/{Version}/{Phone-Number-ID}/media"
# Image uploads (the Cloud API's media reference): JPEG or PNG, at most 5 MB, the bytes as declared.
IMAGE_UPLOAD_MAX = 5 * 1024 * 1024
IMAGE_SIGNATURES = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
DOCUMENT_UPLOAD_MAX = 100 * 1024 * 1024
DOCUMENT_TYPES = frozenset({"text/plain", "application/pdf", "application/vnd.ms-excel",
                            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"})
"""Document types the bot may upload, from Meta's "Supported media types" (not in the OpenAPI file)."""
# The live API requires the upload's `type` (its MIME type), which the spec's form schema leaves out.
UPLOAD_FIELDS_BEYOND_SPEC = frozenset({"type"})


@dataclass(frozen=True)
class Tolerance:
    """A schema error that Meta's own examples commit and the live API accepts."""

    name: str
    why: str
    matches: Callable[[ValidationError, dict[str, Any]], bool]


def _path(error: ValidationError) -> tuple[Any, ...]:
    return tuple(error.absolute_path)


def _missing(error: ValidationError, prop: str, at: tuple[Any, ...]) -> bool:
    return error.validator == "required" and error.message.startswith(f"{prop!r} ") and _path(error) == at


def _is_button_index(error: ValidationError, _body: dict[str, Any]) -> bool:
    path = _path(error)
    if len(path) != 4 or path[:2] != ("template", "components") or path[3] != "index":
        return False
    value = error.instance
    if error.validator == "type":
        return isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 9
    return error.validator == "pattern" and isinstance(value, str) and re.fullmatch(r"\d", value) is not None


TOLERANCES: tuple[Tolerance, ...] = (
    # BaseMessageProperties requires recipient_type; the API defaults it to "individual" and several
    # examples (contacts, flow template, "Send Test Message", preview URL) leave it out.
    Tolerance("recipient_type_optional", "recipient_type defaults to individual",
              lambda e, _b: _missing(e, "recipient_type", ())),
    # BaseMessageProperties requires type; the API defaults it to "text" and two examples omit it
    # ("Send Text Message with Preview URL", "Send Reply to List Message"). The type is then inferred.
    Tolerance("type_optional", "type may be omitted; inferred from the content key",
              lambda e, _b: _missing(e, "type", ())),
    # LanguageObject requires policy, but every template example except one sends only `code`.
    Tolerance("template_language_policy_optional", "template.language.policy may be omitted",
              lambda e, _b: _missing(e, "policy", ("template", "language"))),
    # LocationMessage types latitude/longitude as strings; the examples send JSON numbers.
    Tolerance("location_coordinates_numeric", "location latitude/longitude may be numbers",
              lambda e, _b: e.validator == "type" and _path(e) in {("location", "latitude"),
                                                                    ("location", "longitude")}
              and isinstance(e.instance, int | float) and not isinstance(e.instance, bool)),
    # TemplateComponent.index is a string with the broken pattern ^[2-6, 11-14]$ (rejects "0"), while its
    # description says 0-9 and examples send both "0" and 0.
    Tolerance("template_button_index", "button index 0-9 as string or integer", _is_button_index),
    # TemplateComponent.sub_type enum is quick_reply|url|catalog; examples send "CATALOG" and "flow".
    Tolerance("template_button_sub_type", "sub_type case-insensitive, flow allowed",
              lambda e, _b: e.validator == "enum" and len(_path(e)) == 4
              and _path(e)[::3] == ("template", "sub_type") and isinstance(e.instance, str)
              and e.instance.lower() in _TEMPLATE_SUB_TYPES),
    # InteractiveObject.type and ActionObject lack order_details/order_status (payments), which have
    # examples; their action is then not checked against the schema.
    Tolerance("interactive_order_types", "order_details/order_status accepted, action unchecked",
              lambda e, b: _interactive_type(b) in ORDER_INTERACTIVE_TYPES
              and (_path(e) == ("interactive", "type") and e.validator == "enum"
                   or _path(e) == ("interactive", "action") and e.validator == "oneOf")),
)


@dataclass
class Report:
    """Outcome of checking one request body."""

    violations: list[str] = field(default_factory=list)
    tolerated: set[str] = field(default_factory=set)


@functools.cache
def load_spec() -> dict[str, Any]:
    """The parsed spec (about 1 MB of YAML; parsed once per process)."""
    loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    with SPEC_PATH.open(encoding="utf-8") as fh:
        spec: dict[str, Any] = yaml.load(fh, Loader=loader)
    return spec


def _resolve(node: Any, seen: tuple[str, ...] = ()) -> Any:
    """Inline every local `$ref` (siblings of a `$ref`, like descriptions, are kept)."""
    if isinstance(node, list):
        return [_resolve(item, seen) for item in node]
    if not isinstance(node, dict):
        return node
    if "$ref" in node:
        ref = node["$ref"]
        if ref in seen:
            raise ValueError(f"recursive $ref {ref}")
        target: Any = load_spec()
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]
        siblings = {k: v for k, v in node.items() if k != "$ref"}
        return _resolve(target, (*seen, ref)) | _resolve(siblings, seen)
    return {k: _resolve(v, seen) for k, v in node.items() if k != "discriminator"}


def _merge_all_of(schema: dict[str, Any]) -> dict[str, Any]:
    """Collapse `allOf` object parts into one closed object schema."""
    merged: dict[str, Any] = {"type": "object", "properties": {}, "required": []}
    for part in schema.get("allOf", [schema]):
        merged["properties"].update(part.get("properties", {}))
        merged["required"] += [r for r in part.get("required", []) if r not in merged["required"]]
    merged["additionalProperties"] = False
    return merged


def _close(schema: dict[str, Any]) -> dict[str, Any]:
    return schema | {"additionalProperties": False}


@functools.cache
def _message_schemas() -> dict[str, dict[str, Any]]:
    """One merged, closed schema per message `type`, from the `Message` discriminator."""
    message = load_spec()["components"]["schemas"]["Message"]
    mapping: dict[str, str] = message["discriminator"]["mapping"]
    return {kind: _merge_all_of(_resolve({"$ref": ref})) for kind, ref in mapping.items()}


@functools.cache
def _validator(kind: str, interactive_type: str | None) -> Draft202012Validator:
    schema = copy.deepcopy(_message_schemas()[kind])
    if kind == "interactive":
        # Resolve the second discriminator: interactive.type picks the ActionObject branch. The
        # interactive object and its parts list all their fields, so unknown fields are refused.
        inter = _close(schema["properties"]["interactive"])
        props = inter["properties"]
        for part in ("header", "body", "footer"):
            props[part] = _close(props[part])
        branch = _ACTION_BRANCH.get(interactive_type or "")
        if branch is not None:
            props["action"] = _close({"type": "object"} | props["action"]["oneOf"][branch])
        schema["properties"]["interactive"] = inter
    if "context" in schema["properties"]:
        schema["properties"]["context"] = _close(schema["properties"]["context"])
    return Draft202012Validator(schema)


@functools.cache
def _read_validator() -> Draft202012Validator:
    """Read receipts (and typing indicators, which ride on them: see the spec's example)."""
    schema = _close(_resolve({"$ref": "#/components/schemas/MarkMessageRequestPayload"}))
    schema["properties"] = schema["properties"] | {
        "status": {"type": "string", "enum": ["read"]},
        "typing_indicator": _close({"type": "object", "required": ["type"],
                                    "properties": {"type": {"enum": ["text"]}}}),
    }
    return Draft202012Validator(schema)


def _interactive_type(body: dict[str, Any]) -> str | None:
    inter = body.get("interactive")
    return inter.get("type") if isinstance(inter, dict) else None


def _fmt(path: tuple[Any, ...] | list[Any]) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else f".{part}" if out else str(part)
    return out or "(body)"


def _error_text(error: ValidationError) -> str:
    where = _fmt(_path(error))
    if error.validator in {"maxLength", "maxItems"}:
        unit = "characters" if error.validator == "maxLength" else "items"
        return f"{where}: {len(error.instance)} {unit}, limit is {error.validator_value}"
    if error.validator == "oneOf" and not error.context:
        return f"{where}: matches more than one allowed variant, exactly one is allowed"
    if error.validator == "oneOf":
        best = best_match(error.context)
        return f"{where}: fits no allowed variant (closest: {_fmt(_path(best))}: {best.message[:120]})"
    return f"{where}: {error.message[:200]}"


def _length(value: Any, limit: int, where: str, out: dict[str, str]) -> None:
    if isinstance(value, str) and len(value) > limit:
        out[where] = f"{where}: {len(value)} characters, limit is {limit}"


def _limits(body: dict[str, Any], kind: str) -> dict[str, str]:
    """Limits the API enforces beyond (or only in the prose of) the schema, keyed by field path."""
    out: dict[str, str] = {}
    text = body.get("text")
    if kind == "text" and isinstance(text, dict):
        if not text.get("body"):
            out["text.body"] = "text.body: required and must not be empty"
        _length(text.get("body"), TEXT_BODY_MAX, "text.body", out)
    media = body.get(kind)
    if kind in ("image", "video", "document") and isinstance(media, dict):
        _length(media.get("caption"), MEDIA_CAPTION_MAX, f"{kind}.caption", out)
    inter = body.get("interactive")
    if not isinstance(inter, dict):
        return out
    parts = (("header", HEADER_TEXT_MAX), ("body", INTERACTIVE_BODY_MAX), ("footer", FOOTER_TEXT_MAX))
    for part, limit in parts:
        if isinstance(inter.get(part), dict):
            _length(inter[part].get("text"), limit, f"interactive.{part}.text", out)
    action: dict[str, Any] = inter["action"] if isinstance(inter.get("action"), dict) else {}
    if inter.get("type") == "button" and isinstance(action.get("buttons"), list):
        _button_limits(action["buttons"], out)
    if inter.get("type") == "list" and isinstance(action.get("sections"), list):
        _length(action.get("button"), LIST_BUTTON_MAX, "interactive.action.button", out)
        _list_limits(action["sections"], out)
    return out


def _button_limits(buttons: list[Any], out: dict[str, str]) -> None:
    if len(buttons) > BUTTONS_MAX:
        out["interactive.action.buttons"] = (
            f"interactive.action.buttons: {len(buttons)} reply buttons, limit is {BUTTONS_MAX}")
    ids: list[Any] = []
    titles: list[Any] = []
    for i, button in enumerate(buttons):
        reply = button.get("reply") if isinstance(button, dict) else None
        if not isinstance(reply, dict):
            continue
        where = f"interactive.action.buttons[{i}].reply"
        _length(reply.get("title"), BUTTON_TITLE_MAX, f"{where}.title", out)
        _length(reply.get("id"), BUTTON_ID_MAX, f"{where}.id", out)
        ids.append(reply.get("id"))
        titles.append(reply.get("title"))
    for name, values in (("id", ids), ("title", titles)):
        if len(set(map(str, values))) != len(values):
            out[f"interactive.action.buttons.{name}"] = (
                f"interactive.action.buttons: button {name}s must be unique")


def _list_limits(sections: list[Any], out: dict[str, str]) -> None:
    row_ids: list[str] = []
    for s, section in enumerate(sections):
        if not isinstance(section, dict):
            continue
        where = f"interactive.action.sections[{s}]"
        _length(section.get("title"), SECTION_TITLE_MAX, f"{where}.title", out)
        if len(sections) > 1 and not section.get("title"):
            out[f"{where}.title"] = f"{where}.title: required when there is more than one section"
        for r, row in enumerate(section.get("rows") or []):
            if not isinstance(row, dict):
                continue
            _length(row.get("title"), ROW_TITLE_MAX, f"{where}.rows[{r}].title", out)
            _length(row.get("description"), ROW_DESCRIPTION_MAX, f"{where}.rows[{r}].description", out)
            _length(row.get("id"), ROW_ID_MAX, f"{where}.rows[{r}].id", out)
            row_ids.append(str(row.get("id")))
    if len(row_ids) > LIST_ROWS_MAX:
        out["interactive.action.sections"] = (
            f"interactive.action.sections: {len(row_ids)} rows in total, limit is {LIST_ROWS_MAX}")
    if len(set(row_ids)) != len(row_ids):
        out["interactive.action.sections.id"] = "interactive.action.sections: row ids must be unique"


def _infer_type(body: dict[str, Any]) -> str:
    present = [kind for kind in _message_schemas() if kind in body]
    return present[0] if len(present) == 1 else "text"


def check_message(body: Any) -> Report:
    """Check one request body for `POST /{Version}/{Phone-Number-ID}/messages`."""
    report = Report()
    if not isinstance(body, dict):
        report.violations.append("(body): must be a JSON object")
        return report
    if "status" in body and "type" not in body:
        validator = _read_validator()
        covered: dict[str, str] = {}
    else:
        kind = body["type"] if "type" in body else _infer_type(body)
        if kind not in _message_schemas():
            report.violations.append(f"type: {kind!r} is not one of {sorted(_message_schemas())}")
            return report
        validator = _validator(kind, _interactive_type(body))
        covered = _limits(body, kind)
    for error in sorted(validator.iter_errors(body), key=lambda e: list(map(str, e.absolute_path))):
        rule = next((t for t in TOLERANCES if t.matches(error, body)), None)
        if rule is not None:
            report.tolerated.add(rule.name)
        elif not (error.validator in {"maxLength", "maxItems"} and _fmt(_path(error)) in covered):
            report.violations.append(_error_text(error))
    report.violations += covered.values()
    if body.get("messaging_product") != "whatsapp":
        report.violations.append("messaging_product: must be 'whatsapp'")
    if "recipient" in body:
        report.violations.append(
            "recipient: addressing by business-scoped user id is newer than the v23.0 spec; send `to` "
            "(pywa: user_identifier_priority=(UserIdentifier.WA_ID, ...))")
    to = body.get("to")
    if isinstance(to, str) and body.get("recipient_type") != "group" and not _TO_PATTERN.match(to):
        report.violations.append(f"to: {to!r} must be digits, optionally with a leading +")
    return report


@dataclass(frozen=True)
class UploadedMedia:
    """The file part of a media upload, as the fake received it."""

    filename: str
    content_type: str
    data: bytes


def check_media_upload(fields: dict[str, str], file: UploadedMedia | None) -> list[str]:
    """Check a multipart `POST /{Version}/{Phone-Number-ID}/media`: a PNG or JPEG picture, or a document of a
    supported type (what the bot uploads)."""
    schema = load_spec()["paths"][MEDIA_PATH]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    known = set(schema["properties"]) | UPLOAD_FIELDS_BEYOND_SPEC
    violations = [f"{name}: not a field of a media upload" for name in fields if name not in known]
    if fields.get("messaging_product") != "whatsapp":
        violations.append("messaging_product: must be 'whatsapp'")
    if file is None:
        return [*violations, "file: the upload has no file part"]
    declared = fields.get("type")
    if declared is None:
        violations.append("type: required, the MIME type of the file")
    elif declared != file.content_type:
        violations.append(f"type: {declared!r} differs from the file part's {file.content_type!r}")
    if file.content_type in DOCUMENT_TYPES:
        if len(file.data) > DOCUMENT_UPLOAD_MAX:
            violations.append(f"file: {len(file.data)} bytes, limit is {DOCUMENT_UPLOAD_MAX} for documents")
        if file.content_type == "text/plain" and not _is_utf8(file.data):
            violations.append(f"file: {file.filename!r} is not the text it says it is")
        return violations
    signature = IMAGE_SIGNATURES.get(file.content_type)
    if signature is None:
        accepted = ", ".join([*IMAGE_SIGNATURES, *sorted(DOCUMENT_TYPES)])
        violations.append(f"file: {file.content_type!r} is not a media type WhatsApp takes ({accepted})")
    elif not file.data.startswith(signature):
        violations.append(f"file: {file.filename!r} is not the {file.content_type} it says it is")
    if len(file.data) > IMAGE_UPLOAD_MAX:
        violations.append(f"file: {len(file.data)} bytes, limit is {IMAGE_UPLOAD_MAX} for images")
    return violations


def _is_utf8(data: bytes) -> bool:
    try:
        data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def validate_message(body: Any) -> list[str]:
    """Human-readable violations of the spec for one send; empty means valid."""
    return check_message(body).violations


def _fill(node: Any) -> Any:
    if isinstance(node, dict):
        return {k: _fill(v) for k, v in node.items()}
    if isinstance(node, list):
        return [_fill(v) for v in node]
    if isinstance(node, str):
        for variable, value in EXAMPLE_VARIABLES.items():
            node = node.replace(variable, value)
    return node


def _examples() -> Iterator[tuple[str, dict[str, Any]]]:
    content = load_spec()["paths"][MESSAGES_PATH]["post"]["requestBody"]["content"]["application/json"]
    for name, example in content["examples"].items():
        yield name, _fill(example["value"])


def spec_request_examples() -> list[tuple[str, dict[str, Any]]]:
    """The spec's own request examples for the messages endpoint, Postman variables filled in."""
    return list(_examples())


@functools.cache
def phone_number_fields() -> frozenset[str]:
    """The fields `GET /{Phone-Number-ID}` may ask for: those of the spec's phone number (`PhoneNumberInfo`) and
    of its account-number view of the same number (`WhatsAppAccountNumber`, which has `messaging_limit_tier`,
    named among that endpoint's available fields; the Graph API serves it on the phone number too)."""
    schemas = load_spec()["components"]["schemas"]
    return frozenset(schemas["PhoneNumberInfo"]["properties"]) | frozenset(
        schemas["WhatsAppAccountNumber"]["properties"])
