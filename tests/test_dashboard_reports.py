"""The dashboard's Reports page over HTTP: each office role reads the same figures as `produce_report` (on the
page, in the XLSX and CSV downloads), the chart drawn on request, trainings and apprenticeships, every value of
the address checked, and the year's target set by staff (audited, once) but never by a viewer. On SQLite and
PostgreSQL."""

from __future__ import annotations

import csv
import html
import io
import re

import httpx
import pytest
from babel.numbers import format_decimal
from openpyxl import load_workbook
from sqlalchemy import select

from bot.engine.runtime import Runtime
from documents.report_tables import Table, report_tables
from models.applications import OpeningKind
from models.audit import AuditEntry
from models.targets import set_target, targets_for
from models.users import Role
from services.permissions import Actor
from services.reports import produce_report
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_dashboard_access import web as web  # noqa: PLC0414 (the signed-out client, a fixture)
from tests.test_report_apprenticeships import store_apprentices
from tests.test_report_figures import generate, store

REPORTS = "/dasbor/laporan"
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
SUMMARY = re.compile(r'<dt>([^<]*)</dt><dd class="number">([^<]*)</dd>')
ROW = re.compile(r'<tr><th scope="row">(.*?)</th>(.*?)</tr>', re.S)
CELL = re.compile(r'<td class="number">([^<]*)</td>')


async def as_role(runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role) -> None:
    await signed_in(web, await link_for(runtime, clock, await office_member(runtime, clock, role=role)))


async def trainings_of_2025(runtime: Runtime) -> None:
    programs, people = generate(seed=11)
    await store(runtime, programs, people)
    async with runtime.session_factory() as session, session.begin():
        await set_target(session, 2025, 150)


async def expected_tables(runtime: Runtime, kind: OpeningKind = OpeningKind.TRAINING,
                          program_id: int | None = None, locale: str = "en") -> list[Table]:
    report = await produce_report(runtime.services.read_apart, Actor.system(), 2025, program_id, kind=kind)
    return report_tables(report, runtime.services.office, runtime.catalogs.translator(locale), locale)


def shown(cell: str | int) -> str:
    return format_decimal(cell, locale="en") if isinstance(cell, int) else cell


def page_tables(page: str) -> tuple[dict[str, str], list[list[str]]]:
    """The summary's figures by header, and every breakdown row (its group's name first) as the page shows them."""
    summary = {html.unescape(name): html.unescape(value) for name, value in SUMMARY.findall(page)}
    rows = [[html.unescape(name), *(html.unescape(cell) for cell in CELL.findall(cells))]
            for name, cells in ROW.findall(page)]
    return summary, rows


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
async def test_every_office_role_reads_the_figures_of_produce_report(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role
) -> None:
    await trainings_of_2025(runtime)
    await as_role(runtime, clock, web, role)
    page = await web.get(f"{REPORTS}?tahun=2025&lang=en")
    assert page.status_code == 200 and "Alumni follow-up report 2025" in page.text
    tables = await expected_tables(runtime)
    summary, rows = page_tables(page.text)
    assert summary == {header: shown(cell) for header, cell in zip(tables[0].header[1:], tables[0].rows[0][1:],
                                                                   strict=True)}
    assert rows == [[shown(cell) for cell in row] for table in tables[1:] for row in table.rows]
    assert summary["Target"] == "150"
    assert f'src="{REPORTS}/grafik.png?tahun=2025&amp;jenis=training"' in page.text
    assert ('action="/dasbor/laporan/target"' in page.text) is (role is not Role.VIEWER)
    chart = await web.get(f"{REPORTS}/grafik.png?tahun=2025&jenis=training")
    assert chart.status_code == 200 and chart.content.startswith(b"\x89PNG")
    assert chart.headers["content-type"] == "image/png"


