"""The office's staff actions from the command line, acting as the office itself (`Actor.system()`).

Each command parses, opens one transaction through `bot.engine.notify.acting`, calls one service and prints
what it did; the rules (who may, what is valid, who is told) are the services'.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from bot.cli.process import ensure_schema
from bot.engine.notify import acting
from bot.engine.runtime import Runtime
from bot.settings import Settings
from bot.wiring import build_runtime
from documents.spreadsheets import SheetError, read_table, write_table
from models.applications import OpeningKind, OpeningRef
from models.follow_up_schedule import PlanError
from models.users import Role, office_users_named
from services import exports, follow_up_plans, openings, reports, staff, targets
from services.opening_import import check_rows
from services.permissions import Actor
from services.sign_in import login_link, sign_in_url

OFFICE = Actor.system()


@asynccontextmanager
async def office_runtime(settings: Settings) -> AsyncIterator[Runtime]:
    """The database at the latest schema and a runtime for one command, closed afterwards."""
    await ensure_schema(settings)
    runtime = build_runtime(settings)
    try:
        yield runtime
    finally:
        await runtime.aclose()


async def set_staff(settings: Settings, action: str, channel: str, external_id: str,
                    role: str = Role.STAFF) -> int:
    async with office_runtime(settings) as runtime, acting(runtime) as (session, _notices):
        given = await staff.set_staff(session, OFFICE, channel, external_id, action == "add",
                                      locale=settings.default_locale, now=runtime.clock(), role=Role(role))
    print(f"{channel}:{external_id} is now {given}")
    return 0


async def print_login_link(settings: Settings, who: str) -> int:
    async with office_runtime(settings) as runtime, acting(runtime) as (session, _notices):
        found = await office_users_named(session, who)
        if len(found) != 1:
            problem = "is not one of the office's people" if not found else "names several people; use a user id:"
            print(f"{who!r} {problem}", *(f"{u.id} ({u.channel}:{u.external_id})" for u in found), file=sys.stderr)
            return 1
        token = await login_link(session, OFFICE, found[0], runtime.clock())
    print(f"Sign-in link for {who} (valid for 15 minutes, once): {sign_in_url(settings.dashboard_url, token)}")
    return 0


async def import_openings(settings: Settings, path: Path) -> int:
    """Check every row, then save all of them in one transaction, or none with a row-by-row report."""
    try:
        rows = read_table(path)
    except SheetError as error:
        print(error, file=sys.stderr)
        return 1
    async with office_runtime(settings) as runtime:
        checked, problems = check_rows(rows, runtime.services.office)
        if problems:
            print(f"{path.name}: nothing imported; fix these rows and try again:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        async with acting(runtime) as (session, _notices):
            count = await openings.import_openings(session, OFFICE, checked, now=runtime.clock())
    print(f"{path.name}: {count} openings imported")
    return 0


async def export_applicants(settings: Settings, kind: str, opening_id: int, path: Path) -> int:
    async with office_runtime(settings) as runtime:
        async with acting(runtime) as (session, _notices):
            header, rows = await exports.applicant_table(session, OFFICE, OpeningRef(OpeningKind(kind), opening_id),
                                                         runtime.services.office, now=runtime.clock())
        try:
            write_table(path, header, rows)
        except SheetError as error:
            print(error, file=sys.stderr)
            return 1
    print(f"{path.name}: {len(rows)} applicants")
    return 0


async def report(settings: Settings, args: argparse.Namespace) -> int:
    async with office_runtime(settings) as runtime:
        figures = await reports.produce_report(runtime.services.read_apart, OFFICE, args.year, args.program,
                                               kind=OpeningKind(args.kind))
        locale = args.lang or settings.default_locale
        files = reports.write_report(figures, runtime.services.office, runtime.catalogs.translator(locale), locale,
                                     file_format=args.format, output=args.output, chart=args.chart)
    if files.printed is not None:
        print(files.printed, end="")
    if files.written:
        print(f"{files.title}: {', '.join(str(path) for path in files.written)}", file=sys.stderr)
    return 0


async def set_target(settings: Settings, year: int, target: int, category: str) -> int:
    try:
        targets.check_year(year)
        targets.check_target(target)
    except targets.TargetRefused as error:
        print(error, file=sys.stderr)
        return 2
    async with office_runtime(settings) as runtime, acting(runtime) as (session, _notices):
        await targets.set_target(session, OFFICE, year, target, category, now=runtime.clock())
    print(f"target {year}{' ' + category if category else ''}: {target} participants")
    return 0


async def set_follow_up_plan(settings: Settings, program_id: int, raw: str) -> int:
    """Store a program's follow-up plan and recompute the check-ins of every alumnus of it."""
    try:
        plan = follow_up_plans.check_plan(json.loads(raw))
    except (json.JSONDecodeError, PlanError) as error:
        print(error, file=sys.stderr)
        return 2
    try:
        async with office_runtime(settings) as runtime, acting(runtime) as (session, _notices):
            scheduled = await follow_up_plans.set_follow_up_plan(
                session, OFFICE, program_id, plan, office=runtime.services.office, now=runtime.clock())
    except follow_up_plans.NoSuchProgram as error:
        print(error, file=sys.stderr)
        return 1
    print(f"program {program_id}: plan saved, {scheduled} check-ins scheduled")
    return 0
