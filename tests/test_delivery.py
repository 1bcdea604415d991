"""The outbox: replies survive a crash between commit and send, failed sends retry, two workers serialise."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence

from sqlalchemy import func, select

from bot.channels.base import DeliveryError
from bot.channels.rate_limits import SendRateLimiter
from bot.engine.delivery import MARK_BATCH, Envelope
from bot.engine.dispatcher import APOLOGY
from bot.engine.messages import Reply
from bot.engine.runtime import Runtime
from models.events import ProcessedEvent
from models.outbox import Addressed, OutboxMessage, OutboxStatus, enqueue_many
from models.users import User
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock, RuntimeFactory


async def outbox_rows(runtime: Runtime) -> list[OutboxMessage]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_replies_committed_but_not_sent_are_sent_by_the_sweep_once(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    user = ChatUser(runtime, channel, "budi")
    envelopes = await runtime.dispatcher.handle(user.incoming(text="/start"))  # "crash" before delivery
    assert envelopes and channel.sent == []
    assert await runtime.delivery.sweep() == 0, "fresh rows belong to the process that wrote them"
    clock.advance(seconds=31)
    assert await runtime.delivery.sweep() == 1
    assert [reply.text for _to, reply in channel.sent] == [envelopes[0].reply.text]
    assert await runtime.delivery.sweep() == 0
    assert [row.status for row in await outbox_rows(runtime)] == [OutboxStatus.SENT]


class SlowFirstChannel(RecordingChannel):
    """The first send takes a while (a slow network): the next reply must still come after it."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        self.calls += 1
        if self.calls == 1:
            await asyncio.sleep(0.2)
        return await super().send(address, reply)


async def test_replies_to_two_quick_messages_arrive_in_order(make_runtime: RuntimeFactory) -> None:
    slow = SlowFirstChannel()
    runtime = make_runtime(slow)
    user = ChatUser(runtime, slow, "budi")
    await asyncio.gather(runtime.handle(user.incoming(text="/help")), runtime.handle(user.incoming(text="/xyz")))
    assert [reply.text.startswith("Perintah /xyz tidak dikenali.") for _to, reply in slow.sent] == [False, True]


class FlakyChannel(RecordingChannel):
    def __init__(self, failures: list[DeliveryError]) -> None:
        super().__init__()
        self.failures = failures

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        if self.failures:
            raise self.failures.pop(0)
        return await super().send(address, reply)


async def test_a_failed_send_is_retried_after_the_platform_wait(make_runtime: RuntimeFactory, clock: Clock) -> None:
    flaky = FlakyChannel([DeliveryError("429 Too Many Requests", retry_after=3)])
    runtime = make_runtime(flaky)
    await ChatUser(runtime, flaky, "budi").send("/start")
    await runtime.delivery.flush()
    [row] = await outbox_rows(runtime)
    assert (row.status, row.attempts, row.last_error) == (OutboxStatus.PENDING, 1, "429 Too Many Requests")
    clock.advance(seconds=2)
    assert await runtime.delivery.sweep() == 0
    clock.advance(seconds=2)
    assert await runtime.delivery.sweep() == 1
    assert len(flaky.sent) == 1
    assert [r.status for r in await outbox_rows(runtime)] == [OutboxStatus.SENT]


async def test_a_permanent_failure_is_recorded_and_not_retried(make_runtime: RuntimeFactory, clock: Clock) -> None:
    flaky = FlakyChannel([DeliveryError("403 Forbidden: bot was blocked by the user", permanent=True)])
    runtime = make_runtime(flaky)
    await ChatUser(runtime, flaky, "budi").send("/start")
    clock.advance(minutes=10)
    assert await runtime.delivery.sweep() == 0
    [row] = await outbox_rows(runtime)
    assert row.status == OutboxStatus.FAILED
    assert "blocked" in (row.last_error or "")


