"""A small engine for step-by-step conversations whose state lives in the `conversation` row.

A flow is an ordered tuple of steps; each step asks (builds an `Outgoing`) and accepts (validates an answer
and says what happens next). The engine owns the rest: moving on, skipping steps that do not apply, going
back, editing one answer from a summary and returning to it, and re-asking after an invalid answer without
losing anything.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from bot.engine.messages import Document, Msg, Nav, Outgoing, _, say
from handlers.context import Context


@dataclass(frozen=True, slots=True)
class Answer:
    """An answer to the current question: a chosen option id, typed text, a shared phone number or a file."""

    option: str | None = None
    text: str = ""
    contact_phone: str = ""
    document: Document | None = None
    options: tuple[str, ...] = ()
    """Several options typed at once (`1, 3, 5`) where the question takes several."""
    removing: bool = False
    """`hapus 3`: take `option` (or, with no option, the own addition named by `text`) off the chosen ones."""


@dataclass(frozen=True, slots=True)
class Store:
    """Keep these answers and go on to the next question."""

    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Stay:
    """Keep these answers and ask the same question again (choosing several options, one at a time)."""

    values: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class Invalid:
    """The answer cannot be used; `reason` says what is wrong and what is expected."""

    reason: Msg


@dataclass(frozen=True, slots=True)
class Jump:
    """Ask another step (and the steps that depend on it), then come back to `return_to` (default: here)."""

    step: str
    return_to: str | None = None


@dataclass(frozen=True, slots=True)
class Back:
    """Return to the previous question, as the Back button does (a "No" at a confirmation, say)."""


@dataclass(frozen=True, slots=True)
class Finish:
    """The flow is complete: run its `finish`."""


@dataclass(frozen=True, slots=True)
class Ended:
    """The step already ended the flow itself (with `end_flow`); nothing more to do."""


Result = Store | Stay | Invalid | Jump | Back | Finish | Ended
Asker = Callable[[Context], Awaitable[Outgoing]]
Acceptor = Callable[[Context, Answer], Awaitable[Result]]


YES = "yes"
NO = "no"


def unless_confirmed(given: Answer) -> Back | Invalid | None:
    """For a Yes/No confirmation: None when the answer is Yes; No goes back; anything else is asked again."""
    if given.option == NO:
        return Back()
    if given.option != YES:
        return Invalid(_("Please answer Yes or No."))
    return None


def several_chosen(chosen: Sequence[str], given: Answer, offered: Collection[str]) -> list[str] | None:
    """The options chosen after `given` at a question that takes several of `offered`: a tap toggles one, a typed
    list adds them all (keeping those already chosen), `hapus x` takes one off. None when it names none of them."""
    if given.options:
        added = [option for option in given.options if option in offered]
        return [*chosen, *(option for option in added if option not in chosen)] if added else None
    if given.option is None or given.option not in offered:
        return None
    if given.removing or given.option in chosen:
        return [option for option in chosen if option != given.option]
    return [*chosen, given.option]


def always(_draft: Mapping[str, Any]) -> bool:
    return True


@dataclass(frozen=True, slots=True)
class Step:
    name: str
    ask: Asker
    accept: Acceptor
    applies: Callable[[Mapping[str, Any]], bool] = always
    also_ask: tuple[str, ...] = ()
    takes_files: bool = False
    """Whether a file sent now is this step's answer; anywhere else a file gets the "text only" reply."""
    only_shows: bool = False
    """A screen that only shows something (a list, an opening's details): leaving it loses nothing, so a command
    such as `/checkin` or `/lihat t12` simply leaves it instead of asking to finish or cancel first."""


@dataclass(frozen=True, slots=True)
class Flow:
    name: str
    steps: tuple[Step, ...]
    finish: Callable[[Context], Awaitable[None]]
    cancel: Callable[[Context], Awaitable[None]]
    nav: tuple[Nav, ...] = (Nav.BACK, Nav.CANCEL)
    asks_before_leaving: bool = False
    """Leaving by `menu` throws the answers given so far away (`cancel` keeps nothing): ask first."""

    def step(self, name: str | None) -> Step | None:
        return next((s for s in self.steps if s.name == name), None)

    def first_step(self, draft: Mapping[str, Any]) -> Step:
        return self._applicable(self.steps, draft)[0]

    def step_after(self, name: str, draft: Mapping[str, Any]) -> Step | None:
        index = next(i for i, s in enumerate(self.steps) if s.name == name)
        later = self._applicable(self.steps[index + 1 :], draft)
        return later[0] if later else None

    @staticmethod
    def _applicable(steps: tuple[Step, ...], draft: Mapping[str, Any]) -> list[Step]:
        return [s for s in steps if s.applies(draft)]


