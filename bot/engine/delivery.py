"""Sends committed outbox rows through their channel and records the outcome.

Marking rows as sent is batched (one UPDATE for many messages) because it is the hottest write after the
conversation itself; a crash before the batch is written at worst repeats those few messages, never loses
one. Failed sends are retried by the sweep with backoff; permanent failures are recorded and given up.
Platform message ids a channel returns are written with the marks, tying later status callbacks to the row.
A message this process cannot send (another process serves its channel, or its user: a console session reaches
only its own) is left in the outbox, made due at once for the sweep of the process that can.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.channels.base import Channel, DeliveryError
from bot.channels.meter import BLOCKED, FAILED, NO_METER, RETRY, SENT, Meter
from bot.engine.locks import KeyedLocks
from bot.engine.messages import Reply
from models.files import file_content
from models.outbox import OutboxMessage, Reach, claim_due, make_due, mark_attempt_failed, mark_sent, scrub
from models.reachability import unreachable_since
from models.receipts import Sent, record_sent

log = logging.getLogger(__name__)

BACKOFF_BASE = timedelta(seconds=5)
MARK_BATCH = 64
SWEEP_SENDERS = 16
"""How many addresses the sweep sends to at once. A send is mostly a wait for the platform's answer, so one at a
time the sweep would send a crashed broadcast's rows at one per round trip; the channel's own rate limit is
what paces them, as for the broadcast's own senders (jobs/broadcasts.py)."""


@dataclass(frozen=True, slots=True)
class Envelope:
    """A committed outbox row, ready to send.

    `recipient_checked`: whoever queued it has just left out users who blocked the bot (a broadcast's claim
    does), so delivery need not ask again per message, which on PostgreSQL is most of a send's cost. Someone
    who blocked the bot since is caught by the platform's refusal.
    """

    id: int
    channel: str
    address: str
    reply: Reply
    recipient_checked: bool = False

    @classmethod
    def of(cls, row: OutboxMessage) -> Envelope:
        return cls(row.id, row.channel, row.address, Reply.from_json(row.payload))


class _Blocked(DeliveryError):
    """Not sent: the user is known to have blocked the bot."""


@dataclass(frozen=True, slots=True)
class _Mark:
    """What writing one sent message's mark involves: its row, the platform's ids for it, whether to wipe it."""

    outbox_id: int
    platform_ids: tuple[Sent, ...]
    sensitive: bool


