"""Command line: `python -m bot run | chat | db upgrade | seed-demo | report | target set | follow-up-plan`.

Each command loads settings (one clear line and exit code 2 when they are wrong), builds a runtime, does its
job and closes the runtime.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import migrate
from bot.channels.console.channel import ConsoleChannel, chat
from bot.channels.registry import CHANNELS, CONSOLE, configured
from bot.engine.channel_port import RuntimePort
from bot.engine.i18n import SUPPORTED_LOCALES
from bot.engine.runtime import Runtime
from bot.scheduler import build_scheduler
from bot.serve import serve
from bot.settings import Settings, SettingsError, ensure_nik_key, load_settings
from bot.wiring import build_runtime
from documents.report_chart import placement_chart_of
from documents.report_files import markdown, write_csv, write_xlsx
from documents.report_tables import report_tables, report_title
from documents.spreadsheets import SheetError, read_table, write_table
from models.applicant_export import HEADER, applicant_rows
from models.applications import OpeningKind, OpeningRef
from models.catalog import TrainingCategory, get_training
from models.db import create_engine
from models.follow_up_schedule import FollowUpPlan, PlanError
from models.follow_ups import set_follow_up_plan
from models.opening_import import check_rows, save_openings
from models.regions import RegionFileError
from models.reports import follow_up_report
from models.seeds import seed_demo
from models.surveys import SurveyFileError, check_survey_files
from models.targets import ALL_CATEGORIES, set_target
from models.users import Role, set_role


def parser() -> argparse.ArgumentParser:
    root = argparse.ArgumentParser(
        prog="python -m bot",
        description="Sahabat Kerja: the labour office's chatbot on Telegram, WhatsApp and the console.",
    )
    commands = root.add_subparsers(dest="command", required=True, metavar="COMMAND")
    commands.add_parser("run", help="start the bot on the configured channels (console chat when none is)")
    chat_parser = commands.add_parser("chat", help="chat with the bot in this terminal (or through a pipe)")
    chat_parser.add_argument("--user", default="console", help="console user name; several users may coexist")
    chat_parser.add_argument("--lang", choices=SUPPORTED_LOCALES, help="start in this language")
    db = commands.add_parser("db", help="database schema").add_subparsers(dest="db_command", required=True)
    upgrade = db.add_parser("upgrade", help="apply migrations (default: up to the latest)")
    upgrade.add_argument("revision", nargs="?", default="head")
    downgrade = db.add_parser("downgrade", help="revert migrations down to REVISION ('base' for all)")
    downgrade.add_argument("revision")
    db.add_parser("current", help="show the applied revision")
    commands.add_parser("seed-demo", help="load the demo data once (safe to repeat)")
    staff = commands.add_parser("staff", help="who may use the staff commands in the chat")
    staff_commands = staff.add_subparsers(dest="staff_command", required=True)
    for name, purpose in (("add", "grant the staff role"), ("remove", "take the staff role away")):
        action = staff_commands.add_parser(name, help=f"{purpose} to a channel identity")
        action.add_argument("channel", choices=tuple(CHANNELS))
        action.add_argument("id", help="console user name, Telegram user id, or WhatsApp number (wa_id)")
    importing = commands.add_parser("import", help="load data from a spreadsheet")
    sources = importing.add_subparsers(dest="import_what", required=True)
    openings = sources.add_parser("openings", help="trainings and apprenticeships from .csv or .xlsx; all or none")
    openings.add_argument("file", type=Path)
    exporting = commands.add_parser("export", help="write data to a spreadsheet")
    targets = exporting.add_subparsers(dest="export_what", required=True)
    applicants = targets.add_parser("applicants", help="the applicants of one opening, to .csv or .xlsx")
    applicants.add_argument("kind", choices=("training", "apprenticeship"))
    applicants.add_argument("id", type=int, help="the opening's number")
    applicants.add_argument("file", type=Path)
    report = commands.add_parser("report", help="the alumni follow-up report of a year (md, csv or xlsx)")
    report.add_argument("--year", type=int, required=True, help="the year the programs started")
    report.add_argument("--program", type=int, help="one training program's number only")
    report.add_argument("--format", choices=("md", "csv", "xlsx"), default="md")
    report.add_argument("--output", type=Path, help="file to write (md without it: printed)")
    report.add_argument("--chart", type=Path, help="PNG of placement by program (default: beside --output)")
    report.add_argument("--lang", choices=SUPPORTED_LOCALES, help="language of the report (default: DEFAULT_LOCALE)")
    target = commands.add_parser("target", help="the office's yearly training target (participants)")
    target_commands = target.add_subparsers(dest="target_command", required=True)
    set_target_parser = target_commands.add_parser("set", help="set the target of a year")
    set_target_parser.add_argument("year", type=int)
    set_target_parser.add_argument("target", type=int)
    set_target_parser.add_argument("--category", choices=list(TrainingCategory), default=ALL_CATEGORIES,
                                   help="the target of one training category only")
    plan = commands.add_parser("follow-up-plan", help="set how a training's alumni are followed up (JSON)")
    plan.add_argument("program", type=int, help="the training program's number")
    plan.add_argument("plan", help='e.g. \'{"first_after_months": 3, "every_months": 3, "until_months": 12}\'')
    return root


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    if ensure_nik_key():
        print("Generated NIK_ENCRYPTION_KEY into .env: back it up, stored NIKs cannot be read without it.",
              file=sys.stderr)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    try:
        return asyncio.run(_dispatch(args, settings))
    except RegionFileError as error:
        print(f"Configuration error: REGION_FILE {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command == "db":
        return await _db(args, settings)
    if args.command == "seed-demo":
        return await _seed(settings)
    if args.command == "run":
        return await _run(settings)
    if args.command == "export":
        return await _export_applicants(settings, OpeningRef(OpeningKind(args.kind), args.id), args.file)
    if args.command == "import":
        return await _import_openings(settings, args.file)
    if args.command == "report":
        return await _report(settings, args)
    if args.command == "target":
        return await _set_target(settings, args.year, args.target, args.category)
    if args.command == "follow-up-plan":
        return await _set_plan(settings, args.program, args.plan)
    if args.command == "staff":
        return await _staff(settings, args.staff_command, args.channel, args.id)
    return await _chat(settings, args.user, args.lang)


async def _db(args: argparse.Namespace, settings: Settings) -> int:
    engine = create_engine(settings.database_url)
    try:
        if args.db_command == "upgrade":
            await migrate.upgrade(engine, args.revision)
        elif args.db_command == "downgrade":
            await migrate.downgrade(engine, args.revision)
        print(f"database at revision {await migrate.current_revision(engine) or 'base'}")
    finally:
        await engine.dispose()
    return 0


async def _seed(settings: Settings) -> int:
    await _ensure_schema(settings)
    runtime = build_runtime(settings)
    try:
        async with runtime.session_factory() as session, session.begin():
            now = runtime.clock()
            today = runtime.services.office.date_at(now)
            loaded = await seed_demo(session, runtime.services.cipher, now, today)
        print("demo data loaded" if loaded else "demo data already present")
    finally:
        await runtime.aclose()
    return 0


async def _staff(settings: Settings, action: str, channel: str, external_id: str) -> int:
    await _ensure_schema(settings)
    runtime = build_runtime(settings)
    role = Role.STAFF if action == "add" else Role.MEMBER
    try:
        async with runtime.session_factory() as session, session.begin():
            await set_role(session, channel, external_id, role, locale=settings.default_locale, now=runtime.clock())
        print(f"{channel}:{external_id} is now {role}")
    finally:
        await runtime.aclose()
    return 0


async def _import_openings(settings: Settings, path: Path) -> int:
    """Check every row, then save all of them in one transaction, or none with a row-by-row report."""
    try:
        rows = read_table(path)
    except SheetError as error:
        print(error, file=sys.stderr)
        return 1
    await _ensure_schema(settings)
    runtime = build_runtime(settings)
    try:
        openings, problems = check_rows(rows, runtime.services.office)
        if problems:
            print(f"{path.name}: nothing imported; fix these rows and try again:", file=sys.stderr)
            for problem in problems:
                print(f"  {problem}", file=sys.stderr)
            return 1
        async with runtime.session_factory() as session, session.begin():
            count = await save_openings(session, openings, runtime.clock())
        print(f"{path.name}: {count} openings imported")
    finally:
        await runtime.aclose()
    return 0


async def _export_applicants(settings: Settings, opening: OpeningRef, path: Path) -> int:
    await _ensure_schema(settings)
    runtime = build_runtime(settings)
    try:
        async with runtime.session_factory() as session:
            rows = await applicant_rows(session, opening, runtime.services.office)
        write_table(path, HEADER, rows)
    except SheetError as error:
        print(error, file=sys.stderr)
        return 1
    finally:
        await runtime.aclose()
    print(f"{path.name}: {len(rows)} applicants")
    return 0


async def _report(settings: Settings, args: argparse.Namespace) -> int:
    await _ensure_schema(settings)
    runtime = build_runtime(settings)
    try:
        async with runtime.session_factory() as session:
            report = await follow_up_report(session, args.year, args.program)
    finally:
        await runtime.aclose()
    locale = args.lang or settings.default_locale
    translate = runtime.catalogs.translator(locale)
    tables = report_tables(report, runtime.services.office, translate, locale)
    title = translate(report_title(report))
    output: Path | None = args.output
    if output is None and args.format != "md":
        output = Path(f"laporan-{args.year}.{args.format}")
    if output is None:
        print(markdown(title, tables), end="")
    elif args.format == "md":
        output.write_text(markdown(title, tables), encoding="utf-8")
    elif args.format == "csv":
        write_csv(output, tables)
    else:
        write_xlsx(output, tables)
    chart: Path | None = args.chart or (output.with_suffix(".png") if output is not None else None)
    if chart is not None:
        chart.write_bytes(placement_chart_of(report, translate))
    written = ", ".join(str(path) for path in (output, chart) if path is not None)
    if written:
        print(f"{title}: {written}", file=sys.stderr)
    return 0


async def _set_target(settings: Settings, year: int, target: int, category: str) -> int:
    if target <= 0:
        print("The target must be a positive number of participants.", file=sys.stderr)
        return 2
    await _ensure_schema(settings)
    runtime = build_runtime(settings)
    try:
        async with runtime.session_factory() as session, session.begin():
            await set_target(session, year, target, category)
    finally:
        await runtime.aclose()
    print(f"target {year}{' ' + category if category else ''}: {target} participants")
    return 0


async def _set_plan(settings: Settings, program_id: int, raw: str) -> int:
    """Store a program's follow-up plan and recompute the check-ins of every alumnus of it."""
    try:
        plan = json.loads(raw)
        if not isinstance(plan, dict):
            raise PlanError("follow-up plan: give a JSON object, like {\"every_months\": 3}")
        FollowUpPlan.from_json(plan)
    except (json.JSONDecodeError, PlanError) as error:
        print(error, file=sys.stderr)
        return 2
    await _ensure_schema(settings)
    runtime = build_runtime(settings)
    try:
        async with runtime.session_factory() as session, session.begin():
            program = await get_training(session, program_id)
            if program is None:
                print(f"There is no training program {program_id}.", file=sys.stderr)
                return 1
            scheduled = await set_follow_up_plan(session, program, plan, runtime.services.office.timezone,
                                                 runtime.clock())
    finally:
        await runtime.aclose()
    print(f"program {program_id}: plan saved, {scheduled} check-ins scheduled")
    return 0


