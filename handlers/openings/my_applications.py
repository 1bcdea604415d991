"""'My applications': what a job seeker applied for and where each stands, and withdrawing one.

Steps: `list` (a page of applications, newest first, with their status) and `withdraw` (a confirmation
before an application still under way is withdrawn, which cannot be undone).
"""

from __future__ import annotations

from bot.engine.messages import Msg, Option, Outgoing, _, say
from documents.labels import STATUS_FOR_APPLICANT
from handlers.context import Context
from handlers.flow import (
    NO,
    YES,
    Answer,
    Back,
    Flow,
    Invalid,
    Result,
    Step,
    Store,
    begin,
    leave_flow,
    unless_confirmed,
)
from handlers.openings.applying import load_opening, title_of
from handlers.paging import chosen_id, page_options, turn_page
from models.applications import Application, ApplicationStatus, applications_of, get_application, opening_of
from models.selection_rules import Mover, change_status, find_move

WITHDRAW_PREFIX = "w"


def can_withdraw(application: Application) -> bool:
    """Whether the applicant may still withdraw it: before they take part (`models.selection_rules.MOVES`)."""
    return find_move(application.status, ApplicationStatus.WITHDRAWN, Mover.APPLICANT) is not None


async def start_my_applications(ctx: Context) -> None:
    await begin(ctx, FLOW, data={"draft": {"page": 0}})


async def ask_list(ctx: Context) -> Outgoing:
    page = await applications_of(ctx.session, ctx.user.id, int(ctx.draft.get("page", 0)))
    ctx.draft["page"] = page.number
    if not page.items:
        return say(_("You have not applied for anything yet. Choose 'Trainings open now' or 'Apprenticeship "
                     "openings' in the main menu to find something."))
    lines: list[Msg | str] = [_("Your applications (page {page} of {pages}):").format(page=page.number + 1,
                                                                                      pages=page.count)]
    options: list[Option] = []
    for number, application in enumerate(page.items, start=1):
        opening = await load_opening(ctx, opening_of(application))
        title = title_of(opening) if opening is not None else "-"
        lines.extend(["", f"{number}. {title}", _("{status}, since {date}").format(
            status=STATUS_FOR_APPLICANT.get(application.status, application.status), date=application.updated_at)])
        if can_withdraw(application):
            options.append(Option(f"{WITHDRAW_PREFIX}{application.id}", _("Withdraw: {title}").format(title=title)))
    return say(*lines, options=(*options, *page_options(page)))


async def accept_list(ctx: Context, given: Answer) -> Result:
    if (turned := turn_page(ctx, given)) is not None:
        return turned
    if (chosen := chosen_id(given, WITHDRAW_PREFIX)) is not None:
        return Store({"application": chosen})
    return Invalid(_("Choose an application to withdraw, another page, or Back."))


async def ask_withdraw(ctx: Context) -> Outgoing:
    application = await get_application(ctx.session, ctx.user.id, int(ctx.draft.get("application", 0)))
    opening = await load_opening(ctx, opening_of(application)) if application is not None else None
    return say(
        _("Withdraw your application for {title}? This cannot be undone; you may apply again while the "
          "opening is open.").format(title=title_of(opening) if opening is not None else "-"),
        options=(Option(YES, _("Yes, withdraw it")), Option(NO, _("No, keep it"))),
    )


async def accept_withdraw(ctx: Context, given: Answer) -> Result:
    if (not_yes := unless_confirmed(given)) is not None:
        return not_yes
    application = await get_application(ctx.session, ctx.user.id, int(ctx.draft.get("application", 0)))
    if application is None or not can_withdraw(application):
        ctx.send(say(_("That application can no longer be withdrawn.")))
        return Back()
    await change_status(ctx.session, application, ApplicationStatus.WITHDRAWN, by=Mover.APPLICANT, now=ctx.now)
    ctx.send(say(_("Your application has been withdrawn.")))
    return Back()


FLOW = Flow(
    name="my_applications",
    steps=(Step("list", ask_list, accept_list, only_shows=True), Step("withdraw", ask_withdraw, accept_withdraw)),
    finish=leave_flow,
    cancel=leave_flow,
)
