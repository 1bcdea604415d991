"""The one way a message is written to the outbox: replies, notices to other people, a job's proactive sends.

Each letter is rendered in its recipient's language and queued in the caller's transaction, all letters in one
INSERT; the envelopes come back for the caller to deliver after commit (or, for bulk sends, for the sweep).
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy.ext.asyncio import AsyncSession

from bot.engine.delivery import Envelope
from bot.engine.i18n import Catalogs
from bot.engine.messages import Outgoing, Reply
from bot.engine.rendering import render_all, replacing
from models.conversations import Conversation
from models.outbox import SWEEP_GRACE, Addressed, enqueue_many
from models.turns import save_and_queue
from models.users import User, get_user

if TYPE_CHECKING:
    from bot.engine.runtime import Runtime


@dataclass(frozen=True, slots=True)
class Recipient:
    """Where a message goes and in which language; `user_id` is None for someone without an account yet."""

    channel: str
    address: str
    user_id: int | None
    locale: str

    @classmethod
    def of(cls, user: User) -> Recipient:
        return cls(user.channel, user.external_id, user.id, user.locale)


@dataclass(frozen=True, slots=True)
class Letter:
    """The messages for one recipient, folded and rendered together; `replaces` marks a page turn's answer."""

    recipient: Recipient
    messages: Sequence[Outgoing]
    replaces: str | None = None


@dataclass(slots=True)
class NoticeList:
    """Notices collected by a service outside a chat message (a CLI command, a job, a web request)."""

    notices: list[tuple[int, Outgoing]] = field(default_factory=list)

    def notify(self, user_id: int, message: Outgoing) -> None:
        self.notices.append((user_id, message))


async def write_letters(
    session: AsyncSession, catalogs: Catalogs, letters: Sequence[Letter], now: datetime, *, for_sweep: bool = False
) -> list[Envelope]:
    """Queue every letter in one statement. `for_sweep`: nobody delivers them after commit, so they are due at
    once for the outbox sweep rather than after its grace."""
    rows, rendered = _rendered(catalogs, letters)
    ids = await enqueue_many(session, rows, now, due=now if for_sweep else now + SWEEP_GRACE)
    return _envelopes(ids, rendered)


async def write_turn(
    session: AsyncSession, catalogs: Catalogs, conversation: Conversation, letters: Sequence[Letter], now: datetime
) -> list[Envelope]:
    """The end of a message: its conversation saved and its letters queued (`models.turns`: one statement on
    PostgreSQL for the usual one reply)."""
    rows, rendered = _rendered(catalogs, letters)
    return _envelopes(await save_and_queue(session, conversation, rows, now, now + SWEEP_GRACE), rendered)


def _rendered(catalogs: Catalogs, letters: Sequence[Letter]) -> tuple[list[Addressed], list[tuple[Recipient, Reply]]]:
    rows: list[Addressed] = []
    rendered: list[tuple[Recipient, Reply]] = []
    for letter in letters:
        to = letter.recipient
        for reply in replacing(render_all(letter.messages, catalogs.translator(to.locale)), letter.replaces):
            rows.append(Addressed(to.channel, to.address, to.user_id, reply.to_json()))
            rendered.append((to, reply))
    return rows, rendered


def _envelopes(ids: Sequence[int], rendered: Sequence[tuple[Recipient, Reply]]) -> list[Envelope]:
    return [Envelope(row_id, to.channel, to.address, reply) for row_id, (to, reply) in zip(ids, rendered, strict=True)]


async def notice_letters(session: AsyncSession, notices: Sequence[tuple[int, Outgoing]]) -> list[Letter]:
    """Letters for notices to users by id (an applicant whose status staff changed, a broadcast's author), each
    in their own language and channel; someone who deleted their account meanwhile is skipped."""
    letters = []
    for user_id, message in notices:
        user = await get_user(session, user_id)
        if user is not None:
            letters.append(Letter(Recipient.of(user), [message]))
    return letters


async def write_notices(
    session: AsyncSession, catalogs: Catalogs, notices: Sequence[tuple[int, Outgoing]], now: datetime
) -> list[Envelope]:
    """Queue notices collected outside a chat message (a job, a CLI command, a web request)."""
    return await write_letters(session, catalogs, await notice_letters(session, notices), now)


@asynccontextmanager
async def acting(runtime: Runtime, *, later: list[Envelope] | None = None,
                 ) -> AsyncIterator[tuple[AsyncSession, NoticeList]]:
    """The transaction of an entry point other than a chat message (a CLI command, a web request): the notices
    its staff actions queue are written in the same commit and delivered after it, or, given `later`, put there
    for the caller to deliver once it has answered (a web page must not wait for Telegram or Meta)."""
    notices = NoticeList()
    async with runtime.session_factory() as session:
        async with session.begin():
            yield session, notices
            envelopes = await write_notices(session, runtime.catalogs, notices.notices, runtime.clock())
        if later is not None:
            later.extend(envelopes)
        else:
            await runtime.delivery.deliver(envelopes)
