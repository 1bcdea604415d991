"""Surveys as data: the tracer file is valid and short on every path, and loading a changed file makes a version."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import given
from hypothesis import strategies as st

from bot.engine.runtime import Runtime
from models.surveys import (
    SURVEY_DIR,
    AnswerRejected,
    QuestionType,
    SurveyFileError,
    check_survey_files,
    ensure_survey_version,
    parse_month,
    parse_survey,
    parse_whole_number,
    read_survey_file,
)
from tests.conftest import Clock

TRACER = SURVEY_DIR / "tracer.yaml"


def tracer_data() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(TRACER.read_text(encoding="utf-8"))
    return data


def test_the_tracer_asks_the_bps_statuses_and_what_domain_md_lists() -> None:
    survey = parse_survey(tracer_data())
    status = survey.question("main_status")
    assert status is not None and status.type is QuestionType.SINGLE
    assert [c.id for c in status.options] == [
        "own_account", "with_temporary_workers", "with_permanent_workers", "employee", "casual_agriculture",
        "casual_non_agriculture", "family_worker", "apprenticeship", "further_education", "looking_for_work",
        "not_looking"]
    feeds = {q.feeds for q in survey.questions}
    assert {"status_category", "sector", "formal_contract", "income_range", "business_started", "workers_employed",
            "revenue_range", "support_wanted", "equipment_in_use", "relevance", "may_contact"} <= feeds
    for question in survey.questions:
        assert question.text["id"] and question.text["en"]


def test_no_path_through_the_tracer_is_longer_than_nine_questions() -> None:
    survey = parse_survey(tracer_data())
    status = survey.question("main_status")
    assert status is not None
    lengths = {}
    for choice in status.options:
        for aid in (False, True):
            answers = {"main_status": choice.id, "equipment_aid": aid}
            lengths[(choice.id, aid)] = sum(q.applies(answers) for q in survey.questions)
    assert max(lengths.values()) <= 9
    assert lengths[("employee", True)] == 7
    assert lengths[("looking_for_work", False)] == 3


@pytest.mark.parametrize(("change", "message"), [
    (lambda d: d.pop("key"), "needs a 'key'"),
    (lambda d: d["questions"][0].update(type="slider"), "type must be one of"),
    (lambda d: d["questions"][0]["text"].pop("en"), "needs both 'id' and 'en'"),
    (lambda d: d["questions"][0]["options"][0]["text"].update({"plantations": None}), "quote a text"),
    (lambda d: d["questions"][1].update(show_if={"later": ["x"]}), "not an earlier question"),
    (lambda d: d["questions"][1].update(id="main_status"), "used twice"),
    (lambda d: d["questions"][5].update(min=9, max=1), "min <= max"),
    (lambda d: d["questions"][5].update(feeds="status_category"), "two questions feed the same"),
    (lambda d: d["questions"][5].update(feeds="business_started"), "two questions feed the same"),
    (lambda d: d["questions"][5].update(type="text"), "workers_employed needs a number question"),
    (lambda d: d["questions"][0].update(options=[d["questions"][0]["options"][0]]), "at least two options"),
])
def test_a_broken_survey_file_is_refused_with_its_problem_named(change, message) -> None:
    data = tracer_data()
    change(data)
    with pytest.raises(SurveyFileError, match=message):
        parse_survey(data, source="tracer.yaml")


async def test_loading_an_unchanged_file_keeps_the_version_and_a_change_makes_a_new_one(
    runtime: Runtime, clock: Clock, tmp_path: Path
) -> None:
    shutil.copy(TRACER, tmp_path / "tracer.yaml")
    async with runtime.session_factory() as session, session.begin():
        first = await ensure_survey_version(session, "tracer", clock(), directory=tmp_path)
        again = await ensure_survey_version(session, "tracer", clock(), directory=tmp_path)
    assert (first.id, first.version) == (again.id, 1)
    (tmp_path / "tracer.yaml").write_text("# only a comment changed\n" + TRACER.read_text(encoding="utf-8"))
    async with runtime.session_factory() as session, session.begin():
        assert (await ensure_survey_version(session, "tracer", clock(), directory=tmp_path)).id == first.id
    data = tracer_data()
    data["questions"][-1]["text"]["en"] = "May we call you?"
    (tmp_path / "tracer.yaml").write_text(yaml.safe_dump(data, allow_unicode=True))
    async with runtime.session_factory() as session, session.begin():
        second = await ensure_survey_version(session, "tracer", clock(), directory=tmp_path)
        old = await session.get(type(first), first.id)
    assert second.version == 2 and second.id != first.id
    assert old is not None and old.survey.questions[-1].text["en"] != "May we call you?"
    assert second.survey.questions[-1].text["en"] == "May we call you?"


def test_a_missing_or_unreadable_file_is_named(tmp_path: Path) -> None:
    with pytest.raises(SurveyFileError, match="no such survey file"):
        read_survey_file(tmp_path / "nope.yaml")
    (tmp_path / "bad.yaml").write_text("key: [unclosed")
    with pytest.raises(SurveyFileError, match="not valid YAML"):
        read_survey_file(tmp_path / "bad.yaml")


TODAY = date(2026, 11, 23)


@pytest.mark.parametrize(("typed", "month"), [
    ("03-2026", date(2026, 3, 1)), ("3/2026", date(2026, 3, 1)), ("2026-03", date(2026, 3, 1)),
    ("Maret 2026", date(2026, 3, 1)), ("march 2026", date(2026, 3, 1)), (" Agustus  2025 ", date(2025, 8, 1)),
    ("11-2026", date(2026, 11, 1)),
])
def test_months_are_read_as_people_write_them(typed: str, month: date) -> None:
    assert parse_month(typed, TODAY) == month


@pytest.mark.parametrize(("typed", "problem"), [
    ("12-2026", "in_the_future"), ("13-2026", "not_a_month"), ("kemarin", "not_a_month"), ("", "not_a_month"),
    ("Maret", "not_a_month"), ("03-1900", "not_a_month"),
])
def test_months_that_cannot_be_used_are_refused(typed: str, problem: str) -> None:
    with pytest.raises(AnswerRejected) as caught:
        parse_month(typed, TODAY)
    assert caught.value.problem == problem


@given(st.text(max_size=40))
def test_any_typed_month_is_a_past_first_of_month_or_refused(typed: str) -> None:
    try:
        month = parse_month(typed, TODAY)
    except AnswerRejected:
        return
    assert month.day == 1 and month <= TODAY


@given(st.text(max_size=20), st.integers(0, 10), st.integers(10, 1000))
def test_any_typed_number_is_within_range_or_refused(typed: str, low: int, high: int) -> None:
    try:
        value = parse_whole_number(typed, low, high)
    except AnswerRejected as rejected:
        assert rejected.problem in {"not_a_number", "out_of_range"}
        return
    assert low <= value <= high


def test_numbers_with_separators_are_read() -> None:
    assert parse_whole_number(" 1.200 ", 0, 5000) == 1200
    assert parse_whole_number("1,200", 0, 5000) == 1200
    assert parse_whole_number("1 200 000", 0, 5_000_000) == 1_200_000
    assert parse_whole_number("3 orang", 0, 10) == parse_whole_number("3 people", 0, 10) == 3
    with pytest.raises(AnswerRejected, match="out_of_range"):
        parse_whole_number("6", 1, 5)


@pytest.mark.parametrize("typed", ["2.5", "1,5", "2.50", "0,75", "1.2.3", "1.200,5", "1.200,000", "-3", "+3",
                                   "3 juta", "orang"])
def test_a_count_is_a_whole_number_and_a_fraction_is_refused_not_misread(typed: str) -> None:
    with pytest.raises(AnswerRejected, match="not_a_number"):
        parse_whole_number(typed, 0, 5000)


def test_every_survey_file_is_checked_at_start(tmp_path: Path) -> None:
    assert check_survey_files() == ["tracer"]
    shutil.copy(TRACER, tmp_path / "tracer.yaml")
    shutil.copy(TRACER, tmp_path / "quarterly.yaml")
    with pytest.raises(SurveyFileError, match="it must be the file's name, 'quarterly'"):
        check_survey_files(tmp_path)
    (tmp_path / "tracer.yaml").unlink()
    (tmp_path / "quarterly.yaml").write_text(TRACER.read_text(encoding="utf-8").replace("key: tracer",
                                                                                        "key: quarterly"))
    with pytest.raises(SurveyFileError, match=r"the default survey tracer.yaml is missing"):
        check_survey_files(tmp_path)
