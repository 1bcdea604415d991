"""The follow-up report in the chat, for staff only (`/laporan`): choose a year, read its figures.

The same figures as `python -m bot report`; the placement chart is in the files the command line writes,
since the channels cannot send images yet.
"""

from __future__ import annotations

from handlers.context import Context
from handlers.flow import Answer, Ended, Flow, Invalid, Result, Step, begin, end_flow, leave_flow
from handlers.messages import Option, Outgoing, _, say
from handlers.report_tables import chat_summary
from models.reports import follow_up_report

YEARS_OFFERED = 3
EARLIEST_YEAR = 2000


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
    return Ended()


FLOW = Flow(name="report", steps=(Step("year", ask_year, accept_year),), finish=leave_flow, cancel=leave_flow)
