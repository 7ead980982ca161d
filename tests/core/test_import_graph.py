"""The import graph between app layers, read from the source with `ast` (lazy imports inside functions count).

Layers: each app's `services` (module or package), `selectors` and `tasks`. Tasks call services; services enqueue
tasks by name (an `enqueue` module), never by importing `tasks`; selectors never import services.
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
APPS = ("marketplace", "forum", "stategide") + tuple(
    f"kei_community.{p.name}" for p in sorted((ROOT / "kei_community").iterdir()) if (p / "apps.py").exists()
)
LAYERS = ("services", "selectors", "tasks")

# Edges still to remove (none now: every app keeps the rules). An edge listed here is allowed for a while; the
# test below fails as soon as it is fixed, so the list cannot go stale.
KNOWN: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path) -> set[str]:
    """Every module named by an import anywhere in the file, with `from a import b` giving both a and a.b."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def _files(dotted: str) -> list[Path]:
    path = ROOT.joinpath(*dotted.split("."))
    if path.is_dir():
        return sorted(path.rglob("*.py"))
    module = path.with_suffix(".py")
    return [module] if module.exists() else []


def _layer_of(module: str) -> str | None:
    for app in APPS:
        for layer in LAYERS:
            name = f"{app}.{layer}"
            if module == name or module.startswith(name + "."):
                return name
    return None


def layer_graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = {}
    for app in APPS:
        for layer in LAYERS:
            source = f"{app}.{layer}"
            for path in _files(source):
                for imported in _imports(path):
                    target = _layer_of(imported)
                    if target and target != source:
                        graph.setdefault(source, set()).add(target)
    return graph


def _edges() -> set[tuple[str, str]]:
    return {(source, target) for source, targets in layer_graph().items() for target in targets}


def test_the_graph_sees_the_layers_it_checks():
    edges = _edges()
    assert ("forum.tasks", "forum.services") in edges
    assert ("stategide.services", "stategide.selectors") in edges
    assert _layer_of("forum.services.posts") == "forum.services"


def test_no_services_tasks_cycle():
    edges = _edges() - KNOWN
    cycles = sorted(
        (a, b) for a, b in edges if a.endswith(".services") and b == a.rpartition(".")[0] + ".tasks" and (b, a) in edges
    )
    assert cycles == []
    assert sorted((a, b) for a, b in edges if a.endswith(".services") and b.endswith(".tasks")) == []


def test_selectors_import_no_services():
    edges = _edges() - KNOWN
    assert sorted((a, b) for a, b in edges if a.endswith(".selectors") and b.endswith(".services")) == []


def test_known_exceptions_are_still_real():
    assert sorted(KNOWN - _edges()) == [], "an exception was fixed: remove it from KNOWN"


def _importers(package: str) -> list[Path]:
    return sorted(p for p in (ROOT / package).rglob("*.py") if "migrations" not in p.parts)


def _imports_any(paths: list[Path], banned: tuple[str, ...]) -> list[str]:
    return sorted(
        f"{p.relative_to(ROOT)} imports {m}"
        for p in paths
        for m in _imports(p)
        if any(m == b or m.startswith(b + ".") for b in banned)
    )


def test_shared_parts_import_no_app():
    assert _imports_any(_importers("kei_community"), ("marketplace", "forum", "stategide")) == []


def test_marketplace_and_forum_never_import_each_other():
    assert _imports_any(_importers("marketplace"), ("forum",)) == []
    assert _imports_any(_importers("forum"), ("marketplace",)) == []
