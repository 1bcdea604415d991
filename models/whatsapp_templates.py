"""What WhatsApp says of each message template: approved, pending, rejected (and why), paused or disabled.

One row per template name and language, written when staff sync or submit (`services.whatsapp_templates`) and
whenever Meta's `message_template_status_update` webhook reports a change. The channel sends only a template whose
row says it may be used; a person beyond the 24-hour window with none for the message's purpose is reported to
staff as undeliverable (the outbox row's reason starts with `UNDELIVERABLE`), never dropped without a word.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Protocol

from sqlalchemy import String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base
from models.db import dialect_name, insert_ignoring_duplicates
from models.outbox import OutboxMessage, OutboxStatus
from models.template_definitions import template_definitions

STATUS_MAX, REASON_MAX, META_ID_MAX, NAME_MAX, LANGUAGE_MAX = 32, 255, 64, 512, 16
UNDELIVERABLE = "undeliverable: no approved WhatsApp template"
"""How the channel's reason for a message it could not send without a template begins
(`bot.channels.whatsapp.channel.NO_TEMPLATE`; a test keeps the two equal)."""


class TemplateStatus(StrEnum):
    """Meta's review states, lowercased; states Meta adds later are kept as it words them."""

    APPROVED = "approved"
    PENDING = "pending"
    REJECTED = "rejected"
    PAUSED = "paused"
    DISABLED = "disabled"
    FLAGGED = "flagged"
    """Approved, with a falling quality rating: still sent, but disabled if it does not recover."""
    DELETED = "deleted"
    MISSING = "missing"
    """Not on the business account at all (never stored: what a purpose without a row shows)."""


USABLE = frozenset({TemplateStatus.APPROVED, TemplateStatus.FLAGGED})
_SAME_AS = {"reinstated": TemplateStatus.APPROVED, "unpaused": TemplateStatus.APPROVED}


def status_from_meta(raw: str) -> str:
    """Meta's word for a state (`APPROVED`, `REINSTATED`...) as stored: lowercase letters and underscores only."""
    word = re.sub(r"[^a-z_]", "", raw.lower())[:STATUS_MAX] or "unknown"
    return _SAME_AS.get(word, word)


def reason_from_meta(raw: str | None) -> str | None:
    """A rejection or pause reason, without Meta's placeholder for none."""
    if raw is None or raw.strip().upper() in ("", "NONE"):
        return None
    return raw.strip()[:REASON_MAX]


class WhatsAppTemplate(Base):
    __tablename__ = "whatsapp_templates"
    __table_args__ = (UniqueConstraint("name", "language"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(NAME_MAX))
    language: Mapped[str] = mapped_column(String(LANGUAGE_MAX))
    """WhatsApp's language code ("id", "en", "en_US")."""
    purpose: Mapped[str | None] = mapped_column(String(32))
    """Which of our purposes it serves; None for the account's other templates."""
    status: Mapped[str] = mapped_column(String(STATUS_MAX))
    reason: Mapped[str | None] = mapped_column(String(REASON_MAX))
    meta_id: Mapped[str | None] = mapped_column(String(META_ID_MAX))
    updated_at: Mapped[datetime]


class TemplateState(Protocol):
    """A template as WhatsApp reported it (`bot.channels.base.TemplateReport`, which this layer may not import)."""

    @property
    def name(self) -> str: ...
    @property
    def language(self) -> str: ...
    @property
    def status(self) -> str: ...
    @property
    def reason(self) -> str | None: ...
    @property
    def meta_id(self) -> str | None: ...


def purpose_of(name: str) -> str | None:
    return next((definition.purpose for definition in template_definitions() if definition.name == name), None)


async def record_template(session: AsyncSession, state: TemplateState, now: datetime) -> WhatsAppTemplate:
    """Store what WhatsApp said of one template (a new row, or the row of that name and language updated).
    Two workers may hear of a new template at once (each one's start-up sync, or a sync and a status webhook):
    the row is made by `INSERT ... ON CONFLICT DO NOTHING`, then read, so the second finds the first's instead
    of failing on it."""
    name, language = state.name[:NAME_MAX], state.language[:LANGUAGE_MAX]
    same = select(WhatsAppTemplate).where(WhatsAppTemplate.name == name, WhatsAppTemplate.language == language)
    row = await session.scalar(same)
    if row is None:
        await session.execute(insert_ignoring_duplicates(dialect_name(session), WhatsAppTemplate).values(
            name=name, language=language, purpose=purpose_of(name), status=status_from_meta(state.status),
            updated_at=now))
        row = await session.scalar(same.execution_options(populate_existing=True))
        assert row is not None, "the row was just inserted or found there"
    status = status_from_meta(state.status)
    kept = row.reason if row.status == status else None  # a list has no pause reason; the webhook said it
    row.status, row.reason = status, reason_from_meta(state.reason) or kept
    row.meta_id = (state.meta_id or row.meta_id or "")[:META_ID_MAX] or None
    row.updated_at = now
    await session.flush()
    return row


async def forget_the_rest(session: AsyncSession, present: set[tuple[str, str]], now: datetime) -> int:
    """Rows of templates no longer on the account (deleted in WhatsApp Manager) become "deleted", so the channel
    stops naming them; how many."""
    gone = [row for row in await stored_templates(session)
            if (row.name, row.language) not in present and row.status != TemplateStatus.DELETED]
    for row in gone:
        row.status, row.reason, row.updated_at = TemplateStatus.DELETED, None, now
    return len(gone)


async def stored_templates(session: AsyncSession) -> Sequence[WhatsAppTemplate]:
    return (await session.scalars(select(WhatsAppTemplate).order_by(WhatsAppTemplate.name,
                                                                    WhatsAppTemplate.language))).all()


async def usable_templates(session: AsyncSession) -> dict[str, dict[str, str]]:
    """purpose -> WhatsApp language code -> the name of a template WhatsApp lets us send."""
    rows = await session.execute(select(WhatsAppTemplate.purpose, WhatsAppTemplate.language, WhatsAppTemplate.name)
                                 .where(WhatsAppTemplate.purpose.is_not(None),
                                        WhatsAppTemplate.status.in_([str(status) for status in USABLE])))
    usable: dict[str, dict[str, str]] = {}
    for purpose, language, name in rows.all():
        usable.setdefault(str(purpose), {})[language] = name
    return usable


async def undeliverable_counts(session: AsyncSession, since: datetime) -> dict[str, int]:
    """How many messages since `since` failed for want of an approved template, by the reason's words."""
    count = func.count(OutboxMessage.id)
    rows = await session.execute(
        select(OutboxMessage.last_error, count)
        .where(OutboxMessage.status == OutboxStatus.FAILED, OutboxMessage.created_at >= since,
               OutboxMessage.last_error.startswith(UNDELIVERABLE, autoescape=True))
        .group_by(OutboxMessage.last_error))
    return {str(reason): int(n) for reason, n in rows.all()}
