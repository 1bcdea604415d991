"""Posters and brochures (issue 18): what may be attached, an opening's details showing its poster on the
console, Telegram and WhatsApp (requests checked by the fakes against the platforms' specs), a broadcast with a
poster reaching every recipient with one WhatsApp upload, the chat's step, and the command line. On SQLite and
PostgreSQL."""

from __future__ import annotations

import io
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st
from PIL import Image as Picture
from sqlalchemy import func, select

from bot.channels.whatsapp.channel import WhatsAppChannel, WhatsAppConfig
from bot.engine.messages import Image, Incoming, Reply
from bot.engine.runtime import Runtime
from jobs.broadcasts import send_broadcasts
from models.applications import OpeningRef
from models.audiences import Audience, Group
from models.files import StoredFile
from models.posters import opening_poster
from models.retention import forget_files
from models.users import Role, set_role
from services.broadcasts import BroadcastDraft, BroadcastRefused, send_broadcast
from services.permissions import Actor
from services.posters import (
    DOCUMENT_LIMIT,
    IMAGE_LIMIT,
    attach_to_opening,
    check_poster,
    remove_from_opening,
    upload_for_broadcast,
)
from services.ticket_files import CheckedFile, FileProblem
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock, RuntimeFactory
from tests.fakes.telegram_server import FakeTelegram
from tests.fakes.whatsapp_server import FakeWhatsApp
from tests.telegram_chat import ConnectedAdapter
from tests.test_chart_on_channels import png
from tests.test_openings import seed_catalog
from tests.test_selection import staff_member
from tests.test_telegram_adapter import adapter, tg, user_of  # noqa: F401  (fixtures)

OFFICE = Actor.system()
POSTER = png(8, 12)
PDF = b"%PDF-1.7\n" + b"0" * 64
KINDS = {"image/jpeg", "image/png", "application/pdf"}


def webp(mode: str = "RGB") -> bytes:
    out = io.BytesIO()
    Picture.new(mode, (16, 9), (200, 30, 30, 120) if mode == "RGBA" else (200, 30, 30)).save(out, "WEBP")
    return out.getvalue()


def test_posters_are_known_by_their_bytes_and_their_kind_sets_their_size() -> None:
    assert check_poster("poster.png", POSTER) == CheckedFile("poster.png", "image/png", POSTER)
    assert check_poster("brosur", PDF) == CheckedFile("brosur", "application/pdf", PDF)
    assert check_poster("poster.png", b"GIF89a" + b"0" * 20) is FileProblem.WRONG_TYPE
    assert check_poster("poster.png", b"<svg onload=alert(1)>") is FileProblem.WRONG_TYPE
    assert check_poster("kosong.pdf", b"") is FileProblem.EMPTY
    big_picture = b"\xff\xd8\xff\xe0" + b"0" * IMAGE_LIMIT
    assert check_poster("besar.jpg", big_picture) is FileProblem.TOO_LARGE
    assert isinstance(check_poster("brosur.pdf", b"%PDF-" + b"0" * IMAGE_LIMIT), CheckedFile), "a PDF may be larger"
    assert check_poster("brosur.pdf", b"%PDF-" + b"0" * DOCUMENT_LIMIT) is FileProblem.TOO_LARGE


def test_a_webp_picture_is_kept_as_jpeg_or_png_which_every_channel_shows() -> None:
    solid = check_poster("../poster.webp", webp())
    assert isinstance(solid, CheckedFile) and (solid.name, solid.media_type) == ("poster.jpg", "image/jpeg")
    assert solid.content.startswith(b"\xff\xd8\xff")
    clear = check_poster("poster.webp", webp("RGBA"))
    assert isinstance(clear, CheckedFile) and clear.media_type == "image/png"
    assert check_poster("rusak.webp", b"RIFF\x10\x00\x00\x00WEBPVP8 broken") is FileProblem.WRONG_TYPE


@given(st.text(max_size=300), st.binary(max_size=300))
def test_any_file_is_kept_as_a_poster_or_refused_with_a_reason(name: str, content: bytes) -> None:
    checked = check_poster(name, content)
    if isinstance(checked, CheckedFile):
        assert checked.media_type in KINDS
        assert checked.name and "/" not in checked.name and '"' not in checked.name and len(checked.name) <= 120
    else:
        assert checked in set(FileProblem)


