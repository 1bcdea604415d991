"""The office's WhatsApp templates (`/dasbor/whatsapp`), for admins: each purpose in each language with what
WhatsApp says of its template (approved, in review, rejected and why, paused, disabled), the messages that could
not be delivered for want of one, and two buttons: read the states from WhatsApp, submit the missing ones.

The rules are `services.whatsapp_templates`' (the same as `python -m bot whatsapp templates`); the business
account is reached with the settings the app was started with.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.channels.whatsapp.templates_api import GraphTemplateAccount, TemplateApiError, opened_account
from bot.engine.messages import Msg, _, ngettext
from models.whatsapp_templates import TemplateStatus, undeliverable_counts
from services.whatsapp_templates import (
    Overrides,
    missing_approvals,
    submit_missing,
    sync_templates,
    template_table,
    undeliverable,
)
from web.dashboard import HOME, Call, Dashboard, Need
from web.listing import office_time

PATH = HOME + "/whatsapp"
UNDELIVERED_SINCE = timedelta(days=30)
PURPOSE_WORDS: Mapping[str, Msg] = {
    "notification": _("General notification"),
    "status_change": _("Application status changed"),
    "check_in": _("Check-in after a training"),
    "reminder": _("Reminder"),
    "broadcast": _("Broadcast"),
    "opening_alert": _("New opening alert"),
    "ticket_reply": _("Staff answered a question"),
}
LANGUAGE_WORDS: Mapping[str, Msg] = {"id": _("Indonesian"), "en": _("English")}
STATUS_WORDS: Mapping[str, Msg] = {
    TemplateStatus.APPROVED: _("Approved"),
    TemplateStatus.PENDING: _("In review"),
    TemplateStatus.REJECTED: _("Rejected"),
    TemplateStatus.PAUSED: _("Paused"),
    TemplateStatus.DISABLED: _("Disabled"),
    TemplateStatus.FLAGGED: _("Approved, quality falling"),
    TemplateStatus.DELETED: _("Deleted from the account"),
    TemplateStatus.MISSING: _("Not submitted"),
}


def overrides_of(dashboard: Dashboard) -> Overrides:
    given = dashboard.config.channel_settings.get("whatsapp_templates")
    return given if isinstance(given, Mapping) else {}


def whatsapp_configured(dashboard: Dashboard) -> bool:
    return bool(dashboard.config.channel_settings.get("whatsapp_token"))


async def template_gaps(call: Call, dashboard: Dashboard) -> tuple[int, int]:
    """For the overview: how many purposes and languages have no usable template, and of those how many no general
    notification template stands in for; (0, 0) where the office does not use WhatsApp."""
    if not whatsapp_configured(dashboard):
        return 0, 0
    missing = await missing_approvals(call.session, overrides_of(dashboard))
    return len(missing), len(undeliverable(missing, dashboard.runtime.catalogs.default))


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    async def _page(request: Request, call: Call, status_code: int = 200, **context: Any) -> Response:
        table = await template_table(call.session, call.visit.actor, overrides_of(dashboard))
        missing = [row for row in table if not row.usable]
        lost = {(row.purpose, row.language) for row in undeliverable(missing, dashboard.runtime.catalogs.default)}
        undelivered = await undeliverable_counts(call.session, dashboard.now() - UNDELIVERED_SINCE)
        return dashboard.page(request, "whatsapp/templates.html", call.visit, status_code=status_code,
                              active="whatsapp", table=table, lost=lost, undelivered=sum(undelivered.values()),
                              purposes=PURPOSE_WORDS, languages=LANGUAGE_WORDS, statuses=STATUS_WORDS,
                              configured=whatsapp_configured(dashboard), path=PATH,
                              office_time=office_time(dashboard.office), **context)

    async def _with_account(request: Request, act: Callable[[Call, GraphTemplateAccount], Awaitable[Msg]]
                            ) -> Response:
        async with dashboard.call(request, need=Need.ADMIN, form=True) as call:
            try:
                async with opened_account(dashboard.config.channel_settings) as account:
                    said = await act(call, account)
            except TemplateApiError as error:
                return await _page(request, call, status_code=502, problem=_(
                    "WhatsApp could not be asked: {reason}").format(reason=str(error)))
            return await _page(request, call, notice=said)

    @router.get(PATH)
    async def show(request: Request) -> Response:
        async with dashboard.call(request, need=Need.ADMIN) as call:
            return await _page(request, call)

    @router.post(PATH + "/sinkron")
    async def sync(request: Request) -> Response:
        async def act(call: Call, account: GraphTemplateAccount) -> Msg:
            count = await sync_templates(call.session, call.visit.actor, account, dashboard.now())
            return ngettext("Read {count} template from WhatsApp.", "Read {count} templates from WhatsApp.", count)

        return await _with_account(request, act)

    @router.post(PATH + "/ajukan")
    async def submit(request: Request) -> Response:
        async def act(call: Call, account: GraphTemplateAccount) -> Msg:
            result = await submit_missing(call.session, call.visit.actor, account, dashboard.now())
            return _("Submitted for review: {submitted}. Already on the account: {already}. Refused: {refused} "
                     "(the reason is beside each).").format(submitted=len(result.submitted) + len(result.resubmitted),
                                                            already=result.already,
                                                            refused=len(result.refused))

        return await _with_account(request, act)

    return router
