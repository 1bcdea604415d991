"""Command line: `python -m bot run | chat | db | seed-demo | staff | import | export | report | poster | target |
follow-up-plan | whatsapp | openings | broadcasts`.

Each command loads settings (one clear line and exit code 2 when they are wrong), builds a runtime, does its
job in its own transaction and closes the runtime. Staff actions are the services' (`services/`); the commands
here only parse, open the transaction and print.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

from bot.cli.arguments import parser

if TYPE_CHECKING:
    from bot.settings import Settings

__all__ = ["main", "parser"]

# Each command imports what it needs when it runs, not here: `--help` and a mistyped argument need none of it,
# and `chat` need not load the web server, spreadsheets or reports (python -m bot --help in well under 2 s).


def main(argv: Sequence[str] | None = None) -> int:
    args = parser().parse_args(argv)
    from bot.settings import SettingsError, ensure_nik_key, load_settings
    from models.regions import RegionFileError

    if ensure_nik_key():
        print("Generated NIK_ENCRYPTION_KEY into .env: back it up, stored NIKs cannot be read without it.",
              file=sys.stderr)
    try:
        settings = load_settings()
    except SettingsError as error:
        print(error, file=sys.stderr)
        return 2
    from bot.log_format import configure_logging

    configure_logging(settings.log_level, settings.log_format)
    try:
        return asyncio.run(_dispatch(args, settings))
    except RegionFileError as error:
        print(f"Configuration error: REGION_FILE {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


async def _dispatch(args: argparse.Namespace, settings: Settings) -> int:
    if args.command in ("run", "chat", "db", "seed-demo"):
        from bot.cli import process

        match args.command:
            case "db":
                return await process.migrate_database(settings, args.db_command, getattr(args, "revision", None))
            case "seed-demo":
                return await process.seed(settings)
            case "run":
                return await process.run(settings)
        return await process.chat(settings, args.user, args.lang)
    if args.command == "poster":
        from bot.cli.poster import write_poster

        return await write_poster(settings, args.opening, args.locale, args.out)

    if args.command == "whatsapp":
        from bot.cli import whatsapp

        return await whatsapp.templates(settings, args.templates_command)

    if args.command in ("openings", "broadcasts"):
        from bot.cli import posters

        file = getattr(args, "file", None)
        if args.command == "openings":
            return await posters.opening_poster(settings, args.code, file)
        return await posters.broadcast_poster(settings, args.id, file)
    from bot.cli import office

    match args.command:
        case "export":
            return await office.export_applicants(settings, args.kind, args.id, args.file)
        case "import":
            return await office.import_openings(settings, args.file)
        case "report":
            return await office.report(settings, args)
        case "target":
            return await office.set_target(settings, args.year, args.target, args.category)
        case "follow-up-plan":
            return await office.set_follow_up_plan(settings, args.program, args.plan)
    if args.staff_command == "login-link":
        return await office.print_login_link(settings, args.who)
    return await office.set_staff(settings, args.staff_command, args.channel, args.id, getattr(args, "role", "staff"))
