"""Send outbox messages still pending: written before a crash, or a failed attempt whose retry is due."""

from __future__ import annotations

from bot.engine.runtime import Runtime

BATCH = 200


async def retry_sending(runtime: Runtime) -> int:
    """Sweep batch after batch until nothing is due; returns how many messages were attempted."""
    attempted = 0
    while (count := await runtime.delivery.sweep(BATCH)) > 0:
        attempted += count
        if count < BATCH:
            break
    return attempted
