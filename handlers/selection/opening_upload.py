"""Staff import openings by sending a spreadsheet in chat, where the channel carries files (Telegram).

Steps: `file` (send the CSV or XLSX; every row is checked and every problem reported, row by row, in the
staff member's language, and nothing is kept until the file is right) and `confirm` (how many trainings
and apprenticeships, then all are saved in one commit, or none). The checked rows wait in the
conversation's draft, so a restart between the two steps loses nothing.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from bot.engine.messages import MAX_DOCUMENT_BYTES, Msg, Option, Outgoing, _, ngettext, say
from documents.spreadsheets import SheetError, SheetProblem, read_table_from
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
    begin,
    end_flow,
    leave_flow,
    unless_confirmed,
)
from services.opening_import import ISSUE_TEXT, OpeningRow, RowProblem, check_rows
from services.openings import import_openings
from services.permissions import Actor

MAX_PROBLEMS_SHOWN = 15

SHEET_PROBLEMS: Mapping[SheetProblem, Msg] = MappingProxyType({
    SheetProblem.WRONG_TYPE: _("Please send a .csv or .xlsx file."),
    SheetProblem.NOT_UTF8: _("This CSV file is not UTF-8 text. In Excel choose 'CSV UTF-8' when saving."),
    SheetProblem.BAD_CSV: _("This CSV file cannot be read as a table. Save it again from the spreadsheet."),
    SheetProblem.NOT_XLSX: _("This XLSX file cannot be opened. Save it again from the spreadsheet."),
    SheetProblem.EMPTY: _("The file is empty."),
})


async def start_upload(ctx: Context) -> None:
    await begin(ctx, FLOW)


async def ask_file(_ctx: Context) -> Outgoing:
    return say(
        _("Send the spreadsheet of openings now, as a CSV or XLSX file. The first row names the columns: kind, "
          "provider, deadline, quota and, for trainings, title, category, start_date and end_date; for "
          "apprenticeships, position and duration_months (see the README for all columns)."),
        _("Every row is checked first: nothing is saved until the whole file is right and you confirm."),
    )


async def accept_file(ctx: Context, given: Answer) -> Result:
    document = given.document
    if document is None:
        return Invalid(_("Please send the file itself (CSV or XLSX), not a text message."))
    if len(document.content) > MAX_DOCUMENT_BYTES:
        return Invalid(_("That file is too large: at most {megabytes} MB.").format(
            megabytes=MAX_DOCUMENT_BYTES // (1024 * 1024)))
    try:
        rows = read_table_from(document.name, document.content)
    except SheetError as error:
        return Invalid(SHEET_PROBLEMS[error.problem])
    openings, problems = check_rows(rows, ctx.services.office)
    if problems:
        ctx.send(say(*_problem_report(problems)))
        return Stay()
    if not openings:
        return Invalid(_("The file has a header but no openings below it."))
    return Store({"file": document.name[:80], "rows": [opening.model_dump(mode="json") for opening in openings]})


def _problem_report(problems: list[RowProblem]) -> list[Msg | str]:
    lines: list[Msg | str] = [_("Nothing was imported. Fix these rows and send the file again:")]
    for problem in problems[:MAX_PROBLEMS_SHOWN]:
        issue = Msg(ISSUE_TEXT[problem.issue], problem.details)
        if problem.column:
            lines.append(_("Row {row}, {column}: {issue}").format(row=problem.row, column=problem.column, issue=issue))
        else:
            lines.append(_("Row {row}: {issue}").format(row=problem.row, issue=issue))
    if len(problems) > MAX_PROBLEMS_SHOWN:
        lines.append(ngettext("... and {count} more problem.", "... and {count} more problems.",
                              len(problems) - MAX_PROBLEMS_SHOWN))
    return lines


async def ask_confirm(ctx: Context) -> Outgoing:
    rows = ctx.draft.get("rows", [])
    trainings = sum(1 for row in rows if row["kind"] == "training")
    return say(
        _("{file}: every row is right.").format(file=ctx.draft.get("file", "")),
        _("Import {trainings} trainings and {apprenticeships} apprenticeships? Open ones are published at once "
          "and matching job seekers are told.").format(trainings=trainings, apprenticeships=len(rows) - trainings),
        options=(Option(YES, _("Yes, import them")), Option(NO, _("No, not now"))),
    )


async def accept_confirm(ctx: Context, given: Answer) -> Result:
    if (not_yes := unless_confirmed(given)) is not None:
        return not_yes
    openings = [OpeningRow.model_validate(row) for row in ctx.draft.get("rows", [])]
    count = await import_openings(ctx.session, Actor.of(ctx.user), openings, now=ctx.now)
    end_flow(ctx)
    ctx.send(say(ngettext("{count} opening imported.", "{count} openings imported.", count)))
    return Ended()


FLOW = Flow(
    name="opening_upload",
    steps=(Step("file", ask_file, accept_file, takes_files=True), Step("confirm", ask_confirm, accept_confirm)),
    finish=leave_flow,
    cancel=leave_flow,
)
