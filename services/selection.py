"""Moving applications through selection: one applicant or several at once, each told in their own language.

Which moves exist, who may make them and from which day is `models.selection_rules`'; this is what staff do
with them. All move or none: an application that may not take the status (not from where it is, not yet, or
never by staff), or too few places left, stops the whole change. Every move, and every undo of a mistaken
rejection, writes an audit row in the same transaction. Completing makes the applicant an alumnus with the
office's date and schedules their check-ins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, Purpose, _, say
from documents.labels import STATUS_FOR_APPLICANT
from models.applications import (
    Application,
    ApplicationStatus,
    Opening,
    OpeningRef,
    get_application_by_id,
    get_opening,
    has_active_application,
    lock_opening,
    opening_of,
    opening_title,
    places_taken,
)
from models.audit import audit
from models.follow_ups import schedule_follow_ups
from models.regions import Office
from models.selection_rules import (
    REMARK_LIMIT,
    Mover,
    Refusal,
    Refused,
    UndoRefusal,
    UndoRefused,
    change_status,
    check_move,
    check_remark,
    mark_completed,
    revert_rejection,
    undo_open,
)
from services.notices import Notices
from services.permissions import Actor, require_staff

NOTICES: dict[ApplicationStatus, Msg] = {
    ApplicationStatus.SHORTLISTED: _("Good news: your application for {title} passed the first selection. The office "
                                     "will contact you about the next step."),
    ApplicationStatus.ACCEPTED: _("Congratulations! You have been accepted for {title}. The office will tell you "
                                  "when and where to come."),
    ApplicationStatus.REJECTED: _("We are sorry: your application for {title} was not accepted this time. Other "
                                  "openings are in the main menu."),
    ApplicationStatus.ENROLLED: _("You are now registered as taking part in {title}."),
    ApplicationStatus.COMPLETED: _("Congratulations on completing {title}! Once a month we will ask you briefly how "
                                   "you are doing; your answers help the office help others."),
    ApplicationStatus.DROPPED_OUT: _("You are recorded as having stopped {title} before the end. You are welcome to "
                                     "apply again later."),
}
UNDONE = _("Correction: your application for {title} was not rejected after all; its status is again '{status}'. "
           "We apologise for the mistake.")

SUBJECT = "application"
MOVE = "selection.move"
UNDO = "selection.undo_rejection"


class Outcome(StrEnum):
    MOVED = "moved"
    GONE = "gone"
    """The opening or every application no longer exists (an applicant deleted their account)."""
    CHANGED = "changed"
    """An application is no longer in a status from which it may take the wanted one."""
    FULL = "full"
    """Too few of the opening's places are left."""
    NOT_ALLOWED = "not_allowed"
    """Staff never make this move (withdrawing is the applicant's own act; the office rejects)."""
    TOO_EARLY = "too_early"
    """The move waits for the training's dates; `possible_from` says from which day."""
    TOO_LATE = "too_late"
    """An undo asked more than a day after the rejection: it is final."""
    NO_REMARK = "no_remark"
    """An undo without a remark, or a remark (of an undo or a move) longer than
    `models.selection_rules.REMARK_LIMIT`."""
    ALREADY = "already"
    """Every application already has the wanted status (the same form sent twice): nothing was changed."""
    APPLIED_AGAIN = "applied_again"
    """An undo of a rejection whose applicant has since applied again to the same opening."""


UNDO_OUTCOMES = {UndoRefusal.NOT_REJECTED: Outcome.CHANGED, UndoRefusal.TOO_LATE: Outcome.TOO_LATE,
                 UndoRefusal.NO_REMARK: Outcome.NO_REMARK, UndoRefusal.REMARK_TOO_LONG: Outcome.NO_REMARK}


@dataclass(frozen=True, slots=True)
class Moved:
    outcome: Outcome
    count: int = 0
    places_left: int = 0
    quota: int = 0
    possible_from: date | None = None


@dataclass(frozen=True, slots=True)
class StaffMoves:
    """What staff may do with some applications of one opening today."""

    now: tuple[ApplicationStatus, ...] = ()
    """The statuses every one of them may move to today, in the statuses' order."""
    later: tuple[tuple[ApplicationStatus, date], ...] = ()
    """Statuses every one of them may move to once the training's date comes, with that day."""


def staff_moves(applications: Sequence[Application], opening: Opening, today: date) -> StaffMoves:
    """The moves staff may make on every one of `applications` (all of `opening`) today, and those waiting."""
    now: list[ApplicationStatus] = []
    later: list[tuple[ApplicationStatus, date]] = []
    for status in ApplicationStatus if applications else ():
        refusals = [check_move(a.status, status, Mover.STAFF, opening, today) for a in applications]
        waits = [refused.possible_from for refused in refusals if refused is not None and refused.possible_from]
        if all(refused is None for refused in refusals):
            now.append(status)
        elif waits and all(refused is None or refused.reason is Refusal.TOO_EARLY for refused in refusals):
            later.append((status, max(waits)))
    return StaffMoves(tuple(now), tuple(later))


