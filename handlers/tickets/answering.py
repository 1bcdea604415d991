"""/jawab <ticket> <text>: staff answer a question from chat, for an office without a desk computer at hand."""

from __future__ import annotations

from bot.engine.messages import Msg, _, say
from handlers.context import Context
from models.tickets import MESSAGE_LIMIT
from services.permissions import Actor
from services.tickets import Outcome, reply

USAGE = _("To answer a question, write /jawab, its number and your answer, for example: /jawab 12 Your certificate "
          "is ready.")
SAID: dict[Outcome, Msg] = {
    Outcome.DONE: _("Your answer to question #{ticket} was sent."),
    Outcome.GONE: _("There is no question #{ticket}."),
    Outcome.EMPTY: USAGE,
    Outcome.TOO_LONG: _("That answer is too long: please write at most {limit} characters."),
}


async def answer_ticket(ctx: Context, argument: str) -> None:
    number, _sep, text = argument.strip().lstrip("#").partition(" ")
    if not number.isdigit() or not text.strip():
        ctx.send(say(USAGE))
        return
    outcome = await reply(ctx.session, Actor.of(ctx.user), int(number), text, now=ctx.now,
                          office=ctx.services.office, notices=ctx)
    ctx.send(say(SAID[outcome].format(ticket=int(number), limit=MESSAGE_LIMIT)))
