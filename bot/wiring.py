"""Builds a `Runtime` from settings: the one place the shell turns configuration into running objects."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta

from bot.channels.base import Channel
from bot.channels.meter import Meter
from bot.channels.registry import CHANNELS
from bot.engine.delivery import Delivery
from bot.engine.dispatcher import Dispatcher
from bot.engine.i18n import SUPPORTED_LOCALES, Catalogs
from bot.engine.runtime import Runtime
from bot.metrics import ProcessMetrics
from bot.settings import Settings
from documents.chat_links import ChatLinks
from handlers.context import Services
from models.base import utcnow
from models.crypto import NikCipher
from models.db import ReadApart, create_engine, create_session_factory
from models.message_rates import FloodLimit
from models.opening_hours import opening_from_text
from models.regions import Office, load_office
from models.retention import Retention


def office_from(settings: Settings) -> Office:
    office = load_office(settings.region_file)
    return dataclasses.replace(
        office, name=settings.office_name or office.name, timezone=settings.timezone or office.timezone,
        address=settings.office_address or office.address, hours=settings.office_hours or office.hours,
        phone=settings.office_phone or office.phone,
        opening=opening_from_text(settings.office_opening) if settings.office_opening else office.opening,
    )


def build_runtime(
    settings: Settings,
    channels: Mapping[str, Channel] | None = None,
    *,
    clock: Callable[[], datetime] = utcnow,
    raise_errors: bool = False,
    flush_when_idle: bool = False,
    only_to: Mapping[str, Collection[str]] | None = None,
    flood: FloodLimit | None = None,
    meter: Meter | None = None,
) -> Runtime:
    """`flood`: the limit on how fast one person may write; by default the settings', on every channel a
    stranger can reach (all but the console). `meter`: what messages and sends are counted in; by default counts of this
    runtime's own (`bot.metrics.ProcessMetrics`), which its `/metrics` serves."""
    meter = meter or ProcessMetrics()
    engine = create_engine(settings.database_url)
    session_factory = create_session_factory(engine)
    catalogs = Catalogs(SUPPORTED_LOCALES, settings.default_locale)
    services = Services(
        office=office_from(settings),
        cipher=NikCipher(settings.nik_encryption_key.get_secret_value()),
        locales=SUPPORTED_LOCALES,
        render_in=lambda locale, message: catalogs.translator(locale).render(message),
        read_apart=ReadApart(engine),
        channel_titles={kind.name: kind.title for kind in CHANNELS.values()},
        phone_number_channels=frozenset(kind.name for kind in CHANNELS.values() if kind.addresses_are_phone_numbers),
        foreign_phones_allowed=settings.foreign_phones_allowed,
        dashboard_url=settings.dashboard_url,
        chat_links=ChatLinks(settings.whatsapp_public_number, settings.telegram_bot_username),
        whatsapp_daily_limit=settings.whatsapp_daily_unique_recipients,
    )
    flood = flood or FloodLimit(settings.flood_messages, timedelta(seconds=settings.flood_window_seconds),
                                frozenset(kind.name for kind in CHANNELS.values() if kind.connect))
    dispatcher = Dispatcher(session_factory, services, catalogs, clock, raise_errors=raise_errors, flood=flood)
    delivery = Delivery(session_factory, channels or {}, clock, flush_when_idle=flush_when_idle, only_to=only_to,
                        meter=meter)
    retention = Retention(delivered_messages=timedelta(days=settings.retention_delivered_days),
                          files=timedelta(days=settings.retention_files_days),
                          event_ids=timedelta(days=settings.retention_event_days))
    return Runtime(engine, session_factory, catalogs, services, dispatcher, delivery, clock, retention, meter)
