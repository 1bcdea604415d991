"""The applicants of an opening on the dashboard: the table for every office role, its filters, sorting and pages,
the export, and staff moving several applicants at once (tick, choose, confirm), each told in their language in
the same transaction; a stale or repeated form changes nothing. Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import html
import re
from io import BytesIO

import httpx
import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from bot.engine.runtime import Runtime
from models.applications import Application, ApplicationStatus, Completion, OpeningRef, status_history
from models.audit import AuditEntry
from models.outbox import OutboxMessage
from models.users import Role
from services.applicants import MOST_PICKED
from tests.conftest import Clock
from tests.people import BUDI, NUR, SITI, Person, opening_with_applicants
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_dashboard_access import web as web  # noqa: PLC0414  (the fixture, under its own name)

TABLE = "/dasbor/program/{code}/pendaftar"


async def as_role(runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role = Role.STAFF) -> None:
    await signed_in(web, await link_for(runtime, clock, await office_member(runtime, clock, f"kantor-{role}", role)))


def csrf_of(page: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def hidden(page: str, name: str) -> str:
    found = re.search(rf'name="{name}" value="([^"]*)"', page)
    assert found is not None, name
    return found.group(1)


def seen(answer: httpx.Response) -> str:
    """The page's text as the reader sees it (quotes unescaped)."""
    return html.unescape(answer.text)


async def statuses(runtime: Runtime, ids: list[int]) -> list[str]:
    async with runtime.session_factory() as session:
        rows = {a.id: a.status for a in await session.scalars(select(Application).where(Application.id.in_(ids)))}
    return [rows[i] for i in ids]


async def confirmed(web: httpx.AsyncClient, ref: OpeningRef, ids: list[int], status: str,
                    remark: str = "") -> dict[str, str]:
    """Tick `ids`, choose `status`, and return the confirmation form's fields."""
    path = TABLE.format(code=ref.code)
    csrf = csrf_of((await web.get(path)).text)
    chosen = await web.post(path + "/pilih", data={"csrf_token": csrf, **{f"a{i}": "1" for i in ids}})
    assert chosen.status_code == 200, chosen.text
    page = await web.post(path + "/konfirmasi", data={"csrf_token": csrf, "ids": hidden(chosen.text, "ids"),
                                                      "status": status, "remark": remark})
    assert page.status_code == 200, page.text
    return {name: hidden(page.text, name) for name in ("csrf_token", "ids", "status", "remark", "fingerprint")}


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
async def test_every_office_role_reads_the_applicants_but_only_staff_may_tick_and_export(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role
) -> None:
    ref, _ids = await opening_with_applicants(runtime, clock, SITI, NUR)
    await as_role(runtime, clock, web, role)
    page = await web.get(TABLE.format(code=ref.code))
    assert page.status_code == 200
    assert "Pendaftar Menjahit Pakaian" in page.text and "Siti Rahmawati" in page.text and "Nurul Aini" in page.text
    assert ('type="checkbox"' in page.text) is (role is not Role.VIEWER)
    export = await web.get(TABLE.format(code=ref.code) + "/unduh")
    assert export.status_code == (403 if role is Role.VIEWER else 200)
    assert "Nama pengguna" not in page.text


