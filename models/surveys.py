"""Check-in surveys as data: YAML files under `models/data/surveys/`, loaded into versioned database rows.

A survey file lists questions (id, text in Indonesian and English, a type, `show_if` conditions on earlier
answers or on context flags, and the evaluation field each answer `feeds`). Loading a file whose content
changed stores a new version; a check-in keeps the version it was asked under, so old answers keep meaning.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from functools import cached_property
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import String, UniqueConstraint, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from models.answers import month_number
from models.base import Base, JsonDocument
from models.db import dialect_name, insert_ignoring_duplicates

SURVEY_DIR = Path(__file__).parent / "data" / "surveys"
DEFAULT_SURVEY = "tracer"
LANGUAGES = ("id", "en")
MAX_QUESTIONS = 20
CONTEXT_FLAGS = frozenset({"equipment_aid"})
"""Facts about the alumnus a `show_if` may test besides earlier answers (`equipment_aid`: the program gave
equipment)."""


class QuestionType(StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    NUMBER = "number"
    YES_NO = "yes_no"
    TEXT = "text"
    MONTH = "month"


FEED_TYPES: dict[str, frozenset[str]] = {
    "status_category": frozenset({"single"}),
    "business_started": frozenset({"month"}),
    "workers_employed": frozenset({"number"}),
    "equipment_in_use": frozenset({"yes_no"}),
}
"""Evaluation fields the records derive figures from, and the question types that can feed them; any other
`feeds` name is kept in the record's answers as given."""


class SurveyFileError(ValueError):
    """A survey file that cannot be used; the message names the file and what is wrong."""


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: Mapping[str, str]


@dataclass(frozen=True, slots=True)
class Question:
    id: str
    type: QuestionType
    text: Mapping[str, str]
    feeds: str | None = None
    options: tuple[Choice, ...] = ()
    show_if: Mapping[str, tuple[Any, ...]] = field(default_factory=dict)
    minimum: int | None = None
    maximum: int | None = None
    max_length: int = 200

    def applies(self, answers: Mapping[str, Any]) -> bool:
        return conditions_hold(self.show_if, answers)

    def choice(self, choice_id: str | None) -> Choice | None:
        return next((c for c in self.options if c.id == choice_id), None)


def conditions_hold(show_if: Mapping[str, Sequence[Any]], answers: Mapping[str, Any]) -> bool:
    """A question is asked only when every condition holds: the answer (or flag) is one of the listed values
    (for a several-choice answer: one of its choices is)."""
    for name, allowed in show_if.items():
        given = answers.get(name)
        given_values = given if isinstance(given, list) else [given]
        if not any(value in allowed for value in given_values):
            return False
    return True


@dataclass(frozen=True, slots=True)
class Survey:
    key: str
    title: Mapping[str, str]
    questions: tuple[Question, ...]

    def question(self, question_id: str) -> Question | None:
        return next((q for q in self.questions if q.id == question_id), None)

    def visible_answers(self, answers: Mapping[str, Any]) -> dict[str, Any]:
        """The answers that still count: an answer to a question no longer shown (the user went back and
        changed an earlier answer) is ignored."""
        return {q.id: answers[q.id] for q in self.questions if q.id in answers and q.applies(answers)}


def localized(text: Mapping[str, str], locale: str) -> str:
    return text.get(locale) or text["id"]


def _texts(raw: Any, where: str) -> dict[str, str]:
    if not isinstance(raw, dict) or any(not isinstance(raw.get(lang), str) or not raw[lang].strip()
                                        for lang in LANGUAGES):
        raise SurveyFileError(f"{where}: text needs both 'id' and 'en'")
    if set(raw) != set(LANGUAGES):
        raise SurveyFileError(f"{where}: text has keys besides 'id' and 'en' (quote a text that holds a comma)")
    return {lang: str(raw[lang]).strip() for lang in LANGUAGES}