async def _ensure_schema(settings: Settings) -> None:
    """Bring the database to the latest schema; a no-op when it already is (safe with several workers)."""
    engine = create_engine(settings.database_url)
    try:
        await migrate.upgrade(engine)
    finally:
        await engine.dispose()


async def _run(settings: Settings) -> int:
    try:
        check_survey_files()
    except SurveyFileError as error:
        print(f"Configuration error: survey file {error}", file=sys.stderr)
        return 2
    await _ensure_schema(settings)
    if configured(settings.model_dump()):
        return await serve(settings)
    print("No channel credentials configured: starting the console chat. Type /help for help, Ctrl-D to leave.",
          file=sys.stderr)
    return await _chat(settings, CONSOLE, None, with_jobs=True)


async def _chat(settings: Settings, user: str, lang: str | None, *, with_jobs: bool = False) -> int:
    """The console conversation; `run` also starts the scheduled jobs, a side `chat` session does not."""
    await _ensure_schema(settings)
    runtime: Runtime = build_runtime(settings, {CONSOLE: ConsoleChannel(sys.stdout)})
    scheduler = build_scheduler(runtime) if with_jobs else None
    if scheduler is not None:
        scheduler.start()
    try:
        await chat(RuntimePort(runtime), user, locale=lang)
    finally:
        if scheduler is not None:
            scheduler.shutdown(wait=False)
        await runtime.aclose()
    return 0
