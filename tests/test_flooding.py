"""One account sending 50 messages a second is stopped at the door: its first messages are answered, then it is
asked once (in its language) to slow down and the rest are dropped with a log line, never queued; everyone else
is answered as usual meanwhile. The count lives in the database, so every worker sees it."""

from __future__ import annotations

import asyncio
import logging
from datetime import timedelta

import pytest

from bot.engine.messages import Incoming
from models.message_rates import FloodLimit
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock, RuntimeFactory

LIMIT = FloodLimit(messages=5, window=timedelta(seconds=10), channels=frozenset({"test"}))
SLOW_DOWN_ID = "Anda mengirim pesan terlalu cepat"


async def flood(user: ChatUser, count: int) -> None:
    """`count` messages at once, as a script would send them."""
    await asyncio.gather(*(user.runtime.handle(user.incoming(text=f"spam {n}")) for n in range(count)))


async def test_a_flooder_is_asked_once_to_slow_down_and_others_are_answered(
    make_runtime: RuntimeFactory, channel: RecordingChannel, clock: Clock, caplog: pytest.LogCaptureFixture
) -> None:
    runtime = make_runtime(channel, flood=LIMIT)
    flooder, siti = ChatUser(runtime, channel, "flooder"), ChatUser(runtime, channel, "siti")
    with caplog.at_level(logging.WARNING, logger="bot.engine.dispatcher"):
        siti_replies = asyncio.gather(*(siti.send("halo") for _ in range(3)))
        await asyncio.gather(flood(flooder, 50), siti_replies)
    to_flooder = [reply.text for reply in channel.to("flooder")]
    assert len(to_flooder) == LIMIT.messages + 1, "five answers and one notice for fifty messages"
    assert sum(SLOW_DOWN_ID in text for text in to_flooder) == 1
    assert len(channel.to("siti")) == 3
    assert all(SLOW_DOWN_ID not in reply.text for reply in channel.to("siti"))
    dropped = [record for record in caplog.records if "message dropped" in record.getMessage()]
    assert len(dropped) == 50 - LIMIT.messages - 1

    clock.advance(seconds=5)
    await flooder.send("halo")  # still flooding within the window: still dropped, no second notice
    assert len(channel.to("flooder")) == LIMIT.messages + 1
    clock.advance(seconds=11)  # quiet for a whole window: answered again
    await flooder.send("halo")
    assert len(channel.to("flooder")) == LIMIT.messages + 2
    assert SLOW_DOWN_ID not in channel.to("flooder")[-1].text


async def test_the_count_is_shared_by_every_worker(make_runtime: RuntimeFactory, channel: RecordingChannel) -> None:
    one, other = make_runtime(channel, flood=LIMIT), make_runtime(channel, flood=LIMIT)
    for n in range(LIMIT.messages + 3):
        await (one if n % 2 else other).handle(
            Incoming(channel="test", external_id="flooder", text="spam", event_id=f"w{n}"))
    assert len(channel.to("flooder")) == LIMIT.messages + 1


async def test_the_notice_speaks_the_flooders_language(
    make_runtime: RuntimeFactory, channel: RecordingChannel
) -> None:
    runtime = make_runtime(channel, flood=LIMIT)
    flooder = ChatUser(runtime, channel, "flooder", locale="en")
    for _ in range(LIMIT.messages + 1):
        await flooder.send("hello")
    assert "You are sending messages very quickly" in channel.to("flooder")[-1].text