def _question(raw: Any, earlier: set[str], index: int) -> Question:
    if not isinstance(raw, dict) or not isinstance(raw.get("id"), str):
        raise SurveyFileError(f"question {index + 1}: needs an 'id'")
    qid = raw["id"]
    where = f"question {qid}"
    if qid in earlier or qid in CONTEXT_FLAGS:
        raise SurveyFileError(f"{where}: the id is used twice")
    try:
        kind = QuestionType(str(raw.get("type")))
    except ValueError as error:
        raise SurveyFileError(f"{where}: type must be one of {', '.join(QuestionType)}") from error
    options = tuple(Choice(str(o.get("id")), _texts(o.get("text"), f"{where}, option {o.get('id')}"))
                    for o in raw.get("options") or ())
    if kind in (QuestionType.SINGLE, QuestionType.MULTIPLE) and len(options) < 2:
        raise SurveyFileError(f"{where}: a choice question needs at least two options")
    show_if = raw.get("show_if") or {}
    if not isinstance(show_if, dict):
        raise SurveyFileError(f"{where}: show_if maps earlier question ids to lists of values")
    for name, values in show_if.items():
        if name not in earlier and name not in CONTEXT_FLAGS:
            raise SurveyFileError(f"{where}: show_if refers to {name}, which is not an earlier question")
        if not isinstance(values, list) or not values:
            raise SurveyFileError(f"{where}: show_if {name} needs a list of values")
    minimum, maximum = raw.get("min"), raw.get("max")
    if kind is QuestionType.NUMBER and not (isinstance(minimum, int) and isinstance(maximum, int)
                                            and minimum <= maximum):
        raise SurveyFileError(f"{where}: a number question needs whole numbers min <= max")
    return Question(
        id=qid, type=kind, text=_texts(raw.get("text"), where), feeds=raw.get("feeds"), options=options,
        show_if={name: tuple(values) for name, values in show_if.items()}, minimum=minimum, maximum=maximum,
        max_length=int(raw.get("max_length", 200)),
    )


def parse_survey(data: Any, *, source: str = "survey") -> Survey:
    """Check a survey's structure and build it; raises `SurveyFileError` naming the first problem."""
    try:
        if not isinstance(data, dict) or not isinstance(data.get("key"), str):
            raise SurveyFileError("needs a 'key'")
        raw_questions = data.get("questions")
        if not isinstance(raw_questions, list) or not raw_questions:
            raise SurveyFileError("needs a list of questions")
        if len(raw_questions) > MAX_QUESTIONS:
            raise SurveyFileError(f"has more than {MAX_QUESTIONS} questions")
        questions: list[Question] = []
        for index, raw in enumerate(raw_questions):
            questions.append(_question(raw, {q.id for q in questions}, index))
        feeds = [q.feeds for q in questions if q.feeds]
        if len(feeds) != len(set(feeds)):
            raise SurveyFileError("two questions feed the same evaluation field")
        for question in questions:
            allowed = FEED_TYPES.get(question.feeds or "")
            if allowed is not None and question.type not in allowed:
                raise SurveyFileError(f"question {question.id}: {question.feeds} needs a {'/'.join(allowed)} question")
        return Survey(key=data["key"], title=_texts(data.get("title"), "title"), questions=tuple(questions))
    except SurveyFileError as error:
        raise SurveyFileError(f"{source}: {error}") from None


def read_survey_file(path: Path) -> dict[str, Any]:
    """The file's content as plain data (checked), ready to store as a version's definition."""
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise SurveyFileError(f"{path}: no such survey file") from error
    except yaml.YAMLError as error:
        raise SurveyFileError(f"{path}: not valid YAML: {error}") from error
    parse_survey(data, source=str(path))
    checked: dict[str, Any] = data
    return checked


def check_survey_files(directory: Path = SURVEY_DIR) -> list[str]:
    """Read every survey file, so a broken edit stops the bot at start instead of failing check-ins later;
    returns the survey keys. Raises `SurveyFileError` naming the first problem."""
    keys = []
    for path in sorted(directory.glob("*.yaml")):
        definition = read_survey_file(path)
        if definition["key"] != path.stem:
            raise SurveyFileError(
                f"{path}: the key is {definition['key']!r}; it must be the file's name, {path.stem!r}")
        keys.append(path.stem)
    if DEFAULT_SURVEY not in keys:
        raise SurveyFileError(f"{directory}: the default survey {DEFAULT_SURVEY}.yaml is missing")
    return keys