async def test_two_workers_serialise_one_users_messages(
    runtime: Runtime, channel: RecordingChannel, make_runtime: RuntimeFactory
) -> None:
    """Two processes' worth of runtimes on one database: concurrent choices of one user are all kept."""
    second = make_runtime(channel)
    user = ChatUser(runtime, channel, "budi")
    await user.send("/start")
    for answer in ("Bahasa Indonesia", "Saya setuju", "Budi Santoso", "6309010101950004", "01-01-1995",
                   "Laki-laki", "081251000009", "Upau", "SMK"):
        await user.send(answer)
    assert await user.step() == "interests"
    twin = ChatUser(second, channel, "budi")
    choices = ["1", "2", "3", "4", "5", "6"]
    await asyncio.gather(*[
        (user if i % 2 else twin).send(choice) for i, choice in enumerate(choices)
    ])
    draft = (await user.conversation())[2]["draft"]
    assert sorted(draft["interests"]) == sorted(
        ["sewing", "cooking", "welding", "automotive", "electrical", "computing"]
    )


async def test_a_new_persons_first_two_messages_at_two_workers_make_one_user(
    runtime: Runtime, channel: RecordingChannel, make_runtime: RuntimeFactory
) -> None:
    """Each worker takes the person's lock before reading who they are: the second finds them made by the first
    and handles its message too."""
    second = make_runtime(channel)
    await asyncio.gather(ChatUser(runtime, channel, "rina").send("halo"), ChatUser(second, channel, "rina").send("hai"))
    async with runtime.session_factory() as session:
        users = list(await session.scalars(select(User).where(User.external_id == "rina")))
        events = await session.scalar(select(func.count()).select_from(ProcessedEvent))
    assert len(users) == 1 and events == 2
    apology = runtime.catalogs.translator("id").render(APOLOGY)
    assert not [reply for _to, reply in channel.sent if apology in reply.text], "no apology"


class PacedChannel(RecordingChannel):
    """A platform at the other end of a network: every send takes a round trip, and the channel's rate limiter
    paces them as the real channels' do."""

    def __init__(self, rate: float, round_trip: float) -> None:
        super().__init__()
        self.limiter = SendRateLimiter(rate)
        self.round_trip = round_trip
        self.sent_at: list[float] = []

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        await self.limiter.acquire()
        self.sent_at.append(time.monotonic())
        await asyncio.sleep(self.round_trip)
        return await super().send(address, reply)


async def test_the_sweep_resends_a_crashed_broadcast_at_the_channels_rate(
    make_runtime: RuntimeFactory, clock: Clock
) -> None:
    """A broadcast's rows left leased by a crashed worker: the sweep sends them side by side, as fast as the
    channel's limit allows (60/s here), not one round trip (100 ms) after another."""
    paced = PacedChannel(rate=60, round_trip=0.1)
    runtime = make_runtime(paced)
    recipients = [f"alumni-{n}" for n in range(60)]
    async with runtime.session_factory() as session, session.begin():
        await enqueue_many(session, [
            Addressed(paced.name, address, None, Reply(f"Pengumuman untuk {address}", purpose="broadcast").to_json())
            for address in recipients
        ], clock())
        await enqueue_many(session, [Addressed(paced.name, "alumni-0", None, Reply("kedua").to_json())], clock())
    started = time.monotonic()
    assert await runtime.delivery.sweep() == 61
    elapsed = time.monotonic() - started
    assert elapsed < 4.5, f"one at a time takes 6 s; at the channel's rate about 1 s, took {elapsed:.1f} s"
    assert sorted(address for address, _reply in paced.sent) == sorted([*recipients, "alumni-0"])
    assert [reply.text for reply in paced.to("alumni-0")] == ["Pengumuman untuk alumni-0", "kedua"]
    first = paced.sent_at[0]
    in_first_second = sum(moment - first < 1 for moment in paced.sent_at)
    assert in_first_second <= 60 + 6, "never faster than the channel's rate (plus its burst)"
    assert {row.status for row in await outbox_rows(runtime)} == {OutboxStatus.SENT}


async def test_a_full_batch_of_marks_is_written_behind_the_sender_and_flush_waits_for_it(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    """The delivery that fills a batch returns before the batch's transaction; closing (`flush`) still writes it."""
    async with runtime.session_factory() as session, session.begin():
        ids = await enqueue_many(session, [Addressed(channel.name, f"u{n}", None, {"text": f"pesan {n}"})
                                           for n in range(MARK_BATCH)], clock())
    rows = {row.id: row for row in await outbox_rows(runtime)}
    await runtime.delivery.deliver([Envelope.of(rows[row_id]) for row_id in ids])
    assert len(channel.sent) == MARK_BATCH
    await runtime.delivery.flush()
    assert {row.status for row in await outbox_rows(runtime)} == {OutboxStatus.SENT}
