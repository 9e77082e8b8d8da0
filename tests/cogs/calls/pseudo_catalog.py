"""Pseudo-translated catalogs for tests: every extracted msgid comes back as `[<code>] <msgid>`.

Built from what `python -m bot.catalogs extract` finds in the code, so a text that reaches a member
without passing through a marked msgid (an f-string, an unmarked constant) stays unmarked and a test
sees it; placeholders are kept, so parameters are filled in as with a real translation.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.mofile import write_mo

from bot.catalogs import extract
from bot.i18n import DOMAIN, Catalogs, Lang


def mark(code: str, text: str) -> str:
    """The pseudo translation of one text."""
    return f"[{code}] {text}"


def write_pseudo_catalogs(root: Path, codes: Iterable[str]) -> Catalogs:
    """Compile a pseudo catalog for each language code into root and load every catalog from there."""
    template = extract()
    for code in codes:
        catalog = Catalog(locale=code, domain=DOMAIN)
        for message in template:
            if not message.id:
                continue
            if isinstance(message.id, tuple | list):
                singular, plural = message.id[0], message.id[1]
                forms = [mark(code, singular)] + [mark(code, plural)] * (catalog.num_plurals - 1)
                catalog.add((singular, plural), tuple(forms))
            else:
                catalog.add(message.id, mark(code, message.id))
        folder = root / code / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        (folder / f"{DOMAIN}.mo").write_bytes(buffer.getvalue())
    return Catalogs(root)


def pseudo_lang(root: Path, code: str) -> Lang:
    """One pseudo-translated language."""
    return write_pseudo_catalogs(root, [code]).lang(code)
