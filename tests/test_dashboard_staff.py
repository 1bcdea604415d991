"""The office's people on the dashboard, for admins: adding someone by their Telegram id, WhatsApp number or
console name, changing a role, removing someone and ending their sessions, each audited with the values before
and after; nobody removes or lowers themselves. Over HTTP, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from models.audit import AuditEntry
from models.users import Role, find_user, get_user
from services.permissions import Actor, NotAllowed
from services.staff import IdentityRefused, set_staff, staff_identity
from tests.conftest import Clock
from tests.test_dashboard_access import link_for, office_member, signed_in
from tests.test_dashboard_access import web as web  # noqa: PLC0414  (the fixture, under its own name)
from tests.test_dashboard_applicants import csrf_of, seen

STAFF = "/dasbor/staf"


async def as_admin(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> tuple[int, str]:
    """Sign `web` in as an admin; their user id and the CSRF token of their session."""
    admin = await office_member(runtime, clock, "kepala", Role.ADMIN)
    await signed_in(web, await link_for(runtime, clock, admin))
    return admin, csrf_of((await web.get(STAFF)).text)


@pytest.fixture
async def other(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    """A second browser, for the staff member whose sessions an admin ends."""
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as client:
        yield client


async def trail(runtime: Runtime, action: str) -> list[AuditEntry]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(AuditEntry).where(AuditEntry.action == action)
                                          .order_by(AuditEntry.id)))


async def role_of(runtime: Runtime, channel: str, external_id: str) -> str | None:
    async with runtime.session_factory() as session:
        user = await find_user(session, channel, external_id)
    return user.role if user is not None else None


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF])
async def test_only_an_admin_opens_the_staff_and_audit_pages(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role
) -> None:
    for path in (STAFF, "/dasbor/audit", "/dasbor/audit.csv"):
        assert (await web.get(path)).status_code == 401
    await signed_in(web, await link_for(runtime, clock, await office_member(runtime, clock, "petugas", role)))
    overview = await web.get("/dasbor")
    assert 'href="/dasbor/staf"' not in overview.text and 'href="/dasbor/audit"' not in overview.text
    for path in (STAFF, "/dasbor/audit", "/dasbor/audit.csv", f"{STAFF}/1/hapus"):
        assert (await web.get(path)).status_code == 403, path
    csrf = csrf_of(overview.text)
    refused = await web.post(STAFF, data={"csrf_token": csrf, "channel": "telegram", "external_id": "555",
                                          "role": "admin"})
    assert refused.status_code == 403 and await role_of(runtime, "telegram", "555") is None


async def test_an_admin_adds_people_by_telegram_id_whatsapp_number_or_console_name(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    admin, csrf = await as_admin(runtime, clock, web)
    page = await web.get(STAFF)
    assert page.status_code == 200 and "kepala" in page.text and 'href="/dasbor/staf"' in page.text
    added = {("telegram", " 123 456 789 ", "viewer"): ("telegram", "123456789"),
             ("whatsapp", "0812-5100-0001", "staff"): ("whatsapp", "6281251000001"),
             ("console", "Loket2", "admin"): ("console", "loket2")}
    for (channel, typed, role), (stored_channel, stored_id) in added.items():
        answer = await web.post(STAFF, data={"csrf_token": csrf, "channel": channel, "external_id": typed,
                                             "role": role})
        assert answer.status_code == 200 and stored_id in answer.text
        assert await role_of(runtime, stored_channel, stored_id) == role
    again = await web.post(STAFF, data={"csrf_token": csrf, "channel": "whatsapp", "external_id": "+62 812 5100 0001",
                                        "role": "staff"})
    assert again.status_code == 200
    rows = await trail(runtime, "staff.set_role")
    assert len(rows) == 3, "the same role given twice is one change"
    assert all(row.actor_id == admin and row.detail["origin"] == "web" for row in rows)
    assert rows[1].detail["before"] == {"role": "member"} and rows[1].detail["after"] == {"role": "staff"}
    assert rows[1].detail["who"] == "whatsapp:6281251000001"


@pytest.mark.parametrize("case", [
    ("telegram", "abc", "staff", "external_id"),
    ("telegram", "-5", "staff", "external_id"),
    ("whatsapp", "12", "staff", "external_id"),
    ("whatsapp", "+1 202 555 0100", "staff", "external_id"),
    ("console", "<b>bos</b>", "staff", "external_id"),
    ("sms", "0812", "staff", "channel"),
    ("telegram", "123", "member", "role"),
])
async def test_a_wrong_identity_or_role_is_explained_beside_its_field_and_kept(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, case: tuple[str, str, str, str]
) -> None:
    channel, typed, role, field = case
    _admin, csrf = await as_admin(runtime, clock, web)
    answer = await web.post(STAFF, data={"csrf_token": csrf, "channel": channel, "external_id": typed, "role": role})
    assert answer.status_code == 400
    assert f'id="{field.replace("_", "-")}-error"' in answer.text
    assert "<b>bos</b>" not in answer.text, "what was typed is shown as text"
    assert f'value="{typed}"' in seen(answer).replace("&lt;", "<").replace("&gt;", ">")
    assert await trail(runtime, "staff.set_role") == []


async def test_an_admin_changes_a_role_removes_someone_and_their_session_ends_at_once(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    _admin, csrf = await as_admin(runtime, clock, web)
    member = await office_member(runtime, clock, "petugas", Role.STAFF)
    await signed_in(other, await link_for(runtime, clock, member))
    changed = await web.post(f"{STAFF}/{member}/peran", data={"csrf_token": csrf, "role": "viewer"})
    assert changed.status_code == 200 and await role_of(runtime, "test", "petugas") == "viewer"
    assert (await other.get("/dasbor")).status_code == 200, "a viewer still reads"
    confirm = await web.get(f"{STAFF}/{member}/hapus")
    assert confirm.status_code == 200 and f'action="{STAFF}/{member}/hapus"' in confirm.text
    assert await role_of(runtime, "test", "petugas") == "viewer", "asking is not removing"
    removed = await web.post(f"{STAFF}/{member}/hapus", data={"csrf_token": csrf})
    assert removed.status_code == 200 and await role_of(runtime, "test", "petugas") == "member"
    assert (await other.get("/dasbor")).status_code == 401
    rows = await trail(runtime, "staff.set_role")
    assert [(row.detail["before"], row.detail["after"]) for row in rows] == [
        ({"role": "staff"}, {"role": "viewer"}), ({"role": "viewer"}, {"role": "member"})]
    assert (await web.post(f"{STAFF}/{member}/hapus", data={"csrf_token": csrf})).status_code == 200
    assert len(await trail(runtime, "staff.set_role")) == 2, "removing twice is one change"
    assert (await web.get(f"{STAFF}/{member}/hapus")).status_code == 404, "no longer one of the office's people"
    assert (await web.post(f"{STAFF}/999999/peran", data={"csrf_token": csrf, "role": "staff"})).status_code == 404


async def test_an_admin_ends_every_session_of_a_staff_member(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, other: httpx.AsyncClient
) -> None:
    _admin, csrf = await as_admin(runtime, clock, web)
    member = await office_member(runtime, clock, "petugas", Role.STAFF)
    await signed_in(other, await link_for(runtime, clock, member))
    assert f'action="{STAFF}/{member}/sesi"' in (await web.get(STAFF)).text
    ended = await web.post(f"{STAFF}/{member}/sesi", data={"csrf_token": csrf})
    assert ended.status_code == 200
    assert (await other.get("/dasbor")).status_code == 401
    assert await role_of(runtime, "test", "petugas") == "staff", "they keep their role and may sign in again"
    [row] = await trail(runtime, "staff.revoke_sessions")
    assert row.subject_id == member and row.detail["ended"] == 1 and row.detail["origin"] == "web"


async def test_an_admin_cannot_remove_or_lower_their_own_role(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    admin, csrf = await as_admin(runtime, clock, web)
    page = await web.get(STAFF)
    assert f'action="{STAFF}/{admin}/peran"' not in page.text and f'href="{STAFF}/{admin}/hapus"' not in page.text
    for path, data in ((f"{STAFF}/{admin}/peran", {"role": "staff"}), (f"{STAFF}/{admin}/hapus", {})):
        answer = await web.post(path, data={"csrf_token": csrf, **data})
        assert answer.status_code == 409 and "Anda tidak dapat" in answer.text
    assert await role_of(runtime, "test", "kepala") == "admin"
    assert "Anda tidak dapat" in (await web.get(f"{STAFF}/{admin}/hapus")).text
    assert await trail(runtime, "staff.set_role") == []


async def test_a_form_without_the_sessions_csrf_token_changes_nothing(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    await as_admin(runtime, clock, web)
    member = await office_member(runtime, clock, "petugas", Role.STAFF)
    for path, data in ((STAFF, {"channel": "telegram", "external_id": "77", "role": "admin"}),
                       (f"{STAFF}/{member}/peran", {"role": "admin"}), (f"{STAFF}/{member}/hapus", {}),
                       (f"{STAFF}/{member}/sesi", {})):
        assert (await web.post(path, data={"csrf_token": "forged", **data})).status_code == 403, path
    assert await role_of(runtime, "test", "petugas") == "staff" and await role_of(runtime, "telegram", "77") is None


async def test_staff_in_the_chat_or_command_line_keep_the_same_rules(runtime: Runtime, clock: Clock) -> None:
    admin = await office_member(runtime, clock, "kepala", Role.ADMIN)
    staff = await office_member(runtime, clock, "petugas", Role.STAFF)
    async with runtime.session_factory() as session, session.begin():
        staff_user, admin_user = await get_user(session, staff), await get_user(session, admin)
        assert staff_user is not None and admin_user is not None
        with pytest.raises(NotAllowed):
            await set_staff(session, Actor.of(staff_user), "test", "kepala", False, locale="id", now=clock())
        with pytest.raises(NotAllowed):
            await set_staff(session, Actor.of(staff_user), "test", "baru", True, locale="id", now=clock(),
                            role=Role.ADMIN)
        given = await set_staff(session, Actor.system(), "test", "kepala", True, locale="id", now=clock(),
                                role=Role.VIEWER)
    assert given is Role.VIEWER, "the command line acts for the office and may change an admin"
    [row] = await trail(runtime, "staff.set_role")
    assert row.actor_id is None and row.detail["origin"] == "cli" and row.detail["before"] == {"role": "admin"}


@given(st.sampled_from(["telegram", "whatsapp", "console", "sms", ""]), st.text(max_size=80))
def test_an_identity_is_stored_in_one_form_or_refused(channel: str, typed: str) -> None:
    try:
        stored = staff_identity(channel, typed)
    except IdentityRefused:
        return
    assert stored == staff_identity(channel, stored), "stored once, the same when typed again"
    assert len(stored) <= 32 and stored.isascii() and stored == stored.strip()
    if channel != "console":
        assert stored.isdigit()
