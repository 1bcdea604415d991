"""`python -m bot openings attach|detach` and `python -m bot broadcasts attach|detach`: a poster or brochure on an
opening or on a broadcast not yet sent, as the office itself. The checks (type, size, what may change) are
`services.posters`'; the file's size is looked at before it is read."""

from __future__ import annotations

import sys
from pathlib import Path

from bot.cli.office import OFFICE, office_runtime
from bot.engine.notify import acting
from bot.settings import Settings
from models.applications import OpeningRef
from services import posters
from services.ticket_files import CheckedFile, FileProblem

PROBLEMS = {
    FileProblem.TOO_LARGE: f"too large: a picture may have at most {posters.IMAGE_LIMIT // posters.MEGABYTE} MB, "
                           f"a PDF {posters.DOCUMENT_LIMIT // posters.MEGABYTE} MB",
    FileProblem.WRONG_TYPE: "not a picture (JPEG, PNG, WebP) or a PDF",
    FileProblem.EMPTY: "empty",
}


def read_poster(path: Path) -> CheckedFile | None:
    """The file checked as a poster, or None after saying on stderr why it is not one."""
    try:
        if path.stat().st_size > posters.DOCUMENT_LIMIT:
            checked: CheckedFile | FileProblem = FileProblem.TOO_LARGE
        else:
            with path.open("rb") as file:
                checked = posters.check_poster(path.name, file.read(posters.DOCUMENT_LIMIT + 1))
    except OSError as error:
        print(f"{path}: {error.strerror or error}", file=sys.stderr)
        return None
    if isinstance(checked, FileProblem):
        print(f"{path.name}: {PROBLEMS[checked]}", file=sys.stderr)
        return None
    return checked


async def opening_poster(settings: Settings, code: str, path: Path | None) -> int:
    ref = OpeningRef.from_code(code)
    if ref is None:
        print(f"{code!r} is not an opening's code (t12, a3)", file=sys.stderr)
        return 2
    file = read_poster(path) if path is not None else None
    if path is not None and file is None:
        return 1
    async with office_runtime(settings) as runtime, acting(runtime) as (session, _notices):
        if file is not None:
            done = await posters.attach_to_opening(session, OFFICE, ref, file, now=runtime.clock()) is not None
        else:
            done = await posters.remove_from_opening(session, OFFICE, ref, now=runtime.clock())
    if not done:
        print(f"{ref.code}: no such opening" if file is not None else f"{ref.code} has no poster", file=sys.stderr)
        return 1
    print(f"{ref.code}: {file.name} attached ({file.media_type})" if file is not None
          else f"{ref.code}: poster removed")
    return 0


async def broadcast_poster(settings: Settings, broadcast_id: int, path: Path | None) -> int:
    file = read_poster(path) if path is not None else None
    if path is not None and file is None:
        return 1
    async with office_runtime(settings) as runtime, acting(runtime) as (session, _notices):
        if file is not None:
            done = await posters.attach_to_broadcast(session, OFFICE, broadcast_id, file, now=runtime.clock())
        else:
            done = await posters.remove_from_broadcast(session, OFFICE, broadcast_id, now=runtime.clock())
    if not done:
        print(f"broadcast {broadcast_id}: no scheduled broadcast of that number" if file is not None
              else f"broadcast {broadcast_id} has no poster", file=sys.stderr)
        return 1
    print(f"broadcast {broadcast_id}: {file.name} attached ({file.media_type})" if file is not None
          else f"broadcast {broadcast_id}: poster removed")
    return 0
