"""People who chat with the bot, one row per channel identity, and the queries about them.

A row holds only what the bot needs to talk to someone (channel, id, language, role). Personal data lives in
`JobSeekerProfile` and exists only after consent.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any, TypeVar

from sqlalchemy import String, UniqueConstraint, bindparam, delete, false, insert, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, configure_mappers, make_transient_to_detached, mapped_column, relationship
from sqlalchemy.orm.attributes import instance_dict

from models.base import Base
from models.conversations import Conversation
from models.outbox import OutboxMessage
from models.prepared import Prepared, run


class Role(StrEnum):
    """What a user may do. Members are job seekers and alumni; the office's people are viewers (reports and
    read-only lists), staff (openings, selection, broadcasts, reports) or admins (staff, plus managing staff
    and revealing a full NIK with a reason)."""

    MEMBER = "member"
    VIEWER = "viewer"
    STAFF = "staff"
    ADMIN = "admin"


OFFICE_ROLES = frozenset({Role.VIEWER, Role.STAFF, Role.ADMIN})
ACTING_ROLES = frozenset({Role.STAFF, Role.ADMIN})


class User(Base):
    """Someone the bot talks to on one channel (`console`, `telegram` or `whatsapp`)."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("channel", "external_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(16))
    external_id: Mapped[str] = mapped_column(String(64))
    locale: Mapped[str] = mapped_column(String(8))
    role: Mapped[str] = mapped_column(String(16), default=Role.MEMBER)
    created_at: Mapped[datetime]
    last_seen_at: Mapped[datetime]
    unreachable_since: Mapped[datetime | None]
    """Set when the platform refuses delivery for good (the user blocked the bot); cleared when they write."""
    stopped_at: Mapped[datetime | None]
    """When they sent /stop (or BERHENTI): no broadcasts or alerts until they send /start again."""
    opening_alerts: Mapped[bool] = mapped_column(default=True, server_default=true())
    """Whether the user wants one message when a new opening matching their profile is published."""
    ticket_alerts: Mapped[bool] = mapped_column(default=False, server_default=false())
    """Staff only: whether they are told in the chat of each new question (`/tiket on`), to answer from there."""

    conversation: Mapped[Conversation] = relationship(
        lazy="joined", cascade="all, delete-orphan", passive_deletes=True
    )

    @property
    def is_staff(self) -> bool:
        """May change things for the office (staff or admin)."""
        return self.role in ACTING_ROLES

    @property
    def works_at_office(self) -> bool:
        """May sign in to the dashboard and read the office's figures (viewer, staff or admin)."""
        return self.role in OFFICE_ROLES


LAST_SEEN_RESOLUTION = timedelta(minutes=5)
"""`last_seen_at` is for "active this week" style questions; refreshing it on every message of a burst
would cost an UPDATE per message for nothing."""

_USER_BY_IDENTITY = select(User).where(
    User.channel == bindparam("channel"), User.external_id == bindparam("external_id")
)


_USERS, _CONVERSATIONS = User.__table__, Conversation.__table__
USER_ROW_QUERY = (
    select(*_USERS.c, *(column.label(f"conversation_{column.key}") for column in _CONVERSATIONS.c))
    .select_from(_USERS.outerjoin(_CONVERSATIONS, _CONVERSATIONS.c.user_id == _USERS.c.id))
    .where(_USERS.c.channel == bindparam("channel"), _USERS.c.external_id == bindparam("external_id"))
)
"""The user and their conversation as one plain row (`adopt_user` makes the ORM objects of it)."""
_USER_ROW = Prepared(USER_ROW_QUERY)


async def load_or_create_user(
    session: AsyncSession, channel: str, external_id: str, *, locale: str, now: datetime
) -> tuple[User, bool]:
    """The user behind a channel identity with their conversation loaded; creates both on first contact."""
    row = (await run(session, _USER_ROW, {"channel": channel, "external_id": external_id})).first()
    if row is not None:
        return await adopt_user(session, row, now), False
    return await create_user(session, channel, external_id, locale=locale, now=now), True


