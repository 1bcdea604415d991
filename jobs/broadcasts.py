"""Send broadcasts: start scheduled ones when due, then fan each out in batches through the outbox.

Each batch claims pending deliveries (skipping rows another worker holds, on PostgreSQL), writes their
outbox rows and marks them queued in one commit, then sends them at the channel's pace. Exactly once as far
as the platform allows: a queued message belongs to the worker that queued it for a short lease, renewed
while it waits in that worker's line; if the worker dies (kill -9), the lease runs out and the outbox sweep
sends it, so nobody is lost. Each sender has its message marked sent before it takes the next one, so what
a crash can repeat is at most one message per sender: SENDERS. Opted-out and blocked recipients are skipped
at their turn, so a /stop sent after the broadcast was written still counts. WhatsApp recipients beyond
the number's daily tier, or while its broadcasts are paused, stay pending (`services.whatsapp_pacing`). The
author hears of progress every 10 % and at the end.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta

from bot.channels.registry import WHATSAPP
from bot.engine.delivery import Envelope
from bot.engine.messages import Reply
from bot.engine.notify import write_notices
from bot.engine.rendering import render
from bot.engine.runtime import Runtime
from handlers.broadcasts.message import broadcast_message
from handlers.broadcasts.pacing import waiting_lines
from handlers.broadcasts.progress import progress_message
from models.broadcasts import (
    BroadcastStatus,
    Turn,
    claim_turns,
    figures_of,
    get_broadcast,
    mark_turns,
    queue_turns,
    renew_lease,
    sending_now,
    start_due,
)
from models.sending_days import OfficeClock
from services.posters import broadcast_poster_image
from services.whatsapp_pacing import plan_for_broadcast, whatsapp_free, whatsapp_held

BATCH = 500
SENDERS = 16
LEASE = timedelta(seconds=15)
"""How long queued messages stay with the worker that queued them before the sweep may send them instead;
renewed every third of it while they wait in its line. A killed worker's messages go out again within
LEASE plus one sweep interval; a worker stalled for longer than two thirds of it could see a few repeated."""


async def send_broadcasts(runtime: Runtime, batch: int = BATCH) -> int:
    """One pass over every broadcast that is due; returns how many deliveries were handled."""
    async with runtime.session_factory() as session, session.begin():
        await start_due(session, runtime.clock())
    async with runtime.session_factory() as session:
        sending = [(broadcast.id, broadcast.total) for broadcast in await sending_now(session)]
    handled = 0
    for broadcast_id, total in sending:
        handled += await _send_one_broadcast(runtime, broadcast_id, total, batch)
    return handled


async def _send_one_broadcast(runtime: Runtime, broadcast_id: int, total: int, batch: int) -> int:
    """Queue batch after batch while SENDERS send from an in-memory line at most one batch long, so sending
    does not stop while the next batch is claimed. What is in that line is already in the outbox, leased to
    this worker: a crash leaves it to the sweep once the lease runs out."""
    line: asyncio.Queue[Envelope | None] = asyncio.Queue(maxsize=max(batch, 1))
    held: set[int] = set()  # outbox ids queued here and not yet marked sent: this worker renews their lease

    async def sender() -> None:
        while (envelope := await line.get()) is not None:
            await runtime.delivery.deliver([envelope])
            await runtime.delivery.flush()  # marked before the next: a crash repeats at most one per sender
            held.discard(envelope.id)
            line.task_done()

    senders = [asyncio.create_task(sender()) for _ in range(SENDERS)]
    leasing = asyncio.create_task(_keep_lease(runtime, held))
    handled = since_report = 0
    try:
        while (queued := await _queue_batch(runtime, broadcast_id, batch)) is not None:
            count, envelopes = queued
            held.update(envelope.id for envelope in envelopes)
            for envelope in envelopes:
                await line.put(envelope)
            handled += count
            since_report += count
            if since_report * 10 >= total:  # the figures are an aggregate: counted about every tenth, not per batch
                await line.join()  # so they include this batch: ten short pauses in a broadcast, not per batch
                await _report(runtime, broadcast_id)
                since_report = 0
    finally:
        for _sender in senders:
            await line.put(None)
        await asyncio.gather(*senders)
        leasing.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await leasing
        await runtime.delivery.flush()
    await _report(runtime, broadcast_id)
    return handled


async def _keep_lease(runtime: Runtime, held: set[int]) -> None:
    """Every third of LEASE, extend it for the messages still waiting here: one UPDATE however many."""
    while True:
        await asyncio.sleep(LEASE.total_seconds() / 3)
        async with runtime.session_factory() as session, session.begin():
            await renew_lease(session, set(held), runtime.clock() + LEASE)


async def _queue_batch(runtime: Runtime, broadcast_id: int, batch: int) -> tuple[int, list[Envelope]] | None:
    """Claim the next deliveries and put them in the outbox; None when none are pending (or it was cancelled)."""
    now = runtime.clock()
    async with runtime.session_factory() as session, session.begin():
        broadcast = await get_broadcast(session, broadcast_id)
        if broadcast is None:
            return None
        limit = runtime.services.whatsapp_daily_limit
        held = await whatsapp_held(session, broadcast, now=now, fallback=limit)
        turns = await claim_turns(session, broadcast_id, batch, leave_out_channel=WHATSAPP if held else None)
        if any(_on_whatsapp(turn) for turn in turns):
            turns = _within(turns, await whatsapp_free(session, broadcast, now=now, fallback=limit,
                                                       clock=OfficeClock.of(runtime.services.office)))
        if not turns:
            return None
        replies: dict[str, Reply] = {}
        poster = await broadcast_poster_image(session, broadcast_id)  # loaded once a batch, not per recipient
        sendable = [turn for turn in turns if not (turn.stopped or turn.unreachable)]
        for turn in sendable:
            if turn.locale not in replies:
                message = broadcast_message(broadcast.text_for(turn.locale), broadcast.opening_code,
                                            runtime.services.office.name, poster)
                replies[turn.locale] = render(message, runtime.catalogs.translator(turn.locale))
        payloads = {locale: reply.to_json() for locale, reply in replies.items()}
        ids = await queue_turns(session, sendable, payloads, now=now, due=now + LEASE)
        await mark_turns(
            session,
            skipped=[turn.delivery_id for turn in turns if turn.stopped and not turn.unreachable],
            unreachable=[turn.delivery_id for turn in turns if turn.unreachable],
        )
    envelopes = [Envelope(ids[turn.user_id], turn.channel, turn.external_id, replies[turn.locale],
                          recipient_checked=True)  # claim_turns left out whoever blocked the bot
                 for turn in sendable]
    return len(turns), envelopes


def _on_whatsapp(turn: Turn) -> bool:
    """A turn that would start a WhatsApp conversation (one opted out or blocked is only marked)."""
    return turn.channel == WHATSAPP and not (turn.stopped or turn.unreachable)


def _within(turns: list[Turn], free: int | None) -> list[Turn]:
    """The claimed turns but WhatsApp's beyond what the day has left, which stay pending for the next day."""
    if free is None:
        return turns
    kept: list[Turn] = []
    for turn in turns:
        if _on_whatsapp(turn):
            if free <= 0:
                continue
            free -= 1
        kept.append(turn)
    return kept


