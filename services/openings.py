"""Publishing, closing and importing openings: what staff do to the catalogue itself.

Matching job seekers hear of a newly published opening from the opening-alerts job, not from here, so an
import of a hundred openings sends each person one message at most.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import Opening, OpeningRef, get_opening
from models.catalog import OpeningStatus, set_opening_status
from services.opening_import import OpeningRow, save_openings
from services.permissions import Actor, require_staff


async def set_accepting_applications(
    session: AsyncSession, actor: Actor, ref: OpeningRef, accepting: bool, *, now: datetime
) -> Opening | None:
    """Open the opening for applications (publishing it when it was a draft) or close them; None when it is gone."""
    require_staff(actor)
    opening = await get_opening(session, ref)
    if opening is not None:
        set_opening_status(opening, OpeningStatus.OPEN if accepting else OpeningStatus.CLOSED, now)
    return opening


async def import_openings(session: AsyncSession, actor: Actor, openings: Sequence[OpeningRow], *, now: datetime) -> int:
    """Save openings whose rows `services.opening_import.check_rows` found right, all in the caller's commit."""
    require_staff(actor)
    return await save_openings(session, openings, now)
