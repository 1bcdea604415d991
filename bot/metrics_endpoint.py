"""`GET /metrics` in Prometheus's text format (README, Observability): the process's own counts (`bot.metrics`) and
the database's figures read at this scrape.

It is for operators: with METRICS_TOKEN set it asks for `Authorization: Bearer <token>` and reads nothing before;
without, it answers whoever reaches WEB_HOST (127.0.0.1 unless set otherwise).
"""

from __future__ import annotations

import hmac

from fastapi import APIRouter, Header, Response
from prometheus_client.exposition import CONTENT_TYPE_LATEST, generate_latest

from bot.channels.registry import CHANNELS
from bot.engine.runtime import Runtime
from bot.metrics import DatabaseCollector, ProcessMetrics, read_database


def metrics_of(runtime: Runtime) -> ProcessMetrics:
    """The runtime's own counts; a runtime built without them (a test's) reports the database alone."""
    return runtime.meter if isinstance(runtime.meter, ProcessMetrics) else ProcessMetrics()


def metrics_router(runtime: Runtime, token: str = "") -> APIRouter:
    """`GET /metrics` in Prometheus's text format; with `token`, only for `Authorization: Bearer <token>`."""
    router = APIRouter()
    process = metrics_of(runtime)

    @router.get("/metrics", include_in_schema=False)
    async def metrics(authorization: str | None = Header(default=None)) -> Response:
        if token and not bearer_matches(authorization, token):
            return Response(
                "a bearer token is required\n",
                status_code=401,
                media_type="text/plain",
                headers={"WWW-Authenticate": 'Bearer realm="metrics"'},
            )
        database = DatabaseCollector(await read_database(runtime), (*CHANNELS, *runtime.delivery.reach))
        body = generate_latest(process.registry) + generate_latest(database)
        return Response(body, media_type=CONTENT_TYPE_LATEST)

    return router


def bearer_matches(authorization: str | None, token: str) -> bool:
    """Whether an `Authorization` header is `Bearer <token>` (compared in constant time)."""
    scheme, _, given = (authorization or "").partition(" ")
    return scheme.lower() == "bearer" and hmac.compare_digest(given.strip().encode(), token.encode())