async def adopt_user(session: AsyncSession, row: dict[str, Any], now: datetime) -> User:
    """The user of a `USER_ROW_QUERY` row, seen `now`: their last-seen time refreshed (at its resolution), and
    their being unreachable cleared, since writing to the bot again means they unblocked it."""
    user = await _adopt(session, row)
    if now - user.last_seen_at >= LAST_SEEN_RESOLUTION:
        user.last_seen_at = now
    if user.unreachable_since is not None:
        user.unreachable_since = None
    return user


async def create_user(session: AsyncSession, channel: str, external_id: str, *, locale: str, now: datetime) -> User:
    """A new user and their empty conversation, written at once (so they have an id), in two prepared INSERTs
    rather than the ORM's unit of work: every new person's first message pays for this (bench/dialog.py)."""
    values = new_user_values(channel, external_id, locale, now)
    user_id = (await run(session, _INSERT_USER, values)).scalars()[0]
    conversation = new_conversation_values(user_id, now)
    await run(session, _INSERT_CONVERSATION, conversation)
    return await adopt_new_user(session, user_id, values, conversation)


def new_user_values(channel: str, external_id: str, locale: str, now: datetime) -> dict[str, Any]:
    """Every column of a new user's row but its id."""
    return {
        "channel": channel, "external_id": external_id, "locale": locale, "role": Role.MEMBER.value,
        "created_at": now, "last_seen_at": now, "unreachable_since": None, "stopped_at": None,
        "opening_alerts": True, "ticket_alerts": False,
    }


def new_conversation_values(user_id: int | None, now: datetime) -> dict[str, Any]:
    """Every column of a new user's empty conversation."""
    return {"user_id": user_id, "flow": None, "step": None, "data": {}, "prompt_seq": 0, "version": 1,
            "updated_at": now}


async def adopt_new_user(session: AsyncSession, user_id: int, values: dict[str, Any],
                         conversation: dict[str, Any]) -> User:
    """The ORM objects of a user and conversation just inserted with these values."""
    return await _adopt(session, {"id": user_id, **values}
                        | {f"conversation_{key}": value for key, value in conversation.items()} | {
                            "conversation_user_id": user_id})


_INSERT_USER = Prepared(insert(User).returning(User.id), [column.key for column in _USERS.c if column.key != "id"])
_INSERT_CONVERSATION = Prepared(insert(Conversation), [column.key for column in _CONVERSATIONS.c])


async def _adopt(session: AsyncSession, values: dict[str, Any]) -> User:
    """The ORM objects for a `_USER_ROW`, put in the session as if a query had loaded them: changes to them are
    flushed as usual. Built by hand because the ORM's loading (compiling the query, the joined eager load,
    instance processing) cost more than the statement itself on every message (bench/dialog.py). A user the
    session already holds is returned by the ORM's own query, which keeps its rules for what it holds."""
    if session.sync_session.identity_map.get(User.__mapper__.identity_key_from_primary_key((values["id"],))):
        known = await session.scalar(_USER_BY_IDENTITY, {"channel": values["channel"],
                                                          "external_id": values["external_id"]})
        assert known is not None
        return known
    prefix = "conversation_"
    conversation = None
    if values[f"{prefix}user_id"] is not None:
        conversation = _detached(Conversation, {key.removeprefix(prefix): value for key, value in values.items()
                                                if key.startswith(prefix)})
    user = _detached(User, {key: value for key, value in values.items() if not key.startswith(prefix)}
                     | {"conversation": conversation})
    session.add(user)  # and, by the relationship's cascade, the conversation
    return user


T = TypeVar("T", bound=Base)


