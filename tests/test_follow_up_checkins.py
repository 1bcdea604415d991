"""The check-in conversation over every branch of the tracer: answers become an evaluation record as they
come, invalid answers are asked again, and a paused check-in resumes after a restart."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from bot.engine.runtime import Runtime
from jobs.follow_ups import send_follow_ups
from models.evaluations import (
    BUSINESS_STATUSES,
    EMPLOYING_STATUSES,
    FORMAL_STATUSES,
    INFORMAL_STATUSES,
    EvaluationRecord,
    current_standing,
)
from models.follow_ups import CheckIn, CheckInStatus, has_opted_out, pending_fires
from models.surveys import SURVEY_DIR, QuestionType, SurveyVersion, read_survey_file
from tests.alumni import Alumnus, make_alumnus
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import Clock, RuntimeFactory

COMPLETED = date(2026, 11, 23)
FIRST_DUE = datetime(2026, 12, 23, 1, 0, tzinfo=UTC)


async def asked(runtime: Runtime, channel: RecordingChannel, clock: Clock, name: str = "ani",
                **program: Any) -> tuple[ChatUser, Alumnus]:
    """An alumnus whose first check-in has just arrived."""
    alumnus = await make_alumnus(runtime, clock, name, completed_on=COMPLETED, **program)
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    user = ChatUser(runtime, channel, name, locale="en")
    user.received.extend(channel.to(name))
    return user, alumnus


async def record_of(runtime: Runtime, alumnus: Alumnus) -> EvaluationRecord:
    async with runtime.session_factory() as session:
        record = await session.scalar(select(EvaluationRecord).where(EvaluationRecord.user_id == alumnus.user_id))
    assert record is not None
    return record


async def check_in_of(runtime: Runtime, alumnus: Alumnus) -> CheckIn:
    async with runtime.session_factory() as session:
        check_in = await session.scalar(select(CheckIn).where(CheckIn.user_id == alumnus.user_id))
    assert check_in is not None
    return check_in


async def test_an_employee_with_equipment_aid_answers_seven_questions(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, alumnus = await asked(runtime, channel, clock, equipment_aid=True)
    await ani.tap("Yes, let us start")
    assert ani.text == "What is your main activity now?"
    await ani.tap("Employee")
    await ani.tap("Trade")
    assert ani.text == "Do you have a written work contract?"
    await ani.tap("Yes")
    await ani.tap("Rp1 million - Rp2 million")
    assert ani.text == "Are you still using the equipment you received from the training?"
    await ani.tap("Yes")
    await ani.send("4")
    await ani.tap("Yes")
    assert ani.received[-2].text.startswith("Thank you! Your answers have been saved.") or \
        "Thank you! Your answers have been saved." in ani.text
    record = await record_of(runtime, alumnus)
    assert (record.status_category, record.employment, record.is_wub) == ("employee", "formal", False)
    assert record.equipment_in_use is True and record.complete
    assert record.answers == {"status_category": "employee", "sector": "trade", "formal_contract": True,
                              "income_range": "1m_2m", "equipment_in_use": True, "relevance": 4,
                              "may_contact": True}
    assert (await check_in_of(runtime, alumnus)).status == CheckInStatus.COMPLETED
    assert (await ani.conversation())[0] == "menu"


async def test_a_new_business_with_workers_counts_as_a_wub_and_its_jobs(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, alumnus = await asked(runtime, channel, clock)
    await ani.tap("Yes, let us start")
    await ani.tap("Business with permanent or paid workers")
    assert ani.text.startswith("Since which month has your business been running?")
    await ani.send("Desember 2026")
    await ani.tap("Food, drink and lodging")
    await ani.send("3")
    await ani.tap("Rp5 million - Rp25 million")
    await ani.tap("Capital")
    await ani.tap("Mentoring")
    assert [o.label for o in ani.last.options][:4] == ["✓ Capital", "Marketing", "Business management", "✓ Mentoring"]
    await ani.tap("Done, continue")
    await ani.send("5")
    await ani.tap("No")
    record = await record_of(runtime, alumnus)
    assert (record.employment, record.is_wub, record.workers_employed) == ("formal", True, 3)
    assert record.equipment_in_use is None
    assert record.answers["support_wanted"] == ["capital", "mentoring"]
    assert record.answers["business_started"] == "2026-12-01"


async def test_a_business_older_than_the_training_is_not_a_wub(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, alumnus = await asked(runtime, channel, clock)
    await ani.tap("Yes, let us start")
    await ani.tap("Running a business alone")
    await ani.send("03-2019")
    await ani.tap("Agriculture, plantations, fishing")
    assert ani.text == "What is your business's monthly revenue?"
    record = await record_of(runtime, alumnus)
    assert (record.employment, record.is_wub, record.workers_employed) == ("informal", False, 0)


async def test_someone_looking_for_work_answers_three_questions(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, alumnus = await asked(runtime, channel, clock)
    await ani.tap("Yes, let us start")
    await ani.tap("Looking for work")
    assert ani.text.startswith("How useful was the training")
    await ani.send("2")
    await ani.tap("Yes")
    record = await record_of(runtime, alumnus)
    assert (record.status_category, record.employment, record.complete) == ("looking_for_work", "not_working", True)


async def test_invalid_answers_are_explained_and_asked_again_with_nothing_lost(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, alumnus = await asked(runtime, channel, clock)
    await ani.tap("Yes, let us start")
    await ani.send("banana")
    assert ani.text.startswith("Please choose one of the options")
    assert ani.text.endswith("What is your main activity now?")
    await ani.tap("Business with temporary or unpaid helpers")
    await ani.send("13-2026")
    assert ani.text.startswith("Please write the month and year")
    await ani.send("01-2027")
    assert ani.text.startswith("That month has not come yet.")
    await ani.send("11-2026")
    await ani.send("9")  # there are eight sectors
    assert ani.text.startswith("Please choose one of the options")
    await ani.tap("Trade")
    await ani.send("many")
    assert ani.text.startswith("Please type a whole number, for example 3.")
    await ani.send("0")
    assert ani.text.startswith("Please type a number from 1 to 500.")
    await ani.send("2")
    assert ani.text == "What is your business's monthly revenue?"
    record = await record_of(runtime, alumnus)
    assert record.answers == {"status_category": "with_temporary_workers", "business_started": "2026-11-01",
                              "sector": "trade", "workers_employed": 2}


async def test_a_paused_check_in_resumes_after_a_restart_and_closes_as_partial_if_left(
    make_runtime: RuntimeFactory, channel: RecordingChannel, clock: Clock
) -> None:
    ani, alumnus = await asked(make_runtime(channel), channel, clock)
    await ani.tap("Yes, let us start")
    await ani.tap("Employee")
    await ani.tap("Trade")
    await ani.send("cancel")
    assert "The check-in is paused" in ani.text
    restarted = make_runtime(channel)
    ani = ChatUser(restarted, channel, "ani", locale="en")
    await ani.send("/checkin")
    assert ani.text.startswith("Welcome back to your check-in.")
    assert ani.text.endswith("Do you have a written work contract?")
    await ani.tap("No")
    clock.advance(days=7)
    await send_follow_ups(restarted)
    assert (await check_in_of(restarted, alumnus)).status == CheckInStatus.PARTIAL
    async with restarted.session_factory() as session:
        standing = await current_standing(session, alumnus.user_id)
    assert standing is not None and standing.answers["formal_contract"] is False and not standing.complete


async def test_an_answer_to_a_question_no_longer_asked_does_not_count(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, alumnus = await asked(runtime, channel, clock)
    await ani.tap("Yes, let us start")
    await ani.tap("Employee")
    await ani.tap("Trade")
    await ani.send("back")
    await ani.send("back")
    assert ani.text == "What is your main activity now?"
    await ani.tap("In further education")
    record = await record_of(runtime, alumnus)
    assert record.answers == {"status_category": "further_education"}
    assert record.employment == "not_working"


async def test_an_alumnus_can_stop_the_check_ins(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    ani, alumnus = await asked(runtime, channel, clock)
    await ani.tap("Stop these check-ins")
    assert "we will not send you check-ins any more" in ani.text
    async with runtime.session_factory() as session:
        assert await has_opted_out(session, alumnus.user_id)
        assert list(await pending_fires(session, alumnus.user_id)) == []
    assert (await check_in_of(runtime, alumnus)).status == CheckInStatus.OPTED_OUT
    clock.advance(days=40)
    await send_follow_ups(runtime)
    assert "we will not send you check-ins any more" in channel.to("ani")[-1].text


async def test_later_then_checkin_starts_from_the_beginning(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, _alumnus = await asked(runtime, channel, clock)
    await ani.tap("Later")
    assert "Type /checkin whenever you are ready." in ani.text
    clock.advance(hours=5)
    await ani.send("/checkin")
    assert "1 month since you completed" in ani.text


async def test_checkin_with_nothing_open_says_so(runtime: Runtime, channel: RecordingChannel, clock: Clock) -> None:
    ani = ChatUser(runtime, channel, "ani", locale="en")
    await ani.send("/checkin")
    assert "There is no check-in waiting for you at the moment." in ani.text


async def test_the_reminder_repeats_the_open_question_and_checkin_inside_it_does_too(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, _alumnus = await asked(runtime, channel, clock)
    await ani.tap("Yes, let us start")
    await ani.send("/checkin")
    assert ani.text == "What is your main activity now?"
    clock.advance(days=3)
    await send_follow_ups(runtime)
    reminder = channel.to("ani")[-1]
    assert reminder.text == "A reminder: your monthly check-in is waiting for your answer.\n\nWhat is your main " \
        "activity now?"
    ani.received.append(reminder)
    await ani.tap("Employee")
    assert ani.text == "In which sector do you work or run your business?"


async def test_checkin_waits_until_another_task_is_finished(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, _alumnus = await asked(runtime, channel, clock)
    await ani.tap("Later")
    await ani.send("/language")
    await ani.send("/checkin")
    assert ani.text.startswith("Please finish or cancel what you are doing first")
    await ani.send("cancel")
    await ani.send("/checkin")
    assert "1 month since you completed" in ani.text


async def test_the_menu_offers_a_check_in_left_for_later(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani, _alumnus = await asked(runtime, channel, clock)
    await ani.tap("Later")
    assert [o.label for o in ani.last.options][0] == "Answer my monthly check-in"
    await ani.tap("Answer my monthly check-in")
    assert "1 month since you completed" in ani.text
    await ani.tap("Stop these check-ins")
    assert "Answer my monthly check-in" not in [o.label for o in ani.last.options]


async def test_an_alumnus_answers_in_indonesian_and_finds_the_answers_in_their_data_export(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await make_alumnus(runtime, clock, "siti", completed_on=COMPLETED, locale="id")
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    siti.received.extend(channel.to("siti")[len(siti.received):])
    assert siti.text.startswith("Sudah 1 bulan sejak Anda menyelesaikan Menjahit Pakaian.")
    await siti.tap("Ya, mulai")
    assert siti.text == (
        "Berikut contoh beberapa pilihan:\n"
        "- Berusaha sendiri: membuka warung atau bengkel sendiri, tanpa pekerja\n"
        "- Berusaha dibantu buruh tidak tetap/tidak dibayar: usaha jahit dibantu keluarga atau tetangga sesekali\n"
        "- Berusaha dibantu buruh tetap/dibayar: warung makan dengan karyawan tetap yang digaji\n"
        "- Buruh/karyawan/pegawai: bekerja di toko, pabrik, kantor, atau perusahaan dengan gaji\n"
        "- Pekerja bebas pertanian: buruh panen atau penyadap karet harian, majikannya berganti-ganti\n"
        "- Pekerja bebas nonpertanian: kuli bangunan atau buruh angkut harian\n"
        "- Pekerja keluarga/tidak dibayar: membantu usaha orang tua tanpa gaji\n"
        "Apa kegiatan utama Anda saat ini?"
    )
    for label in ("Buruh/karyawan/pegawai", "Perdagangan", "Ya", "Rp1 juta - Rp2 juta"):
        await siti.tap(label)
    await siti.send("4")
    await siti.tap("Tidak")
    assert "Terima kasih! Jawaban Anda sudah disimpan." in siti.text
    exported = "\n".join(reply.text for reply in await siti.send("/ekspor"))
    assert "Kabar 1 bulan setelah program selesai, 23 Desember 2026:" in exported
    assert "Apa kegiatan utama Anda saat ini? Buruh/karyawan/pegawai" in exported
    assert "Apakah Anda punya kontrak kerja tertulis? Ya" in exported
    assert (
        "Bolehkah petugas Disnaker menghubungi Anda untuk menawarkan pendampingan, pelatihan, atau lowongan kerja?"
        " Tidak"
        in exported
    )


TRACER = SurveyVersion(definition=read_survey_file(SURVEY_DIR / "tracer.yaml")).survey
STATUS_QUESTION = TRACER.questions[0]
EMPLOYMENT = {**dict.fromkeys(FORMAL_STATUSES, "formal"), **dict.fromkeys(INFORMAL_STATUSES, "informal")}


@pytest.mark.parametrize("status", [choice.id for choice in STATUS_QUESTION.options])
async def test_every_main_status_asks_its_own_questions_and_is_classified_as_bps_does(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, status: str
) -> None:
    ani, alumnus = await asked(runtime, channel, clock, equipment_aid=True)
    await ani.tap("Yes, let us start")
    expected = [q for q in TRACER.questions if q.applies({"main_status": status, "equipment_aid": True})]
    for question in expected:
        assert ani.text == question.text["en"]
        if question is STATUS_QUESTION:
            await ani.tap(next(c for c in question.options if c.id == status).text["en"])
        elif question.type in (QuestionType.SINGLE, QuestionType.MULTIPLE):
            await ani.tap(question.options[0].text["en"])
            if question.type is QuestionType.MULTIPLE:
                await ani.tap("Done, continue")
        elif question.type is QuestionType.YES_NO:
            await ani.tap("Yes")
        elif question.type is QuestionType.MONTH:
            await ani.send("11-2026")
        else:
            await ani.send(str(question.minimum))
    assert "Thank you! Your answers have been saved." in ani.text
    record = await record_of(runtime, alumnus)
    assert record.complete and record.status_category == status
    assert record.employment == EMPLOYMENT.get(status, "not_working")
    assert record.is_wub == (status in BUSINESS_STATUSES)
    assert record.workers_employed == (1 if status in EMPLOYING_STATUSES else 0)
    assert len(expected) <= 9


async def test_a_changed_survey_file_asks_new_check_ins_the_new_version_and_open_ones_keep_theirs(
    runtime: Runtime, channel: RecordingChannel, clock: Clock, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    ani, alumnus = await asked(runtime, channel, clock)
    await ani.tap("Yes, let us start")
    await ani.tap("Employee")
    changed = (SURVEY_DIR / "tracer.yaml").read_text(encoding="utf-8").replace(
        "en: In which sector do you work or run your business?", "en: What line of work are you in?")
    (tmp_path / "tracer.yaml").write_text(changed, encoding="utf-8")
    monkeypatch.setattr("models.surveys.SURVEY_DIR", tmp_path)
    clock.advance(days=31)
    await send_follow_ups(runtime)  # the first check-in closes partly answered; the second waits for it
    await ani.send("/checkin")
    assert ani.text == "In which sector do you work or run your business?"  # still the first, in its version
    async with runtime.session_factory() as session:
        versions = {c.period: c.survey_version_id for c in await session.scalars(select(CheckIn))}
    assert versions[2] != versions[1]
    await ani.tap("Trade")
    await ani.tap("Yes")
    await ani.tap("Rp1 million - Rp2 million")
    await ani.send("4")
    await ani.tap("Yes")  # late answers are welcome: the first check-in completes, then the second starts
    assert ani.text.startswith("Thank you! Your answers have been saved.")
    assert "2 months since you completed" in ani.text
    await ani.tap("Yes, let us start")
    await ani.tap("Employee")
    assert ani.text == "What line of work are you in?"
    async with runtime.session_factory() as session:
        records = {r.period: r.survey_version_id for r in await session.scalars(
            select(EvaluationRecord).where(EvaluationRecord.user_id == alumnus.user_id))}
    assert records == versions
