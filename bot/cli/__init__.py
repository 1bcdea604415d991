"""Command line: `python -m bot run | chat | db | seed-demo | staff | import | export | report | target |
follow-up-plan`.

Each command loads settings (one clear line and exit code 2 when they are wrong), builds a runtime, does its
job in its own transaction and closes the runtime. Staff actions are the services' (`services/`); the commands
here only parse, open the transaction and print.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Sequence

from bot.cli.arguments import parser
from bot.cli.office import (
    export_applicants,
    import_openings,
    print_login_link,
    report,
    set_follow_up_plan,
    set_staff,
    set_target,
)
from bot.cli.process import chat, migrate_database, run, seed
from bot.settings import Settings, SettingsError, ensure_nik_key, load_settings
from models.regions import RegionFileError

__all__ = ["main", "parser"]


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
    match args.command:
        case "db":
            return await migrate_database(settings, args.db_command, getattr(args, "revision", None))
        case "seed-demo":
            return await seed(settings)
        case "run":
            return await run(settings)
        case "export":
            return await export_applicants(settings, args.kind, args.id, args.file)
        case "import":
            return await import_openings(settings, args.file)
        case "report":
            return await report(settings, args)
        case "target":
            return await set_target(settings, args.year, args.target, args.category)
        case "follow-up-plan":
            return await set_follow_up_plan(settings, args.program, args.plan)
        case "staff" if args.staff_command == "login-link":
            return await print_login_link(settings, args.who)
        case "staff":
            return await set_staff(settings, args.staff_command, args.channel, args.id,
                                   getattr(args, "role", "staff"))
    return await chat(settings, args.user, args.lang)
