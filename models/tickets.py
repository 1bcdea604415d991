"""Questions job seekers ask the office ("Ask staff"): one ticket per question thread, its messages in order.

A user has at most one ticket that is open; a message within `REOPEN_WITHIN` of a ticket's closing reopens it
instead of starting another, so a "thank you" or a follow-up stays with the thread staff already read. The inbox
reads open tickets oldest waiting first from one index (`ix_tickets_status_last_message_at`).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ForeignKey, Index, String, delete, false, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, aliased, mapped_column

from models.base import Base
from models.files import StoredFile
from models.paging import Page, table_page
from models.profiles import JobSeekerProfile
from models.users import User

MESSAGE_LIMIT = 2000
"""The longest message kept, in characters, from either side (a WhatsApp message holds 4096)."""
REOPEN_WITHIN = timedelta(days=7)


class TicketStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class CloseReason(StrEnum):
    ANSWERED = "answered"
    SPAM = "spam"
    DUPLICATE = "duplicate"


class Ticket(Base):
    __tablename__ = "tickets"
    __table_args__ = (
        Index("ix_tickets_status_last_message_at", "status", "last_message_at"),
        Index("ix_tickets_user_id_status", "user_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    status: Mapped[str] = mapped_column(String(8), default=TicketStatus.OPEN)
    assigned_to: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime]
    last_message_at: Mapped[datetime]
    """When the user last wrote: the inbox shows the longest waiting first."""
    closed_at: Mapped[datetime | None]
    close_reason: Mapped[str | None] = mapped_column(String(12))


class TicketMessage(Base):
    __tablename__ = "ticket_messages"
    __table_args__ = (Index("ix_ticket_messages_ticket_id_id", "ticket_id", "id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    ticket_id: Mapped[int] = mapped_column(ForeignKey("tickets.id", ondelete="CASCADE"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    """Who wrote it: the user, or the staff member (None once their account is gone)."""
    from_staff: Mapped[bool]
    text: Mapped[str] = mapped_column(String(MESSAGE_LIMIT))
    created_at: Mapped[datetime]
    held: Mapped[bool] = mapped_column(default=False, server_default=false())
    """A staff answer the user has only been told of (their WhatsApp window was closed): it is delivered in full
    when they next write, and the flag cleared in that same transaction."""


class TicketMessageFile(Base):
    """A photo or document sent with a ticket message (the message's text its caption), kept as a stored file.
    A table of its own rather than a column: SQLite cannot add a foreign key to an existing table without
    copying it. Deleted with the user's account (`delete_ticket_files`)."""

    __tablename__ = "ticket_message_files"

    message_id: Mapped[int] = mapped_column(ForeignKey("ticket_messages.id", ondelete="CASCADE"), primary_key=True)
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_files.id", ondelete="CASCADE"), index=True)


async def get_ticket(session: AsyncSession, ticket_id: int, *, lock: bool = False) -> Ticket | None:
    """The ticket, locked against a concurrent change when `lock` (two staff replying or closing at once)."""
    query = select(Ticket).where(Ticket.id == ticket_id)
    return await session.scalar(query.with_for_update() if lock else query)


async def latest_ticket(session: AsyncSession, user_id: int) -> Ticket | None:
    """The user's newest ticket, open or closed."""
    query = select(Ticket).where(Ticket.user_id == user_id).order_by(Ticket.id.desc()).limit(1)
    return await session.scalar(query)


async def open_ticket_of(session: AsyncSession, user_id: int) -> Ticket | None:
    query = select(Ticket).where(Ticket.user_id == user_id, Ticket.status == TicketStatus.OPEN)
    return await session.scalar(query.order_by(Ticket.id.desc()).limit(1))


def add_message(session: AsyncSession, ticket: Ticket, *, author_id: int | None, from_staff: bool, text: str,
                now: datetime) -> TicketMessage:
    message = TicketMessage(ticket_id=ticket.id, author_id=author_id, from_staff=from_staff, text=text,
                            created_at=now)
    session.add(message)
    if not from_staff:
        ticket.last_message_at = now
    return message


async def attach_file(session: AsyncSession, message: TicketMessage, file_id: int) -> None:
    """Link a stored file to the message (flushed first, for its id)."""
    await session.flush()
    session.add(TicketMessageFile(message_id=message.id, file_id=file_id))


async def message_file(session: AsyncSession, message_id: int) -> StoredFile | None:
    """The file sent with the message, if any."""
    query = (select(StoredFile).join(TicketMessageFile, TicketMessageFile.file_id == StoredFile.id)
             .where(TicketMessageFile.message_id == message_id))
    return await session.scalar(query)


async def held_answers(session: AsyncSession, user_id: int) -> Sequence[TicketMessage]:
    """The staff answers the user has not read yet, oldest first, locked so that two messages of theirs arriving
    at once deliver them once."""
    query = (select(TicketMessage).join(Ticket, Ticket.id == TicketMessage.ticket_id)
             .where(Ticket.user_id == user_id, TicketMessage.held).order_by(TicketMessage.id))
    return list(await session.scalars(query.with_for_update(of=TicketMessage)))


async def thread(session: AsyncSession, ticket_id: int) -> Sequence[TicketMessage]:
    """The ticket's messages in the order they were written."""
    query = select(TicketMessage).where(TicketMessage.ticket_id == ticket_id).order_by(TicketMessage.id)
    return list(await session.scalars(query))


@dataclass(frozen=True, slots=True)
class Attachment:
    """What the dashboard needs to offer a ticket's file for download, without its bytes."""

    file_id: int
    ticket_id: int
    name: str
    media_type: str
    size: int


async def attachments(session: AsyncSession, ticket_id: int) -> dict[int, Attachment]:
    """The files of the ticket's messages, by message id."""
    query = (select(TicketMessage.id, StoredFile.id, StoredFile.name, StoredFile.media_type,
                    func.length(StoredFile.content))
             .join(TicketMessageFile, TicketMessageFile.message_id == TicketMessage.id)
             .join(StoredFile, StoredFile.id == TicketMessageFile.file_id).where(TicketMessage.ticket_id == ticket_id))
    return {message_id: Attachment(file_id, ticket_id, name, media_type, int(size or 0))
            for message_id, file_id, name, media_type, size in await session.execute(query)}


async def attachment(session: AsyncSession, ticket_id: int, file_id: int) -> StoredFile | None:
    """The stored file, only if a message of that ticket carries it (a file id alone opens nothing else)."""
    query = (select(StoredFile).join(TicketMessageFile, TicketMessageFile.file_id == StoredFile.id)
             .join(TicketMessage, TicketMessage.id == TicketMessageFile.message_id)
             .where(TicketMessage.ticket_id == ticket_id, StoredFile.id == file_id).limit(1))
    return await session.scalar(query)


async def delete_ticket_files(session: AsyncSession, user_id: int) -> None:
    """Delete the files of every message of the user's tickets, theirs and staff's: the tickets go with the account
    by cascade, but a stored file outlives the link that named it (the cascade runs from the file, not to it)."""
    owned = (select(TicketMessageFile.file_id).join(TicketMessage, TicketMessage.id == TicketMessageFile.message_id)
             .join(Ticket, Ticket.id == TicketMessage.ticket_id).where(Ticket.user_id == user_id))
    await session.execute(delete(StoredFile).where(StoredFile.id.in_(owned)))


async def tickets_of(session: AsyncSession, user_id: int) -> Sequence[tuple[Ticket, Sequence[TicketMessage]]]:
    """Every ticket of the user with its messages, oldest first (their data export)."""
    tickets = await session.scalars(select(Ticket).where(Ticket.user_id == user_id).order_by(Ticket.id))
    return [(ticket, await thread(session, ticket.id)) for ticket in tickets]


class InboxTab(StrEnum):
    OPEN = "open"
    MINE = "mine"
    UNASSIGNED = "unassigned"
    CLOSED = "closed"


@dataclass(frozen=True, slots=True)
class InboxRow:
    ticket: Ticket
    user: User
    assignee: User | None
    name: str | None = None
    """The asker's full name when they registered (the service masks it)."""
    last_text: str = ""
    """The thread's latest message, for a glimpse in the list."""


@dataclass(frozen=True, slots=True)
class Waiting:
    """How many open tickets wait and since when the longest has (None when none waits)."""

    count: int
    oldest: datetime | None


async def waiting(session: AsyncSession) -> Waiting:
    query = select(func.count(), func.min(Ticket.last_message_at)).where(Ticket.status == TicketStatus.OPEN)
    count, oldest = (await session.execute(query)).one()
    return Waiting(int(count), oldest)


async def inbox_page(session: AsyncSession, tab: InboxTab, viewer_id: int | None, *, page: int,
                     size: int) -> Page[InboxRow]:
    """One page of the tab: open tickets oldest waiting first, closed ones the most recently closed first.

    The page's tickets are chosen first from the tickets alone, then read with their people and latest message:
    with the joins and the latest-message subquery in the paged query, PostgreSQL computed them for every row the
    OFFSET skipped (a deep page of 10,000 open tickets took 75 ms instead of a few)."""
    if tab is InboxTab.CLOSED:
        conditions: tuple[Any, ...] = (Ticket.status == TicketStatus.CLOSED,)
        order: tuple[Any, ...] = (Ticket.closed_at.desc(), Ticket.id.desc())
    else:
        conditions = (Ticket.status == TicketStatus.OPEN,)
        if tab is InboxTab.MINE:
            conditions += (Ticket.assigned_to == viewer_id,)
        elif tab is InboxTab.UNASSIGNED:
            conditions += (Ticket.assigned_to.is_(None),)
        order = (Ticket.last_message_at, Ticket.id)
    chosen = await table_page(session, select(Ticket.id).where(*conditions), order, page=page, size=size)
    ids = [ticket_id for ticket_id, in chosen.items]
    assignee = aliased(User)
    latest = (select(TicketMessage.text).where(TicketMessage.ticket_id == Ticket.id)
              .order_by(TicketMessage.id.desc()).limit(1).correlate(Ticket).scalar_subquery())
    query = (select(Ticket, User, assignee, JobSeekerProfile.full_name, latest).join(User, User.id == Ticket.user_id)
             .outerjoin(assignee, assignee.id == Ticket.assigned_to)
             .outerjoin(JobSeekerProfile, JobSeekerProfile.user_id == Ticket.user_id).where(Ticket.id.in_(ids)))
    rows = {ticket.id: InboxRow(ticket, user, assigned, name, text or "")
            for ticket, user, assigned, name, text in await session.execute(query)} if ids else {}
    return Page([rows[ticket_id] for ticket_id in ids if ticket_id in rows], chosen.number, chosen.total, chosen.size)
