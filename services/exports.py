"""Applicant lists leaving the bot as spreadsheets: personal data, so staff only."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from models.applicant_export import HEADER, applicant_rows
from models.applications import OpeningRef
from models.regions import Office
from services.permissions import Actor, require_staff


async def applicant_table(
    session: AsyncSession, actor: Actor, opening: OpeningRef, office: Office
) -> tuple[Sequence[str], list[list[object]]]:
    """The header and one row per applicant of `opening`, for `documents.spreadsheets.write_table`."""
    require_staff(actor)
    return HEADER, await applicant_rows(session, opening, office)
