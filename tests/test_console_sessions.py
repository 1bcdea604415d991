"""Console sessions on one database: each user reads the messages written to them in their own session, once,
whoever caused them; the others wait in the outbox for their own session."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import threading
from collections.abc import Awaitable, Callable, Sequence
from pathlib import Path

import pytest
from sqlalchemy import select

from bot.channels.registry import CONSOLE
from bot.engine.runtime import Runtime
from jobs.broadcasts import send_broadcasts
from jobs.retry_sending import retry_sending
from models.audiences import Audience
from models.broadcasts import Broadcast, BroadcastStatus, create_broadcast
from models.outbox import OutboxMessage, OutboxStatus, enqueue
from models.users import Role, set_role
from tests.chat import ChatUser, RecordingChannel, register
from tests.conftest import TEST_KEY, Clock, RuntimeFactory
from tests.test_applying import WELDING
from tests.test_broadcasts import received_broadcast
from tests.test_my_applications import applied_siti
from tests.test_selection import choose
from tests.test_settings_and_cli import ROOT, run_bot

OpenSession = Callable[[str], ChatUser]
Job = Callable[[Runtime], Awaitable[object]]


@pytest.fixture
def open_session(make_runtime: RuntimeFactory) -> OpenSession:
    """`python -m bot chat --user <name>`, in-process: a runtime whose console reaches that user only."""

    def open_(user: str) -> ChatUser:
        terminal = RecordingChannel(name=CONSOLE)
        return ChatUser(make_runtime(terminal, only_to={CONSOLE: [user]}, flush_when_idle=True), terminal, user)

    return open_


async def console_staff(session: ChatUser, clock: Clock) -> ChatUser:
    async with session.runtime.session_factory() as db, db.begin():
        await set_role(db, CONSOLE, session.external_id, Role.STAFF, locale="id", now=clock())
    return session


def shown_to_others(session: ChatUser) -> list[str]:
    return [to for to, _reply in session.channel.sent if to != session.external_id]


async def every_session_at_once(job: Job, sessions: Sequence[ChatUser]) -> None:
    """Each session runs `job` as its scheduler would: at once on PostgreSQL. SQLite's sessions in one event loop
    take turns, as its processes do (one writer at a time; its calls block the loop while they wait)."""
    if sessions[0].runtime.engine.dialect.name == "sqlite":
        for session in sessions:
            await job(session.runtime)
    else:
        await asyncio.gather(*(job(session.runtime) for session in sessions))


async def outbox(session: ChatUser) -> list[OutboxMessage]:
    async with session.runtime.session_factory() as db:
        return list(await db.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


async def test_a_status_notice_is_shown_in_the_applicants_session_and_not_in_the_staff_members(
    open_session: OpenSession, clock: Clock
) -> None:
    siti = open_session("siti")
    await applied_siti(siti.runtime, siti.channel, clock)
    staff = await console_staff(open_session("petugas"), clock)
    await staff.send("/staf")
    await choose(staff, "Pelatihan", "Halaman berikutnya", WELDING, "Siti Rahmawati", "Diterima", "Ya, ubah")
    assert staff.text.startswith("Selesai: status sekarang 'Diterima' dan pendaftar sudah diberi tahu.")
    assert shown_to_others(staff) == []

    before = len(siti.channel.sent)
    assert await retry_sending(siti.runtime) == 1, "handed over at once: no wait for the writer's grace"
    [(to, notice)] = siti.channel.sent[before:]
    assert to == "siti" and notice.text.startswith("Selamat! Anda diterima sebagai peserta Pengelasan SMAW 3G.")
    assert shown_to_others(siti) == []
    assert {row.status for row in await outbox(siti)} == {OutboxStatus.SENT}


async def test_a_session_marks_what_it_shows_at_once_and_leaves_other_users_messages_alone(
    open_session: OpenSession, clock: Clock
) -> None:
    """`python -m bot run` once printed a thousand lines of other users' unsent messages, a NIK among them."""
    budi = open_session("budi")
    async with budi.runtime.session_factory() as db, db.begin():
        [waiting] = await enqueue(db, channel=CONSOLE, address="siti", user_id=None,
                                  payloads=[{"text": "Ringkasan pendaftaran: NIK 6309014508990001"}], now=clock())
    clock.advance(hours=1)
    await budi.send("/start")
    assert budi.channel.sent and shown_to_others(budi) == []
    assert await retry_sending(budi.runtime) == 0
    rows = {row.id: row for row in await outbox(budi)}
    assert rows.pop(waiting).status == OutboxStatus.PENDING
    assert {row.status for row in rows.values()} == {OutboxStatus.SENT}, "marked without waiting for a batch"


