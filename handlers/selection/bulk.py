"""Several applicants at once (after a test day, say): tick them, pick one status, confirm, all are told.

Steps, reached from an opening's applicants with "Change several": `bulk_pick` (tick and untick on the
current page), `bulk_status` (the statuses every ticked application may take today, and those waiting for
the training's dates) and `bulk_confirm`. All change or none: one that may not move, or too few places
left, stops the whole change.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from bot.engine.messages import Option, Outgoing, _, ngettext, say
from documents.labels import STATUS_FOR_STAFF
from handlers.context import Context
from handlers.flow import NO, YES, Answer, Back, Invalid, Result, Stay, Step, Store, unless_confirmed
from handlers.paging import chosen_id
from handlers.selection.draft import opening_in_draft
from handlers.selection.outcomes import not_moved, waiting_lines
from models.applications import Application, ApplicationStatus, applications_for, get_application_by_id, get_opening
from models.profiles import get_profile
from services.permissions import Actor
from services.selection import Outcome, StaffMoves, move_applications, staff_moves

BULK = "bulk"
DONE_PICKING = "picked"
TICK = "✓ "


def _picked(ctx: Context) -> list[int]:
    return [int(i) for i in ctx.draft.get("picked", [])]


async def _picked_applications(ctx: Context) -> list[Application]:
    found = [await get_application_by_id(ctx.session, i) for i in _picked(ctx)]
    return [a for a in found if a is not None]


async def ask_pick(ctx: Context) -> Outgoing:
    page = await applications_for(ctx.session, opening_in_draft(ctx), int(ctx.draft.get("applicants_page", 0)))
    picked = set(_picked(ctx))
    options = []
    for application in page.items:
        profile = await get_profile(ctx.session, application.user_id)
        name = profile.shown_name if profile is not None else "-"
        options.append(Option(f"a{application.id}", f"{TICK if application.id in picked else ''}{name}"))
    if picked:
        options.append(Option(DONE_PICKING, _("Continue with the ticked applicants")))
    return say(_("Tick the applicants to change (choose again to untick)."), options=tuple(options))


async def accept_pick(ctx: Context, given: Answer) -> Result:
    if given.option == DONE_PICKING and _picked(ctx):
        return Store()
    chosen = chosen_id(given, "a")
    if chosen is None:
        return Invalid(_("Please tick an applicant from the list, or continue."))
    picked = _picked(ctx)
    return Stay({"picked": [i for i in picked if i != chosen] if chosen in picked else [*picked, chosen]})


async def _common_moves(ctx: Context) -> StaffMoves:
    opening = await get_opening(ctx.session, opening_in_draft(ctx))
    return staff_moves(await _picked_applications(ctx), opening, ctx.today) if opening is not None else StaffMoves()


async def ask_status(ctx: Context) -> Outgoing:
    moves = await _common_moves(ctx)
    if not moves.now:
        return say(_("These applications have no status in common to move to; go back and tick fewer."),
                   *waiting_lines(moves))
    return say(_("Move the ticked applications to:"), *waiting_lines(moves),
               options=tuple(Option(status, STATUS_FOR_STAFF[status]) for status in moves.now))


async def accept_status(ctx: Context, given: Answer) -> Result:
    if given.option in (await _common_moves(ctx)).now:
        return Store({"status": given.option})
    return Invalid(_("Please choose one of the statuses offered."))


async def ask_bulk_confirm(ctx: Context) -> Outgoing:
    count = len(_picked(ctx))
    status = STATUS_FOR_STAFF[ApplicationStatus(ctx.draft["status"])]
    return say(ngettext("Change {count} application to '{status}'? Each applicant is told at once.",
                        "Change {count} applications to '{status}'? Each applicant is told at once.",
                        count).format(status=status),
               options=(Option(YES, _("Yes, change them")), Option(NO, _("No"))))


async def accept_bulk_confirm(ctx: Context, given: Answer) -> Result:
    if (not_yes := unless_confirmed(given)) is not None:
        return not_yes
    wanted = ApplicationStatus(ctx.draft["status"])
    moved = await move_applications(ctx.session, Actor.of(ctx.user), opening_in_draft(ctx), _picked(ctx), wanted,
                                    now=ctx.now, office=ctx.services.office, notices=ctx)
    if moved.outcome in (Outcome.GONE, Outcome.CHANGED):
        ctx.send(say(_("The applications changed meanwhile; nothing was changed.")))
        return Back()
    if moved.outcome is not Outcome.MOVED:
        ctx.send(say(not_moved(moved, wanted)))
        return Back()
    ctx.send(say(ngettext("Done: {count} application is now '{status}'; the applicant has been told.",
                          "Done: {count} applications are now '{status}'; each applicant has been told.",
                          moved.count).format(status=STATUS_FOR_STAFF[wanted])))
    ctx.draft.update({BULK: False, "picked": []})
    return Store()


def in_bulk(draft: Mapping[str, Any]) -> bool:
    return bool(draft.get(BULK))


BULK_STEPS = (
    Step("bulk_pick", ask_pick, accept_pick, applies=in_bulk, also_ask=("bulk_status", "bulk_confirm")),
    Step("bulk_status", ask_status, accept_status, applies=in_bulk),
    Step("bulk_confirm", ask_bulk_confirm, accept_bulk_confirm, applies=in_bulk),
)
