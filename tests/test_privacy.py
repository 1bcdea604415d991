"""A registered user sees, exports and deletes their data (UU 27/2022)."""

from __future__ import annotations

from sqlalchemy import func, select

from bot.runtime import Runtime
from models.outbox import OutboxMessage
from models.profiles import JobSeekerProfile
from tests.chat import ChatUser, RecordingChannel, register


async def test_profile_shows_a_masked_nik_and_export_shows_everything(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "siti")
    await register(user)
    await user.tap("Profil saya")
    assert "NIK: 6309********0001" in user.text
    assert "Tanggal lahir: 5 Agustus 1999" in user.text
    await user.tap("Ekspor data saya")
    assert "NIK: 6309014508990001" in user.text
    assert "Persetujuan diberikan: 23 November 2026 (versi 2026-11)" in user.text
    assert "Kanal: test, akun siti" in user.text


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
        orphans = await session.scalar(
            select(func.count()).select_from(OutboxMessage).where(OutboxMessage.user_id.is_not(None))
        )
        assert orphans == 0

    await user.send("halo")
    assert "Bahasa apa yang Anda inginkan?" in user.text


async def test_an_unregistered_user_has_nothing_to_export(runtime: Runtime, channel: RecordingChannel) -> None:
    user = ChatUser(runtime, channel, "tamu")
    await user.send("/start")
    await user.send("/ekspor")
    assert "tidak menyimpan data pribadi Anda" in user.text
    assert await user.step() == "language"
