"""Send rates, one module for every channel: each platform limits how fast a bot or a number may send, and every
sender of it waits its turn here instead of learning the limit through "slow down" errors.

- `SendBudget` (per bot and per chat, evenly spaced slots: Telegram's 30/s and 1/s per chat) and `SendRateLimiter`
  (a token bucket: WhatsApp's 80/s per number) keep the rate within one process;
- `SharedSendBudget` and `SharedSendRateLimiter` keep the same rates across processes through Redis (`SharedRate`,
  with `REDIS_URL`): the limits belong to the bot or the number, not to a process.
A platform's "slow down" (`pause`) stops every sender of that bot or number, in this process or all of them.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

from redis.asyncio import Redis

BOT_RATE = 30.0
CHAT_RATE = 1.0
TRACKED_CHATS = 1000
"""Past this many chats, those whose next slot has already passed are forgotten (it no longer constrains them)."""
_ROUNDING = 1e-9
MICROSECONDS = 1_000_000


# --- in one process ----------------------------------------------------------------------------------------------

class Budget(Protocol):
    """What the sender asks of a budget, in one process or shared."""

    async def acquire(self, chat: str) -> None: ...

    def pause(self, seconds: float) -> None: ...


class SendBudget:
    """Telegram's budget for one bot in one process: `bot_rate` sends a second overall, `chat_rate` per chat."""

    def __init__(
        self,
        *,
        bot_rate: float = BOT_RATE,
        chat_rate: float = CHAT_RATE,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self._bot_interval = 1 / bot_rate
        self._chat_interval = 1 / chat_rate
        self._clock = clock
        self._sleep = sleep
        self._next_bot_slot = 0.0
        self._next_chat_slot: dict[str, float] = {}
        self._paused_until = 0.0

    async def acquire(self, chat: str) -> None:
        """Wait until a message to `chat` may be sent now without breaking any limit."""
        await self._wait_until(self._reserve_chat_slot(chat))
        while True:
            now = self._clock()
            if self._paused_until > now:
                await self._wait_until(self._paused_until)
                continue
            slot = max(now, self._next_bot_slot)
            self._next_bot_slot = slot + self._bot_interval
            await self._wait_until(slot)
            if self._paused_until <= self._clock():
                return

    def pause(self, seconds: float) -> None:
        """Telegram said 429: nobody sends for `seconds` (Telegram's wait applies to the whole bot)."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)

    @property
    def paused_until(self) -> float:
        return self._paused_until

    def _reserve_chat_slot(self, chat: str) -> float:
        now = self._clock()
        slot = max(now, self._next_chat_slot.get(chat, 0.0))
        self._next_chat_slot[chat] = slot + self._chat_interval
        if len(self._next_chat_slot) > TRACKED_CHATS:
            self._forget_old_chats(now)
        return slot

    def _forget_old_chats(self, now: float) -> None:
        stale = [chat for chat, slot in self._next_chat_slot.items() if slot <= now]
        for chat in stale:
            del self._next_chat_slot[chat]

    async def _wait_until(self, moment: float) -> None:
        delay = moment - self._clock()
        if delay > 0:
            await self._sleep(delay)


class RateLimiter(Protocol):
    """What the channel asks of its rate limit, in one process or shared (`SharedSendRateLimiter`)."""

    async def acquire(self) -> None: ...

    def pause(self, seconds: float) -> None: ...


class SendRateLimiter:
    """A token bucket: `rate` sends per second, bursts of a tenth of a second's worth; `pause` stops everyone."""

    def __init__(
        self,
        rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] = asyncio.sleep,
    ) -> None:
        self._rate = rate
        self._capacity = max(1.0, rate / 10)
        self._tokens = self._capacity
        self._clock = clock
        self._sleep = sleep
        self._stamp = clock()
        self._paused_until = 0.0
        self._lock = asyncio.Lock()

    async def acquire(self) -> None:
        async with self._lock:
            while True:
                now = self._clock()
                if now < self._paused_until:
                    await self._sleep(self._paused_until - now)
                    continue
                self._tokens = min(self._capacity, self._tokens + (now - self._stamp) * self._rate)
                self._stamp = now
                if self._tokens >= 1 - _ROUNDING:  # refills are floating sums: 0.9999999 is a whole token
                    self._tokens = max(0.0, self._tokens - 1)
                    return
                await self._sleep((1 - self._tokens) / self._rate)

    def pause(self, seconds: float) -> None:
        """The platform said to slow down: nobody sends on this number for `seconds`."""
        self._paused_until = max(self._paused_until, self._clock() + seconds)
        self._tokens = 0.0


