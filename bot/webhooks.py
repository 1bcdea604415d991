"""The web side, a FastAPI app served by uvicorn: `/healthz`, `/metrics` (`bot.metrics_endpoint`), the staff dashboard
(`web/`) and the routes the configured channels bring (their webhooks, each checked by its channel: Telegram's
secret token, WhatsApp's signature). Every body is bounded before it is read (`bot.body_limit`): a webhook's by
WEBHOOK_MAX_BODY_BYTES, anything else by the largest form the dashboard takes."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI
from fastapi.routing import APIRoute

from bot.body_limit import BodyLimit
from bot.engine.runtime import Runtime
from bot.metrics_endpoint import metrics_router
from web.app import LARGEST_BODY, DashboardConfig, mount_dashboard

WEBHOOK_MAX_BODY_BYTES = 1024 * 1024
"""The default of the setting: Telegram's updates and Meta's webhooks are a few kilobytes."""


def create_app(routers: Sequence[APIRouter] = (), *, runtime: Runtime | None = None,
               dashboard: DashboardConfig | None = None, webhook_max_body: int = WEBHOOK_MAX_BODY_BYTES,
               metrics_token: str = "") -> FastAPI:
    """The app, with the channels' `routers`, and with `runtime` the staff dashboard and `/metrics` (behind
    `metrics_token` when one is given)."""
    app = FastAPI(title="Sahabat Kerja", docs_url=None, redoc_url=None, openapi_url=None)
    for router in routers:
        app.include_router(router)
    if runtime is not None:
        app.include_router(metrics_router(runtime, metrics_token))
        mount_dashboard(app, runtime, dashboard or DashboardConfig())
    webhook_paths = {route.path for router in routers for route in router.routes if isinstance(route, APIRoute)}
    app.add_middleware(BodyLimit, default=LARGEST_BODY if runtime is not None else webhook_max_body,
                       limits=dict.fromkeys(webhook_paths, webhook_max_body))

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """For the load balancer and the container's health check: the process is up and serving."""
        return {"status": "ok"}

    return app
