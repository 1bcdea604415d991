"""Applicant lists leaving the bot as spreadsheets: personal data, so staff only, and each export audited."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.applicant_export import HEADER, applicant_rows
from models.applications import OpeningRef
from models.audit import audit
from models.regions import Office
from services.permissions import Actor, require_staff

EXPORT = "exports.applicants"


async def applicant_table(
    session: AsyncSession, actor: Actor, opening: OpeningRef, office: Office, *, now: datetime
) -> tuple[Sequence[str], list[list[object]]]:
    """The header and one row per applicant of `opening`, for `documents.spreadsheets.write_table`."""
    require_staff(actor)
    rows = await applicant_rows(session, opening, office)
    audit(session, at=now, actor_id=actor.user_id, action=EXPORT, subject_kind=opening.kind.value,
          subject_id=opening.id, detail={"origin": actor.origin, "rows": len(rows)})
    return HEADER, rows
