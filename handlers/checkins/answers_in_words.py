"""A user's own check-in answers in words, for the export of their data (UU 27/2022): each question as it was
asked, in their language, with the answer they gave."""

from __future__ import annotations

from datetime import date
from typing import Any

from bot.engine.messages import Items, Msg, _, ngettext
from handlers.context import Context
from models.follow_ups import answered_check_ins, opted_out_at
from models.surveys import Question, QuestionType, get_survey_version, localized


def answer_in_words(question: Question, value: Any, locale: str) -> Msg | str | date | Items:
    if question.type is QuestionType.YES_NO:
        return _("Yes") if value else _("No")
    if question.type is QuestionType.SINGLE:
        choice = question.choice(value)
        return localized(choice.text, locale) if choice else str(value)
    if question.type is QuestionType.MULTIPLE:
        return Items(tuple(localized(c.text, locale) for c in question.options if c.id in value))
    if question.type is QuestionType.MONTH:
        return date.fromisoformat(value)
    return str(value)


async def check_in_export_lines(ctx: Context) -> list[Msg | str]:
    lines: list[Msg | str] = []
    for check_in in await answered_check_ins(ctx.session, ctx.user.id):
        version = await get_survey_version(ctx.session, check_in.survey_version_id)
        assert version is not None
        lines.append(ngettext("Check-in {count} month after completing, {date}:",
                              "Check-in {count} months after completing, {date}:", check_in.period)
                     .format(date=check_in.created_at))
        lines.extend(
            _("{question} {answer}").format(question=localized(question.text, ctx.user.locale),
                                            answer=answer_in_words(question, check_in.answers[question.id],
                                                                   ctx.user.locale))
            for question in version.survey.questions if question.id in check_in.answers
        )
    stopped = await opted_out_at(ctx.session, ctx.user.id)
    if stopped is not None:
        lines.append(_("You asked for no more check-ins on {date}.").format(date=stopped))
    return lines
