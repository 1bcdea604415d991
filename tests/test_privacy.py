"""A registered user sees, exports and deletes their data (UU 27/2022)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import func, select

from bot import migrate
from bot.channels.base import DeliveryError
from bot.engine.messages import Reply
from bot.engine.runtime import Runtime
from models.files import StoredFile
from models.outbox import OutboxMessage, enqueue, mark_sent
from models.profiles import JobSeekerProfile
from tests.alumni import make_alumnus
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_delivery import FlakyChannel


async def test_profile_shows_a_masked_nik_and_export_shows_everything(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "siti")
    await register(user)
    await user.tap("Profil saya")
    assert "NIK: 6309********0001" in user.text
    assert "Tanggal lahir: 5 Agustus 1999" in user.text
    exported = texts(await user.tap("Ekspor data saya"))
    assert "NIK: 6309014508990001" in exported
    assert "Persetujuan diberikan: 23 November 2026 (versi 2026-11-30)" in exported
    assert "Kanal: test, akun siti" in exported
    await runtime.delivery.flush()
    assert not await outbox_mentions(runtime, "6309014508990001"), "the NIK is kept encrypted, not in the outbox"


def texts(replies: list[Reply]) -> str:
    """Everything a command answered, in order: the export, its file's caption, the menu."""
    return "\n".join(reply.text for reply in replies)


async def outbox_mentions(runtime: Runtime, text: str) -> list[int]:
    async with runtime.session_factory() as session:
        rows = await session.scalars(select(OutboxMessage))
        return [row.id for row in rows if text in str(row.payload)]


async def test_an_export_that_could_not_be_sent_is_wiped_too(runtime: Runtime, clock: Clock) -> None:
    refusing = FlakyChannel([])
    runtime.delivery.add_channel(refusing)
    user = ChatUser(runtime, refusing, "siti")
    await register(user)
    refusing.failures.append(DeliveryError("400 Bad Request: chat not found", permanent=True))
    await user.send("/ekspor")
    await runtime.delivery.flush()  # the summary that was sent is wiped with its "sent" mark
    assert not await outbox_mentions(runtime, "6309014508990001")


async def test_deleting_the_account_asks_first_then_erases_everything(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "siti")
    await register(user)
    await user.tap("Hapus akun saya")
    assert "tidak dapat dibatalkan" in user.text
    await user.tap("Tidak, pertahankan akun saya")
    assert "Akun Anda tetap tersimpan" in user.text
    assert await user.profile() is not None

    await user.send("/hapus")
    await user.tap("Ya, hapus semuanya")
    assert "sudah dihapus" in user.text
    assert await user.user() is None
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(JobSeekerProfile)) == 0
        kept = list(await session.scalars(select(OutboxMessage.payload)))
    assert [payload["text"] for payload in kept] == [user.text], "only the goodbye: what was sent to them is gone"

    await user.send("halo")
    assert "Bahasa apa yang Anda inginkan?" in user.text


async def test_an_unregistered_user_exports_only_their_account_and_when_they_wrote(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "tamu")
    await user.send("/start")
    exported = (await user.send("/ekspor"))[0].text
    assert exported.splitlines() == ["Semua data Anda yang kami simpan:", "Kanal: test, akun tamu",
                                     "Persetujuan Anda untuk menerima pesan dari kami:",
                                     "- 23 November 2026: Anda pertama kali menghubungi kami, di test."]
    assert await user.step() == "language"


async def test_full_niks_sent_before_wiping_existed_are_wiped_by_migration_0009(runtime: Runtime, clock: Clock) -> None:
    await migrate.downgrade(runtime.engine, "0009-1")
    summary = {"text": "Nama lengkap: Siti\nNIK: 6309014508990001", "options": [["13|confirm", "Benar, simpan"]],
               "nav": [], "contact_label": None}
    profile: dict[str, Any] = {"text": "Profil Anda:\nNIK: 6309********0001", "options": [], "nav": [],
                               "contact_label": None}
    async with runtime.session_factory() as session, session.begin():
        ids = await enqueue(session, channel="test", address="siti", user_id=None, payloads=[summary, profile],
                            now=clock())
        await mark_sent(session, ids, clock())
    await migrate.upgrade(runtime.engine)
    async with runtime.session_factory() as session:
        wiped, kept = [(await session.get(OutboxMessage, row_id)) for row_id in ids]
    assert wiped is not None and kept is not None
    assert (wiped.payload["text"], wiped.payload["options"]) == ("", [["13|confirm", "Benar, simpan"]])
    assert kept.payload == profile, "a masked NIK stays"


async def test_the_export_holds_applications_completions_and_opt_outs_and_comes_as_a_file_not_kept(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await make_alumnus(runtime, clock, "siti", completed_on=date(2026, 11, 23), locale="id")
    await siti.send("/berhenti")
    exported = texts(await siti.send("/ekspor"))
    for expected in ("Pendaftaran Anda:", "Menjahit Pakaian, dikirim pada 23 November 2026:",
                     "- 23 November 2026: Diterima", "- selesai pada 23 November 2026",
                     "Pengumuman: dihentikan pada 23 November 2026 atas permintaan Anda.",
                     "Pemberitahuan program baru: aktif."):
        assert expected in exported, expected
    document = next(reply for reply in siti.received if reply.image is not None)
    assert document.image is not None and document.image.name == "data-sahabat-kerja.txt"
    assert not document.image.is_picture
    kept = document.image.data.decode("utf-8")
    assert "NIK: 6309014508990001" in kept and "- selesai pada 23 November 2026" in kept
    await runtime.delivery.flush()
    assert not await outbox_mentions(runtime, "6309014508990001")
    async with runtime.session_factory() as session:
        assert await session.scalar(select(func.count()).select_from(StoredFile)) == 0, "the file is not kept"
