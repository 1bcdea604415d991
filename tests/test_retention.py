"""Old working records are forgotten on schedule (README, Privacy): delivered messages after 30 days, stored
pictures after 30 unless still waiting to go, event ids after 7. Nothing staff read later changes: a broadcast's
figures are the same before and after, and failed messages stay for their reasons."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import timedelta

from sqlalchemy import func, insert, select

from bot.channels.base import DeliveryError
from bot.engine.messages import Image, Reply
from bot.engine.runtime import Runtime
from jobs.broadcasts import send_broadcasts
from jobs.forget_old_data import forget_old_data
from models.audiences import Audience
from models.broadcasts import create_broadcast, figures_of, figures_of_many
from models.delivery_failures import failure_reasons
from models.files import StoredFile, file_content, store_file
from models.opt_ins import OptInSource, agree_in_bulk
from models.outbox import Addressed, OutboxMessage, OutboxStatus, enqueue_many
from models.users import Role, User
from tests.chat import RecordingChannel
from tests.conftest import Clock, RuntimeFactory

RECIPIENTS = ("ani", "budi", "citra", "dewi", "eko")


class RefusingChannel(RecordingChannel):
    """Delivers to everyone but "eko", whom the platform refuses for good."""

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        if address == "eko":
            raise DeliveryError("400 Bad Request: chat not found", permanent=True)
        return await super().send(address, reply)


async def a_sent_broadcast(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> int:
    now = clock()
    async with runtime.session_factory() as session, session.begin():
        await session.execute(insert(User), [
            {"channel": channel.name, "external_id": name, "locale": "id", "role": Role.MEMBER,
             "created_at": now, "last_seen_at": now} for name in RECIPIENTS])
        author = User(channel=channel.name, external_id="staf", locale="id", role=Role.STAFF, created_at=now,
                      last_seen_at=now)
        session.add(author)
        await session.flush()
        await agree_in_bulk(session, OptInSource.FIRST_MESSAGE, now)  # as if each of them had written
        broadcast = await create_broadcast(session, author_id=author.id, text_id="Bursa kerja Sabtu ini.",
                                           text_en=None, opening_code=None, audience=Audience(), scheduled_at=now,
                                           now=now)
        broadcast_id = broadcast.id
    await send_broadcasts(runtime)
    return broadcast_id


async def outbox_count(runtime: Runtime, status: str) -> int:
    async with runtime.session_factory() as session:
        return int(await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.status == status)) or 0)


async def test_a_broadcasts_figures_are_the_same_after_its_messages_are_forgotten(
    make_runtime: RuntimeFactory, clock: Clock
) -> None:
    channel = RefusingChannel()
    runtime = make_runtime(channel)
    broadcast_id = await a_sent_broadcast(runtime, channel, clock)
    async with runtime.session_factory() as session:
        before = await figures_of(session, broadcast_id)
        listed_before = await figures_of_many(session, [broadcast_id])
        reasons_before = await failure_reasons(session, broadcast_id=broadcast_id)
    assert (before.sent, before.failed) == (len(RECIPIENTS) - 1 + 1, 1)  # the author reads it too

    clock.advance(days=29)
    assert (await forget_old_data(runtime)).messages == 0, "kept for 30 days"
    clock.advance(days=2)
    forgotten = await forget_old_data(runtime)
    assert forgotten.messages >= before.sent
    assert await outbox_count(runtime, OutboxStatus.SENT) == 0
    assert await outbox_count(runtime, OutboxStatus.FAILED) == 1, "failed messages stay, with their reason"
    async with runtime.session_factory() as session:
        assert await figures_of(session, broadcast_id) == before
        assert await figures_of_many(session, [broadcast_id]) == listed_before
        assert await failure_reasons(session, broadcast_id=broadcast_id) == reasons_before


async def test_pictures_are_kept_while_waiting_to_go_and_forgotten_after_30_days(
    runtime: Runtime, clock: Clock
) -> None:
    async with runtime.session_factory() as session, session.begin():
        sent_long_ago = await store_file(session, name="a.png", media_type="image/png", content=b"a", now=clock())
        waiting = await store_file(session, name="b.png", media_type="image/png", content=b"b", now=clock())
        reply = Reply("Grafik penempatan", image=Image(waiting, "b.png"))
        await enqueue_many(session, [Addressed("nowhere", "ani", None, reply.to_json())], clock())
    clock.advance(days=31)
    async with runtime.session_factory() as session, session.begin():
        recent = await store_file(session, name="c.png", media_type="image/png", content=b"c", now=clock())
    assert (await forget_old_data(runtime)).files == 1
    async with runtime.session_factory() as session:
        assert await file_content(session, sent_long_ago) is None
        assert await file_content(session, waiting) == b"b", "its message is still to be sent"
        assert await file_content(session, recent) == b"c"
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 2


async def test_retention_comes_from_the_settings(make_runtime: RuntimeFactory, app_settings: object) -> None:
    from bot.settings import Settings
    from bot.wiring import build_runtime

    assert isinstance(app_settings, Settings)
    settings = app_settings.model_copy(update={"retention_delivered_days": 90, "retention_event_days": 3})
    runtime = build_runtime(settings, {})
    try:
        assert runtime.retention.delivered_messages == timedelta(days=90)
        assert runtime.retention.event_ids == timedelta(days=3)
        assert runtime.retention.files == timedelta(days=30)
    finally:
        await runtime.aclose()
