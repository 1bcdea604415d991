"""The dispatcher: one incoming message, one transaction.

It serialises each user's messages (an asyncio lock in-process, a database lock across workers), drops
events already seen, loads the user and their conversation, lets the handlers decide, and writes the new
state and the rendered replies to the outbox in the same commit. Work too heavy to hold that transaction for
(a report) is done after it, with nothing held, and the conversation goes on in a second one (`_carry_on`).
Nothing escapes as an exception: a failure rolls back and the user gets an apology, with their answers as they
were.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm.exc import StaleDataError

from bot.engine.delivery import Envelope
from bot.engine.i18n import Catalogs
from bot.engine.locks import KeyedLocks
from bot.engine.messages import Incoming, Msg, Purpose, _, say, with_purpose
from bot.engine.notify import Letter, Recipient, notice_letters, write_letters, write_turn
from bot.engine.rendering import page_turn_source
from handlers.context import Apart, Context, Services
from handlers.router import resume, route
from models.arrivals import arrive
from models.conversations import save_conversation, save_conversations
from models.db import is_disconnect, lock_for_key, lock_for_keys
from models.events import lock_and_record_event
from models.message_rates import FloodLimit, Verdict, count_message
from models.users import User, find_user, get_user, load_or_create_user, user_addresses, users_by_id

log = logging.getLogger(__name__)

Router = Callable[[Context, Incoming], Awaitable[None]]
SLOW_DOWN = _("You are sending messages very quickly, so we cannot answer them all. Please wait a moment, then "
              "send your message again.")
Resumer = Callable[[Context, Callable[[Context, Any], Awaitable[None]], Any], Awaitable[None]]
APOLOGY = _("Sorry, something went wrong on our side. Your answers are safe: please try again in a moment.")
CONFLICT_RETRIES = 3


class Dispatcher:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        services: Services,
        catalogs: Catalogs,
        clock: Callable[[], datetime],
        *,
        router: Router = route,
        resumer: Resumer = resume,
        raise_errors: bool = False,
        flood: FloodLimit | None = None,
    ) -> None:
        """`flood`: how fast one person may write; messages past it are not handled (one notice, then dropped),
        so a flooding account costs one small transaction a message, not a conversation's work and replies."""
        self._session_factory = session_factory
        self._services = services
        self._catalogs = catalogs
        self._clock = clock
        self._router = router
        self._resumer = resumer
        self._raise_errors = raise_errors
        self._locks = KeyedLocks()
        self._flood = flood

    async def handle(self, incoming: Incoming) -> list[Envelope]:
        """Handle one message and return the committed replies, for the caller to deliver; then the work the
        handler left for after the commit (`Context.after_commit`), each with its own transaction and replies."""
        if "\x00" in incoming.text:  # no database text type holds NUL; nobody types it on purpose
            incoming = replace(incoming, text=incoming.text.replace("\x00", ""))
        async with self._locks.hold(incoming.user_key):
            replies, later = await self._handle_with_retries(incoming)
            for apart in later:
                replies += await self._guarded(incoming, self._carry_on(incoming, apart))
            return replies

    async def _handle_with_retries(self, incoming: Incoming) -> tuple[list[Envelope], list[Apart]]:
        for _attempt in range(CONFLICT_RETRIES):
            try:
                return await self._handle_once(incoming)
            except StaleDataError:
                log.info("conversation of %s changed concurrently; retrying", incoming.user_key)
            except Exception as error:
                if is_disconnect(error):  # the database restarted: the pool now holds new connections
                    log.warning("database connection lost while handling %s; retrying", incoming.user_key)
                    continue
                if self._raise_errors:
                    raise
                log.exception("handling a message from %s failed", incoming.user_key)
                return await self._apologise(incoming), []
        return await self._apologise(incoming), []

    async def _guarded(self, incoming: Incoming, work: Awaitable[list[Envelope]]) -> list[Envelope]:
        try:
            return await work
        except Exception:
            if self._raise_errors:
                raise
            log.exception("finishing a message from %s failed", incoming.user_key)
            return await self._apologise(incoming)

    async def _carry_on(self, incoming: Incoming, apart: Apart) -> list[Envelope]:
        """Do the handler's heavy work with no transaction open (nobody else waits for it), then go on with the
        conversation in a transaction of its own, as `act_for` does for a job."""
        result = await apart.work()
        now = self._clock()
        async with self._session_factory() as session, session.begin():
            await lock_for_key(session, incoming.user_key)
            if await find_user(session, incoming.channel, incoming.external_id) is None:
                return []  # the account was deleted meanwhile (from another worker)
            user, _created = await load_or_create_user(session, incoming.channel, incoming.external_id,
                                                       locale=self._catalogs.default, now=now)
            ctx = Context(session, user, self._services, now, render=self._render_for(user))
            await self._resumer(ctx, apart.then, result)
            if not ctx.user_deleted:
                await save_conversation(session, user.conversation, now)
            replies = Letter(Recipient(incoming.channel, incoming.external_id,
                                       None if ctx.user_deleted else user.id, user.locale), ctx.replies)
            notices = await notice_letters(session, ctx.notices)
            return await write_letters(session, self._catalogs, [replies, *notices], now)

    async def _handle_once(self, incoming: Incoming) -> tuple[list[Envelope], list[Apart]]:
        now = self._clock()
        async with self._session_factory() as session, session.begin():
            if incoming.event_id:
                if not await lock_and_record_event(session, incoming.user_key, incoming.channel, incoming.event_id,
                                                   now):
                    return [], []
            else:
                await lock_for_key(session, incoming.user_key)
            if self._flood is not None and incoming.channel in self._flood.channels:
                verdict = await count_message(session, incoming.user_key, self._flood, now)
                if verdict != Verdict.HANDLE:
                    return await self._slow_down(session, incoming, verdict, now), []
            locale = incoming.locale_hint if incoming.locale_hint in self._catalogs.locales else None
            arrival = await arrive(session, incoming.channel, incoming.external_id,
                                   locale=locale or self._catalogs.default, now=now)
            user = arrival.user
            ctx = Context(session, user, self._services, now, render=self._render_for(user),
                          has_opt_ins=arrival.has_opt_ins, first_contact=arrival.created)
            await self._router(ctx, incoming)
            replies = Letter(Recipient(incoming.channel, incoming.external_id,
                                       None if ctx.user_deleted else user.id, user.locale),
                             ctx.replies, replaces=page_turn_source(incoming))
            letters = [replies, *await notice_letters(session, ctx.notices)]
            if ctx.user_deleted:
                return await write_letters(session, self._catalogs, letters, now), ctx.apart
            return await write_turn(session, self._catalogs, user.conversation, letters, now), ctx.apart

    async def _slow_down(
        self, session: AsyncSession, incoming: Incoming, verdict: str, now: datetime
    ) -> list[Envelope]:
        """A message over the flood limit: the first one gets the notice, the others are dropped unanswered."""
        assert self._flood is not None
        log.warning("%s sent more than %d messages in %s: %s", incoming.user_key, self._flood.messages,
                    self._flood.window, "asked to slow down" if verdict == Verdict.WARN else "message dropped")
        if verdict == Verdict.DROP:
            return []
        hint = incoming.locale_hint if incoming.locale_hint in self._catalogs.locales else None
        user, _created = await load_or_create_user(session, incoming.channel, incoming.external_id,
                                                   locale=hint or self._catalogs.default, now=now)
        to = Recipient(incoming.channel, incoming.external_id, user.id, user.locale)
        return await write_letters(session, self._catalogs, [Letter(to, [say(SLOW_DOWN)])], now)

    async def act_for(
        self, session: AsyncSession, user_id: int, action: Callable[[Context], Awaitable[None]], now: datetime,
        purpose: Purpose,
    ) -> list[Envelope]:
        """Run a proactive `action` (a job's, not a reply) on one user's conversation, inside the caller's
        transaction: the user's lock is taken, and the new state and messages (sent for `purpose`) are written
        together."""
        user = await get_user(session, user_id)
        if user is None:
            return []
        await lock_for_key(session, f"{user.channel}:{user.external_id}")
        user = await session.get(User, user_id, populate_existing=True)  # as it is now that we hold the lock
        assert user is not None
        ctx = Context(session, user, self._services, now, render=self._render_for(user))
        await action(ctx)
        await save_conversation(session, user.conversation, now)
        messages = [with_purpose(message, purpose) for message in ctx.replies]
        return await write_letters(session, self._catalogs, [Letter(Recipient.of(user), messages)], now)

    async def act_for_many(
        self, session: AsyncSession, actions: Sequence[tuple[int, Callable[[Context], Awaitable[None]]]],
        now: datetime, purpose: Purpose,
    ) -> list[Envelope]:
        """`act_for` for a batch of users (a job's batch): their locks in one statement, their conversations
        read in one query and written in one, their messages queued in one INSERT. Users gone meanwhile are
        skipped."""
        wanted = [user_id for user_id, _action in actions]
        keys = [f"{channel}:{address}" for channel, address in await user_addresses(session, wanted)]
        await lock_for_keys(session, keys)
        users = {user.id: user for user in await users_by_id(session, wanted, fresh=True)}  # as now, locked
        letters: list[Letter] = []
        contexts: list[Context] = []
        for user_id, action in actions:
            if (user := users.get(user_id)) is None:
                continue
            ctx = Context(session, user, self._services, now, render=self._render_for(user))
            await action(ctx)
            contexts.append(ctx)
            messages = [with_purpose(message, purpose) for message in ctx.replies]
            letters.append(Letter(Recipient.of(user), messages))
        await save_conversations(session, [ctx.conversation for ctx in contexts], now)
        return await write_letters(session, self._catalogs, letters, now)

    def _render_for(self, user: User) -> Callable[[Msg | str], str]:
        """Renders in the user's language as it is at that moment (it may change during the message)."""
        catalogs = self._catalogs
        return lambda message: catalogs.translator(user.locale).render(message)

    async def _apologise(self, incoming: Incoming) -> list[Envelope]:
        try:
            async with self._session_factory() as session, session.begin():
                to = Recipient(incoming.channel, incoming.external_id, None,
                               incoming.locale_hint or self._catalogs.default)
                return await write_letters(session, self._catalogs, [Letter(to, [say(APOLOGY)])], self._clock())
        except Exception:
            log.exception("could not even apologise to %s", incoming.user_key)
            return []
