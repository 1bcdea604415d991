"""Handlers converse; `models/` stores and queries. No handler builds a query or calls the session itself."""

from __future__ import annotations

import ast
from pathlib import Path

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"
SESSION_CALLS = frozenset({"get", "execute", "scalar", "scalars", "add", "add_all", "delete", "merge", "flush"})
ALLOWED_SQLALCHEMY = frozenset({"sqlalchemy.ext.asyncio"})
"""The session's type, which handlers pass on to `models/`."""


def sql_in(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            if node.module not in ALLOWED_SQLALCHEMY:
                found.append(f"{path.name}:{node.lineno} imports {node.module}")
        elif isinstance(node, ast.Import):
            found += [f"{path.name}:{node.lineno} imports {a.name}" for a in node.names
                      if a.name.startswith("sqlalchemy")]
        elif (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
              and node.func.attr in SESSION_CALLS and isinstance(node.func.value, ast.Attribute)
              and node.func.value.attr == "session"):
            found.append(f"{path.name}:{node.lineno} calls session.{node.func.attr}")
    return found


def test_no_handler_uses_the_session_or_builds_a_query() -> None:
    assert [problem for path in sorted(HANDLERS.rglob("*.py")) for problem in sql_in(path)] == []


def test_the_checker_sees_a_query_in_a_handler(tmp_path: Path) -> None:
    handler = tmp_path / "handler.py"
    handler.write_text("from sqlalchemy import select\nasync def f(ctx):\n    await ctx.session.get(X, 1)\n")
    assert sql_in(handler) == ["handler.py:1 imports sqlalchemy", "handler.py:3 calls session.get"]
