"""The dashboard's Openings pages over HTTP, as each office role uses them: the list and its filters, an opening's
page, adding and editing by form (every problem beside its field, what was typed kept), publishing and closing,
and importing a spreadsheet by upload. On SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from io import BytesIO

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from models.audit import AuditEntry
from models.catalog import ApprenticeshipOpening, OpeningStatus, TrainingProgram
from models.users import Role
from services.opening_import import COLUMNS
from tests.chat import RecordingChannel
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_opening_import import GOOD
from tests.test_openings import seed_catalog
from tests.test_selection import choose, staff_member

LIST = "/dasbor/program"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
FORM_ID = re.compile(r'name="form_id" value="([^"]+)"')
VERSION = re.compile(r'name="version" value="([^"]+)"')

WELDING = {"kind": "training", "title": "Las Listrik Dasar", "provider": "UPT BLK Tabalong", "category": "competency",
           "start_date": "2027-02-01", "end_date": "2027-02-28", "deadline": "2027-01-20", "quota": "16",
           "kecamatan": "murung-pudak", "location": "Mabuun", "min_age": "18", "max_age": "35",
           "min_education": "smp", "interest_welding": "1", "funding_source": "APBD", "equipment_aid": "ya",
           "other_requirements": "Sehat jasmani"}


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as client:
        yield client


async def as_role(runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role = Role.STAFF) -> None:
    await signed_in(web, await link_for(runtime, clock, await office_member(runtime, clock, role=role)))


def found(pattern: re.Pattern[str], page: str) -> str:
    match = pattern.search(page)
    assert match is not None, page[:2000]
    return match.group(1)


async def create(web: httpx.AsyncClient, **fields: str) -> httpx.Response:
    form = (await web.get(f"{LIST}/baru")).text
    sent = {"csrf_token": found(CSRF, form), "form_id": found(FORM_ID, form), **WELDING, **fields}
    return await web.post(f"{LIST}/baru", data=sent)


async def actions(runtime: Runtime) -> list[str]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(AuditEntry.action).where(AuditEntry.action.like("opening.%"))
                                          .order_by(AuditEntry.id)))


async def trainings(runtime: Runtime) -> list[TrainingProgram]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(TrainingProgram).order_by(TrainingProgram.id)))


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
async def test_every_office_role_reads_the_list_and_an_opening(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role
) -> None:
    await seed_catalog(runtime, clock)
    await as_role(runtime, clock, web, role)
    listed = await web.get(LIST)
    assert listed.status_code == 200
    assert "Pengelasan SMAW 3G" in listed.text and "Mekanik Alat Berat" in listed.text
    assert 'href="/dasbor/program/t2"' in listed.text
    opening = await web.get(f"{LIST}/t2?lang=en")
    assert opening.status_code == 200 and "Pengelasan SMAW 3G" in opening.text
    assert "Applications closed" not in opening.text and "Taking applications" in opening.text
    assert 'href="/dasbor/program/t2/pendaftar"' in opening.text
    assert ("/dasbor/program/t2/ubah" in opening.text) is (role is not Role.VIEWER)
    apprenticeship = await web.get(f"{LIST}/a1?lang=en")
    assert "Rp3.500.000" in apprenticeship.text and "6 months" in apprenticeship.text
    assert (await web.get(f"{LIST}/t999")).status_code == 404
    assert (await web.get(f"{LIST}/x1")).status_code == 404


async def test_a_viewer_may_not_open_the_forms_nor_change_anything(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seed_catalog(runtime, clock)
    await as_role(runtime, clock, web, Role.VIEWER)
    for path in ("/baru", "/impor", "/templat-program.xlsx", "/t1/ubah", "/t1/terbitkan", "/t1/tutup"):
        assert (await web.get(LIST + path)).status_code == 403, path
    csrf = found(CSRF, (await web.get(LIST)).text)
    assert (await web.post(f"{LIST}/t1/tutup", data={"csrf_token": csrf})).status_code == 403
    assert (await web.post(f"{LIST}/baru", data={"csrf_token": csrf, **WELDING})).status_code == 403
    assert (await trainings(runtime))[0].status == OpeningStatus.OPEN
    assert await actions(runtime) == []


async def test_nobody_signed_in_reads_nothing(runtime: Runtime, web: httpx.AsyncClient) -> None:
    assert (await web.get(LIST)).status_code == 401
    assert (await web.get(f"{LIST}/t1")).status_code == 401


async def test_the_filters_narrow_the_list_and_a_bad_value_is_said_beside_it(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seed_catalog(runtime, clock)
    await as_role(runtime, clock, web)
    apprenticeships = (await web.get(LIST, params={"kind": "apprenticeship"})).text
    assert "Mekanik Alat Berat" in apprenticeships and "Pengelasan SMAW 3G" not in apprenticeships
    community = (await web.get(LIST, params={"category": "community"})).text
    assert "Budidaya Ikan Air Tawar" in community and "Pengelasan" not in community and "Mekanik" not in community
    kelua = (await web.get(LIST, params={"kecamatan": "kelua"})).text
    assert "Tata Boga" in kelua and "Pengelasan" not in kelua
    words = (await web.get(LIST, params={"q": "karya mandiri"})).text
    assert "Operator Komputer Perkantoran" in words and "Pengelasan" not in words
    assert "Tidak ada program yang sesuai" in (await web.get(LIST, params={"status": "draft"})).text
    assert "Tidak ada program yang sesuai" in (await web.get(LIST, params={"q": "100%_"})).text
    bad = await web.get(LIST, params={"kind": "<script>", "q": "x" * 300, "halaman": "-1"})
    assert bad.status_code == 200 and "<script>" not in bad.text
    assert "Mohon pilih salah satu dari daftar." in bad.text and "Mohon tulis paling banyak 80 karakter." in bad.text
    assert "Halaman tersebut tidak ada" in bad.text
    past_the_end = await web.get(LIST, params={"halaman": "9999"})
    assert past_the_end.status_code == 200 and "Halaman 1 dari 1 (10 program)" in past_the_end.text


async def test_the_list_pages_by_twenty(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> None:
    for _round in range(3):
        await seed_catalog(runtime, clock)
    await as_role(runtime, clock, web)
    first = (await web.get(LIST, params={"kind": "training"})).text
    assert "Halaman 1 dari 2 (21 program)" in first and 'rel="next"' in first
    second = (await web.get(LIST, params={"kind": "training", "halaman": "2"})).text
    assert second.count('<tr>') == 1 + 1 and 'rel="prev"' in second and "kind=training" in second


async def test_staff_add_an_opening_as_a_draft_once_then_publish_and_close_it(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    form = (await web.get(f"{LIST}/baru")).text
    sent = {"csrf_token": found(CSRF, form), "form_id": found(FORM_ID, form), **WELDING}
    made = await web.post(f"{LIST}/baru", data=sent)
    assert made.status_code == 303 and made.headers["location"] == f"{LIST}/t1?diubah=1"
    again = await web.post(f"{LIST}/baru", data=sent)
    assert again.status_code == 303 and again.headers["location"] == f"{LIST}/t1?diubah=1", "sent twice, added once"
    [opening] = await trainings(runtime)
    assert (opening.status, opening.quota, opening.kecamatan, opening.interests) == ("draft", 16, "murung-pudak",
                                                                                     ["welding"])
    page = (await web.get(f"{LIST}/t1")).text
    assert "Draf" in page and "/dasbor/program/t1/terbitkan" in page and "Sehat jasmani" in page
    confirm = (await web.get(f"{LIST}/t1/terbitkan")).text
    assert "Terbitkan Las Listrik Dasar?" in confirm
    published = await web.post(f"{LIST}/t1/terbitkan", data={"csrf_token": sent["csrf_token"]})
    assert published.status_code == 303
    assert (await web.post(f"{LIST}/t1/terbitkan", data={"csrf_token": sent["csrf_token"]})).status_code == 303
    assert (await trainings(runtime))[0].status == OpeningStatus.OPEN
    assert "Mohon" not in (await web.get(LIST)).text and "Las Listrik Dasar" in (await web.get(LIST)).text
    await web.post(f"{LIST}/t1/tutup", data={"csrf_token": sent["csrf_token"]})
    assert (await trainings(runtime))[0].status == OpeningStatus.CLOSED
    assert await actions(runtime) == ["opening.create", "opening.publish", "opening.close"]
    async with runtime.session_factory() as session:
        entries = list(await session.scalars(select(AuditEntry).order_by(AuditEntry.id)))
    created, publish = entries[-3].detail, entries[-2].detail
    assert created["origin"] == "web" and created["before"] is None and created["after"]["title"] == "Las Listrik Dasar"
    assert publish["before"] == {"status": "draft"} and publish["after"] == {"status": "open"}


async def test_a_wrong_form_is_answered_beside_each_field_with_what_was_typed_kept(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    wrong = await create(web, title="<b>Las</b>", start_date="2027-02-10", end_date="2027-02-01",
                         deadline="2027-01-01", quota="-3")
    assert wrong.status_code == 422
    assert 'value="&lt;b&gt;Las&lt;/b&gt;"' in wrong.text and "<b>Las</b>" not in wrong.text
    assert "Mohon tulis 0 atau lebih." in wrong.text and 'value="-3"' in wrong.text
    assert 'aria-invalid="true" aria-describedby="quota-problem"' in wrong.text
    ends = await create(web, start_date="2027-02-10", end_date="2027-02-01", deadline="2027-01-01")
    assert "Tanggal selesai lebih awal dari tanggal mulai." in ends.text
    english = await create(web, title="", quota="lots", deadline="31-02-2027", min_age="40", max_age="20")
    assert english.status_code == 422
    english = await web.post(f"{LIST}/baru?lang=en", data={
        "csrf_token": found(CSRF, english.text), "form_id": found(FORM_ID, english.text), **WELDING, "quota": "lots",
        "deadline": "31-02-2027", "title": "x" * 161})
    assert "write a whole number" in english.text and "not a date" in english.text
    assert "too long: at most 160 characters" in english.text
    assert await trainings(runtime) == [] and await actions(runtime) == []


async def test_the_same_opening_is_not_added_twice(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> None:
    await as_role(runtime, clock, web)
    assert (await create(web)).status_code == 303
    twice = await create(web, title="las listrik dasar")
    assert twice.status_code == 422 and "Program ini sudah ada, dengan kode t1." in twice.text
    assert (await create(web, start_date="2027-03-01", end_date="2027-03-20")).status_code == 303
    assert len(await trainings(runtime)) == 2


async def test_an_edit_is_saved_once_and_not_over_a_newer_change(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    await create(web)
    form = (await web.get(f"{LIST}/t1/ubah")).text
    assert 'value="Las Listrik Dasar"' in form and "checked" in form
    sent = {"csrf_token": found(CSRF, form), "version": found(VERSION, form), **WELDING, "quota": "20"}
    assert (await web.post(f"{LIST}/t1/ubah", data=sent)).status_code == 303
    assert (await web.post(f"{LIST}/t1/ubah", data=sent)).status_code == 303, "the same edit again changes nothing"
    stale = await web.post(f"{LIST}/t1/ubah", data={**sent, "quota": "25"})
    assert stale.status_code == 409 and "telah diubah orang lain" in stale.text and 'value="25"' in stale.text
    assert (await trainings(runtime))[0].quota == 20
    resent = await web.post(f"{LIST}/t1/ubah", data={**sent, "version": found(VERSION, stale.text), "quota": "25"})
    assert resent.status_code == 303 and (await trainings(runtime))[0].quota == 25
    assert await actions(runtime) == ["opening.create", "opening.update", "opening.update"]
    async with runtime.session_factory() as session:
        last = await session.scalar(select(AuditEntry).order_by(AuditEntry.id.desc()).limit(1))
    assert last is not None and last.detail["before"] == {"quota": "20"} and last.detail["after"] == {"quota": "25"}


async def test_a_passed_deadline_is_not_published_and_a_forged_form_changes_nothing(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    await create(web, start_date="2026-11-25", end_date="2026-12-20", deadline="2026-11-20")
    csrf = found(CSRF, (await web.get(LIST)).text)
    refused = await web.post(f"{LIST}/t1/terbitkan", data={"csrf_token": csrf})
    assert refused.status_code == 409 and "Batas pendaftarannya sudah lewat" in refused.text
    assert (await web.post(f"{LIST}/t1/tutup", data={"csrf_token": "forged"})).status_code == 403
    assert (await trainings(runtime))[0].status == OpeningStatus.DRAFT
    assert await actions(runtime) == ["opening.create"]


async def import_form(web: httpx.AsyncClient) -> dict[str, str]:
    page = (await web.get(f"{LIST}/impor")).text
    return {"csrf_token": found(CSRF, page), "form_id": found(FORM_ID, page), "confirm": "1"}


async def test_a_spreadsheet_is_imported_once_or_reported_row_by_row(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    fields = await import_form(web)
    bad = GOOD.replace("2027-02-28;2027-01-20;16", "2027-02-28;2027-01-20;-16").replace("Haruai", "Atlantis")
    report = await web.post(f"{LIST}/impor", data=fields, files={"file": ("lowongan.csv", bad.encode(), "text/csv")})
    assert report.status_code == 422 and "Tidak ada yang diimpor" in report.text
    assert '<td class="number">2</td><td>quota</td>' in report.text
    assert '<td class="number">5</td><td>kecamatan</td><td>Atlantis bukan kecamatan di' in report.text
    sent = {"file": ("lowongan.csv", GOOD.encode(), "text/csv")}
    done = await web.post(f"{LIST}/impor", data=fields, files=sent)
    assert done.status_code == 303 and done.headers["location"] == f"{LIST}?diimpor=3"
    assert "3 program berhasil diimpor." in (await web.get(done.headers["location"])).text
    again = await web.post(f"{LIST}/impor", data=fields, files=sent)
    assert again.headers["location"] == f"{LIST}?diimpor=3"
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(ApprenticeshipOpening)) == 1
    assert await actions(runtime) == ["opening.import"] * 3


async def test_a_wrong_upload_is_refused_with_its_reason_beside_the_file(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    fields = await import_form(web)
    huge = await web.post(f"{LIST}/impor", data=fields,
                          files={"file": ("besar.csv", b"a" * (5 * 1024 * 1024 + 70_000), "text/csv")})
    assert huge.status_code == 413 and "terlalu besar" in huge.text and "5 MB" in huge.text
    just_over = await web.post(f"{LIST}/impor", data=fields,
                               files={"file": ("besar.csv", b"a" * (5 * 1024 * 1024 + 1), "text/csv")})
    assert just_over.status_code == 413
    wrong = await web.post(f"{LIST}/impor", data=fields, files={"file": ("lowongan.pdf", b"%PDF", "application/pdf")})
    assert wrong.status_code == 422 and 'aria-describedby="file-problem"' in wrong.text
    unticked = await web.post(f"{LIST}/impor", data={**fields, "confirm": ""},
                              files={"file": ("lowongan.csv", GOOD.encode(), "text/csv")})
    assert unticked.status_code == 422 and "Mohon centang" in unticked.text
    broken = await web.post(f"{LIST}/impor", data=fields, files={"file": ("lowongan.xlsx", b"not a zip", XLSX)})
    assert broken.status_code == 422 and "XLSX" in broken.text
    forged = await web.post(f"{LIST}/impor", data={**fields, "csrf_token": "forged"},
                            files={"file": ("lowongan.csv", GOOD.encode(), "text/csv")})
    assert forged.status_code == 403
    assert await trainings(runtime) == []


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def test_the_empty_template_names_every_column(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> None:
    await as_role(runtime, clock, web)
    template = await web.get(f"{LIST}/templat-program.xlsx")
    assert template.status_code == 200 and template.headers["content-type"] == XLSX
    assert "attachment" in template.headers["content-disposition"]
    sheet = load_workbook(BytesIO(template.content)).worksheets[0]
    assert [cell.value for cell in sheet[1]] == list(COLUMNS) and sheet.max_row == 1


async def test_html_typed_into_an_opening_is_shown_as_text(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web)
    await create(web, title="<script>alert(1)</script>", other_requirements="<img src=x onerror=alert(1)>")
    for path in (LIST, f"{LIST}/t1", f"{LIST}/t1/ubah", f"{LIST}/t1/terbitkan"):
        page = (await web.get(path)).text
        assert "<script>alert" not in page and "<img src=x" not in page, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, path


async def test_the_chat_keeps_the_same_publishing_rule_and_audit_trail(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/staf")
    await choose(staff, "Pemagangan", "Juru Masak - Hotel Tanjung Permai")
    await staff.tap("Tutup pendaftaran")
    clock.advance(days=30)
    await staff.tap("Buka pendaftaran")
    assert "Batas pendaftarannya sudah lewat" in staff.text and "Pendaftaran ditutup." in staff.text
    async with runtime.session_factory() as session:
        entries = list(await session.scalars(select(AuditEntry).where(AuditEntry.action.like("opening.%"))))
    assert [(e.action, e.subject_kind, e.detail["origin"], e.detail["after"]) for e in entries] == [
        ("opening.close", "apprenticeship", "chat", {"status": "closed"})]
