"""A served bot freezes what start-up built, so full collections no longer walk it (bot/memory.py), and what a
message builds is freed without the collector."""

from __future__ import annotations

import gc

from bot.engine.runtime import Runtime
from bot.memory import freeze_start_up
from tests.chat import ChatUser, RecordingChannel


def test_freezing_moves_the_start_up_heap_out_of_the_collectors_way() -> None:
    try:
        frozen = freeze_start_up()
        assert frozen > 1000 and gc.get_freeze_count() == frozen
        assert len(gc.get_objects(generation=2)) < frozen, "the oldest generation no longer holds what was frozen"
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
    assert gc.get_freeze_count() == 0


async def test_a_message_leaves_no_reference_cycles_behind(runtime: Runtime, channel: RecordingChannel) -> None:
    """What a message builds (its session, transaction, connection, ORM objects) is freed by reference counting
    as soon as it is handled: a cycle there (the session once held its transaction's connection strongly) left
    about 40 objects a message to the collector, whose pauses stopped every message in flight."""
    rina = ChatUser(runtime, channel, "rina")
    await rina.send("/start")  # the first message compiles and caches what later ones reuse
    gc.collect()
    gc.disable()
    gc.set_debug(gc.DEBUG_SAVEALL)
    try:
        for answer in ("1", "1", "Rina Marlina", "/batal", "/menu", "9", "halo"):
            await rina.send(answer)
        gc.collect()
        left = [type(thing).__qualname__ for thing in gc.garbage]
    finally:
        gc.set_debug(0)
        gc.garbage.clear()
        gc.enable()
    assert len(left) < 7 * 5, f"{len(left)} objects in reference cycles after 7 messages: {sorted(set(left))}"
