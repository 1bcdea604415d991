"""The audit trail of staff actions: who did what to which thing, and when, whatever entry point they used.

Staff actions are audited under the personal data protection law and because offices are asked to show how
selection went. One generic table serves every kind of action (a status move, an undo, and later the web
dashboard's own): `action` names it, `subject_kind` and `subject_id` name what it acted on, `detail` holds the
rest. A row is written by the service, in the same transaction as the change it records.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ForeignKey, Index, String, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.base import Base, JsonDocument

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
