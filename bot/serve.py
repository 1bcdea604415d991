"""`python -m bot run` on the configured channels (`bot.channels.registry`): each connected, started, and served,
by its webhook on one uvicorn or by listening on its own (Telegram's long polling). Builds the runtime, the
channels and the scheduler, runs until SIGTERM or Ctrl-C, closes all.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from collections.abc import Awaitable, Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass

import uvicorn
from fastapi import APIRouter
from redis.asyncio import Redis

from bot.channels.base import ChannelSettings, ChannelStartError, Connection
from bot.channels.registry import CHANNELS, WHATSAPP, ChannelKind, configured
from bot.cli.whatsapp import warn_of_missing_templates
from bot.engine.channel_port import RuntimePort
from bot.engine.runtime import Runtime
from bot.leader import LeaderLock, while_leader
from bot.memory import freeze_start_up
from bot.scheduler import Scheduler
from bot.settings import Settings
from bot.webhooks import create_app
from bot.wiring import build_runtime
from web.app import DashboardConfig


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
            if any(connection.sender.name == WHATSAPP for connection in connections):
                await warn_of_missing_templates(settings, runtime)
        except ChannelStartError as error:
            print(error, file=sys.stderr)
            return error.exit_code
        scheduler = Scheduler(runtime)
        scheduler.start()
        freeze_start_up()  # what is built by now lives as long as the process: full collections skip it
        return await _serve_channels(settings, connections, runtime, redis)
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


def web_server(settings: Settings, runtime: Runtime, routes: Sequence[APIRouter] = (),
               server_class: type[uvicorn.Server] = uvicorn.Server) -> uvicorn.Server:
    """The dashboard, `/healthz`, `/metrics` and the channels' webhooks on WEB_HOST:WEB_PORT, in every mode."""
    dashboard = DashboardConfig(secure_cookies=settings.dashboard_url.startswith("https://"),
                                channel_settings=settings.model_dump())
    metrics_token = settings.metrics_token.get_secret_value() if settings.metrics_token else ""
    config = uvicorn.Config(create_app(routes, runtime=runtime, dashboard=dashboard,
                                       webhook_max_body=settings.webhook_max_body_bytes,
                                       metrics_token=metrics_token), host=settings.web_host,
                            port=settings.web_port, lifespan="off", log_level=settings.log_level.lower(),
                            access_log=False, log_config=None)  # its lines go through the root's masking
    return server_class(config)


class _ServerBesideTheConsole(uvicorn.Server):
    """Leaves Ctrl-C to the console chat it serves beside (uvicorn would otherwise take the signal)."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@dataclass
class BackgroundWeb:
    """The dashboard served in the background of the console chat (`python -m bot run` without channels)."""

    server: uvicorn.Server
    task: asyncio.Task[None]

    @classmethod
    def start(cls, settings: Settings, runtime: Runtime) -> BackgroundWeb:
        server = web_server(settings, runtime, server_class=_ServerBesideTheConsole)
        return cls(server, asyncio.create_task(server.serve()))

    async def stop(self) -> None:
        self.server.should_exit = True
        with contextlib.suppress(SystemExit):  # uvicorn exits when the port is taken; the chat went on anyway
            await self.task


def dashboard_notice(settings: Settings) -> str:
    return (f"Staff dashboard: {settings.dashboard_url}/dasbor (sign in: type /masuk in the chat as staff, or run "
            f"python -m bot staff login-link NAME)")


def listen_alone(connection: Connection, redis: Redis | None) -> Callable[[asyncio.Event], Awaitable[None]]:
    """The connection's listening (Telegram's long polling), in one replica only: with Redis (several replicas)
    while this one holds the lead (`bot.leader`); without Redis there is one process, which listens."""
    assert connection.listen is not None
    listen = connection.listen
    if redis is None:
        return listen
    lock = LeaderLock(redis, f"sahabat-kerja:leader:{connection.served[0]}")

    async def as_leader(stop: asyncio.Event) -> None:
        await while_leader(lock, listen, stop)

    return as_leader


async def _serve_channels(settings: Settings, connections: Sequence[Connection], runtime: Runtime,
                          redis: Redis | None = None) -> int:
    routes = [router for connection in connections for router in connection.routes]
    on_the_web = ", ".join(name for connection in connections if connection.routes for name in connection.served)
    on_their_own = ", ".join(name for connection in connections if not connection.routes for name in connection.served)
    served = ", ".join(part for part in (on_the_web, on_their_own) if part)
    print(f"Serving {served}; {dashboard_notice(settings)}", file=sys.stderr)
    stop = asyncio.Event()
    listening = [asyncio.ensure_future(listen_alone(connection, redis)(stop))
                 for connection in connections if connection.listen]
    try:
        await web_server(settings, runtime, routes).serve()  # until SIGTERM or Ctrl-C, which uvicorn catches
    finally:
        stop.set()
        await asyncio.gather(*listening)
    return 0
