"""Staff's side of a question, below the web: canned answers kept, changed and used (from chat too), questions
given to another staff member, and what staff read beside a thread, on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import event, select

from bot.engine.runtime import Runtime
from handlers.tickets.answering import canned_number
from models.audit import AuditEntry
from models.canned_answers import MOST, TEXT_LIMIT, TITLE_LIMIT, CannedAnswer
from models.outbox import OutboxStatus, enqueue, mark_sent
from models.tickets import get_ticket
from models.users import Role
from services.canned_answers import (
    CannedRefused,
    Problem,
    add_canned,
    checked,
    delete_canned,
    edit_canned,
    list_canned,
)
from services.inbox import CONTEXT_MESSAGES, asker_context, conversation
from services.permissions import Actor, NotAllowed
from services.tickets import Outcome, assign
from tests.chat import ChatUser, RecordingChannel
from tests.conftest import Clock
from tests.people import SITI, opening_with_applicants
from tests.test_dashboard_access import office_member
from tests.test_dashboard_inbox import a_question


def staff(user_id: int) -> Actor:
    return Actor(user_id, is_staff=True, may_view=True, origin="web")


def viewer(user_id: int) -> Actor:
    return Actor(user_id, is_staff=False, may_view=True, origin="web")


async def audited(runtime: Runtime, kind: str) -> list[str]:
    async with runtime.session_factory() as session:
        return list(await session.scalars(select(AuditEntry.action).where(AuditEntry.subject_kind == kind)
                                          .order_by(AuditEntry.id)))


def test_a_canned_answer_must_have_a_title_and_a_text_within_their_limits() -> None:
    assert checked("  Sertifikat ", " Sudah siap. ") == ("Sertifikat", "Sudah siap.")
    with pytest.raises(CannedRefused) as refused:
        checked(" ", "x" * (TEXT_LIMIT + 1))
    assert refused.value.problems == {"title": Problem.EMPTY, "text": Problem.TOO_LONG}
    with pytest.raises(CannedRefused) as refused:
        checked("t" * (TITLE_LIMIT + 1), "")
    assert refused.value.problems == {"title": Problem.TOO_LONG, "text": Problem.EMPTY}


async def test_staff_keep_change_and_delete_canned_answers_and_each_change_is_audited(
    runtime: Runtime, clock: Clock
) -> None:
    petugas = await office_member(runtime, clock)
    async with runtime.session_factory() as session, session.begin():
        first = await add_canned(session, staff(petugas), "Sertifikat", "Sertifikat bisa diambil di kantor.",
                                 now=clock(), form="f" * 22)
    async with runtime.session_factory() as session, session.begin():
        again = await add_canned(session, staff(petugas), "Sertifikat", "Sertifikat bisa diambil di kantor.",
                                 now=clock(), form="f" * 22)
        assert again.id == first.id, "a form sent twice adds once"
        await add_canned(session, staff(petugas), "alamat kantor", "Jl. Tanjung Raya No. 1.", now=clock())
    clock.advance(minutes=5)
    async with runtime.session_factory() as session, session.begin():
        assert [c.title for c in await list_canned(session, viewer(petugas))] == ["alamat kantor", "Sertifikat"]
        edited = await edit_canned(session, staff(petugas), first.id, "Sertifikat jadi", "Sudah jadi.", now=clock())
        assert edited is not None and edited.updated_at == clock() and edited.created_by == petugas
        assert await edit_canned(session, staff(petugas), 999999, "x", "y", now=clock()) is None
        assert await delete_canned(session, staff(petugas), first.id, now=clock())
        assert not await delete_canned(session, staff(petugas), first.id, now=clock())
    assert await audited(runtime, "canned_answer") == ["canned_answer.add", "canned_answer.add",
                                                      "canned_answer.edit", "canned_answer.delete"]


async def test_a_viewer_reads_canned_answers_but_may_not_change_them_and_the_office_keeps_at_most_so_many(
    runtime: Runtime, clock: Clock
) -> None:
    reader = await office_member(runtime, clock, "pembaca", Role.VIEWER)
    async with runtime.session_factory() as session, session.begin():
        with pytest.raises(NotAllowed):
            await add_canned(session, viewer(reader), "Judul", "Teks", now=clock())
        session.add_all(CannedAnswer(title=f"Jawaban {n}", text="Teks", created_at=clock(), updated_at=clock())
                        for n in range(MOST))
    async with runtime.session_factory() as session, session.begin():
        assert len(await list_canned(session, viewer(reader))) == MOST
        with pytest.raises(CannedRefused) as refused:
            await add_canned(session, Actor.system(), "Satu lagi", "Teks", now=clock())
        assert refused.value.problems == {"title": Problem.FULL}


async def test_a_question_goes_only_to_staff_and_a_forged_id_changes_nothing(runtime: Runtime, clock: Clock) -> None:
    number = await a_question(runtime, clock)
    petugas = await office_member(runtime, clock)
    rekan = await office_member(runtime, clock, "rekan", Role.ADMIN)
    reader = await office_member(runtime, clock, "pembaca", Role.VIEWER)
    async with runtime.session_factory() as session, session.begin():
        for forged in (reader, 999999):
            assert await assign(session, staff(petugas), number, forged, now=clock()) is Outcome.NOT_STAFF
        assert await assign(session, staff(petugas), number, rekan, now=clock()) is Outcome.DONE
        assert await assign(session, staff(petugas), number, None, now=clock()) is Outcome.DONE
        assert await assign(session, staff(petugas), number, rekan, now=clock()) is Outcome.DONE
        ticket = await get_ticket(session, number)
        assert ticket is not None and ticket.assigned_to == rekan
    assert await audited(runtime, "ticket") == ["ticket.assign"] * 3


@contextmanager
def counted_queries(runtime: Runtime) -> Iterator[list[str]]:
    statements: list[str] = []

    def count(_conn: object, _cursor: object, statement: str, *_args: object) -> None:
        statements.append(statement)

    target = runtime.engine.sync_engine
    event.listen(target, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(target, "before_cursor_execute", count)


async def test_beside_the_thread_staff_read_the_askers_applications_and_the_bots_last_messages_masked(
    runtime: Runtime, clock: Clock
) -> None:
    _ref, _ids = await opening_with_applicants(runtime, clock, SITI)
    number = await a_question(runtime, clock)
    async with runtime.session_factory() as session, session.begin():
        shown = await conversation(session, Actor.system(), number)
        assert shown is not None
        user_id = shown.user.id
        sent = await enqueue(session, channel=shown.user.channel, address=shown.user.external_id, user_id=user_id,
                             payloads=[{"text": f"Pesan {n}"} for n in range(CONTEXT_MESSAGES)]
                             + [{"text": "NIK Anda 6309014508990001", "sensitive": True},
                                {"text": "Halo Siti Rahmawati, nomor Anda 081251000001 (+6281251000001)."}],
                             now=clock())
        await mark_sent(session, sent[-1:], clock())
    async with runtime.session_factory() as session:
        with counted_queries(runtime) as one_application:
            about = await asker_context(session, Actor.system(), shown)
    assert [(a.title, a.kind.value, a.application.status) for a in about.applications] == [
        ("Menjahit Pakaian", "training", "submitted")]
    assert len(about.sent) == CONTEXT_MESSAGES, "a bounded list"
    assert about.sent[0].text == "Halo Siti R., nomor Anda 0812****0001 (+62812****0001)."
    assert about.sent[0].message.status == OutboxStatus.SENT
    assert about.sent[1].text == "", "a message with data only its reader may see is hidden"
    assert about.sent[-1].message.status == OutboxStatus.PENDING and about.sent[-1].text == "Pesan 2"
    assert about.flow is None

    await opening_with_applicants(runtime, clock, SITI, title="Las Listrik")
    async with runtime.session_factory() as session:
        with counted_queries(runtime) as two_applications:
            about = await asker_context(session, Actor.system(), shown)
    assert [a.title for a in about.applications] == ["Las Listrik", "Menjahit Pakaian"]
    assert len(two_applications) == len(one_application), "no query per application"


async def test_staff_answer_from_chat_with_a_canned_answer(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    number = await a_question(runtime, clock)
    petugas = await office_member(runtime, clock)
    async with runtime.session_factory() as session, session.begin():
        canned = await add_canned(session, staff(petugas), "Sertifikat", "Sertifikat bisa diambil hari Senin.",
                                  now=clock())
    chat = ChatUser(runtime, channel, "petugas")
    await chat.send(f"/jawab {number} #999999")
    assert "Tidak ada jawaban siap pakai #999999" in chat.text
    assert channel.to(SITI.external_id) == []
    await chat.send(f"/jawab {number} #{canned.id}")
    assert f"pertanyaan #{number} sudah dikirim" in chat.text
    assert "Sertifikat bisa diambil hari Senin." in channel.to(SITI.external_id)[-1].text


@given(title=st.text(max_size=TITLE_LIMIT + 5), text=st.text(max_size=60))
def test_any_title_and_text_are_kept_trimmed_or_refused_by_field(title: str, text: str) -> None:
    try:
        kept = checked(title, text)
    except CannedRefused as refused:
        assert set(refused.problems) == {field for field, value, limit in (("title", title, TITLE_LIMIT),
                                                                           ("text", text, TEXT_LIMIT))
                                         if not value.strip() or len(value.strip()) > limit}
    else:
        assert kept == (title.strip(), text.strip()) and all(kept) and len(kept[0]) <= TITLE_LIMIT


@given(st.text(max_size=12))
def test_only_a_hash_and_a_number_alone_name_a_canned_answer_in_chat(answer: str) -> None:
    named, word = canned_number(answer), answer.strip()
    assert named is None or (word.startswith("#") and word[1:].isascii() and int(word[1:]) == named)
    assert canned_number(f" #{len(answer)} ") == len(answer)
