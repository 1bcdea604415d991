"""The web side, a FastAPI app served by uvicorn: `/healthz`, the staff dashboard (`web/`) and the routes the
configured channels bring (their webhooks, each checked by its channel: Telegram's secret token, WhatsApp's
signature)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI

from bot.engine.runtime import Runtime
from web.app import DashboardConfig, mount_dashboard


def create_app(routers: Sequence[APIRouter] = (), *, runtime: Runtime | None = None,
               dashboard: DashboardConfig | None = None) -> FastAPI:
    """The app, with the channels' `routers`, and with `runtime` the staff dashboard."""
    app = FastAPI(title="Sahabat Kerja", docs_url=None, redoc_url=None, openapi_url=None)
    for router in routers:
        app.include_router(router)
    if runtime is not None:
        mount_dashboard(app, runtime, dashboard or DashboardConfig())

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """For the load balancer and the container's health check: the process is up and serving."""
        return {"status": "ok"}

    return app
