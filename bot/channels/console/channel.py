"""The console channel: the same conversation as Telegram or WhatsApp, in a terminal or a pipe.

Options are shown numbered; the user answers with a number, an option's name, or free text. Reading stops
at end of input, so `printf '1\n1\nBudi\n' | python -m bot chat` works as a script. `/file PATH` sends a file
(a spreadsheet of openings, a broadcast's poster) where a question takes one.
"""

from __future__ import annotations

import asyncio
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from bot.channels.base import EnginePort
from bot.channels.registry import CONSOLE as CHANNEL
from bot.engine.messages import MAX_DOCUMENT_BYTES, Document, Image, Incoming, IncomingKind, Reply


def format_reply(reply: Reply) -> str:
    lines = [reply.text]
    lines += [f"  {number}. {option.label}" for number, option in enumerate(reply.options, start=1)]
    if reply.nav:
        lines.append("  " + " · ".join(f"[{option.label}]" for option in reply.nav))
    return "\n".join(lines)


class ConsoleChannel:
    """Writes replies to a text stream, one block per message; a picture is written to a file in `image_dir`
    (by default a directory in the system's temporary one), and its path is shown above its caption."""

    name = CHANNEL
    skips_unreachable = False

    def __init__(self, stream: TextIO, image_dir: Path | None = None) -> None:
        self._stream = stream
        self._image_dir = image_dir or Path(tempfile.gettempdir()) / "sahabat-kerja"

    async def send(self, address: str, reply: Reply) -> Sequence[str]:
        if reply.image is not None:
            self._stream.write(f"\n[{self._save(reply.image)}]\n{reply.text}\n")
        else:
            self._stream.write(f"\n{format_reply(reply)}\n")
        self._stream.flush()
        return ()

    def _save(self, image: Image) -> Path:
        """The picture's file, named after its stored file so that sending it again rewrites the same one."""
        self._image_dir.mkdir(parents=True, exist_ok=True)
        path = self._image_dir / f"{image.file_id}-{Path(image.name).name}"
        path.write_bytes(image.data)
        return path


async def read_line(stream: TextIO) -> str | None:
    line = await asyncio.to_thread(stream.readline)
    return None if line == "" else line.rstrip("\r\n")


async def chat(
    port: EnginePort,
    user: str,
    *,
    locale: str | None = None,
    stdin: TextIO = sys.stdin,
    stdout: TextIO = sys.stdout,
) -> None:
    """Talk to the bot as console user `user` until end of input."""
    if locale:
        await port.set_locale(CHANNEL, user, locale)
    await port.handle(Incoming(channel=CHANNEL, external_id=user, text="/start", locale_hint=locale))
    interactive = stdin.isatty()
    while True:
        if interactive:
            stdout.write("> ")
            stdout.flush()
        line = await read_line(stdin)
        if line is None:
            break
        await port.handle(incoming_of(user, line, locale))


FILE_COMMAND = "/file "


def incoming_of(user: str, line: str, locale: str | None) -> Incoming:
    """A typed line; `/file PATH` sends that file, as a photo or document sent on Telegram or WhatsApp would be
    (the console runs on the office's own computer, so its user may read its files). A file that cannot be
    read becomes an empty one, which the question refuses in its own words."""
    if not line.startswith(FILE_COMMAND):
        return Incoming(channel=CHANNEL, external_id=user, text=line, locale_hint=locale)
    path = Path(line[len(FILE_COMMAND):].strip()).expanduser()
    try:
        with path.open("rb") as file:
            content = file.read(MAX_DOCUMENT_BYTES + 1)  # one byte more than kept, to say it is too large
    except OSError:
        content = b""
    return Incoming(channel=CHANNEL, external_id=user, kind=IncomingKind.DOCUMENT, locale_hint=locale,
                    document=Document(path.name, content))
