"""Staff broadcasts: audience, preview in each language, sending in batches, opt-out, schedule, cancel, resume."""

from __future__ import annotations

import itertools
from datetime import date

from hypothesis import given
from sqlalchemy import select, update

from bot.engine.messages import Purpose
from bot.engine.runtime import Runtime
from bot.settings import Settings
from bot.wiring import build_runtime
from jobs.broadcasts import send_broadcasts
from jobs.retry_sending import retry_sending
from models.applications import ApplicationStatus, OpeningRef, submit_application
from models.audiences import Audience, Group, size_of
from models.broadcasts import Broadcast, BroadcastStatus, create_broadcast, figures_of
from models.profiles import JobSeekerProfile
from models.selection_rules import Mover, change_status, mark_completed
from models.users import Role, User, set_role
from tests.chat import CHANNEL, ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_openings import seed_catalog
from tests.test_properties import odd_text
from tests.test_selection import staff_member

SEEKERS = ("siti", "sari", "santi", "susi")


async def seekers(runtime: Runtime, channel: RecordingChannel) -> dict[str, ChatUser]:
    """Four registered job seekers in Tanjung; santi moves to Kelua, susi reads English."""
    users = {}
    for number, name in enumerate(SEEKERS, start=1):
        users[name] = ChatUser(runtime, channel, name)
        await register(users[name], nik=f"630901450899000{number}")
    async with runtime.session_factory() as session, session.begin():
        santi = select(User.id).where(User.external_id == "santi").scalar_subquery()
        await session.execute(update(JobSeekerProfile).where(JobSeekerProfile.user_id == santi)
                              .values(kecamatan="kelua"))
        await session.execute(update(User).where(User.external_id == "susi").values(locale="en"))
    return users


def received_broadcast(channel: RecordingChannel, name: str) -> list[str]:
    return [reply.text for reply in channel.to(name) if "Pengumuman dari" in reply.text
            or "Announcement from" in reply.text]


async def write_the_sewing_broadcast(staff: ChatUser) -> None:
    """In both languages, linked to t1, to the registered job seekers (the audience not narrowed yet)."""
    await staff.send("/broadcast")
    await staff.tap("Tulis siaran baru")
    await staff.send("Pendaftaran pelatihan menjahit dibuka!")
    await staff.send("Sewing training registration is open!")
    await staff.send("t1")
    await staff.tap("Tanpa berkas")
    await staff.tap("Pencari kerja terdaftar")


