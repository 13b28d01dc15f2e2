"""The layering DESIGN.md sets, checked on the package sources (an AST scan).

files → readers → Article → analysis/entities → index ← searcher ← web and CLI:
- nothing under `search/` imports the web (`web`, `flask`);
- only `search/backends/` imports an engine (`whoosh`, `opensearchpy`), and only
  `search/backends/` itself reaches into one engine's package (others open a
  backend through `search.backends.open_backend`);
- `web/` imports no backend module at all;
- `search/core/` (Loupe's rules) imports no engine, backend, searcher or surface;
- the first-party imports, function-local ones included, form no cycle: no
  import is tucked into a function to hide one.
Every import counts, at module level or inside a function.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("search", "web")
ENGINES = ("whoosh", "opensearchpy")
ENGINE_PACKAGES = ("search.backends.whoosh", "search.backends.opensearch")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def sources() -> dict[str, Path]:
    return {
        module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
    }


SOURCES = sources()


def imports(path: Path) -> Iterator[str]:
    """Every module `path` imports (`from pkg import sub` counts `pkg.sub`, not
    `pkg`, when `sub` is a module of this repository)."""
    tree = ast.parse(path.read_text("utf-8"), filename=str(path))
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [f"{node.module}.{alias.name}" for alias in node.names]
            submodules = [name for name in names if name in SOURCES]
            yield from submodules
            if len(submodules) < len(names):  # names defined in the module itself
                yield node.module


def within(name: str, *packages: str) -> bool:
    return any(name == p or name.startswith(p + ".") for p in packages)


IMPORTS = {name: sorted(set(imports(path))) for name, path in SOURCES.items()}


def offenders(where: tuple[str, ...], forbidden: tuple[str, ...], allowed=()) -> list[str]:
    return [
        f"{module} imports {imported}"
        for module, found in IMPORTS.items()
        if within(module, *where) and not within(module, *allowed)
        for imported in found
        if within(imported, *forbidden)
    ]


def test_the_scan_sees_the_packages_and_their_imports():
    # A scan that found nothing would pass every check below.
    assert len(SOURCES) > 40
    assert "whoosh" in {i.split(".")[0] for i in IMPORTS["search.backends.whoosh.backend"]}
    assert "flask" in IMPORTS["web"]


def test_the_engine_never_imports_the_web():
    assert offenders(("search",), ("web", "flask", "werkzeug", "jinja2")) == []


def test_only_backends_import_an_engine():
    assert offenders(PACKAGES, ENGINES, allowed=("search.backends",)) == []


def test_only_backends_reach_into_one_engine_package():
    assert offenders(PACKAGES, ENGINE_PACKAGES, allowed=("search.backends",)) == []


def test_the_web_imports_no_backend_module():
    assert offenders(("web",), ("search.backends",)) == []


def test_the_core_imports_no_engine_backend_or_surface():
    forbidden = (*ENGINES, "search.backends", "search.searcher", "search.indexer", "search.cli")
    assert offenders(("search.core",), (*forbidden, "web", "flask")) == []


def test_first_party_imports_form_no_cycle():
    graph = {m: [i for i in found if i in SOURCES and i != m] for m, found in IMPORTS.items()}
    state: dict[str, int] = {}  # 1: on the current path, 2: done
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for imported in graph[module]:
            if state.get(imported) == 1:
                cycle = path[path.index(imported) :] + [imported]
                pytest.fail("import cycle: " + " → ".join(cycle))
            if imported not in state:
                visit(imported)
        path.pop()
        state[module] = 2

    for module in graph:
        if module not in state:
            visit(module)
