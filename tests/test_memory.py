"""A served bot freezes what start-up built, so full collections no longer walk it (bot/memory.py)."""

from __future__ import annotations

import gc

from bot.memory import freeze_start_up


def test_freezing_moves_the_start_up_heap_out_of_the_collectors_way() -> None:
    try:
        frozen = freeze_start_up()
        assert frozen > 1000 and gc.get_freeze_count() == frozen
        assert len(gc.get_objects(generation=2)) < frozen, "the oldest generation no longer holds what was frozen"
    finally:
        gc.unfreeze()  # the test process goes on collecting as before
    assert gc.get_freeze_count() == 0
