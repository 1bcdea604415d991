"""Signing in to the dashboard: single-use links from the chat and the command line, sessions that can be
ended, CSRF on every form, and the overview for each office role. Through the real app, over HTTP (httpx's
ASGI transport), on SQLite and PostgreSQL."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest
from sqlalchemy import select

from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from models.audit import AuditEntry
from models.outbox import OutboxMessage
from models.users import Role, set_role
from services.permissions import Actor
from services.sign_in import login_link
from tests.chat import CHANNEL, ChatUser, RecordingChannel, register
from tests.conftest import TEST_KEY, Clock
from tests.test_settings_and_cli import run_bot

LINK = re.compile(r"http://127\.0\.0\.1:8080(/masuk/[A-Za-z0-9_-]+)")


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as client:
        yield client


async def office_member(runtime: Runtime, clock: Clock, name: str = "petugas", role: Role = Role.STAFF) -> int:
    async with runtime.session_factory() as session, session.begin():
        return (await set_role(session, CHANNEL, name, role, locale="id", now=clock())).id


async def link_for(runtime: Runtime, clock: Clock, user_id: int) -> str:
    async with runtime.session_factory() as session, session.begin():
        from models.users import get_user
        user = await get_user(session, user_id)
        assert user is not None
        return "/masuk/" + await login_link(session, Actor.system(), user, clock())


async def signed_in(web: httpx.AsyncClient, path: str) -> httpx.Response:
    assert (await web.get(path)).status_code == 200, "the link itself only shows a button"
    return await web.post(path, data={})


async def test_staff_get_a_link_in_chat_and_it_signs_them_in_once(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await office_member(runtime, clock)
    staff = ChatUser(runtime, channel, "petugas")
    answered = "\n".join(reply.text for reply in await staff.send("/masuk"))
    match = LINK.search(answered)
    assert match is not None, answered
    path = match.group(1)
    answer = await signed_in(web, path)
    assert answer.status_code == 303 and answer.headers["location"] == "/dasbor"
    cookie = answer.headers["set-cookie"]
    assert "HttpOnly" in cookie and "samesite=lax" in cookie.lower()
    overview = await web.get("/dasbor")
    assert overview.status_code == 200 and "Pencari kerja terdaftar" in overview.text
    web.cookies.clear()
    again = await signed_in(web, path)
    assert again.status_code == 403 and "Tautan masuk ini tidak dapat digunakan" in again.text
    async with runtime.session_factory() as session:
        actions = list(await session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
    assert actions == ["web.login_link", "web.sign_in"]
    await runtime.delivery.flush()
    async with runtime.session_factory() as session:
        kept = [str(payload) for payload in await session.scalars(select(OutboxMessage.payload))]
    assert not any(path in payload for payload in kept), "the link is a credential: the outbox forgets it"


async def test_a_member_has_no_login_command(runtime: Runtime, channel: RecordingChannel) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    answered = "\n".join(reply.text for reply in await siti.send("/masuk"))
    assert "Perintah /masuk tidak dikenali" in answered


async def test_an_expired_or_forged_link_gets_a_clear_page_and_nothing_else(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    path = await link_for(runtime, clock, await office_member(runtime, clock))
    clock.advance(minutes=16)
    for tried in (path, "/masuk/forged", "/masuk/" + "x" * 500):
        answer = await web.post(tried, data={})
        assert answer.status_code == 403 and "set-cookie" not in answer.headers
    assert (await web.get("/dasbor")).status_code == 401


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
async def test_the_overview_shows_the_office_to_each_office_role_in_both_languages(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient, role: Role
) -> None:
    await signed_in(web, await link_for(runtime, clock, await office_member(runtime, clock, role=role)))
    indonesian = await web.get("/dasbor")
    assert indonesian.status_code == 200 and "Sekilas tentang kantor" in indonesian.text
    english = await web.get("/dasbor?lang=en")
    assert "The office at a glance" in english.text
    assert "The office at a glance" in (await web.get("/dasbor")).text, "the language choice is remembered"


async def test_a_member_cannot_sign_in_even_with_a_link_made_before_their_role_was_taken(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    user_id = await office_member(runtime, clock)
    path = await link_for(runtime, clock, user_id)
    await signed_in(web, await link_for(runtime, clock, user_id))
    await office_member(runtime, clock, role=Role.MEMBER)
    assert (await web.get("/dasbor")).status_code == 401, "the open session ended with the role"
    assert (await web.post(path, data={})).status_code == 403


async def test_signing_out_needs_the_form_token_and_everywhere_ends_every_session(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    user_id = await office_member(runtime, clock)
    await signed_in(web, await link_for(runtime, clock, user_id))
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as phone:
        await signed_in(phone, await link_for(runtime, clock, user_id))
        assert (await web.post("/keluar", data={"csrf_token": "forged"})).status_code == 403
        assert (await web.get("/dasbor")).status_code == 200
        page = (await web.get("/dasbor")).text
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page)
        assert csrf is not None
        out = await web.post("/keluar", data={"csrf_token": csrf.group(1), "everywhere": "1"})
        assert out.status_code == 200 and "Anda sudah keluar" in out.text
        assert (await web.get("/dasbor")).status_code == 401
        assert (await phone.get("/dasbor")).status_code == 401


async def test_an_idle_session_ends(runtime: Runtime, clock: Clock, web: httpx.AsyncClient) -> None:
    await signed_in(web, await link_for(runtime, clock, await office_member(runtime, clock)))
    clock.advance(hours=8, minutes=1)
    assert (await web.get("/dasbor")).status_code == 401


async def test_a_form_body_without_a_length_or_too_large_is_refused_unread(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    path = await link_for(runtime, clock, await office_member(runtime, clock))
    huge = await web.post(path, content=b"a=" + b"x" * 70_000,
                          headers={"content-type": "application/x-www-form-urlencoded"})
    assert huge.status_code == 413
    assert (await signed_in(web, path)).status_code == 303, "the refused request did not spend the link"


def test_the_link_lasts_fifteen_minutes() -> None:
    from models.web_access import LINK_LIFETIME
    assert timedelta(minutes=15) == LINK_LIFETIME


async def test_a_viewer_reads_the_report_in_chat_and_gets_a_link_but_changes_nothing(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await office_member(runtime, clock, "kepala", Role.VIEWER)
    head = ChatUser(runtime, channel, "kepala")
    await head.send("/start")
    assert await head.step() == "home", "the office's people are not asked to register as job seekers"
    assert [o.label for o in head.last.options][0] == "Laporan monev (staf)"
    assert "/masuk/" in "\n".join(reply.text for reply in await head.send("/masuk"))
    assert "Perintah /staf tidak dikenali" in "\n".join(reply.text for reply in await head.send("/staf"))
    await head.send("/laporan")
    assert (await head.conversation())[0] == "report"


def test_the_command_line_prints_a_sign_in_link_for_a_staff_member_named_by_their_id(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY,
           "WEB_PUBLIC_URL": "https://kerja.example.go.id/"}
    added = run_bot("staff", "add", "console", "kepala", "--role", "viewer", env=env, cwd=tmp_path)
    assert added.stdout.strip() == "console:kepala is now viewer"
    printed = run_bot("staff", "login-link", "kepala", env=env, cwd=tmp_path)
    assert printed.returncode == 0
    assert re.search(r"https://kerja\.example\.go\.id/masuk/[A-Za-z0-9_-]{40,}$", printed.stdout.strip())
    unknown = run_bot("staff", "login-link", "siapa", env=env, cwd=tmp_path)
    assert unknown.returncode == 1 and "'siapa' is not one of the office's people" in unknown.stderr
