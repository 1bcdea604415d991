"""The audit trail of staff actions: who did what to which thing, and when, whatever entry point they used.

Staff actions are audited under the personal data protection law and because offices are asked to show how
selection went. One generic table serves every kind of action (a status move, an undo, and later the web
dashboard's own): `action` names it, `subject_kind` and `subject_id` name what it acted on, `detail` holds the
rest. A row is written by the service, in the same transaction as the change it records.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, Select, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonDocument
from models.paging import Page, table_page
from models.users import User

FORM_MEMORY = timedelta(days=1)
"""How long a sent form's one-time id is remembered: a form sent again within it is not applied again."""


class AuditEntry(Base):
    __tablename__ = "audit_entries"
    __table_args__ = (
        Index("ix_audit_entries_subject", "subject_kind", "subject_id"),
        Index("ix_audit_entries_at", "at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """The staff user who acted; None for the office's command line (and for a staff account since deleted)."""
    action: Mapped[str] = mapped_column(String(64))
    """What was done, as `area.verb`: "selection.move", "selection.undo_rejection"."""
    subject_kind: Mapped[str] = mapped_column(String(32))
    """The kind of thing acted on: "application", "training", "broadcast", ..."""
    subject_id: Mapped[int]
    detail: Mapped[dict[str, Any]] = mapped_column(JsonDocument)


def audit(
    session: AsyncSession, *, at: datetime, actor_id: int | None, action: str, subject_kind: str, subject_id: int,
    detail: dict[str, Any] | None = None,
) -> AuditEntry:
    """Add one audit row to the caller's transaction (it is written with the change it records, or not at all)."""
    entry = AuditEntry(at=at, actor_id=actor_id, action=action, subject_kind=subject_kind, subject_id=subject_id,
                       detail=detail or {})
    session.add(entry)
    return entry


async def audit_trail(session: AsyncSession, subject_kind: str, subject_id: int) -> list[AuditEntry]:
    """Everything staff did to one thing, the oldest first."""
    query = (select(AuditEntry).where(AuditEntry.subject_kind == subject_kind, AuditEntry.subject_id == subject_id)
             .order_by(AuditEntry.at, AuditEntry.id))
    return list(await session.scalars(query))


async def audited_with_form(session: AsyncSession, actions: tuple[str, ...], form: str,
                            since: datetime) -> list[AuditEntry]:
    """The changes made since `since` from the web form with one-time id `form` (kept in `detail`): a form sent
    twice (a double click, a reload) is applied once."""
    query = (select(AuditEntry).where(AuditEntry.at >= since, AuditEntry.action.in_(actions),
                                      AuditEntry.detail["form"].as_string() == form)
             .order_by(AuditEntry.id))
    return list(await session.scalars(query))


COMMAND_LINE = 0
"""The actor filter's value for changes made from the office's command line (no user)."""
AUDIT_PAGE_SIZE = 50
NEWEST_FIRST = (AuditEntry.at.desc(), AuditEntry.id.desc())


@dataclass(frozen=True, slots=True)
class AuditFilters:
    """What an admin narrows the trail to; None for any. `since` is inclusive, `until` exclusive."""

    action: str | None = None
    actor_id: int | None = None
    """A user's id, or `COMMAND_LINE`."""
    subject_kind: str | None = None
    subject_id: int | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True, slots=True)
class AuditRow:
    entry: AuditEntry
    actor: User | None
    """The acting user when there was one and they still exist."""


def _trail(filters: AuditFilters) -> Select[AuditEntry, User]:
    query = select(AuditEntry, User).outerjoin(User, User.id == AuditEntry.actor_id)
    if filters.action is not None:
        query = query.where(AuditEntry.action == filters.action)
    if filters.actor_id == COMMAND_LINE:
        query = query.where(AuditEntry.actor_id.is_(None))
    elif filters.actor_id is not None:
        query = query.where(AuditEntry.actor_id == filters.actor_id)
    if filters.subject_kind is not None:
        query = query.where(AuditEntry.subject_kind == filters.subject_kind)
    if filters.subject_id is not None:
        query = query.where(AuditEntry.subject_id == filters.subject_id)
    if filters.since is not None:
        query = query.where(AuditEntry.at >= filters.since)
    if filters.until is not None:
        query = query.where(AuditEntry.at < filters.until)
    return query


async def audit_page(session: AsyncSession, filters: AuditFilters, *, page: int,
                     size: int = AUDIT_PAGE_SIZE) -> Page[AuditRow]:
    """One page of the matching entries, the newest first (a page past the end gives the last)."""
    found = await table_page(session, _trail(filters), NEWEST_FIRST, page=page, size=size)
    return Page([AuditRow(entry, user) for entry, user in found.items], found.number, found.total, found.size)


async def audit_rows(session: AsyncSession, filters: AuditFilters, *, limit: int) -> Sequence[AuditRow]:
    """At most `limit` matching entries, the newest first (a download)."""
    query = _trail(filters).order_by(*NEWEST_FIRST).limit(limit)
    return [AuditRow(entry, user) for entry, user in await session.execute(query)]