def _refusal(refusals: Sequence[Refused]) -> Moved:
    """The one outcome of several refusals: never beats changed meanwhile, which beats not yet."""
    for reason in (Refusal.NOT_ALLOWED, Refusal.CHANGED):
        if any(refused.reason is reason for refused in refusals):
            return Moved(Outcome(reason.value))
    return Moved(Outcome.TOO_EARLY, possible_from=max(r.possible_from for r in refusals if r.possible_from))


async def _too_few_places(session: AsyncSession, opening: OpeningRef, row: Opening,
                          applications: Sequence[Application], wanted: ApplicationStatus) -> Moved | None:
    """FULL when moving `applications` to `wanted` would use more of the opening's places than are left."""
    needed = opening.places_needed(applications, wanted)
    left = row.quota - await places_taken(session, opening) if needed else 0
    return Moved(Outcome.FULL, places_left=max(left, 0), quota=row.quota) if needed > left else None


async def move_applications(
    session: AsyncSession, actor: Actor, opening: OpeningRef, application_ids: Sequence[int],
    wanted: ApplicationStatus, *, now: datetime, office: Office, notices: Notices, remark: str = "",
) -> Moved:
    """Move the applications of `opening` to `wanted` and tell each applicant; ids of deleted applications (or
    of another opening's) are skipped. A `remark` (at most `REMARK_LIMIT` characters) is kept in each history
    row and audit entry; the applicants are not shown it."""
    require_staff(actor)
    if len(remark := remark.strip()) > REMARK_LIMIT:
        return Moved(Outcome.NO_REMARK)
    await lock_opening(session, opening)
    found = [await get_application_by_id(session, application_id) for application_id in application_ids]
    applications = [application for application in found
                    if application is not None and opening_of(application) == opening]
    row = await get_opening(session, opening)
    if row is None or not applications:
        return Moved(Outcome.GONE)
    today = office.date_at(now)
    refusals = [refused for application in applications
                if (refused := check_move(application.status, wanted, Mover.STAFF, row, today)) is not None]
    if refusals:
        return _refusal(refusals)
    if (full := await _too_few_places(session, opening, row, applications, wanted)) is not None:
        return full
    title = opening_title(row)
    for application in applications:
        before = application.status
        if wanted is ApplicationStatus.COMPLETED:
            completion = await mark_completed(session, application, completed_on=today, now=now,
                                              changed_by=actor.user_id, remark=remark)
            await schedule_follow_ups(session, completion, office.timezone, now)
        else:
            await change_status(session, application, wanted, by=Mover.STAFF, now=now, changed_by=actor.user_id,
                                remark=remark)
        audit(session, at=now, actor_id=actor.user_id, action=MOVE, subject_kind=SUBJECT, subject_id=application.id,
              detail={"origin": actor.origin, "from": before, "to": wanted.value, "opening": opening.code,
                      **({"remark": remark} if remark else {})})
        notices.notify(application.user_id, say(NOTICES[wanted].format(title=title), purpose=Purpose.STATUS_CHANGE))
    return Moved(Outcome.MOVED, count=len(applications))


async def undo_rejection(
    session: AsyncSession, actor: Actor, application_id: int, remark: str, *, now: datetime, notices: Notices,
) -> Moved:
    """Return a mistakenly rejected application to the status it had before, within a day of the rejection and
    with a remark saying why; the applicant is told. Refused when someone else has since taken the place it held
    or the applicant has applied again."""
    require_staff(actor)
    application = await get_application_by_id(session, application_id)
    if application is None:
        return Moved(Outcome.GONE)
    opening = opening_of(application)
    await lock_opening(session, opening)
    application = await get_application_by_id(session, application_id)
    row = await get_opening(session, opening)
    if application is None or row is None:
        return Moved(Outcome.GONE)
    try:
        kept = check_remark(remark)
        undo = await undo_open(session, application, now)
    except UndoRefused as refused:
        return Moved(UNDO_OUTCOMES[refused.reason])
    if await has_active_application(session, application.user_id, opening):
        return Moved(Outcome.APPLIED_AGAIN)
    if (full := await _too_few_places(session, opening, row, [application], undo.restores)) is not None:
        return full
    await revert_rejection(session, application, now=now, changed_by=actor.user_id, remark=kept)
    audit(session, at=now, actor_id=actor.user_id, action=UNDO, subject_kind=SUBJECT, subject_id=application.id,
          detail={"origin": actor.origin, "from": ApplicationStatus.REJECTED.value, "to": undo.restores.value,
                  "remark": kept, "opening": opening.code})
    notices.notify(application.user_id, say(UNDONE.format(
        title=opening_title(row), status=STATUS_FOR_APPLICANT[undo.restores]), purpose=Purpose.STATUS_CHANGE))
    return Moved(Outcome.MOVED, count=1)
