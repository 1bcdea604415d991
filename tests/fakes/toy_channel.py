"""A third channel that exists only in the tests: a web chat widget that posts a user's line as JSON and keeps the
bot's replies for the page to show. It is built as docs/ADDING_A_CHANNEL.md says, and registered only by the
test that uses it, which shows a new channel needs nothing but its own package and one registry line."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter
from redis.asyncio import Redis

from bot.channels.base import ChannelSettings, Connection, EnginePort
from bot.engine.messages import Incoming, IncomingKind, Reply

CHANNEL = "widget"
PATH = "/widget/messages"


@dataclass
class WidgetSender:
    """Keeps each visitor's replies, as the widget's page would poll for them."""

    name: str = CHANNEL
    skips_unreachable: bool = False
    inbox: dict[str, list[Reply]] = field(default_factory=dict)

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        self.inbox.setdefault(address, []).append(reply)
        return ()


def connect(settings: ChannelSettings, port: EnginePort, redis: Redis | None) -> Connection | None:
    if not settings.get("widget_token"):
        return None
    sender = WidgetSender()
    router = APIRouter()

    @router.post(PATH)
    async def receive(message: dict[str, Any]) -> dict[str, bool]:
        option = message.get("option")
        await port.handle(Incoming(
            channel=CHANNEL, external_id=str(message["visitor"]), text=str(message.get("text", "")),
            kind=IncomingKind.OPTION if option else IncomingKind.TEXT, option=str(option or ""),
        ))
        return {"ok": True}

    return Connection(sender, routes=[router], served=[f"web chat widget {PATH}"])
