"""Staff answer questions from chat, for an office without a desk computer at hand: `/jawab <ticket> <text>`, or
`/jawab <ticket>` alone (the Answer button of a new-question alert), which asks for the answer in a step of its
own. An answer of `#<number>` alone sends that canned answer (`/jawab 12 #3`). `/tiket on|off` turns those alerts
on or off.

Every answer goes through `services.tickets.reply`, like the dashboard's.
"""

from __future__ import annotations

from bot.engine.messages import Msg, Nav, Outgoing, _, parse_id, say
from handlers.context import Context
from handlers.flow import Answer, Ended, Flow, Invalid, Result, Step, begin, end_flow, leave_flow
from handlers.openings.alerts import OFF_WORDS, ON_WORDS, show_switch
from models.tickets import MESSAGE_LIMIT
from services.canned_answers import canned_text
from services.permissions import Actor
from services.tickets import Outcome, reply, set_alerts

ALERTS_COMMAND = "/tiket"
WRITING = "writing"
TICKET = "ticket"

USAGE = _("To answer a question, write /jawab, its number and your answer, for example: /jawab 12 Your certificate "
          "is ready.")
SAID: dict[Outcome, Msg] = {
    Outcome.DONE: _("Your answer to question #{ticket} was sent."),
    Outcome.HELD: _("Your answer to question #{ticket} was saved. The person's WhatsApp window has closed: they were "
                    "told an answer waits, and receive it when they reply."),
    Outcome.GONE: _("There is no question #{ticket}."),
    Outcome.EMPTY: USAGE,
    Outcome.TOO_LONG: _("That answer is too long: please write at most {limit} characters."),
}


def ticket_number(argument: str) -> tuple[int, str] | None:
    """(ticket, answer) from `/jawab`'s argument ("12 text", "#12 text" or "12" alone); None if it names none."""
    number, _sep, text = argument.strip().lstrip("#").partition(" ")
    ticket = parse_id(number)
    return (ticket, text.strip()) if ticket is not None else None


def canned_number(text: str) -> int | None:
    """The canned answer an answer of `#3` alone names; None for any other answer."""
    word = text.strip()
    digits = word[1:]
    return int(digits) if word.startswith("#") and digits.isascii() and digits.isdigit() and len(digits) < 10 else None


async def _send_answer(ctx: Context, ticket: int, text: str) -> Outcome | None:
    canned = canned_number(text)
    if canned is not None:
        found = await canned_text(ctx.session, Actor.of(ctx.user), canned)
        if found is None:
            ctx.send(say(_("There is no canned answer #{number}. The dashboard lists them under Messages, Canned "
                           "answers.").format(number=canned)))
            return None
        text = found
    outcome = await reply(ctx.session, Actor.of(ctx.user), ticket, text, now=ctx.now, office=ctx.services.office,
                          notices=ctx)
    ctx.send(say(SAID[outcome].format(ticket=ticket, limit=MESSAGE_LIMIT)))
    return outcome


async def answer_ticket(ctx: Context, argument: str) -> None:
    """`/jawab <ticket> <text>`: the answer in one message."""
    named = ticket_number(argument)
    if named is None or not named[1]:
        ctx.send(say(USAGE))
        return
    await _send_answer(ctx, *named)


async def start_answer(ctx: Context, ticket: int) -> None:
    """`/jawab <ticket>`: ask for the answer in the next message."""
    await begin(ctx, FLOW, data={"draft": {TICKET: ticket}})


async def ask_answer(ctx: Context) -> Outgoing:
    return say(_("Write your answer to question #{ticket}; it is sent to the person who asked.")
               .format(ticket=ctx.draft.get(TICKET)), nav=(Nav.CANCEL,))


async def accept_answer(ctx: Context, given: Answer) -> Result:
    if len(given.text.strip()) > MESSAGE_LIMIT:
        return Invalid(SAID[Outcome.TOO_LONG].format(limit=MESSAGE_LIMIT))
    if not given.text.strip():
        return Invalid(_("Please write your answer as text."))
    await _send_answer(ctx, int(ctx.draft[TICKET]), given.text)
    end_flow(ctx)
    return Ended()


FLOW = Flow(name="answer_ticket", steps=(Step(WRITING, ask_answer, accept_answer),), finish=leave_flow,
            cancel=leave_flow, nav=(Nav.CANCEL,))


async def change_alerts(ctx: Context, wanted: str) -> None:
    """`/tiket on`, `/tiket off`, or `/tiket` alone to see the setting and change it."""
    word = wanted.strip().casefold()
    if word in OFF_WORDS | ON_WORDS:
        await set_alerts(ctx.session, Actor.of(ctx.user), ctx.user, word in ON_WORDS, now=ctx.now)
    show_switch(ctx, ctx.user.ticket_alerts, ALERTS_COMMAND,
                _("You are told here of each new question from job seekers, with a button to answer it."),
                _("You are not told here of new questions from job seekers."))
