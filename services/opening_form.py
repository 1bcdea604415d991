"""An opening typed into the dashboard's form, checked by the same rules as a spreadsheet row.

The form's fields carry the import's column names, so one `OpeningRow` decides for the chat's upload, the
command line and the web alike; here its problems become a sentence beside each field. `opening_cells`
goes the other way (an opening as the form shows it), which also gives the audit trail's before and after.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from datetime import date

from bot.engine.messages import Msg, _
from documents.spreadsheets import SheetRow
from models.catalog import ApprenticeshipOpening, OpeningStatus, TrainingProgram
from models.profiles import Interest
from models.regions import Office
from services.opening_import import COLUMNS, ISSUE_TEXT, OpeningRow, RowIssue, RowProblem, check_rows

FIELDS = tuple(column for column in COLUMNS if column != "status")
"""What the form has: every column but the status, which publishing and closing change."""
MAX_FIELD = 2000
FieldErrors = dict[str, Msg]

BESIDE: Mapping[RowIssue, tuple[str, Msg]] = {
    RowIssue.ENDS_BEFORE_START: ("end_date", _("The end date is before the start date.")),
    RowIssue.DEADLINE_AFTER_START: ("deadline", _("The registration deadline is after the start date.")),
    RowIssue.AGES_REVERSED: ("max_age", _("The maximum age is below the minimum age.")),
}
"""Where a problem of the whole row is shown on the form, and how it is worded there."""


def form_cells(form: Mapping[str, str]) -> dict[str, str]:
    """The form's fields as a spreadsheet row: skill areas ticked one by one become the column's list."""
    cells = {name: form.get(name, "")[:MAX_FIELD] for name in FIELDS if name != "interests"}
    cells["interests"] = ",".join(str(area) for area in Interest if form.get(f"interest_{area}"))
    for flag in ("equipment_aid", "social_security"):
        cells[flag] = "ya" if cells[flag] else "tidak"
    return cells


def check_form(cells: Mapping[str, str], office: Office, status: OpeningStatus) -> OpeningRow | FieldErrors:
    """The opening the form describes, or a sentence for each field to fix."""
    blank = {name: value.strip() for name, value in cells.items()}
    checked, problems = check_rows([SheetRow(0, {**blank, "status": status.value})], office)
    if not problems:
        return checked[0]
    errors: FieldErrors = {}
    for problem in problems:
        for name, sentence in _beside(problem):
            errors.setdefault(name, sentence)
    return errors


def _beside(problem: RowProblem) -> list[tuple[str, Msg]]:
    if problem.issue is RowIssue.NEEDS:
        return [(name.strip(), Msg(ISSUE_TEXT[RowIssue.MISSING])) for name in problem.details["columns"].split(",")]
    if problem.issue is RowIssue.NEGATIVE:
        return [(problem.column, _("Write 0 or more.") if problem.column == "quota" else _("Write a number above 0."))]
    if problem.issue in BESIDE:
        return [BESIDE[problem.issue]]
    return [(problem.column or "kind", Msg(ISSUE_TEXT[problem.issue], problem.details))]


TRAINING_ONLY = ("title", "category", "start_date", "end_date", "funding_source", "equipment_aid")
APPRENTICESHIP_ONLY = ("position", "duration_months", "monthly_allowance", "social_security", "selection")


def opening_cells(opening: TrainingProgram | ApprenticeshipOpening) -> dict[str, str]:
    """An opening's values as the form (and the import) write them."""
    values: dict[str, object] = {
        "provider": "", "kecamatan": opening.kecamatan, "location": opening.location, "quota": opening.quota,
        "deadline": opening.deadline, "min_age": opening.min_age, "max_age": opening.max_age,
        "min_education": opening.min_education, "interests": opening.interests,
        "other_requirements": opening.other_requirements}
    if isinstance(opening, TrainingProgram):
        values |= {"kind": "training", "provider": opening.provider.name, "title": opening.title,
                   "category": opening.category, "start_date": opening.start_date, "end_date": opening.end_date,
                   "funding_source": opening.funding_source, "equipment_aid": opening.equipment_aid}
    else:
        values |= {"kind": "apprenticeship", "provider": opening.company.name, "position": opening.position,
                   "duration_months": opening.duration_months, "monthly_allowance": opening.monthly_allowance,
                   "social_security": opening.social_security, "selection": opening.selection_description}
    return _cells(values)


def row_cells(row: OpeningRow) -> dict[str, str]:
    """A checked row's values written as `opening_cells` writes a saved opening's: equal when saving changes
    nothing."""
    return _cells({name: getattr(row, name) for name in FIELDS} | {"provider": row.provider.strip()})


def _cells(values: Mapping[str, object]) -> dict[str, str]:
    other = APPRENTICESHIP_ONLY if values["kind"] == "training" else TRAINING_ONLY
    return {name: _text(values.get(name)) for name in FIELDS if name not in other}


def _text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "ya" if value else "tidak"
    if isinstance(value, list):
        return ",".join(str(area) for area in Interest if str(area) in {str(v) for v in value})
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def version_of(cells: Mapping[str, str]) -> str:
    """A short fingerprint of an opening's values: the edit form carries it, so a save over someone else's newer
    change is noticed instead of silently undoing it."""
    return hashlib.sha256(json.dumps(dict(cells), sort_keys=True).encode()).hexdigest()[:16]
