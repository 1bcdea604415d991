"""The placement chart staff receive after `/laporan`: a picture in the message model, stored in the database and
named by id from the outbox, so the outbox row alone is enough to send it, from any worker, after a restart.

Each channel's way of showing it (sendPhoto, a WhatsApp upload, a file on the console) is in
tests/test_chart_on_channels.py.
"""

from __future__ import annotations

import json

import pytest
from sqlalchemy import delete, select

from bot.engine.messages import PNG, Image, Option, Outgoing, Reply, say
from bot.engine.rendering import render_all, replacing
from bot.engine.runtime import Runtime
from models.files import StoredFile, file_content
from models.outbox import SWEEP_GRACE, OutboxMessage, recent_payloads
from models.users import Role, set_role
from tests.chat import CHANNEL, ChatUser, RecordingChannel
from tests.conftest import Clock, RuntimeFactory
from tests.test_report_figures import generate, store

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


async def staff_member(runtime: Runtime, channel: RecordingChannel, clock: Clock, locale: str = "en") -> ChatUser:
    async with runtime.session_factory() as session, session.begin():
        await set_role(session, CHANNEL, "petugas", Role.STAFF, locale=locale, now=clock())
    return ChatUser(runtime, channel, "petugas", locale=locale)


async def test_staff_receive_the_placement_chart_after_the_summary_in_their_language(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    programs, people = generate(seed=5)
    await store(runtime, programs, people)
    staff = await staff_member(runtime, channel, clock, locale="id")
    await staff.send("/laporan")
    summary, chart, menu = await staff.send("2025")
    assert summary.text.startswith("Laporan monev alumni 2025") and summary.image is None
    assert chart.text == "Penempatan per program, 2025"
    assert chart.image is not None and chart.image.name == "penempatan-2025.png"
    assert chart.image.media_type == PNG and chart.image.data.startswith(PNG_SIGNATURE)
    assert not chart.options and menu.options, "the menu follows the chart, as after any report"
    async with runtime.session_factory() as session:
        assert await file_content(session, chart.image.file_id) == chart.image.data


async def test_a_year_nobody_has_answered_for_gets_a_sentence_instead_of_a_chart(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    staff = await staff_member(runtime, channel, clock)
    await staff.send("/laporan")
    replies = await staff.send("2025")
    assert [reply.image for reply in replies] == [None] * len(replies)
    assert ("There is no placement chart for 2025 yet: no alumnus of that year has answered a check-in."
            in staff.text)
    async with runtime.session_factory() as session:
        assert list(await session.scalars(select(StoredFile.id))) == []


async def test_the_outbox_row_alone_is_enough_to_send_the_chart(
    make_runtime: RuntimeFactory, clock: Clock
) -> None:
    """The worker that wrote the reply dies before sending it; another worker's sweep sends the picture, its
    bytes read from the database. The outbox payload names the file and stays small."""
    crashed = make_runtime()  # has no channel for the chat: as if it died right after the commit
    programs, people = generate(seed=7)
    await store(crashed, programs, people)
    channel = RecordingChannel()
    staff = await staff_member(crashed, channel, clock)
    await crashed.dispatcher.handle(staff.incoming(text="/laporan"))
    await crashed.dispatcher.handle(staff.incoming(text="2025"))
    async with crashed.session_factory() as session:
        payloads = await recent_payloads(session, CHANNEL, "petugas")
        stored = (await session.scalars(select(StoredFile))).one()
    [image] = [payload["image"] for payload in payloads if "image" in payload]
    assert image == {"file_id": stored.id, "name": "penempatan-2025.png", "media_type": PNG}
    assert max(len(json.dumps(payload)) for payload in payloads) < 4000, "no picture inside the payloads"

    other_worker = make_runtime(channel)
    clock.advance(seconds=SWEEP_GRACE.total_seconds() + 1)
    assert await other_worker.delivery.sweep() == len(payloads)
    [chart] = [reply for _to, reply in channel.sent if reply.image is not None]
    assert chart.image is not None and chart.image.data == stored.content
    assert chart.image.data.startswith(PNG_SIGNATURE) and chart.text == "Placement by program, 2025"


async def test_a_chart_whose_file_is_gone_is_sent_as_its_caption(
    runtime: Runtime, channel: RecordingChannel, clock: Clock
) -> None:
    programs, people = generate(seed=7)
    await store(runtime, programs, people)
    staff = await staff_member(runtime, channel, clock)
    await runtime.dispatcher.handle(staff.incoming(text="/laporan"))
    await runtime.dispatcher.handle(staff.incoming(text="2025"))
    async with runtime.session_factory() as session, session.begin():
        await session.execute(delete(StoredFile))
    clock.advance(seconds=SWEEP_GRACE.total_seconds() + 1)
    await runtime.delivery.sweep()
    assert "Placement by program, 2025" in [reply.text for reply in channel.to("petugas")]
    assert all(reply.image is None for reply in channel.to("petugas"))
    async with runtime.session_factory() as session:
        assert {row.status for row in await session.scalars(select(OutboxMessage))} == {"sent"}


def test_a_reply_with_a_picture_keeps_it_through_the_outbox_json_without_its_bytes() -> None:
    reply = Reply("Grafik", image=Image(12, "chart.png", PNG, content=PNG_SIGNATURE))
    data = reply.to_json()
    assert data["image"] == {"file_id": 12, "name": "chart.png", "media_type": PNG}
    loaded = Reply.from_json(json.loads(json.dumps(data)))
    assert loaded == reply and loaded.image is not None and loaded.image.content is None
    with pytest.raises(ValueError, match="stored file 12 was not loaded"):
        _ = loaded.image.data
    assert Reply.from_json(Reply("Halo").to_json()).image is None


def test_a_picture_stands_alone_in_the_replies_and_never_replaces_a_page(runtime: Runtime) -> None:
    translator = runtime.catalogs.translator("en")
    image = Image(3, "chart.png")
    replies = render_all([say("Figures"), Outgoing(text=("Chart",), image=image), say("Menu")], translator)
    assert [(reply.text, reply.image) for reply in replies] == [("Figures", None), ("Chart", image), ("Menu", None)]
    [alone] = render_all([Outgoing(text=("Chart",), image=image)], translator)
    assert replacing([alone], "77") == [alone] and alone.replaces is None
    with pytest.raises(ValueError, match="cannot also offer options"):
        Outgoing(text=("Chart",), image=image, options=(Option("a", "A"),))



def test_a_chart_of_many_programs_draws_those_with_the_most_answers_and_says_so() -> None:
    from documents.report_chart import CHART_BARS, chart_drawing  # noqa: PLC0415
    from models.applications import OpeningKind  # noqa: PLC0415
    from models.reports import PROGRAM, FollowUpReport, ReportRow  # noqa: PLC0415

    def row(number: int) -> ReportRow:
        return ReportRow(str(number), f"Program {number}", participants=100, completers=90, asked=80,
                         responded=number % 50, formal=0, informal=0, wub=0, jobs_created=0, equipment_answered=0,
                         equipment_in_use=0)

    rows = [row(number) for number in range(240)]
    report = FollowUpReport(year=2025, program_id=None, total=row(0), breakdowns={PROGRAM: rows},
                            kind=OpeningKind.TRAINING)
    drawn = chart_drawing(report, str)
    assert len(drawn["programs"]) == CHART_BARS
    fewest_drawn = min(number % 50 for number in range(240) if f"Program {number}" in drawn["programs"])
    assert fewest_drawn >= max(number % 50 for number in range(240) if f"Program {number}" not in drawn["programs"])
    assert drawn["programs"] == sorted(drawn["programs"], key=lambda label: int(label.split()[1])), "report order"
    assert "30" in drawn["title"] and "240" in drawn["title"]
    few = chart_drawing(FollowUpReport(year=2025, program_id=None, total=row(0), breakdowns={PROGRAM: rows[:5]}),
                        str)
    assert len(few["programs"]) == 5 and "\n" not in few["title"]
