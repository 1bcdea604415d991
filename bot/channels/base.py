"""What every channel package is built from, so that all of them are built one way (docs/ADDING_A_CHANNEL.md).

A channel turns platform events into `Incoming` and sends `Reply`s. What it needs from the database it asks the
engine through `EnginePort`; the engine's delivery calls it through `Channel`. A channel package imports only
`bot.channels.*`, the message vocabulary (`bot.engine.messages`) and its platform's library: never the rest of
the engine, the settings or the models.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Protocol

from bot.channels.meter import Meter
from bot.engine.messages import Incoming, Msg, Reply

if TYPE_CHECKING:
    from fastapi import APIRouter
    from redis.asyncio import Redis


class DeliveryError(Exception):
    """A send failed. `permanent` failures are not retried; `retry_after` is the platform's own wait."""

    def __init__(self, message: str, *, permanent: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.permanent = permanent
        self.retry_after = retry_after


class Channel(Protocol):
    """What the engine's delivery calls to reach a user on one platform."""

    name: str
    skips_unreachable: bool
    """Whether delivery leaves out users marked unreachable (they blocked the bot) instead of sending: for a
    platform that says so for good (Telegram's 403), where trying again is a wasted call."""

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        """Send one reply; returns the ids the platform gave the messages when it reports on them later (WhatsApp's
        statuses), else nothing."""
        ...


@dataclass(frozen=True, slots=True)
class TierUsage:
    """Business-initiated sends of the last 24 hours, which a platform may limit per number (WhatsApp's tiers)."""

    unique_recipients: int
    includes_this_user: bool
    oldest_at: datetime | None


@dataclass(frozen=True, slots=True)
class Recipient:
    """What the database knows of a user a channel is about to write to."""

    locale: str | None
    last_inbound_at: datetime | None
    """When they last wrote to us (kept to five minutes), for a platform's customer-service window."""
    tier_usage: TierUsage | None = None


@dataclass(frozen=True, slots=True)
class NumberEvent:
    """What a platform says of the sending number itself rather than of a message: WhatsApp's reports of its
    tier, quality and account restrictions, its answer to a check, or a refusal that slows the number down."""

    kind: str
    """`phone_number_quality_update`, `account_update` (webhook fields), `checked` or `slowed`."""
    event: str | None = None
    """The platform's word for what happened (`DOWNGRADE`, `FLAGGED`, `ACCOUNT_RESTRICTION`, an error code)."""
    tier: str | None = None
    quality: str | None = None
    slowed_for_s: float | None = None
    detail: Mapping[str, Any] = field(default_factory=dict)
    """What the platform sent, bounded, for the record."""


@dataclass(frozen=True, slots=True)
class TemplateReport:
    """A message template's review state as the platform reports it (WhatsApp's words: APPROVED, REJECTED...)."""

    name: str
    language: str
    status: str
    reason: str | None = None
    meta_id: str | None = None
    body: str | None = None
    """Its body's text and category as the platform holds them, when it said (to tell an edited definition)."""
    category: str | None = None


SendReplies = Callable[[], Awaitable[None]]
"""Sends replies already committed to the outbox; what cannot be sent now stays there for the sweep."""


class EnginePort(Protocol):
    """What a channel may ask of the engine: the only way from a channel to the dispatcher and the database."""

    @property
    def locales(self) -> tuple[str, ...]: ...

    @property
    def default_locale(self) -> str: ...

    def now(self) -> datetime: ...

    @property
    def meter(self) -> Meter:
        """Where the channel counts the platform's "slow down" answers for the operator (`bot.channels.meter`)."""
        ...

    def render(self, locale: str, message: Msg) -> str:
        """A message in `locale` (a command menu's descriptions)."""
        ...

    async def handle(self, incoming: Incoming) -> None:
        """Dispatch one message and send its replies."""
        ...

    async def accept(self, incoming: Incoming) -> SendReplies:
        """Dispatch one message and commit its replies; they are sent when the returned function is called (a
        webhook answers the platform first)."""
        ...

    async def recent_option_tokens(self, channel: str, address: str) -> list[str]:
        """The option tokens of the messages last sent to `address`, newest first."""
        ...

    async def last_reply_with_options(self, channel: str, address: str) -> Reply | None:
        """The latest of the last few replies to `address` that offered options."""
        ...

    async def recipient(self, channel: str, address: str) -> Recipient | None: ...

    async def set_reachable(self, channel: str, address: str, reachable: bool) -> None:
        """The platform said the user blocked the bot (False) or unblocked it (True)."""
        ...

    async def record_status(
        self, channel: str, message_id: str, status: str, at: datetime | None, reason: str | None
    ) -> None:
        """A platform's report on a sent message (`sent`, `delivered`, `read`, `failed`)."""
        ...

    async def set_locale(self, channel: str, address: str, locale: str) -> None:
        """Start a user in a language they chose before their first message."""
        ...

    async def record_number_event(self, channel: str, event: NumberEvent) -> None:
        """The platform reported on the sending number (its tier, quality, a restriction, a slow-down)."""
        ...

    async def usable_templates(self, channel: str) -> Mapping[str, Mapping[str, str]]:
        """The platform's message templates it lets us send (WhatsApp's approved ones): purpose -> the platform's
        language code -> template name."""
        ...

    async def record_template_status(self, channel: str, template: TemplateReport) -> None:
        """The platform's word on one of our templates (approved, rejected with a reason, paused...)."""
        ...


class ChannelStartError(Exception):
    """A channel cannot start: the message is one line a person can act on; `exit_code` is the process's."""

    def __init__(self, message: str, exit_code: int = 2) -> None:
        super().__init__(message)
        self.exit_code = exit_code


async def _nothing() -> None:
    return None


@dataclass(slots=True)
class Connection:
    """A configured channel, ready to be served: what its package's `connect` gives the shell.

    `start` runs once before serving (registering a webhook, a command menu) and raises `ChannelStartError`
    when the channel cannot run; `routes` are its web endpoints (webhooks); `listen` receives events on its own
    until the event is set (long polling); `served` names what it serves, for the start-up line.
    """

    sender: Channel
    routes: Sequence[APIRouter] = ()
    served: Sequence[str] = ()
    start: Callable[[], Awaitable[None]] = _nothing
    listen: Callable[[asyncio.Event], Awaitable[None]] | None = None
    close: Callable[[], Awaitable[None]] = _nothing


ChannelSettings = Mapping[str, Any]
"""The validated settings by name (`Settings.model_dump()`): each channel reads its own (`telegram_*`, ...)."""

Connect = Callable[[ChannelSettings, EnginePort, "Redis | None"], Connection | None]
"""A channel package's `connect`: its connection, or None when its settings do not configure it. With Redis,
its send rate is shared by every process of the bot."""


def secret(value: object) -> str:
    """A secret setting's text (pydantic keeps secrets wrapped so they are not logged), or "" when unset."""
    if value is None:
        return ""
    reveal = getattr(value, "get_secret_value", None)
    return str(reveal() if reveal is not None else value)


def json_of(raw: bytes) -> Any:
    """A webhook body as JSON. ValueError for anything else, a body nested too deeply to parse included (Python's
    parser raises RecursionError there, which would otherwise be a 500 for whoever sent it)."""
    try:
        return json.loads(raw)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
