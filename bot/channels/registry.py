"""Every channel the bot speaks, one line each: its stored name, how staff see it, what the rest of the program
may know of it, and where its package's `connect` lives.

The package is imported only when its channel is configured, so `python -m bot chat` never loads aiogram or
pywa. A new channel is its own package under `bot/channels/` and one line here (docs/ADDING_A_CHANNEL.md).
"""

from __future__ import annotations

import importlib
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import cast

from bot.channels.base import ChannelSettings, Connect

CONSOLE = "console"
TELEGRAM = "telegram"
WHATSAPP = "whatsapp"


@dataclass(frozen=True, slots=True)
class ChannelKind:
    """One line of the registry."""

    name: str
    """Stored with every user and outbox row: never rename one that is in use."""
    title: str
    """How staff see it named (the platform's own name, the same in every language)."""
    connect: str = ""
    """`module:function` of the package's `Connect`; "" for the console, which the CLI drives itself."""
    enabled_by: str = ""
    """The setting that turns the channel on (its token); the package is imported only when it is set."""
    addresses_are_phone_numbers: bool = False
    """A user's address is their mobile number (digits, international, no "+"): registration confirms it
    instead of asking for one."""

    def load_connect(self) -> Connect:
        module, _, function = self.connect.partition(":")
        return cast(Connect, getattr(importlib.import_module(module), function))


CHANNELS: Mapping[str, ChannelKind] = MappingProxyType({kind.name: kind for kind in (
    ChannelKind(CONSOLE, "Console"),
    ChannelKind(TELEGRAM, "Telegram", "bot.channels.telegram.connect:connect", "telegram_bot_token"),
    ChannelKind(WHATSAPP, "WhatsApp", "bot.channels.whatsapp.connect:connect", "whatsapp_token",
                addresses_are_phone_numbers=True),
)})


def configured(settings: ChannelSettings, channels: Mapping[str, ChannelKind] = CHANNELS) -> list[ChannelKind]:
    """The channels the settings turn on, in registry order (the console is never among them: it is the
    fallback when none is)."""
    return [kind for kind in channels.values() if kind.enabled_by and settings.get(kind.enabled_by)]
