"""Draw one placement chart in a process of its own: `python -m documents.chart_process` reads the drawing (the
keyword arguments of `documents.report_files.placement_chart`, as JSON) on stdin and writes the PNG to stdout.

Drawing holds the GIL from start to end; in the bot's process it held up every other user's reply
(`services.reports.draw_placement_chart` says by how much).
"""

from __future__ import annotations

import json
import sys

from documents.report_files import placement_chart


def main() -> None:
    drawing = json.loads(sys.stdin.buffer.read())
    drawing["legend"] = tuple(drawing["legend"])
    sys.stdout.buffer.write(placement_chart(**drawing))


if __name__ == "__main__":
    main()
