"""Routes one incoming message: commands and navigation first, then the answer to the current question.

Everything that is not a valid answer (unknown commands, stale buttons, unsupported message types, text that
is too long) gets a sentence saying so, then the current question again: nothing the user entered is lost.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import replace
from functools import partial
from types import MappingProxyType
from typing import Any

from bot.engine.messages import (
    Incoming,
    IncomingKind,
    Msg,
    Nav,
    Option,
    _,
    is_option_token,
    say,
    split_option_token,
)
from handlers import arriving, dashboard_link, language, leaving, menu
from handlers import flow as engine
from handlers.broadcasts import broadcasts
from handlers.checkins import checkin as checkins
from handlers.choices import Choice, removal_of, understand, understand_many
from handlers.context import Context
from handlers.flow import Answer, Flow
from handlers.help import help_message
from handlers.openings import alerts as opening_alerts
from handlers.openings import browsing as openings
from handlers.openings import my_applications
from handlers.registration import data_export, privacy, registration
from handlers.reports import staff_report
from handlers.selection import one_by_one as selection
from handlers.selection import opening_upload
from handlers.small_talk import reply_to_small_talk
from handlers.tickets import answering, asking
from models.home import home_facts
from models.opt_ins import OptInSource, agree_first_time, stop
from models.profiles import is_registered

MAX_TEXT_LENGTH = 1000
STALE_BUTTON = _("That button is no longer valid. Please answer this question:")
"""For a button of an earlier question, and for one no version of the bot could have made (`is_option_token`).
A well-made id the question does not know (an opening closed meanwhile) gets the step's own explanation."""

FLOWS: Mapping[str, Flow] = MappingProxyType(
    {f.name: f for f in (registration.FLOW, menu.FLOW, language.FLOW, privacy.DELETE_FLOW, openings.FLOW,
                         my_applications.FLOW, selection.FLOW, opening_upload.FLOW, broadcasts.FLOW,
                         checkins.FLOW, staff_report.FLOW, asking.FLOW, answering.FLOW)}
)

COMMAND_ALIASES: Mapping[str, str] = MappingProxyType({
    "start": "start", "mulai": "start",
    "menu": "menu",
    "help": "help", "bantuan": "help",
    "cancel": "cancel", "batal": "cancel",
    "back": "back", "kembali": "back",
    "language": "language", "bahasa": "language",
    "profile": "profile", "profil": "profile",
    "export": "export", "ekspor": "export",
    "delete": "delete", "hapus": "delete",
    "staf": "staff", "staff": "staff",
    "lihat": "opening", "opening": "opening",
    "notifikasi": "alerts", "alerts": "alerts",
    "broadcast": "broadcast", "siaran": "broadcast",
    "stop": "stop", "berhenti": "stop",
    "checkin": "checkin", "kabar": "checkin",
    "laporan": "report", "report": "report",
    "masuk": "login", "login": "login",
    "tanya": "ask", "ask": "ask",
    "jawab": "answer", "answer": "answer",
    "tiket": "ticket_alerts", "tickets": "ticket_alerts",
})
STAFF_ONLY = frozenset({"staff", "broadcast", "answer", "ticket_alerts"})
"""Commands a member never learns exist: to them these are unknown commands like any other."""
OFFICE_ONLY = frozenset({"login", "report"})
"""Commands for anyone who works at the office, viewers included (they read reports, change nothing)."""
STAFF_FLOWS = frozenset(flow.name for flow in (selection.FLOW, opening_upload.FLOW, broadcasts.FLOW,
                                               answering.FLOW))
OFFICE_FLOWS = frozenset({staff_report.FLOW.name})
TYPED_KEYWORDS = frozenset({"menu", "help", "bantuan", "cancel", "batal", "back", "kembali", "stop", "berhenti"})
"""Words that act as commands when typed alone (STOP and BERHENTI as WhatsApp users expect)."""
NAV_COMMANDS: Mapping[str, str] = MappingProxyType({Nav.BACK: "back", Nav.CANCEL: "cancel", Nav.MENU: "menu"})


class StaleOption(Exception):
    """A button from an earlier question was pressed."""


