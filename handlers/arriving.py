"""Arriving from a poster, a brochure or a click-to-chat link: `DAFTAR`, or `DAFTAR t12` for one opening.

WhatsApp users cannot send /start with a payload, so posters ask them to send the keyword (wa.me links fill it
in: `?text=DAFTAR%20t12`); Telegram links send `/start daftar` or `/start t12`. Either way the person agrees to
hear from the bot (`models.opt_ins`), and lands where they meant to: someone new registers (then sees the
opening), someone registered sees the menu (or the opening). Typed "daftar" still answers a question that
offers it (the Apply button of an opening's details).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.engine.messages import _, say
from handlers import flow as engine
from handlers.choices import Choice, understand
from handlers.context import Context
from handlers.flow import Flow
from handlers.menu import FLOW as MENU
from handlers.openings.alerts import no_such_opening
from handlers.openings.browsing import landing_on, open_linked
from handlers.registration.registration import land_after_registering, start_registration
from models.applications import OpeningRef, get_opening
from models.opt_ins import OptInSource, agree
from models.profiles import is_registered

KEYWORD = "daftar"


@dataclass(frozen=True, slots=True)
class Arrival:
    """`DAFTAR` as typed: the opening's code after it, if any (as typed: it may be wrong)."""

    code: str | None

    @property
    def detail(self) -> str:
        """What the opt-in records: the keyword and the code, written the same way however they were typed."""
        return KEYWORD.upper() if self.code is None else f"{KEYWORD.upper()} {self.code.casefold()}"


def read_arrival(text: str) -> Arrival | None:
    """'DAFTAR', 'daftar', 'Daftar t12', ' DAFTAR  T12 ' -> an Arrival; anything else (a sentence that starts
    with 'daftar' included) -> None."""
    words = text.split()
    if not 1 <= len(words) <= 2 or words[0].casefold() != KEYWORD:
        return None
    return Arrival(words[1] if len(words) == 2 else None)


async def takes_keyword(ctx: Context, current: Flow | None, arrival: Arrival) -> bool:
    """Whether the message is the keyword here rather than an answer: always with a code or at the menu; alone,
    in a task, only at a question (not a screen that only shows something, like an opening's details, where
    'daftar' means apply) that does not offer 'daftar' itself."""
    if current is None or current.name == MENU.name or arrival.code is not None:
        return True
    if not engine.busy_with(ctx, current):
        return False
    question = await engine.current_question(ctx, current)
    choices = [
        Choice(option.id, option.label if isinstance(option.label, str) else ctx.render(option.label))
        for option in question.options
    ]
    return understand(KEYWORD, choices).option_id is None


async def agree_again(ctx: Context, source: OptInSource, detail: str = "") -> None:
    """/start or DAFTAR: an agreement to the messages the bot starts; after a /stop they come again."""
    await agree(ctx.session, ctx.user.id, ctx.user.channel, source, detail, now=ctx.now)
    if ctx.user.stopped_at is not None:
        ctx.user.stopped_at = None
        ctx.send(say(_("Welcome back: you will receive announcements and alerts again.")))


async def arrive(ctx: Context, current: Flow | None, arrival: Arrival) -> None:
    """Record the keyword, then land: in the middle of a task, back to it; otherwise on the opening named, or
    registration (someone new), or the menu (someone registered)."""
    await agree_again(ctx, OptInSource.KEYWORD, arrival.detail)
    if current is not None and current.name != MENU.name and engine.busy_with(ctx, current):
        if arrival.code is not None and not await _names_an_opening(ctx, arrival.code):
            ctx.send(no_such_opening(arrival.code))
        elif arrival.code is not None and (ref := OpeningRef.from_code(arrival.code)) is not None and \
                land_after_registering(ctx, landing_on(ref)):
            ctx.send(say(_("Noted: once your registration is complete, we will show you that opening.")))
        ctx.send(say(_("Welcome back! Let us continue where you left off.")))
        await engine.ask_again(ctx, current)
        return
    engine.end_flow(ctx)
    if arrival.code is not None:
        if await _names_an_opening(ctx, arrival.code):
            await open_linked(ctx, arrival.code)
            return
        ctx.send(no_such_opening(arrival.code))
    if ctx.user.works_at_office:
        return  # staff are not job seekers: the menu
    if await is_registered(ctx.session, ctx.user.id):
        ctx.send(say(_("You are already registered as a job seeker.")))
    else:
        await start_registration(ctx)


async def _names_an_opening(ctx: Context, code: str) -> bool:
    ref = OpeningRef.from_code(code)
    return ref is not None and await get_opening(ctx.session, ref) is not None
