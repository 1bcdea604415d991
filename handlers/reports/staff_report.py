"""The follow-up report in the chat, for staff only (`/laporan`): choose a year, read its figures, then see the
placement by program as a chart.

The same figures and chart as `python -m bot report`; the other breakdowns are in the files it writes.
"""

from __future__ import annotations

from bot.engine.messages import Image, Option, Outgoing, _, say
from documents.report_chart import chart_title
from documents.report_tables import chat_summary
from handlers.context import Context
from handlers.flow import Answer, Ended, Flow, Invalid, Result, Step, begin, end_flow, leave_flow
from services.permissions import Actor
from services.question_report import question_figures, question_lines
from services.reports import ChatReport, prepare_chat_report, store_placement_chart

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
    actor, year, render, read_apart = Actor.of(ctx.user), int(typed), ctx.render, ctx.services.read_apart
    # Seconds at a million alumni: after the commit, apart, so that nobody else's reply waits (`show_report`
    # ends the flow and says it all).
    ctx.after_commit(lambda: prepare_chat_report(read_apart, actor, year, render), show_report)
    return Ended()


async def show_report(ctx: Context, prepared: ChatReport) -> None:
    """The summary and the chart, once the report is ready; then the menu, as after any flow."""
    end_flow(ctx)
    asked = await question_figures(ctx.session, Actor.of(ctx.user), ctx.services.office, ctx.now)
    ctx.send(say(*chat_summary(prepared.report, ctx.user.locale), "", *question_lines(asked)))
    ctx.send(await placement_chart_message(ctx, prepared))


async def placement_chart_message(ctx: Context, prepared: ChatReport) -> Outgoing:
    """The chart, stored for the outbox to send; a sentence when the year has nothing to draw."""
    report = prepared.report
    chart = await store_placement_chart(ctx.session, prepared, now=ctx.now)
    if chart is None:
        return say(NO_CHART.format(year=str(report.year)))
    return Outgoing(text=(chart_title(report),),
                    image=Image(chart.file_id, chart.name, chart.media_type, content=chart.content))


FLOW = Flow(name="report", steps=(Step("year", ask_year, accept_year),), finish=leave_flow, cancel=leave_flow)
