"""Tell job seekers of newly published openings that fit them: at most one message per person per run.

Runs every minute. Everything a run decides (which openings it announced, the messages) is committed in one
transaction, so a crash announces nothing twice and loses nothing; the outbox sweep sends the messages.
"""

from __future__ import annotations

from bot.engine.notify import Letter, Recipient, write_letters
from bot.engine.runtime import Runtime
from handlers.openings.alerts import alert_message
from models.db import lock_for_key
from models.opening_alerts import Opening, claim_unannounced, mark_announced, recipients_of, worth_announcing
from models.opening_alerts import Recipient as Seeker

BATCH = 50
"""Openings per transaction; a run continues until none are left."""


async def announce_new_openings(runtime: Runtime) -> int:
    """Announce every opening published since the last run; returns how many people were messaged."""
    messaged = 0
    while True:
        now = runtime.clock()
        today = runtime.services.office.date_at(now)
        async with runtime.session_factory() as session, session.begin():
            await lock_for_key(session, "job:opening_alerts")
            openings = await claim_unannounced(session, BATCH)
            if not openings:
                return messaged
            found: dict[int, tuple[Seeker, list[Opening]]] = {}
            for opening in openings:
                if worth_announcing(opening, now, today):
                    for recipient in await recipients_of(session, opening, today):
                        found.setdefault(recipient.user_id, (recipient, []))[1].append(opening)
            await write_letters(session, runtime.catalogs, [
                Letter(Recipient(r.channel, r.external_id, r.user_id, r.locale), [alert_message(matches)])
                for r, matches in found.values()
            ], now, for_sweep=True)
            mark_announced(openings, now)
            messaged += len(found)