async def test_the_table_is_refused_to_strangers_and_says_when_an_opening_does_not_exist(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ref, _ids = await opening_with_applicants(runtime, clock, SITI)
    assert (await web.get(TABLE.format(code=ref.code))).status_code == 401
    await as_role(runtime, clock, web, Role.VIEWER)
    for code in ("t999", "x1", "t12345678901"):
        assert (await web.get(TABLE.format(code=code))).status_code == 404


async def test_filters_sorting_and_pages(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> None:
    many = [Person(f"p{n}", f"Peserta {n:02d}", f"63090145089900{n:02d}", f"+62812510001{n:02d}")
            for n in range(2, 56)]
    ref, _ids = await opening_with_applicants(runtime, clock, SITI, NUR, BUDI, *many)
    await as_role(runtime, clock, web)
    path = TABLE.format(code=ref.code)
    first = await web.get(path)
    assert "57 pendaftar cocok" in first.text and "Halaman 1 dari 2" in first.text
    assert first.text.index("Siti Rahmawati") < first.text.index("Nurul Aini"), "first come first"
    second = await web.get(path + "?halaman=2")
    assert "Peserta 55" in second.text and "Siti Rahmawati" not in second.text
    assert (await web.get(path + "?halaman=99")).text.count('type="checkbox"') == 7, "past the end: the last page"
    by_name = (await web.get(path + "?urut=name")).text
    assert by_name.index("Budi Santoso") < by_name.index("Nurul Aini") < by_name.index("Peserta 02")
    assert "Siti Rahmawati" not in by_name, "names in any case sort together: NURUL AINI among the N's"
    kelua = (await web.get(path + "?kecamatan=kelua")).text
    assert "1 pendaftar cocok" in kelua and "Nurul Aini" in kelua
    named = (await web.get(path + "?nama=NURUL&gender=female&education=sma")).text
    assert "Nurul Aini" in named and "Siti Rahmawati" not in named
    men = (await web.get(path + "?gender=male&status=submitted")).text
    assert "Budi Santoso" in men and "Nurul Aini" not in men
    nobody = await web.get(path + "?nama=%25_%3Cb%3E&status=completed&kecamatan=nowhere&urut=evil&halaman=-3")
    assert nobody.status_code == 200 and "Tidak ada pendaftar yang cocok" in nobody.text
    assert "&lt;b&gt;" in nobody.text and "<b>" not in nobody.text, "typed HTML is shown as text"


async def test_staff_accept_two_applicants_and_each_is_told_in_their_language_once(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ref, ids = await opening_with_applicants(runtime, clock, SITI, NUR, BUDI)
    await as_role(runtime, clock, web)
    path = TABLE.format(code=ref.code)
    form = await confirmed(web, ref, ids[:2], ApplicationStatus.ACCEPTED, remark="Lulus tes tertulis")
    done = await web.post(path + "/ubah", data=form)
    assert done.status_code == 200 and "2 pendaftaran sekarang 'Diterima'" in seen(done)
    assert await statuses(runtime, ids) == ["accepted", "accepted", "submitted"]
    async with runtime.session_factory() as session:
        outbox = list(await session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))
        history = await status_history(session, ids[0])
        audits = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "selection.move")))
    told = {row.address: row.payload["text"] for row in outbox}
    assert told["siti"].startswith("Selamat! Anda diterima sebagai peserta Menjahit Pakaian.")
    assert told["nur"].startswith("Congratulations! You have been accepted for Menjahit Pakaian.")
    assert "budi" not in told
    assert history[-1].remark == "Lulus tes tertulis"
    assert [(a.subject_id, a.detail["origin"], a.detail["remark"]) for a in audits] == [
        (ids[0], "web", "Lulus tes tertulis"), (ids[1], "web", "Lulus tes tertulis")]

    again = await web.post(path + "/ubah", data=form)
    assert again.status_code == 200 and "formulir terkirim dua kali" in seen(again)
    async with runtime.session_factory() as session:
        assert len(list(await session.scalars(select(OutboxMessage)))) == 2, "a form sent twice applies once"


