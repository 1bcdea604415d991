"""/ekspor: everything the office holds about the person, in their language (UU 27/2022 gives them the right to
all of it): the profile with the NIK in full, every application with its history and completion, the monthly
check-ins and their answers, what they chose not to receive, and when and how they agreed to messages from the bot
and stopped them (`models.opt_ins`).

It comes as a message, then as a text file to keep, on every channel (each carries files). Both are marked
sensitive: once delivered, the outbox keeps neither the text nor the file.
"""

from __future__ import annotations

from bot.engine.messages import PLAIN_TEXT, Image, Msg, Outgoing, _, say
from documents import labels
from handlers.checkins.answers_in_words import check_in_export_lines
from handlers.context import Context
from handlers.registration.fields import profile_lines
from models.applications import opening_title
from models.files import store_file
from models.opt_ins import OptInSource, opt_in_history
from models.personal_data import ApplicationRecord, application_records
from models.profiles import JobSeekerProfile, answers_of, get_profile
from models.tickets import attachments, tickets_of

FILE_NAME = "data-sahabat-kerja.txt"


async def export_data(ctx: Context) -> None:
    profile = await get_profile(ctx.session, ctx.user.id)
    questions = await ticket_lines(ctx)
    agreements = await opt_in_lines(ctx)
    if profile is None and not questions and not agreements:
        ctx.send(say(_("You are not registered yet, so we hold no personal data about you.")))
        return
    lines = [*await export_lines(ctx, profile), *agreements, *questions] if profile is not None else \
        [_("All data we hold about you:"), _channel_line(ctx), *agreements, *questions]
    ctx.send(say(*lines, sensitive=True))
    content = "\n".join(ctx.render(line) for line in lines).encode("utf-8")
    file_id = await store_file(ctx.session, name=FILE_NAME, media_type=PLAIN_TEXT, content=content, now=ctx.now)
    ctx.send(Outgoing(text=(_("The same data as a file to keep."),), sensitive=True,
                      image=Image(file_id, FILE_NAME, PLAIN_TEXT, content=content)))


async def export_lines(ctx: Context, profile: JobSeekerProfile) -> list[Msg | str]:
    user = ctx.user
    return [
        _("All data we hold about you:"),
        *profile_lines(ctx, answers_of(profile)),
        _("Language: {value}").format(value=labels.LANGUAGE_NAMES.get(user.locale, user.locale)),
        _("Consent given: {value} (version {version})").format(
            value=profile.consented_at.date(), version=profile.consent_version
        ),
        _("Registered: {value}").format(value=profile.registered_at.date()),
        _channel_line(ctx),
        _("Announcements: stopped on {date} at your request.").format(date=user.stopped_at)
        if user.stopped_at is not None else _("Announcements: you receive them."),
        _("Alerts about new openings: on.") if user.opening_alerts else _("Alerts about new openings: off."),
        *await _application_lines(ctx),
        *await check_in_export_lines(ctx),
    ]


def _channel_line(ctx: Context) -> Msg:
    return _("Channel: {channel}, account {account}").format(channel=ctx.user.channel, account=ctx.user.external_id)


AGREED_BY: dict[str, Msg] = {
    OptInSource.FIRST_MESSAGE: _("- {date}: you wrote to us first, on {channel}."),
    OptInSource.CONSENT: _("- {date}: you agreed at registration, on {channel} (consent wording of {detail})."),
    OptInSource.KEYWORD: _("- {date}: you sent {detail}, on {channel}."),
    OptInSource.START_LINK: _("- {date}: you sent /start {detail}, on {channel}."),
}
"""How each kind of agreement reads in the export (`models.opt_ins.OptInSource`)."""


async def opt_in_lines(ctx: Context) -> list[Msg | str]:
    """Each time they agreed to messages the bot starts (announcements, alerts, check-ins), and stopped them."""
    lines: list[Msg | str] = []
    for row in await opt_in_history(ctx.session, ctx.user.id):
        agreed = AGREED_BY.get(row.source, AGREED_BY[OptInSource.KEYWORD]) if row.detail or \
            row.source != OptInSource.START_LINK else _("- {date}: you sent /start, on {channel}.")
        lines.append(agreed.format(date=row.agreed_at.date(), channel=row.channel, detail=row.detail))
        if row.stopped_at is not None:
            lines.append(_("  stopped on {date} at your request.").format(date=row.stopped_at.date()))
    return [_("When you agreed to receive messages from us:"), *lines] if lines else []


async def ticket_lines(ctx: Context) -> list[Msg | str]:
    """The questions they asked the office and every message of each thread, theirs and the office's."""
    lines: list[Msg | str] = []
    for ticket, messages in await tickets_of(ctx.session, ctx.user.id):
        lines.append(_("Your question #{ticket}, asked on {date}:").format(ticket=ticket.id,
                                                                          date=ticket.created_at.date()))
        files = await attachments(ctx.session, ticket.id)
        for message in messages:
            lines.append((_("- {date}, the office: {text}") if message.from_staff else _("- {date}, you: {text}"))
                         .format(date=message.created_at.date(), text=message.text))
            if (file := files.get(message.id)) is not None:
                lines.append(_("  with the file {name} ({kilobytes} KB)").format(
                    name=file.name, kilobytes=max(file.size // 1024, 1)))
    return lines


async def _application_lines(ctx: Context) -> list[Msg | str]:
    records = await application_records(ctx.session, ctx.user.id)
    if not records:
        return [_("Applications: none.")]
    lines: list[Msg | str] = [_("Your applications:")]
    for record in records:
        lines += _application(record)
    return lines


def _application(record: ApplicationRecord) -> list[Msg | str]:
    title = opening_title(record.opening) if record.opening is not None else "-"
    lines: list[Msg | str] = [_("{title}, sent on {date}:").format(title=title,
                                                                    date=record.application.submitted_at)]
    lines += [_("- {date}: {status}").format(date=change.changed_at,
                                              status=labels.STATUS_FOR_APPLICANT.get(change.status, change.status))
              for change in record.history]
    if record.completion is not None:
        lines.append(_("- completed on {date}").format(date=record.completion.completed_on))
    return lines
