"""Asking before `menu` throws away answers: someone halfway through registration who types "menu" is asked
first, and only a yes (tapped, or typed as people do: `ya`, `iya`, `yes`) leaves.

Flows whose answers survive leaving (a check-in pauses and keeps them) or that only show something are left at
once. The question pending is a flag in the conversation's data, so it holds across workers and restarts, and
it lasts one message: whatever else comes next is handled as usual.
"""

from __future__ import annotations

from dataclasses import replace

from bot.engine.messages import Incoming, IncomingKind, Msg, Option, _, say, split_option_token
from handlers import flow as engine
from handlers.choices import Choice, understand
from handlers.context import Context
from handlers.flow import Flow

PENDING = "asked_to_leave"
LEAVE = "leave"
STAY = "stay"
OPTIONS = (Option(LEAVE, _("Yes, leave")), Option(STAY, _("No, continue")))


def should_ask(ctx: Context, current: Flow) -> bool:
    """Whether leaving `current` now would lose answers the user gave."""
    return current.asks_before_leaving and engine.busy_with(ctx, current) and bool(ctx.draft)


def ask(ctx: Context) -> None:
    ctx.data[PENDING] = True
    question = say(_("Go to the main menu? The answers you gave here so far will be lost."), options=OPTIONS)
    ctx.send(replace(question, prompt_seq=ctx.conversation.prompt_seq))


def take_pending(ctx: Context) -> bool:
    """Whether the previous message asked; the question is answered (or dropped) by this message either way."""
    return ctx.conversation.flow is not None and bool(ctx.data.pop(PENDING, False))


async def settle(ctx: Context, current: Flow, incoming: Incoming) -> bool:
    """Leave or stay as the reply to the question says; False when the reply is about something else."""
    choice = _choice(ctx, incoming)
    if choice == LEAVE:
        await current.cancel(ctx)
        engine.end_flow(ctx)
    elif choice == STAY:
        await engine.ask_again(ctx, current)
    return choice is not None


def _choice(ctx: Context, incoming: Incoming) -> str | None:
    if incoming.kind is IncomingKind.OPTION:
        _seq, option_id = split_option_token(incoming.option)
        return option_id if option_id in (LEAVE, STAY) else None
    if incoming.kind is not IncomingKind.TEXT:
        return None
    return understand(incoming.text, [Choice(o.id, _label(ctx, o.label)) for o in OPTIONS]).option_id


def _label(ctx: Context, label: Msg | str) -> str:
    return ctx.render(label)
