"""The office's WhatsApp templates as a staff action: read their review states from the business account (sync),
submit the ones the bot needs that the account lacks (submit), and show which purpose and language still has no
approved template. Called alike by the command line and the dashboard; admins only, audited.

The business account is reached through a `TemplateAccount` the caller gives (the Graph client of
`bot.channels.whatsapp.templates_api`, or a test's), so the rule of what is missing lives here once.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncSession

from models.audit import audit
from models.template_definitions import template_definitions
from models.whatsapp_templates import (
    USABLE,
    TemplateState,
    TemplateStatus,
    WhatsAppTemplate,
    forget_the_rest,
    record_template,
    status_from_meta,
    stored_templates,
)
from services.permissions import Actor, require_admin

SYNC, SUBMIT = "whatsapp_templates.sync", "whatsapp_templates.submit"
SUBJECT = "whatsapp_template"
NOTIFICATION = "notification"
Overrides = Mapping[str, Mapping[str, str]]
"""WHATSAPP_TEMPLATES: purpose -> language -> the name of a template staff made by hand."""


class TemplateAccount(Protocol):
    """A WhatsApp Business Account's `message_templates`."""

    async def list_templates(self) -> Sequence[ListedTemplate]:
        """Every template on the account, each language apart."""
        ...

    async def submit(self, request: dict[str, Any]) -> TemplateState:
        """Submit one template (`TemplateDefinition.request()`) for review: its state, "rejected" with the reason
        when the account refuses it outright."""
        ...

    async def edit(self, meta_id: str, request: dict[str, Any]) -> TemplateState:
        """Submit a rejected template again with the definition's category and body."""
        ...


class ListedTemplate(TemplateState, Protocol):
    """A template as the account lists it: with its body and category, to tell whether a definition changed."""

    @property
    def body(self) -> str | None: ...
    @property
    def category(self) -> str | None: ...


@dataclass(frozen=True, slots=True)
class PurposeTemplate:
    """One purpose in one language: the template that serves it and what WhatsApp says of it."""

    purpose: str
    language: str
    name: str
    status: str
    reason: str | None = None
    updated_at: datetime | None = None
    overridden: bool = False
    """Named in WHATSAPP_TEMPLATES rather than taken from the bot's definitions."""

    @property
    def usable(self) -> bool:
        return self.status in USABLE or (self.overridden and self.status == TemplateStatus.MISSING)


@dataclass(slots=True)
class Submitted:
    submitted: list[TemplateState] = field(default_factory=list)
    refused: list[TemplateState] = field(default_factory=list)
    already: int = 0
    """Templates the account had already (in any state), unchanged: not submitted again."""
    resubmitted: list[TemplateState] = field(default_factory=list)
    """Rejected templates whose definition has changed since, submitted again."""


def _table(rows: Sequence[WhatsAppTemplate], overrides: Overrides) -> list[PurposeTemplate]:
    by_key = {(row.name, row.language): row for row in rows}
    table = []
    for definition in template_definitions():
        given = overrides.get(definition.purpose, {}).get(definition.language)
        name = given or definition.name
        row = by_key.get((name, definition.language))
        table.append(PurposeTemplate(definition.purpose, definition.language, name,
                                     row.status if row is not None else TemplateStatus.MISSING,
                                     row.reason if row is not None else None,
                                     row.updated_at if row is not None else None, overridden=given is not None))
    return table


async def template_table(session: AsyncSession, actor: Actor, overrides: Overrides) -> list[PurposeTemplate]:
    """Every purpose in every language, in the definitions' order, with its template's state."""
    require_admin(actor)
    return _table(await stored_templates(session), overrides)


async def missing_approvals(session: AsyncSession, overrides: Overrides) -> list[PurposeTemplate]:
    """The purposes and languages without a template WhatsApp lets us send (a warning, not an action: anyone who
    reads the overview or starts the bot is told)."""
    return [row for row in _table(await stored_templates(session), overrides) if not row.usable]


def undeliverable(missing: Sequence[PurposeTemplate], default_locale: str) -> list[PurposeTemplate]:
    """Of the missing ones, those no general notification template stands in for (in the reader's language, else
    in the office's default one, as the channel chooses): a message of that purpose to a person whose window has
    closed cannot be delivered at all."""
    uncovered = {row.language for row in missing if row.purpose == NOTIFICATION}
    if default_locale not in uncovered:
        uncovered = set()
    return [row for row in missing if row.language in uncovered]


async def sync_templates(session: AsyncSession, actor: Actor, account: TemplateAccount, now: datetime) -> int:
    """Store the state of every template on the account (those no longer there: "deleted"); how many there were."""
    require_admin(actor)
    states = await account.list_templates()
    for state in states:
        await record_template(session, state, now)
    await forget_the_rest(session, {(state.name, state.language) for state in states}, now)
    audit(session, at=now, actor_id=actor.user_id, action=SYNC, subject_kind=SUBJECT, subject_id=0,
          detail={"origin": actor.origin, "templates": len(states)})
    return len(states)


async def submit_missing(session: AsyncSession, actor: Actor, account: TemplateAccount, now: datetime) -> Submitted:
    """Sync, then submit each definition the account lacks (by name and language) for review, and again each one
    WhatsApp rejected whose body or category has been changed since."""
    require_admin(actor)
    states = await account.list_templates()
    on_account = {(state.name, state.language): state for state in states}
    result = Submitted()
    for state in states:
        await record_template(session, state, now)
    for definition in template_definitions():
        there = on_account.get((definition.name, definition.language))
        if there is not None and not (_changed_since_rejected(there, definition.body, definition.category)):
            result.already += 1
            continue
        if there is not None and there.meta_id:
            answer = await account.edit(there.meta_id, definition.request())
            done = result.resubmitted
        else:
            answer = await account.submit(definition.request())
            done = result.submitted
        (result.refused if status_from_meta(answer.status) == TemplateStatus.REJECTED else done).append(answer)
        await record_template(session, answer, now)
    audit(session, at=now, actor_id=actor.user_id, action=SUBMIT, subject_kind=SUBJECT, subject_id=0,
          detail={"origin": actor.origin, "submitted": [f"{s.name}/{s.language}" for s in result.submitted],
                  "resubmitted": [f"{s.name}/{s.language}" for s in result.resubmitted],
                  "refused": [f"{s.name}/{s.language}" for s in result.refused]})
    return result


def _changed_since_rejected(there: ListedTemplate, body: str, category: str) -> bool:
    if status_from_meta(there.status) != TemplateStatus.REJECTED:
        return False
    return (there.body is not None and there.body != body) or (there.category is not None
                                                                and there.category != category)


__all__ = ["PurposeTemplate", "Submitted", "TemplateAccount",
           "missing_approvals", "submit_missing", "sync_templates", "template_table", "undeliverable"]
