"""A registered user's rights over their data (UU 27/2022): see it, export it (`data_export`), delete the account.

Deleting asks for confirmation first; it removes the profile, the conversation and the account itself. What the
reports count of the person stays, de-identified (`models.report_facts`), and the texts say so.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Mapping

from bot.engine.messages import Option, Outgoing, _, say
from handlers.context import Context
from handlers.flow import Answer, Ended, Flow, Invalid, Result, Step, begin, end_flow
from handlers.registration.data_export import export_data
from handlers.registration.fields import profile_lines
from handlers.registration.questions import CHOOSE_FROM_LIST
from models.profiles import answers_of, get_profile
from models.tickets import delete_ticket_files
from models.users import delete_user


async def show_profile(ctx: Context) -> None:
    profile = await get_profile(ctx.session, ctx.user.id)
    if profile is None:
        ctx.send(say(_("You are not registered yet. Choose 'Register as a job seeker' in the menu.")))
        return
    ctx.send(say(_("Your profile:"), *profile_lines(ctx, answers_of(profile), in_full=False)))


async def ask_delete(ctx: Context) -> Outgoing:
    return say(
        _("Delete your account? Your profile and all your answers will be erased for good. The office's reports "
          "keep only anonymous figures (program, year, kecamatan, gender, disability, age group and work status) "
          "that can no longer be linked to you. This cannot be undone."),
        options=(Option("delete", _("Yes, delete everything")), Option("keep", _("No, keep my account"))),
    )


async def accept_delete(ctx: Context, given: Answer) -> Result:
    if given.option == "keep":
        end_flow(ctx)
        ctx.send(say(_("Your account was kept.")))
        return Ended()
    if given.option != "delete":
        return Invalid(CHOOSE_FROM_LIST)
    await delete_ticket_files(ctx.session, ctx.user.id)
    await delete_user(ctx.session, ctx.user)
    ctx.user_deleted = True
    ctx.send(say(_("Your account and all your data have been deleted. Thank you for using Sahabat Kerja. "
                   "Send any message if you want to start again.")))
    return Ended()


async def _keep(ctx: Context) -> None:
    end_flow(ctx)
    ctx.send(say(_("Your account was kept.")))


DELETE_FLOW = Flow(name="delete_account", steps=(Step("confirm", ask_delete, accept_delete),),
                   finish=_keep, cancel=_keep)


async def start_delete(ctx: Context) -> None:
    await begin(ctx, DELETE_FLOW)


ACTIONS: Mapping[str, Callable[[Context], Awaitable[None]]] = {
    "profile": show_profile,
    "export": export_data,
    "delete": start_delete,
}
