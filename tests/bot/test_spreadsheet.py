"""CSV cells that a spreadsheet would read as formulas get a leading apostrophe; nothing else changes."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.spreadsheet import FORMULA_STARTS, safe_cell, safe_row


@pytest.mark.parametrize(
    ("raw", "safe"),
    [
        ('=HYPERLINK("http://x")', '\'=HYPERLINK("http://x")'),
        ("+1", "'+1"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("\tcmd", "'\tcmd"),
        ("\rcmd", "'\rcmd"),
        ("Valencia = good", "Valencia = good"),
        ("", ""),
    ],
)
def test_formula_starts_are_neutralised(raw: str, safe: str) -> None:
    """Exactly the OWASP starting characters are prefixed."""
    assert safe_cell(raw) == safe


def test_numbers_and_none_stay_as_they_are() -> None:
    """A negative count stays a number; empty cells stay empty."""
    assert safe_row([-3, 2.5, None, "x"]) == [-3, 2.5, None, "x"]


@given(st.text())
def test_safe_text_never_starts_a_formula_and_keeps_the_text(text: str) -> None:
    """Whatever was typed, the cell is either unchanged or the same text behind one apostrophe."""
    cell = safe_cell(text)
    assert not cell.startswith(FORMULA_STARTS)
    assert cell in (text, "'" + text)
