"""Changing the language at any time: one question, then back to the menu."""

from __future__ import annotations

from bot.engine.messages import Outgoing, _, say
from handlers.context import Context
from handlers.flow import Flow, Step, end_flow
from handlers.registration.registration import accept_language, language_options


async def ask(ctx: Context) -> Outgoing:
    return say(_("Which language do you prefer?"), options=language_options(ctx))


async def finish(ctx: Context) -> None:
    end_flow(ctx)
    ctx.send(say(_("Language changed.")))


async def cancel(ctx: Context) -> None:
    end_flow(ctx)


FLOW = Flow(name="language", steps=(Step("language", ask, accept_language),), finish=finish, cancel=cancel)
