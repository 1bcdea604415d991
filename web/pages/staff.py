"""The office's people (`/dasbor/staf`), for admins: who may use the dashboard and the staff commands, in which
role, when they last signed in; adding someone by their chat identity, changing a role, removing someone (after
a confirmation) and ending their sessions. Every change is `services.staff`'s, audited there."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from bot.engine.messages import Msg, _, ngettext
from documents.labels import CHANNEL, OFFICE_ROLE, ROLE
from models.users import Role, get_user
from services.staff import (
    IdentityProblem,
    IdentityRefused,
    OwnRole,
    change_role,
    office_members,
    revoke_staff_sessions,
    set_staff,
    staff_identity,
)
from web.dashboard import HOME, Call, Dashboard, Need
from web.listing import office_time

PATH = HOME + "/staf"
TYPED_LIMIT = 64
IDENTITY_WORDS: dict[IdentityProblem, Msg] = {
    IdentityProblem.CHANNEL: _("Please choose Telegram, WhatsApp or Console."),
    IdentityProblem.TELEGRAM: _("Please enter the Telegram numeric user id (digits only, e.g. 123456789); the "
                                "person can see it by sending /start to @userinfobot."),
    IdentityProblem.WHATSAPP: _("Please enter an Indonesian mobile number, e.g. 0812 3456 7890."),
    IdentityProblem.CONSOLE: _("Please enter a console name of letters, digits, dots, dashes or underscores, at "
                               "most 32 characters."),
}
OWN_ROLE = _("You cannot remove yourself or lower your own role. Please ask another admin to do it.")


def _role(raw: str) -> Role | None:
    return Role(raw) if raw in OFFICE_ROLE else None


def routes(dashboard: Dashboard) -> APIRouter:
    router = APIRouter()

    async def _list(request: Request, call: Call, status_code: int = 200, **context: Any) -> Response:
        members = await office_members(call.session, call.visit.actor, dashboard.now())
        context.setdefault("errors", {})
        context.setdefault("typed", {"channel": "telegram", "external_id": "", "role": Role.STAFF})
        return dashboard.page(request, "staff/list.html", call.visit, status_code=status_code, active="staff",
                              members=members, path=PATH, roles=OFFICE_ROLE, role_names=ROLE, channels=CHANNEL,
                              typed_limit=TYPED_LIMIT, office_time=office_time(dashboard.office), **context)

    async def _done(request: Request, call: Call, said: Msg) -> Response:
        return await _list(request, call, notice=said)

    @router.get(PATH)
    async def staff_list(request: Request) -> Response:
        async with dashboard.call(request, need=Need.ADMIN) as call:
            return await _list(request, call)

    @router.post(PATH)
    async def add(request: Request) -> Response:
        async with dashboard.call(request, need=Need.ADMIN, form=True) as call:
            channel = call.form.get("channel", "")
            typed = {"channel": channel, "external_id": call.form.get("external_id", "")[:TYPED_LIMIT],
                     "role": call.form.get("role", "")}
            errors: dict[str, Msg] = {}
            role = _role(typed["role"])
            if role is None:
                errors["role"] = _("Please choose one of the roles offered.")
            try:
                external_id = staff_identity(channel, typed["external_id"])
            except IdentityRefused as refused:
                field = "channel" if refused.problem is IdentityProblem.CHANNEL else "external_id"
                errors[field] = IDENTITY_WORDS[refused.problem]
            if errors or role is None:
                return await _list(request, call, status_code=400, errors=errors, typed=typed)
            try:
                await set_staff(call.session, call.visit.actor, channel, external_id, True,
                                locale=dashboard.runtime.catalogs.default, now=dashboard.now(), role=role)
            except OwnRole:
                return await _list(request, call, status_code=409, problem=OWN_ROLE, typed=typed)
            return await _done(request, call, _("{channel} {id} is now {role}. They can ask the bot for a sign-in "
                                                "link with /masuk.").format(channel=CHANNEL[channel], id=external_id,
                                                                            role=ROLE[role]))

    @router.post(PATH + "/{user_id:int}/peran")
    async def set_role(request: Request, user_id: int) -> Response:
        async with dashboard.call(request, need=Need.ADMIN, form=True) as call:
            role = _role(call.form.get("role", ""))
            if role is None:
                return await _list(request, call, status_code=400,
                                   problem=_("Please choose one of the roles offered."))
            try:
                given = await change_role(call.session, call.visit.actor, user_id, role, now=dashboard.now())
            except OwnRole:
                return await _list(request, call, status_code=409, problem=OWN_ROLE)
            if given is None:
                return dashboard.page(request, "not_found.html", call.visit, status_code=404)
            user = await get_user(call.session, user_id)
            assert user is not None
            return await _done(request, call, _("{channel} {id} is now {role}.").format(
                channel=CHANNEL.get(user.channel, user.channel), id=user.external_id, role=ROLE[given]))

    @router.get(PATH + "/{user_id:int}/hapus")
    async def confirm_removal(request: Request, user_id: int) -> Response:
        async with dashboard.call(request, need=Need.ADMIN) as call:
            user = await get_user(call.session, user_id)
            if user is None or not user.works_at_office:
                return dashboard.page(request, "not_found.html", call.visit, status_code=404)
            return dashboard.page(request, "staff/remove.html", call.visit, active="staff", person=user, path=PATH,
                                  channels=CHANNEL, own=user.id == call.visit.user.id, own_role=OWN_ROLE)

    @router.post(PATH + "/{user_id:int}/hapus")
    async def remove(request: Request, user_id: int) -> Response:
        async with dashboard.call(request, need=Need.ADMIN, form=True) as call:
            try:
                given = await change_role(call.session, call.visit.actor, user_id, Role.MEMBER, now=dashboard.now())
            except OwnRole:
                return await _list(request, call, status_code=409, problem=OWN_ROLE)
            if given is None:
                return dashboard.page(request, "not_found.html", call.visit, status_code=404)
            return await _done(request, call, _("Removed from the office's people; their dashboard sessions have "
                                                "ended."))

    @router.post(PATH + "/{user_id:int}/sesi")
    async def end_sessions(request: Request, user_id: int) -> Response:
        async with dashboard.call(request, need=Need.ADMIN, form=True) as call:
            ended = await revoke_staff_sessions(call.session, call.visit.actor, user_id, now=dashboard.now())
            if ended is None:
                return dashboard.page(request, "not_found.html", call.visit, status_code=404)
            return await _done(request, call, ngettext(
                "Signed out everywhere: {count} open session ended.",
                "Signed out everywhere: {count} open sessions ended.", ended))

    return router