# --- shared through Redis ----------------------------------------------------------------------------------------
# Each reservation is one Lua script, atomic on the server and timed by the server's clock: the "next free slot"
# of a key moves one interval per reservation, the same evenly spaced schedule `SendBudget` keeps in one process.
# A slot is a moment (server time, µs since the epoch), not a wait, so a reply that is slow to come back does not
# push the send later than its slot; the sender waits on its own wall clock, which NTP keeps within milliseconds
# of the server's. Keys expire soon after their last slot, so nothing accumulates.

_RESERVE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local start = now
local paused = tonumber(redis.call('GET', KEYS[2]) or '0')
if paused > start then start = paused end
local free = tonumber(redis.call('GET', KEYS[1]) or '0')
if free > start then start = free end
local following = start + tonumber(ARGV[1])
redis.call('SET', KEYS[1], string.format('%d', following), 'PX', math.floor((following - now) / 1000) + 1000)
return string.format('%d', start)
"""
"""KEYS[1]: the next free slot (µs, server time); KEYS[2]: paused until; ARGV[1]: the interval (µs).
Returns the reserved slot (µs since the epoch, as text: a Lua number would lose digits)."""

_PAUSE = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local until_ = now + tonumber(ARGV[1])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if paused < until_ then
  redis.call('SET', KEYS[1], string.format('%d', until_), 'PX', math.floor(tonumber(ARGV[1]) / 1000) + 1000)
end
return 0
"""

_PAUSED_FOR = """
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000000 + tonumber(t[2])
local paused = tonumber(redis.call('GET', KEYS[1]) or '0')
if paused > now then return paused - now end
return 0
"""

class SharedRate:
    """Slots and pauses under one name (`telegram:<bot id>`, `whatsapp:<phone number id>`) in Redis."""

    def __init__(self, redis: Redis, name: str, *, sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
                 wall_clock: Callable[[], float] = time.time):
        self._redis = redis
        self._prefix = f"sahabat-kerja:rate:{name}"
        self._reserve = redis.register_script(_RESERVE)
        self._pause = redis.register_script(_PAUSE)
        self._paused_for = redis.register_script(_PAUSED_FOR)
        self._sleep = sleep
        self._wall_clock = wall_clock
        self._pauses: set[asyncio.Task[object]] = set()

    @property
    def pause_key(self) -> str:
        return f"{self._prefix}:paused"

    async def take_slot(self, key: str, rate: float) -> None:
        """Reserve the next slot of `key` (`rate` per second, after any pause) and wait for it."""
        slot = await self._reserve(keys=[f"{self._prefix}:{key}", self.pause_key],
                                   args=[round(MICROSECONDS / rate)])
        wait = int(slot) / MICROSECONDS - self._wall_clock()
        if wait > 0:
            await self._sleep(wait)

    async def paused_for(self) -> float:
        """Seconds left of a pause any process started (0: none)."""
        return int(await self._paused_for(keys=[self.pause_key])) / MICROSECONDS

    async def pause(self, seconds: float) -> None:
        await self._pause(keys=[self.pause_key], args=[round(seconds * MICROSECONDS)])

    def pause_soon(self, seconds: float) -> None:
        """`pause` for callers that cannot wait (they learn of a 429 in synchronous code); the task is kept
        until it is done so it is not collected half way."""
        task = asyncio.get_running_loop().create_task(self.pause(seconds))
        self._pauses.add(task)
        task.add_done_callback(self._pauses.discard)


class _Shared:
    def __init__(self, rate: SharedRate) -> None:
        self._rate = rate
        self._paused_until = 0.0  # this process's own pause, in force before Redis has it

    def pause(self, seconds: float) -> None:
        """Stop this process at once and, through Redis, every other one."""
        self._paused_until = max(self._paused_until, time.monotonic() + seconds)
        self._rate.pause_soon(seconds)

    async def _take_unpaused(self, key: str, per_second: float) -> None:
        """A slot that is still good when it comes: if a process paused everyone while this one waited, the
        slot is given up and a new one taken after the pause."""
        while True:
            if (own := self._paused_until - time.monotonic()) > 0:
                await asyncio.sleep(own)
            await self._rate.take_slot(key, per_second)
            if self._paused_until <= time.monotonic() and await self._rate.paused_for() <= 0:
                return


class SharedSendBudget(_Shared):
    """Telegram's budget for one bot, shared by every process through Redis."""

    def __init__(self, rate: SharedRate, *, bot_rate: float, chat_rate: float) -> None:
        super().__init__(rate)
        self._bot_rate = bot_rate
        self._chat_rate = chat_rate

    async def acquire(self, chat: str) -> None:
        await self._rate.take_slot(f"chat:{chat}", self._chat_rate)
        await self._take_unpaused("bot", self._bot_rate)


class SharedSendRateLimiter(_Shared):
    """WhatsApp's rate for one number, shared by every process through Redis."""

    def __init__(self, rate: SharedRate, per_second: float) -> None:
        super().__init__(rate)
        self._per_second = per_second

    async def acquire(self) -> None:
        await self._take_unpaused("number", self._per_second)
