"""The dashboard's Broadcasts pages over HTTP, as each office role uses them: writing a broadcast (every problem
beside its field, the live count), its preview per language, sending now or at a moment after a confirmation,
the list, a broadcast's progress, cancelling, and the messages that did not arrive. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import select, update

from bot.engine.runtime import Runtime
from bot.webhooks import create_app
from jobs.broadcasts import send_broadcasts
from models.audiences import Audience, Group
from models.audit import AuditEntry
from models.broadcasts import Broadcast, BroadcastDelivery, BroadcastStatus
from models.outbox import OutboxMessage, OutboxStatus
from models.users import Role
from services.broadcasts import BroadcastDraft, send_broadcast
from services.permissions import Actor
from tests.chat import RecordingChannel
from tests.conftest import Clock
from tests.test_broadcasts import received_broadcast, seekers, write_the_sewing_broadcast
from tests.test_dashboard_openings import CSRF, FORM_ID, as_role, found
from tests.test_openings import seed_catalog
from tests.test_selection import choose, staff_member

NEW = "/dasbor/siaran/baru"
SEWING = {"text_id": "Pendaftaran pelatihan menjahit dibuka!", "text_en": "Sewing training registration is open!",
          "opening": "t1", "group": "job_seekers", "kecamatan": "tanjung", "when": "now"}
"""The chat test's broadcast, as the dashboard's form sends it."""


@pytest.fixture
async def web(runtime: Runtime) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(runtime=runtime))
    async with httpx.AsyncClient(transport=transport, base_url="http://dasbor.test") as client:
        yield client


async def step(web: httpx.AsyncClient, action: str, **fields: str) -> httpx.Response:
    """One step of the compose form, sent as the browser sends it (a fresh form's token and one-time id)."""
    form = (await web.get(NEW)).text
    sent = {"csrf_token": found(CSRF, form), "form_id": found(FORM_ID, form), "action": action, **fields}
    return await web.post(NEW, data=sent)


async def broadcasts(runtime: Runtime) -> list[Broadcast]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(Broadcast).order_by(Broadcast.id)))


async def actions(runtime: Runtime) -> list[tuple[str, dict[str, Any]]]:
    async with runtime.session_factory() as session:
        rows = await session.scalars(select(AuditEntry).where(AuditEntry.action.like("broadcast.%"))
                                     .order_by(AuditEntry.id))
        return [(row.action, row.detail) for row in rows]


async def a_broadcast(runtime: Runtime, clock: Clock, text: str = "Bursa kerja Sabtu ini", **draft: Any) -> int:
    async with runtime.session_factory() as session, session.begin():
        broadcast = await send_broadcast(session, Actor.system(), BroadcastDraft(
            text, None, None, draft.pop("audience", Audience()), **draft), now=clock())
        return broadcast.id


@pytest.mark.parametrize("role", [Role.VIEWER, Role.STAFF, Role.ADMIN])
async def test_every_office_role_reads_the_list_a_broadcast_and_what_did_not_arrive(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient, role: Role
) -> None:
    await seekers(runtime, channel)
    number = await a_broadcast(runtime, clock, "<b>Bursa kerja</b> Sabtu ini")
    await as_role(runtime, clock, web, role)
    listed = await web.get("/dasbor/siaran")
    assert listed.status_code == 200 and f'href="/dasbor/siaran/{number}"' in listed.text
    assert "&lt;b&gt;Bursa kerja&lt;/b&gt; Sabtu ini" in listed.text, "text with HTML in it is shown as text"
    assert ('href="/dasbor/siaran/baru"' in listed.text) is (role is not Role.VIEWER)
    page = await web.get(f"/dasbor/siaran/{number}?lang=en")
    assert page.status_code == 200 and "Audience: Everyone who uses the bot" in page.text
    assert "sending" in page.text and 'hx-trigger="every 3s"' in page.text, "polls while it goes out"
    assert (f"/dasbor/siaran/{number}/batalkan" in page.text) is (role is not Role.VIEWER)
    assert (await web.get(f"/dasbor/siaran/{number}/kemajuan")).status_code == 200
    assert "Every message of the last 7 days was delivered." in (await web.get("/dasbor/siaran/tak-terkirim")).text
    for missing in ("/dasbor/siaran/999", "/dasbor/siaran/x", "/dasbor/siaran/99999999999"):
        assert (await web.get(missing)).status_code == 404, missing


