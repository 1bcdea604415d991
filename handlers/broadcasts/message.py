"""What a broadcast looks like to its recipients; the staff preview shows exactly this, per language."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from bot.engine.messages import Image, Msg, Option, Outgoing, Purpose, _, say

STOP_COMMAND = "/stop"


def broadcast_message(text: str, opening_code: str | None, office_name: str, poster: Image | None = None) -> Outgoing:
    """The staff member's own words, framed by who sends it, how to stop, and the opening if one is linked.

    With a poster the words are its caption; a picture carries no buttons, so the opening is named by the
    command that shows it instead."""
    command = f"/lihat {opening_code}"
    options = (Option(command, _("See details and apply")),) if opening_code and poster is None else ()
    linked: tuple[Msg | str, ...] = ()
    if opening_code and poster is not None:
        linked = ("", _("To see the details and apply, type {command}.").format(command=command))
    message = say(
        _("Announcement from {office}:").format(office=office_name),
        "",
        text,
        *linked,
        "",
        _("To stop receiving announcements, type {command}.").format(command=STOP_COMMAND),
        options=options,
        purpose=Purpose.BROADCAST,
    )
    return message if poster is None else replace(message, image=poster)


@dataclass(frozen=True, slots=True)
class SeenMessage:
    """A broadcast as one reader sees it: the text, and the words of its buttons."""

    body: str
    buttons: tuple[str, ...]


def as_seen(render: Callable[[Msg | str], str], text: str, opening_code: str | None, office_name: str,
            poster: Image | None = None) -> SeenMessage:
    """The message in the reader's language (`render`): what the chat's and the dashboard's previews show."""
    message = broadcast_message(text, opening_code, office_name, poster)
    return SeenMessage("\n".join(render(part) for part in message.text),
                       tuple(render(option.label) for option in message.options))
