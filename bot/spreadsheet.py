"""CSV cells that are safe to open in a spreadsheet (OWASP's rule against formula injection)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

# A spreadsheet reads a cell starting with one of these as a formula (tab and CR too, after which
# some programs skip to the next character and read on).
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """Return a text cell with a leading apostrophe if a spreadsheet would read it as a formula.

    Numbers and other non-text values are left alone, so a negative count stays a number; only text
    that a member or moderator typed can carry a formula.
    """
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def safe_row(values: Iterable[Any]) -> list[Any]:
    """Apply safe_cell to every cell of a CSV row."""
    return [safe_cell(value) for value in values]
