"""Imports point down only: shell, web, jobs, engine, channels, handlers, services, documents, models.

Read from the source with `ast` (nothing is imported), so a lazy import inside a function counts too. The
message vocabulary (`bot.engine.messages`: Incoming, Outgoing, Reply, Msg) is the one piece of the engine that
every layer speaks, so it sits just above `models` and imports nothing of the project.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "web", "jobs", "handlers", "services", "documents", "models")

LAYERS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shell", ("bot",)),
    ("web", ("web",)),
    ("jobs", ("jobs",)),
    ("engine", ("bot.engine",)),
    ("channels", ("bot.channels",)),
    ("handlers", ("handlers",)),
    ("services", ("services",)),
    ("documents", ("documents",)),
    ("vocabulary", ("bot.engine.messages",)),
    ("models", ("models",)),
)


def layer_of(module: str) -> int | None:
    """The index of the layer `module` belongs to (its longest matching prefix), or None outside the project."""
    best: tuple[int, int] | None = None
    for index, (_name, prefixes) in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and (best is None or len(prefix) > best[1]):
                best = (index, len(prefix))
    return None if best is None else best[0]


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imported_modules(path: Path) -> set[str]:
    """Every project module `path` imports, at the top or inside a function."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: `from . import x` inside package `a.b` means `a.b.x`
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # `from pkg import module`
    return {name for name in found if name.split(".")[0] in PACKAGES}


def upward_imports() -> list[str]:
    problems = []
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            source = module_name(path)
            source_layer = layer_of(source)
            assert source_layer is not None, source
            for target in sorted(imported_modules(path)):
                target_layer = layer_of(target)
                if target_layer is not None and target_layer < source_layer:
                    problems.append(
                        f"{source} ({LAYERS[source_layer][0]}) imports {target} ({LAYERS[target_layer][0]})"
                    )
    return problems


def test_no_import_points_up() -> None:
    assert upward_imports() == []


def test_channels_reach_the_database_only_through_the_engines_port() -> None:
    """A channel package may import other channel modules and the message vocabulary, nothing else of ours:
    not the models (no SQL), not the settings (the shell gives them), not the rest of the engine."""
    allowed = ("bot.channels", "bot.engine.messages")
    found = {
        f"{module_name(path)} imports {target}"
        for path in sorted((ROOT / "bot" / "channels").rglob("*.py"))
        for target in imported_modules(path)
        if not any(target == prefix or target.startswith(prefix + ".") for prefix in allowed)
    }
    assert sorted(found) == []


def test_the_vocabulary_imports_nothing_of_the_project() -> None:
    assert imported_modules(ROOT / "bot" / "engine" / "messages.py") == set()


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    assert layer_of("bot.engine.dispatcher") < layer_of("handlers.router")  # type: ignore[operator]
    assert layer_of("bot.engine.messages") > layer_of("documents.report_tables")  # type: ignore[operator]
    assert layer_of("bot.cli") == 0
    assert layer_of("models.users") == len(LAYERS) - 1
