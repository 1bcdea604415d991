"""A stand-in for the engine's side of `bot.channels.base.EnginePort`, for testing a channel on its own: it
answers from the functions a test gives it and remembers what the channel told it."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime

from bot.channels.base import NumberEvent, Recipient, SendReplies, TemplateReport
from bot.channels.meter import NO_METER, Meter
from bot.engine.messages import Incoming, Msg, Reply


async def _nothing() -> None:
    return None


@dataclass
class FakePort:
    recipient_of: Callable[[str], Awaitable[Recipient | None]] | None = None
    recall: Callable[[str], Awaitable[Reply | None]] | None = None
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    handled: list[Incoming] = field(default_factory=list)
    statuses: list[tuple[str, str, str]] = field(default_factory=list)
    reachable: dict[tuple[str, str], bool] = field(default_factory=dict)
    number_events: list[NumberEvent] = field(default_factory=list)
    approved: dict[str, dict[str, str]] = field(default_factory=dict)
    """purpose -> WhatsApp language code -> name: what `usable_templates` answers."""
    template_reports: list[TemplateReport] = field(default_factory=list)
    locales: tuple[str, ...] = ("id", "en")
    default_locale: str = "id"
    meter: Meter = NO_METER

    def now(self) -> datetime:
        return self.clock()

    def render(self, locale: str, message: Msg) -> str:
        return str(message)

    async def handle(self, incoming: Incoming) -> None:
        self.handled.append(incoming)

    async def accept(self, incoming: Incoming) -> SendReplies:
        self.handled.append(incoming)
        return _nothing

    async def recent_option_tokens(self, channel: str, address: str) -> list[str]:
        return []

    async def last_reply_with_options(self, channel: str, address: str) -> Reply | None:
        return await self.recall(address) if self.recall is not None else None

    async def recipient(self, channel: str, address: str) -> Recipient | None:
        return await self.recipient_of(address) if self.recipient_of is not None else None

    async def set_reachable(self, channel: str, address: str, reachable: bool) -> None:
        self.reachable[channel, address] = reachable

    async def record_status(
        self, channel: str, message_id: str, status: str, at: datetime | None, reason: str | None
    ) -> None:
        self.statuses.append((channel, message_id, status))

    async def set_locale(self, channel: str, address: str, locale: str) -> None:
        return None

    async def record_number_event(self, channel: str, event: NumberEvent) -> None:
        self.number_events.append(event)

    async def usable_templates(self, channel: str) -> Mapping[str, Mapping[str, str]]:
        return self.approved

    async def record_template_status(self, channel: str, template: TemplateReport) -> None:
        self.template_reports.append(template)
