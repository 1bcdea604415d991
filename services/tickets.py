"""Questions to the office ("Ask staff"): a user's messages go to their ticket, staff answer, assign and close.

Every staff action checks the role and writes an audit row in the same transaction; an answer is queued to the
user as a notice in that transaction too, so it is sent once the answer is stored and never without it (the
outbox delivers it). A reply or a close locks the ticket row first: two staff answering at once are stored and
delivered one after the other, each once.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, Option, Purpose, _, say
from models.audit import FORM_MEMORY, audit, audited_with_form
from models.profiles import get_profile
from models.regions import Office
from models.tickets import (
    MESSAGE_LIMIT,
    REOPEN_WITHIN,
    CloseReason,
    Ticket,
    TicketStatus,
    add_message,
    get_ticket,
    latest_ticket,
)
from services.notices import Notices
from services.permissions import Actor, require_staff

SUBJECT = "ticket"
REPLY = "ticket.reply"
ASSIGN = "ticket.assign"
CLOSE = "ticket.close"

ANSWER = _("Answer from {office} ({sender}) to your question #{ticket}:\n\n{text}")
ANSWER_FROM_OFFICE = _("Answer from {office} to your question #{ticket}:\n\n{text}")
REPLY_BUTTON = Option("/tanya", _("Reply to the office"))
"""Brings the user back to writing to their ticket (a closed one reopens within a week)."""


class Outcome(StrEnum):
    DONE = "done"
    GONE = "gone"
    """No such ticket (the user deleted their account)."""
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CLOSED = "closed"
    """The ticket was closed meanwhile: nothing to close again."""


@dataclass(frozen=True, slots=True)
class Added:
    outcome: Outcome
    ticket: Ticket | None = None
    opened: bool = False
    """A new ticket was started, or a closed one reopened: the user is told its number and when to expect an answer."""


def bounded_text(text: str) -> str | Outcome:
    """The message as kept, or why it cannot be: empty, or longer than `MESSAGE_LIMIT` characters."""
    kept = text.strip()
    if not kept:
        return Outcome.EMPTY
    return Outcome.TOO_LONG if len(kept) > MESSAGE_LIMIT else kept


async def ask(session: AsyncSession, user_id: int, text: str, *, now: datetime) -> Added:
    """Add the user's message to their open ticket; to the last closed one if it was closed less than
    `REOPEN_WITHIN` ago (reopening it, unassigned kept as it was); else to a new ticket."""
    kept = bounded_text(text)
    if isinstance(kept, Outcome):
        return Added(kept)
    ticket = await latest_ticket(session, user_id)
    opened = ticket is None or ticket.status != TicketStatus.OPEN
    if ticket is None or (ticket.closed_at is not None and now - ticket.closed_at > REOPEN_WITHIN):
        ticket = Ticket(user_id=user_id, status=TicketStatus.OPEN, created_at=now, last_message_at=now)
        session.add(ticket)
        await session.flush()
    elif ticket.status != TicketStatus.OPEN:
        ticket.status, ticket.closed_at, ticket.close_reason = TicketStatus.OPEN, None, None
    add_message(session, ticket, author_id=user_id, from_staff=False, text=kept, now=now)
    return Added(Outcome.DONE, ticket, opened)


async def _sender_name(session: AsyncSession, actor: Actor) -> str | None:
    """The staff member's first name when they have one on file; the office signs otherwise."""
    profile = await get_profile(session, actor.user_id) if actor.user_id is not None else None
    return profile.shown_name.split()[0] if profile is not None and profile.full_name.strip() else None


def answer_message(office: Office, ticket_id: int, text: str, sender: str | None) -> Msg:
    """The answer as the user reads it, marked as from the office."""
    if sender is None:
        return ANSWER_FROM_OFFICE.format(office=office.name, ticket=ticket_id, text=text)
    return ANSWER.format(office=office.name, sender=sender, ticket=ticket_id, text=text)


async def reply(session: AsyncSession, actor: Actor, ticket_id: int, text: str, *, now: datetime, office: Office,
                notices: Notices, form: str = "") -> Outcome:
    """Store a staff answer and queue it to the user. Answering a closed ticket is allowed (a late answer still
    reaches the user) and leaves it closed. A web form sent twice (`form`, its one-time id) is applied once."""
    require_staff(actor)
    kept = bounded_text(text)
    if isinstance(kept, Outcome):
        return kept
    ticket = await get_ticket(session, ticket_id, lock=True)
    if ticket is None:
        return Outcome.GONE
    if form and await audited_with_form(session, (REPLY,), form, now - FORM_MEMORY):
        return Outcome.DONE
    message = add_message(session, ticket, author_id=actor.user_id, from_staff=True, text=kept, now=now)
    await session.flush()
    if ticket.assigned_to is None and actor.user_id is not None:
        ticket.assigned_to = actor.user_id
    audit(session, at=now, actor_id=actor.user_id, action=REPLY, subject_kind=SUBJECT, subject_id=ticket.id,
          detail={"origin": actor.origin, "message": message.id, **({"form": form} if form else {})})
    sender = await _sender_name(session, actor)
    notices.notify(ticket.user_id, say(answer_message(office, ticket.id, kept, sender), options=(REPLY_BUTTON,),
                                      purpose=Purpose.NOTIFICATION))
    return Outcome.DONE


async def assign(session: AsyncSession, actor: Actor, ticket_id: int, assignee_id: int | None, *,
                 now: datetime) -> Outcome:
    """Give the ticket to `assignee_id` (None: to nobody)."""
    require_staff(actor)
    ticket = await get_ticket(session, ticket_id, lock=True)
    if ticket is None:
        return Outcome.GONE
    before, ticket.assigned_to = ticket.assigned_to, assignee_id
    if before != assignee_id:
        audit(session, at=now, actor_id=actor.user_id, action=ASSIGN, subject_kind=SUBJECT, subject_id=ticket.id,
              detail={"origin": actor.origin, "before": before, "after": assignee_id})
    return Outcome.DONE


async def close(session: AsyncSession, actor: Actor, ticket_id: int, reason: CloseReason, *,
                now: datetime) -> Outcome:
    """Close the ticket for `reason`; the user's next message within a week reopens it."""
    require_staff(actor)
    ticket = await get_ticket(session, ticket_id, lock=True)
    if ticket is None:
        return Outcome.GONE
    if ticket.status == TicketStatus.CLOSED:
        return Outcome.CLOSED
    ticket.status, ticket.closed_at, ticket.close_reason = TicketStatus.CLOSED, now, reason.value
    audit(session, at=now, actor_id=actor.user_id, action=CLOSE, subject_kind=SUBJECT, subject_id=ticket.id,
          detail={"origin": actor.origin, "before": TicketStatus.OPEN.value, "after": TicketStatus.CLOSED.value,
                  "reason": reason.value})
    return Outcome.DONE