async def test_a_viewer_may_not_write_send_nor_cancel(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seekers(runtime, channel)
    number = await a_broadcast(runtime, clock)
    await as_role(runtime, clock, web, Role.VIEWER)
    for path in (NEW, "/dasbor/siaran/jumlah", f"/dasbor/siaran/{number}/batalkan"):
        assert (await web.get(path)).status_code == 403, path
    csrf = found(CSRF, (await web.get("/dasbor/siaran")).text)
    sent = {"csrf_token": csrf, "form_id": "f" * 20, "action": "send", **SEWING}
    assert (await web.post(NEW, data=sent)).status_code == 403
    assert (await web.post(f"/dasbor/siaran/{number}/batalkan", data={"csrf_token": csrf})).status_code == 403
    assert [b.status for b in await broadcasts(runtime)] == [BroadcastStatus.SENDING]
    assert [action for action, _detail in await actions(runtime)] == ["broadcast.create"], "the system's own"


async def test_nobody_signed_in_and_a_forged_form_change_nothing(
    runtime: Runtime, clock: Clock, web: httpx.AsyncClient
) -> None:
    assert (await web.get("/dasbor/siaran")).status_code == 401
    await as_role(runtime, clock, web)
    forged = await web.post(NEW, data={"csrf_token": "forged", "form_id": "f" * 20, "action": "send",
                                       "text_id": "Info", "when": "now"})
    assert forged.status_code == 403 and await broadcasts(runtime) == []


async def test_a_broadcast_written_in_the_dashboard_queues_exactly_as_the_chats(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seed_catalog(runtime, clock)
    await seekers(runtime, channel)
    staff = await staff_member(runtime, channel, clock)
    await write_the_sewing_broadcast(staff)
    await choose(staff, "Menurut kecamatan", "Tanjung", "Selesai: lihat pratinjau",
                 "Kirim sekarang", "Ya, kirim")

    await as_role(runtime, clock, web)
    preview = await step(web, "preview", **SEWING)
    assert preview.status_code == 200
    assert "2 orang yang memakai Bahasa Indonesia akan menerima:" in preview.text
    assert "Pengumuman dari Disnaker Kabupaten Tabalong:\n\nPendaftaran pelatihan menjahit dibuka!" in preview.text
    assert "1 orang yang memakai English akan menerima:" in preview.text
    assert "Announcement from Disnaker Kabupaten Tabalong:\n\nSewing training registration is open!" in preview.text
    assert "Lihat rincian dan daftar" in preview.text and "See details and apply" in preview.text
    confirm = await step(web, "confirm", **SEWING)
    assert "Kirim ke 3 orang sekarang?" in confirm.text
    sent = await step(web, "send", **SEWING)
    assert sent.status_code == 303 and sent.headers["location"] == "/dasbor/siaran/2?baru=1"
    assert "Siaran #2 sedang dikirim kepada 3 orang." in (await web.get(sent.headers["location"])).text

    chat, dashboard = await broadcasts(runtime)
    shape = ("text_id", "text_en", "opening_code", "audience", "status", "total", "author_id")
    assert [getattr(chat, name) for name in shape] == [getattr(dashboard, name) for name in shape]
    async with runtime.session_factory() as session:
        recipients = {number: set(await session.scalars(select(BroadcastDelivery.user_id).where(
            BroadcastDelivery.broadcast_id == number))) for number in (chat.id, dashboard.id)}
    assert recipients[chat.id] == recipients[dashboard.id] and len(recipients[chat.id]) == 3
    assert await send_broadcasts(runtime) == 6
    for name in ("siti", "sari", "susi"):
        first, second = received_broadcast(channel, name)
        assert first == second, name
    assert [action for action, _detail in await actions(runtime)] == ["broadcast.create", "broadcast.create"]
    origins = [detail["origin"] for _action, detail in await actions(runtime)]
    assert origins == ["chat", "web"]


async def test_a_form_sent_twice_creates_one_broadcast(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seekers(runtime, channel)
    await as_role(runtime, clock, web)
    form = (await web.get(NEW)).text
    sent = {"csrf_token": found(CSRF, form), "form_id": found(FORM_ID, form), "action": "send",
            **SEWING, "opening": ""}
    first = await web.post(NEW, data=sent)
    again = await web.post(NEW, data=sent)
    assert first.status_code == again.status_code == 303
    assert first.headers["location"] == again.headers["location"]
    assert len(await broadcasts(runtime)) == 1
    assert [action for action, _detail in await actions(runtime)] == ["broadcast.create"]


async def test_a_bad_schedule_time_is_refused_beside_the_field_and_a_good_one_schedules(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seekers(runtime, channel)
    await as_role(runtime, clock, web)
    later = {**SEWING, "opening": "", "when": "later"}
    for date, time, problem in (("kemarin", "09:00", "Mohon tulis tanggal dan jam"),
                                ("2026-11-22", "09:00", "Waktu itu sudah lewat."),
                                ("2026-11-24", "25:00", "Mohon tulis tanggal dan jam"),
                                ("2026-02-31", "09:00", "Mohon tulis tanggal dan jam")):
        refused = await step(web, "confirm", **later, send_date=date, send_time=time)
        assert refused.status_code == 422 and problem in refused.text, (date, time)
        assert 'id="f-send_date" name="send_date" type="date" value="' + date in refused.text, "what was typed is kept"
        assert 'aria-invalid="true" aria-describedby="send_date-problem"' in refused.text
    neither = await step(web, "confirm", **{**later, "when": "sometime"})
    assert neither.status_code == 422 and "Mohon pilih Kirim sekarang atau Jadwalkan nanti." in neither.text
    assert await broadcasts(runtime) == []

    confirm = await step(web, "confirm", **later, send_date="24-11-2026", send_time="09.00")
    assert "Kirim ke 3 orang pada 24 November 2026 pukul 09:00 WITA?" in confirm.text
    sent = await step(web, "send", **later, send_date="24-11-2026", send_time="09.00")
    assert sent.status_code == 303
    assert "Siaran #1 sudah dijadwalkan." in (await web.get(sent.headers["location"])).text
    (broadcast,) = await broadcasts(runtime)
    assert broadcast.status == BroadcastStatus.SCHEDULED
    assert runtime.services.office.local_time(broadcast.scheduled_at).strftime("%d-%m-%Y %H:%M") == "24-11-2026 09:00"
    assert [action for action, _detail in await actions(runtime)] == ["broadcast.schedule"]
    assert await send_broadcasts(runtime) == 0, "not yet"


async def test_the_form_says_each_problem_beside_its_field_and_keeps_what_was_typed(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seed_catalog(runtime, clock)
    await seekers(runtime, channel)
    await as_role(runtime, clock, web)
    refused = await step(web, "preview", text_id="  ", text_en="x" * 1001, opening="t999", group="alumni_of",
                         program="zz", kecamatan="atlantis", gender="<script>")
    assert refused.status_code == 422
    for sentence in ("Mohon tulis pengumuman dalam bahasa Indonesia.", "Terlalu panjang: maksimal 1000 karakter.",
                     "Tidak ada program dengan kode tersebut.", "Tidak ada pelatihan atau pemagangan dengan kode itu.",
                     "Mohon pilih salah satu dari daftar."):
        assert sentence in refused.text, sentence
    assert "x" * 1001 in refused.text and "<script>" not in refused.text
    nobody = await step(web, "preview", text_id="Info", group="alumni")
    assert nobody.status_code == 422 and "Tidak ada penerima dengan pilihan ini." in nobody.text
    assert await broadcasts(runtime) == []


async def test_the_count_follows_the_filters_with_or_without_javascript(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    users = await seekers(runtime, channel)
    await users["siti"].send("BERHENTI")
    await as_role(runtime, clock, web)
    new = (await web.get(NEW)).text
    assert "3 orang akan menerimanya." in new, "three job seekers (siti stopped); the staff member set up " \
        "by the command line never wrote to the bot, so never agreed to its messages"
    fragment = await web.get("/dasbor/siaran/jumlah", params={"group": "job_seekers", "kecamatan": "tanjung"})
    assert fragment.status_code == 200 and fragment.text.lstrip().startswith('<p id="audience-count"')
    assert "2 orang akan menerimanya." in fragment.text and "1 penerima lain" in fragment.text
    incomplete = await web.get("/dasbor/siaran/jumlah", params={"group": "alumni_of"})
    assert "Mohon lengkapi pilihan penerima" in incomplete.text
    counted = await step(web, "count", text_id="Info <i>penting</i>", group="job_seekers", gender="female")
    assert counted.status_code == 200 and "3 orang akan menerimanya." in counted.text
    assert "Info &lt;i&gt;penting&lt;/i&gt;</textarea>" in counted.text


async def test_cancelling_asks_first_is_audited_and_happens_once(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seekers(runtime, channel)
    number = await a_broadcast(runtime, clock, send_at=clock().replace(year=2027))
    await as_role(runtime, clock, web)
    asked = await web.get(f"/dasbor/siaran/{number}/batalkan")
    assert asked.status_code == 200 and "Batalkan siaran #1?" in asked.text
    csrf = found(CSRF, asked.text)
    done = await web.post(f"/dasbor/siaran/{number}/batalkan", data={"csrf_token": csrf})
    assert done.status_code == 303 and done.headers["location"] == f"/dasbor/siaran/{number}?dibatalkan=1"
    assert "Siaran #1 dibatalkan." in (await web.get(done.headers["location"])).text
    again = await web.post(f"/dasbor/siaran/{number}/batalkan", data={"csrf_token": csrf})
    assert again.headers["location"] == f"/dasbor/siaran/{number}?selesai=1"
    cancelled = [(action, detail) for action, detail in await actions(runtime) if action == "broadcast.cancel"]
    assert cancelled == [("broadcast.cancel", {"origin": "web", "before": {"status": "scheduled"},
                                               "after": {"status": "cancelled"}})]
    assert "Siaran itu sudah selesai." in (await web.get(f"/dasbor/siaran/{number}/batalkan")).text


async def test_the_list_pages_by_twenty_and_the_failures_say_why(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, web: httpx.AsyncClient
) -> None:
    await seekers(runtime, channel)
    for number in range(22):
        await a_broadcast(runtime, clock, f"Info {number}", audience=Audience(Group.JOB_SEEKERS))
    await send_broadcasts(runtime)
    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(OutboxMessage).where(
            OutboxMessage.address == "sari", OutboxMessage.id.in_(select(BroadcastDelivery.outbox_id))
        ).values(status=OutboxStatus.FAILED, last_error="131047 Re-engagement message"))
    await as_role(runtime, clock, web, Role.VIEWER)
    first = (await web.get("/dasbor/siaran")).text
    assert "Info 21" in first and "Info 1<" not in first and "Halaman 1 dari 2" in first
    second = (await web.get("/dasbor/siaran?halaman=2")).text
    assert "Info 1<" in second and "Info 0" in second and "Info 21" not in second
    assert "100,0%" in second and "selesai" in second
    page = (await web.get("/dasbor/siaran/22")).text
    assert "131047 Re-engagement message" in page and "3 terkirim, 1 gagal" in page
    assert 'hx-trigger' not in page, "a finished broadcast's page no longer polls"
    failures = await web.get("/dasbor/siaran/tak-terkirim")
    assert "22 pesan dalam 7 hari terakhir tidak terkirim." in failures.text
    assert failures.text.count("131047 Re-engagement message") == 21, "the reason, then 20 of the latest"
    assert "Halaman 1 dari 2" in failures.text
    assert (await web.get("/dasbor/siaran/tak-terkirim?halaman=2")).text.count("131047 Re-engagement") == 3