def digest_of(definition: Mapping[str, Any]) -> str:
    """Comments and layout do not make a new version; only a change of content does."""
    canonical = json.dumps(definition, sort_keys=True, ensure_ascii=False, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


class SurveyVersion(Base):
    """One version of a survey as it was loaded; check-ins point at the version they were asked under."""

    __tablename__ = "survey_versions"
    __table_args__ = (UniqueConstraint("survey_key", "version"), UniqueConstraint("survey_key", "digest"))

    id: Mapped[int] = mapped_column(primary_key=True)
    survey_key: Mapped[str] = mapped_column(String(40))
    version: Mapped[int]
    digest: Mapped[str] = mapped_column(String(64))
    definition: Mapped[dict[str, Any]] = mapped_column(JsonDocument)
    loaded_at: Mapped[datetime]

    @cached_property
    def survey(self) -> Survey:
        """Parsed once per loaded row (a version never changes): a job asks hundreds of check-ins under one."""
        return parse_survey(self.definition, source=f"{self.survey_key} v{self.version}")


async def ensure_survey_version(
    session: AsyncSession, key: str, now: datetime, *, directory: Path | None = None
) -> SurveyVersion:
    """The version matching the survey file as it is now, stored as a new version if its content changed.

    Safe when several workers load at once: the insert ignores a duplicate, then the row is read back.
    """
    definition = read_survey_file((directory or SURVEY_DIR) / f"{key}.yaml")
    digest = digest_of(definition)
    found = await _version_with_digest(session, key, digest)
    if found is not None:
        return found
    latest = await session.scalar(select(func.max(SurveyVersion.version)).where(SurveyVersion.survey_key == key))
    statement = insert_ignoring_duplicates(dialect_name(session), SurveyVersion).values(
        survey_key=key, version=(latest or 0) + 1, digest=digest, definition=definition, loaded_at=now
    )
    await session.execute(statement)
    found = await _version_with_digest(session, key, digest)
    assert found is not None, "another worker stored a different version at the same number; retry"
    return found


async def get_survey_version(session: AsyncSession, version_id: int) -> SurveyVersion | None:
    return await session.get(SurveyVersion, version_id)


async def _version_with_digest(session: AsyncSession, key: str, digest: str) -> SurveyVersion | None:
    return await session.scalar(
        select(SurveyVersion).where(SurveyVersion.survey_key == key, SurveyVersion.digest == digest)
    )


# --- typed answers -------------------------------------------------------------------------------------------

class AnswerRejected(ValueError):
    """A typed answer that does not fit the question; `problem` says which way."""

    def __init__(self, problem: str) -> None:
        super().__init__(problem)
        self.problem = problem


_WHOLE_NUMBER = re.compile(r"^(?:\d{1,7}|\d{1,3}(?:([.,]|\s)\d{3})(?:\1\d{3})?)$", re.ASCII)
"""Digits, or thousands in groups of three ('1.200', '1,200', '12 000'): '2.5' and '1,5' are fractions, not
counts, and must never be read as 25 or 15."""
_PEOPLE = re.compile(r"\s+(?:orang|org|pekerja|karyawan|people|persons?|workers?)\.?$", re.IGNORECASE)
"""The unit people add to a count of workers: '3 orang' is 3."""


def parse_whole_number(raw: str, minimum: int, maximum: int) -> int:
    """A whole number typed as '12', ' 1.200 ' or '1,200'; raises AnswerRejected 'not_a_number' (also for a
    fraction such as '2.5') or 'out_of_range'."""
    text = _PEOPLE.sub("", raw.strip())
    if not _WHOLE_NUMBER.match(text):
        raise AnswerRejected("not_a_number")
    value = int("".join(ch for ch in text if ch.isdigit()))
    if not minimum <= value <= maximum:
        raise AnswerRejected("out_of_range")
    return value


_NUMERIC_MONTH = re.compile(r"^(\d{1,2})[\s./-](\d{4})$", re.ASCII)
_ISO_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$", re.ASCII)
_WORDED_MONTH = re.compile(r"^([^\W\d_]+)\.?[\s.,-]+(\d{4})$")
EARLIEST_YEAR = 1950


def parse_month(raw: str, today: date) -> date:
    """A month as '03-2026', '3/2026', '2026-03' or 'Maret 2026' (first day of it); not in the future.

    Raises AnswerRejected 'not_a_month' or 'in_the_future'.
    """
    text = " ".join(raw.strip().split()).lower()
    if len(text) > 30:
        raise AnswerRejected("not_a_month")
    if match := _NUMERIC_MONTH.match(text):
        month, year = int(match.group(1)), int(match.group(2))
    elif match := _ISO_MONTH.match(text):
        year, month = int(match.group(1)), int(match.group(2))
    elif (match := _WORDED_MONTH.match(text)) and (number := month_number(match.group(1))) is not None:
        month, year = number, int(match.group(2))
    else:
        raise AnswerRejected("not_a_month")
    if not 1 <= month <= 12 or year < EARLIEST_YEAR:
        raise AnswerRejected("not_a_month")
    first = date(year, month, 1)
    if first > today:
        raise AnswerRejected("in_the_future")
    return first
