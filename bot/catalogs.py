"""Keep the translation catalogs in step with the code: extract, update, compile (Babel's own API).

    python -m bot.catalogs extract   # bot/locales/climabot.pot from every marked text in bot/ and cogs/
    python -m bot.catalogs update    # add new texts to every language's .po (translators fill them in)
    python -m bot.catalogs compile [LANG ...]  # .po -> .mo, what the bot loads

The usual order after changing texts in the code: extract, update, translate, compile.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Sequence
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir, extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from bot.i18n import DOMAIN, LOCALE_DIR, SOURCE, SUPPORTED

ROOT = Path(__file__).resolve().parents[1]
SOURCES = ("bot", "cogs")
# Single files outside bot/ and cogs/ whose texts members read (marked with a local N_: storage
# imports nothing of bot/): the /mydata export's section descriptions.
SOURCE_FILES = ("storage/member_data.py",)
TEMPLATE = LOCALE_DIR / f"{DOMAIN}.pot"
# What marks a text for translation: gettext's names, our Msg, and the errors members are shown.
KEYWORDS: dict[str, tuple[int, ...] | None] = {
    "_": None,
    "N_": None,
    "ngettext": (1, 2),
    "Msg": None,
    "UserFacingError": None,
    "ValidationError": None,
    "NotFoundError": None,
    "PermissionDeniedError": None,
}


def extract(root: Path = ROOT) -> Catalog:
    """Every marked text in the product code, with where it stands."""
    catalog = Catalog(project="climabot", domain=DOMAIN, fuzzy=False)
    for folder in SOURCES:
        found = extract_from_dir(
            root / folder,
            method_map=[("**.py", "python")],
            keywords=KEYWORDS,
            comment_tags=("Translators:",),
            strip_comment_tags=True,
        )
        for filename, lineno, message, comments, context in found:
            where = f"{folder}/{filename}"
            catalog.add(message, None, [(where, lineno)], auto_comments=comments, context=context)
    for name in SOURCE_FILES:
        found_in_file = extract_from_file(
            "python", root / name, keywords=KEYWORDS, comment_tags=("Translators:",), strip_comment_tags=True
        )
        for lineno, message, comments, context in found_in_file:
            catalog.add(message, None, [(name, lineno)], auto_comments=comments, context=context)
    return catalog


def po_path(code: str, directory: Path = LOCALE_DIR) -> Path:
    """Where one language's editable catalog lives."""
    return directory / code / "LC_MESSAGES" / f"{DOMAIN}.po"


def read_catalog(path: Path, code: str) -> Catalog:
    """Read one language's .po file."""
    with path.open("rb") as handle:
        return read_po(handle, locale=code, domain=DOMAIN)


def write_catalog(catalog: Catalog, path: Path) -> None:
    """Write a .po (or .pot) file, sorted by msgid so diffs stay small."""
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.BytesIO()
    write_po(buffer, catalog, width=100, sort_output=True, omit_header=False)
    path.write_bytes(buffer.getvalue())


def update(template: Catalog, directory: Path = LOCALE_DIR) -> None:
    """Bring every language's .po in step with the template (new texts empty, gone ones obsolete)."""
    for code in SUPPORTED:
        if code == SOURCE:
            continue
        path = po_path(code, directory)
        catalog = read_catalog(path, code) if path.exists() else Catalog(locale=code, domain=DOMAIN)
        catalog.update(template, no_fuzzy_matching=True)
        catalog.obsolete.clear()
        write_catalog(catalog, path)


def compile_all(directory: Path = LOCALE_DIR, codes: Sequence[str] = ()) -> None:
    """Compile every language's .po (or only those named) to the .mo the bot loads."""
    for code in codes or SUPPORTED:
        if code == SOURCE:
            continue
        catalog = read_catalog(po_path(code, directory), code)
        buffer = io.BytesIO()
        write_mo(buffer, catalog, use_fuzzy=False)
        po_path(code, directory).with_suffix(".mo").write_bytes(buffer.getvalue())


def main(argv: list[str]) -> int:
    """Run one step: extract, update or compile."""
    step = argv[0] if argv else ""
    if step == "extract":
        template = extract()
        write_catalog(template, TEMPLATE)
        print(f"{len(template)} texts -> {TEMPLATE.relative_to(ROOT)}")
    elif step == "update":
        update(read_catalog(TEMPLATE, SOURCE))
        print(f"updated {len(SUPPORTED) - 1} catalogs")
    elif step == "compile":
        unknown = [code for code in argv[1:] if code not in SUPPORTED]
        if unknown:
            print(f"unknown language codes: {', '.join(unknown)}", file=sys.stderr)
            return 2
        compile_all(codes=argv[1:])
        print(f"compiled {len(argv[1:]) or len(SUPPORTED) - 1} catalogs")
    else:
        print("usage: python -m bot.catalogs extract|update|compile", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