async def test_staff_write_preview_and_send_a_broadcast_each_reader_in_their_language(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    await seekers(runtime, channel)
    staff = await staff_member(runtime, channel, clock)
    await write_the_sewing_broadcast(staff)
    assert "4 orang akan menerimanya." in staff.text
    await staff.tap("Menurut kecamatan")
    await staff.tap("Tanjung")
    assert "Kecamatan: Tanjung" in staff.text and "3 orang akan menerimanya." in staff.text
    await staff.tap("Selesai: lihat pratinjau")
    preview = staff.text
    assert preview.startswith("2 orang yang memakai Bahasa Indonesia akan menerima:")
    assert "Pengumuman dari Disnaker Kabupaten Tabalong:\n\nPendaftaran pelatihan menjahit dibuka!" in preview
    assert "[Lihat rincian dan daftar]" in preview
    assert "1 orang yang memakai English akan menerima:" in preview
    assert "Announcement from Disnaker Kabupaten Tabalong:\n\nSewing training registration is open!" in preview
    assert "[See details and apply]" in preview
    await staff.tap("Kirim sekarang")
    assert staff.text == "Kirim ke 3 orang sekarang?"
    await staff.tap("Ya, kirim")
    assert staff.text.startswith("Siaran #1 sedang dikirim kepada 3 orang.")

    assert await send_broadcasts(runtime) == 3
    assert received_broadcast(channel, "siti") == [
        "Pengumuman dari Disnaker Kabupaten Tabalong:\n\nPendaftaran pelatihan menjahit dibuka!\n\n"
        "Untuk berhenti menerima pengumuman, ketik /stop."]
    assert received_broadcast(channel, "susi")[0].startswith("Announcement from Disnaker Kabupaten Tabalong:\n\n"
                                                             "Sewing training")
    assert received_broadcast(channel, "santi") == [], "lives in Kelua"
    assert channel.to("petugas")[-1].text == (
        "Siaran #1 selesai:\n3 terkirim, 0 gagal, 0 tidak terjangkau, 0 dilewati, 0 tersisa (dari 3).")
    siti = ChatUser(runtime, channel, "siti")
    assert channel.to("siti")[-1].purpose == Purpose.BROADCAST
    await siti.tap("Lihat rincian dan daftar", reply=channel.to("siti")[-1])
    assert siti.text.startswith("Menjahit Pakaian Wanita\n")
    assert await send_broadcasts(runtime) == 0, "sent once"


async def test_people_who_stopped_or_blocked_the_bot_are_skipped_and_start_resubscribes(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    users = await seekers(runtime, channel)
    await users["siti"].send("BERHENTI")
    assert "Anda tidak akan lagi menerima pengumuman" in users["siti"].text
    async with runtime.session_factory() as session, session.begin():
        await session.execute(update(User).where(User.external_id == "sari").values(unreachable_since=clock()))
        staff = await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="id", now=clock())
        audience = Audience(Group.JOB_SEEKERS)
        size = await size_of(session, audience)
        assert (size.receiving, size.left_out) == (2, 2)
        broadcast = await create_broadcast(session, author_id=staff.id, text_id="Info", text_en=None,
                                           opening_code=None, audience=audience, scheduled_at=clock(), now=clock())
    await send_broadcasts(runtime)
    async with runtime.session_factory() as session:
        figures = await figures_of(session, broadcast.id)
    assert (figures.sent, figures.skipped, figures.unreachable, figures.remaining) == (2, 1, 1, 0)
    assert received_broadcast(channel, "siti") == [] and received_broadcast(channel, "sari") == []
    assert received_broadcast(channel, "susi") == ["Announcement from Disnaker Kabupaten Tabalong:\n\nInfo\n\n"
                                                   "To stop receiving announcements, type /stop."], "falls back to id"

    await users["siti"].send("/start")
    assert "Anda akan menerima pengumuman dan pemberitahuan lagi" in users["siti"].text
    async with runtime.session_factory() as session:
        assert (await size_of(session, audience)).receiving == 3


async def test_progress_is_reported_every_tenth(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    await seekers(runtime, channel)
    async with runtime.session_factory() as session, session.begin():
        staff = await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="en", now=clock())
        await create_broadcast(session, author_id=staff.id, text_id="Info", text_en=None, opening_code=None,
                               audience=Audience(), scheduled_at=clock(), now=clock())
    await send_broadcasts(runtime, batch=1)  # 5 recipients (4 job seekers and the author): 20 % a batch
    reports = [reply.text.splitlines()[0] for reply in channel.to("petugas") if reply.text.startswith("Broadcast")]
    assert reports == ["Broadcast #1, 20% done:", "Broadcast #1, 40% done:", "Broadcast #1, 60% done:",
                       "Broadcast #1, 80% done:", "Broadcast #1 is finished:"]


async def test_a_scheduled_broadcast_waits_for_its_time_and_can_be_cancelled(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seekers(runtime, channel)
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/siaran")
    await staff.tap("Tulis siaran baru")
    await staff.send("Bursa kerja Sabtu ini")
    await staff.tap("Lewati")
    await staff.tap("Tanpa tautan")
    await staff.tap("Tanpa berkas")
    await staff.tap("Semua alumni")
    assert "0 orang akan menerimanya." in staff.text
    await staff.tap("Selesai: lihat pratinjau")
    assert staff.text.startswith("Tidak ada penerima dengan pilihan ini."), "nobody to send to"
    await staff.send("back")
    await staff.tap("Semua pengguna bot")
    await staff.tap("Selesai: lihat pratinjau")
    await staff.tap("Jadwalkan nanti")
    await staff.send("kemarin")
    assert staff.text.startswith("Mohon tulis tanggal dan jam")
    await staff.send("22-11-2026 09:00")
    assert staff.text.startswith("Waktu itu sudah lewat.")
    await staff.send("24-11-2026 09:00")
    assert staff.text == "Kirim ke 5 orang pada 24 November 2026 pukul 09:00 WITA?"
    await staff.tap("Ya, kirim")
    assert staff.text.startswith("Siaran #1 sudah dijadwalkan.")
    assert await send_broadcasts(runtime) == 0, "not yet"

    await staff.send("/siaran")
    await staff.tap("Siaran terbaru")
    assert "#1 (terjadwal): Bursa kerja Sabtu ini" in staff.text
    await staff.tap("#1")
    await staff.tap("Batalkan siaran ini")
    await staff.tap("Ya, batalkan")
    assert staff.text.startswith("Siaran #1 dibatalkan.")
    clock.advance(days=2)
    assert await send_broadcasts(runtime) == 0
    assert received_broadcast(channel, "siti") == []


async def test_alumni_of_one_opening_are_an_audience(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    await seed_catalog(runtime, clock)
    await seekers(runtime, channel)
    async with runtime.session_factory() as session, session.begin():
        ids = dict((await session.execute(select(User.external_id, User.id))).all())
        for name, training in (("siti", 1), ("sari", 2)):
            application = await submit_application(session, user_id=ids[name],
                                                   opening=OpeningRef.from_code(f"t{training}"), now=clock())  # type: ignore[arg-type]
            for status in (ApplicationStatus.ACCEPTED, ApplicationStatus.ENROLLED):
                await change_status(session, application, status, by=Mover.STAFF, now=clock())
            await mark_completed(session, application, completed_on=date(2026, 11, 20), now=clock(), changed_by=None)
        assert (await size_of(session, Audience(Group.ALUMNI))).receiving == 2
        assert (await size_of(session, Audience(Group.ALUMNI, program="t1"))).by_locale == {"id": 1}
        assert (await size_of(session, Audience(Group.JOB_SEEKERS, interest="welding"))).receiving == 0
        assert (await size_of(session, Audience(Group.JOB_SEEKERS, interest="sewing"))).receiving == 4


async def test_a_crash_after_queueing_loses_nobody(
    runtime: Runtime, app_settings: Settings, channel: RecordingChannel, clock: Clock
) -> None:
    await seekers(runtime, channel)
    async with runtime.session_factory() as session, session.begin():
        staff = await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="id", now=clock())
        await create_broadcast(session, author_id=staff.id, text_id="Info", text_en=None, opening_code=None,
                               audience=Audience(Group.JOB_SEEKERS), scheduled_at=clock(), now=clock())
    crashed = build_runtime(app_settings, {}, clock=clock)  # queues, then dies before sending anything
    try:
        await send_broadcasts(crashed)
    finally:
        await crashed.aclose()
    assert all(received_broadcast(channel, name) == [] for name in SEEKERS)
    clock.advance(minutes=1)
    await retry_sending(runtime)
    await send_broadcasts(runtime)
    assert all(len(received_broadcast(channel, name)) == 1 for name in SEEKERS)
    async with runtime.session_factory() as session:
        broadcast = await session.scalar(select(Broadcast))
        assert broadcast is not None and broadcast.status == BroadcastStatus.DONE


async def test_members_do_not_know_the_broadcast_command(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "ani")
    await user.send("/start")
    await user.send("/broadcast")
    assert user.text.startswith("Perintah /broadcast tidak dikenali.")


_example = itertools.count()


@given(text=odd_text)
async def test_any_text_is_either_the_announcement_or_refused_with_nothing_lost(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, text: str
) -> None:
    staff = await staff_member(runtime, channel, clock, name=f"staf{next(_example)}")
    await staff.send("/broadcast")
    await staff.tap("Tulis siaran baru")
    before = await staff.conversation()
    assert await staff.send(text)
    flow, step, data = await staff.conversation()
    if step == "text_id":
        assert (flow, step, data) == before
    elif flow == "broadcasts":
        assert step == "text_en" and data["draft"]["text_id"] == text.replace("\x00", "").strip()
