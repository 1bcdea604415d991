"""Property tests of the check-in: whatever an alumnus types at any question, nothing raises, and either the
answer is refused with the conversation exactly as before, or it is accepted and only that answer is added."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given, settings

from bot.engine.runtime import Runtime
from models.surveys import SURVEY_DIR, parse_survey, read_survey_file
from tests.chat import RecordingChannel
from tests.conftest import Clock
from tests.test_follow_up_checkins import asked
from tests.test_properties import ParkedUser, is_command, odd_text

PATH: list[tuple[str, str, str]] = [  # question id, how it is answered, the answer
    ("main_status", "tap", "Business with permanent or paid workers"),
    ("business_started", "send", "11-2026"),
    ("sector", "tap", "Trade"),
    ("workers", "send", "3"),
    ("revenue", "tap", "Rp1 million - Rp5 million"),
    ("support", "tap", "Done, continue"),
    ("relevance", "send", "4"),
    ("may_contact", "tap", "Yes"),
]
SURVEY = parse_survey(read_survey_file(SURVEY_DIR / "tracer.yaml"))
STEP_OF = {q.id: f"q{index + 1:02d}" for index, q in enumerate(SURVEY.questions)}


def next_question(question: str, draft: dict[str, Any]) -> str | None:
    """The question the survey asks after `question`, given the answers now in the draft."""
    index = next(i for i, q in enumerate(SURVEY.questions) if q.id == question)
    return next((q.id for q in SURVEY.questions[index + 1:] if q.applies(draft)), None)


async def park(runtime: Runtime, channel: RecordingChannel, clock: Clock, question: str) -> ParkedUser:
    chat, _alumnus = await asked(runtime, channel, clock, name=f"prop-{question}")
    await chat.tap("Yes, let us start")
    for qid, how, value in PATH:
        if qid == question:
            break
        await (chat.tap(value) if how == "tap" else chat.send(value))
    assert await chat.step() == STEP_OF[question]
    user = await chat.user()
    assert user is not None
    return ParkedUser(chat, await chat.conversation(), user.conversation.prompt_seq)


def assert_refused_or_advanced(question: str, before: dict[str, Any], after: tuple[str | None, str | None, Any],
                               ) -> None:
    flow, step, data = after
    if flow == "menu":  # the last answer: the check-in is complete
        assert question == "may_contact"
        return
    assert flow == "checkin"
    others_before = {k: v for k, v in before["draft"].items() if k != question}
    assert {k: v for k, v in data["draft"].items() if k != question} == others_before
    if step == STEP_OF[question]:
        if question != "support":  # choosing a kind of support stays on the question, adding it
            assert data == before
        return
    assert question in data["draft"]
    following = next_question(question, data["draft"])
    assert following is not None and step == STEP_OF[following], f"{question} jumped to {step}"


@pytest.mark.parametrize("question", [qid for qid, _how, _value in PATH])
@settings(max_examples=25)
@given(typed=odd_text)
async def test_any_text_at_any_check_in_question_is_refused_cleanly_or_accepted(
    runtime: Runtime, channel: RecordingChannel, parked: dict[str, ParkedUser], question: str, typed: str,
) -> None:
    assume(not is_command(typed))
    if question not in parked:
        assert isinstance(runtime.clock, Clock)
        parked[question] = await park(runtime, channel, runtime.clock, question)
    user = parked[question]
    await user.restore()
    replies = await user.chat.send(typed)
    assert replies and all(reply.text for reply in replies)
    assert_refused_or_advanced(question, user.snapshot[2], await user.chat.conversation())


@pytest.fixture
def parked() -> dict[str, ParkedUser]:
    return {}


def test_the_parking_path_is_one_the_survey_asks() -> None:
    draft: dict[str, Any] = {"main_status": "with_permanent_workers", "equipment_aid": False}
    assert [next_question(qid, draft) for qid, _how, _value in PATH] == [
        *(qid for qid, _how, _value in PATH[1:]), None]
