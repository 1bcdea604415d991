"""What the dashboard's inbox reads: the tabs of tickets, the count waiting and the longest wait, and one thread
with its asker shown masked (staff need to recognise the person, not read their full name and number)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import one_line
from models.answers import name_case
from models.files import StoredFile
from models.paging import Page
from models.profiles import get_profile
from models.tickets import (
    Attachment,
    InboxRow,
    InboxTab,
    Ticket,
    TicketMessage,
    Waiting,
    attachment,
    attachments,
    get_ticket,
    inbox_page,
    thread,
    waiting,
)
from models.users import User, get_user
from services.permissions import Actor, require_staff, require_viewer


@dataclass(frozen=True, slots=True)
class Inbox:
    page: Page[InboxRow]
    waiting: Waiting


@dataclass(frozen=True, slots=True)
class Conversation:
    ticket: Ticket
    user: User
    name: str
    """The asker's name masked ('Siti R.'), or empty for someone not registered."""
    phone: str
    """Their phone masked ('+62812****0001'), or empty."""
    messages: Sequence[TicketMessage]
    authors: dict[int, User]
    files: dict[int, Attachment] = field(default_factory=dict)
    """The file sent with a message, by message id (its name and size; staff download it, `ticket_file`)."""


GLIMPSE = 80
"""Characters of the latest message shown in the inbox's list."""


def masked_name(name: str) -> str:
    """The first name and the initials of the others: 'Siti Rahmawati' -> 'Siti R.'."""
    first, *others = name.split() or [""]
    return " ".join([first, *(f"{other[0]}." for other in others)])


def masked_phone(phone: str) -> str:
    return phone[:6] + "*" * max(len(phone) - 10, 0) + phone[-4:] if len(phone) > 10 else phone


async def inbox(session: AsyncSession, actor: Actor, tab: InboxTab, *, page: int, size: int) -> Inbox:
    require_viewer(actor)
    found = await inbox_page(session, tab, actor.user_id, page=page, size=size)
    rows = [replace(row, name=masked_name(name_case(row.name)) if row.name else None,
                    last_text=one_line(row.last_text, GLIMPSE)) for row in found.items]
    return Inbox(replace(found, items=rows), await waiting(session))


async def conversation(session: AsyncSession, actor: Actor, ticket_id: int) -> Conversation | None:
    require_viewer(actor)
    ticket = await get_ticket(session, ticket_id)
    user = await get_user(session, ticket.user_id) if ticket is not None else None
    if ticket is None or user is None:
        return None
    profile = await get_profile(session, user.id)
    messages = await thread(session, ticket.id)
    staff_ids = {message.author_id for message in messages if message.from_staff and message.author_id is not None}
    authors = {staff_id: author for staff_id in staff_ids if (author := await get_user(session, staff_id))}
    return Conversation(ticket, user, masked_name(profile.shown_name) if profile else "",
                        masked_phone(profile.phone_e164) if profile else "", messages, authors,
                        await attachments(session, ticket.id))


async def ticket_file(session: AsyncSession, actor: Actor, ticket_id: int, file_id: int) -> StoredFile | None:
    """A file of the ticket's thread, for staff to download (a viewer reads the thread, not what people sent)."""
    require_staff(actor)
    return await attachment(session, ticket_id, file_id)