async def test_the_downloads_hold_the_same_figures_as_the_page(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await trainings_of_2025(runtime)
    await as_role(runtime, clock, web, Role.VIEWER)
    tables = await expected_tables(runtime)
    xlsx = await web.get(f"{REPORTS}.xlsx?tahun=2025&lang=en")
    assert xlsx.status_code == 200
    assert xlsx.headers["content-disposition"] == 'attachment; filename="laporan-2025.xlsx"'
    workbook = load_workbook(io.BytesIO(xlsx.content))
    assert workbook.sheetnames == [table.name for table in tables]
    for table in tables:
        assert [list(row) for row in workbook[table.name].iter_rows(values_only=True)] == [table.header, *table.rows]
    downloaded = await web.get(f"{REPORTS}.csv?tahun=2025&lang=en")
    assert downloaded.headers["content-type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(downloaded.content.decode("utf-8-sig"))))
    assert rows == [row for table in tables
                    for row in ([["", *table.header]] + [[table.name, *map(str, r)] for r in table.rows])]


async def test_the_apprenticeship_report_of_a_year_and_of_one_opening(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ids = await store_apprentices(runtime)
    await as_role(runtime, clock, web, Role.STAFF)
    page = await web.get(f"{REPORTS}?tahun=2025&jenis=apprenticeship&lang=en")
    assert page.status_code == 200 and "Apprenticeship follow-up report 2025" in page.text
    assert "application deadline fell in 2025" in page.text and "Kasir - CV Sinar Tabalong" in page.text
    assert 'action="/dasbor/laporan/target"' not in page.text, "targets are for trainings"
    tables = await expected_tables(runtime, OpeningKind.APPRENTICESHIP)
    assert [t.name for t in tables][1:3] == ["Apprenticeship opening", "Company"]
    assert page_tables(page.text)[1] == [[shown(cell) for cell in row] for table in tables[1:] for row in table.rows]
    one = await web.get(f"{REPORTS}?tahun=2025&jenis=apprenticeship&program={ids[2]}&lang=en")
    single = await expected_tables(runtime, OpeningKind.APPRENTICESHIP, ids[2])
    assert page_tables(one.text)[0]["Participants"] == shown(single[0].rows[0][1]) == "2"
    download = await web.get(f"{REPORTS}.xlsx?tahun=2025&jenis=apprenticeship&program={ids[2]}")
    assert download.headers["content-disposition"] == f'attachment; filename="laporan-pemagangan-2025-{ids[2]}.xlsx"'
    chart = await web.get(f"{REPORTS}/grafik.png?tahun=2025&jenis=apprenticeship")
    assert chart.content.startswith(b"\x89PNG")


async def test_every_value_of_the_address_is_checked_and_said_beside_its_field(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    ids = await store_apprentices(runtime)
    await as_role(runtime, clock, web, Role.VIEWER)
    for query, field, problem in (
        ("tahun=abc", "tahun", "Please type a year from 2000 to 2027."),
        ("tahun=1999", "tahun", "Please type a year from 2000 to 2027."),
        ("tahun=2025&jenis=<b>x</b>", "jenis", "Please choose one of the list."),
        ("tahun=2025&program=99999", "program", "Please choose one of the list."),
        (f"tahun=2025&program={ids[0]}", "program", "Please choose one of the list."),  # not a training
        ("tahun=2025&program=-1", "program", "Please choose one of the list."),
    ):
        page = await web.get(f"{REPORTS}?{query}&lang=en")
        assert page.status_code == 200, query
        assert f'<small id="{field}-problem">{problem}</small>' in page.text, query
        assert "<b>x</b>" not in page.text
    kept = await web.get(f"{REPORTS}?tahun=20x5&lang=en")
    assert 'value="20x5"' in kept.text and "Alumni follow-up report 2026" in kept.text, "this year's, typed kept"
    empty = await web.get(f"{REPORTS}?tahun=2027&lang=en")
    assert "Nobody has taken part in these openings yet." in empty.text
    assert "There is no placement chart yet" in empty.text


async def test_nobody_signed_out_reads_a_report(runtime: Runtime, web: httpx.AsyncClient) -> None:
    for path in (REPORTS, f"{REPORTS}.xlsx", f"{REPORTS}.csv", f"{REPORTS}/grafik.png"):
        assert (await web.get(f"{path}?tahun=2025")).status_code == 401, path
    assert (await web.post(f"{REPORTS}/target", data={"tahun": "2025", "target": "10"})).status_code == 401


async def targets_and_audit(runtime: Runtime) -> tuple[dict[str, int], list[dict[str, object]]]:
    async with runtime.session_factory() as session:
        targets = await targets_for(session, 2026)
        detail = list(await session.scalars(select(AuditEntry.detail).where(AuditEntry.action == "target.set")
                                            .order_by(AuditEntry.id)))
    return targets, detail


async def test_staff_set_the_years_target_once_audited_with_before_and_after(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web, Role.STAFF)
    csrf = CSRF.findall((await web.get(f"{REPORTS}?tahun=2026")).text)[-1]
    sent = {"csrf_token": csrf, "tahun": "2026", "kategori": "", "target": "3000"}
    for _twice in range(2):
        saved = await web.post(f"{REPORTS}/target", data=sent)
        assert saved.status_code == 303 and saved.headers["location"] == f"{REPORTS}?tahun=2026&disimpan=1#target"
    await web.post(f"{REPORTS}/target", data={**sent, "kategori": "competency", "target": "800"})
    await web.post(f"{REPORTS}/target", data={**sent, "target": "3500"})
    targets, detail = await targets_and_audit(runtime)
    assert targets == {"": 3500, "competency": 800}
    assert detail == [
        {"origin": "web", "category": "", "before": None, "after": {"target": 3000}},
        {"origin": "web", "category": "competency", "before": None, "after": {"target": 800}},
        {"origin": "web", "category": "", "before": {"target": 3000}, "after": {"target": 3500}},
    ], "sent twice, applied and audited once"
    page = await web.get(f"{REPORTS}?tahun=2026&disimpan=1&lang=en")
    assert "The target is saved." in page.text and "3,500" in page.text and "800" in page.text


async def test_a_wrong_target_is_said_beside_its_field_with_what_was_typed(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web, Role.ADMIN)
    csrf = CSRF.findall((await web.get(f"{REPORTS}?lang=en")).text)[-1]
    for field, typed, problem in (
        ("target", "0", "Please type a whole number of participants from 1 to 10000000."),
        ("target", "tiga ribu", "Please type a whole number of participants from 1 to 10000000."),
        ("target", "99999999999", "Please type a whole number of participants from 1 to 10000000."),
        ("kategori", "<script>", "Please choose one of the list."),
        ("tahun", "1990", "Please type a year from 2000 to 2027."),
    ):
        sent = {"csrf_token": csrf, "tahun": "2026", "kategori": "", "target": "100", field: typed}
        refused = await web.post(f"{REPORTS}/target", data=sent)
        assert refused.status_code == 422, (field, typed)
        assert f'<small id="{field}-problem">{problem}</small>' in refused.text
        if field == "target":
            assert f'value="{typed}"' in refused.text
        assert "<script>" not in refused.text
    assert (await targets_and_audit(runtime)) == ({}, [])


async def test_a_viewer_or_a_forged_form_sets_no_target(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_role(runtime, clock, web, Role.VIEWER)
    csrf = CSRF.findall((await web.get(REPORTS)).text)[-1]
    sent = {"csrf_token": csrf, "tahun": "2026", "kategori": "", "target": "3000"}
    assert (await web.post(f"{REPORTS}/target", data=sent)).status_code == 403
    web.cookies.clear()
    await as_role(runtime, clock, web, Role.STAFF)
    assert (await web.post(f"{REPORTS}/target", data={**sent, "csrf_token": "forged"})).status_code == 403
    assert (await targets_and_audit(runtime)) == ({}, [])
