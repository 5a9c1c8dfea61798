"""The import rules of docs/architecture.md: data flows one way through the layers.

Each subpackage (or top-level module) of sessionware sits in one layer; a module may
import from its own package and from lower layers only, not from a higher layer nor
from a sibling package of its own layer, even for type hints. Run-time imports (all
but those under ``if TYPE_CHECKING:``) form no cycle, inside a package or across.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import sessionware

PACKAGE = Path(sessionware.__file__).parent

#: Lowest first. A name is a subpackage or a top-level module of sessionware.
LAYERS: list[list[str]] = [
    ["errors", "events"],
    ["config"],
    ["cookies", "stores", "sessions"],
    ["policies"],
    ["interfaces"],
    ["serverside"],
    ["wsgi", "asgi"],
    ["testing"],
    ["flask", "quart", "litestar", "django", "pyramid", "cli"],
]


def _modules() -> dict[str, Path]:
    found = {}
    for path in PACKAGE.rglob("*.py"):
        parts = ["sessionware", *path.relative_to(PACKAGE).with_suffix("").parts]
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


MODULES = _modules()


def _group(module: str) -> tuple[str, int]:
    """The layer group of ``module`` and its layer's height."""
    if module == "sessionware":
        return module, len(LAYERS)
    top = module.split(".")[1]
    for height, names in enumerate(LAYERS):
        if top in names:
            return top, height
    raise AssertionError(f"{module} is in no layer: add its package to LAYERS")


def _type_checking_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and ast.unparse(node.test) in ("TYPE_CHECKING",):
            for inner in node.body:
                lines.update(range(inner.lineno, (inner.end_lineno or inner.lineno) + 1))
    return lines


def _imports(module: str) -> list[tuple[str, int, bool]]:
    """(imported sessionware module, line, at run time) for every import in ``module``."""
    path = MODULES[module]
    tree = ast.parse(path.read_text(encoding="utf-8"))
    typing_only = _type_checking_lines(tree)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                name = ".".join([*base, *([node.module] if node.module else [])])
            else:
                name = node.module or ""
            targets = [f"{name}.{a.name}" for a in node.names if f"{name}.{a.name}" in MODULES]
            targets = targets or [name]
        elif isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        else:
            continue
        for target in targets:
            if target in MODULES and target != module:
                found.append((target, node.lineno, node.lineno not in typing_only))
    return found


def test_every_module_is_in_a_layer() -> None:
    for module in MODULES:
        _group(module)


@pytest.mark.parametrize("module", sorted(MODULES))
def test_no_module_imports_from_a_higher_layer_or_a_sibling(module: str) -> None:
    group, height = _group(module)
    wrong = []
    for target, line, _ in _imports(module):
        target_group, target_height = _group(target)
        if target_group != group and target_height >= height:
            wrong.append(f"{MODULES[module].name}:{line} imports {target}")
    assert not wrong, f"{module} ({group}, layer {height}) reaches up or sideways: {wrong}"


def test_run_time_imports_form_no_cycle() -> None:
    graph = {m: {t for t, _, runtime in _imports(m) if runtime} for m in MODULES}
    state: dict[str, int] = {}
    path: list[str] = []

    def visit(module: str) -> None:
        state[module] = 1
        path.append(module)
        for target in graph[module]:
            if state.get(target) == 1:
                cycle = [*path[path.index(target) :], target]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if target not in state:
                visit(target)
        path.pop()
        state[module] = 2

    for module in sorted(graph):
        if module not in state:
            visit(module)
