"""What `GET /metrics` reports (README, Observability; served by `bot.metrics_endpoint`): what this process counted,
and what waits in the database.

Each process builds its own `ProcessMetrics` (a `CollectorRegistry` of its own, nothing global), handed down as the
`Meter` the engine and the channels count in: messages handled and how long they took, sends by result, the
platforms' "slow down" answers and the pauses they caused. What waits in the database (the outbox, due follow-up
fires, broadcasts under way) is read at scrape time by `DatabaseState`, so every replica reports the same truth;
when the database does not answer within `READ_TIMEOUT`, the scrape still answers, with
`sahabat_kerja_database_up 0` and the process's own counts.

Nothing here imports the web server: the console chat builds a runtime, and its meter, without loading FastAPI.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from prometheus_client import CollectorRegistry, Counter, Histogram, ProcessCollector
from prometheus_client.core import GaugeMetricFamily, Metric

from bot.channels.meter import SEND_RESULTS
from bot.channels.registry import CHANNELS
from bot.engine.runtime import Runtime
from models.backlog import Waiting, broadcasts_under_way, due_fires, pending_outbox

log = logging.getLogger(__name__)

PREFIX = "sahabat_kerja"
READ_TIMEOUT = 3.0
"""Seconds the scrape waits for the database before answering without it (Prometheus's own timeout is 10 s)."""
LATENCY_BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0)
"""A reply is a transaction or two (tens of ms); a report made in the chat takes seconds."""


class ProcessMetrics:
    """This process's counts (the `Meter` of a served bot), in a registry of its own."""

    def __init__(self, channels: Sequence[str] = tuple(CHANNELS)) -> None:
        self.registry = CollectorRegistry()
        ProcessCollector(registry=self.registry)  # process_*: CPU, memory, open files (read from /proc at scrape)
        self._handling = Histogram(
            f"{PREFIX}_message_handling_seconds",
            "Incoming messages handled (_count) and how long each took, from "
            "arrival to its replies committed, by channel.",
            ["channel"],
            buckets=LATENCY_BUCKETS,
            registry=self.registry,
        )
        self._sends = Counter(
            f"{PREFIX}_sends",
            "Outbox messages tried, by channel and result: sent, retry (failed for now), failed "
            "(for good), blocked (the user blocked the bot).",
            ["channel", "result"],
            registry=self.registry,
        )
        self._rate_limited = Counter(
            f"{PREFIX}_rate_limited",
            "Times a platform said to slow down (Telegram's 429, WhatsApp's throttling and pair rate), by channel.",
            ["channel"],
            registry=self.registry,
        )
        self._pauses = Counter(
            f"{PREFIX}_send_pauses",
            "Times every sender of the bot or number was paused for it, by channel.",
            ["channel"],
            registry=self.registry,
        )
        self._paused = Counter(
            f"{PREFIX}_send_paused_seconds", "Seconds of those pauses, by channel.", ["channel"], registry=self.registry
        )
        for channel in channels:  # every series exists from the start, so rate() sees the first increase
            self._handling.labels(channel)
            self._rate_limited.labels(channel)
            self._pauses.labels(channel)
            self._paused.labels(channel)
            for result in SEND_RESULTS:
                self._sends.labels(channel, result)

    def handled(self, channel: str, seconds: float) -> None:
        self._handling.labels(channel).observe(seconds)

    def send_result(self, channel: str, result: str) -> None:
        self._sends.labels(channel, result).inc()

    def rate_limited(self, channel: str, paused_seconds: float) -> None:
        self._rate_limited.labels(channel).inc()
        if paused_seconds > 0:
            self._pauses.labels(channel).inc()
            self._paused.labels(channel).inc(paused_seconds)


@dataclass(frozen=True, slots=True)
class DatabaseState:
    """What waits in the database at one moment."""

    at: datetime
    outbox: dict[str, Waiting]
    fires: Waiting
    broadcasts: dict[int, dict[str, int]]
    read_seconds: float

    @classmethod
    async def read(cls, runtime: Runtime) -> DatabaseState:
        started = time.perf_counter()
        now = runtime.clock()
        async with runtime.session_factory() as session:
            outbox = await pending_outbox(session)
            fires = await due_fires(session, now)
            broadcasts = await broadcasts_under_way(session)
        return cls(now, outbox, fires, broadcasts, time.perf_counter() - started)


async def read_database(runtime: Runtime) -> DatabaseState | None:
    """The state, or None when the database cannot say within `READ_TIMEOUT` (it is down, or too busy)."""
    try:
        return await asyncio.wait_for(DatabaseState.read(runtime), READ_TIMEOUT)
    except Exception as error:  # the scrape must answer whatever the database does
        log.warning("metrics: the database could not be read (%r)", error)
        return None


@dataclass(frozen=True, slots=True)
class DatabaseCollector:
    """One scrape's database figures as Prometheus gauges (a custom collector: made per scrape, registered
    nowhere). The outbox is reported for every one of `channels`, 0 when nothing waits there."""

    state: DatabaseState | None
    channels: Sequence[str] = tuple(CHANNELS)

    def collect(self) -> Iterable[Metric]:
        yield GaugeMetricFamily(
            f"{PREFIX}_database_up",
            "1 when this scrape could read the database, else 0 (the figures read from it are then missing).",
            value=int(self.state is not None),
        )
        state = self.state
        if state is None:
            return
        yield GaugeMetricFamily(
            f"{PREFIX}_database_read_seconds", "How long this scrape's reads took.", value=state.read_seconds
        )
        depth = GaugeMetricFamily(
            f"{PREFIX}_outbox_pending",
            "Messages in the outbox not yet sent nor given up, by channel.",
            labels=["channel"],
        )
        age = GaugeMetricFamily(
            f"{PREFIX}_outbox_oldest_pending_age_seconds",
            "How long the oldest of them has waited since it was written, by channel (0: none waits).",
            labels=["channel"],
        )
        nothing = Waiting(0, None)
        for channel in sorted({*self.channels, *state.outbox}):
            waiting = state.outbox.get(channel, nothing)
            depth.add_metric([channel], waiting.count)
            age.add_metric([channel], waiting.age_seconds(state.at))
        yield depth
        yield age
        yield GaugeMetricFamily(
            f"{PREFIX}_follow_up_fires_due",
            "Follow-up fires (check-ins, reminders) past their time that no job has taken yet.",
            value=state.fires.count,
        )
        yield GaugeMetricFamily(
            f"{PREFIX}_follow_up_oldest_due_age_seconds",
            "How long past its time the oldest of them is (0: none).",
            value=state.fires.age_seconds(state.at),
        )
        yield from _broadcast_families(state.broadcasts)


def _broadcast_families(broadcasts: dict[int, dict[str, int]]) -> Iterable[Metric]:
    yield GaugeMetricFamily(f"{PREFIX}_broadcasts_sending", "Broadcasts under way.", value=len(broadcasts))
    recipients = GaugeMetricFamily(
        f"{PREFIX}_broadcast_recipients",
        "Recipients of a broadcast under way, by broadcast id and state: pending (not yet handed to the outbox), "
        "queued (in the outbox), sent (long delivered), skipped, unreachable; together, all of them.",
        labels=["broadcast", "state"],
    )
    for broadcast_id, states in sorted(broadcasts.items()):
        for state, count in sorted(states.items()):
            recipients.add_metric([str(broadcast_id), state], count)
    yield recipients
