"""Next and previous page, the same in every paged list: the buttons, and what pressing them does.

A list keeps its page number in the flow's draft under a key of its own, so a flow may page through two
lists (openings, then an opening's applicants) without one losing the other's place.
"""

from __future__ import annotations

from bot.engine.messages import Option, _, parse_id
from handlers.context import Context
from handlers.flow import Answer, Stay
from models.paging import Page

NEXT_PAGE = "next"
PREVIOUS_PAGE = "previous"


def page_options(page: Page[object]) -> list[Option]:
    options = []
    if page.has_previous:
        options.append(Option(PREVIOUS_PAGE, _("Previous page")))
    if page.has_next:
        options.append(Option(NEXT_PAGE, _("Next page")))
    return options


def turn_page(ctx: Context, given: Answer, key: str = "page") -> Stay | None:
    """The same question on the next or previous page, or None when the answer is not about paging."""
    page = int(ctx.draft.get(key, 0))
    if given.option == NEXT_PAGE:
        return Stay({key: page + 1})
    if given.option == PREVIOUS_PAGE:
        return Stay({key: max(page - 1, 0)})
    return None


def chosen_id(given: Answer, prefix: str) -> int | None:
    """The id behind an option such as 'o12' for prefix 'o'; None for anything else."""
    if given.option and given.option.startswith(prefix):
        return parse_id(given.option[len(prefix):])
    return None
