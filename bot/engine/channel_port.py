"""The engine's side of `bot.channels.base.EnginePort`: what channels may ask of the dispatcher and the database,
answered from a `Runtime`, each question in its own short session.

Channels never hold a session or import the models; this is the one door between them and the database.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from bot.channels.base import NumberEvent, Recipient, SendReplies, TemplateReport
from bot.channels.meter import Meter
from bot.engine.messages import Incoming, Msg, Reply
from bot.engine.notify import acting
from bot.engine.runtime import Runtime
from models.outbox import last_payload_with_options, recent_payloads
from models.reachability import mark_reachable, mark_unreachable
from models.receipts import Receipt, record_receipt
from models.users import find_user, set_locale
from models.whatsapp_templates import record_template, usable_templates
from services.whatsapp_number import Report, take_report


class RuntimePort:
    """`EnginePort` over a runtime."""

    def __init__(self, runtime: Runtime) -> None:
        self._runtime = runtime

    @property
    def locales(self) -> tuple[str, ...]:
        return self._runtime.services.locales

    @property
    def default_locale(self) -> str:
        return self._runtime.catalogs.default

    def now(self) -> datetime:
        return self._runtime.clock()

    @property
    def meter(self) -> Meter:
        return self._runtime.meter

    def render(self, locale: str, message: Msg) -> str:
        return self._runtime.catalogs.translator(locale).render(message)

    async def handle(self, incoming: Incoming) -> None:
        await self._runtime.handle(incoming)

    async def accept(self, incoming: Incoming) -> SendReplies:
        envelopes = await self._runtime.dispatch(incoming)
        delivery = self._runtime.delivery

        async def send() -> None:
            await delivery.deliver(envelopes)

        return send

    async def recent_option_tokens(self, channel: str, address: str) -> list[str]:
        async with self._runtime.session_factory() as session:
            payloads = await recent_payloads(session, channel, address)
        return [token for payload in payloads for token, _label in (*payload.get("options", []),
                                                                    *payload.get("nav", []))]

    async def last_reply_with_options(self, channel: str, address: str) -> Reply | None:
        async with self._runtime.session_factory() as session:
            payload = await last_payload_with_options(session, channel, address)
        return None if payload is None else Reply.from_json(payload)

    async def recipient(self, channel: str, address: str) -> Recipient | None:
        async with self._runtime.session_factory() as session:
            user = await find_user(session, channel, address)
            return None if user is None else Recipient(locale=user.locale, last_inbound_at=user.last_seen_at)

    async def set_reachable(self, channel: str, address: str, reachable: bool) -> None:
        async with self._runtime.session_factory() as session, session.begin():
            if reachable:
                await mark_reachable(session, channel, address)
            else:
                await mark_unreachable(session, channel, address, self._runtime.clock())

    async def record_status(
        self, channel: str, message_id: str, status: str, at: datetime | None, reason: str | None
    ) -> None:
        receipt = Receipt(channel, message_id, status, at or self._runtime.clock(), reason)
        async with self._runtime.session_factory() as session, session.begin():
            await record_receipt(session, receipt)

    async def set_locale(self, channel: str, address: str, locale: str) -> None:
        async with self._runtime.session_factory() as session, session.begin():
            await set_locale(session, channel, address, locale)

    async def record_number_event(self, channel: str, event: NumberEvent) -> None:
        """Only WhatsApp reports on its number so far; staff are told of a pause after the commit."""
        report = Report(event.kind, event.event, event.tier, event.quality, event.slowed_for_s, event.detail)
        async with acting(self._runtime) as (session, notices):
            await take_report(session, notices, report, self._runtime.clock())

    async def usable_templates(self, channel: str) -> Mapping[str, Mapping[str, str]]:
        async with self._runtime.session_factory() as session:
            return await usable_templates(session)

    async def record_template_status(self, channel: str, template: TemplateReport) -> None:
        async with self._runtime.session_factory() as session, session.begin():
            await record_template(session, template, self._runtime.clock())