@given(st.sampled_from([b"RIFF", b"RIFF\x00\x00\x00\x00WEBP", b"\x89PNG\r\n\x1a\n", b"%PDF-"]), st.binary(max_size=200))
def test_made_up_bytes_behind_a_real_signature_never_crash_the_check(signature: bytes, rest: bytes) -> None:
    checked = check_poster("x", signature + rest)
    assert isinstance(checked, CheckedFile | FileProblem)


@given(st.lists(st.tuples(st.integers(min_value=0), st.integers(min_value=0, max_value=255)), max_size=20),
       st.integers(min_value=12))
def test_a_damaged_webp_is_refused_or_kept_never_a_crash(changes: list[tuple[int, int]], cut: int) -> None:
    damaged = bytearray(webp())
    for where, value in changes:
        damaged[where % len(damaged)] = value
    checked = check_poster("rusak.webp", bytes(damaged[:cut]))
    assert isinstance(checked, FileProblem) or checked.media_type in KINDS


async def attach(runtime: Runtime, clock: Clock, code: str = "t1", content: bytes = POSTER,
                 name: str = "poster-menjahit.png") -> None:
    ref = OpeningRef.from_code(code)
    assert ref is not None
    checked = check_poster(name, content)
    assert isinstance(checked, CheckedFile)
    async with runtime.session_factory() as session, session.begin():
        assert await attach_to_opening(session, OFFICE, ref, checked, now=clock()) is not None


