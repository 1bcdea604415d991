"""Tell job seekers of newly published openings that fit them: at most one message per person per run.

Runs every minute. Everything a run decides (which openings it announced, the messages) is committed in one
transaction, so a crash announces nothing twice and loses nothing; the outbox sweep sends the messages.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bot.engine.i18n import Catalogs
from bot.engine.rendering import render
from handlers.openings.alerts import alert_message
from models.db import lock_for_key
from models.opening_alerts import Opening, Recipient, claim_unannounced, mark_announced, recipients_of, worth_announcing
from models.outbox import Addressed, enqueue_many
from models.regions import Office

BATCH = 50
"""Openings per transaction; a run continues until none are left."""


async def announce_new_openings(
    session_factory: async_sessionmaker[AsyncSession], catalogs: Catalogs, office: Office,
    clock: Callable[[], datetime],
) -> int:
    """Announce every opening published since the last run; returns how many people were messaged."""
    messaged = 0
    while True:
        now = clock()
        today = office.date_at(now)
        async with session_factory() as session, session.begin():
            await lock_for_key(session, "job:opening_alerts")
            openings = await claim_unannounced(session, BATCH)
            if not openings:
                return messaged
            found: dict[int, tuple[Recipient, list[Opening]]] = {}
            for opening in openings:
                if worth_announcing(opening, now, today):
                    for recipient in await recipients_of(session, opening, today):
                        found.setdefault(recipient.user_id, (recipient, []))[1].append(opening)
            await enqueue_many(session, [
                Addressed(r.channel, r.external_id, r.user_id,
                          render(alert_message(matches), catalogs.translator(r.locale)).to_json())
                for r, matches in found.values()
            ], now)
            mark_announced(openings, now)
            messaged += len(found)
