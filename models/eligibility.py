"""Who may apply to an opening, and every reason why not, so the job seeker is told all of it at once.

Pure functions over plain values: the caller gathers the opening's terms, the applicant's profile and the
places already taken, and turns each `Ineligible` reason into a localized sentence.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from models.catalog import OpeningStatus
from models.profiles import Education

EDUCATION_RANK: dict[str, int] = {
    Education.NONE: 0,
    Education.SD: 1,
    Education.SMP: 2,
    Education.SMA: 3,
    Education.SMK: 3,  # the same level as SMA; but see `meets_minimum`: an SMK minimum is not met by SMA
    Education.D1: 4,
    Education.D2: 5,
    Education.D3: 6,
    Education.D4_S1: 7,
    Education.S2: 8,
    Education.S3: 9,
}


class Ineligible(StrEnum):
    NOT_REGISTERED = "not_registered"
    NOT_OPEN = "not_open"
    DEADLINE_PASSED = "deadline_passed"
    QUOTA_FULL = "quota_full"
    ALREADY_APPLIED = "already_applied"
    TOO_YOUNG = "too_young"
    TOO_OLD = "too_old"
    EDUCATION_TOO_LOW = "education_too_low"


@dataclass(frozen=True, slots=True)
class OpeningTerms:
    """What an opening asks, whichever kind it is; `deadline` is the last day applications are taken."""

    status: str
    deadline: date
    quota: int
    places_taken: int
    min_age: int | None = None
    max_age: int | None = None
    min_education: str | None = None

    @property
    def places_left(self) -> int:
        return max(self.quota - self.places_taken, 0)


@dataclass(frozen=True, slots=True)
class Applicant:
    birth_date: date
    education: str


def age_on(birth_date: date, day: date) -> int:
    """Age in completed years on `day` (someone born on 29 February turns a year older on 1 March)."""
    had_birthday = (day.month, day.day) >= (birth_date.month, birth_date.day)
    return day.year - birth_date.year - (0 if had_birthday else 1)


def born_on_or_before(day: date, years: int) -> date:
    """The latest birth date of someone at least `years` old on `day`, so an age rule can be a SQL comparison:
    `age_on(birth, day) >= years` exactly when `birth <= born_on_or_before(day, years)`."""
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February, and that year has none
        return day.replace(year=day.year - years, day=28)


def meets_minimum(education: str, minimum: str) -> bool:
    """Whether `education` meets an opening's minimum. The rule offices state: "minimal SMA" takes SMA and SMK
    (the same level), but "minimal SMK" asks for vocational schooling, so SMA does not meet it; any diploma or
    degree above meets both."""
    if minimum == Education.SMK and education == Education.SMA:
        return False
    return EDUCATION_RANK.get(education, 0) >= EDUCATION_RANK.get(minimum, 0)


def levels_at_least(level: str) -> tuple[str, ...]:
    """Every education level that meets a minimum of `level` (for the same rule in SQL)."""
    return tuple(code for code in EDUCATION_RANK if meets_minimum(code, level))


def reasons_not_eligible(
    terms: OpeningTerms, applicant: Applicant | None, *, today: date, already_applied: bool
) -> list[Ineligible]:
    """Every reason the applicant cannot apply today, most fundamental first; empty when they can."""
    if applicant is None:
        return [Ineligible.NOT_REGISTERED]
    reasons: list[Ineligible] = []
    if terms.status != OpeningStatus.OPEN:
        reasons.append(Ineligible.NOT_OPEN)
    elif today > terms.deadline:
        reasons.append(Ineligible.DEADLINE_PASSED)
    elif terms.places_left == 0:
        reasons.append(Ineligible.QUOTA_FULL)
    if already_applied:
        reasons.append(Ineligible.ALREADY_APPLIED)
    age = age_on(applicant.birth_date, today)
    if terms.min_age is not None and age < terms.min_age:
        reasons.append(Ineligible.TOO_YOUNG)
    if terms.max_age is not None and age > terms.max_age:
        reasons.append(Ineligible.TOO_OLD)
    if terms.min_education is not None and not meets_minimum(applicant.education, terms.min_education):
        reasons.append(Ineligible.EDUCATION_TOO_LOW)
    return reasons