async def test_the_opening_shows_its_poster_first_on_the_console(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    await attach(runtime, clock)
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/lihat t1")
    poster, details = channel.to("petugas")[-2:]
    assert poster.image is not None and poster.text == "Menjahit Pakaian Wanita"
    assert (poster.image.name, poster.image.media_type) == ("poster-menjahit.png", "image/png")
    assert details.text.startswith("Menjahit Pakaian Wanita\n") and details.options

    async with runtime.session_factory() as session, session.begin():
        assert await remove_from_opening(session, OFFICE, OpeningRef.from_code("t1"), now=clock())  # type: ignore[arg-type]
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 0, "its file goes with it"
    await staff.send("/lihat t1")
    assert channel.to("petugas")[-1].image is None and channel.to("petugas")[-2].image is None


async def test_the_opening_shows_its_poster_as_a_telegram_photo(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock  # noqa: F811
) -> None:
    await seed_catalog(adapter.runtime, clock)
    await attach(adapter.runtime, clock)
    await attach(adapter.runtime, clock, "a1", PDF, "brosur.pdf")
    async with adapter.runtime.session_factory() as session, session.begin():
        await set_role(session, "telegram", "501", Role.STAFF, locale="id", now=clock())
    user = user_of(tg, adapter)
    await user.send("/lihat t1")
    [photo] = tg.calls_of("sendPhoto")
    assert photo["caption"] == "Menjahit Pakaian Wanita"
    assert (photo["photo"].filename, photo["photo"].data) == ("poster-menjahit.png", POSTER)
    await user.send("/lihat a1")
    [document] = tg.calls_of("sendDocument")
    assert (document["document"].filename, document["document"].data) == ("brosur.pdf", PDF)
    tg.assert_clean()


@pytest.fixture
async def wa() -> FakeWhatsApp:  # type: ignore[misc]
    async with FakeWhatsApp() as fake:
        yield fake


async def whatsapp_runtime(make_runtime: RuntimeFactory, wa: FakeWhatsApp) -> tuple[Runtime, WhatsAppChannel]:
    runtime = make_runtime()
    channel = WhatsAppChannel(WhatsAppConfig(token=wa.token, phone_number_id=wa.phone_number_id,
                                             api_base=wa.base_url))
    runtime.delivery.add_channel(channel)
    return runtime, channel


async def test_the_opening_shows_its_poster_as_a_whatsapp_image_message(
    wa: FakeWhatsApp, make_runtime: RuntimeFactory, clock: Clock
) -> None:
    runtime, channel = await whatsapp_runtime(make_runtime, wa)
    try:
        await seed_catalog(runtime, clock)
        await attach(runtime, clock)
        async with runtime.session_factory() as session, session.begin():
            await set_role(session, "whatsapp", "6281251000001", Role.STAFF, locale="id", now=clock())
        for typed in ("/start", "/lihat t1", "/lihat t1"):
            await runtime.handle(Incoming(channel="whatsapp", external_id="6281251000001", text=typed,
                                          locale_hint="id"))
        images = wa.sent_images("6281251000001")
        assert [image["caption"] for image, _upload in images] == ["Menjahit Pakaian Wanita"] * 2
        assert [upload.data for _image, upload in images] == [POSTER] * 2
        assert len(wa.media) == 1, "uploaded once, sent twice by its media id"
        wa.assert_clean()
    finally:
        await channel.aclose()


async def test_a_broadcast_with_a_poster_reaches_every_whatsapp_recipient_with_one_upload(
    wa: FakeWhatsApp, make_runtime: RuntimeFactory, clock: Clock
) -> None:
    runtime, channel = await whatsapp_runtime(make_runtime, wa)
    numbers = [f"62812510000{n:02}" for n in range(12)]
    try:
        await seed_catalog(runtime, clock)
        for number in numbers:
            await runtime.handle(Incoming(channel="whatsapp", external_id=number, text="/start", locale_hint="id"))
        long_text = "Bursa kerja Sabtu ini. " * 42  # past the 1024-character caption: the rest follows as text
        async with runtime.session_factory() as session, session.begin():
            checked = check_poster("bursa.png", POSTER)
            assert isinstance(checked, CheckedFile)
            file_id = await upload_for_broadcast(session, OFFICE, checked, now=clock())
            await send_broadcast(session, OFFICE, BroadcastDraft(long_text.strip(), None, "t1",
                                                                 Audience(Group.EVERYONE), poster_file_id=file_id),
                                 now=clock())
        assert await send_broadcasts(runtime) == len(numbers)
        assert len(wa.media) == 1, "one upload for the whole broadcast"
        for number in numbers:
            [(image, upload)] = wa.sent_images(number)
            assert image["caption"].startswith("Pengumuman dari Disnaker Kabupaten Tabalong:\n\nBursa kerja")
            assert len(image["caption"]) <= 1024 and upload.data == POSTER
            rest = wa.sent_to(number)[-1]
            assert rest["type"] == "text" and rest["text"]["body"].endswith(
                "Untuk melihat rincian dan mendaftar, ketik /lihat t1.\n\nUntuk berhenti menerima pengumuman, "
                "ketik /stop.")
        wa.assert_clean()
    finally:
        await channel.aclose()


async def test_a_broadcast_with_a_poster_goes_as_a_telegram_photo_to_each_recipient(
    tg: FakeTelegram, adapter: ConnectedAdapter, clock: Clock  # noqa: F811
) -> None:
    runtime = adapter.runtime
    for user_id in (601, 602, 603):
        user = user_of(tg, adapter, user_id)
        await user.send("/start")
        await user.tap("Bahasa Indonesia")
    async with runtime.session_factory() as session, session.begin():
        checked = check_poster("brosur.pdf", PDF)
        assert isinstance(checked, CheckedFile)
        file_id = await upload_for_broadcast(session, OFFICE, checked, now=clock())
        await send_broadcast(session, OFFICE, BroadcastDraft("Bursa kerja Sabtu ini", None, None,
                                                             Audience(Group.EVERYONE), poster_file_id=file_id),
                             now=clock())
    assert await send_broadcasts(runtime) == 3
    documents = tg.calls_of("sendDocument")
    assert sorted(int(call["chat_id"]) for call in documents) == [601, 602, 603]
    assert all(call["caption"].startswith("Pengumuman dari") for call in documents)
    uploads = [call["document"] for call in documents if not isinstance(call["document"], str)]
    assert [upload.data for upload in uploads] == [PDF], "uploaded once, then sent by Telegram's file id"
    tg.assert_clean()


async def test_a_broadcast_takes_only_a_poster_its_author_uploaded(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_member(runtime, channel, clock)
    async with runtime.session_factory() as session, session.begin():
        someone_elses = await session.scalar(select(func.max(StoredFile.id)))
        checked = check_poster("a.png", POSTER)
        assert isinstance(checked, CheckedFile)
        mine = await upload_for_broadcast(session, OFFICE, checked, now=clock())
    user = await staff.user()
    assert user is not None
    for file_id in (mine, (someone_elses or 0) + 99):
        with pytest.raises(BroadcastRefused):
            async with runtime.session_factory() as session, session.begin():
                await send_broadcast(session, Actor.of(user), BroadcastDraft(
                    "Info", None, None, Audience(Group.EVERYONE), poster_file_id=file_id), now=clock())


async def test_staff_attach_a_poster_in_the_chat_and_recipients_get_it(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await seed_catalog(runtime, clock)
    siti = ChatUser(runtime, channel, "siti")
    await siti.send("/start")
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/siaran")
    await staff.tap("Tulis siaran baru")
    await staff.send("Bursa kerja Sabtu ini")
    await staff.tap("Lewati")
    await staff.tap("Tanpa tautan")
    assert staff.text.startswith("Lampirkan poster atau brosur?")
    await staff.send("posternya menyusul besok")
    assert staff.text.startswith("Mohon kirim gambar atau PDF-nya langsung")
    await staff.send_document("poster.gif", b"GIF89a" + b"0" * 30)
    assert staff.text.startswith("Mohon kirim gambar (JPG, PNG atau WebP) atau brosur PDF")
    await staff.send_document("poster.png", b"\x89PNG\r\n\x1a\n" + b"0" * (3 * 1024 * 1024))
    assert staff.text.startswith("Berkas itu terlalu besar untuk dikirim lewat chat: maksimal 2 MB.")
    await staff.send_document("bursa.png", POSTER)
    await staff.tap("Semua pengguna bot")
    await staff.tap("Selesai: lihat pratinjau")
    assert "[bursa.png]\nPengumuman dari" in staff.text
    await staff.tap("Kirim sekarang")
    await staff.tap("Ya, kirim")
    await send_broadcasts(runtime)
    [received] = [reply for reply in channel.to("siti") if reply.image is not None]
    assert received.text.startswith("Pengumuman dari Disnaker Kabupaten Tabalong:\n\nBursa kerja Sabtu ini")
    assert received.image is not None and received.image.name == "bursa.png"
    await staff.send("/siaran")
    await staff.tap("Siaran terbaru")
    await staff.tap("#1")
    assert staff.text.startswith("#1 (selesai)\n[bursa.png]\nBursa kerja Sabtu ini"), staff.text


async def test_linked_posters_outlive_the_retention_of_files(runtime: Runtime, clock: Clock) -> None:
    await seed_catalog(runtime, clock)
    await attach(runtime, clock)
    async with runtime.session_factory() as session, session.begin():
        assert await forget_files(session, clock() + timedelta(days=3650)) == 0
        assert await opening_poster(session, "t1") is not None


async def test_the_console_sends_a_file_by_its_path(tmp_path: Path) -> None:
    from bot.channels.console.channel import incoming_of

    path = tmp_path / "poster.png"
    path.write_bytes(POSTER)
    incoming = incoming_of("petugas", f"/file {path}", None)
    assert incoming.document is not None and (incoming.document.name, incoming.document.content) == (
        "poster.png", POSTER)
    missing = incoming_of("petugas", f"/file {tmp_path / 'tidak-ada.png'}", None)
    assert missing.document is not None and missing.document.content == b""
    assert incoming_of("petugas", "/filed", None).text == "/filed"


async def test_whatsapp_sends_a_file_again_by_its_media_id_but_not_another_file_that_took_its_id(
    wa: FakeWhatsApp,
) -> None:
    channel = WhatsAppChannel(WhatsAppConfig(token=wa.token, phone_number_id=wa.phone_number_id,
                                             api_base=wa.base_url))
    try:
        for content in (POSTER, POSTER, png(3, 3)):
            await channel.deliver("6281251000001", Reply("Poster", image=Image(5, "poster.png", content=content)))
        assert len(wa.media) == 2, "the same file once; another file stored under a reused id uploaded anew"
        wa.assert_clean()
    finally:
        await channel.aclose()


def test_the_command_line_attaches_and_detaches_posters(tmp_path: Path) -> None:
    from tests.conftest import TEST_KEY
    from tests.test_settings_and_cli import run_bot

    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY,
           "TMPDIR": str(tmp_path)}
    assert run_bot("seed-demo", env=env, cwd=tmp_path).returncode == 0
    (tmp_path / "poster.png").write_bytes(POSTER)
    (tmp_path / "poster.gif").write_bytes(b"GIF89a" + b"0" * 30)
    attached = run_bot("openings", "attach", "t1", str(tmp_path / "poster.png"), env=env, cwd=tmp_path)
    assert (attached.returncode, attached.stdout.strip()) == (0, "t1: poster.png attached (image/png)")
    wrong = run_bot("openings", "attach", "t1", str(tmp_path / "poster.gif"), env=env, cwd=tmp_path)
    assert (wrong.returncode, wrong.stderr.strip()) == (1, "poster.gif: not a picture (JPEG, PNG, WebP) or a PDF")
    nowhere = run_bot("openings", "attach", "t999", str(tmp_path / "poster.png"), env=env, cwd=tmp_path)
    assert (nowhere.returncode, nowhere.stderr.strip()) == (1, "t999: no such opening")
    assert run_bot("staff", "add", "console", "ani", env=env, cwd=tmp_path).returncode == 0
    chat = run_bot("chat", "--user", "ani", env=env, stdin="/lihat t1\n", cwd=tmp_path)
    assert "-poster.png]\nMenjahit Pakaian Wanita\n" in chat.stdout, "the console shows the poster's file"
    removed = run_bot("openings", "detach", "t1", env=env, cwd=tmp_path)
    assert (removed.returncode, removed.stdout.strip()) == (0, "t1: poster removed")
    again = run_bot("openings", "detach", "t1", env=env, cwd=tmp_path)
    assert (again.returncode, again.stderr.strip()) == (1, "t1 has no poster")
    no_broadcast = run_bot("broadcasts", "attach", "7", str(tmp_path / "poster.png"), env=env, cwd=tmp_path)
    assert (no_broadcast.returncode, no_broadcast.stderr.strip()) == (
        1, "broadcast 7: no scheduled broadcast of that number")


async def test_a_member_may_not_attach_or_remove_posters(runtime: Runtime, clock: Clock) -> None:
    from services import posters
    from services.permissions import NotAllowed

    member = Actor(user_id=None, is_staff=False)
    ref = OpeningRef.from_code("t1")
    assert ref is not None
    file = CheckedFile("a.png", "image/png", POSTER)
    actions = (
        posters.attach_to_opening(session=None, actor=member, ref=ref, file=file, now=clock()),  # type: ignore[arg-type]
        posters.remove_from_opening(None, member, ref, now=clock()),  # type: ignore[arg-type]
        posters.upload_for_broadcast(None, member, file, now=clock()),  # type: ignore[arg-type]
        posters.attach_to_broadcast(None, member, 1, file, now=clock()),  # type: ignore[arg-type]
        posters.remove_from_broadcast(None, member, 1, now=clock()),  # type: ignore[arg-type]
        posters.poster_of_opening(None, member, ref),  # type: ignore[arg-type]
    )
    for action in actions:
        with pytest.raises(NotAllowed):
            await action


async def test_a_scheduled_broadcast_takes_a_poster_and_one_going_out_does_not(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    from services.posters import attach_to_broadcast, remove_from_broadcast

    await ChatUser(runtime, channel, "siti").send("/start")
    file = CheckedFile("a.png", "image/png", POSTER)
    async with runtime.session_factory() as session, session.begin():
        later = await send_broadcast(session, OFFICE, BroadcastDraft(
            "Info", None, None, Audience(Group.EVERYONE), send_at=clock() + timedelta(days=1)), now=clock())
        now = await send_broadcast(session, OFFICE, BroadcastDraft("Info", None, None, Audience(Group.EVERYONE)),
                                   now=clock())
        assert await attach_to_broadcast(session, OFFICE, later.id, file, now=clock())
        assert await attach_to_broadcast(session, OFFICE, later.id, file, now=clock()), "replaced"
        assert not await attach_to_broadcast(session, OFFICE, now.id, file, now=clock())
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 1
        assert await remove_from_broadcast(session, OFFICE, later.id, now=clock())
        assert not await remove_from_broadcast(session, OFFICE, later.id, now=clock())


async def test_the_sweep_reads_a_file_once_for_all_the_messages_that_carry_it(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    import bot.engine.delivery
    from bot.engine.messages import Outgoing
    from bot.engine.notify import write_notices
    from models.files import file_content
    from models.users import User

    for name in ("siti", "sari", "santi"):
        await ChatUser(runtime, channel, name).send("/start")
    async with runtime.session_factory() as session, session.begin():
        checked = check_poster("bursa.png", POSTER)
        assert isinstance(checked, CheckedFile)
        file_id = await upload_for_broadcast(session, OFFICE, checked, now=clock())
        users = list(await session.scalars(select(User.id)))
        poster = Image(file_id, "bursa.png", "image/png")
        await write_notices(session, runtime.catalogs, [(user, Outgoing(("Bursa kerja",), image=poster))
                                                        for user in users], clock())
    reads: list[int] = []

    async def counted(session: object, wanted: int) -> bytes | None:
        reads.append(wanted)
        return await file_content(session, wanted)  # type: ignore[arg-type]

    monkeypatch.setattr(bot.engine.delivery, "file_content", counted)
    clock.advance(minutes=5)  # past the grace the writer has to send them itself
    await runtime.delivery.sweep()
    assert reads == [file_id], "one read for the three messages"
    assert [reply.image.data for _to, reply in channel.sent if reply.image is not None] == [POSTER] * 3
