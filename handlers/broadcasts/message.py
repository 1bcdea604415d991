"""What a broadcast looks like to its recipients; the staff preview shows exactly this, per language."""

from __future__ import annotations

from bot.engine.messages import Option, Outgoing, Purpose, _, say

STOP_COMMAND = "/stop"


def broadcast_message(text: str, opening_code: str | None, office_name: str) -> Outgoing:
    """The staff member's own words, framed by who sends it, how to stop, and the opening if one is linked."""
    options = (Option(f"/lihat {opening_code}", _("See details and apply")),) if opening_code else ()
    return say(
        _("Announcement from {office}:").format(office=office_name),
        "",
        text,
        "",
        _("To stop receiving announcements, type {command}.").format(command=STOP_COMMAND),
        options=options,
        purpose=Purpose.BROADCAST,
    )
