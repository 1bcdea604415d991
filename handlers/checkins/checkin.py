"""The monthly check-in of an alumnus: the questions of a versioned survey, asked one at a time.

Steps: `intro` (start now, later, or stop check-ins), then one step per survey position (`q01`, `q02`, ...),
each asking the question at that position of the check-in's survey version, skipped when its `show_if` does
not hold. Every accepted answer is written to the check-in and its evaluation record at once, so a check-in
paused with 'cancel', left for days or interrupted by a restart resumes where it stopped (`/checkin`).
A check-in that falls due while the alumnus is in another conversation waits until that one ends.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from bot.engine.messages import Msg, Option, Outgoing, _, ngettext, say
from handlers.context import Context
from handlers.flow import (
    NO,
    YES,
    Answer,
    Ended,
    Flow,
    Invalid,
    Result,
    Stay,
    Step,
    Store,
    ask_again,
    begin,
    busy_with,
    end_flow,
    several_chosen,
)
from handlers.openings.applying import load_opening, title_of
from models.applications import opening_of
from models.evaluations import record_evaluation
from models.follow_ups import (
    CheckIn,
    CheckInStatus,
    application_of_check_in,
    get_check_in,
    opt_out,
    unfinished_check_in,
)
from models.surveys import (
    MAX_QUESTIONS,
    AnswerRejected,
    Question,
    QuestionType,
    Survey,
    conditions_hold,
    get_survey_version,
    localized,
    parse_month,
    parse_whole_number,
)

FLOW_NAME = "checkin"
START, LATER, STOP, DONE = "start", "later", "stop", "done"
RESTING_FLOWS = frozenset({None, "menu"})
"""Where a user is not in the middle of anything: a check-in may start at once."""

CHOOSE_FROM_LIST = _("Please choose one of the options, by its number or its name.")
NUMBER_PROBLEMS: Mapping[str, Msg] = {
    "not_a_number": _("Please type a whole number, for example 3."),
    "out_of_range": _("Please type a number from {minimum} to {maximum}."),
}
MONTH_PROBLEMS: Mapping[str, Msg] = {
    "not_a_month": _("Please write the month and year, for example 03-2026 or Maret 2026."),
    "in_the_future": _("That month has not come yet. Please write a month up to this one."),
}


def position_name(index: int) -> str:
    return f"q{index + 1:02d}"


# --- survey and check-in of the conversation ---------------------------------------------------------------------

async def _check_in(ctx: Context) -> CheckIn:
    check_in = await get_check_in(ctx.session, int(ctx.data["check_in"]))
    assert check_in is not None, "a check-in outlives the conversation about it (deleted only with the user)"
    return check_in


async def _survey(ctx: Context) -> Survey:
    version = await get_survey_version(ctx.session, int(ctx.data["survey_version"]))
    assert version is not None
    return version.survey


def _applies_at(index: int) -> Callable[[Mapping[str, Any]], bool]:
    """Whether the question at `index` is asked, from the conditions copied into the draft at the start."""

    def applies(draft: Mapping[str, Any]) -> bool:
        conditions = draft.get("_conditions", [])
        return index < len(conditions) and conditions_hold(conditions[index], draft)

    return applies


def _draft_for(check_in: CheckIn, survey: Survey) -> dict[str, Any]:
    conditions = [{name: list(values) for name, values in q.show_if.items()} for q in survey.questions]
    return {**check_in.context, **check_in.answers, "_conditions": conditions}


# --- intro ----------------------------------------------------------------------------------------------------

async def _title_of(ctx: Context, check_in: CheckIn) -> str:
    application = await application_of_check_in(ctx.session, check_in)
    opening = await load_opening(ctx, opening_of(application))
    return title_of(opening) if opening is not None else "-"


async def ask_intro(ctx: Context) -> Outgoing:
    check_in = await _check_in(ctx)
    months = ngettext("It has been {count} month since you completed {title}.",
                      "It has been {count} months since you completed {title}.", check_in.period)
    return say(
        months.format(title=await _title_of(ctx, check_in)),
        _("May we ask you a few short questions about how you are doing? It takes about two minutes, and your "
          "answers help the office improve its training."),
        options=(Option(START, _("Yes, let us start")), Option(LATER, _("Later")),
                 Option(STOP, _("Stop these check-ins"))),
    )


async def accept_intro(ctx: Context, given: Answer) -> Result:
    if given.option == START:
        return Store({})
    if given.option == LATER:
        end_flow(ctx)
        ctx.send(say(_("All right. Type /checkin whenever you are ready.")))
        return Ended()
    if given.option == STOP:
        await opt_out(ctx.session, ctx.user.id, ctx.now)
        end_flow(ctx)
        ctx.send(say(_("Understood: we will not send you check-ins any more. Thank you for your time.")))
        return Ended()
    return Invalid(CHOOSE_FROM_LIST)


# --- the questions -------------------------------------------------------------------------------------------

def _question_step(index: int) -> Step:
    async def ask(ctx: Context) -> Outgoing:
        survey = await _survey(ctx)
        return _ask_question(ctx, survey.questions[index])

    async def accept(ctx: Context, given: Answer) -> Result:
        survey = await _survey(ctx)
        question = survey.questions[index]
        result = _accept_question(ctx, question, given)
        if isinstance(result, Store) and question.id in result.values:  # several choices count once 'Done'
            await _record(ctx, survey, question.id, result.values[question.id])
        return result

    return Step(position_name(index), ask, accept, applies=_applies_at(index))


def _ask_question(ctx: Context, question: Question) -> Outgoing:
    text = localized(question.text, ctx.user.locale)
    if question.type is QuestionType.SINGLE:
        return say(text, options=tuple(Option(c.id, localized(c.text, ctx.user.locale)) for c in question.options))
    if question.type is QuestionType.YES_NO:
        return say(text, options=(Option(YES, _("Yes")), Option(NO, _("No"))))
    if question.type is QuestionType.MULTIPLE:
        chosen = set(ctx.draft.get(question.id) or [])
        options = [Option(c.id, _("✓ {item}").format(item=localized(c.text, ctx.user.locale))
                          if c.id in chosen else localized(c.text, ctx.user.locale)) for c in question.options]
        return say(text, options=(*options, Option(DONE, _("Done, continue"))), several=True)
    return say(text)


def _accept_question(ctx: Context, question: Question, given: Answer) -> Result:
    if question.type is QuestionType.SINGLE:
        return Store({question.id: given.option}) if question.choice(given.option) else Invalid(CHOOSE_FROM_LIST)
    if question.type is QuestionType.YES_NO:
        if given.option in (YES, NO):
            return Store({question.id: given.option == YES})
        return Invalid(_("Please answer Yes or No."))
    if question.type is QuestionType.MULTIPLE:
        return _toggle(ctx, question, given)
    if question.type is QuestionType.NUMBER:
        assert question.minimum is not None and question.maximum is not None
        try:
            return Store({question.id: parse_whole_number(given.text, question.minimum, question.maximum)})
        except AnswerRejected as rejected:
            return Invalid(NUMBER_PROBLEMS[rejected.problem].format(minimum=question.minimum,
                                                                    maximum=question.maximum))
    if question.type is QuestionType.MONTH:
        try:
            return Store({question.id: parse_month(given.text, ctx.today).isoformat()})
        except AnswerRejected as rejected:
            return Invalid(MONTH_PROBLEMS[rejected.problem])
    text = " ".join(given.text.split())
    if not text or len(text) > question.max_length:
        return Invalid(_("Please write a short answer of at most {limit} characters.").format(
            limit=question.max_length))
    return Store({question.id: text})


def _toggle(ctx: Context, question: Question, given: Answer) -> Result:
    chosen: list[str] = list(ctx.draft.get(question.id) or [])
    offered = [choice.id for choice in question.options]
    now_chosen = several_chosen(chosen, given, offered)
    if given.option == DONE or DONE in given.options:
        return Store({question.id: now_chosen or chosen})
    if now_chosen is None:
        return Invalid(CHOOSE_FROM_LIST)
    return Stay({question.id: now_chosen})


async def _record(ctx: Context, survey: Survey, question_id: str, value: Any) -> None:
    check_in = await _check_in(ctx)
    check_in.answers = {**check_in.answers, question_id: value}
    await record_evaluation(ctx.session, check_in, survey, ctx.now)


# --- the flow --------------------------------------------------------------------------------------------------

async def finish(ctx: Context) -> None:
    check_in = await _check_in(ctx)
    check_in.status = CheckInStatus.COMPLETED
    check_in.closed_at = ctx.now
    await record_evaluation(ctx.session, check_in, await _survey(ctx), ctx.now, complete=True)
    end_flow(ctx)
    ctx.send(say(_("Thank you! Your answers have been saved. We will ask again next month.")))


async def pause(ctx: Context) -> None:
    end_flow(ctx)
    ctx.send(say(_("The check-in is paused and your answers so far are kept. Type /checkin to continue.")))


FLOW = Flow(
    name=FLOW_NAME,
    steps=(Step("intro", ask_intro, accept_intro), *(_question_step(i) for i in range(MAX_QUESTIONS))),
    finish=finish,
    cancel=pause,
)


async def start_check_in(ctx: Context, check_in: CheckIn) -> None:
    """Ask the check-in from the intro, or, when some answers are in, from the first question left."""
    version = await get_survey_version(ctx.session, check_in.survey_version_id)
    assert version is not None
    survey = version.survey
    if check_in.status == CheckInStatus.WAITING:
        check_in.status = CheckInStatus.OPEN
        check_in.opened_at = ctx.now
    draft = _draft_for(check_in, survey)
    data: dict[str, Any] = {"check_in": check_in.id, "survey_version": version.id, "draft": draft}
    at = None
    if check_in.answers:
        ctx.send(say(_("Welcome back to your check-in. Let us continue where you stopped.")))
        at = next((position_name(i) for i, q in enumerate(survey.questions)
                   if q.id not in check_in.answers and _applies_at(i)(draft)), None)
        if at is None:  # every question answered before a pause: only the closing was missing
            ctx.conversation.flow, ctx.conversation.data = FLOW_NAME, data
            await finish(ctx)
            return
    await begin(ctx, FLOW, data=data, at=at)


async def offer_check_in(ctx: Context, check_in: CheckIn) -> None:
    """A check-in fell due: start it now when the user is not in the middle of something, else let it wait."""
    if ctx.conversation.flow in RESTING_FLOWS:
        await start_check_in(ctx, check_in)


async def remind(ctx: Context, check_in: CheckIn) -> None:
    """The one reminder of a check-in still unanswered."""
    check_in.reminded_at = ctx.now
    if check_in.status == CheckInStatus.WAITING and ctx.conversation.flow in RESTING_FLOWS:
        await start_check_in(ctx, check_in)
        return
    if ctx.conversation.flow == FLOW_NAME and ctx.data.get("check_in") == check_in.id:
        ctx.send(say(_("A reminder: your monthly check-in is waiting for your answer.")))
        await ask_again(ctx, FLOW)
        return
    ctx.send(say(_("A reminder: your monthly check-in is still waiting for you. It takes about two minutes: "
                   "type /checkin to answer.")))


async def checkin_command(ctx: Context, current: Flow | None) -> None:
    """`/checkin`: answer the open check-in now (inside it: its current question again)."""
    if current is FLOW:
        await ask_again(ctx, FLOW)
        return
    if current is not None and busy_with(ctx, current):
        ctx.send(say(_("Please finish or cancel what you are doing first (type 'cancel').")))
        await ask_again(ctx, current)
        return
    end_flow(ctx)
    check_in = await unfinished_check_in(ctx.session, ctx.user.id)
    if check_in is None:
        ctx.send(say(_("There is no check-in waiting for you at the moment. Thank you!")))
        end_flow(ctx)
        return
    await start_check_in(ctx, check_in)


async def start_waiting_check_in(ctx: Context) -> bool:
    """When a conversation ends, a check-in that waited for it starts; True if one did. Asked only when one waits
    (`models.home.HomeFacts.check_in_waiting`, read at the end of every task)."""
    check_in = await unfinished_check_in(ctx.session, ctx.user.id)
    if check_in is None or check_in.status != CheckInStatus.WAITING:
        return False
    await start_check_in(ctx, check_in)
    return True
