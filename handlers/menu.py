"""The home menu: where a user lands when no flow is running, and the entry to everything else.

A registered user sees their profile actions; someone not yet registered is offered registration. Later
issues add their entries (openings, applications, check-ins) to `entries`.
"""

from __future__ import annotations

from bot.engine.messages import Option, Outgoing, _, say
from handlers.broadcasts.broadcasts import start_broadcasts
from handlers.checkins.checkin import checkin_command
from handlers.context import Context
from handlers.flow import Answer, Ended, Flow, Invalid, Result, Step, begin, end_flow
from handlers.help import help_message
from handlers.language import FLOW as LANGUAGE_FLOW
from handlers.openings.browsing import APPRENTICESHIP, TRAINING, start_browsing
from handlers.openings.my_applications import start_my_applications
from handlers.registration import privacy
from handlers.registration.registration import start_profile_edit, start_registration
from handlers.reports.staff_report import start_report
from handlers.selection.one_by_one import start_selection
from handlers.tickets.asking import start_asking
from models.home import HomeFacts, home_facts
from models.profiles import get_profile

HOME = "home"
NOT_UNDERSTOOD = "not_understood"
OFFER_STAFF_AFTER = 2
"""After this many messages at the main menu the bot did not understand, it offers to ask staff instead."""
ASK = Option("ask", _("Ask staff"))


async def entries(ctx: Context) -> tuple[Option, ...]:
    browse: tuple[Option, ...] = (
        Option(TRAINING, _("Trainings open now")), Option(APPRENTICESHIP, _("Apprenticeship openings"))
    )
    office: tuple[Option, ...] = ()
    if ctx.user.is_staff:
        office = (Option("selection", _("Selection (staff)")), Option("broadcasts", _("Broadcasts (staff)")),
                  Option("report", _("Follow-up report (staff)")))
    elif ctx.user.works_at_office:  # a viewer reads the figures and changes nothing
        office = (Option("report", _("Follow-up report (staff)")),)
    check_in: tuple[Option, ...] = ()
    facts, ctx.home_facts = ctx.home_facts, None
    if facts is None:
        facts = await home_facts(ctx.session, ctx.user.id)
    if facts.check_in_to_answer:
        check_in = (Option("checkin", _("Answer my monthly check-in")),)
    if facts.registered:
        return (
            *check_in,
            *office,
            *browse,
            Option("applications", _("My applications")),
            Option("profile", _("My profile")),
            Option("edit_profile", _("Change my profile")),
            Option("language", _("Language")),
            Option("export", _("Export my data")),
            Option("delete", _("Delete my account")),
            ASK,
            Option("help", _("Help")),
        )
    return (
        *check_in,
        *office,
        Option("register", _("Register as a job seeker")),
        *browse,
        Option("language", _("Language")),
        ASK,
        Option("help", _("Help")),
    )


async def ask_home(ctx: Context) -> Outgoing:
    return say(_("Main menu. What would you like to do?"), options=await entries(ctx))


async def accept_home(ctx: Context, given: Answer) -> Result:
    choice = given.option
    if choice not in {o.id for o in await entries(ctx)}:
        ctx.data[NOT_UNDERSTOOD] = missed = int(ctx.data.get(NOT_UNDERSTOOD, 0)) + 1
        if missed >= OFFER_STAFF_AFTER:
            return Invalid(_("I do not understand that. If you have a question for the office, choose "
                             "\"Ask staff\" and a staff member will answer you here."))
        return Invalid(_("Please choose one of the menu options, by its number or its name."))
    end_flow(ctx)
    if choice == "register":
        await start_registration(ctx)
    elif choice == "language":
        await begin(ctx, LANGUAGE_FLOW)
    elif choice in (TRAINING, APPRENTICESHIP):
        await start_browsing(ctx, choice)
    elif choice == "applications":
        await start_my_applications(ctx)
    elif choice == "selection":
        await start_selection(ctx)
    elif choice == "broadcasts":
        await start_broadcasts(ctx)
    elif choice == "report":
        await start_report(ctx)
    elif choice == "checkin":
        await checkin_command(ctx, None)
    elif choice == ASK.id:
        await start_asking(ctx)
    elif choice == "help":
        ctx.send(help_message(ctx))
    elif choice == "edit_profile":
        profile = await get_profile(ctx.session, ctx.user.id)
        assert profile is not None
        await start_profile_edit(ctx, profile)
    else:
        await privacy.ACTIONS[choice](ctx)
    return Ended()


async def _nothing_to_do(_ctx: Context) -> None:
    return None


FLOW = Flow(name="menu", steps=(Step(HOME, ask_home, accept_home),), finish=_nothing_to_do,
            cancel=_nothing_to_do, nav=())


async def show_home(ctx: Context, facts: HomeFacts | None = None) -> None:
    """The main menu; `facts` when the caller has just read them (the end of a task does), so that its options
    are not read again."""
    ctx.home_facts = facts
    await begin(ctx, FLOW)
