"""Text files as spreadsheets save them: UTF-8 with or without a BOM, UTF-16, or Windows-1252."""

from __future__ import annotations

import codecs
from dataclasses import dataclass


@dataclass(frozen=True)
class Decoded:
    """A file's text, the encoding it was read in, and a one-line notice when that was a guess."""

    text: str
    encoding: str
    notice: str | None = None


def decode_text(data: bytes) -> Decoded:
    """Decode a file's bytes: UTF-8 (BOM or not) and UTF-16 with a BOM exactly, else Windows-1252."""
    if data.startswith(codecs.BOM_UTF8):
        return Decoded(data[len(codecs.BOM_UTF8) :].decode("utf-8", errors="strict"), "utf-8-sig")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        # Excel's "Unicode Text" is UTF-16 with a BOM.
        return Decoded(data.decode("utf-16"), "utf-16")
    try:
        return Decoded(data.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    # Spreadsheets on Windows save "CSV" in the ANSI code page; 1252 is Latin-1 plus curly quotes and €.
    # The five bytes 1252 leaves undefined are read as Latin-1 so that decoding never fails.
    text = "".join(
        chunk.decode("cp1252", errors="strict") if _cp1252_defined(chunk) else chunk.decode("latin-1")
        for chunk in (bytes([b]) for b in data)
    )
    notice = "not UTF-8; read as Windows-1252 (Latin-1): check accented names, or save the file as UTF-8"
    return Decoded(text, "cp1252", notice)


def _cp1252_defined(byte: bytes) -> bool:
    """Whether Windows-1252 assigns a character to this byte."""
    return byte not in (b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d")
