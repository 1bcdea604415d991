"""The send-rate budget of one bot: about 30 messages a second overall, about one a second per chat, and a pause
for everyone when Telegram answers 429 with `retry_after`.

Every sender of the bot in this process waits its turn here before calling the API, so the limits are kept
instead of discovered through 429s. Slots are spaced evenly (a cell-rate schedule, not bursts), which keeps
the achieved rate at the limit without overshooting it. Several processes share one through Redis instead
(`bot.channels.shared_budgets`, with `REDIS_URL`).
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import Protocol

BOT_RATE = 30.0
CHAT_RATE = 1.0
TRACKED_CHATS = 1000
"""Past this many chats, those whose next slot has already passed are forgotten (it no longer constrains them)."""


class Budget(Protocol):
    """What the sender asks of a budget, in one process or shared."""

    async def acquire(self, chat: str) -> None: ...

    def pause(self, seconds: float) -> None: ...


class SendBudget:
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
