"""The command line's arguments: every command, its options and their help, in one parser."""

from __future__ import annotations

import argparse
from pathlib import Path

from bot.channels.registry import CHANNELS
from bot.engine.i18n import SUPPORTED_LOCALES
from models.categories import ALL_CATEGORIES, TrainingCategory


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
        if name == "add":
            action.add_argument("--role", choices=("viewer", "staff", "admin"), default="staff",
                                help="viewer: reports only; staff: everything but managing staff; admin: all")
    link = staff_commands.add_parser("login-link", help="print a single-use link (15 minutes) that signs a "
                                                        "staff member in to the dashboard")
    link.add_argument("who", help="their console user name, Telegram user id, WhatsApp number, or user id")
    importing = commands.add_parser("import", help="load data from a spreadsheet")
    sources = importing.add_subparsers(dest="import_what", required=True)
    openings = sources.add_parser("openings", help="trainings and apprenticeships from .csv or .xlsx; all or none")
    openings.add_argument("file", type=Path)
    _poster_commands(commands)
    exporting = commands.add_parser("export", help="write data to a spreadsheet")
    targets = exporting.add_subparsers(dest="export_what", required=True)
    applicants = targets.add_parser("applicants", help="the applicants of one opening, to .csv or .xlsx")
    applicants.add_argument("kind", choices=("training", "apprenticeship"))
    applicants.add_argument("id", type=int, help="the opening's number")
    applicants.add_argument("file", type=Path)
    _report(commands)
    _poster(commands)
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
    _whatsapp(commands)
    return root


def _report(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    report = commands.add_parser("report", help="the alumni follow-up report of a year (md, csv or xlsx)")
    report.add_argument("--year", type=int, required=True,
                        help="the year the programs started (apprenticeships: their application deadline)")
    report.add_argument("--kind", choices=("training", "apprenticeship"), default="training",
                        help="trainings (default) or apprenticeships")
    report.add_argument("--program", type=int, help="one training program's (or apprenticeship opening's) number")
    report.add_argument("--format", choices=("md", "csv", "xlsx"), default="md")
    report.add_argument("--output", type=Path, help="file to write (md without it: printed)")
    report.add_argument("--chart", type=Path, help="PNG of placement by program (default: beside --output)")
    report.add_argument("--lang", choices=SUPPORTED_LOCALES, help="language of the report (default: DEFAULT_LOCALE)")


def _poster(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    poster = commands.add_parser("poster", help="the office's printable poster with QR codes to chat with the bot "
                                                "(A4 PDF and PNG)")
    poster.add_argument("--opening", metavar="CODE", help="a poster for one opening, by its code (t12, a3)")
    poster.add_argument("--locale", choices=SUPPORTED_LOCALES, help="its language (default: DEFAULT_LOCALE)")
    poster.add_argument("--out", type=Path, default=Path(), metavar="DIR",
                        help="the folder to write poster.pdf and poster.png in (default: here)")


def _whatsapp(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    whatsapp = commands.add_parser("whatsapp", help="the WhatsApp business account")
    whatsapp_commands = whatsapp.add_subparsers(dest="whatsapp_command", required=True)
    templates = whatsapp_commands.add_parser("templates", help="the message templates sent outside the 24-hour "
                                                               "window, one per purpose and language")
    templates.add_argument("templates_command", choices=("list", "sync", "submit"),
                           help="list: their states as last read; sync: read them from WhatsApp; submit: submit "
                                "the missing ones for review")


def _poster_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """`openings attach CODE FILE`, `openings detach CODE`, and the same for `broadcasts` by number."""
    for noun, key, what in (("openings", "code", "the opening's code, e.g. t12 or a3"),
                            ("broadcasts", "id", "the number of a broadcast not yet sent")):
        attaching = commands.add_parser(noun, help=f"a poster (JPEG, PNG, WebP) or PDF brochure on {noun}")
        actions = attaching.add_subparsers(dest="poster_command", required=True)
        attach = actions.add_parser("attach", help="attach the file, replacing the one it had")
        attach.add_argument(key, type=int if key == "id" else str, help=what)
        attach.add_argument("file", type=Path)
        detach = actions.add_parser("detach", help="remove its poster or brochure")
        detach.add_argument(key, type=int if key == "id" else str, help=what)
