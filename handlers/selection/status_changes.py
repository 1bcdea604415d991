"""Moving an application to a new status on behalf of staff, and telling the applicant, in one place.

Used by the one-by-one and the several-at-once selection; completing records the alumnus with the
office's date and schedules the alumnus' monthly check-ins.
"""

from __future__ import annotations

from bot.engine.messages import Msg, Purpose, _, say
from handlers.context import Context
from models.applications import (
    Application,
    ApplicationStatus,
    OpeningKind,
    OpeningRef,
    StatusChangeRefused,
    change_status,
    mark_completed,
)
from models.follow_ups import schedule_follow_ups

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



def opening_in_draft(ctx: Context) -> OpeningRef:
    """The opening staff chose earlier in the selection flow."""
    return OpeningRef(OpeningKind(ctx.draft["kind"]), int(ctx.draft["opening"]))


async def move_application(ctx: Context, application: Application, wanted: ApplicationStatus, title: str) -> bool:
    """Change the status and queue the applicant's notice; False when the application may not take it."""
    try:
        if wanted is ApplicationStatus.COMPLETED:
            completion = await mark_completed(ctx.session, application, completed_on=ctx.today, now=ctx.now,
                                              changed_by=ctx.user.id)
            await schedule_follow_ups(ctx.session, completion, ctx.services.office.timezone, ctx.now)
        else:
            await change_status(ctx.session, application, wanted, now=ctx.now, changed_by=ctx.user.id)
    except StatusChangeRefused:
        return False
    ctx.notify(application.user_id, say(NOTICES[wanted].format(title=title), purpose=Purpose.STATUS_CHANGE))
    return True
