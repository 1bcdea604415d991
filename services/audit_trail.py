"""The audit trail as admins read it on the dashboard: filtered, paged newest first, and downloaded as CSV.

Only admins read it: it names who saw whose data. A download is itself written to the trail, since the file
carries those names out of the system.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from documents.audit_csv import audit_csv
from models.audit import AuditFilters, AuditRow, audit, audit_page, audit_rows
from models.paging import Page
from models.users import User, get_user, office_people
from services.permissions import Actor, require_admin

EXPORT = "audit.export"
EXPORT_LIMIT = 50_000
"""The most entries one file holds; a larger trail is narrowed by date first."""


class TooManyToExport(Exception):
    def __init__(self, total: int) -> None:
        super().__init__(f"{total} audit entries match; at most {EXPORT_LIMIT} go in one file")
        self.total = total


async def browse_audit(session: AsyncSession, actor: Actor, filters: AuditFilters, *, page: int) -> Page[AuditRow]:
    require_admin(actor)
    return await audit_page(session, filters, page=page)


async def audit_actors(session: AsyncSession, actor: Actor, also: int | None = None) -> list[User]:
    """Whom the trail can be narrowed to: the office's people, and user `also` (someone since removed, reached
    from a row of the trail)."""
    require_admin(actor)
    people = await office_people(session)
    if also and all(user.id != also for user in people) and (former := await get_user(session, also)) is not None:
        people.append(former)
    return people


async def audit_file(session: AsyncSession, actor: Actor, filters: AuditFilters, *, timezone: str,
                     now: datetime) -> str:
    """The matching entries as CSV text, newest first; raises `TooManyToExport` over `EXPORT_LIMIT`."""
    require_admin(actor)
    rows = await audit_rows(session, filters, limit=EXPORT_LIMIT + 1)
    if len(rows) > EXPORT_LIMIT:
        raise TooManyToExport(len(rows))
    audit(session, at=now, actor_id=actor.user_id, action=EXPORT, subject_kind="audit", subject_id=0,
          detail={"origin": actor.origin, "rows": len(rows),
                  "filters": {name: str(getattr(filters, name)) for name in filters.__slots__
                              if getattr(filters, name) is not None}})
    return audit_csv(rows, timezone)
