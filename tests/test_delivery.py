"""The outbox: replies survive a crash between commit and send, failed sends retry, two workers serialise."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from sqlalchemy import select

from bot.channels.base import DeliveryError
from bot.engine.messages import Reply
from bot.engine.runtime import Runtime
from models.outbox import OutboxMessage, OutboxStatus
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