async def _report(runtime: Runtime, broadcast_id: int) -> None:
    """Tell the author at each new tenth of progress, and finish the broadcast when nothing remains. The row is
    locked meanwhile: workers running the job at once tell the author of each tenth once, not once each."""
    envelopes: list[Envelope] = []
    async with runtime.session_factory() as session, session.begin():
        broadcast = await get_broadcast(session, broadcast_id, for_update=True)
        if broadcast is None or broadcast.status != BroadcastStatus.SENDING:
            return
        figures = await figures_of(session, broadcast_id)
        finished = figures.remaining == 0
        if finished:
            broadcast.status = BroadcastStatus.DONE
            broadcast.finished_at = runtime.clock()
        if (finished or figures.tenths_done > broadcast.reported_tenths) and broadcast.author_id is not None:
            broadcast.reported_tenths = figures.tenths_done
            plan = await plan_for_broadcast(session, broadcast, now=runtime.clock(),
                                            fallback=runtime.services.whatsapp_daily_limit,
                                            clock=OfficeClock.of(runtime.services.office))
            waiting = waiting_lines(plan, broadcast, runtime.services.office, runtime.clock())
            envelopes = await write_notices(session, runtime.catalogs,
                                            [(broadcast.author_id, progress_message(broadcast.id, figures, waiting))],
                                            runtime.clock())
    await runtime.delivery.deliver(envelopes)
