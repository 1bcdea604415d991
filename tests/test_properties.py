"""Property tests: whatever a user types at any step, nothing raises and nothing entered is lost.

For each registration step we park a user there, then throw arbitrary text (and arbitrary button tokens) at
it. Either the answer is refused, and the conversation is exactly as before, or it is accepted, and the
conversation moved on with only that step's answer added. The runtime raises instead of apologising, so
any exception fails the test.
"""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from sqlalchemy import select

from bot.engine.messages import IncomingKind
from bot.engine.runtime import Runtime
from handlers.router import COMMAND_ALIASES, TYPED_KEYWORDS
from models.users import User
from tests.chat import CHANNEL, ChatUser, RecordingChannel
from tests.test_registration import VALID_ANSWERS, answer_until

STEPS = [name for name, _answer in VALID_ANSWERS] + ["interests", "disability", "current_status", "summary"]
NEXT_STEP = dict(zip(STEPS, [*STEPS[1:], None], strict=True))

odd_text = st.one_of(
    st.text(max_size=80),
    st.text(alphabet=st.characters(codec="utf-8"), min_size=1, max_size=40),
    st.sampled_from(["", " ", "\x00", "\u200b", "\u202e6309", "٦٣٠٩", "0" * 16, "1" * 1001, "NaN", "1e9", "-1", "99"]),
    st.from_regex(r"\d{1,20}", fullmatch=True),
    st.from_regex(r"\d{1,2}[-/. ]\d{1,2}[-/. ]\d{2,4}", fullmatch=True),
)


def is_command(text: str) -> bool:
    stripped = text.strip()
    name = stripped[1:].split(" ", 1)[0].split("@", 1)[0].casefold() if stripped.startswith("/") else ""
    return name in COMMAND_ALIASES or stripped.casefold() in TYPED_KEYWORDS


class ParkedUser:
    """A user stopped at one step; `restore` puts the conversation back between examples."""

    def __init__(self, chat: ChatUser, snapshot: tuple[str | None, str | None, dict[str, Any]], seq: int) -> None:
        self.chat = chat
        self.snapshot = snapshot
        self.seq = seq

    async def restore(self) -> None:
        async with self.chat.runtime.session_factory() as session, session.begin():
            user = await session.scalar(
                select(User).where(User.channel == CHANNEL, User.external_id == self.chat.external_id)
            )
            assert user is not None
            conversation = user.conversation
            conversation.flow, conversation.step, conversation.data = self.snapshot
            conversation.prompt_seq = self.seq


async def park(runtime: Runtime, channel: RecordingChannel, step: str) -> ParkedUser:
    chat = ChatUser(runtime, channel, f"prop-{step}")
    if step in ("interests", "disability", "current_status", "summary"):
        await answer_until(chat, "interests")
        for name, answer in (("interests", "1"), ("interests", "13"), ("disability", "1"), ("current_status", "1")):
            if name == step:
                break
            await chat.send(answer)
    else:
        await answer_until(chat, step)
    assert await chat.step() == step
    user = await chat.user()
    assert user is not None
    return ParkedUser(chat, await chat.conversation(), user.conversation.prompt_seq)


def assert_refused_or_advanced(step: str, before: dict[str, Any], after: tuple[str | None, str | None, Any]) -> None:
    flow, now_at, data = after
    if step == "summary" and flow == "menu":  # confirmed: the registration is complete
        return
    if step == "consent" and flow == "menu":  # declined: back at the menu with nothing kept
        assert not data.get("draft")
        return
    assert flow == "registration"
    if step == "summary" and now_at == "choose_field":
        assert data["draft"] == before["draft"]
        return
    if now_at == step:
        if step == "interests":  # choosing or typing a skill stays on the step and may add it
            assert {k: v for k, v in data["draft"].items() if "interests" not in k} == {
                k: v for k, v in before["draft"].items() if "interests" not in k
            }
        else:
            assert data == before
        return
    assert now_at == NEXT_STEP[step], f"{step} jumped to {now_at}"
    added = set(data["draft"]) - set(before["draft"])
    assert added <= {step if step != "phone" else "phone", "consented_at", "nik_encrypted", "birth_date"}
    for key, value in before["draft"].items():
        assert data["draft"][key] == value


@pytest.mark.parametrize("step", STEPS)
@given(typed=odd_text)
async def test_any_text_at_any_step_is_refused_cleanly_or_accepted(
    runtime: Runtime, channel: RecordingChannel, parked_users: dict[str, ParkedUser], step: str, typed: str
) -> None:
    assume(not is_command(typed))
    parked = await _parked(parked_users, runtime, channel, step)
    await parked.restore()
    replies = await parked.chat.send(typed)
    assert replies, "every message gets an answer"
    assert all(reply.text for reply in replies)
    assert not any("terjadi gangguan" in reply.text for reply in replies)
    assert_refused_or_advanced(step, parked.snapshot[2], await parked.chat.conversation())


@pytest.mark.parametrize("step", ["language", "gender", "kecamatan", "summary"])
@given(token=st.one_of(st.text(max_size=70), st.from_regex(r"\d{1,4}\|[a-z_:]{0,20}", fullmatch=True)))
async def test_any_button_token_is_refused_cleanly_or_accepted(
    runtime: Runtime, channel: RecordingChannel, parked_users: dict[str, ParkedUser], step: str, token: str
) -> None:
    navigation = {"nav:back", "nav:cancel", "nav:menu"}
    assume(token not in navigation and token.partition("|")[2] not in navigation)
    parked = await _parked(parked_users, runtime, channel, step)
    await parked.restore()
    replies = await parked.chat.deliver(parked.chat.incoming(kind=IncomingKind.OPTION, option=token))
    assert replies
    assert_refused_or_advanced(step, parked.snapshot[2], await parked.chat.conversation())


@pytest.fixture
def parked_users() -> dict[str, ParkedUser]:
    """Parked users of one test (the fixture lives across all of its hypothesis examples)."""
    return {}


async def _parked(cache: dict[str, ParkedUser], runtime: Runtime, channel: RecordingChannel, step: str) -> ParkedUser:
    if step not in cache:
        cache[step] = await park(runtime, channel, step)
    return cache[step]
