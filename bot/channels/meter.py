"""What the engine and the channels count for the operator (`GET /metrics`), as a small interface they are handed.

The counting itself (Prometheus counters in a registry of the process) belongs to the shell (`bot.metrics`); the
layers below only say what happened, through a `Meter` given to them, so nothing here is global and a test, a bench
or the console runs with `NO_METER`, which counts nothing. It sits with the channels, the lowest layer that counts,
so both they and the engine can take one.
"""

from __future__ import annotations

from typing import Final, Protocol

SENT: Final = "sent"
"""The platform took the message."""
RETRY: Final = "retry"
"""The send failed for now; the outbox tries again later."""
FAILED: Final = "failed"
"""The send failed for good (the platform refused it); staff see it among failed deliveries."""
BLOCKED: Final = "blocked"
"""Not sent: the user blocked the bot and has not written since."""
SEND_RESULTS: Final = (SENT, RETRY, FAILED, BLOCKED)


class Meter(Protocol):
    """What happened, told as it happens; each call must be cheap and never fail."""

    def handled(self, channel: str, seconds: float) -> None:
        """One incoming message was handled (its transaction committed, its replies queued) in `seconds`."""
        ...

    def send_result(self, channel: str, result: str) -> None:
        """One outbox message was tried: one of `SEND_RESULTS`."""
        ...

    def rate_limited(self, channel: str, paused_seconds: float) -> None:
        """The platform said to slow down (HTTP 429, WhatsApp's throttling); `paused_seconds` is how long every
        sender of the bot or number now waits (0: only that recipient's messages wait)."""
        ...


class NoMeter:
    """Counts nothing: the default wherever no operator is watching."""

    def handled(self, channel: str, seconds: float) -> None:
        return None

    def send_result(self, channel: str, result: str) -> None:
        return None

    def rate_limited(self, channel: str, paused_seconds: float) -> None:
        return None


NO_METER: Final[Meter] = NoMeter()
