"""The applicants of one opening on the dashboard: reading them (the office's viewers too), and staff moving
several at once from a form that may have been open for a while.

The moves themselves are `services.selection.move_applications`', exactly as the chat makes them. What the web
adds is the guard of a form: it carries a `fingerprint` of the applications as they were when the form was
shown, and if any has changed since (another worker moved one, or the same form was sent twice) nothing is
changed and the page says so; a form sent twice therefore applies once.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from models.applicant_table import (
    ApplicantFilters,
    ApplicantOrder,
    ApplicantRow,
    applicant_page,
    applicants_picked,
)
from models.applications import ApplicationStatus, Opening, OpeningRef, get_opening, lock_opening, opening_title
from models.paging import Page
from models.regions import Office
from models.selection_rules import MOVES, Mover
from services.notices import Notices
from services.permissions import Actor, require_staff, require_viewer
from services.selection import Moved, Outcome, StaffMoves, move_applications, staff_moves

MOST_PICKED = 100
"""The most applications one form may move at once (a table page holds fewer)."""
STAFF_TARGETS = tuple(status for status in ApplicationStatus
                      if any(move.target is status and move.by is Mover.STAFF for move in MOVES))
"""The statuses staff ever set, in the statuses' order."""


@dataclass(frozen=True, slots=True)
class OpeningApplicants:
    ref: OpeningRef
    opening: Opening
    title: str
    page: Page[ApplicantRow]
    """`ApplicantRow`s."""


async def opening_applicants(session: AsyncSession, actor: Actor, ref: OpeningRef, filters: ApplicantFilters, *,
                             order: ApplicantOrder, page: int) -> OpeningApplicants | None:
    """One page of the opening's applicants with their profiles; None when there is no such opening."""
    require_viewer(actor)
    opening = await get_opening(session, ref)
    if opening is None:
        return None
    found = await applicant_page(session, ref, filters, order=order, page=page)
    return OpeningApplicants(ref, opening, opening_title(opening), found)


@dataclass(frozen=True, slots=True)
class Blocked:
    """A status staff may set in general, but not on all the picked applications: those in `current` block it."""

    status: ApplicationStatus
    current: tuple[tuple[str, int], ...]
    """The picked applications' statuses from which the move does not exist, with how many are in each."""


@dataclass(frozen=True, slots=True)
class Picked:
    """The applications a staff member ticked, and what they may do with all of them today."""

    rows: Sequence[ApplicantRow]
    moves: StaffMoves
    blocked: tuple[Blocked, ...]
    fingerprint: str


def fingerprint(rows: Sequence[ApplicantRow]) -> str:
    """The applications as they are now (which, in which status, changed when): a form that carries it changes
    them only if none has changed since."""
    state = "|".join(f"{row.application.id}:{row.application.status}:{row.application.updated_at.isoformat()}"
                     for row in sorted(rows, key=lambda row: row.application.id))
    return hashlib.sha256(state.encode()).hexdigest()[:32]


def _blocked(rows: Sequence[ApplicantRow], moves: StaffMoves) -> tuple[Blocked, ...]:
    offered = {*moves.now, *(status for status, _day in moves.later)}
    blocked = []
    for status in STAFF_TARGETS:
        if status in offered:
            continue
        sources = {move.source for move in MOVES if move.target is status and move.by is Mover.STAFF}
        counts = Counter(row.application.status for row in rows if row.application.status not in sources)
        blocked.append(Blocked(status, tuple(sorted(counts.items(), key=lambda item: list(ApplicationStatus)
                                                    .index(ApplicationStatus(item[0]))))))
    return tuple(blocked)


async def picked_applicants(session: AsyncSession, actor: Actor, ref: OpeningRef, ids: Sequence[int],
                            today: date) -> Picked | None:
    """The ticked applications of the opening (ids of others are left out) and the moves open to all of them;
    None when there is no such opening."""
    require_staff(actor)
    opening = await get_opening(session, ref)
    if opening is None:
        return None
    rows = await applicants_picked(session, ref, ids[:MOST_PICKED])
    moves = staff_moves([row.application for row in rows], opening, today)
    return Picked(rows, moves, _blocked(rows, moves), fingerprint(rows))


async def move_picked(
    session: AsyncSession, actor: Actor, ref: OpeningRef, ids: Sequence[int], wanted: ApplicationStatus, *,
    remark: str, expected: str, now: datetime, office: Office, notices: Notices,
) -> Moved:
    """Move the ticked applications as `move_applications` does, only if they are still as the form showed them
    (`expected` is their `fingerprint` then). ALREADY when they all have `wanted` already (the form sent twice),
    CHANGED when anything else changed: in both cases nothing is changed."""
    require_staff(actor)
    await lock_opening(session, ref)
    rows = await applicants_picked(session, ref, ids[:MOST_PICKED])
    if not rows:
        return Moved(Outcome.GONE)
    if fingerprint(rows) != expected:
        if all(row.application.status == wanted for row in rows):
            return Moved(Outcome.ALREADY, count=len(rows))
        return Moved(Outcome.CHANGED)
    return await move_applications(session, actor, ref, [row.application.id for row in rows], wanted, now=now,
                                   office=office, notices=notices, remark=remark)
