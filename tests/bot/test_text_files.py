"""Decoding files as spreadsheets save them."""

from __future__ import annotations

import codecs

import pytest

from bot.text_files import decode_text

TEXT = "name,country\nLiège,BE\n“Quoted” €\n"


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "utf-16", "utf-16-le", "utf-16-be"])
def test_unicode_files_are_read_exactly_without_a_notice(encoding: str) -> None:
    """UTF-8 with or without BOM, and UTF-16 with a BOM, decode to the same text and need no notice."""
    data = TEXT.encode(encoding)
    if encoding in ("utf-16-le", "utf-16-be"):
        data = (codecs.BOM_UTF16_LE if encoding.endswith("le") else codecs.BOM_UTF16_BE) + data
    decoded = decode_text(data)
    assert decoded.text == TEXT and decoded.notice is None


def test_windows_1252_is_read_with_a_one_line_notice() -> None:
    """A file saved in Windows-1252 keeps its accents, curly quotes and euro sign, with a notice."""
    decoded = decode_text(TEXT.encode("cp1252"))
    assert decoded.text == TEXT and decoded.encoding == "cp1252"
    assert decoded.notice is not None and "\n" not in decoded.notice


def test_bytes_windows_1252_leaves_undefined_never_fail() -> None:
    """Every byte decodes to something, so no file makes the import crash."""
    decoded = decode_text(bytes(range(256)))
    assert len(decoded.text) == 256 and decoded.notice is not None
