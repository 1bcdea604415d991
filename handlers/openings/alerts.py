"""Alerts for new openings as the job seeker meets them: the message, opening an announced opening from it,
and turning alerts off and on.

An alert arrives whatever the user is doing, so its options carry commands (`/lihat t12`,
`/notifikasi off`) rather than answers to a question: the router runs a tapped command option like a
typed command, and the text names the same commands for those who type.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.messages import Msg, Option, Outgoing, Purpose, _, ngettext, say
from handlers.context import Context
from handlers.openings.applying import load_opening, title_of
from handlers.openings.browsing import show_opening
from models.applications import OpeningKind, OpeningRef
from models.catalog import ApprenticeshipOpening, TrainingProgram

Opening = TrainingProgram | ApprenticeshipOpening

SHOW_COMMAND = "/lihat"
ALERTS_COMMAND = "/notifikasi"
MAX_LISTED = 5
OFF_WORDS = frozenset({"off", "mati", "stop", "berhenti", "tidak"})
ON_WORDS = frozenset({"on", "nyala", "aktif", "hidup", "ya"})


def ref_of(opening: Opening) -> OpeningRef:
    kind = OpeningKind.TRAINING if isinstance(opening, TrainingProgram) else OpeningKind.APPRENTICESHIP
    return OpeningRef(kind, opening.id)


def alert_message(openings: Sequence[Opening]) -> Outgoing:
    """One message for all the openings a person matches in one run of the alerts job."""
    lines: list[Msg | str] = [
        ngettext("{count} new opening matches your profile:", "{count} new openings match your profile:", len(openings))
    ]
    options: list[Option] = []
    for opening in openings[:MAX_LISTED]:
        code = ref_of(opening).code
        lines += ["", title_of(opening), _("Apply by {deadline}. Details: {command} {code}").format(
            deadline=opening.deadline, command=SHOW_COMMAND, code=code)]
        options.append(Option(f"{SHOW_COMMAND} {code}", title_of(opening)))
    if len(openings) > MAX_LISTED:
        lines += ["", _("... and {count} more: see the openings in the main menu.").format(
            count=len(openings) - MAX_LISTED)]
    lines += ["", _("To stop these messages, type {command} off.").format(command=ALERTS_COMMAND)]
    options.append(Option(f"{ALERTS_COMMAND} off", _("Stop these alerts")))
    return say(*lines, options=tuple(options), purpose=Purpose.OPENING_ALERT)


async def open_announced(ctx: Context, code: str) -> None:
    """`/lihat t12`: the details of the opening with that code, ready to apply."""
    ref = OpeningRef.from_code(code)
    if ref is None or await load_opening(ctx, ref) is None:
        ctx.send(no_such_opening(code))
        return
    await show_opening(ctx, ref)


def no_such_opening(code: str) -> Outgoing:
    """For a code that names no opening (mistyped on a poster, say), quoted back short and printable."""
    shown = "".join(character for character in code[:16] if character.isprintable())
    return say(_("There is no opening with the code '{code}'. Choose the openings in the main menu to see "
                 "the current ones.").format(code=shown))


def change_alerts(ctx: Context, wanted: str) -> None:
    """`/notifikasi off`, `/notifikasi on`, or `/notifikasi` alone to see the setting and change it."""
    word = wanted.strip().casefold()
    if word in OFF_WORDS:
        ctx.user.opening_alerts = False
        ctx.send(say(_("Alerts for new openings are off. Type {command} on to turn them back on.")
                     .format(command=ALERTS_COMMAND)))
    elif word in ON_WORDS:
        ctx.user.opening_alerts = True
        ctx.send(say(_("Alerts for new openings are on: you get one message when an opening that matches your "
                       "profile is published.")))
    else:
        show_switch(ctx, ctx.user.opening_alerts, ALERTS_COMMAND, _("Alerts for new openings are on."),
                    _("Alerts for new openings are off."))


def show_switch(ctx: Context, on: bool, command: str, said_on: Msg, said_off: Msg) -> None:
    """Say whether a setting is on, with the button that turns it the other way (`<command> off` or `on`)."""
    if on:
        ctx.send(say(said_on, options=(Option(f"{command} off", _("Turn them off")),)))
    else:
        ctx.send(say(said_off, options=(Option(f"{command} on", _("Turn them on")),)))
