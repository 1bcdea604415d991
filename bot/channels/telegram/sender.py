"""The Telegram side of delivery: one `Reply` becomes sendMessage calls (or an edit in place, or a sendPhoto
upload for a picture), within the bot's send budget, with Telegram's errors handled the way its docs ask.

- 429: the whole bot waits `retry_after` (the budget pauses every sender), then the same message is sent again.
- 5xx, timeouts, broken connections: a few retries with doubling waits; after that the outbox sweep takes over.
- 403 (the user blocked the bot): the user is marked unreachable (through the engine), and delivery skips them
  from then on until they write again.
- any other 400: a message Telegram will never accept; recorded as a permanent failure, not retried.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import TypeVar

from aiogram import Bot
from aiogram.exceptions import (
    AiogramError,
    TelegramBadRequest,
    TelegramForbiddenError,
    TelegramNetworkError,
    TelegramRetryAfter,
    TelegramServerError,
)
from aiogram.types import BufferedInputFile, InlineKeyboardMarkup, Message

from bot.channels.base import DeliveryError, EnginePort
from bot.channels.rate_limits import Budget
from bot.channels.registry import TELEGRAM as CHANNEL
from bot.channels.telegram.format import PARSE_MODE, Chunk, chunks_of, escape, split_caption
from bot.channels.uploaded_media import KnownFileIds
from bot.engine.messages import Image, Reply

log = logging.getLogger(__name__)

T = TypeVar("T")
TRANSIENT_ATTEMPTS = 4
BACKOFF_START = 0.5
MAX_RATE_LIMITED = 10
"""429s in a row for one message before it is handed back to the outbox (which retries it later anyway)."""
NOT_MODIFIED = "message is not modified"


class TelegramChannel:
    """What the engine's delivery calls to reach a Telegram chat."""

    name = CHANNEL
    skips_unreachable = True

    def __init__(
        self,
        bot: Bot,
        port: EnginePort,
        budget: Budget,
        *,
        backoff_start: float = BACKOFF_START,
        sleep: Callable[[float], Awaitable[object]] = asyncio.sleep,
    ) -> None:
        self.bot = bot
        self.budget = budget
        self._port = port
        self._backoff_start = backoff_start
        self._sleep = sleep
        self._file_ids = KnownFileIds()

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        """Send (or edit in place); Telegram reports nothing after accepting a message, so no ids are kept."""
        if reply.image is not None:
            await self._send_file(address, reply.image, reply.text)
            return ()
        chunks = chunks_of(reply)
        if reply.replaces and len(chunks) == 1 and await self._edit(address, int(reply.replaces), chunks[0]):
            return ()
        for chunk in chunks:
            await self._call(address, lambda chunk=chunk: self.bot.send_message(  # type: ignore[misc]
                chat_id=int(address), text=chunk.text, parse_mode=PARSE_MODE, reply_markup=chunk.markup,
            ))
        return ()

    async def _send_file(self, address: str, image: Image, text: str) -> None:
        """sendPhoto for a picture, sendDocument for any other file, with the text as its caption; what does not
        fit the caption follows as text messages. The file is uploaded the first time and sent by the file id
        Telegram answered from then on (a broadcast's poster: one upload, not one per recipient); an id Telegram
        no longer takes is forgotten and the file uploaded again."""
        caption, rest = split_caption(text)
        shown = escape(caption) or None
        if (known := self._file_ids.get(image)) is None:
            async with self._file_ids.first_send(image):
                if (known := self._file_ids.get(image)) is None:
                    await self._upload(address, image, shown)
        if known is not None:
            try:
                await self._send_media(address, image, known, shown)
            except DeliveryError:
                self._file_ids.forget(image)
                await self._upload(address, image, shown)
        for part in rest:
            await self._call(address, lambda part=part: self.bot.send_message(  # type: ignore[misc]
                chat_id=int(address), text=escape(part), parse_mode=PARSE_MODE,
            ))

    async def _upload(self, address: str, image: Image, caption: str | None) -> None:
        if (file_id := _file_id_of(await self._send_media(address, image, None, caption))) is not None:
            self._file_ids.remember(image, file_id)

    async def _send_media(self, address: str, image: Image, file_id: str | None, caption: str | None) -> Message:
        media = file_id or BufferedInputFile(image.data, filename=image.name)
        if image.is_picture:
            return await self._call(address, lambda: self.bot.send_photo(
                chat_id=int(address), photo=media, caption=caption, parse_mode=PARSE_MODE))
        return await self._call(address, lambda: self.bot.send_document(
            chat_id=int(address), document=media, caption=caption, parse_mode=PARSE_MODE))

    async def _edit(self, address: str, message_id: int, chunk: Chunk) -> bool:
        """Replace the page in place; False when Telegram cannot (message too old or gone): send it anew."""
        if chunk.markup is not None and not isinstance(chunk.markup, InlineKeyboardMarkup):
            return False
        try:
            await self._call(address, lambda: self.bot.edit_message_text(
                text=chunk.text, chat_id=int(address), message_id=message_id, parse_mode=PARSE_MODE,
                reply_markup=chunk.markup,  # type: ignore[arg-type]
            ))
        except DeliveryError as error:
            if NOT_MODIFIED in str(error):
                return True  # a double tap: the page shown is already the right one
            if str(error).startswith("400 "):
                return False
            raise
        return True

    async def _call(self, address: str, request: Callable[[], Awaitable[T]]) -> T:
        """One API call within the budget, retried as the module docstring says."""
        transient_failures = 0
        rate_limited = 0
        while True:
            await self.budget.acquire(address)
            try:
                return await request()
            except TelegramRetryAfter as error:
                self.budget.pause(error.retry_after)
                self._port.meter.rate_limited(CHANNEL, error.retry_after)
                rate_limited += 1
                if rate_limited >= MAX_RATE_LIMITED:
                    raise DeliveryError(str(error), retry_after=error.retry_after) from error
            except TelegramForbiddenError as error:
                await self._port.set_reachable(CHANNEL, address, False)
                raise DeliveryError(f"403 {error.message}", permanent=True) from error
            except TelegramBadRequest as error:
                raise DeliveryError(f"400 {error.message}", permanent=True) from error
            except (TelegramServerError, TelegramNetworkError, AiogramError, TimeoutError, OSError) as error:
                transient_failures += 1
                if transient_failures >= TRANSIENT_ATTEMPTS:
                    raise DeliveryError(repr(error)) from error
                log.info("telegram call for chat %s failed (%r); retrying", address, error)
                await self._sleep(self._backoff_start * 2 ** (transient_failures - 1))


def _file_id_of(message: Message) -> str | None:
    """The id Telegram gave the photo (its largest size) or document just sent."""
    if message.photo:
        return message.photo[-1].file_id
    return message.document.file_id if message.document is not None else None