async def route(ctx: Context, incoming: Incoming) -> None:
    current = FLOWS.get(ctx.conversation.flow or "")
    if current is not None and ((current.name in STAFF_FLOWS and not ctx.user.is_staff)
                                or (current.name in OFFICE_FLOWS and not ctx.user.works_at_office)):
        engine.end_flow(ctx)  # their staff role was taken away meanwhile
        current = None
    if not ctx.has_opt_ins:
        await agree_first_time(ctx.session, ctx.user.id, ctx.user.channel, ctx.now)
    await asking.deliver_held(ctx)
    asked_to_leave = leaving.take_pending(ctx)
    if not (asked_to_leave and current is not None and await leaving.settle(ctx, current, incoming)):
        await _handle(ctx, current, incoming)
    await _carry_on(ctx)


async def resume(ctx: Context, then: Callable[[Context, Any], Awaitable[None]], result: Any) -> None:
    """Go on with a conversation once the work its last message left for after the commit is done
    (`Context.after_commit`): `then` says what came of it, and the conversation carries on as after any message."""
    await then(ctx, result)
    await _carry_on(ctx)


async def _carry_on(ctx: Context) -> None:
    """After a message: the flow that should follow, or a check-in waiting, or the menu once no flow is left."""
    if ctx.conversation.flow is None and not ctx.user_deleted:
        following = FLOWS.get(ctx.continue_with["flow"]) if ctx.continue_with else None
        if following is not None and ctx.continue_with is not None:
            await engine.begin(ctx, following, data={"draft": ctx.continue_with["draft"]}, at=ctx.continue_with["at"])
        else:
            facts = await home_facts(ctx.session, ctx.user.id)
            if not (facts.check_in_waiting and await checkins.start_waiting_check_in(ctx)):
                await menu.show_home(ctx, facts)


async def _handle(ctx: Context, current: Flow | None, incoming: Incoming) -> None:
    if incoming.kind is IncomingKind.DOCUMENT and _takes_files(ctx, current):
        assert current is not None
        await engine.answer(ctx, current, Answer(document=incoming.document, text=incoming.text))
    elif incoming.kind in (IncomingKind.UNSUPPORTED, IncomingKind.DOCUMENT):
        ctx.send(say(_("Sorry, I can only read text messages and the options I offer.")))
        await _repeat_question(ctx, current)
    elif len(incoming.text) > MAX_TEXT_LENGTH:
        ctx.send(say(_("That message is too long: please answer in at most {limit} characters.")
                     .format(limit=MAX_TEXT_LENGTH)))
        await _repeat_question(ctx, current)
    elif (command := command_of(incoming)) is not None:
        await run_command(ctx, current, *command)
    elif (arrival := arriving.read_arrival(incoming.text)) is not None and \
            await arriving.takes_keyword(ctx, current, arrival):
        await arriving.arrive(ctx, current, arrival)
    elif current is not None and (kind_word := _small_talk_at_home(current, incoming)) is not None:
        ctx.send(say(kind_word))
        await engine.ask_again(ctx, current)
    elif current is None:
        await _welcome(ctx)
    else:
        await _answer(ctx, current, incoming)


def _small_talk_at_home(current: Flow, incoming: Incoming) -> Msg | None:
    """Greetings and thanks are answered kindly at the home menu, where no question waits for an answer (someone
    new who says hello is welcomed by registration itself)."""
    if incoming.kind is not IncomingKind.TEXT or current.name != menu.FLOW.name:
        return None
    return reply_to_small_talk(incoming.text)


def command_of(incoming: Incoming) -> tuple[str, str] | None:
    """`(name, argument)` for '/start 42', '/batal@SahabatKerjaBot', a tapped nav button or a typed 'batal'."""
    if incoming.kind is IncomingKind.OPTION:
        _seq, option_id = split_option_token(incoming.option)
        if not option_id.startswith("/"):  # an option of a proactive message may carry a command
            return (NAV_COMMANDS[option_id], "") if option_id in NAV_COMMANDS else None
        text = option_id
    else:
        text = incoming.text.strip()
    if text.startswith("/"):
        head, _sep, argument = text[1:].partition(" ")
        return head.split("@", 1)[0].casefold(), argument.strip()
    if text.casefold() in TYPED_KEYWORDS:
        return text.casefold(), ""
    return None


