"""Read the WhatsApp number's messaging tier and quality from the Graph API, at start and then daily: the tier
says how many people a broadcast may reach in a day, and a lower tier or a bad quality pauses broadcasts
(`services.whatsapp_number`). Meta also reports changes by webhook; this catches what a missed webhook would
leave stale, and the tier of a number that never had a change."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

from bot.channels.base import NumberEvent
from bot.channels.registry import WHATSAPP
from bot.engine.channel_port import RuntimePort
from bot.engine.runtime import Runtime


@runtime_checkable
class ChecksItsNumber(Protocol):
    async def check_number(self) -> NumberEvent | None: ...


async def check_whatsapp_number(runtime: Runtime) -> int:
    """1 when the number was read and its standing recorded, 0 when there is no WhatsApp or no answer."""
    channel = runtime.delivery.channel(WHATSAPP)
    if not isinstance(channel, ChecksItsNumber):
        return 0
    event = await channel.check_number()
    if event is None:
        return 0
    await RuntimePort(runtime).record_number_event(WHATSAPP, event)
    return 1
