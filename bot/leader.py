"""One replica of many does a job only one may do: Telegram's long polling (Telegram refuses two pollers of one
bot and would hand the same updates to whichever asks). The replicas share Redis (REDIS_URL, already needed for
their shared send rates); the one holding a key there leads.

The key is taken with `SET key token NX PX ttl` and renewed by its holder every `renew_every` seconds (a script
checks the token, so a replica can only renew or release its own hold). A replica that dies, or loses Redis,
stops renewing: the key expires after `ttl` and another replica, trying every `renew_every` seconds, takes over,
so after `ttl + renew_every` (40 s by default) at most. A leader that cannot renew stops its work at once, before
its hold can have expired, so two never poll at the same time for long. Webhooks, jobs and the dashboard need no
leader: every replica serves them.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from redis.asyncio import Redis
from redis.exceptions import RedisError

log = logging.getLogger(__name__)

LEADER_TTL = 30.0
"""Seconds a hold lasts without renewal: how long a dead leader keeps the others waiting."""
RENEW_EVERY = 10.0
"""Seconds between renewals by the leader and between attempts by the others."""

_RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('pexpire', KEYS[1], ARGV[2]) end return 0"
_RELEASE = "if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end return 0"


@dataclass
class LeaderLock:
    """A hold on `key` in Redis by this process (its random token), lasting `ttl` seconds unless renewed."""

    redis: Redis
    key: str
    ttl: float = LEADER_TTL
    token: str = field(default_factory=lambda: secrets.token_hex(16))

    async def acquire(self) -> bool:
        return bool(await self.redis.set(self.key, self.token, nx=True, px=self._ttl_ms))

    async def renew(self) -> bool:
        return bool(await self.redis.eval(_RENEW, 1, self.key, self.token, self._ttl_ms))

    async def release(self) -> None:
        await self.redis.eval(_RELEASE, 1, self.key, self.token)

    @property
    def _ttl_ms(self) -> int:
        return int(self.ttl * 1000)


async def while_leader(lock: LeaderLock, work: Callable[[asyncio.Event], Awaitable[None]], stop: asyncio.Event,
                       *, renew_every: float = RENEW_EVERY) -> None:
    """Until `stop` is set: `work(lost)` while this process holds `lock`, `lost` set when the hold is lost or on
    `stop`; otherwise try to take the hold every `renew_every` seconds."""
    while not stop.is_set():
        if not await _attempt(lock.acquire, "take"):
            await _wait(stop, renew_every)
            continue
        log.warning("leading: %s", lock.key)
        lost = asyncio.Event()
        job = asyncio.ensure_future(work(lost))
        try:
            while not stop.is_set() and not job.done():
                await _wait(stop, renew_every, job)
                if not stop.is_set() and not job.done() and not await _attempt(lock.renew, "renew"):
                    log.warning("lost the lead of %s; stopping until it is taken again", lock.key)
                    break
        finally:
            lost.set()
            await job
            await _attempt(lock.release, "release")


async def _attempt(action: Callable[[], Awaitable[object]], what: str, timeout: float = RENEW_EVERY) -> bool:
    """`action`'s truth; Redis unreachable or slower than `timeout` counts as no (no lead taken, a lead lost), so a
    leader cut off from Redis stops before its hold expires."""
    try:
        async with asyncio.timeout(timeout):
            return bool(await action())
    except (RedisError, OSError, TimeoutError) as error:
        log.warning("could not %s the leader lock: %r", what, error)
        return False


async def _wait(stop: asyncio.Event, seconds: float, job: asyncio.Future[Any] | None = None) -> None:
    """`seconds`, or less when `stop` is set or `job` ends."""
    stopped: asyncio.Future[object] = asyncio.ensure_future(stop.wait())
    waiting: set[asyncio.Future[object]] = {stopped}
    if job is not None:
        waiting.add(job)
    await asyncio.wait(waiting, timeout=seconds, return_when=asyncio.FIRST_COMPLETED)
    stopped.cancel()
    with contextlib.suppress(asyncio.CancelledError):
        await stopped
