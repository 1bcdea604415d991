"""`python -m bot whatsapp templates list | sync | submit`, and the start-up warning for purposes that WhatsApp
has not approved a template for: the office learns before a broadcast, not from its failures.

The rules are `services.whatsapp_templates`'; here the business account is reached (`templates_api`), one
transaction is opened, and the states are printed one line a template.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from bot.channels.whatsapp.templates_api import NotConfigured, TemplateApiError, opened_account
from bot.cli.office import OFFICE, office_runtime
from bot.engine.notify import acting
from bot.engine.runtime import Runtime
from bot.settings import Settings
from models.whatsapp_templates import TemplateStatus
from services.whatsapp_templates import (
    PurposeTemplate,
    missing_approvals,
    submit_missing,
    sync_templates,
    template_table,
    undeliverable,
)


async def templates(settings: Settings, command: str) -> int:
    overrides = settings.whatsapp_templates
    async with office_runtime(settings) as runtime:
        if command != "list":
            try:
                async with opened_account(settings.model_dump()) as account, acting(runtime) as (session, _notices):
                    if command == "sync":
                        count = await sync_templates(session, OFFICE, account, runtime.clock())
                        print(f"{count} templates read from the business account")
                    else:
                        result = await submit_missing(session, OFFICE, account, runtime.clock())
                        print(f"{len(result.submitted)} submitted for review, {len(result.resubmitted)} submitted "
                              f"again after a change, {result.already} already on the account, "
                              f"{len(result.refused)} refused")
                        for refused in result.refused:
                            print(f"  refused: {refused.name} ({refused.language}): {refused.reason}",
                                  file=sys.stderr)
            except TemplateApiError as error:
                print(error, file=sys.stderr)
                return 2 if isinstance(error, NotConfigured) else 1
        async with acting(runtime) as (session, _notices):
            table = await template_table(session, OFFICE, overrides)
    print(*table_lines(table), sep="\n")
    missing = [row for row in table if not row.usable]
    if missing:
        print(*warning_lines(missing, settings.default_locale), sep="\n", file=sys.stderr)
    return 0


def table_lines(table: Sequence[PurposeTemplate]) -> list[str]:
    lines = [f"{'purpose':<14} {'lang':<4} {'template':<34} {'status':<10} reason"]
    for row in table:
        name = f"{row.name} (WHATSAPP_TEMPLATES)" if row.overridden else row.name
        lines.append(f"{row.purpose:<14} {row.language:<4} {name:<34} {row.status:<10} {row.reason or ''}".rstrip())
    return lines


def warning_lines(missing: Sequence[PurposeTemplate], default_locale: str) -> list[str]:
    """One line for each purpose and language without an approved template, saying what that means."""
    lost = {(row.purpose, row.language) for row in undeliverable(missing, default_locale)}
    lines = []
    for row in missing:
        effect = ("messages to people whose 24-hour window has closed cannot be delivered"
                  if (row.purpose, row.language) in lost else "the general notification template stands in")
        lines.append(f"Warning: no approved WhatsApp template for {row.purpose} in {row.language} "
                     f"({row.name}: {row.status}{': ' + row.reason if row.reason else ''}); {effect}.")
    if any(row.status == TemplateStatus.MISSING and not row.overridden for row in missing):
        lines.append("Submit the missing ones with: python -m bot whatsapp templates submit")
    if any(row.status != TemplateStatus.MISSING for row in missing):
        lines.append("Read their latest review with: python -m bot whatsapp templates sync")
    return lines


async def warn_of_missing_templates(settings: Settings, runtime: Runtime) -> None:
    """At start, with WhatsApp configured: the purposes and languages WhatsApp has not approved a template for."""
    async with runtime.session_factory() as session:
        missing = await missing_approvals(session, settings.whatsapp_templates)
    if missing:
        print(*warning_lines(missing, settings.default_locale), sep="\n", file=sys.stderr)
