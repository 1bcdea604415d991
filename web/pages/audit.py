"""The audit trail (`/dasbor/audit`), for admins: every change staff made, in the browser, the chat or the command
line, filtered by action, person, subject and dates, newest first, with the values before and after; and the
same rows as a CSV file (`/dasbor/audit.csv`)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.engine.messages import Msg, _
from documents.labels import CHANNEL, OPENING_KIND, ROLE, STATUS_FOR_STAFF
from models.audit import COMMAND_LINE, AuditFilters
from services.audit_trail import EXPORT_LIMIT, TooManyToExport, audit_actors, audit_file, browse_audit
from web.dashboard import HOME, Dashboard, Need
from web.listing import address, chosen, office_time, page_number

PATH = HOME + "/audit"
ACTIONS: Mapping[str, Msg] = {
    "staff.set_role": _("Office role changed"),
    "staff.revoke_sessions": _("Sessions ended by an admin"),
    "web.login_link": _("Sign-in link made"),
    "web.sign_in": _("Signed in to the dashboard"),
    "web.sign_out": _("Signed out of the dashboard"),
    "selection.move": _("Application status changed"),
    "selection.undo_rejection": _("Rejection undone"),
    "opening.create": _("Opening created"),
    "opening.update": _("Opening edited"),
    "opening.import": _("Opening imported"),
    "opening.publish": _("Opening published"),
    "opening.close": _("Applications closed"),
    "exports.applicants": _("Applicants exported"),
    "job_seekers.export": _("Job seekers exported"),
    "job_seekers.reveal_nik": _("Full NIK seen"),
    "audit.export": _("Audit trail downloaded"),
    "ticket.reply": _("Question answered"),
    "ticket.assign": _("Question assigned"),
    "ticket.close": _("Question closed"),
    "ticket.alerts": _("Question alerts turned on or off"),
    "canned_answer.add": _("Canned answer added"),
    "canned_answer.edit": _("Canned answer edited"),
    "canned_answer.delete": _("Canned answer deleted"),
    "whatsapp_templates.sync": _("WhatsApp templates synced"),
    "whatsapp_templates.submit": _("WhatsApp templates submitted for review"),
}
"""Words for the actions the services record; an action missing here is shown by its code."""
SUBJECTS: Mapping[str, Msg] = {"user": _("Office member or user"), "job_seeker": _("Job seeker"),
                               "application": _("Application"), **OPENING_KIND, "audit": _("Audit trail"),
                               "ticket": _("Question"), "canned_answer": _("Canned answer"),
                               "whatsapp_template": _("WhatsApp templates")}
ORIGINS: Mapping[str, Msg] = {"web": _("Dashboard"), "chat": _("Chat"), "cli": _("Command line")}
VALUE_WORDS: Mapping[str, Mapping[str, Msg]] = {"role": ROLE, "status": STATUS_FOR_STAFF, "from": STATUS_FOR_STAFF,
                                                "to": STATUS_FOR_STAFF}
"""Stored codes shown in words inside the before and after values."""
HIDDEN_DETAIL = frozenset({"origin", "before", "after", "form"})


def _day(request: Request, name: str, errors: dict[str, Msg]) -> date | None:
    raw = request.query_params.get(name, "").strip()
    if not raw:
        return None
    try:
        if len(raw) != len("2026-12-01"):
            raise ValueError(raw)
        return date.fromisoformat(raw)
    except ValueError:
        errors[name] = _("Please enter a date as YYYY-MM-DD, e.g. 2026-12-01.")
        return None


def _number(request: Request, name: str) -> int | None:
    raw = request.query_params.get(name, "")
    return int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 9 else None


def _search(request: Request, zone: ZoneInfo) -> tuple[dict[str, str | None], AuditFilters, dict[str, Msg]]:
    """The filters as the address gives them (unknown values ignored; a bad date is an error beside its field)."""
    errors: dict[str, Msg] = {}
    since, until = _day(request, "dari", errors), _day(request, "sampai", errors)
    if since and until and until < since:
        errors["sampai"] = _("Please choose an end date on or after the start date.")
        until = None
    actor = _number(request, "pelaku")
    subject_id = _number(request, "nomor")
    values = {"aksi": chosen(request, "aksi", ACTIONS), "pelaku": None if actor is None else str(actor),
              "subjek": chosen(request, "subjek", SUBJECTS), "nomor": None if subject_id is None else str(subject_id),
              "dari": request.query_params.get("dari", "")[:10] or None,
              "sampai": request.query_params.get("sampai", "")[:10] or None}
    filters = AuditFilters(
        action=values["aksi"], actor_id=actor, subject_kind=values["subjek"], subject_id=subject_id,
        since=datetime.combine(since, time(), tzinfo=zone) if since else None,
        until=datetime.combine(until + timedelta(days=1), time(), tzinfo=zone) if until else None)
    return values, filters, errors


def shown_detail(detail: Mapping[str, Any]) -> dict[str, Any]:
    """What a row's detail says besides origin and before/after (a reason, a count, the filters of an export)."""
    return {name: value for name, value in detail.items() if name not in HIDDEN_DETAIL}


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(PATH)
    async def trail(request: Request) -> Response:
        zone = ZoneInfo(dashboard.office.timezone)
        values, filters, errors = _search(request, zone)
        async with dashboard.call(request, need=Need.ADMIN) as call:
            found = await browse_audit(call.session, call.visit.actor, filters, page=page_number(request))
            actors = await audit_actors(call.session, call.visit.actor, filters.actor_id)
            return dashboard.page(
                request, "audit/list.html", call.visit, status_code=400 if errors else 200, active="audit",
                found=found, values=values, errors=errors, path=PATH, actors=actors, command_line=COMMAND_LINE,
                filtered=any(values.values()), actions=ACTIONS, subjects=SUBJECTS, origins=ORIGINS, channels=CHANNEL,
                value_words=VALUE_WORDS, shown_detail=shown_detail, office_time=office_time(dashboard.office),
                page_address=lambda number: address(PATH, values, halaman=number + 1),
                filter_address=lambda **changed: address(PATH, {}, **changed),
                export_address=address(PATH + ".csv", values))

    @router.get(PATH + ".csv")
    async def download(request: Request) -> Response:
        values, filters, _errors = _search(request, ZoneInfo(dashboard.office.timezone))
        async with dashboard.call(request, need=Need.ADMIN) as call:
            try:
                text = await audit_file(call.session, call.visit.actor, filters, timezone=dashboard.office.timezone,
                                        now=dashboard.now())
            except TooManyToExport:
                return dashboard.page(request, "audit/too_many.html", call.visit, status_code=400,
                                      limit=EXPORT_LIMIT, back=address(PATH, values))
        return Response("\ufeff" + text, media_type="text/csv; charset=utf-8", headers={
            "content-disposition": 'attachment; filename="audit.csv"', "cache-control": "no-store"})

    return router
