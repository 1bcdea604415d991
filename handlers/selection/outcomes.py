"""The words selection screens share: which moves wait for a training's date, and why a move was not made.

One applicant's card, several at once and the undo of a rejection all turn the same `Outcome`s of
`services.selection` into sentences here, so each refusal is said the same way everywhere.
"""

from __future__ import annotations

from datetime import date

from bot.engine.messages import Msg, _
from documents.labels import STATUS_FOR_STAFF
from models.applications import ApplicationStatus
from services.selection import Moved, Outcome, StaffMoves


def waiting_lines(moves: StaffMoves) -> list[Msg]:
    """One line per move that waits for the training's dates: staff see why it is not offered, and from when."""
    return [_("'{status}' can be recorded from {date}.").format(status=STATUS_FOR_STAFF[status], date=day)
            for status, day in moves.later]


def not_yet(status: ApplicationStatus, day: date) -> Msg:
    """For a status staff asked for that waits for the training's date: from when it may be recorded."""
    return _("'{status}' can only be recorded from {date}.").format(status=STATUS_FOR_STAFF[status], date=day)


def not_moved(moved: Moved, wanted: ApplicationStatus) -> Msg:
    """Why the change was not made, for any outcome but MOVED and GONE."""
    if moved.outcome is Outcome.TOO_EARLY:
        return _("Not changed yet: '{status}' can only be recorded from {date}.").format(
            status=STATUS_FOR_STAFF[wanted], date=moved.possible_from)
    if moved.outcome is Outcome.FULL and moved.places_left:
        return _("Only {left} places are left; nothing was changed.").format(left=moved.places_left)
    if moved.outcome is Outcome.FULL:
        return _("All {quota} places are taken; the change was not made.").format(quota=moved.quota)
    if moved.outcome is Outcome.NOT_ALLOWED:
        return _("Staff cannot set '{status}'; the change was not made.").format(status=STATUS_FOR_STAFF[wanted])
    if moved.outcome is Outcome.TOO_LATE:
        return _("More than a day has passed since the rejection, so it is final; the change was not made.")
    if moved.outcome is Outcome.APPLIED_AGAIN:
        return _("The applicant has applied to this opening again meanwhile; the change was not made.")
    return _("The application changed meanwhile; the change was not made.")
