"""Undoing a mistaken rejection from the applicant's card, within a day of it: staff write why, confirm, and the
applicant is told in their language.

Steps, reached from `decide` with "Undo the rejection": `undo_remark` (free text, kept in the history and the
audit) and `undo_confirm`. Back, a "No" or the end of the undo return to the applicant's card; after a day the
card no longer offers it (`models.selection_rules.UNDO_WINDOW`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.messages import Msg, Option, Outgoing, _, say
from documents.labels import STATUS_FOR_STAFF
from handlers.context import Context
from handlers.flow import NO, YES, Answer, Back, Invalid, Jump, Result, Step, Store, unless_confirmed
from handlers.selection.outcomes import not_moved
from models.applications import ApplicationStatus, get_application_by_id
from models.profiles import get_profile
from models.selection_rules import REMARK_LIMIT, Undo, UndoRefusal, UndoRefused, check_remark, pending_undo
from services.permissions import Actor
from services.selection import Outcome, undo_rejection

UNDO = "undo"
"""The card's option, and the draft's flag while the undo steps are asked."""


def undo_line(ctx: Context, undo: Undo) -> Msg:
    """The line of a rejected applicant's card that says until when the rejection may still be undone."""
    local = ctx.services.office.local_time(undo.until)
    return _("This rejection can be undone until {date} at {time} (with a remark).").format(
        date=local.date(), time=local.strftime("%H:%M %Z"))


def start_undo(ctx: Context) -> Jump:
    ctx.draft[UNDO] = True
    return Jump("undo_remark", return_to="decide")


async def ask_remark(_ctx: Context) -> Outgoing:
    return say(_("Please write why this rejection is being undone (at most {limit} characters). It is kept in the "
                 "application's history; the applicant does not see it.").format(limit=REMARK_LIMIT))


async def accept_remark(_ctx: Context, given: Answer) -> Result:
    try:
        return Store({"remark": check_remark(given.text)})
    except UndoRefused as refused:
        if refused.reason is UndoRefusal.REMARK_TOO_LONG:
            return Invalid(_("Please keep the reason to at most {limit} characters.").format(limit=REMARK_LIMIT))
        return Invalid(_("Please write the reason in a few words."))


async def ask_undo_confirm(ctx: Context) -> Outgoing:
    application = await get_application_by_id(ctx.session, int(ctx.draft["application"]))
    profile = await get_profile(ctx.session, application.user_id) if application is not None else None
    undo = await pending_undo(ctx.session, application, ctx.now) if application is not None else None
    if profile is None or undo is None:
        return say(_("This rejection can no longer be undone."))
    return say(_("Undo the rejection of {name} and return their status to '{status}'? They will be told at "
                 "once.").format(name=profile.shown_name, status=STATUS_FOR_STAFF[undo.restores]),
               options=(Option(YES, _("Yes, undo it")), Option(NO, _("No"))))


async def accept_undo_confirm(ctx: Context, given: Answer) -> Result:
    if (not_yes := unless_confirmed(given)) is not None:
        return not_yes
    application_id = int(ctx.draft["application"])
    moved = await undo_rejection(ctx.session, Actor.of(ctx.user), application_id, str(ctx.draft.pop("remark", "")),
                                 now=ctx.now, notices=ctx)
    ctx.draft[UNDO] = False
    application = await get_application_by_id(ctx.session, application_id)
    if moved.outcome is Outcome.MOVED and application is not None:
        ctx.send(say(_("Done: the rejection is undone; the status is now '{status}' and the applicant has been "
                       "told.").format(status=STATUS_FOR_STAFF[application.status])))
    elif moved.outcome is not Outcome.GONE and application is not None:
        ctx.send(say(not_moved(moved, ApplicationStatus(application.status))))
    return Back()


def in_undo(draft: Mapping[str, Any]) -> bool:
    return bool(draft.get(UNDO))


UNDO_STEPS = (
    Step("undo_remark", ask_remark, accept_remark, applies=in_undo, also_ask=("undo_confirm",)),
    Step("undo_confirm", ask_undo_confirm, accept_undo_confirm, applies=in_undo),
)
