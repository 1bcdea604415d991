"""Send budgets shared through the machine's real Redis: two "processes" (two clients) keep one limit together.

Each test uses its own name, so tests never share slots. CI=true fails the run when Redis is not reachable,
as for PostgreSQL; elsewhere these tests are skipped.
"""

from __future__ import annotations

import asyncio
import os
import time
import uuid
from collections.abc import AsyncIterator, Callable

import pytest
from pydantic import SecretStr
from redis.asyncio import Redis
from redis.exceptions import ConnectionError as RedisConnectionError

from bot.channels.rate_limits import SharedRate, SharedSendBudget, SharedSendRateLimiter
from bot.channels.telegram.connect import TelegramConfig, budget_for
from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig
from bot.channels.whatsapp.connect import shared_limiter, whatsapp_config
from bot.engine.messages import Reply
from bot.settings import Settings
from tests.fakes.whatsapp_server import FakeWhatsApp

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


@pytest.fixture
async def redis_clients() -> AsyncIterator[Callable[[], Redis]]:
    """A factory of clients, one per simulated process; all closed afterwards."""
    made: list[Redis] = []

    def client() -> Redis:
        made.append(Redis.from_url(REDIS_URL))
        return made[-1]

    try:
        await client().ping()
    except (RedisConnectionError, OSError):
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}, and CI requires it")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    yield client
    for redis in made:
        await redis.aclose()


def unique(name: str) -> str:
    return f"test-{name}-{uuid.uuid4().hex[:8]}"


async def test_two_processes_together_keep_the_bots_rate(redis_clients: Callable[[], Redis]) -> None:
    name = unique("bot")
    workers = [SharedSendBudget(SharedRate(redis_clients(), name), bot_rate=50, chat_rate=1000) for _ in range(2)]
    sent: list[float] = []

    async def send(budget: SharedSendBudget, chat: int) -> None:
        await budget.acquire(str(chat))
        sent.append(time.monotonic())

    start = time.monotonic()
    await asyncio.gather(*(send(workers[n % 2], n) for n in range(60)))
    elapsed = time.monotonic() - start
    assert 59 / 50 * 0.95 <= elapsed < 59 / 50 + 0.6, "50 a second together, not 50 each"
    sent.sort()
    assert all(sum(1 for t in sent if first <= t < first + 0.5) <= 26 for first in sent), "evenly spaced"


async def test_one_chat_gets_one_message_a_second_whichever_process_sends(
    redis_clients: Callable[[], Redis]
) -> None:
    name = unique("chat")
    workers = [SharedSendBudget(SharedRate(redis_clients(), name), bot_rate=1000, chat_rate=10) for _ in range(2)]
    sent: list[float] = []

    async def send(budget: SharedSendBudget) -> None:
        await budget.acquire("42")
        sent.append(time.monotonic())

    await asyncio.gather(*(send(workers[n % 2]) for n in range(6)))
    sent.sort()
    assert min(later - earlier for earlier, later in zip(sent, sent[1:], strict=False)) >= 0.09


async def test_a_429_in_one_process_pauses_the_other(redis_clients: Callable[[], Redis]) -> None:
    name = unique("pause")
    first, second = (SharedSendBudget(SharedRate(redis_clients(), name), bot_rate=1000, chat_rate=1000)
                     for _ in range(2))
    first.pause(0.5)
    await asyncio.sleep(0.05)  # the pause is written by a task: a 429 handler cannot wait for Redis
    start = time.monotonic()
    await second.acquire("7")
    assert time.monotonic() - start >= 0.4


async def test_keys_expire_after_their_last_slot(redis_clients: Callable[[], Redis]) -> None:
    redis, name = redis_clients(), unique("expiry")
    rate = SharedRate(redis, name)
    await rate.take_slot("chat:1", 1.0)
    await rate.pause(0.2)
    ttls = [await redis.pttl(key) async for key in redis.scan_iter(f"sahabat-kerja:rate:{name}:*")]
    assert len(ttls) == 2 and all(0 < ttl <= 2_500 for ttl in ttls)


async def test_two_whatsapp_processes_share_the_numbers_rate_and_are_never_throttled(
    redis_clients: Callable[[], Redis]
) -> None:
    """Four senders in each of two processes (as a broadcast runs them) against a fake that allows 40 a second:
    together they keep to it. Without sharing, each would send 40 a second and be throttled within a second."""
    name = unique("number")
    async with FakeWhatsApp(rate=40) as wa:
        config = WhatsAppConfig(token=wa.token, phone_number_id=wa.phone_number_id, api_base=wa.base_url,
                                rate_per_second=40)
        channels = [WhatsAppChannel(config, limiter=SharedSendRateLimiter(SharedRate(redis_clients(), name), 40))
                    for _ in range(2)]

        async def sender(first: int) -> None:
            for n in range(first, 96, 8):
                await channels[first % 2].send(f"62812{n:08d}", Reply(f"Pesan {n}"))

        start = time.monotonic()
        try:
            await asyncio.gather(*(sender(first) for first in range(8)))
        finally:
            for channel in channels:
                await channel.aclose()
        assert (len(wa.sent), wa.throttled) == (96, 0)
        assert time.monotonic() - start >= 95 / 40 * 0.95
        wa.assert_clean()


async def test_redis_url_makes_the_budgets_shared(app_settings: Settings, redis_clients: Callable[[], Redis]) -> None:
    configured = app_settings.model_copy(update={
        "redis_url": REDIS_URL, "telegram_bot_token": SecretStr("1:token"), "whatsapp_token": SecretStr("token"),
        "whatsapp_phone_number_id": "123"}).model_dump()
    telegram, whatsapp = TelegramConfig.from_settings(configured), whatsapp_config(configured)
    assert telegram is not None and whatsapp is not None
    redis = redis_clients()
    assert isinstance(budget_for(telegram, 1, redis), SharedSendBudget)
    assert isinstance(shared_limiter(whatsapp, redis), SharedSendRateLimiter)
    assert shared_limiter(whatsapp, None) is None
    assert not isinstance(budget_for(telegram, 1, None), SharedSendBudget)
