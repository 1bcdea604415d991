"""Sending within Telegram's limits and through its failures: the budget's schedule on a virtual clock, and the
sender against the fake Bot API told to answer 429, 5xx, 403 or to hang. Nothing is lost, nothing is doubled."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import pytest
from aiogram import Bot
from aiogram.types import Update
from sqlalchemy import select

from bot.channels.base import DeliveryError
from bot.channels.rate_limits import SendBudget
from bot.engine.delivery import Envelope
from bot.engine.messages import Reply
from bot.engine.runtime import Runtime
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from models.users import User
from tests.conftest import Clock, RuntimeFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.telegram_chat import ConnectedAdapter
from tests.test_telegram_adapter import TOKEN, user_of


class VirtualTime:
    """A monotonic clock that sleeping moves forward at once (for one task at a time)."""

    def __init__(self) -> None:
        self.now = 100.0
        self.slept: list[float] = []

    def clock(self) -> float:
        return self.now

    async def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds
        await asyncio.sleep(0)

    def budget(self, **rates: float) -> SendBudget:
        return SendBudget(clock=self.clock, sleep=self.sleep, **rates)


async def send_times(budget: SendBudget, time: VirtualTime, chats: list[str]) -> list[float]:
    times = []
    for chat in chats:
        await budget.acquire(chat)
        times.append(round(time.now - 100.0, 6))
    return times


async def test_the_budget_spaces_sends_evenly_at_the_bot_rate() -> None:
    time = VirtualTime()
    times = await send_times(time.budget(), time, [f"chat{n}" for n in range(61)])
    gaps = [later - earlier for earlier, later in zip(times, times[1:], strict=False)]
    assert gaps == pytest.approx([1 / 30] * 60, abs=1e-5)
    assert times[-1] == pytest.approx(2.0), "60 gaps at 30 a second: exactly two seconds, no burst, no slack"


async def test_one_chat_gets_one_message_a_second_without_slowing_the_others() -> None:
    time = VirtualTime()
    times = await send_times(time.budget(bot_rate=100), time, ["a", "b", "a", "c", "a"])
    assert times == pytest.approx([0.0, 0.01, 1.0, 1.01, 2.0])


async def test_a_pause_holds_every_sender() -> None:
    time = VirtualTime()
    budget = time.budget()
    await budget.acquire("a")
    budget.pause(5)
    await budget.acquire("b")
    assert time.now - 100.0 == pytest.approx(5.0)


@pytest.fixture
async def tg() -> AsyncIterator[FakeTelegram]:
    async with FakeTelegram(token=TOKEN, hang_seconds=3) as fake:
        yield fake


@pytest.fixture
def time() -> VirtualTime:
    return VirtualTime()


@pytest.fixture
async def adapter(tg: FakeTelegram, make_runtime: RuntimeFactory, time: VirtualTime) -> AsyncIterator[ConnectedAdapter]:
    bot = Bot(TOKEN, session=tg.session(timeout=0.3))
    adapter = ConnectedAdapter(bot, make_runtime(), time.budget(bot_rate=1000, chat_rate=1000))
    adapter.channel._sleep = time.sleep
    yield adapter
    await bot.session.close()


async def test_a_429_pauses_the_whole_bot_then_the_message_goes_once(
    tg: FakeTelegram, adapter: ConnectedAdapter, time: VirtualTime
) -> None:
    tg.fail_next("sendMessage", status=429, retry_after=3)
    await adapter.channel.send("501", Reply("Halo"))
    assert [m["text"] for m in tg.sent_messages(501)] == ["Halo"]
    assert adapter.channel.budget.paused_until >= 103.0 and time.now >= 103.0  # type: ignore[attr-defined]
    tg.assert_clean()


async def test_server_errors_and_timeouts_are_retried_with_growing_waits(
    tg: FakeTelegram, adapter: ConnectedAdapter, time: VirtualTime
) -> None:
    tg.fail_next("sendMessage", status=502)
    tg.fail_next("sendMessage", hang=True)
    tg.fail_next("sendMessage", status=500)
    await adapter.channel.send("501", Reply("Halo"))
    assert [m["text"] for m in tg.sent_messages(501)] == ["Halo"], "sent once, after three failures"
    assert time.slept == [0.5, 1.0, 2.0]
    tg.assert_clean()


async def test_a_send_that_keeps_failing_waits_in_the_outbox_and_goes_once_later(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock
) -> None:
    tg.fail_next("sendMessage", status=500, times=4)
    user = user_of(tg, adapter)
    await user.send("/start")
    assert tg.sent_messages(501) == []
    async with adapter.runtime.session_factory() as session:
        [row] = await session.scalars(select(OutboxMessage))
        assert (row.status, row.attempts) == (OutboxStatus.PENDING, 1)
    clock.advance(seconds=10)
    assert await adapter.runtime.delivery.sweep() == 1
    assert await adapter.runtime.delivery.sweep() == 0
    assert len(tg.sent_messages(501)) == 1
    tg.assert_clean()


async def deliver_through_outbox(
    runtime: Runtime, address: str, reply: Reply, *, recipient_checked: bool = False
) -> OutboxMessage:
    """Send as every message goes (an outbox row, then delivery, where reachability is decided); the row after."""
    async with runtime.session_factory() as session, session.begin():
        [row_id] = await enqueue(session, channel="telegram", address=address, user_id=None,
                                 payloads=[reply.to_json()], now=runtime.clock())
    await runtime.delivery.deliver([Envelope(row_id, "telegram", address, reply, recipient_checked)])
    await runtime.delivery.flush()
    async with runtime.session_factory() as session:
        row = await session.get(OutboxMessage, row_id)
    assert row is not None
    return row


async def test_a_user_who_blocks_the_bot_is_skipped_until_they_write_again(
    tg: FakeTelegram, adapter: ConnectedAdapter
) -> None:
    user = user_of(tg, adapter)
    await user.send("/start")
    tg.fail_next("sendMessage", status=403)
    with pytest.raises(DeliveryError, match="blocked") as blocked:
        await adapter.channel.send("501", Reply("Ada lowongan baru"))
    assert blocked.value.permanent
    async with adapter.runtime.session_factory() as session:
        unreachable = await session.scalar(select(User.unreachable_since).where(User.external_id == "501"))
    assert unreachable is not None

    requests_before = len(tg.requests)
    skipped = await deliver_through_outbox(adapter.runtime, "501", Reply("Ada lowongan baru lagi"))
    assert skipped.status == OutboxStatus.FAILED and "skipped" in (skipped.last_error or ""), "given up at once"
    assert len(tg.requests) == requests_before, "no call to Telegram at all"

    checked = await deliver_through_outbox(adapter.runtime, "501", Reply("Siaran"), recipient_checked=True)
    assert checked.status == OutboxStatus.SENT, "a broadcast's claim checked the recipient: no second look-up"

    await user.send("menu")
    assert "Menu utama" in tg.sent_messages(501)[-1]["text"]
    tg.assert_clean()


async def test_a_page_that_cannot_be_edited_any_more_is_sent_anew(tg: FakeTelegram, adapter: ConnectedAdapter) -> None:
    tg.fail_next("editMessageText", status=400, description="Bad Request: message can't be edited")
    await adapter.channel.send("501", Reply("Halaman 2", replaces="7"))
    assert [m["text"] for m in tg.sent_messages(501)] == ["Halaman 2"]
    await adapter.channel.send("501", Reply("Halaman 2", replaces="1"))
    assert tg.calls_of("editMessageText") == [], "the first attempt was refused, the second was the same page"
    assert len(tg.sent_messages(501)) == 1


def membership_update(tg: FakeTelegram, user_id: int, status: str) -> dict[str, Any]:
    """What Telegram sends the bot when a user blocks it ("kicked") or unblocks it ("member")."""
    user = tg.user(user_id)
    old, new = ("member", "kicked") if status == "kicked" else ("kicked", "member")

    def member(state: str) -> dict[str, Any]:
        return {"status": state, "user": tg.bot_user(), **({"until_date": 0} if state == "kicked" else {})}

    change = {"chat": tg.chat(user_id), "from": user, "date": 1_795_000_000,
              "old_chat_member": member(old), "new_chat_member": member(new)}
    update = {"update_id": tg.next_update_id(), "my_chat_member": change}
    assert tg.spec.check_object("Update", update) == []
    return update


async def test_blocking_and_unblocking_are_noticed_before_any_send(
    tg: FakeTelegram, adapter: ConnectedAdapter
) -> None:
    user = user_of(tg, adapter)
    await user.send("/start")
    await adapter.handle_update(Update.model_validate(membership_update(tg, 501, "kicked")))
    requests_before = len(tg.requests)
    skipped = await deliver_through_outbox(adapter.runtime, "501", Reply("Ada lowongan baru"))
    assert skipped.status == OutboxStatus.FAILED and "skipped" in (skipped.last_error or "")
    assert len(tg.requests) == requests_before
    await adapter.handle_update(Update.model_validate(membership_update(tg, 501, "member")))
    sent = await deliver_through_outbox(adapter.runtime, "501", Reply("Ada lowongan baru"))
    assert sent.status == OutboxStatus.SENT
    assert tg.sent_messages(501)[-1]["text"] == "Ada lowongan baru"
    tg.assert_clean()
