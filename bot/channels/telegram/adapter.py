"""Telegram updates in, by long polling or the webhook (`bot.channels.telegram.connect`): each one handed to the
engine through its port, after the platform's own chores (answering a button press at once so it does not
spin, downloading a sent file, resolving a shortened button, recording a block or unblock).

What an update means is `updates`, how a reply looks is `format`, how it is sent is `sender`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Sequence
from dataclasses import replace
from io import BytesIO

from aiogram import Bot
from aiogram.client.session.aiohttp import AiohttpSession
from aiogram.client.telegram import TelegramAPIServer
from aiogram.exceptions import AiogramError, TelegramRetryAfter
from aiogram.types import BotCommand, Update
from aiohttp import ClientError

from bot.channels.base import EnginePort, SendReplies
from bot.channels.rate_limits import Budget, SendBudget
from bot.channels.registry import TELEGRAM as CHANNEL
from bot.channels.telegram.format import DIGEST_MARK, token_digest
from bot.channels.telegram.sender import TelegramChannel
from bot.channels.telegram.updates import (
    ALLOWED_UPDATES,
    FileToFetch,
    blocked_change,
    document_to_fetch,
    incoming_from_update,
)
from bot.engine.messages import MAX_DOCUMENT_BYTES, Document, Incoming, IncomingKind, Msg, _

log = logging.getLogger(__name__)

REQUEST_TIMEOUT = 15
POLL_TIMEOUT = 25
POLL_BACKOFF = 5.0

MENU_COMMANDS: Sequence[tuple[str, str, Msg]] = (
    # (Indonesian command, English command, description)
    ("start", "start", _("Start, or continue where you left off")),
    ("menu", "menu", _("Main menu")),
    ("bantuan", "help", _("What I can do")),
    ("batal", "cancel", _("Cancel what you are doing")),
    ("bahasa", "language", _("Change the language")),
    ("profil", "profile", _("See my profile")),
)
"""Every name here is also a command the router knows, in both languages."""


def create_bot(token: str, api_base: str) -> Bot:
    session = AiohttpSession(api=TelegramAPIServer.from_base(api_base), timeout=REQUEST_TIMEOUT)
    return Bot(token, session=session)


async def _send_nothing() -> None:
    return None


class TelegramAdapter:
    """Feeds Telegram updates to the engine; owns the bot's `TelegramChannel` for the replies (which the shell
    adds to delivery)."""

    def __init__(self, bot: Bot, port: EnginePort, budget: Budget | None = None) -> None:
        self.bot = bot
        self.port = port
        self.channel = TelegramChannel(bot, port, budget or SendBudget())

    async def handle_update(self, update: Update) -> None:
        """One update, start to end: handled, committed, and its replies sent."""
        await self.deliver(await self.receive(update))

    async def receive(self, update: Update) -> SendReplies:
        """Handle one update and commit its replies, without sending them yet (the webhook answers Telegram
        first). Never raises: a failure is logged, and the update is not lost, since its event id is recorded
        only together with its replies."""
        try:
            if update.callback_query is not None:
                await self._answer_button(update.callback_query.id)
            if (blocked := blocked_change(update)) is not None:
                chat, blocked_now = blocked
                await self.port.set_reachable(CHANNEL, chat, not blocked_now)
                return _send_nothing
            incoming = incoming_from_update(update)
            if incoming is None:
                return _send_nothing
            if (wanted := document_to_fetch(update)) is not None:
                incoming = await self._with_document(incoming, wanted)
            return await self.port.accept(await self._resolve_digest(incoming))
        except Exception:
            log.exception("handling telegram update %s failed", update.update_id)
            return _send_nothing

    async def deliver(self, send: SendReplies) -> None:
        """Send committed replies; what cannot be sent now stays in the outbox for the sweep."""
        try:
            await send()
        except Exception:
            log.exception("delivering telegram replies failed; the outbox sweep will retry")

    async def handle_updates(self, updates: Sequence[Update]) -> None:
        """A batch at once: the dispatcher keeps each user's messages in order and apart."""
        await asyncio.gather(*(self.handle_update(update) for update in updates))

    async def poll(self, stop: asyncio.Event, *, backoff: float = POLL_BACKOFF) -> None:
        """Long-poll until `stop` is set. An update is confirmed (the next offset) only after the whole batch it
        came in was handled, so a crash mid-batch gets the batch again, and de-duplication drops what was done.
        Telegram being unreachable or refusing (a webhook still set elsewhere, another poller) is logged and
        retried after `backoff` seconds, for as long as it lasts."""
        offset: int | None = None
        webhook_cleared = False
        while not stop.is_set():
            try:
                if not webhook_cleared:
                    await self.bot.delete_webhook(drop_pending_updates=False)  # the two modes exclude each other
                    webhook_cleared = True
                updates = await self._next_updates(offset, stop)
            except TelegramRetryAfter as error:
                await _sleep_unless(stop, error.retry_after)
                continue
            except (AiogramError, OSError, TimeoutError) as error:
                log.warning("polling Telegram failed (%r); trying again in %s s", error, backoff)
                await _sleep_unless(stop, backoff)
                continue
            if updates:
                await self.handle_updates(updates)
                offset = updates[-1].update_id + 1

    async def _next_updates(self, offset: int | None, stop: asyncio.Event) -> list[Update]:
        """One long poll, abandoned (empty) as soon as `stop` is set."""
        fetch = asyncio.ensure_future(self.bot.get_updates(
            offset=offset, timeout=POLL_TIMEOUT, allowed_updates=ALLOWED_UPDATES,
            request_timeout=REQUEST_TIMEOUT + POLL_TIMEOUT,
        ))
        stopping = asyncio.ensure_future(stop.wait())
        await asyncio.wait({fetch, stopping}, return_when=asyncio.FIRST_COMPLETED)
        stopping.cancel()
        if stop.is_set():
            fetch.cancel()
            return []
        return fetch.result()

    async def set_webhook(self, url: str, secret: str) -> None:
        await self.bot.set_webhook(url, secret_token=secret, allowed_updates=ALLOWED_UPDATES)

    async def set_commands(self) -> None:
        """The command menu in every language; Telegram shows the user's own (default: the office's)."""
        await self.bot.set_my_commands(self._commands(self.port.default_locale))
        for locale in self.port.locales:
            await self.bot.set_my_commands(self._commands(locale), language_code=locale)

    def _commands(self, locale: str) -> list[BotCommand]:
        return [
            BotCommand(command=indonesian if locale == "id" else english,
                       description=self.port.render(locale, description))
            for indonesian, english, description in MENU_COMMANDS
        ]

    async def _answer_button(self, query_id: str) -> None:
        try:
            await self.bot.answer_callback_query(query_id)
        except (AiogramError, OSError, TimeoutError) as error:  # the spinner stops by itself; the answer matters
            log.info("answerCallbackQuery %s failed: %r", query_id, error)

    async def _with_document(self, incoming: Incoming, wanted: FileToFetch) -> Incoming:
        """The sent file's bytes, for a step that takes files (staff importing openings, a question to staff).
        A file over the limit is not downloaded: a stand-in one byte too large lets the handler say so; a failed
        download is an unsupported message, answered politely."""
        file_id, name, media_type = wanted.file_id, wanted.name, wanted.media_type
        if wanted.size is not None and wanted.size > MAX_DOCUMENT_BYTES:
            return replace(incoming, document=Document(name, bytes(MAX_DOCUMENT_BYTES + 1), media_type))
        try:
            file = await self.bot.get_file(file_id)
            if file.file_path is None:
                raise AiogramError("getFile gave no file_path")
            buffer = BytesIO()
            await self.bot.download_file(file.file_path, buffer)
        except (AiogramError, OSError, TimeoutError, ClientError) as error:
            log.info("downloading document %s failed: %r", file_id, error)
            return replace(incoming, kind=IncomingKind.UNSUPPORTED)
        return replace(incoming, document=Document(name, buffer.getvalue()[: MAX_DOCUMENT_BYTES + 1], media_type))

    async def _resolve_digest(self, incoming: Incoming) -> Incoming:
        """A button whose option token was too long for callback_data carries its digest: find the token in the
        messages recently sent to that chat. Not found means a stale button, which the router explains."""
        if incoming.kind is not IncomingKind.OPTION or not incoming.option.startswith(DIGEST_MARK):
            return incoming
        for token in await self.port.recent_option_tokens(CHANNEL, incoming.external_id):
            if token_digest(token) == incoming.option:
                return replace(incoming, option=token)
        return incoming


async def _sleep_unless(stop: asyncio.Event, seconds: float) -> None:
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
