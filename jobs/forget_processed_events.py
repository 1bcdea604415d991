"""Drop the ids of platform events older than any platform redelivers, so the de-duplication table stays small."""

from __future__ import annotations

from bot.engine.runtime import Runtime
from models.events import EVENT_RETENTION, forget_events_before


async def forget_processed_events(runtime: Runtime) -> int:
    """Returns how many event ids were forgotten."""
    async with runtime.session_factory() as session, session.begin():
        return await forget_events_before(session, runtime.clock() - EVENT_RETENTION)
