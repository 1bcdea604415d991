"""A third channel touches only its own package and one registry line (docs/ADDING_A_CHANNEL.md).

The web chat widget of `tests.fakes.toy_channel` is not in the product's registry: the test adds its one line to
a copy, and the shell's own `connect_channels` imports it, adds its sender to delivery and mounts its route.
A visitor then registers through the same dispatcher and delivery as on Telegram or WhatsApp.
"""

from __future__ import annotations

import sys
from types import MappingProxyType

import httpx

from bot.channels.registry import CHANNELS, ChannelKind, configured
from bot.serve import connect_channels
from bot.settings import Settings
from bot.webhooks import create_app
from tests.conftest import RuntimeFactory

WIDGET = ChannelKind("widget", "Web chat", "tests.fakes.toy_channel:connect", enabled_by="widget_token")


async def test_a_channel_registered_with_one_line_carries_a_conversation(
    app_settings: Settings, make_runtime: RuntimeFactory
) -> None:
    registry = MappingProxyType({**CHANNELS, WIDGET.name: WIDGET})
    settings = {**app_settings.model_dump(), "widget_token": "on"}
    assert [kind.name for kind in configured(settings, registry)] == ["widget"]
    sys.modules.pop("tests.fakes.toy_channel", None)
    assert connect_channels(app_settings.model_dump(), make_runtime(), None, registry) == []
    assert "tests.fakes.toy_channel" not in sys.modules, "an unconfigured channel is not even imported"

    runtime = make_runtime()
    [widget] = connect_channels(settings, runtime, None, registry)
    inbox = widget.sender.inbox  # type: ignore[attr-defined]
    app = create_app(widget.routes)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://bot") as http:

        async def say(**message: str) -> str:
            assert (await http.post("/widget/messages", json={"visitor": "v1", **message})).status_code == 200
            text: str = inbox["v1"][-1].text
            return text

        def tap(label: str) -> dict[str, str]:
            [token] = [option.token for option in inbox["v1"][-1].options if option.label == label]
            return {"option": token}

        assert "Bahasa apa yang Anda inginkan?" in await say(text="halo")
        assert "UU 27/2022" in await say(**tap("Bahasa Indonesia"))
        await say(**tap("Saya setuju"))
        assert "NIK" in await say(text="Siti Rahmawati")
    assert widget.served == ["web chat widget /widget/messages"]