async def run_command(ctx: Context, current: Flow | None, name: str, argument: str) -> None:
    in_task = current is not None and current.name != menu.FLOW.name
    canonical = COMMAND_ALIASES.get(name)
    if (canonical in STAFF_ONLY and not ctx.user.is_staff) or (canonical in OFFICE_ONLY
                                                                 and not ctx.user.works_at_office):
        canonical = None
    if canonical is None:
        shown = "".join(character for character in name[:32] if character.isprintable())
        ctx.send(say(_("I do not know the command /{command}. Type /help to see what I can do.")
                     .format(command=shown)))
        await _repeat_question(ctx, current)
        return
    if canonical == "start" and (argument or not ctx.first_contact):  # a first bare /start: its first message
        await arriving.agree_again(ctx, OptInSource.START_LINK, argument)  # was just recorded as the agreement
    if canonical == "start" and argument and not in_task and await openings.open_linked(ctx, argument):
        return  # a deep link such as t.me/<bot>?start=t12
    if canonical in COMMANDS_WITH_ARGUMENT:
        await COMMANDS_WITH_ARGUMENT[canonical](ctx, current if in_task else None, argument)
        return
    action = COMMANDS[canonical]
    await action(ctx, current if in_task else None)


async def _start(ctx: Context, current: Flow | None) -> None:
    if current is not None:
        ctx.send(say(_("Welcome back! Let us continue where you left off.")))
        await engine.ask_again(ctx, current)
    else:
        await _welcome(ctx)


async def _menu(ctx: Context, current: Flow | None) -> None:
    if current is not None and leaving.should_ask(ctx, current):
        leaving.ask(ctx)
        return
    if current is not None:
        await current.cancel(ctx)
    engine.end_flow(ctx)


async def _cancel(ctx: Context, current: Flow | None) -> None:
    if current is None:
        ctx.send(say(_("There is nothing to cancel.")))
        engine.end_flow(ctx)
    else:
        await current.cancel(ctx)


async def _back(ctx: Context, current: Flow | None) -> None:
    if current is None:
        ctx.send(say(_("There is nothing to go back to.")))
        engine.end_flow(ctx)
    else:
        await engine.back(ctx, current)


async def _help(ctx: Context, current: Flow | None) -> None:
    ctx.send(help_message(ctx))
    await _repeat_question(ctx, current)


def _outside_tasks(action: Callable[[Context], Awaitable[None]]) -> Callable[[Context, Flow | None], Awaitable[None]]:
    """Commands that start something new wait until the current task is finished or cancelled."""

    async def run(ctx: Context, current: Flow | None) -> None:
        if current is not None and engine.busy_with(ctx, current):
            ctx.send(say(_("Please finish or cancel what you are doing first (type 'cancel').")))
            await engine.ask_again(ctx, current)
            return
        engine.end_flow(ctx)
        await action(ctx)

    return run


def _read_only(action: Callable[[Context], Awaitable[None]]) -> Callable[[Context, Flow | None], Awaitable[None]]:
    """Commands that only show something, then return to the question that was open."""

    async def run(ctx: Context, current: Flow | None) -> None:
        await action(ctx)
        await _repeat_question(ctx, current)

    return run


async def _stop(ctx: Context) -> None:
    """/stop, STOP or BERHENTI: no more broadcasts or alerts; answers to their own requests still come."""
    if ctx.user.stopped_at is None:
        ctx.user.stopped_at = ctx.now
    await stop(ctx.session, ctx.user.id, ctx.now)
    ctx.send(say(_("You will no longer receive announcements or alerts. Send /start to receive them again.")))


async def _change_language(ctx: Context) -> None:
    await engine.begin(ctx, language.FLOW)


COMMANDS: Mapping[str, Callable[[Context, Flow | None], Awaitable[None]]] = MappingProxyType({
    "start": _start,
    "menu": _menu,
    "cancel": _cancel,
    "back": _back,
    "help": _help,
    "language": _outside_tasks(_change_language),
    "delete": _outside_tasks(privacy.start_delete),
    "staff": _outside_tasks(selection.start_selection),
    "broadcast": _outside_tasks(broadcasts.start_broadcasts),
    "stop": _read_only(_stop),
    "checkin": checkins.checkin_command,
    "report": _outside_tasks(staff_report.start_report),
    "login": _read_only(dashboard_link.send_sign_in_link),
    "profile": _read_only(privacy.show_profile),
    "export": _read_only(data_export.export_data),
    "ask": _outside_tasks(asking.start_asking),
})


