"""The WhatsApp message templates the bot needs, as data (`models/data/whatsapp_templates.toml`): one per purpose
and language, with its category, body and an example for Meta's reviewers.

A person whose 24-hour window has closed can only be reached by an approved template, so the office submits these
for review before it relies on WhatsApp. Each body has one variable, `{{1}}`, that carries the message itself; the
file is checked when read, so a bad edit stops the command that reads it with one line naming the template.
"""

from __future__ import annotations

import functools
import re
import tomllib
from dataclasses import dataclass
from importlib import resources
from typing import Any

PURPOSES = ("notification", "status_change", "check_in", "reminder", "broadcast", "opening_alert", "ticket_reply")
"""Why the bot writes first (`bot.engine.messages.Purpose`, which this layer may not import; a test keeps them
equal)."""
LANGUAGES = ("id", "en")
CATEGORIES = frozenset({"UTILITY", "MARKETING"})
NAME_PATTERN = re.compile(r"^[a-z0-9_]{1,512}$")
BODY_MAX = 1024
VARIABLE = "{{1}}"
DEFINITIONS_FILE = "whatsapp_templates.toml"


class DefinitionError(ValueError):
    """The definitions file breaks one of Meta's rules or leaves a purpose or language out."""


@dataclass(frozen=True, slots=True)
class TemplateDefinition:
    purpose: str
    name: str
    category: str
    language: str
    """Our locale, which is also WhatsApp's language code for it ("id", "en")."""
    body: str
    example: str

    def request(self) -> dict[str, Any]:
        """The body of `POST /{WABA-ID}/message_templates` that submits it for review."""
        return {
            "name": self.name,
            "language": self.language,
            "category": self.category,
            "components": [{"type": "BODY", "text": self.body, "example": {"body_text": [[self.example]]}}],
        }


def parse_definitions(text: str) -> tuple[TemplateDefinition, ...]:
    """Every template in a definitions file, checked: a known purpose each, both languages each."""
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as error:
        raise DefinitionError(f"{DEFINITIONS_FILE}: {error}") from error
    found: list[TemplateDefinition] = []
    for purpose, entry in data.items():
        if purpose not in PURPOSES:
            raise DefinitionError(f"[{purpose}]: not a purpose; the purposes are {', '.join(PURPOSES)}")
        if not isinstance(entry, dict):
            raise DefinitionError(f"[{purpose}]: expected a table")
        found += [_definition(purpose, entry, language) for language in LANGUAGES]
    missing = [purpose for purpose in PURPOSES if purpose not in data]
    if missing:
        raise DefinitionError(f"no template for {', '.join(missing)}")
    return tuple(found)


def _definition(purpose: str, entry: dict[str, Any], language: str) -> TemplateDefinition:
    where = f"[{purpose}] {language}"
    name, category, words = entry.get("name"), entry.get("category"), entry.get(language)
    if not isinstance(name, str) or not NAME_PATTERN.match(name):
        raise DefinitionError(f"{where}: name must be lowercase letters, digits and underscores")
    if category not in CATEGORIES:
        raise DefinitionError(f"{where}: category must be one of {', '.join(sorted(CATEGORIES))}")
    if not isinstance(words, dict) or not isinstance(words.get("body"), str) or not isinstance(
            words.get("example"), str):
        raise DefinitionError(f"{where}: needs {language}.body and {language}.example")
    body, example = words["body"].strip(), words["example"].strip()
    if re.findall(r"\{\{\s*(\w+)\s*\}\}", body) != ["1"]:
        raise DefinitionError(f"{where}: the body must have exactly one variable, {VARIABLE}")
    if body.startswith(VARIABLE) or body.endswith(VARIABLE) or len(body) > BODY_MAX:
        raise DefinitionError(f"{where}: the variable may not start or end the body, of at most {BODY_MAX} "
                              "characters")
    if not example or "\n" in example:
        raise DefinitionError(f"{where}: the example must be one line")
    return TemplateDefinition(purpose, name, str(category), language, body, example)


@functools.cache
def template_definitions() -> tuple[TemplateDefinition, ...]:
    """The definitions shipped with the bot (package data, read once)."""
    source = resources.files("models") / "data" / DEFINITIONS_FILE
    return parse_definitions(source.read_text(encoding="utf-8"))
