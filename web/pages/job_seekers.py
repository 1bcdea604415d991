"""Job seekers (`/dasbor/pencari-kerja`): a search by name or phone, kecamatan, skill area, education and current
activity, its export, and one person's file (`/dasbor/pencari-kerja/{user_id}`) with the NIK masked, where an
admin may see the full NIK after stating why."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.engine.messages import Msg, _
from documents.labels import CHANNEL, CURRENT_STATUS, DISABILITY, EDUCATION, GENDER, INTEREST, STATUS_FOR_STAFF
from handlers.checkins.answers_in_words import answer_in_words
from models.applications import opening_of, opening_title
from models.evaluations import EvaluationRecord
from models.job_seeker_search import JobSeekerFilters
from models.surveys import SurveyVersion, localized
from services.job_seekers import (
    EXPORT_LIMIT,
    REASON_LONGEST,
    REASON_SHORTEST,
    ReasonRefused,
    TooManyToExport,
    find_job_seekers,
    job_seeker_file,
    job_seeker_table,
    reveal_nik,
    search_terms,
)
from web.dashboard import HOME, Call, Dashboard, Need
from web.listing import address, chosen, kecamatan_names, page_number, typed, xlsx_download
from web.pages.applicants import PATH as APPLICANTS

PATH = HOME + "/pencari-kerja"
EMPLOYMENT: Mapping[str, Msg] = {"formal": _("Working, formal"), "informal": _("Working, informal"),
                                 "not_working": _("Not working")}
LABELS: dict[str, Any] = {"genders": GENDER, "educations": EDUCATION, "interests": INTEREST,
                          "activities": CURRENT_STATUS, "disabilities": DISABILITY, "statuses": STATUS_FOR_STAFF,
                          "employment": EMPLOYMENT, "channels": CHANNEL}
"""The words templates show for stored codes."""


def _search(request: Request, dashboard: Dashboard) -> tuple[dict[str, str | None], JobSeekerFilters]:
    """The search as the address gives it (anything unknown is ignored), and the filters it means."""
    values = {
        "q": typed(request, "q") or None,
        "kecamatan": chosen(request, "kecamatan", kecamatan_names(dashboard.office)),
        "minat": chosen(request, "minat", INTEREST),
        "pendidikan": chosen(request, "pendidikan", EDUCATION),
        "kegiatan": chosen(request, "kegiatan", CURRENT_STATUS),
    }
    name, phone = search_terms(values["q"] or "")
    return values, JobSeekerFilters(name=name, phone=phone, kecamatan=values["kecamatan"], interest=values["minat"],
                                    education=values["pendidikan"], current_status=values["kegiatan"])


def status_in_words(record: EvaluationRecord, version: SurveyVersion, locale: str) -> str:
    """The record's BPS status as the survey words it (the code when the survey no longer knows it)."""
    if record.status_category is None:
        return "-"
    survey = version.survey
    question = next((q for q in survey.questions if q.feeds == "status_category"), None)
    choice = question.choice(record.status_category) if question is not None else None
    return localized(choice.text, locale) if choice is not None else record.status_category


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    @router.get(PATH)
    async def search(request: Request) -> Response:
        values, filters = _search(request, dashboard)
        async with dashboard.call(request) as call:
            found = await find_job_seekers(call.session, call.visit.actor, filters, page=page_number(request))
            return dashboard.page(
                request, "job_seekers/search.html", call.visit, active="job_seekers", found=found, values=values,
                path=PATH, filtered=filters.any, page_address=lambda number: address(PATH, values, halaman=number + 1),
                export_address=address(PATH + "/unduh", values), office=dashboard.office,
                kecamatan_names=kecamatan_names(dashboard.office),
                may_export=call.visit.actor.is_staff, **LABELS)

    @router.get(PATH + "/unduh")
    async def export(request: Request) -> Response:
        values, filters = _search(request, dashboard)
        async with dashboard.call(request, need=Need.CHANGE) as call:
            try:
                header, rows = await job_seeker_table(call.session, call.visit.actor, filters,
                                                      office=dashboard.office, now=dashboard.now())
            except TooManyToExport as too_many:
                return dashboard.page(request, "job_seekers/too_many.html", call.visit, status_code=400,
                                      total=too_many.total, limit=EXPORT_LIMIT, back=address(PATH, values))
        return xlsx_download("pencari-kerja", header, rows)

    async def _file(request: Request, call: Call, user_id: int, **context: Any) -> Response:
        found = await job_seeker_file(call.session, call.visit.actor, user_id, dashboard.runtime.services.cipher)
        if found is None:
            return dashboard.page(request, "not_found.html", call.visit, status_code=404)
        context.setdefault("errors", {})
        return dashboard.page(
            request, "job_seekers/profile.html", call.visit, status_code=400 if context["errors"] else 200,
            active="job_seekers", file=found, office=dashboard.office, path=f"{PATH}/{user_id}", search=PATH,
            applicants=APPLICANTS, may_reveal=call.visit.actor.is_admin, reason_shortest=REASON_SHORTEST,
            reason_longest=REASON_LONGEST, survey_text=localized, answer_in_words=answer_in_words,
            status_in_words=status_in_words, title_of=opening_title, code_of=lambda a: opening_of(a).code, **LABELS,
            **context)

    @router.get(PATH + "/{user_id:int}")
    async def profile(request: Request, user_id: int) -> Response:
        async with dashboard.call(request) as call:
            return await _file(request, call, user_id)

    @router.post(PATH + "/{user_id:int}/nik")
    async def reveal(request: Request, user_id: int) -> Response:
        async with dashboard.call(request, need=Need.ADMIN, form=True) as call:
            reason = call.form.get("reason", "")
            try:
                nik = await reveal_nik(call.session, call.visit.actor, user_id, reason,
                                       cipher=dashboard.runtime.services.cipher, now=dashboard.now())
            except ReasonRefused:
                return await _file(request, call, user_id, reason=reason, errors={"reason": _(
                    "Please say in {shortest} to {longest} characters why you need the full NIK.").format(
                        shortest=REASON_SHORTEST, longest=REASON_LONGEST)})
            response = await _file(request, call, user_id, nik=nik)
            response.headers["cache-control"] = "no-store"
            return response

    return router
