"""/help: how to answer, what the reader can do (staff also see their commands), and how to reach the office.

The commands are written in the reader's language (`/profil` in Indonesian, `/profile` in English): both work,
and people type the ones they were shown.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from bot.engine.messages import ClockTime, MonthName, Msg, Outgoing, Weekday, _, say
from handlers.context import Context
from models.opening_hours import is_open, next_opening
from models.regions import Office

HOW_TO_ANSWER = _(
    "Sahabat Kerja helps you register with the labour office and follow its programs. Answer the questions by "
    "typing, or choose an option by its number (several at once where you may choose several, like 1, 3, 5). "
    "Type 'back' to return to the previous question, 'cancel' to stop, and 'menu' for the main menu."
)
COMMANDS = _(
    "What you can do:\n"
    "/menu - the main menu\n"
    "/profile - your profile\n"
    "/checkin - answer your monthly check-in\n"
    "/opening t12 - an opening by its code\n"
    "/language - change the language\n"
    "/export - all the data we hold about you\n"
    "/delete - delete your account\n"
    "/stop - no more announcements (/start to receive them again)\n"
    "/help - this message"
)
STAFF_COMMANDS = _(
    "For staff:\n"
    "/staff - selection of applicants, and new openings from a file\n"
    "/broadcast - announcements to job seekers and alumni\n"
    "/report - the follow-up report and training targets\n"
    "/login - a link that signs you in to the dashboard"
)


def help_message(ctx: Context) -> Outgoing:
    sections: list[Msg | str] = [HOW_TO_ANSWER, COMMANDS]
    if ctx.user.is_staff:
        sections.append(STAFF_COMMANDS)
    sections.append(office_contact(ctx.services.office, ctx.render, ctx.now))
    parts: list[Msg | str] = []
    for section in sections:
        parts += [section] if not parts else ["", section]  # a blank line between sections
    return say(*parts)


def reopening(office: Office, now: datetime) -> dict[str, Any] | None:
    """When the office opens again, as the values of a sentence (weekday, day, month, time, zone, in its own
    time); None while it is open, or when the region file sets no opening hours."""
    if office.opening is None or is_open(office.opening, now, office.timezone):
        return None
    opens = next_opening(office.opening, now, office.timezone)
    return {"weekday": Weekday(opens.weekday()), "day": opens.day, "month": MonthName(opens.month),
            "time": ClockTime(opens.hour, opens.minute), "zone": opens.tzname() or office.timezone}


def office_contact(office: Office, render: Callable[[Msg], str], now: datetime | None = None) -> str:
    """How to reach the office: its name, then the address, hours and phone it has set (in the region file or
    the settings), one line each; with `now`, whether it is open or when it opens again."""
    reopens = reopening(office, now) if now is not None else None
    status = None
    if now is not None and office.opening is not None:
        status = _("Open now.") if reopens is None else _("Closed now; opens again on {weekday}, {day} {month} at "
                                                          "{time} {zone}.").format(**reopens)
    lines = [
        _("Address: {address}").format(address=office.address) if office.address else None,
        _("Opening hours: {hours}").format(hours=office.hours) if office.hours else None,
        status,
        _("Phone: {phone}").format(phone=office.phone) if office.phone else None,
    ]
    shown = [line for line in lines if line is not None]
    heading = _("To reach {office}:") if shown else _("Questions? Contact {office}.")
    return "\n".join(render(line) for line in (heading.format(office=office.name), *shown))
