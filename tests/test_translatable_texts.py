"""Texts marked for translation are literal English msgids that `python -m bot.catalogs extract` can see.

An f-string, a concatenation or a `.format()` inside `_()`, `ngettext()`, `N_()`, `Msg()` or an error
class would be translated as written (never found in a catalog) or silently skipped by extraction.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from bot.catalogs import KEYWORDS

ROOT = Path(__file__).resolve().parents[1]
FILES = sorted(p for folder in ("bot", "cogs") for p in (ROOT / folder).rglob("*.py"))


def called_name(node: ast.Call) -> str | None:
    """The name a call is made by: `_` for `t._(...)`, `ValidationError` for `ValidationError(...)`."""
    if isinstance(node.func, ast.Name):
        return node.func.id
    if isinstance(node.func, ast.Attribute):
        return node.func.attr
    return None


def untranslatable(source: str) -> list[tuple[int, str]]:
    """(line, call) of marked calls whose text argument is not a plain string or a name."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Call) or called_name(node) not in KEYWORDS or not node.args:
            continue
        positions = KEYWORDS[called_name(node) or ""] or (1,)
        for position in positions:
            if len(node.args) < position:
                continue
            arg = node.args[position - 1]
            # A literal is extracted; a name, attribute or item refers to a constant marked with N_.
            if isinstance(arg, ast.Constant | ast.Name | ast.Attribute | ast.Subscript):
                continue
            found.append((node.lineno, ast.unparse(node)[:100]))
    return found


@pytest.mark.parametrize("path", FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_marked_texts_are_literal(path: Path) -> None:
    """No f-string, concatenation or formatted string where a msgid is expected."""
    assert untranslatable(path.read_text(encoding="utf-8")) == []


def test_the_check_finds_what_extraction_would_miss() -> None:
    """An f-string in an error and a concatenation in _() are reported; literals and constants are not."""
    source = (
        "raise ValidationError(f'No {x}')\n"
        "t._('a' + b)\n"
        "t._('Updated {name}.', name=n)\n"
        "t._(UNAVAILABLE)\n"
        "t.ngettext('{n} vote', '{n} votes', n)\n"
    )
    assert [line for line, _ in untranslatable(source)] == [1, 2]
