"""What the selection conversation remembers between steps: the opening staff chose."""

from __future__ import annotations

from handlers.context import Context
from models.applications import OpeningKind, OpeningRef


def opening_in_draft(ctx: Context) -> OpeningRef:
    """The opening staff chose earlier in the selection flow."""
    return OpeningRef(OpeningKind(ctx.draft["kind"]), int(ctx.draft["opening"]))
