"""Job seekers on the dashboard: the search for every office role, a person's file with the NIK masked (their
applications, check-in answers and evaluation records), the export for staff, and an admin's audited look at
a full NIK with a reason. Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import date
from io import BytesIO

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.engine.runtime import Runtime
from models.audit import AuditEntry
from models.evaluations import record_evaluation
from models.follow_ups import CheckIn
from models.opt_ins import stop
from models.profiles import CONSENT_VERSION
from models.surveys import ensure_survey_version
from models.users import Role
from services.job_seekers import search_terms
from tests.alumni import make_alumnus
from tests.conftest import Clock
from tests.people import BUDI, NUR, SITI, job_seeker, opening_with_applicants
from tests.test_dashboard_access import web as web  # noqa: PLC0414  (the fixture, under its own name)
from tests.test_dashboard_applicants import as_role, csrf_of, seen

SEARCH = "/dasbor/pencari-kerja"


async def three_job_seekers(runtime: Runtime, clock: Clock) -> dict[str, int]:
    return {person.external_id: await job_seeker(runtime, clock, person) for person in (SITI, NUR, BUDI)}


def found_names(page: str) -> list[str]:
    return [name for name in ("Siti Rahmawati", "Nurul Aini", "Budi Santoso") if name in page]


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
async def test_every_office_role_searches_and_reads_a_file_with_the_nik_masked(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role
) -> None:
    ids = await three_job_seekers(runtime, clock)
    await as_role(runtime, clock, web, role)
    page = await web.get(SEARCH)
    assert page.status_code == 200 and "3 pencari kerja cocok" in page.text
    assert found_names(page.text) == ["Siti Rahmawati", "Nurul Aini", "Budi Santoso"]
    assert ("Unduh berkas Excel" in page.text) is (role is not Role.VIEWER)
    profile = await web.get(f"{SEARCH}/{ids['siti']}")
    assert profile.status_code == 200 and "6309********0001" in profile.text
    assert SITI.nik not in profile.text
    assert ("Lihat NIK lengkap" in profile.text) is (role is Role.ADMIN)


async def test_strangers_are_refused_and_an_unknown_person_is_not_found(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await three_job_seekers(runtime, clock)
    assert (await web.get(SEARCH)).status_code == 401
    await as_role(runtime, clock, web, Role.VIEWER)
    assert (await web.get(f"{SEARCH}/999999")).status_code == 404
    assert (await web.get(f"{SEARCH}/abc")).status_code in (404, 422)


async def test_the_search_by_name_phone_kecamatan_skill_education_and_activity(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await three_job_seekers(runtime, clock)
    await as_role(runtime, clock, web, Role.VIEWER)
    searches = {
        "q=nurul": ["Nurul Aini"], "q=SANTOSO": ["Budi Santoso"], "q=0812 5100": ["Siti Rahmawati", "Nurul Aini"],
        "q=%2B62 813 5100": ["Budi Santoso"], "q=813-51": ["Budi Santoso"], "q=0077": [],
        "kecamatan=kelua": ["Nurul Aini"],
        "minat=welding": ["Budi Santoso"], "pendidikan=smk": ["Siti Rahmawati"], "kegiatan=working": ["Budi Santoso"],
        "q=siti&kecamatan=kelua": [], "q=%25": [],
        "minat=evil&kecamatan=nowhere&halaman=-1": ["Siti Rahmawati", "Nurul Aini", "Budi Santoso"],
    }
    for query, names in searches.items():
        page = await web.get(f"{SEARCH}?{query}")
        assert page.status_code == 200 and found_names(page.text) == names, query
    empty = await web.get(f"{SEARCH}?q=zzz")
    assert "Tidak ada pencari kerja yang cocok" in empty.text


def test_a_search_box_of_digits_looks_for_a_phone_number() -> None:
    assert search_terms("0812-5100") == (None, "628125100")
    assert search_terms(" +62 812 ") == (None, "62812")
    assert search_terms("812 5100") == (None, "628125100")
    assert search_terms("+1 555 0100") == (None, "15550100")
    assert search_terms("Siti 0812") == ("Siti 0812", None)
    assert search_terms("123") == ("123", None), "too few digits to mean a phone number"
    assert search_terms("   ") == (None, None)


async def test_the_file_shows_applications_check_in_answers_and_evaluations(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ref, _ids = await opening_with_applicants(runtime, clock, SITI, title="Tata Boga")
    alumnus = await make_alumnus(runtime, clock, SITI.external_id, completed_on=date(2026, 10, 31))
    async with runtime.session_factory() as session, session.begin():
        version = await ensure_survey_version(session, "tracer", clock())
        check_in = CheckIn(user_id=alumnus.user_id, completion_id=alumnus.completion_id, period=1,
                           survey_version_id=version.id, answers={"main_status": "own_account"}, context={},
                           created_at=clock())
        session.add(check_in)
        await session.flush()
        await record_evaluation(session, check_in, version.survey, clock())
    await as_role(runtime, clock, web, Role.VIEWER)
    page = seen(await web.get(f"{SEARCH}/{alumnus.user_id}"))
    assert "Tata Boga" in page and f"/dasbor/program/{ref.code}/pendaftar" in page
    assert "Menjahit Pakaian" in page and "Selesai" in page
    assert "Berusaha sendiri" in page, "the check-in answer and the evaluation's status, in words"


async def test_an_admin_sees_a_full_nik_only_with_a_reason_and_it_is_audited(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ids = await three_job_seekers(runtime, clock)
    path = f"{SEARCH}/{ids['siti']}"
    await as_role(runtime, clock, web, Role.STAFF)
    staff_csrf = csrf_of((await web.get(path)).text)
    refused = await web.post(path + "/nik", data={"csrf_token": staff_csrf, "reason": "Verifikasi kartu AK/1"})
    assert refused.status_code == 403 and SITI.nik not in refused.text
    web.cookies.clear()
    await as_role(runtime, clock, web, Role.ADMIN)
    csrf = csrf_of((await web.get(path)).text)
    assert (await web.post(path + "/nik", data={"csrf_token": "forged", "reason": "x" * 20})).status_code == 403
    short = await web.post(path + "/nik", data={"csrf_token": csrf, "reason": "<b>cek"})
    assert short.status_code == 400 and SITI.nik not in short.text
    assert "Mohon tuliskan alasan" in short.text and "&lt;b&gt;cek" in short.text, "kept, as text"
    shown = await web.post(path + "/nik", data={"csrf_token": csrf, "reason": "  Verifikasi   kartu AK/1 "})
    assert shown.status_code == 200 and SITI.nik in shown.text
    assert shown.headers["cache-control"] == "no-store"
    async with runtime.session_factory() as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "job_seekers.reveal_nik")))
    assert [(e.subject_id, e.detail) for e in entries] == [
        (ids["siti"], {"origin": "web", "reason": "Verifikasi kartu AK/1"})]
    assert SITI.nik not in (await web.get(path)).text, "shown once, not kept"


async def test_staff_export_the_search_and_it_is_audited(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await three_job_seekers(runtime, clock)
    await as_role(runtime, clock, web, Role.VIEWER)
    assert (await web.get(SEARCH + "/unduh")).status_code == 403
    web.cookies.clear()
    await as_role(runtime, clock, web, Role.STAFF)
    answer = await web.get(SEARCH + "/unduh?minat=sewing")
    sheet = load_workbook(BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [row[1] for row in rows[1:]] == ["Siti Rahmawati"] and "nik" not in rows[0]
    async with runtime.session_factory() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "job_seekers.export"))
    assert entry is not None and entry.detail == {"origin": "web", "rows": 1, "filters": {"interest": "sewing"}}


async def test_the_file_shows_when_and_how_they_agreed_to_messages_and_when_they_stopped(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ids = await three_job_seekers(runtime, clock)
    await as_role(runtime, clock, web, Role.VIEWER)
    page = (await web.get(f"{SEARCH}/{ids['siti']}")).text
    assert "Pesan yang dimulai oleh bot" in page and "Menyetujui saat pendaftaran lewat" in page
    assert f"teks persetujuan versi {CONSENT_VERSION}" in page and "Berhenti pada" not in page
    clock.advance(minutes=5)
    async with runtime.session_factory() as session, session.begin():
        await stop(session, ids["siti"], clock())
    page = (await web.get(f"{SEARCH}/{ids['siti']}")).text
    assert "Berhenti pada" in page
    assert "Tidak ada persetujuan yang berlaku: siaran dan pemberitahuan program baru tidak dikirim" in page
