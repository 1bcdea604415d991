"""The web side, a FastAPI app served by uvicorn: the Telegram and WhatsApp webhooks and `/healthz`.

The webhook answers only requests carrying the secret given to `setWebhook` (Telegram sends it back in
`X-Telegram-Bot-Api-Secret-Token`); anyone else gets 403 and nothing is handled. An update is answered 200
once it is handled and its replies are committed (Telegram redelivers it if the process dies first, and
de-duplication makes that harmless); the replies are sent after the answer, so a send waiting on the rate
budget or a 429 never holds Telegram's connection.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Sequence
from typing import Annotated, Any

from aiogram.types import Update
from fastapi import APIRouter, BackgroundTasks, FastAPI, Header, HTTPException, Request
from pydantic import ValidationError

from bot.channels.telegram.adapter import TelegramAdapter

log = logging.getLogger(__name__)

TELEGRAM_WEBHOOK_PATH = "/telegram/webhook"


def create_app(telegram: TelegramAdapter | None = None, *, telegram_secret: str = "",
               telegram_path: str = TELEGRAM_WEBHOOK_PATH, routers: Sequence[APIRouter] = ()) -> FastAPI:
    """The app; `routers` adds other channels' webhooks (WhatsApp's)."""
    app = FastAPI(title="Sahabat Kerja", docs_url=None, redoc_url=None, openapi_url=None)
    for router in routers:
        app.include_router(router)

    @app.get("/healthz")
    async def healthz() -> dict[str, str]:
        """For the load balancer and the container's health check: the process is up and serving."""
        return {"status": "ok"}

    if telegram is not None:
        if not telegram_secret:
            raise ValueError("the Telegram webhook needs a secret")

        @app.post(telegram_path)
        async def telegram_webhook(
            request: Request,
            background: BackgroundTasks,
            secret: Annotated[str | None, Header(alias="X-Telegram-Bot-Api-Secret-Token")] = None,
        ) -> dict[str, Any]:
            """One update pushed by Telegram."""
            if secret is None or not hmac.compare_digest(secret.encode(), telegram_secret.encode()):
                raise HTTPException(status_code=403, detail="wrong or missing secret token")
            try:
                update = Update.model_validate(await request.json())
            except (ValueError, ValidationError):
                log.warning("the Telegram webhook received a body that is not an Update")
                raise HTTPException(status_code=400, detail="not a Telegram update") from None
            background.add_task(telegram.deliver, await telegram.receive(update))
            return {"ok": True}

    return app
