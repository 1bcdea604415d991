"""Selection as a state machine: the moves an application may make, who may make each, and from which day.

The states are `ApplicationStatus`; every move between them is one row of `MOVES`, and nothing else moves an
application (`change_status` checks the table). The applicant's own act is withdrawing, and only before they
take part; every other move is staff's. Staff never set WITHDRAWN: when the office ends someone's
application, rejecting is its word for it. Two moves wait for a training's dates, counted in the office's
calendar: taking part (ENROLLED) from the training's `start_date`, completing from its `end_date`;
apprenticeships have no dates, so none of their moves waits. A rejection is final, except that staff may
undo a mistaken one within `UNDO_WINDOW`, with a remark, back to the status it had before (`revert_rejection`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from models.applications import (
    Application,
    ApplicationStatus,
    ApplicationStatusChange,
    Completion,
    Opening,
    status_history,
)
from models.catalog import TrainingProgram
from models.report_facts import FactScope, refresh_report_facts


class Mover(StrEnum):
    """Who makes a move: the applicant themselves, or the office's staff (in chat, on the web, by command)."""

    APPLICANT = "applicant"
    STAFF = "staff"


def any_day(_opening: Opening) -> date | None:
    return None


def training_start(opening: Opening) -> date | None:
    return opening.start_date if isinstance(opening, TrainingProgram) else None


def training_end(opening: Opening) -> date | None:
    return opening.end_date if isinstance(opening, TrainingProgram) else None


@dataclass(frozen=True, slots=True)
class Move:
    source: ApplicationStatus
    target: ApplicationStatus
    by: Mover
    first_day: Callable[[Opening], date | None] = any_day
    """The first day (at the office) the move may be made for this opening; None when any day will do."""


_S = ApplicationStatus
MOVES: tuple[Move, ...] = (
    Move(_S.SUBMITTED, _S.SHORTLISTED, Mover.STAFF),
    Move(_S.SUBMITTED, _S.ACCEPTED, Mover.STAFF),
    Move(_S.SUBMITTED, _S.REJECTED, Mover.STAFF),
    Move(_S.SUBMITTED, _S.WITHDRAWN, Mover.APPLICANT),
    Move(_S.SHORTLISTED, _S.ACCEPTED, Mover.STAFF),
    Move(_S.SHORTLISTED, _S.REJECTED, Mover.STAFF),
    Move(_S.SHORTLISTED, _S.WITHDRAWN, Mover.APPLICANT),
    Move(_S.ACCEPTED, _S.REJECTED, Mover.STAFF),
    Move(_S.ACCEPTED, _S.ENROLLED, Mover.STAFF, first_day=training_start),
    Move(_S.ACCEPTED, _S.WITHDRAWN, Mover.APPLICANT),
    Move(_S.ENROLLED, _S.COMPLETED, Mover.STAFF, first_day=training_end),
    Move(_S.ENROLLED, _S.DROPPED_OUT, Mover.STAFF),
)
"""Every move but the undo of a rejection, which goes back to whichever status came before it."""

UNDO_WINDOW = timedelta(hours=24)
"""How long after a rejection staff may still undo it; after that the rejection is final."""
REMARK_LIMIT = 300
"""The longest remark an undo takes, in characters (it is kept in the history and the audit)."""


def find_move(current: str, wanted: ApplicationStatus, by: Mover) -> Move | None:
    return next((m for m in MOVES if m.source == current and m.target is wanted and m.by is by), None)


def moves_from(current: str, by: Mover) -> list[Move]:
    """The moves `by` may make from `current`, in the order of the statuses (what a screen lists)."""
    return sorted((m for m in MOVES if m.source == current and m.by is by), key=lambda m: list(_S).index(m.target))


class Refusal(StrEnum):
    NOT_ALLOWED = "not_allowed"
    """The mover never makes this move, from any status (staff withdrawing someone)."""
    CHANGED = "changed"
    """Not a move from the application's current status (it changed meanwhile, or it is final)."""
    TOO_EARLY = "too_early"
    """A move that waits for the training's dates, asked before its day."""


@dataclass(frozen=True, slots=True)
class Refused:
    reason: Refusal
    possible_from: date | None = None
    """For TOO_EARLY: the first day the move may be made."""


def check_move(current: str, wanted: ApplicationStatus, by: Mover, opening: Opening, today: date) -> Refused | None:
    """Why `by` may not move an application in `current` of `opening` to `wanted` today; None when they may."""
    move = find_move(current, wanted, by)
    if move is None:
        never = all(m.target is not wanted or m.by is not by for m in MOVES)
        return Refused(Refusal.NOT_ALLOWED if never else Refusal.CHANGED)
    first_day = move.first_day(opening)
    if first_day is not None and today < first_day:
        return Refused(Refusal.TOO_EARLY, first_day)
    return None