async def _open_opening(ctx: Context, current: Flow | None, code: str) -> None:
    await _outside_tasks(partial(opening_alerts.open_announced, code=code))(ctx, current)


async def _alerts(ctx: Context, current: Flow | None, wanted: str) -> None:
    opening_alerts.change_alerts(ctx, wanted)
    await _repeat_question(ctx, current)


async def _answer_ticket(ctx: Context, current: Flow | None, argument: str) -> None:
    named = answering.ticket_number(argument)
    if named is not None and not named[1]:  # the Answer button of an alert: the answer comes in the next message
        await _outside_tasks(partial(answering.start_answer, ticket=named[0]))(ctx, current)
        return
    await answering.answer_ticket(ctx, argument)
    await _repeat_question(ctx, current)


async def _ticket_alerts(ctx: Context, current: Flow | None, wanted: str) -> None:
    await answering.change_alerts(ctx, wanted)
    await _repeat_question(ctx, current)


COMMANDS_WITH_ARGUMENT: Mapping[str, Callable[[Context, Flow | None, str], Awaitable[None]]] = MappingProxyType({
    "opening": _open_opening,
    "alerts": _alerts,
    "answer": _answer_ticket,
    "ticket_alerts": _ticket_alerts,
})


async def _welcome(ctx: Context) -> None:
    """A first message, or /start outside any task: unregistered people go straight to registration (staff are
    not job seekers: they go to the menu)."""
    if ctx.user.works_at_office or (not ctx.first_contact and await is_registered(ctx.session, ctx.user.id)):
        engine.end_flow(ctx)
    else:
        await registration.start_registration(ctx)


def _takes_files(ctx: Context, current: Flow | None) -> bool:
    step = current.step(ctx.conversation.step) if current is not None else None
    return step is not None and step.takes_files


async def _repeat_question(ctx: Context, current: Flow | None) -> None:
    if current is not None:
        await engine.ask_again(ctx, current)
    else:
        engine.end_flow(ctx)


async def _answer(ctx: Context, current: Flow, incoming: Incoming) -> None:
    if incoming.kind is IncomingKind.OPTION:
        seq, option_id = split_option_token(incoming.option)
        if (seq is not None and seq != ctx.conversation.prompt_seq) or not is_option_token(incoming.option):
            ctx.send(say(STALE_BUTTON))
            await engine.ask_again(ctx, current)
            return
        await engine.answer(ctx, current, Answer(option=option_id))
    elif incoming.kind is IncomingKind.CONTACT:
        await engine.answer(ctx, current, Answer(contact_phone=incoming.contact_phone))
    else:
        question = await engine.current_question(ctx, current)
        choices = [Choice(o.id, _label(o, ctx.render)) for o in question.options]
        removal = removal_of(incoming.text) if question.several else None
        many = understand_many(incoming.text, choices) if question.several else None
        if many is not None:
            await engine.answer(ctx, current, Answer(options=many.option_ids, text=incoming.text))
            return
        understood = understand(removal or incoming.text, choices)
        if understood.did_you_mean:
            close = tuple(o for o in question.options if o.id in understood.did_you_mean)
            ctx.send(replace(say(_("Did you mean one of these? Choose it, or write your answer again."),
                                 options=close), nav=question.nav or current.nav,
                             prompt_seq=ctx.conversation.prompt_seq))
            return
        if understood.option_id is None and question.options and \
                (kind_word := reply_to_small_talk(incoming.text, at_a_question=True)) is not None:
            ctx.send(say(kind_word))  # "halo" at the language question: a greeting, not a wrong answer
            await engine.ask_again(ctx, current)
            return
        await engine.answer(ctx, current, Answer(option=understood.option_id, text=removal or incoming.text,
                                                 removing=removal is not None))


def _label(option: Option, render: Callable[[Msg], str]) -> str:
    return option.label if isinstance(option.label, str) else render(option.label)
