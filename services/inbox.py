"""What the dashboard's inbox reads: the tabs of tickets, the count waiting and the longest wait, one thread with
its asker shown masked (staff need to recognise the person, not read their full name and number), and beside it
what helps to answer: the asker's applications, the bot's latest messages to them and where they are in the chat."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.messages import Msg, _, one_line
from models.answers import name_case
from models.files import StoredFile
from models.outbox import OutboxMessage
from models.paging import Page
from models.profiles import JobSeekerProfile, get_profile
from models.ticket_context import AppliedTo, conversation_of, latest_applications, latest_sent
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
from models.users import User, acting_staff, get_user
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


CONTEXT_APPLICATIONS = 10
CONTEXT_MESSAGES = 10
SENT_GLIMPSE = 140
"""Characters of each of the bot's latest messages shown beside the thread."""
FLOW_NAMES: dict[str, Msg] = {
    "menu": _("at the main menu"),
    "registration": _("registering or changing their data"),
    "openings": _("browsing training and apprenticeship openings"),
    "my_applications": _("reading their applications"),
    "checkin": _("answering a follow-up check-in"),
    "ask_staff": _("writing to the office (this question)"),
    "language": _("choosing a language"),
    "delete_account": _("deleting their account"),
}
"""Where a job seeker is in the chat, as staff read it; another flow's own name is shown as it is."""


@dataclass(frozen=True, slots=True)
class SentMessage:
    """One of the bot's latest messages to the asker, masked like the thread's header."""

    message: OutboxMessage
    text: str
    """A glimpse of it; empty for a message that held data only its reader may see (their NIK, an export)."""


@dataclass(frozen=True, slots=True)
class AskerContext:
    applications: Sequence[AppliedTo]
    sent: Sequence[SentMessage]
    flow: Msg | str | None
    """Where they are in the chat now, in words (None: nowhere in particular, or they never wrote)."""


def masked_text(text: str, profile: JobSeekerProfile | None) -> str:
    """`text` with the asker's full name and phone number masked as the thread's header shows them."""
    if profile is None:
        return text
    shown = text
    for name in {profile.full_name.strip(), profile.shown_name.strip()} - {""}:
        shown = shown.replace(name, masked_name(name))
    phone, masked = profile.phone_e164, masked_phone(profile.phone_e164)
    if phone.startswith("+62") and len(phone) > 10:  # also as written at home: 0812... for +62812...
        shown = shown.replace("0" + phone[3:], "0" + masked[3:])
    return shown.replace(phone, masked) if len(phone) > 10 else shown


async def asker_context(session: AsyncSession, actor: Actor, shown: Conversation) -> AskerContext:
    """The asker's latest applications and the bot's latest messages to them, each list bounded."""
    require_viewer(actor)
    user_id = shown.user.id
    profile = await get_profile(session, user_id)
    sent = [SentMessage(message, "" if message.payload.get("sensitive") else
                        one_line(masked_text(str(message.payload.get("text", "")), profile), SENT_GLIMPSE))
            for message in await latest_sent(session, user_id, CONTEXT_MESSAGES)]
    chat = await conversation_of(session, user_id)
    flow = FLOW_NAMES.get(chat.flow, chat.flow) if chat is not None and chat.flow else None
    return AskerContext(await latest_applications(session, user_id, CONTEXT_APPLICATIONS), sent, flow)


async def assignable_staff(session: AsyncSession, actor: Actor) -> Sequence[User]:
    """The staff and admins a question can be given to."""
    require_viewer(actor)
    return await acting_staff(session)


async def ticket_file(session: AsyncSession, actor: Actor, ticket_id: int, file_id: int) -> StoredFile | None:
    """A file of the ticket's thread, for staff to download (a viewer reads the thread, not what people sent)."""
    require_staff(actor)
    return await attachment(session, ticket_id, file_id)