def busy_with(ctx: Context, flow: Flow) -> bool:
    """Whether the user is in the middle of something a new task must not throw away (not a screen that only
    shows something, see `Step.only_shows`)."""
    step = flow.step(ctx.conversation.step)
    return step is None or not step.only_shows


async def begin(ctx: Context, flow: Flow, *, data: dict[str, Any] | None = None, at: str | None = None) -> None:
    """Start `flow` from its first step (or from step `at`), with `data` as its working data."""
    conversation = ctx.conversation
    conversation.flow = flow.name
    conversation.data = {"draft": {}, "history": [], **(data or {})}
    step = flow.step(at) if at else flow.first_step(ctx.draft)
    assert step is not None, f"flow {flow.name} has no step {at}"
    await ask(ctx, flow, step)


async def ask(ctx: Context, flow: Flow, step: Step) -> None:
    """Ask `step`; a new question gets a new sequence number, so buttons of older questions go stale."""
    conversation = ctx.conversation
    if conversation.step != step.name or conversation.flow != flow.name:
        conversation.prompt_seq += 1
    conversation.flow, conversation.step = flow.name, step.name
    await ask_again(ctx, flow)


async def ask_again(ctx: Context, flow: Flow) -> None:
    """Repeat the current question, keeping its sequence number (its buttons stay valid)."""
    step = flow.step(ctx.conversation.step)
    assert step is not None
    question = await step.ask(ctx)
    ctx.send(replace(question, nav=question.nav or flow.nav, prompt_seq=ctx.conversation.prompt_seq))


async def current_question(ctx: Context, flow: Flow) -> Outgoing:
    step = flow.step(ctx.conversation.step)
    assert step is not None
    return await step.ask(ctx)


async def answer(ctx: Context, flow: Flow, given: Answer) -> None:
    """Hand the answer to the current step and act on its verdict."""
    step = flow.step(ctx.conversation.step)
    assert step is not None
    result = await step.accept(ctx, given)
    if isinstance(result, Invalid):
        ctx.send(say(result.reason))
        await ask_again(ctx, flow)
    elif isinstance(result, Stay):
        ctx.draft.update(result.values)
        await ask_again(ctx, flow)
    elif isinstance(result, Store):
        ctx.draft.update(result.values)
        await _advance(ctx, flow, step)
    elif isinstance(result, Jump):
        target = flow.step(result.step)
        assert target is not None
        return_to = result.return_to or step.name
        ctx.data["edit"] = {"return_to": return_to, "queue": [target.name, *target.also_ask]}
        await ask(ctx, flow, target)
    elif isinstance(result, Back):
        await back(ctx, flow)
    elif isinstance(result, Finish):
        await flow.finish(ctx)


def end_flow(ctx: Context) -> None:
    """Leave the current flow; the router then shows the home menu."""
    conversation = ctx.conversation
    conversation.flow = conversation.step = None
    conversation.data = {}


async def leave_flow(ctx: Context) -> None:
    """A flow's `finish` or `cancel` when ending it is all there is to do (back to the main menu)."""
    end_flow(ctx)


async def back(ctx: Context, flow: Flow) -> None:
    """Go to the previous question; while editing one answer, go back to where the edit started."""
    edit = ctx.data.pop("edit", None)
    history: list[str] = ctx.data.setdefault("history", [])
    if edit:
        previous = flow.step(edit["return_to"])
    elif history:
        previous = flow.step(history.pop())
    else:
        ctx.send(say(_("This is the first question; there is nothing before it.")))
        await ask_again(ctx, flow)
        return
    assert previous is not None
    await ask(ctx, flow, previous)


async def _advance(ctx: Context, flow: Flow, done: Step) -> None:
    edit = ctx.data.get("edit")
    if edit:
        queue = [name for name in edit["queue"] if name != done.name]
        queue = [name for name in queue if (s := flow.step(name)) is not None and s.applies(ctx.draft)]
        if queue:
            ctx.data["edit"] = {**edit, "queue": queue}
            next_step = flow.step(queue[0])
        else:
            ctx.data.pop("edit")
            next_step = flow.step(edit["return_to"])
        assert next_step is not None
        await ask(ctx, flow, next_step)
        return
    ctx.data.setdefault("history", []).append(done.name)
    following = flow.step_after(done.name, ctx.draft)
    if following is None:
        await flow.finish(ctx)
    else:
        await ask(ctx, flow, following)
