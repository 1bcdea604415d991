"""The audit trail on the dashboard, for admins: changes made in the browser, the chat and the command line, newest
first, filtered by action, person, subject and dates, with the values before and after; and the same rows as a
CSV file. Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import httpx
from sqlalchemy import select

from bot.engine.runtime import Runtime
from models.audit import AuditEntry, audit
from models.users import Role
from services.permissions import Actor
from services.staff import set_staff
from tests.conftest import Clock
from tests.test_dashboard_access import web as web  # noqa: PLC0414  (the fixture, under its own name)
from tests.test_dashboard_applicants import seen
from tests.test_dashboard_staff import STAFF, as_admin

TRAIL = "/dasbor/audit"


async def some_changes(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> tuple[int, str]:
    """An admin adds a staff member in the browser; a day later the command line makes them a viewer, and the
    admin signs in again (the day-old session has ended)."""
    admin, csrf = await as_admin(runtime, clock, web)
    added = await web.post(STAFF, data={"csrf_token": csrf, "channel": "telegram", "external_id": "4242",
                                        "role": "staff"})
    assert added.status_code == 200
    clock.advance(days=1)
    async with runtime.session_factory() as session, session.begin():
        await set_staff(session, Actor.system(), "telegram", "4242", True, locale="id", now=clock(),
                        role=Role.VIEWER)
    return await as_admin(runtime, clock, web)


async def test_an_admin_reads_who_changed_what_newest_first_with_before_and_after(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await some_changes(runtime, clock, web)
    page = await web.get(TRAIL + "?aksi=staff.set_role")
    assert page.status_code == 200
    text = seen(page)
    assert "2 entri cocok" in text
    table = text[text.index("<tbody>"):]
    assert table.index("Baris perintah (kantor)") < table.index("test kepala"), "newest first"
    assert "Pemantau" in text and "Petugas" in text and "Tanpa peran kantor" in text, "roles in words"
    assert "dari: Dasbor" in text and "staff.set_role" in text


async def test_the_trail_is_filtered_by_action_person_subject_and_dates(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    admin, _csrf = await some_changes(runtime, clock, web)
    async with runtime.session_factory() as session:
        added = await session.scalar(select(AuditEntry).where(AuditEntry.action == "staff.set_role")
                                     .order_by(AuditEntry.id))
    assert added is not None
    today = runtime.services.office.date_at(clock())
    searches = {
        f"pelaku={admin}&aksi=staff.set_role": 1, "pelaku=0": 3, f"subjek=user&nomor={added.subject_id}": 2,
        f"dari={today}": 3, f"sampai={today - timedelta(days=1)}&aksi=staff.set_role": 1,
        f"dari={today + timedelta(days=1)}": 0, "aksi=web.sign_in": 2, "aksi=evil&pelaku=x&halaman=-3": 6,
    }
    for query, count in searches.items():
        page = await web.get(f"{TRAIL}?{query}")
        assert page.status_code == 200, query
        expected = f"{count} entri cocok"
        assert expected in seen(page), (query, expected)
    bad = await web.get(f"{TRAIL}?dari=31-12-2026&sampai=2026-01-01")
    assert bad.status_code == 400 and 'id="dari-error"' in bad.text and 'value="31-12-2026"' in bad.text
    backwards = await web.get(f"{TRAIL}?dari={today}&sampai={today - timedelta(days=3)}")
    assert backwards.status_code == 400 and 'id="sampai-error"' in backwards.text


async def test_the_trail_is_paged_and_says_when_nothing_matches(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_admin(runtime, clock, web)
    async with runtime.session_factory() as session, session.begin():
        for number in range(60):
            audit(session, at=clock() + timedelta(seconds=number), actor_id=None, action="opening.close",
                  subject_kind="training", subject_id=number, detail={"origin": "cli"})
    first = await web.get(TRAIL + "?aksi=opening.close")
    assert "Halaman 1 dari 2" in seen(first) and "nomor=59\"" in first.text and "nomor=9\"" not in first.text
    second = await web.get(TRAIL + "?aksi=opening.close&halaman=2")
    assert "nomor=9\"" in second.text and "nomor=59\"" not in second.text
    assert "Tidak ada entri yang cocok" in seen(await web.get(TRAIL + "?aksi=audit.export"))


async def test_the_csv_holds_the_filtered_rows_and_its_download_is_audited(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    admin, _csrf = await some_changes(runtime, clock, web)
    async with runtime.session_factory() as session, session.begin():
        audit(session, at=clock() - timedelta(days=30), actor_id=admin, action="=HYPERLINK(\"http://x\")",
              subject_kind="application", subject_id=7, detail={"origin": "chat", "remark": "Lulus"})
    answer = await web.get(f"{TRAIL}.csv?aksi=staff.set_role")
    assert answer.status_code == 200 and answer.headers["content-type"].startswith("text/csv")
    assert "attachment" in answer.headers["content-disposition"]
    rows = list(csv.reader(io.StringIO(answer.text.removeprefix("\ufeff"))))
    assert rows[0][:5] == ["waktu", "pelaku_id", "pelaku", "asal", "aksi"]
    assert [(row[3], row[4], row[7], row[8]) for row in rows[1:]] == [
        ("cli", "staff.set_role", '{"role": "staff"}', '{"role": "viewer"}'),
        ("web", "staff.set_role", '{"role": "member"}', '{"role": "staff"}')]
    assert rows[2][2] == "test:kepala" and rows[2][0].endswith("+08:00"), "times in the office's zone"
    every = list(csv.reader(io.StringIO((await web.get(f"{TRAIL}.csv")).text)))
    assert every[-1][4] == "'=HYPERLINK(\"http://x\")", "a cell that could run as a formula is quoted"
    assert every[-1][9] == '{"remark": "Lulus"}'
    async with runtime.session_factory() as session:
        exports = list(await session.scalars(select(AuditEntry).where(AuditEntry.action == "audit.export")))
    assert [entry.detail["filters"] for entry in exports] == [{"action": "staff.set_role"}, {}]
    assert all(entry.actor_id == admin for entry in exports)
