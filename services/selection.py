"""Moving applications through selection: one applicant or several at once, each told in their own language.

All move or none: an application that may not take the status, or too few places left, stops the whole
change. Completing makes the applicant an alumnus with the office's date and schedules their check-ins.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, Purpose, _, say
from models.applications import (
    ALLOWED_CHANGES,
    Application,
    ApplicationStatus,
    OpeningRef,
    change_status,
    get_application_by_id,
    get_opening,
    lock_opening,
    mark_completed,
    opening_of,
    opening_title,
    places_taken,
)
from models.follow_ups import schedule_follow_ups
from models.regions import Office
from services.notices import Notices
from services.permissions import Actor, require_staff

NOTICES: dict[ApplicationStatus, Msg] = {
    ApplicationStatus.SHORTLISTED: _("Good news: your application for {title} passed the first selection. The office "
                                     "will contact you about the next step."),
    ApplicationStatus.ACCEPTED: _("Congratulations! You have been accepted for {title}. The office will tell you "
                                  "when and where to come."),
    ApplicationStatus.REJECTED: _("We are sorry: your application for {title} was not accepted this time. Other "
                                  "openings are in the main menu."),
    ApplicationStatus.WITHDRAWN: _("Your application for {title} has been withdrawn by the office."),
    ApplicationStatus.ENROLLED: _("You are now registered as taking part in {title}."),
    ApplicationStatus.COMPLETED: _("Congratulations on completing {title}! Once a month we will ask you briefly how "
                                   "you are doing; your answers help the office help others."),
    ApplicationStatus.DROPPED_OUT: _("You are recorded as having stopped {title} before the end. You are welcome to "
                                     "apply again later."),
}


class Outcome(StrEnum):
    MOVED = "moved"
    GONE = "gone"
    """The opening or every application no longer exists (an applicant deleted their account)."""
    CHANGED = "changed"
    """An application is no longer in a status from which it may take the wanted one."""
    FULL = "full"
    """Too few of the opening's places are left."""


@dataclass(frozen=True, slots=True)
class Moved:
    outcome: Outcome
    count: int = 0
    places_left: int = 0
    quota: int = 0


def common_moves(applications: Sequence[Application]) -> list[ApplicationStatus]:
    """The statuses every one of `applications` may move to, in the statuses' order."""
    allowed = [ALLOWED_CHANGES.get(ApplicationStatus(a.status), frozenset()) for a in applications]
    return [status for status in ApplicationStatus if allowed and all(status in moves for moves in allowed)]


async def move_applications(
    session: AsyncSession, actor: Actor, opening: OpeningRef, application_ids: Sequence[int],
    wanted: ApplicationStatus, *, now: datetime, office: Office, notices: Notices,
) -> Moved:
    """Move the applications of `opening` to `wanted` and tell each applicant; ids of deleted applications (or
    of another opening's) are skipped."""
    require_staff(actor)
    await lock_opening(session, opening)
    found = [await get_application_by_id(session, application_id) for application_id in application_ids]
    applications = [application for application in found
                    if application is not None and opening_of(application) == opening]
    row = await get_opening(session, opening)
    if row is None or not applications:
        return Moved(Outcome.GONE)
    if wanted not in common_moves(applications):
        return Moved(Outcome.CHANGED)
    needed = opening.places_needed(applications, wanted)
    left = row.quota - await places_taken(session, opening) if needed else 0
    if needed > left:
        return Moved(Outcome.FULL, places_left=max(left, 0), quota=row.quota)
    title = opening_title(row)
    for application in applications:
        if wanted is ApplicationStatus.COMPLETED:
            completion = await mark_completed(session, application, completed_on=office.date_at(now), now=now,
                                              changed_by=actor.user_id)
            await schedule_follow_ups(session, completion, office.timezone, now)
        else:
            await change_status(session, application, wanted, now=now, changed_by=actor.user_id)
        notices.notify(application.user_id, say(NOTICES[wanted].format(title=title), purpose=Purpose.STATUS_CHANGE))
    return Moved(Outcome.MOVED, count=len(applications))
