"""The WhatsApp number on the dashboard: the banner on the Broadcasts pages while Meta's bad news (a lower tier,
a flagged number, a restricted account) holds WhatsApp broadcasts, the days a large broadcast takes, and
resuming them (`/dasbor/whatsapp/lanjutkan`, staff and admins) through the service the rest of the bot uses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from bot.engine.messages import Msg
from handlers.broadcasts.pacing import plan_lines, waiting_lines
from models.audiences import Audience
from models.broadcasts import Broadcast
from models.sending_days import OfficeClock
from models.whatsapp_number import standing
from services.whatsapp_number import resume_whatsapp_broadcasts
from services.whatsapp_pacing import plan_for_audience, plan_for_broadcast
from web.dashboard import Call, Dashboard, Need

RESUME = "/dasbor/whatsapp/lanjutkan"
BACK = "/dasbor/siaran"


async def number_words(dashboard: Dashboard, call: Call) -> dict[str, Any]:
    """What the banner needs: the number's standing (paused or not)."""
    return {
        "whatsapp_number": await standing(call.session, dashboard.runtime.services.whatsapp_daily_limit),
        "resume_address": RESUME,
    }


async def audience_pacing(dashboard: Dashboard, call: Call, audience: Audience, start: datetime) -> list[Msg]:
    """The preview's lines on the days the tier spreads a broadcast over."""
    plan = await plan_for_audience(
        call.session,
        audience,
        start=start,
        fallback=dashboard.runtime.services.whatsapp_daily_limit,
        clock=OfficeClock.of(dashboard.office),
    )
    return plan_lines(plan, dashboard.office, dashboard.now())


async def broadcast_waiting(dashboard: Dashboard, call: Call, broadcast: Broadcast) -> list[Msg]:
    """The progress's lines on what still waits on WhatsApp."""
    plan = await plan_for_broadcast(
        call.session,
        broadcast,
        now=dashboard.now(),
        fallback=dashboard.runtime.services.whatsapp_daily_limit,
        clock=OfficeClock.of(dashboard.office),
    )
    return waiting_lines(plan, broadcast, dashboard.office, dashboard.now())


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.post(RESUME)
    async def resume(request: Request) -> Response:
        async with dashboard.call(request, need=Need.CHANGE, form=True) as call:
            resumed = await resume_whatsapp_broadcasts(call.session, call.visit.actor, dashboard.now())
        return RedirectResponse(f"{BACK}?{'dilanjutkan' if resumed else 'tidak-dijeda'}=1", status_code=303)

    return router
