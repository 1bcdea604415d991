"""Opt-ins (issue 18): when and how each person agreed to messages the bot starts, and when they stopped; only
those with a current opt-in get broadcasts and alerts, only those who agreed at registration get check-ins."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select

from bot import migrate
from bot.engine.runtime import Runtime
from jobs.follow_ups import send_follow_ups
from models.audiences import Audience, size_of
from models.broadcasts import claim_turns, create_broadcast
from models.catalog import TrainingProgram
from models.opening_alerts import recipients_of
from models.opt_ins import OptIn, OptInSource, opt_in_history
from models.profiles import CONSENT_VERSION
from models.users import Role, User, load_or_create_user, set_role
from tests.alumni import make_alumnus
from tests.chat import CHANNEL, ChatUser, RecordingChannel, register
from tests.conftest import Clock
from tests.test_follow_up_fires import COMPLETED, FIRST_DUE
from tests.test_opening_alerts import publish, run_alerts

Row = tuple[str, str, bool, bool]
"""(source, detail, stopped, replaced) of one opt-in."""


async def history(runtime: Runtime, external_id: str, channel: str = CHANNEL) -> list[Row]:
    async with runtime.session_factory() as session:
        user = await session.scalar(select(User).where(User.channel == channel, User.external_id == external_id))
        assert user is not None
        return [(row.source, row.detail, row.stopped_at is not None, row.replaced_at is not None)
                for row in await opt_in_history(session, user.id)]


async def user_id(runtime: Runtime, external_id: str) -> int:
    async with runtime.session_factory() as session:
        found = await session.scalar(select(User.id).where(User.external_id == external_id))
        assert found is not None
        return found


async def test_first_message_consent_stop_and_start_again_are_each_recorded(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await siti.send("halo")
    assert await history(runtime, "siti") == [("first_message", "", False, False)]
    await siti.send("/menu")  # later messages add nothing
    await register(siti)  # its /start adds nothing either: she already agreed
    assert await history(runtime, "siti") == [("first_message", "", False, True),
                                              ("consent", CONSENT_VERSION, False, False)]
    await siti.send("BERHENTI")
    assert await history(runtime, "siti") == [("first_message", "", False, True),
                                              ("consent", CONSENT_VERSION, True, False)]
    assert (await siti.user()).stopped_at is not None  # type: ignore[union-attr]
    await siti.send("/stop")  # stopping twice changes nothing
    await siti.send("/start")
    assert "Anda akan menerima pengumuman dan pemberitahuan lagi" in "\n".join(r.text for r in siti.received[-3:])
    assert (await siti.user()).stopped_at is None  # type: ignore[union-attr]
    assert await history(runtime, "siti") == [("first_message", "", False, True),
                                              ("consent", CONSENT_VERSION, True, False),
                                              ("start_link", "", False, False)]


async def test_someone_set_up_before_writing_agrees_with_their_first_message(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    """The dispatcher reads whether anyone has agreed with the user's row: a row made by the command line (staff
    set up first) holds none until its owner writes, and then exactly one."""
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, CHANNEL, "ani", Role.STAFF, locale="id", now=clock())
    assert await history(runtime, "ani") == []
    ani = ChatUser(runtime, channel, "ani")
    await ani.send("halo")
    await ani.send("/menu")
    assert await history(runtime, "ani") == [("first_message", "", False, False)]


def test_the_consent_version_names_the_wording_of_issue_16() -> None:
    assert CONSENT_VERSION == "2026-11-30"


async def test_registering_after_a_stop_records_the_consent_but_the_stop_stands(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await siti.send("halo")
    await siti.send("stop")
    await siti.send("/batal")
    await siti.tap("Daftar sebagai pencari kerja")
    await register(siti, start=False)  # from the menu: no /start
    assert await siti.profile() is not None
    rows = await history(runtime, "siti")
    assert rows[-1] == ("consent", CONSENT_VERSION, True, False), "recorded, and nothing comes until /start"
    assert (await siti.user()).stopped_at is not None  # type: ignore[union-attr]


async def test_only_people_with_a_current_opt_in_are_counted_and_sent_a_broadcast(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    for name in ("ani", "budi", "cici"):
        await ChatUser(runtime, channel, name).send("halo")
    await ChatUser(runtime, channel, "budi").send("BERHENTI")
    await ChatUser(runtime, channel, "cici").send("BERHENTI")
    await ChatUser(runtime, channel, "cici").send("/start")
    async with runtime.session_factory() as session, session.begin():
        await load_or_create_user(session, CHANNEL, "dedi", locale="id", now=clock())  # never agreed
        author = await set_role(session, CHANNEL, "petugas", Role.STAFF, locale="id", now=clock())
        size = await size_of(session, Audience())
        assert (size.receiving, size.left_out) == (2, 3)
        broadcast = await create_broadcast(session, author_id=author.id, text_id="Halo", text_en=None,
                                           opening_code=None, audience=Audience(), scheduled_at=clock(), now=clock())
        turns = await claim_turns(session, broadcast.id, 10)
    sendable = {turn.user_id for turn in turns if not turn.stopped}
    assert sendable == {await user_id(runtime, "ani"), await user_id(runtime, "cici")}


async def test_opening_alerts_go_only_to_people_with_a_current_opt_in(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    nur = ChatUser(runtime, channel, "nur")
    await register(nur, name="Nurul Aini", nik="6309015203970002", birth_date="12-03-1997", phone="0812 5100 0009")
    await nur.send("BERHENTI")
    program_id = await publish(runtime, clock, "Menjahit Busana Muslim")
    async with runtime.session_factory() as session:
        program = await session.get(TrainingProgram, program_id)
        assert program is not None
        told = {recipient.external_id for recipient in await recipients_of(session, program, clock().date())}
    assert told == {"siti"}
    before = len(channel.to("nur"))
    assert await run_alerts(runtime) == 1
    assert len(channel.to("nur")) == before


async def test_check_ins_go_only_to_alumni_who_agreed_at_registration(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    await make_alumnus(runtime, clock, "budi", completed_on=COMPLETED, consented=False)
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    assert "1 month since you completed" in channel.to("ani")[-1].text
    assert channel.to("budi") == []


async def test_a_stop_does_not_stop_check_ins_which_have_their_own_opt_out(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    await make_alumnus(runtime, clock, "ani", completed_on=COMPLETED)
    await ChatUser(runtime, channel, "ani").send("BERHENTI")
    clock.now = FIRST_DUE
    await send_follow_ups(runtime)
    assert "1 month since you completed" in channel.to("ani")[-1].text


async def test_the_export_holds_the_opt_in_history_in_the_message_and_the_file(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await siti.send("DAFTAR")
    await register(siti)
    await siti.send("BERHENTI")
    await siti.send("/start")
    replies = await siti.send("/ekspor")
    message, file = replies[0], replies[1]
    assert file.image is not None and file.image.content is not None
    saved = file.image.content.decode("utf-8")
    for text in (message.text, saved):
        assert "Persetujuan Anda untuk menerima pesan dari kami:" in text
        assert "23 November 2026: Anda pertama kali menghubungi kami, di test." in text
        assert "23 November 2026: Anda mengirim DAFTAR, di test." in text
        assert (f"23 November 2026: Anda memberi persetujuan saat pendaftaran, di test (teks persetujuan versi "
                f"{CONSENT_VERSION}).\n  dihentikan pada 23 November 2026 atas permintaan Anda.") in text
        assert "23 November 2026: Anda mengirim /start, di test." in text


async def test_someone_not_registered_exports_their_opt_in_history(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    rina = ChatUser(runtime, channel, "rina")
    await rina.send("halo")
    await rina.send("/batal")
    exported = (await rina.send("/ekspor"))[0].text
    assert "Kanal: test, akun rina" in exported
    assert "Anda pertama kali menghubungi kami, di test." in exported


async def test_the_migration_backfills_first_messages_consents_and_stops(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    clock.advance(days=1)
    await siti.send("BERHENTI")
    await ChatUser(runtime, channel, "rina").send("halo")

    async def rows() -> list[tuple[str, str, str, datetime, datetime | None, datetime | None]]:
        async with runtime.session_factory() as session:
            return [(r.channel, r.source, r.detail, r.agreed_at, r.stopped_at, r.replaced_at)
                    for r in await session.scalars(select(OptIn).order_by(OptIn.user_id, OptIn.id))]

    kept = await rows()
    assert [row[1:3] for row in kept] == [("first_message", ""), ("consent", CONSENT_VERSION), ("first_message", "")]
    await migrate.downgrade(runtime.engine, "0023-1")
    await migrate.upgrade(runtime.engine)
    assert await rows() == kept, "what the bot records from now on, the migration made of what it knew"


async def test_a_deep_link_start_is_recorded_with_its_payload(
    runtime: Runtime, channel: RecordingChannel
) -> None:
    rina = ChatUser(runtime, channel, "rina")
    await rina.send("/start daftar")
    assert await rina.step() == "language", "registration, as for DAFTAR"
    assert await history(runtime, "rina") == [("first_message", "", False, True),
                                              ("start_link", "daftar", False, False)]


async def test_stopping_keeps_old_rows_and_a_timestamp_for_each(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    ani = ChatUser(runtime, channel, "ani")
    await ani.send("halo")
    clock.advance(hours=2)
    await ani.send("BERHENTI")
    async with runtime.session_factory() as session:
        [row] = await opt_in_history(session, await user_id(runtime, "ani"))
    assert row.stopped_at is not None and row.stopped_at - row.agreed_at == timedelta(hours=2)
    assert row.channel == CHANNEL and row.source == OptInSource.FIRST_MESSAGE


async def test_deleting_the_account_deletes_its_opt_ins(runtime: Runtime, channel: RecordingChannel) -> None:
    siti = ChatUser(runtime, channel, "siti")
    await register(siti)
    await siti.send("/hapus")
    await siti.tap("Ya, hapus semuanya")
    assert "sudah dihapus" in siti.text
    async with runtime.session_factory() as session:
        assert list(await session.scalars(select(OptIn))) == []
