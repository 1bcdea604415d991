"""`python -m bot run` on the configured channels (`bot.channels.registry`): each connected, started, and served,
by its webhook on one uvicorn or by listening on its own (Telegram's long polling). Builds the runtime, the
channels and the scheduler, runs until SIGTERM or Ctrl-C, closes all.
"""

from __future__ import annotations

import asyncio
import contextlib
import signal
import sys
from collections.abc import Mapping, Sequence

import uvicorn
from redis.asyncio import Redis

from bot.channels.base import ChannelSettings, ChannelStartError, Connection
from bot.channels.registry import CHANNELS, ChannelKind, configured
from bot.engine.channel_port import RuntimePort
from bot.engine.runtime import Runtime
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.webhooks import create_app
from bot.wiring import build_runtime


async def serve(settings: Settings) -> int:
    """Every configured channel in one process, until a signal; the exit code."""
    runtime = build_runtime(settings, flush_when_idle=True)  # after a crash, repeat nothing already sent
    redis = Redis.from_url(settings.redis_url) if settings.redis_url else None
    connections: list[Connection] = []
    scheduler = None
    try:
        try:
            connections = connect_channels(settings.model_dump(), runtime, redis)
            for connection in connections:
                await connection.start()
        except ChannelStartError as error:
            print(error, file=sys.stderr)
            return error.exit_code
        scheduler = Scheduler(runtime)
        scheduler.start()
        return await _serve_channels(settings, connections)
    finally:
        if scheduler is not None:
            await scheduler.stop()
        for connection in connections:
            await connection.close()
        await runtime.aclose()
        if redis is not None:
            await redis.aclose()


def connect_channels(
    settings: ChannelSettings, runtime: Runtime, redis: Redis | None, channels: Mapping[str, ChannelKind] = CHANNELS
) -> list[Connection]:
    """The channels `settings` configure, their senders added to the runtime's delivery. With Redis, their send
    rates are shared by every process of the bot."""
    port = RuntimePort(runtime)
    connections = []
    for kind in configured(settings, channels):
        connection = kind.load_connect()(settings, port, redis)
        if connection is not None:
            runtime.delivery.add_channel(connection.sender)
            connections.append(connection)
    return connections


async def _serve_channels(settings: Settings, connections: Sequence[Connection]) -> int:
    routes = [router for connection in connections for router in connection.routes]
    on_the_web = ", ".join(name for connection in connections if connection.routes for name in connection.served)
    on_their_own = ", ".join(name for connection in connections if not connection.routes for name in connection.served)
    if not routes:  # nothing to serve on the web: listen until a signal
        print(f"{on_their_own}. Ctrl-C to stop.", file=sys.stderr)
        stop = _stop_on_signals()
        await asyncio.gather(*(connection.listen(stop) for connection in connections if connection.listen))
        return 0
    config = uvicorn.Config(create_app(routes), host=settings.web_host, port=settings.web_port, lifespan="off",
                            log_level=settings.log_level.lower(), access_log=False)
    also = f"; {on_their_own}" if on_their_own else ""
    print(f"Serving {on_the_web} on {settings.web_host}:{settings.web_port}{also}", file=sys.stderr)
    stop = asyncio.Event()
    listening = [asyncio.ensure_future(connection.listen(stop)) for connection in connections if connection.listen]
    try:
        await uvicorn.Server(config).serve()  # until SIGTERM or Ctrl-C, which uvicorn catches
    finally:
        stop.set()
        await asyncio.gather(*listening)
    return 0


def _stop_on_signals() -> asyncio.Event:
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for name in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):  # not on Windows
            loop.add_signal_handler(name, stop.set)
    return stop
