"""The channels' send budgets kept in Redis, for when several processes send for one bot or number.

Same behaviour as `SendBudget` (Telegram: the bot's rate, one chat's rate, a 429 pauses everyone) and
`SendRateLimiter` (WhatsApp: the number's rate, throttling pauses everyone), across processes; see
`bot.channels.shared_rate` for how slots are shared.
"""

from __future__ import annotations

import asyncio
import time

from bot.channels.shared_rate import SharedRate


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
