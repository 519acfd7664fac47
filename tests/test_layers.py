"""Imports point down only: each layer folder imports its own layer and the layers below it, never above, and no
module takes part in an import cycle. Every import counts: module level, TYPE_CHECKING blocks and lazy ones.
"""

from __future__ import annotations

import ast
import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "realtime_cli"

# Each layer and the layers it may import (DESIGN.md: cli > audio > session > transport > protocol; local/ is a
# peer of the client that reuses protocol/ only).
ALLOWED: dict[str, set[str]] = {
    "protocol": {"protocol"},
    "transport": {"transport", "protocol"},
    "session": {"session", "transport", "protocol"},
    "audio": {"audio", "session", "transport", "protocol"},
    "cli": {"cli", "audio", "session", "transport", "protocol", "local"},
    "local": {"local", "protocol"},
}
# The one place below the CLI that starts the embedded engine (lazily, inside a function): the SDK's default
# backend when there is no API key. Nothing else in the client may import local/.
EXCEPTIONS = {("transport/local_backend.py", "local")}
LEAVES = {"realtime_cli._version"}  # top-level modules that import nothing of ours: any layer may use them


def _modules() -> Iterator[Path]:
    for layer in ALLOWED:
        yield from sorted((PACKAGE / layer).rglob("*.py"))


def _module_name(path: Path, root: Path = PACKAGE) -> str:
    parts = list(path.relative_to(root.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _imports(path: Path, root: Path = PACKAGE) -> Iterator[tuple[str, int, bool]]:
    """(absolute module imported, line, at module level) for every import statement of the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    name = _module_name(path, root)
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    top_level = {id(node) for node in tree.body}
    for block in tree.body:  # `if TYPE_CHECKING:` bodies count as module level
        if isinstance(block, ast.If):
            top_level.update(id(node) for node in block.body)
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield alias.name, node.lineno, id(node) in top_level
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target, node.lineno, id(node) in top_level
            for alias in node.names:  # `from . import x` may import a submodule x
                yield f"{target}.{alias.name}", node.lineno, id(node) in top_level


def _layer(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 and parts[0] == "realtime_cli" and parts[1] in ALLOWED else None


def test_every_layer_folder_is_checked() -> None:
    folders = {p.name for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()}
    assert folders <= set(ALLOWED), f"a new layer folder needs a rule here: {folders - set(ALLOWED)}"


@pytest.mark.parametrize("path", list(_modules()), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_upward_import(path: Path) -> None:
    own = path.relative_to(PACKAGE).parts[0]
    rel = str(path.relative_to(PACKAGE))
    wrong = []
    for module, line, _ in _imports(path):
        target = _layer(module)
        if module in LEAVES or module.startswith(tuple(f"{leaf}." for leaf in LEAVES)):
            continue
        if module == "realtime_cli" or (module.startswith("realtime_cli.") and target is None
                                        and module.split(".")[1] not in ALLOWED):
            wrong.append(f"{rel}:{line} imports {module} (the package facade sits above every layer)")
        elif target is not None and target not in ALLOWED[own] and (rel, target) not in EXCEPTIONS:
            wrong.append(f"{rel}:{line} imports {module} ({own}/ may import only {sorted(ALLOWED[own])})")
    assert not wrong, "\n".join(wrong)


def _graph() -> dict[str, set[str]]:
    known = {_module_name(p) for p in _modules()}
    graph: dict[str, set[str]] = {}
    for path in _modules():
        deps = set()
        for module, _, top in _imports(path):
            if top and module in known and module != _module_name(path):
                deps.add(module)
        graph[_module_name(path)] = deps
    return graph


def test_no_import_cycle() -> None:
    graph = _graph()
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                # a package's __init__ importing its own submodules is the normal shape, not a cycle
                cycle = [*trail[trail.index(dep):], dep]
                if not any(b.startswith(a + ".") for a, b in itertools.pairwise(cycle)):
                    cycles.append(cycle)
            elif state.get(dep) is None:
                visit(dep, [*trail, dep])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(" -> ".join(c) for c in cycles)


def test_the_checker_sees_an_upward_import(tmp_path: Path) -> None:
    """The walker resolves relative imports, TYPE_CHECKING blocks and lazy imports."""
    root = tmp_path / "realtime_cli"
    module = root / "protocol" / "x.py"
    module.parent.mkdir(parents=True)
    module.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from ..session.agent import A\n"
                      "def f():\n    from ..cli import app\n")
    found = {(m, top) for m, _, top in _imports(module, root)}
    assert ("realtime_cli.session.agent", True) in found
    assert ("realtime_cli.cli", False) in found
    assert _layer("realtime_cli.session.agent") == "session"
