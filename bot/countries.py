"""Countries as ISO 3166-1 alpha-2 codes, read from the tzdata package's iso3166.tab.

People may type a code, an English name or the name in their own language; names are shown in the
reader's language from Babel's territory names (CLDR), falling back to the table's English name.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from functools import cache
from importlib import resources

import babel

from bot.i18n import ENGLISH, Lang

# Names people use that iso3166.tab spells differently, and the EU's own two codes (EL, UK).
_ALIASES = {
    "EL": "GR",
    "UK": "GB",
    "United Kingdom": "GB",
    "Great Britain": "GB",
    "Britain": "GB",
    "England": "GB",
    "Scotland": "GB",
    "Wales": "GB",
    "Northern Ireland": "GB",
    "Czechia": "CZ",
    "Türkiye": "TR",
    "Holland": "NL",
    "The Netherlands": "NL",
    "Republic of Moldova": "MD",
    "South Korea": "KR",
    "Korea": "KR",
    "United States": "US",
    "USA": "US",
    "Vatican": "VA",
    "Macedonia": "MK",
    "Bosnia": "BA",
    "Kosovo": "XK",
}


def _fold(text: str) -> str:
    """Compare names without case, accents, punctuation or spacing differences."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()
    return " ".join(re.sub(r"[^\w]+", " ", plain).split())


@cache
def countries() -> dict[str, str]:
    """Return every ISO 3166-1 alpha-2 code with its usual English name."""
    table = resources.files("tzdata.zoneinfo").joinpath("iso3166.tab").read_text(encoding="utf-8")
    names: dict[str, str] = {}
    for line in table.splitlines():
        if not line or line.startswith("#"):
            continue
        code, _, name = line.partition("\t")
        names[code.strip()] = name.strip()
    # Kosovo has no ISO code yet; XK is the code the EU and others use for it.
    names.setdefault("XK", "Kosovo")
    return names


@cache
def _by_folded_name() -> dict[str, str]:
    """Map every folded name and alias to its code."""
    found: dict[str, str] = {}
    for code, name in countries().items():
        found[_fold(name)] = code
        # "Britain (UK)" and "Korea (South)" are also known without their brackets.
        bare = re.sub(r"\s*\(.*?\)", "", name)
        found.setdefault(_fold(bare), code)
    for alias, code in _ALIASES.items():
        found[_fold(alias)] = code
    return found


@cache
def _by_local_name(code: str) -> dict[str, str]:
    """Map every folded country name in one language (Babel's territory names) to its code."""
    names = babel.Locale.parse(code).territories
    known = countries()
    return {_fold(name): iso for iso, name in names.items() if iso in known}


def resolve_country(text: str, t: Lang = ENGLISH) -> str | None:
    """Return the alpha-2 code for a code, an English name or a name in language t, or None."""
    stripped = text.strip()
    if len(stripped) == 2 and stripped.isascii():
        code = _ALIASES.get(stripped.upper(), stripped.upper())
        return code if code in countries() else None
    folded = _fold(stripped)
    return _by_folded_name().get(folded) or _by_local_name(t.code).get(folded)


def country_name(code: str, t: Lang = ENGLISH) -> str:
    """Return a country's name in language t, else its English name, else the code itself if unknown."""
    if code not in countries():
        return code
    return t.locale.territories.get(code) or countries()[code]


def suggest_countries(text: str, limit: int = 3, t: Lang = ENGLISH) -> list[str]:
    """Return up to `limit` country names (in language t) close to text, for a "did you mean"."""
    folded = {**_by_folded_name(), **_by_local_name(t.code)}
    matches = difflib.get_close_matches(_fold(text), list(folded), n=limit * 2, cutoff=0.6)
    names = dict.fromkeys(f"{country_name(folded[m], t)} ({folded[m]})" for m in matches)
    return list(names)[:limit]