async def test_a_broadcast_reaches_each_console_user_in_their_own_session_once_while_every_session_runs_the_jobs(
    open_session: OpenSession, clock: Clock
) -> None:
    readers = [open_session(name) for name in ("siti", "sari", "santi")]
    for number, reader in enumerate(readers, start=1):
        await register(reader, nik=f"630901450899000{number}")
    staff = await console_staff(open_session("petugas"), clock)
    await staff.send("/help")  # a broadcast reaches people who wrote to the bot (their opt-in), staff too
    async with staff.runtime.session_factory() as db, db.begin():
        author = await set_role(db, CONSOLE, "petugas", Role.STAFF, locale="id", now=clock())
        await create_broadcast(db, author_id=author.id, text_id="Bursa kerja Sabtu ini", text_en=None,
                               opening_code=None, audience=Audience(), scheduled_at=clock(), now=clock())
    sessions = [*readers, staff]

    await every_session_at_once(send_broadcasts, sessions)
    await every_session_at_once(retry_sending, sessions)
    await send_broadcasts(readers[0].runtime)  # the next pass sees nothing left and finishes it
    await retry_sending(staff.runtime)  # where its author reads that it is finished

    for session in sessions:
        assert len(received_broadcast(session.channel, session.external_id)) == 1, session.external_id
        assert shown_to_others(session) == []
    progress = [reply.text.splitlines()[0] for _to, reply in staff.channel.sent if reply.text.startswith("Siaran")]
    assert len(progress) == len(set(progress)), "each tenth told once, however many sessions run the job"
    assert progress[-1] == "Siaran #1 selesai:"
    async with staff.runtime.session_factory() as db:
        broadcast = await db.scalar(select(Broadcast))
    assert broadcast is not None and broadcast.status == BroadcastStatus.DONE
    assert {row.status for row in await outbox(staff)} == {OutboxStatus.SENT}


STAFF_SENDS_A_BROADCAST = "".join(f"{line}\n" for line in (
    "/siaran", "Tulis siaran baru", "Bursa kerja Sabtu ini", "Lewati", "Tanpa tautan", "Tanpa berkas",
    "Pencari kerja terdaftar",
    "Selesai: lihat pratinjau", "Kirim sekarang", "Ya, kirim",
))
ANNOUNCEMENT = "Bursa kerja Sabtu ini"


def session_until(text: str, *args: str, env: dict[str, str], cwd: Path) -> str:
    """A console session left open (as a person at a terminal would) until `text` is shown; its output."""
    process = subprocess.Popen(
        [sys.executable, "-m", "bot", *args], stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
        text=True, env={**os.environ, "PYTHONPATH": str(ROOT), **env}, cwd=cwd,
    )
    assert process.stdout is not None and process.stdin is not None
    guard = threading.Timer(120, process.kill)
    guard.start()
    try:
        shown = []
        while (line := process.stdout.readline()) and text not in line:
            shown.append(line)
        rest, errors = process.communicate("")  # end of input: the person leaves
    finally:
        guard.cancel()
    assert process.returncode == 0 and "Traceback" not in errors, errors
    return "".join(shown) + line + rest


def test_console_users_in_separate_processes_each_read_their_own_messages(tmp_path: Path) -> None:
    env = {"DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path}/bot.db", "NIK_ENCRYPTION_KEY": TEST_KEY}
    assert run_bot("seed-demo", env=env, cwd=tmp_path).returncode == 0
    staff = run_bot("chat", "--user", "staf", env=env, stdin=STAFF_SENDS_A_BROADCAST, cwd=tmp_path)
    assert "Siaran #1 sedang dikirim kepada 4 orang. Perkembangannya akan tampil di sini." in staff.stdout

    agus = session_until(ANNOUNCEMENT, "chat", "--user", "demo-agus", env=env, cwd=tmp_path)
    assert agus.count(ANNOUNCEMENT) == 1 and "Siaran #1" not in agus, "the progress is the author's"

    siti = run_bot("chat", "--user", "demo-siti", env=env, cwd=tmp_path)  # had no session when it was sent
    assert siti.stdout.count(ANNOUNCEMENT) == 1
    assert siti.stdout.index(ANNOUNCEMENT) < siti.stdout.index("Menu utama"), "what waited comes first"
    staff_again = run_bot("chat", "--user", "staf", env=env, cwd=tmp_path)
    assert "Siaran #1, " in staff_again.stdout and ANNOUNCEMENT not in staff_again.stdout

    console = run_bot("run", env=env, cwd=tmp_path)  # the console user of `run`: demo-rudi's and demo-nur's wait
    assert ANNOUNCEMENT not in console.stdout and "Siaran #1" not in console.stdout
    again = run_bot("chat", "--user", "demo-siti", env=env, cwd=tmp_path)
    assert ANNOUNCEMENT not in again.stdout, "shown once, marked at once"
