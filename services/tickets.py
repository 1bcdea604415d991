"""Questions to the office ("Ask staff"): a user's messages go to their ticket, staff answer, assign and close.

Every staff action checks the role and writes an audit row in the same transaction; an answer is queued to the
user as a notice in that transaction too, so it is sent once the answer is stored and never without it (the
outbox delivers it). A reply or a close locks the ticket row first: two staff answering at once are stored and
delivered one after the other, each once.

On WhatsApp a user silent for a day may only be sent an approved template: then the answer is held in the thread
(`TicketMessage.held`) and the user is only told of it; the answer itself goes out when they next write
(`release_held`), so nothing waits in memory and nothing is sent twice. Staff who opt in (`set_alerts`) are told
of each new question in the chat.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Image, Msg, Option, Outgoing, Purpose, _, one_line, say
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
    attach_file,
    get_ticket,
    held_answers,
    latest_ticket,
    message_file,
)
from models.users import User, get_user, ticket_alert_staff
from services.notices import Notices
from services.permissions import Actor, require_staff
from services.ticket_files import CheckedFile, keep_file

SUBJECT = "ticket"
REPLY = "ticket.reply"
ASSIGN = "ticket.assign"
CLOSE = "ticket.close"
ALERTS = "ticket.alerts"

ANSWER = _("Answer from {office} ({sender}) to your question #{ticket}:\n\n{text}")
ANSWER_FROM_OFFICE = _("Answer from {office} to your question #{ticket}:\n\n{text}")
REPLY_BUTTON = Option("/tanya", _("Reply to the office"))
"""Brings the user back to writing to their ticket (a closed one reopens within a week)."""
ANSWER_WAITS = _("{office} has answered your question #{ticket}. Please reply to this message to read the answer.")
NEW_QUESTION = _("New question #{ticket}: {text}")
ANSWER_BUTTON = _("Answer")
GLIMPSE = 300
"""Characters of a new question shown to staff in the chat; the whole thread is in the dashboard."""

HELD_CHANNELS = frozenset({"whatsapp"})
"""Channels that may write freely to a user only within 24 hours of the user's last message."""
HOLD_AFTER = timedelta(hours=23)
"""Answers to a user silent this long are held: an hour short of WhatsApp's 24, so that an answer still waiting
in the outbox when the window closes is never sent as a template with nothing to follow it."""


class Outcome(StrEnum):
    DONE = "done"
    GONE = "gone"
    """No such ticket (the user deleted their account)."""
    EMPTY = "empty"
    TOO_LONG = "too_long"
    CLOSED = "closed"
    """The ticket was closed meanwhile: nothing to close again."""
    NOT_STAFF = "not_staff"
    """The ticket was to go to someone who is not (or no longer) staff: nothing changed."""
    HELD = "held"
    """The answer is stored, but the user (on WhatsApp, silent for a day) was only told that it waits: it reaches
    them when they next write."""


@dataclass(frozen=True, slots=True)
class Added:
    outcome: Outcome
    ticket: Ticket | None = None
    opened: bool = False
    """A new ticket was started, or a closed one reopened: the user is told its number and when to expect an answer."""


def bounded_text(text: str, *, with_file: bool = False) -> str | Outcome:
    """The message as kept, or why it cannot be: empty (unless a file comes with it: a photo needs no caption),
    or longer than `MESSAGE_LIMIT` characters."""
    kept = text.strip()
    if not kept and not with_file:
        return Outcome.EMPTY
    return Outcome.TOO_LONG if len(kept) > MESSAGE_LIMIT else kept


async def ask(session: AsyncSession, user_id: int, text: str, *, now: datetime,
              file: CheckedFile | None = None) -> Added:
    """Add the user's message (with `file`, checked by `services.ticket_files.check_file`, its text the caption)
    to their open ticket; to the last closed one if it was closed less than `REOPEN_WITHIN` ago (reopening it,
    unassigned kept as it was); else to a new ticket."""
    kept = bounded_text(text, with_file=file is not None)
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
    message = add_message(session, ticket, author_id=user_id, from_staff=False, text=kept, now=now)
    if file is not None:
        await attach_file(session, message, (await keep_file(session, file, now=now)).file_id)
    return Added(Outcome.DONE, ticket, opened)


async def _sender_name(session: AsyncSession, staff_id: int | None) -> str | None:
    """The staff member's first name when they have one on file; the office signs otherwise."""
    profile = await get_profile(session, staff_id) if staff_id is not None else None
    return profile.shown_name.split()[0] if profile is not None and profile.full_name.strip() else None


def answer_message(office: Office, ticket_id: int, text: str, sender: str | None) -> Msg:
    """The answer as the user reads it, marked as from the office."""
    if sender is None:
        return ANSWER_FROM_OFFICE.format(office=office.name, ticket=ticket_id, text=text)
    return ANSWER.format(office=office.name, sender=sender, ticket=ticket_id, text=text)


