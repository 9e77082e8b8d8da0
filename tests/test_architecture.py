"""The layering rules of docs/architecture.md, checked on the import graph of bot/, cogs/, storage/, sandbox/.

Every import counts: module level, under TYPE_CHECKING and inside functions. No exception list.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PRODUCT = ("bot", "cogs", "storage", "sandbox")
MAX_LINES = 500


def product_modules(root: Path) -> dict[str, Path]:
    """Dotted module name -> file, for every Python file of the product."""
    found: dict[str, Path] = {}
    for top in PRODUCT:
        for path in sorted((root / top).rglob("*.py")):
            parts = list(path.relative_to(root).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts.pop()
            found[".".join(parts)] = path
    return found


def imported_names(path: Path, module: str) -> Iterator[str]:
    """Every dotted name the file imports, relative imports resolved, wherever the import stands."""
    is_package = path.name == "__init__.py"
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            yield base
            yield from (f"{base}.{alias.name}" for alias in node.names)


def import_graph(root: Path) -> dict[str, set[str]]:
    """Module -> the product modules and outside top-level packages it imports."""
    modules = product_modules(root)
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        targets: set[str] = set()
        for name in imported_names(path, module):
            # `from cogs.polls import views` names the module cogs.polls.views; keep the longest known.
            candidates = [m for m in modules if name == m or name.startswith(m + ".")]
            if candidates:
                targets.add(max(candidates, key=len))
            elif name:
                targets.add(name.split(".")[0])
        targets.discard(module)
        graph[module] = targets
    return graph


def cog_of(module: str) -> str | None:
    """`cogs.polls` for any module inside the polls cog package, else None."""
    parts = module.split(".")
    return ".".join(parts[:2]) if parts[0] == "cogs" and len(parts) >= 2 else None


def layering_violations(graph: dict[str, set[str]]) -> list[str]:
    """Wrong-way imports: storage -> discord/bot/cogs, bot -> cog, cog -> cog, sandbox -> ours."""
    broken = []
    for module, targets in sorted(graph.items()):
        top = module.split(".")[0]
        for target in sorted(targets):
            head = target.split(".")[0]
            if top == "storage" and head in ("discord", "bot", "cogs"):
                broken.append(f"{module} imports {target}")
            if top == "bot" and target.startswith("cogs."):
                broken.append(f"{module} imports {target}")
            if top == "sandbox" and head in ("discord", "bot", "cogs", "storage"):
                broken.append(f"{module} imports {target}")
            if top == "cogs" and cog_of(target) not in (None, cog_of(module)):
                broken.append(f"{module} imports {target}")
    return broken


def import_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of product modules that import each other, directly or around a loop (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        """Depth-first visit recording the lowest index reachable from node."""
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in graph:
                continue
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                found.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def holds_only_setup(path: Path) -> bool:
    """Whether a cog package's __init__.py holds only a docstring, imports and setup()."""
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        allowed = (
            isinstance(node, ast.Import | ast.ImportFrom)
            or (isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant))
            or (isinstance(node, ast.AsyncFunctionDef | ast.FunctionDef) and node.name == "setup")
            or (isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test))
        )
        if not allowed:
            return False
    return True


GRAPH = import_graph(ROOT)
MODULES = product_modules(ROOT)


def test_imports_point_one_way() -> None:
    """cogs -> bot -> storage; storage never imports discord; no cog imports another; sandbox none of ours."""
    assert layering_violations(GRAPH) == []


def test_no_import_cycles() -> None:
    """No two modules of bot/, cogs/, storage/ and sandbox/ import each other, directly or around a loop."""
    assert import_cycles(GRAPH) == []


@pytest.mark.parametrize("module", sorted(MODULES))
def test_product_file_is_small(module: str) -> None:
    """No product file is over 500 lines."""
    lines = len(MODULES[module].read_text(encoding="utf-8").splitlines())
    assert lines <= MAX_LINES, f"{MODULES[module]} has {lines} lines"


def test_cog_packages_init_holds_only_setup() -> None:
    """A cog package's __init__.py is only its setup()."""
    inits = [path for module, path in MODULES.items() if module.count(".") == 1 and module[:5] == "cogs."]
    assert len(inits) >= 8
    assert [str(p) for p in inits if not holds_only_setup(p)] == []


def test_the_checks_catch_what_they_forbid(tmp_path: Path) -> None:
    """A tree that breaks each rule is reported, so the checks above can fail."""
    files = {
        "storage/__init__.py": "",
        "storage/a.py": "import discord\nfrom storage import b\n",
        "storage/b.py": "def f():\n    from storage.a import x\n",
        "bot/__init__.py": "import cogs\n",
        "bot/c.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from cogs.one.cog import C\n",
        "cogs/__init__.py": "",
        "cogs/one/__init__.py": "X = 1\nasync def setup(bot):\n    pass\n",
        "cogs/one/cog.py": "from ..two import views\n",
        "cogs/two/__init__.py": "",
        "cogs/two/views.py": "",
        "sandbox/__init__.py": "",
        "sandbox/page.py": "from storage import a\n",
    }
    for name, text in files.items():
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text(text)
    graph = import_graph(tmp_path)
    assert layering_violations(graph) == [
        "bot.c imports cogs.one.cog",
        "cogs.one.cog imports cogs.two",
        "cogs.one.cog imports cogs.two.views",
        "sandbox.page imports storage",
        "sandbox.page imports storage.a",
        "storage.a imports discord",
    ]
    assert import_cycles(graph) == [["storage.a", "storage.b"]]
    assert not holds_only_setup(tmp_path / "cogs/one/__init__.py")
    assert holds_only_setup(tmp_path / "cogs/two/__init__.py")
