"""Send rates shared by every process of one bot (or one WhatsApp number) through Redis.

Telegram's 30 messages a second and WhatsApp's 80 are limits of the bot or number, not of a process: two
workers with a budget each would send twice the limit and learn of it through 429s. With `REDIS_URL` set,
every process reserves its slots in Redis instead (ARCHITECTURE.md: "Redis for the shared send-rate
budget"). Each reservation is one Lua script, atomic on the server and timed by the server's clock: the "next
free slot" of a key moves one interval per reservation, the same evenly spaced schedule `SendBudget` keeps in
one process. A slot is a moment (server time, µs since the epoch), not a wait, so a reply that is slow to come
back does not push the send later than its slot; the sender waits on its own wall clock, which NTP keeps
within milliseconds of the server's (the same clock when Redis runs on the machine). A platform's "slow
down" pauses every process. Keys expire soon after their last slot, so nothing accumulates.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from redis.asyncio import Redis

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

MICROSECONDS = 1_000_000


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