async def test_the_status_offered_are_those_open_to_every_ticked_one_and_the_page_says_why_not(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ref, ids = await opening_with_applicants(runtime, clock, SITI, NUR)
    await as_role(runtime, clock, web)
    path = TABLE.format(code=ref.code)
    await web.post(path + "/ubah", data=await confirmed(web, ref, ids[:1], ApplicationStatus.ACCEPTED))
    csrf = csrf_of((await web.get(path)).text)
    chosen = await web.post(path + "/pilih", data={"csrf_token": csrf, **{f"a{i}": "1" for i in ids}})
    offered = re.findall(r'<option value="(\w+)"', chosen.text)
    assert offered == ["rejected"]
    assert "'Sedang mengikuti' tidak dapat dicatat untuk 1 pendaftaran dicentang yang berstatus " \
           "'Terkirim, menunggu seleksi'." in seen(chosen)
    refused = await web.post(path + "/konfirmasi", data={"csrf_token": csrf, "ids": ",".join(map(str, ids)),
                                                         "status": "enrolled", "remark": "x" * 301})
    assert refused.status_code == 400
    assert "Mohon pilih salah satu status yang tersedia." in refused.text
    assert "paling banyak 300 karakter" in refused.text and "x" * 301 in refused.text, "what was typed is kept"


async def test_a_stale_form_changes_nothing_and_says_so(runtime: Runtime, clock: Clock,
                                                        web: httpx.AsyncClient) -> None:
    ref, ids = await opening_with_applicants(runtime, clock, SITI, NUR)
    await as_role(runtime, clock, web)
    path = TABLE.format(code=ref.code)
    stale = await confirmed(web, ref, ids, ApplicationStatus.ACCEPTED)
    await web.post(path + "/ubah", data=await confirmed(web, ref, ids[:1], ApplicationStatus.SHORTLISTED))
    answer = await web.post(path + "/ubah", data=stale)
    assert answer.status_code == 409 and "Beberapa pendaftaran baru saja berubah; tidak ada yang diubah." in answer.text
    assert await statuses(runtime, ids) == ["shortlisted", "submitted"]


async def test_completing_makes_alumni(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> None:
    ref, ids = await opening_with_applicants(runtime, clock, SITI)
    await as_role(runtime, clock, web)
    path = TABLE.format(code=ref.code)
    for status in (ApplicationStatus.ACCEPTED, ApplicationStatus.ENROLLED, ApplicationStatus.COMPLETED):
        assert (await web.post(path + "/ubah", data=await confirmed(web, ref, ids, status))).status_code == 200
    async with runtime.session_factory() as session:
        assert [c.application_id for c in await session.scalars(select(Completion))] == ids


async def test_the_forms_are_bounded_and_validated(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> None:
    ref, ids = await opening_with_applicants(runtime, clock, SITI)
    other, other_ids = await opening_with_applicants(runtime, clock, NUR, title="Tata Boga")
    await as_role(runtime, clock, web)
    path = TABLE.format(code=ref.code)
    csrf = csrf_of((await web.get(path)).text)
    none = await web.post(path + "/pilih", data={"csrf_token": csrf})
    assert none.status_code == 400 and "Mohon centang setidaknya satu pendaftar." in none.text
    too_many = {f"a{n}": "1" for n in range(1, MOST_PICKED + 2)}
    assert (await web.post(path + "/pilih", data={"csrf_token": csrf, **too_many})).status_code == 400
    foreign = await web.post(path + "/pilih", data={"csrf_token": csrf, f"a{other_ids[0]}": "1", "ids": "1e3,-4"})
    assert foreign.status_code == 404, "another opening's application is not this one's"
    mixed = await web.post(path + "/pilih", data={"csrf_token": csrf, f"a{ids[0]}": "1", f"a{other_ids[0]}": "1"})
    assert "1 pendaftar dicentang" in mixed.text
    forged = {"csrf_token": csrf, "ids": str(ids[0]), "status": "withdrawn", "fingerprint": "x"}
    assert (await web.post(path + "/ubah", data=forged)).status_code == 409
    assert (await web.post(path + "/ubah", data={**forged, "status": "nonsense"})).status_code == 400
    assert await statuses(runtime, ids + other_ids) == ["submitted", "submitted"]
    assert other != ref


async def test_a_viewer_may_not_move_and_a_forged_token_changes_nothing(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ref, ids = await opening_with_applicants(runtime, clock, SITI)
    await as_role(runtime, clock, web)
    form = await confirmed(web, ref, ids, ApplicationStatus.ACCEPTED)
    path = TABLE.format(code=ref.code)
    assert (await web.post(path + "/ubah", data={**form, "csrf_token": "forged"})).status_code == 403
    web.cookies.clear()
    await as_role(runtime, clock, web, Role.VIEWER)
    viewer_csrf = csrf_of((await web.get(path)).text)
    for step in ("/pilih", "/konfirmasi", "/ubah"):
        assert (await web.post(path + step, data={**form, "csrf_token": viewer_csrf})).status_code == 403
    assert await statuses(runtime, ids) == ["submitted"]


async def test_the_export_is_a_spreadsheet_of_every_applicant_and_is_audited(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ref, _ids = await opening_with_applicants(runtime, clock, SITI, NUR)
    await as_role(runtime, clock, web)
    answer = await web.get(TABLE.format(code=ref.code) + "/unduh")
    assert answer.headers["content-disposition"] == f'attachment; filename="pendaftar-{ref.code}.xlsx"'
    sheet = load_workbook(BytesIO(answer.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:2] == ("no", "nama") and [row[1] for row in rows[1:]] == ["Siti Rahmawati", "Nurul Aini"]
    async with runtime.session_factory() as session:
        entry = await session.scalar(select(AuditEntry).where(AuditEntry.action == "exports.applicants"))
    assert entry is not None and entry.detail == {"origin": "web", "rows": 2}
