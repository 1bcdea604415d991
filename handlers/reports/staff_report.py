"""The follow-up report in the chat, for staff only (`/laporan`): choose a year, read its figures, then see the
placement by program as a chart.

The same figures and chart as `python -m bot report`; the other breakdowns are in the files it writes.
"""

from __future__ import annotations

import asyncio

from bot.engine.messages import PNG, Image, Option, Outgoing, _, say
from documents.report_chart import chart_file_name, chart_title, has_placement, placement_chart_of
from documents.report_tables import chat_summary
from handlers.context import Context
from handlers.flow import Answer, Ended, Flow, Invalid, Result, Step, begin, end_flow, leave_flow
from models.files import store_file
from models.reports import FollowUpReport, follow_up_report

YEARS_OFFERED = 3
EARLIEST_YEAR = 2000
NO_CHART = _("There is no placement chart for {year} yet: no alumnus of that year has answered a check-in.")


async def start_report(ctx: Context) -> None:
    await begin(ctx, FLOW)


async def ask_year(ctx: Context) -> Outgoing:
    this_year = ctx.today.year
    years = tuple(Option(str(year), str(year)) for year in range(this_year, this_year - YEARS_OFFERED, -1))
    return say(_("Follow-up report: for the programs of which year? Choose one, or type a year."), options=years)


async def accept_year(ctx: Context, given: Answer) -> Result:
    typed = (given.option or given.text).strip()
    if not (typed.isascii() and typed.isdigit() and EARLIEST_YEAR <= int(typed) <= ctx.today.year):
        return Invalid(_("Please choose a year, or type one like {year}.").format(year=str(ctx.today.year)))
    report = await follow_up_report(ctx.session, int(typed))
    end_flow(ctx)
    ctx.send(say(*chat_summary(report, ctx.user.locale)))
    ctx.send(await placement_chart_message(ctx, report))
    return Ended()


async def placement_chart_message(ctx: Context, report: FollowUpReport) -> Outgoing:
    """The chart, drawn in the reader's language and stored for the outbox to send; a sentence when the year
    has nothing to draw."""
    if not has_placement(report):
        return say(NO_CHART.format(year=str(report.year)))
    # Drawing takes a quarter of a second of CPU: in a thread, the other users' messages go on meanwhile.
    png = await asyncio.to_thread(placement_chart_of, report, ctx.render)
    name = chart_file_name(report)
    file_id = await store_file(ctx.session, name=name, media_type=PNG, content=png, now=ctx.now)
    return Outgoing(text=(chart_title(report),), image=Image(file_id, name, PNG, content=png))


FLOW = Flow(name="report", steps=(Step("year", ask_year, accept_year),), finish=leave_flow, cancel=leave_flow)
