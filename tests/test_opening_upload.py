"""Staff import openings by sending a spreadsheet in chat: checked row by row, confirmed, all or nothing."""

from __future__ import annotations

import io
import itertools

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import Workbook
from sqlalchemy import func, select

from bot.engine.messages import MAX_DOCUMENT_BYTES
from bot.engine.runtime import Runtime
from models.catalog import ApprenticeshipOpening, TrainingProgram
from models.users import Role, set_role
from tests.chat import CHANNEL, ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.test_opening_import import GOOD, HEADER
from tests.test_selection import staff_member

IMPORT = "Impor program dari Excel/CSV"


async def staff_at_upload(runtime: Runtime, channel: RecordingChannel, clock: Clock, name: str = "petugas") -> ChatUser:
    staff = await staff_member(runtime, channel, clock, name)
    await staff.send("/staf")
    await staff.tap(IMPORT)
    return staff


async def openings(runtime: Runtime) -> tuple[int, int]:
    async with runtime.session_factory() as session:
        trainings = await session.scalar(select(func.count()).select_from(TrainingProgram))
        apprenticeships = await session.scalar(select(func.count()).select_from(ApprenticeshipOpening))
    return int(trainings or 0), int(apprenticeships or 0)


async def test_staff_send_a_good_sheet_confirm_and_everything_is_imported(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_at_upload(runtime, channel, clock)
    assert staff.text.startswith("Silakan kirim berkas Excel/CSV berisi daftar program")
    await staff.send_document("lowongan.csv", GOOD.encode())
    assert staff.text.startswith("lowongan.csv: semua baris sudah benar.")
    assert "Impor 2 pelatihan dan 1 pemagangan?" in staff.text
    await staff.tap("Ya, impor")
    assert staff.text.startswith("3 program berhasil diimpor.")
    assert await openings(runtime) == (2, 1)


async def test_an_xlsx_sheet_is_imported_too(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for line in GOOD.splitlines():
        sheet.append(line.split(";") if line else [])
    buffer = io.BytesIO()
    workbook.save(buffer)
    staff = await staff_at_upload(runtime, channel, clock)
    await staff.send_document("Lowongan Desember.XLSX", buffer.getvalue())
    await staff.tap("Ya, impor")
    assert await openings(runtime) == (2, 1)


async def test_bad_rows_are_reported_in_the_staff_language_and_nothing_is_kept(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_at_upload(runtime, channel, clock)
    bad = "\n".join([HEADER, "kursus;Las;kompetensi;BLK;;2027-02-01;2027-02-28;2027-01-20;16;;;;;;;;;;",
                     "pelatihan;Las;kompetensi;BLK;Balikpapan;2027-02-01;2027-02-28;2027-01-20;lima;;;;;;;;;;"])
    await staff.send_document("buruk.csv", bad.encode())
    report, question = staff.text.split("\n\n", 1)
    assert report.splitlines() == [
        "Tidak ada yang diimpor. Perbaiki baris berikut, lalu kirim ulang berkasnya:",
        "Baris 2, kind: tulis pelatihan atau pemagangan",
        "Baris 3, quota: tulis bilangan bulat",
    ]
    assert question.startswith("Silakan kirim berkas Excel/CSV berisi daftar program"), "asked for the file again"
    assert await openings(runtime) == (0, 0)
    await staff.send_document("lowongan.csv", GOOD.encode())
    await staff.tap("Tidak, nanti saja")
    assert staff.text.startswith("Silakan kirim berkas Excel/CSV berisi daftar program"), "no goes back to the file"
    assert await openings(runtime) == (0, 0)


async def test_text_wrong_files_and_huge_files_are_explained(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_at_upload(runtime, channel, clock)
    await staff.send("ini datanya")
    assert staff.text.startswith("Mohon kirim berkasnya (CSV atau XLSX), bukan pesan teks.")
    await staff.send_document("foto.jpg", b"\xff\xd8\xff")
    assert staff.text.startswith("Mohon kirim berkas .csv atau .xlsx.")
    await staff.send_document("rusak.xlsx", b"PK\x03\x04 not really")
    assert staff.text.startswith("Berkas XLSX ini tidak dapat dibuka.")
    await staff.send_document("besar.csv", b"a" * (MAX_DOCUMENT_BYTES + 1))
    assert staff.text.startswith("Berkas itu terlalu besar: maksimal 2 MB.")
    await staff.send_document("kosong.csv", HEADER.encode())
    assert staff.text.startswith("Berkas itu hanya berisi judul kolom, tanpa program di bawahnya.")


async def test_a_file_sent_anywhere_else_gets_the_text_only_answer(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    user = ChatUser(runtime, channel, "ani")
    await user.send("/start")
    await user.send_document("lowongan.csv", GOOD.encode())
    assert user.text.startswith("Maaf, kami hanya dapat membaca pesan teks")
    assert await openings(runtime) == (0, 0)


async def test_a_member_cannot_reach_the_import_and_a_former_staff_member_is_let_out(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_at_upload(runtime, channel, clock)
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, CHANNEL, "petugas", Role.MEMBER, locale="id", now=clock())
    await staff.send_document("lowongan.csv", GOOD.encode())
    assert staff.text.startswith("Maaf, kami hanya dapat membaca pesan teks")
    assert (await staff.conversation())[0] == "menu"
    assert await openings(runtime) == (0, 0)


_staff_names = itertools.count()


@given(name=st.sampled_from(["a.csv", "b.xlsx", "c.CSV", "d"]), content=st.binary(max_size=300))
async def test_any_bytes_are_answered_and_the_question_kept(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, name: str, content: bytes
) -> None:
    staff = await staff_at_upload(runtime, channel, clock, name=f"staf{next(_staff_names)}")
    replies = await staff.send_document(name, content)
    assert replies
    assert (await staff.conversation())[:2] == ("opening_upload", "file")
