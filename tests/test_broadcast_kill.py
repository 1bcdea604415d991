"""A broadcast survives kill -9 of the real `python -m bot run` part-way: after a restart nobody is lost, and
the test counts what was repeated.

What a kill can repeat is exactly the messages Telegram accepted whose "sent" mark was not yet committed:
the outbox sweep of the restarted process sends every queued row not marked sent. jobs/broadcasts.py has
each of its SENDERS tasks commit the mark of its message (a group commit with the other senders) before it
takes the next one, so at any moment at most one message per sender is accepted-but-unmarked: the bound is
SENDERS (16), the broadcast's concurrency. The test asserts that the repeats are exactly those messages and
that there are no more than SENDERS of them. Interactive replies and the author's progress messages are not
broadcast copies and are not counted. Rows queued but not yet sent at the kill are leased to the dead process
for at most `jobs.broadcasts.LEASE` (15 s); the restarted process's sweep (every 15 s) sends them after that,
which is most of this test's 30-odd seconds: it runs on SQLite only.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest
from sqlalchemy import insert, select

from bot.engine.runtime import Runtime
from jobs.broadcasts import SENDERS
from models.audiences import Audience
from models.base import utcnow
from models.broadcasts import Broadcast, BroadcastDelivery, BroadcastStatus, create_broadcast
from models.opt_ins import OptInSource, agree_in_bulk
from models.outbox import OutboxMessage, OutboxStatus
from models.users import Role, User
from tests.conftest import RuntimeFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_chat import wait_for
from tests.test_telegram_adapter import TOKEN
from tests.test_telegram_e2e import BotProcess, launch  # noqa: F401  (launch: the fixture, used by name)

RECIPIENTS = 400
RATE = 100.0
"""Telegram's limit as the fake enforces it (and the bot is told): slow enough to kill it part-way."""
AUTHOR = 900_000
TEXT = "Bursa kerja Disnaker Sabtu ini di Tanjung."


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    """The fake Bot API, refusing with 429 anything above RATE overall or one message a second per chat."""
    async with FakeTelegram(token=TOKEN, global_rate=RATE, per_chat_rate=1.0, hang_seconds=120) as fake:
        yield fake


@pytest.fixture
async def database(make_runtime: RuntimeFactory) -> Runtime:
    """The test's database; the runtime is for writing the broadcast and reading the rows afterwards."""
    return make_runtime()


async def write_broadcast(runtime: Runtime) -> int:
    """RECIPIENTS Telegram users and a staff author, and a broadcast to everyone, due now."""
    now = utcnow()
    async with runtime.session_factory() as session, session.begin():
        await session.execute(insert(User), [
            {"channel": "telegram", "external_id": str(chat), "locale": "id", "role": Role.MEMBER,
             "created_at": now, "last_seen_at": now}
            for chat in range(1, RECIPIENTS + 1)
        ])
        author = User(channel="telegram", external_id=str(AUTHOR), locale="id", role=Role.STAFF, created_at=now,
                      last_seen_at=now)
        session.add(author)
        await session.flush()
        await agree_in_bulk(session, OptInSource.FIRST_MESSAGE, now)
        broadcast = await create_broadcast(session, author_id=author.id, text_id=TEXT, text_en=None,
                                           opening_code=None, audience=Audience(), scheduled_at=now, now=now)
        assert broadcast.total == RECIPIENTS + 1
        return broadcast.id


def copies(tg: FakeTelegram) -> Counter[str]:
    """How many copies of the broadcast each chat has received."""
    return Counter(str(params["chat_id"]) for params in tg.sent_messages() if TEXT in params["text"])


async def accepted_but_not_marked(runtime: Runtime, tg: FakeTelegram) -> int:
    """Broadcast copies Telegram has that the database does not know were sent: what a restart repeats."""
    async with runtime.session_factory() as session:
        unmarked = set(await session.scalars(
            select(OutboxMessage.address)
            .join(BroadcastDelivery, BroadcastDelivery.outbox_id == OutboxMessage.id)
            .where(OutboxMessage.status != OutboxStatus.SENT)
        ))
    return len(unmarked & set(copies(tg)))


async def wait_until_finished(runtime: Runtime) -> None:
    """Until the job's next pass (every 5 s) sees nothing left and marks the broadcast done."""
    for _ in range(300):
        async with runtime.session_factory() as session:
            if await session.scalar(select(Broadcast.status)) == BroadcastStatus.DONE:
                return
        await asyncio.sleep(0.1)
    raise AssertionError("the broadcast was not marked done")


async def test_a_broadcast_killed_part_way_resumes_losing_nobody_and_repeating_at_most_one_per_sender(
    tg: FakeTelegram, launch: Callable[..., Awaitable[BotProcess]], database: Runtime,  # noqa: F811
    record_property: Callable[[str, object], None],
) -> None:
    if database.engine.dialect.name != "sqlite":
        pytest.skip("the lease and the sweep interval make this take half a minute; once, on SQLite, is enough "
                    "(bench/broadcast.py --kill-at measures the same on PostgreSQL)")
    await write_broadcast(database)
    first = await launch(TELEGRAM_MESSAGES_PER_SECOND=str(RATE))
    await wait_for(lambda: len(copies(tg)) >= RECIPIENTS // 3, timeout=60, what="a third of the broadcast")
    await first.kill()
    received_before_kill = len(copies(tg))
    in_flight = await accepted_but_not_marked(database, tg)
    assert received_before_kill < RECIPIENTS, "killed part-way"

    await launch(TELEGRAM_MESSAGES_PER_SECOND=str(RATE))
    await wait_for(lambda: len(copies(tg)) == RECIPIENTS + 1, timeout=90, what="everyone after the restart")
    await wait_until_finished(database)
    received = copies(tg)
    lost = RECIPIENTS + 1 - len(received)
    duplicates = sum(count - 1 for count in received.values())
    for name, value in (("received_before_kill", received_before_kill), ("in_flight", in_flight),
                        ("lost", lost), ("duplicates", duplicates)):
        record_property(name, value)
    assert lost == 0
    assert duplicates == in_flight, "the restart repeats exactly what was sent but not yet marked"
    assert in_flight <= SENDERS, f"{in_flight} messages in flight at the kill, more than one per sender"
