"""Importing openings from a staff spreadsheet: every row checked first, then all saved or none.

Columns (header names, any order, Indonesian values accepted): `kind` (pelatihan/training or
pemagangan/apprenticeship), `provider`, `kecamatan`, `location`, `quota`, `deadline`, `min_age`,
`max_age`, `min_education`, `interests` (codes, comma-separated), `other_requirements`, `status`; for
trainings `title`, `category`, `start_date`, `end_date`, `funding_source`, `equipment_aid`; for
apprenticeships `position`, `duration_months`, `monthly_allowance`, `social_security`, `selection`.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from enum import StrEnum
from types import MappingProxyType
from typing import Any

from pydantic import BaseModel, Field, ValidationError, field_validator, model_validator
from pydantic_core import ErrorDetails, PydanticCustomError
from sqlalchemy.ext.asyncio import AsyncSession

from documents.spreadsheets import SheetRow
from models.answers import AnswerError, parse_typed_date
from models.catalog import (
    ApprenticeshipOpening,
    OpeningStatus,
    Provider,
    ProviderKind,
    TrainingCategory,
    TrainingProgram,
)
from models.opening_search import provider_named
from models.profiles import Education, Interest
from models.regions import Office

KINDS = {"training": "training", "pelatihan": "training", "apprenticeship": "apprenticeship",
         "pemagangan": "apprenticeship", "magang": "apprenticeship"}
CATEGORIES = {"competency": TrainingCategory.COMPETENCY, "kompetensi": TrainingCategory.COMPETENCY,
              "non_competency": TrainingCategory.NON_COMPETENCY, "nonkompetensi": TrainingCategory.NON_COMPETENCY,
              "community": TrainingCategory.COMMUNITY, "masyarakat": TrainingCategory.COMMUNITY}
YES = {"ya", "yes", "y", "1", "true", "ada"}
NO = {"tidak", "no", "n", "0", "false", "", "tidak ada"}
COLUMNS = ("kind", "provider", "kecamatan", "location", "quota", "deadline", "min_age", "max_age", "min_education",
           "interests", "other_requirements", "status", "title", "category", "start_date", "end_date",
           "funding_source", "equipment_aid", "position", "duration_months", "monthly_allowance", "social_security",
           "selection")
"""Every column a sheet may have, in the order of the empty template staff download."""


class RowIssue(StrEnum):
    """Each kind of mistake a row can have; `ISSUE_TEXT` words them."""

    MISSING = "missing"
    NOT_A_NUMBER = "not_a_number"
    NOT_A_DATE = "not_a_date"
    NOT_A_KIND = "not_a_kind"
    NOT_A_CATEGORY = "not_a_category"
    NOT_YES_NO = "not_yes_no"
    NOT_RUPIAH = "not_rupiah"
    NOT_ALLOWED = "not_allowed"
    UNKNOWN_KECAMATAN = "unknown_kecamatan"
    NEEDS = "needs"
    ENDS_BEFORE_START = "ends_before_start"
    DEADLINE_AFTER_START = "deadline_after_start"
    NEGATIVE = "negative"
    AGES_REVERSED = "ages_reversed"
    TOO_LONG = "too_long"
    TOO_LARGE = "too_large"
    TOO_SMALL = "too_small"
    INVALID = "invalid"


def N_(text: str) -> str:
    """Mark a sentence for the catalogs (`make locales` extracts `N_`); whoever shows it translates it."""
    return text


ISSUE_TEXT: Mapping[RowIssue, str] = MappingProxyType({
    RowIssue.MISSING: N_("required, but empty"),
    RowIssue.NOT_A_NUMBER: N_("write a whole number"),
    RowIssue.NOT_A_DATE: N_("not a date; write 2026-12-31 or 31-12-2026"),
    RowIssue.NOT_A_KIND: N_("write pelatihan or pemagangan"),
    RowIssue.NOT_A_CATEGORY: N_("write kompetensi, nonkompetensi or masyarakat"),
    RowIssue.NOT_YES_NO: N_("write ya or tidak"),
    RowIssue.NOT_RUPIAH: N_("write the amount in whole rupiah, e.g. 3500000"),
    RowIssue.NOT_ALLOWED: N_("use one of {allowed}"),
    RowIssue.UNKNOWN_KECAMATAN: N_("{value} is not a kecamatan of {regency}"),
    RowIssue.NEEDS: N_("a {kind} needs {columns}"),
    RowIssue.ENDS_BEFORE_START: N_("end_date is before start_date"),
    RowIssue.DEADLINE_AFTER_START: N_("deadline is after start_date"),
    RowIssue.NEGATIVE: N_("quota must be 0 or more, duration_months more than 0"),
    RowIssue.AGES_REVERSED: N_("min_age is above max_age"),
    RowIssue.TOO_LONG: N_("too long: at most {limit} characters"),
    RowIssue.TOO_LARGE: N_("too large: at most {limit}"),
    RowIssue.TOO_SMALL: N_("too small: at least {limit}"),
    RowIssue.INVALID: N_("not valid ({reason})"),
})
"""How each mistake is worded: English here (the console's import), translated in the chat."""


def _issue(issue: RowIssue, **details: str) -> PydanticCustomError:
    return PydanticCustomError(issue.value, ISSUE_TEXT[issue], details)


class OpeningRow(BaseModel):
    """One row, checked: what is wrong is said in words a staff member can act on."""

    kind: str
    provider: str = Field(max_length=120)
    kecamatan: str | None = None
    location: str = Field("", max_length=200)
    quota: int = Field(le=100_000)
    deadline: date
    min_age: int | None = Field(None, ge=0, le=100)
    max_age: int | None = Field(None, ge=0, le=100)
    min_education: Education | None = None
    interests: list[Interest] = []
    other_requirements: str = Field("", max_length=2000)
    status: OpeningStatus = OpeningStatus.OPEN
    title: str | None = Field(None, max_length=160)
    category: TrainingCategory | None = None
    start_date: date | None = None
    end_date: date | None = None
    funding_source: str = Field("", max_length=80)
    equipment_aid: bool = False
    position: str | None = Field(None, max_length=160)
    duration_months: int | None = Field(None, le=120)
    monthly_allowance: int = Field(0, le=1_000_000_000)
    social_security: bool = False
    selection: str = Field("", max_length=2000)

    @field_validator("kind", mode="before")
    @classmethod
    def _kind(cls, value: Any) -> str:
        kind = KINDS.get(str(value or "").strip().lower())
        if kind is None:
            raise _issue(RowIssue.NOT_A_KIND)
        return kind

    @field_validator("deadline", "start_date", "end_date", mode="before")
    @classmethod
    def _date(cls, value: Any) -> date | None:
        if value is None or isinstance(value, date):
            return value
        try:
            return parse_typed_date(str(value))
        except AnswerError as error:
            raise _issue(RowIssue.NOT_A_DATE) from error

    @field_validator("quota")
    @classmethod
    def _places(cls, value: int) -> int:
        if value < 0:
            raise _issue(RowIssue.NEGATIVE)
        return value

    @field_validator("duration_months")
    @classmethod
    def _months(cls, value: int | None) -> int | None:
        if value is not None and value <= 0:
            raise _issue(RowIssue.NEGATIVE)
        return value

    @field_validator("monthly_allowance", mode="before")
    @classmethod
    def _rupiah(cls, value: Any) -> int:
        text = str(value or "0").strip()
        digits = re.sub(r"[^0-9]", "", text.split(",")[0])
        if not digits or text.startswith("-"):
            raise _issue(RowIssue.NOT_RUPIAH)
        return int(digits)

    @field_validator("equipment_aid", "social_security", mode="before")
    @classmethod
    def _yes_no(cls, value: Any) -> bool:
        text = str(value or "").strip().lower()
        if text in YES:
            return True
        if text in NO:
            return False
        raise _issue(RowIssue.NOT_YES_NO)

    @field_validator("min_education", mode="before")
    @classmethod
    def _education(cls, value: Any) -> str | None:
        if value is None:
            return None
        text = str(value).strip().lower().replace("/", "_")
        return {"s1": "d4_s1", "d4": "d4_s1", "tidak sekolah": "none"}.get(text, text)

    @field_validator("interests", mode="before")
    @classmethod
    def _interests(cls, value: Any) -> list[str]:
        parts = value if isinstance(value, list) else str(value or "").split(",")  # a list: rows kept as JSON
        return [str(part).strip().lower() for part in parts if str(part).strip()]

    @field_validator("category", mode="before")
    @classmethod
    def _category(cls, value: Any) -> TrainingCategory | None:
        if value is None:
            return None
        category = CATEGORIES.get(str(value).strip().lower())
        if category is None:
            raise _issue(RowIssue.NOT_A_CATEGORY)
        return category

    @model_validator(mode="after")
    def _complete(self) -> OpeningRow:
        needed = (
            ("title", "category", "start_date", "end_date") if self.kind == "training"
            else ("position", "duration_months")
        )
        missing = [name for name in needed if getattr(self, name) is None]
        if missing:
            raise _issue(RowIssue.NEEDS, kind=self.kind, columns=", ".join(missing))
        if self.start_date and self.end_date and self.end_date < self.start_date:
            raise _issue(RowIssue.ENDS_BEFORE_START)
        if self.start_date and self.deadline > self.start_date:
            raise _issue(RowIssue.DEADLINE_AFTER_START)
        if self.min_age is not None and self.max_age is not None and self.min_age > self.max_age:
            raise _issue(RowIssue.AGES_REVERSED)
        return self


@dataclass(frozen=True, slots=True)
class RowProblem:
    """What is wrong with one row: `issue` and `details` for a translated sentence, `str()` for the console."""

    row: int
    column: str
    issue: RowIssue
    details: Mapping[str, str] = field(default_factory=dict)

    def __str__(self) -> str:
        sentence = ISSUE_TEXT[self.issue].format(**self.details)
        return f"row {self.row}: {self.column}: {sentence}" if self.column else f"row {self.row}: {sentence}"


PYDANTIC_ISSUES = {"missing": RowIssue.MISSING, "int_parsing": RowIssue.NOT_A_NUMBER,
                   "int_from_float": RowIssue.NOT_A_NUMBER, "int_type": RowIssue.NOT_A_NUMBER,
                   "enum": RowIssue.NOT_ALLOWED, "string_too_long": RowIssue.TOO_LONG,
                   "less_than_equal": RowIssue.TOO_LARGE, "greater_than_equal": RowIssue.TOO_SMALL}
LIMITS = ("max_length", "le", "ge")


def check_rows(rows: Sequence[SheetRow], office: Office) -> tuple[list[OpeningRow], list[RowProblem]]:
    """Every row validated; the openings only when no row has a problem."""
    checked: list[OpeningRow] = []
    problems: list[RowProblem] = []
    by_name = {k.name.lower(): k.code for k in office.kecamatan} | {k.code: k.code for k in office.kecamatan}
    for row in rows:
        try:
            filled = {name: value for name, value in row.cells.items() if value.strip()}  # blank: the default
            opening = OpeningRow.model_validate(filled)
        except ValidationError as error:
            problems.extend(_problem(row.number, issue) for issue in error.errors())
            continue
        if opening.kecamatan is not None:
            code = by_name.get(opening.kecamatan.strip().lower())
            if code is None:
                problems.append(RowProblem(row.number, "kecamatan", RowIssue.UNKNOWN_KECAMATAN,
                                           {"value": opening.kecamatan[:40], "regency": office.regency}))
                continue
            opening = opening.model_copy(update={"kecamatan": code})
        checked.append(opening)
    return (checked if not problems else []), problems


def _problem(row: int, error: ErrorDetails) -> RowProblem:
    column = ".".join(str(part) for part in error["loc"] if isinstance(part, str))
    known = {issue.value: issue for issue in RowIssue}
    issue = known.get(error["type"]) or PYDANTIC_ISSUES.get(error["type"], RowIssue.INVALID)
    context = error.get("ctx") or {}
    details = {key: str(value) for key, value in context.items() if key in ("kind", "columns")}
    for key in LIMITS:
        if key in context:
            details["limit"] = str(context[key])
    if issue is RowIssue.NOT_ALLOWED:
        details["allowed"] = str((error.get("ctx") or {}).get("expected", ""))
    if issue is RowIssue.INVALID:
        details["reason"] = error["msg"]
    return RowProblem(row, column, issue, details)


async def save_openings(session: AsyncSession, openings: Sequence[OpeningRow], now: datetime) -> list[Opening]:
    """Add the checked openings (providers found by name, created when new); the caller commits once.
    Entry points call `services.openings.import_openings`, which checks the actor first."""
    saved = [await add_opening(session, opening, now) for opening in openings]
    await session.flush()
    return saved


Opening = TrainingProgram | ApprenticeshipOpening


async def add_opening(session: AsyncSession, row: OpeningRow, now: datetime) -> Opening:
    """One opening from a checked row, its provider found by name or added."""
    opening: Opening = TrainingProgram() if row.kind == "training" else ApprenticeshipOpening()
    opening.created_at = now
    await fill_opening(session, opening, row)
    opening.status = row.status
    opening.published_at = now if row.status != OpeningStatus.DRAFT else None
    session.add(opening)
    return opening


async def fill_opening(session: AsyncSession, opening: Opening, row: OpeningRow) -> None:
    """Put a checked row's values on a new or edited opening of the row's kind (status and dates of
    publishing stay as they are)."""
    training = isinstance(opening, TrainingProgram)
    provider = await provider_named(session, row.provider, training=training)
    if provider is None:
        provider = Provider(name=row.provider.strip(), kind=ProviderKind.BLK if training else ProviderKind.COMPANY,
                            kecamatan=row.kecamatan, address="", contact="")
        session.add(provider)
        await session.flush()
    for name, value in opening_values(row).items():
        setattr(opening, name, value)
    if isinstance(opening, TrainingProgram):
        opening.provider = provider
    else:
        opening.company = provider


def opening_values(row: OpeningRow) -> dict[str, Any]:
    """The opening's columns a row gives, by the row's kind."""
    common = {
        "kecamatan": row.kecamatan, "location": row.location, "quota": row.quota, "min_age": row.min_age,
        "max_age": row.max_age, "min_education": row.min_education, "interests": [str(i) for i in row.interests],
        "other_requirements": row.other_requirements,
    }
    if row.kind == "training":
        return {**common, "title": row.title, "category": row.category, "start_date": row.start_date,
                "end_date": row.end_date, "registration_deadline": row.deadline,
                "funding_source": row.funding_source, "equipment_aid": row.equipment_aid}
    return {**common, "position": row.position, "duration_months": row.duration_months,
            "monthly_allowance": row.monthly_allowance, "social_security": row.social_security,
            "application_deadline": row.deadline, "selection_description": row.selection}
