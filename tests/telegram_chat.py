"""Drive the bot as a Telegram user would, through the fake Bot API server: type, tap inline buttons, share a
contact, and read the chat as it looks on the phone (edited messages show their latest text).

`feed` decides how an update reaches the bot: straight into `TelegramAdapter.handle_update` for fast tests, or
through the fake's getUpdates / a webhook POST for end-to-end ones.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

from aiogram import Bot

from bot.channels.rate_limits import Budget
from bot.channels.telegram.adapter import TelegramAdapter
from bot.engine.channel_port import RuntimePort
from bot.engine.runtime import Runtime
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.telegram_updates import JsonDict

Feed = Callable[[JsonDict], Awaitable[None]]


class ConnectedAdapter(TelegramAdapter):
    """The adapter as `python -m bot run` connects it (through the runtime's port, its sender in the runtime's
    delivery), with the runtime at hand for the test to look at the rows."""

    def __init__(self, bot: Bot, runtime: Runtime, budget: Budget | None = None) -> None:
        super().__init__(bot, RuntimePort(runtime), budget)
        self.runtime = runtime
        runtime.delivery.add_channel(self.channel)


class TelegramUser:
    def __init__(self, tg: FakeTelegram, user_id: int, feed: Feed, *, language_code: str | None = "id") -> None:
        self.tg = tg
        self.user_id = user_id
        self.feed = feed
        self.language_code = language_code

    def screen(self) -> list[JsonDict]:
        """The bot's messages in this chat, oldest first, as they look now."""
        mine = [(message_id, message) for (chat, message_id), message in self.tg.replies.messages.items()
                if chat == str(self.user_id)]
        return [message for _id, message in sorted(mine, key=lambda pair: pair[0])]

    @property
    def last(self) -> JsonDict:
        return self.screen()[-1]

    @property
    def text(self) -> str:
        return str(self.last["text"])

    def buttons(self, message: JsonDict | None = None) -> list[JsonDict]:
        source = message or self.last
        rows = source.get("reply_markup", {}).get("inline_keyboard", [])
        return [button for row in rows for button in row]

    async def send(self, text: str) -> None:
        await self.feed(self.tg.text_update(self.user_id, text, language_code=self.language_code))

    async def tap(self, label: str) -> None:
        """Press the button labelled `label` on the newest message that has buttons."""
        for message in reversed(self.screen()):
            for button in self.buttons(message):
                if button["text"] == label or button["text"].endswith(f" {label}"):
                    await self.feed(self.tg.callback_update(
                        self.user_id, button["callback_data"], message_id=message["message_id"],
                        message_text=message["text"], language_code=self.language_code,
                    ))
                    return
            if self.buttons(message):
                break
        raise AssertionError(f"no button {label!r}; the last buttons are {[b['text'] for b in self.buttons()]}")

    async def share_contact(self, phone: str) -> None:
        await self.feed(self.tg.contact_update(self.user_id, phone))


STARTUP_TIMEOUT = 60.0
"""How long a real `python -m bot run` may take to come up: importing aiogram alone takes about 6 s on this
machine when it is idle, several times that when the machine is busy."""


async def wait_for(condition: Callable[[], Any], *, timeout: float = 20.0, what: str = "the bot") -> None:
    """Wait for an end-to-end effect; the timeout only turns a hang into a clear failure."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        await asyncio.sleep(0.02)
