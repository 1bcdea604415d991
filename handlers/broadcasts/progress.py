"""The figures of a broadcast in words: progress for its author, and the staff list of recent ones."""

from __future__ import annotations

from collections.abc import Sequence

from bot.engine.messages import Msg, Outgoing, _, say
from models.broadcasts import BroadcastStatus, Figures

STATUS: dict[str, Msg] = {
    BroadcastStatus.SCHEDULED: _("scheduled"),
    BroadcastStatus.SENDING: _("sending"),
    BroadcastStatus.DONE: _("finished"),
    BroadcastStatus.CANCELLED: _("cancelled"),
}


def figures_line(figures: Figures) -> Msg:
    return _("{sent} sent, {failed} failed, {unreachable} unreachable, {skipped} skipped, {remaining} remaining "
             "(of {total}).").format(sent=figures.sent, failed=figures.failed, unreachable=figures.unreachable,
                                     skipped=figures.skipped, remaining=figures.remaining, total=figures.total)


def progress_message(broadcast_id: int, figures: Figures, waiting: Sequence[Msg] = ()) -> Outgoing:
    """The figures, and what still waits on WhatsApp (`handlers.broadcasts.pacing.waiting_lines`)."""
    heading = (_("Broadcast #{id} is finished:") if figures.remaining == 0
               else _("Broadcast #{id}, {percent}% done:")).format(id=broadcast_id, percent=figures.tenths_done * 10)
    return say(heading, figures_line(figures), *waiting)
