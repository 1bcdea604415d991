"""The hot path's prepared statements (`models.prepared`) read and write what SQLAlchemy's ORM would, on SQLite
(where they skip SQLAlchemy) as on PostgreSQL (where the user's lock and the event id are one statement)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from bot.engine.runtime import Runtime
from models.conversations import Conversation
from models.events import lock_and_record_event
from models.outbox import Addressed, OutboxMessage, enqueue
from models.turns import save_and_queue
from models.users import User, load_or_create_user

NOW = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)


def columns(row: object, model: type[User] | type[Conversation]) -> dict[str, object]:
    return {column.key: getattr(row, column.key) for column in model.__table__.columns}


async def test_the_user_and_conversation_read_as_one_row_equal_what_the_orm_loads(runtime: Runtime) -> None:
    async with runtime.session_factory() as session, session.begin():
        user, created = await load_or_create_user(session, "test", "siti", locale="id", now=NOW)
        assert created
        user.unreachable_since = NOW - timedelta(days=2)
        user.conversation.flow, user.conversation.step = "registration", "nik"
        user.conversation.data = {"draft": {"name": "Siti", "interests": ["las", "jahit"]}, "n": 3}
    async with runtime.session_factory() as session, session.begin():
        orm = await session.scalar(select(User).where(User.external_id == "siti"))
        assert orm is not None
        expected = columns(orm, User), columns(orm.conversation, Conversation)
    async with runtime.session_factory() as session, session.begin():
        user, created = await load_or_create_user(session, "test", "siti", locale="en", now=NOW)
        assert not created
        read = columns(user, User) | {"unreachable_since": expected[0]["unreachable_since"]}
        assert (read, columns(user.conversation, Conversation)) == expected, "only unreachable_since is cleared"
        assert user.unreachable_since is None and user.created_at.tzinfo is not None
        assert list(session.dirty) == [user], "only the cleared column is pending"


async def test_a_change_to_the_user_read_that_way_is_saved_with_the_commit(runtime: Runtime) -> None:
    async with runtime.session_factory() as session, session.begin():
        await load_or_create_user(session, "test", "budi", locale="id", now=NOW)
    async with runtime.session_factory() as session, session.begin():
        user, _created = await load_or_create_user(session, "test", "budi", locale="id", now=NOW)
        assert not session.dirty
        user.locale = "en"
        user.last_seen_at = NOW + timedelta(hours=1)
    async with runtime.session_factory() as session, session.begin():
        again = await session.scalar(select(User).where(User.external_id == "budi"))
        assert again is not None and (again.locale, again.last_seen_at) == ("en", NOW + timedelta(hours=1))


async def test_the_same_user_twice_in_one_session_is_one_object(runtime: Runtime) -> None:
    async with runtime.session_factory() as session, session.begin():
        first, _created = await load_or_create_user(session, "test", "ani", locale="id", now=NOW)
        second, created = await load_or_create_user(session, "test", "ani", locale="id", now=NOW)
        assert second is first and not created


async def test_a_refused_row_raises_sqlalchemys_error_as_before(runtime: Runtime) -> None:
    async with runtime.session_factory() as session:
        with pytest.raises(IntegrityError):
            async with session.begin():
                await lock_and_record_event(session, "test:x", "test", "e1", NOW)
                await enqueue(session, channel="test", address="x", user_id=987654, payloads=[{"text": "hai"}],
                              now=NOW)


async def test_an_event_id_is_recorded_once_under_the_senders_lock(runtime: Runtime) -> None:
    async with runtime.session_factory() as session, session.begin():
        assert await lock_and_record_event(session, "test:siti", "test", "e1", NOW)
        assert not await lock_and_record_event(session, "test:siti", "test", "e1", NOW)
        if runtime.engine.dialect.name == "postgresql":
            held = await session.scalar(text(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid() AND granted"))
            assert held == 1
    async with runtime.session_factory() as session, session.begin():
        assert not await lock_and_record_event(session, "test:siti", "test", "e1", NOW), "committed: seen"
        assert await lock_and_record_event(session, "test:siti", "test", "e2", NOW)


async def test_a_turn_saves_the_conversation_and_queues_its_reply_or_neither(runtime: Runtime) -> None:
    """`models.turns`: one statement on PostgreSQL, two on SQLite; a conversation changed meanwhile (its version
    moved on) raises as the save alone would, and its reply is not queued."""
    message = Addressed("test", "rina", None, {"text": "Halo"})
    async with runtime.session_factory() as session, session.begin():
        user, _created = await load_or_create_user(session, "test", "rina", locale="id", now=NOW)
        user.conversation.step = "name"
        ids = await save_and_queue(session, user.conversation, [message], NOW, NOW)
        assert len(ids) == 1 and user.conversation.version == 2
        rina = user.id
    async with runtime.session_factory() as session:
        with pytest.raises(StaleDataError):
            async with session.begin():
                user, _created = await load_or_create_user(session, "test", "rina", locale="id", now=NOW)
                await session.execute(text("UPDATE conversations SET version = version + 1"))  # another writer
                await save_and_queue(session, user.conversation, [message], NOW, NOW)
    async with runtime.session_factory() as session:
        queued = await session.scalar(select(func.count()).select_from(OutboxMessage))
        saved = await session.scalar(select(Conversation.step).where(Conversation.user_id == rina))
        assert (queued, saved) == (1, "name"), "the stale turn wrote nothing"