class Delivery:
    def __init__(
        self,
        session_factory: async_sessionmaker[AsyncSession],
        channels: Mapping[str, Channel],
        clock: Callable[[], datetime],
        *,
        flush_when_idle: bool = False,
        only_to: Mapping[str, Collection[str]] | None = None,
        meter: Meter = NO_METER,
    ) -> None:
        """`flush_when_idle` also writes the marks whenever no other delivery is under way: for network
        channels, where a send costs a round trip anyway and a restart after a crash should repeat nothing
        the user already has; under load the marks are still batched.

        `only_to` limits a channel to some of its addresses: a console session's channel is its user's terminal,
        and what is written to other users waits for their own session.

        `meter` is told the result of every send (`bot.channels.meter`)."""
        self._session_factory = session_factory
        self._meter = meter
        self._channels = dict(channels)
        self._only_to = {channel: frozenset(addresses) for channel, addresses in (only_to or {}).items()}
        self._clock = clock
        self._flush_when_idle = flush_when_idle
        self._delivering = 0
        self._marks: list[_Mark] = []
        self._in_order = KeyedLocks()
        self._marks_taken = 0  # how many marks have ever been put in _marks
        self._marks_written = 0  # how many of those are committed
        self._writing_marks = asyncio.Lock()
        self._background: asyncio.Task[None] | None = None
        """A full batch's marks being written (`_flush_in_background`)."""

    def add_channel(self, channel: Channel) -> None:
        self._channels[channel.name] = channel

    def channel(self, name: str) -> Channel | None:
        """The sender of one channel, for a job that asks the platform itself (the WhatsApp number's tier)."""
        return self._channels.get(name)

    @property
    def reach(self) -> Reach:
        """Whom this process sends to: each of its channels, to every address or to those `only_to` names."""
        return {name: self._only_to.get(name) for name in self._channels}

    def _reaches(self, envelope: Envelope) -> bool:
        addresses = self._only_to.get(envelope.channel)
        return envelope.channel in self._channels and (addresses is None or envelope.address in addresses)

    async def deliver(self, envelopes: Sequence[Envelope]) -> None:
        """Send in order; one user's messages arrive in the order they were written.

        The replies to two quick messages of one user are committed in order (the dispatcher holds the user's
        lock), but sent after it is released; holding the address while sending a run of its messages keeps
        the second answer from overtaking the first. A caller takes the address before its first await, so
        whoever committed first sends first."""
        self._delivering += 1
        try:
            ours = [envelope for envelope in envelopes if self._reaches(envelope)]
            for (channel, address), run in itertools.groupby(ours, key=lambda e: (e.channel, e.address)):
                async with self._in_order.hold(f"{channel}:{address}"):
                    for envelope in run:
                        await self._send_one(await self._with_image(envelope))
        finally:
            self._delivering -= 1
        if len(ours) < len(envelopes):
            async with self._session_factory() as session, session.begin():
                await make_due(session, [envelope.id for envelope in envelopes if not self._reaches(envelope)],
                               self._clock())
        if len(self._marks) >= MARK_BATCH:
            self._flush_in_background()
        elif self._flush_when_idle and not self._delivering:
            await self.flush()

    def _flush_in_background(self) -> None:
        """A full batch of marks is written while the delivery whose send filled it returns: that reply's sender
        no longer waits for the bookkeeping of sixty-three others (with sixteen people typing, one message in
        sixty-four paid a transaction of round trips behind everyone's: bench/dialog.py's p99). One write at a
        time, as always (`flush`'s lock); `flush()`, and so closing the runtime, waits for it."""
        if self._background is None or self._background.done():
            self._background = asyncio.create_task(self._flush_logging_errors())

    async def _flush_logging_errors(self) -> None:
        try:
            await self.flush()
        except Exception:  # its marks are gone, as after a failed write in the foreground: those may go twice
            log.exception("writing the sent marks failed")

    async def flush(self) -> None:
        """Write the pending "sent" marks (with the platform's message ids, and wiping sensitive texts); when it
        returns, the marks of everything sent before the call are committed. Callers arriving while a write is
        under way wait for it and share the next one (a group commit), so a sender that flushes after every
        message costs one write per round, not per message."""
        background = self._background
        if background is not None and not background.done() and background is not asyncio.current_task():
            await background  # a full batch under way: then ours
        wanted = self._marks_taken
        async with self._writing_marks:
            if self._marks_written >= wanted:
                return  # a write that finished while we waited had ours
            marks, self._marks = self._marks, []
            taken = self._marks_taken
            if marks:  # none after a failed write, whose marks are gone: those may go twice, as after a crash
                async with self._session_factory() as session, session.begin():
                    await mark_sent(session, [mark.outbox_id for mark in marks], self._clock())
                    await record_sent(session, [sent for mark in marks for sent in mark.platform_ids])
                    await scrub(session, [mark.outbox_id for mark in marks if mark.sensitive])
            self._marks_written = taken

    async def sweep(self, limit: int = 200) -> int:
        """Send messages left pending (crash after commit, or a failed attempt now due); returns how many."""
        async with self._session_factory() as session, session.begin():
            envelopes = [Envelope.of(row) for row in await claim_due(session, self._clock(), limit, self.reach)]
        envelopes = await self._with_images(envelopes)
        runs: dict[tuple[str, str], list[Envelope]] = {}
        for envelope in envelopes:  # each address's messages in order, addresses side by side
            runs.setdefault((envelope.channel, envelope.address), []).append(envelope)
        senders = asyncio.Semaphore(SWEEP_SENDERS)

        async def send_run(run: list[Envelope]) -> None:
            async with senders:
                await self.deliver(run)

        await asyncio.gather(*(send_run(run) for run in runs.values()))
        await self.flush()
        return len(envelopes)

    async def _with_images(self, envelopes: list[Envelope]) -> list[Envelope]:
        """Each stored file the rows name read once, not once a row: a broadcast's poster left to the sweep for
        a thousand recipients is one read of its megabytes. A file gone is left to `_with_image` to say so."""
        wanted = {e.reply.image.file_id for e in envelopes
                  if e.reply.image is not None and e.reply.image.content is None and e.channel in self._channels}
        if not wanted:
            return envelopes
        async with self._session_factory() as session:
            contents = {file_id: await file_content(session, file_id) for file_id in wanted}
        return [_loaded(envelope, contents) for envelope in envelopes]

    async def _with_image(self, envelope: Envelope) -> Envelope:
        """The picture's bytes, from the database when the row came from there (the sweep, another worker).
        A picture gone from the database leaves its caption to be sent alone."""
        image = envelope.reply.image
        if image is None or image.content is not None or envelope.channel not in self._channels:
            return envelope
        async with self._session_factory() as session:
            content = await file_content(session, image.file_id)
        if content is None:
            log.warning("stored file %s of outbox %s is gone; sending its caption alone", image.file_id, envelope.id)
        loaded = None if content is None else replace(image, content=content)
        return replace(envelope, reply=replace(envelope.reply, image=loaded))

    async def _send_one(self, envelope: Envelope) -> None:
        channel = self._channels[envelope.channel]
        try:
            if channel.skips_unreachable and not envelope.recipient_checked:
                await self._refuse_if_unreachable(envelope)
            platform_ids = await channel.send(envelope.address, envelope.reply)
        except DeliveryError as error:
            await self._record_failure(envelope, error)
        except (TimeoutError, OSError) as error:
            await self._record_failure(envelope, DeliveryError(repr(error)))
        else:
            self._meter.send_result(envelope.channel, SENT)
            ids = tuple(Sent(envelope.channel, pid, envelope.id) for pid in platform_ids)
            self._marks.append(_Mark(envelope.id, ids, envelope.reply.sensitive))
            self._marks_taken += 1

    async def _refuse_if_unreachable(self, envelope: Envelope) -> None:
        """A user known to have blocked the bot is not sent to (a permanent failure, shown to staff) until they
        write again."""
        async with self._session_factory() as session:
            blocked_since = await unreachable_since(session, envelope.channel, envelope.address)
        if blocked_since is not None:
            raise _Blocked(f"skipped: the user blocked the bot on {blocked_since:%Y-%m-%d}", permanent=True)

    async def _record_failure(self, envelope: Envelope, error: DeliveryError) -> None:
        log.warning("delivery of outbox %s to %s failed: %s", envelope.id, envelope.channel, error)
        result = BLOCKED if isinstance(error, _Blocked) else FAILED if error.permanent else RETRY
        self._meter.send_result(envelope.channel, result)
        retry_at = None
        if not error.permanent:
            wait = timedelta(seconds=error.retry_after) if error.retry_after else BACKOFF_BASE
            retry_at = self._clock() + wait
        async with self._session_factory() as session, session.begin():
            await mark_attempt_failed(session, envelope.id, str(error), retry_at=retry_at)


def _loaded(envelope: Envelope, contents: dict[int, bytes | None]) -> Envelope:
    """The envelope with its file's bytes, when they were read."""
    image = envelope.reply.image
    content = contents.get(image.file_id) if image is not None and image.content is None else None
    if image is None or content is None:
        return envelope
    return replace(envelope, reply=replace(envelope.reply, image=replace(image, content=content)))