class StatusChangeRefused(ValueError):
    """The change is not in `MOVES` for that mover (a completed application re-opened, staff withdrawing)."""

    def __init__(self, current: str, wanted: ApplicationStatus) -> None:
        super().__init__(f"an application that is {current} cannot become {wanted}")
        self.current = current
        self.wanted = wanted


def _record(session: AsyncSession, application: Application, status: ApplicationStatus, *, now: datetime,
            changed_by: int | None, remark: str) -> None:
    application.status = status
    application.updated_at = now
    session.add(ApplicationStatusChange(application_id=application.id, status=status, changed_at=now,
                                        changed_by=changed_by, remark=remark))


async def change_status(
    session: AsyncSession, application: Application, wanted: ApplicationStatus, *, by: Mover, now: datetime,
    changed_by: int | None = None, remark: str = "",
) -> None:
    """Make one move of `MOVES`, keeping the history; raises `StatusChangeRefused` for any other. The dates
    are the caller's to check (`check_move`), since only it knows the office's calendar."""
    if find_move(application.status, wanted, by) is None:
        raise StatusChangeRefused(application.status, wanted)
    _record(session, application, wanted, now=now, changed_by=changed_by, remark=remark)
    await session.flush()
    await refresh_report_facts(session, FactScope.APPLICATIONS, [application.id])


async def mark_completed(
    session: AsyncSession, application: Application, *, completed_on: date, now: datetime, changed_by: int | None,
    remark: str = "",
) -> Completion:
    """Complete an enrolled application and record the alumnus."""
    await change_status(session, application, ApplicationStatus.COMPLETED, by=Mover.STAFF, now=now,
                        changed_by=changed_by, remark=remark)
    completion = Completion(
        application_id=application.id, user_id=application.user_id, completed_on=completed_on, recorded_at=now
    )
    session.add(completion)
    await session.flush()
    await refresh_report_facts(session, FactScope.APPLICATIONS, [application.id])
    return completion


class UndoRefusal(StrEnum):
    NOT_REJECTED = "not_rejected"
    """The application is not (or no longer) rejected."""
    TOO_LATE = "too_late"
    """More than `UNDO_WINDOW` has passed since the rejection: it is final."""
    NO_REMARK = "no_remark"
    REMARK_TOO_LONG = "remark_too_long"


class UndoRefused(ValueError):
    def __init__(self, reason: UndoRefusal) -> None:
        super().__init__(f"the rejection cannot be undone: {reason}")
        self.reason = reason


@dataclass(frozen=True, slots=True)
class Undo:
    """A rejection that may still be undone: the status it returns to, and until when."""

    restores: ApplicationStatus
    until: datetime


def undo_of(application: Application, history: Sequence[ApplicationStatusChange], now: datetime) -> Undo | None:
    """The undo still open for this rejected application at `now`, given its history (oldest first)."""
    if application.status != ApplicationStatus.REJECTED or len(history) < 2 or history[-1].status != _S.REJECTED:
        return None
    until = history[-1].changed_at + UNDO_WINDOW
    return Undo(ApplicationStatus(history[-2].status), until) if now <= until else None


def check_remark(remark: str) -> str:
    """The remark as kept (trimmed); raises `UndoRefused` when it is empty or longer than `REMARK_LIMIT`."""
    kept = remark.strip()
    if not kept:
        raise UndoRefused(UndoRefusal.NO_REMARK)
    if len(kept) > REMARK_LIMIT:
        raise UndoRefused(UndoRefusal.REMARK_TOO_LONG)
    return kept


async def pending_undo(session: AsyncSession, application: Application, now: datetime) -> Undo | None:
    """The undo still open for this application at `now`, if it is rejected and the rejection not yet final."""
    if application.status != ApplicationStatus.REJECTED:
        return None
    return undo_of(application, await status_history(session, application.id), now)


async def undo_open(session: AsyncSession, application: Application, now: datetime) -> Undo:
    """The undo still open for this application at `now`; raises `UndoRefused` when it is not rejected or the
    rejection is already final."""
    if application.status != ApplicationStatus.REJECTED:
        raise UndoRefused(UndoRefusal.NOT_REJECTED)
    undo = await pending_undo(session, application, now)
    if undo is None:
        raise UndoRefused(UndoRefusal.TOO_LATE)
    return undo


async def revert_rejection(
    session: AsyncSession, application: Application, *, now: datetime, changed_by: int | None, remark: str
) -> Undo:
    """Return a rejected application to the status it had before, while the undo is open, keeping the remark in
    the history; raises `UndoRefused` otherwise."""
    kept = check_remark(remark)
    undo = await undo_open(session, application, now)
    _record(session, application, undo.restores, now=now, changed_by=changed_by, remark=kept)
    await session.flush()
    await refresh_report_facts(session, FactScope.APPLICATIONS, [application.id])
    return undo