def _detached(cls: type[T], values: dict[str, Any]) -> T:
    """An instance holding `values` as loaded from the database (no pending change), with its identity.

    The mappers are configured first (a no-op once done): the ORM does it at its first query, and a process whose
    first database work is this one (a script that only signs a member in) would find the attributes unset."""
    configure_mappers()
    instance: T = cls.__mapper__.class_manager.new_instance()
    instance_dict(instance).update(values)
    make_transient_to_detached(instance)
    return instance


async def find_user(session: AsyncSession, channel: str, external_id: str) -> User | None:
    """The user behind a channel identity, if they ever wrote (nothing is created)."""
    return await session.scalar(_USER_BY_IDENTITY, {"channel": channel, "external_id": external_id})


async def get_user(session: AsyncSession, user_id: int) -> User | None:
    return await session.get(User, user_id)


async def user_addresses(session: AsyncSession, user_ids: Sequence[int]) -> list[tuple[str, str]]:
    """(channel, external id) of each of these users still there: what their locks are named by."""
    rows = await session.execute(select(User.channel, User.external_id).where(User.id.in_(user_ids)))
    return [(channel, address) for channel, address in rows]


async def users_by_id(session: AsyncSession, user_ids: Sequence[int], *, fresh: bool = False) -> list[User]:
    """These users with their conversations, in one query; `fresh` reads them again even if already loaded
    (after taking their locks)."""
    query = select(User).where(User.id.in_(user_ids)).execution_options(populate_existing=fresh)
    return list((await session.scalars(query)).unique())


async def office_users_named(session: AsyncSession, who: str) -> list[User]:
    """The office's people (viewers, staff, admins) whose channel id is `who` ('staf', a Telegram id, a
    WhatsApp number) or whose user id it is: the command line names staff this way."""
    named = User.external_id == who
    if who.isascii() and who.isdigit() and len(who) < 10:
        named = named | (User.id == int(who))
    query = select(User).where(named, User.role.in_(OFFICE_ROLES)).order_by(User.id)
    return list(await session.scalars(query))


async def office_people(session: AsyncSession) -> list[User]:
    """Everyone with an office role, by channel and id (a short list: an office's people, not its job seekers)."""
    query = select(User).where(User.role.in_(OFFICE_ROLES)).order_by(User.channel, User.external_id)
    return list(await session.scalars(query))


async def ticket_alert_staff(session: AsyncSession) -> list[User]:
    """Staff who asked to be told of each new question in the chat."""
    query = select(User).where(User.role.in_(ACTING_ROLES), User.ticket_alerts).order_by(User.id)
    return list(await session.scalars(query))


async def acting_staff(session: AsyncSession) -> list[User]:
    """Everyone who may act for the office (staff and admins), by channel and id: whom a question can go to."""
    query = select(User).where(User.role.in_(ACTING_ROLES)).order_by(User.channel, User.external_id)
    return list(await session.scalars(query))


async def delete_user(session: AsyncSession, user: User) -> None:
    """Remove the user and, through foreign-key cascades, their profile and conversation; and every message
    written to them, which holds their data too (a profile summary, an export)."""
    await session.execute(delete(OutboxMessage).where(
        (OutboxMessage.user_id == user.id)
        | ((OutboxMessage.channel == user.channel) & (OutboxMessage.address == user.external_id))))
    await session.delete(user)
    await session.flush()



async def set_role(session: AsyncSession, channel: str, external_id: str, role: Role, *, locale: str,
                   now: datetime) -> User:
    """Give a channel identity a role, creating the user if they have not written yet (staff set up first)."""
    user, _created = await load_or_create_user(session, channel, external_id, locale=locale, now=now)
    user.role = role
    await session.flush()
    return user


async def set_locale(session: AsyncSession, channel: str, external_id: str, locale: str) -> None:
    """Set the language of an existing user (a new user gets it on creation from the locale hint)."""
    user = await session.scalar(select(User).where(User.channel == channel, User.external_id == external_id))
    if user is not None:
        user.locale = locale
