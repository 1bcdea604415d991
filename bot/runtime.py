"""Builds everything the program needs, once, from settings: the one place objects are wired together.

Nothing is created at import time; tests build their own `Runtime` with their own database and clock.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from bot.delivery import Channel, Delivery
from bot.dispatcher import Dispatcher
from bot.i18n import Catalogs
from bot.settings import SUPPORTED_LOCALES, Settings
from handlers.context import Services
from handlers.messages import Incoming
from models.base import utcnow
from models.crypto import NikCipher
from models.db import create_engine, create_session_factory
from models.regions import Office, load_office


@dataclass(slots=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    session_factory: async_sessionmaker[AsyncSession]
    catalogs: Catalogs
    services: Services
    dispatcher: Dispatcher
    delivery: Delivery
    clock: Callable[[], datetime]

    async def handle(self, incoming: Incoming) -> None:
        """Dispatch one message and deliver its replies: what every channel adapter calls."""
        await self.delivery.deliver(await self.dispatcher.handle(incoming))

    async def aclose(self) -> None:
        await self.delivery.flush()
        await self.engine.dispose()


def office_from(settings: Settings) -> Office:
    office = load_office(settings.region_file)
    return dataclasses.replace(
        office, name=settings.office_name or office.name, timezone=settings.timezone or office.timezone
    )


def build_runtime(
    settings: Settings,
    channels: Mapping[str, Channel] | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    raise_errors: bool = False,
    flush_when_idle: bool = False,
) -> Runtime:
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    catalogs = Catalogs(SUPPORTED_LOCALES, settings.default_locale)
    services = Services(
        office=office_from(settings),
        cipher=NikCipher(settings.nik_encryption_key.get_secret_value()),
        locales=SUPPORTED_LOCALES,
        render_in=lambda locale, message: catalogs.translator(locale).render(message),
    )
    dispatcher = Dispatcher(session_factory, services, catalogs, clock, raise_errors=raise_errors)
    delivery = Delivery(session_factory, channels or {}, clock, flush_when_idle=flush_when_idle)
    return Runtime(settings, engine, session_factory, catalogs, services, dispatcher, delivery, clock)
