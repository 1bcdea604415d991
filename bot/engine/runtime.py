"""What a running bot is made of: database, catalogs, dispatcher, delivery and clock, built once at start-up.

Nothing is created at import time: the shell (`bot.wiring`) builds one from settings; tests build their own with
their own database and clock.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.channels.meter import NO_METER, Meter
from bot.engine.delivery import Delivery, Envelope
from bot.engine.dispatcher import Dispatcher
from bot.engine.i18n import Catalogs
from bot.engine.messages import Incoming
from handlers.context import Services
from models.retention import Retention


@dataclass(slots=True)
class Runtime:
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    catalogs: Catalogs
    services: Services
    dispatcher: Dispatcher
    delivery: Delivery
    clock: Callable[[], datetime]
    retention: Retention = Retention()
    """How long delivered messages, stored files and event ids are kept (jobs/forget_old_data.py)."""
    meter: Meter = NO_METER
    """What the operator is told of messages handled and sends (`bot.metrics` in a served bot)."""

    async def handle(self, incoming: Incoming) -> None:
        """Dispatch one message and deliver its replies: what every channel adapter calls."""
        await self.delivery.deliver(await self.dispatch(incoming))

    async def dispatch(self, incoming: Incoming) -> list[Envelope]:
        """The dispatcher's handling of one message (replies committed, not yet sent), counted and timed."""
        started = time.perf_counter()
        envelopes = await self.dispatcher.handle(incoming)
        self.meter.handled(incoming.channel, time.perf_counter() - started)
        return envelopes

    async def aclose(self) -> None:
        await self.delivery.flush()
        await self.engine.dispose()