def must_hold(user: User | None, now: datetime) -> bool:
    """Whether an answer to `user` now would reach them only as a template (see `HOLD_AFTER`)."""
    return user is not None and user.channel in HELD_CHANNELS and now - user.last_seen_at >= HOLD_AFTER


def answer_outgoing(office: Office, ticket_id: int, text: str, sender: str | None, image: Image | None) -> Outgoing:
    """The answer as sent: with a file, the file with the answer as its caption (such a message offers no button;
    the user replies by writing, or with /tanya)."""
    if image is None:
        return say(answer_message(office, ticket_id, text, sender), options=(REPLY_BUTTON,),
                   purpose=Purpose.TICKET_REPLY)
    return Outgoing(text=(answer_message(office, ticket_id, text, sender),), image=image,
                    purpose=Purpose.TICKET_REPLY)


async def reply(session: AsyncSession, actor: Actor, ticket_id: int, text: str, *, now: datetime, office: Office,
                notices: Notices, form: str = "", file: CheckedFile | None = None) -> Outcome:
    """Store a staff answer (with `file`, checked by `services.ticket_files.check_file`, sent with it) and queue
    it to the user (`Outcome.HELD`: only the news of it, see `must_hold`). Answering a closed ticket is allowed
    (a late answer still reaches the user) and leaves it closed. A web form sent twice (`form`, its one-time id)
    is applied once."""
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
    message.held = must_hold(await get_user(session, ticket.user_id), now)
    image = await keep_file(session, file, now=now) if file is not None else None
    if image is not None:
        await attach_file(session, message, image.file_id)
    await session.flush()
    if ticket.assigned_to is None and actor.user_id is not None:
        ticket.assigned_to = actor.user_id
    audit(session, at=now, actor_id=actor.user_id, action=REPLY, subject_kind=SUBJECT, subject_id=ticket.id,
          detail={"origin": actor.origin, "message": message.id, "held": message.held,
                  **({"form": form} if form else {}), **({"file": image.file_id} if image is not None else {})})
    if message.held:
        told = say(ANSWER_WAITS.format(office=office.name, ticket=ticket.id), options=(REPLY_BUTTON,),
                   purpose=Purpose.TICKET_REPLY)
    else:
        told = answer_outgoing(office, ticket.id, kept, await _sender_name(session, actor.user_id), image)
    notices.notify(ticket.user_id, told)
    return Outcome.HELD if message.held else Outcome.DONE


async def release_held(session: AsyncSession, user: User, office: Office) -> list[Outgoing]:
    """The held answers to `user`, in full and oldest first, to send now that they wrote (their window is open);
    they stop being held in the same transaction, so each is delivered once."""
    if user.channel not in HELD_CHANNELS:
        return []
    released: list[Outgoing] = []
    for message in await held_answers(session, user.id):
        message.held = False
        sender = await _sender_name(session, message.author_id)
        stored = await message_file(session, message.id)
        image = Image(stored.id, stored.name, stored.media_type) if stored is not None else None
        released.append(replace(answer_outgoing(office, message.ticket_id, message.text, sender, image),
                                purpose=None))
    return released


async def alert_staff(session: AsyncSession, ticket: Ticket, text: str, notices: Notices) -> None:
    """Tell the staff who opted in of a new (or reopened) question, with a button that opens their answer."""
    for staff in await ticket_alert_staff(session):
        if staff.id != ticket.user_id:
            notices.notify(staff.id, say(NEW_QUESTION.format(ticket=ticket.id, text=one_line(text, GLIMPSE)),
                                         options=(Option(f"/jawab {ticket.id}", ANSWER_BUTTON),)))


async def set_alerts(session: AsyncSession, actor: Actor, staff: User, on: bool, *, now: datetime) -> None:
    """Turn the staff member's alerts of new questions on or off."""
    require_staff(actor)
    before, staff.ticket_alerts = staff.ticket_alerts, on
    if before != on:
        audit(session, at=now, actor_id=actor.user_id, action=ALERTS, subject_kind="user", subject_id=staff.id,
              detail={"origin": actor.origin, "before": before, "after": on})


async def assign(session: AsyncSession, actor: Actor, ticket_id: int, assignee_id: int | None, *,
                 now: datetime) -> Outcome:
    """Give the ticket to `assignee_id` (None: to nobody), who must be staff or an admin: an id from a forged form
    changes nothing (`Outcome.NOT_STAFF`)."""
    require_staff(actor)
    ticket = await get_ticket(session, ticket_id, lock=True)
    if ticket is None:
        return Outcome.GONE
    if assignee_id is not None:
        assignee = await get_user(session, assignee_id)
        if assignee is None or not assignee.is_staff:
            return Outcome.NOT_STAFF
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
