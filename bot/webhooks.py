"""The web side, a FastAPI app served by uvicorn: `/healthz` and the routes the configured channels bring (their
webhooks, each checked by its channel: Telegram's secret token, WhatsApp's signature)."""

from __future__ import annotations

from collections.abc import Sequence

from fastapi import APIRouter, FastAPI


def create_app(routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The app, with the channels' `routers`."""
    app = FastAPI(title="Sahabat Kerja", docs_url=None, redoc_url=None, openapi_url=None)
    for router in routers:
        app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """For the load balancer and the container's health check: the process is up and serving."""
        return {"status": "ok"}

    return app
