"""Pseudo-translated catalogs for poll language tests: every msgid of the code, marked `⟦xx:...⟧`.

A text that reaches a member without passing through the catalog shows no marker, so tests can find
English left behind; placeholders stay intact, so filled-in values still appear.
"""

from __future__ import annotations

import functools
import io
import re
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo

from bot.catalogs import KEYWORDS, ROOT

MARKED = re.compile(r"⟦[a-z]{2}:([^⟦⟧]*)⟧")


# The shared layer (its refusals reach poll members too) and the polls cog; not the other cogs,
# which other people may be editing at the same time.
FOLDERS = ("bot", "cogs/polls")


@functools.cache
def _template() -> Catalog:
    """Every marked text of the shared layer and the polls cog (extracted once per test run)."""
    catalog = Catalog(domain="climabot")
    for folder in FOLDERS:
        for _file, _line, message, _comments, _context in extract_from_dir(
            ROOT / folder, method_map=[("**.py", "python")], keywords=KEYWORDS
        ):
            catalog.add(message, None)
    return catalog


def write_pseudo_catalogs(root: Path, *codes: str) -> Path:
    """Compile a pseudo catalog for each language code into root (as bot/locales is laid out)."""
    for code in codes:
        catalog = Catalog(locale=code, domain="climabot")
        for message in _template():
            if not message.id:
                continue
            if isinstance(message.id, tuple | list):
                singular, plural = message.id
                forms = [f"⟦{code}:{singular}⟧"] + [f"⟦{code}:{plural}⟧"] * (catalog.num_plurals - 1)
                catalog.add((singular, plural), tuple(forms))
            else:
                catalog.add(message.id, f"⟦{code}:{message.id}⟧")
        folder = root / code / "LC_MESSAGES"
        folder.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_mo(buffer, catalog)
        (folder / "climabot.mo").write_bytes(buffer.getvalue())
    return root


def unmarked(text: str, *typed: str) -> list[str]:
    """Words of text outside every marker and outside what members typed: English that slipped through."""
    for value in sorted(typed, key=len, reverse=True):
        text = text.replace(value, " ")
    previous = None
    while previous != text:
        previous, text = text, MARKED.sub(" ", text)
    return re.findall(r"[A-Za-z]{2,}", text)
