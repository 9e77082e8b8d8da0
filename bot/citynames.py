"""Rules for city names as members type them: validation, lists of names, closest matches."""

from __future__ import annotations

import difflib
import unicodedata
from collections.abc import Iterable

from bot.i18n import Msg
from bot.text import visible_length
from storage.cities import MAX_NAME_LENGTH, city_key, tidy_name

# Commas and semicolons separate names in `cities` options, so no name may contain them.
SEPARATORS = (",", ";")
_FORBIDDEN = set(SEPARATORS) | {"`", "@", "#", "<", ">", "*", "_", "~", "|", "\\"}


class CityNameError(ValueError):
    """A city name that cannot be registered; `text` says why, to translate where it is shown."""

    def __init__(self, text: Msg) -> None:
        """Keep the reason; str() of the error is the English text (the CLI's import report shows it)."""
        self.text = text
        super().__init__(str(text))


def validate_city_name(text: str) -> str:
    """Return the tidied name, or raise CityNameError saying what a city name may contain."""
    name = tidy_name(text)
    # Translators: the reasons below follow the name typed, as "`Name`: reason."
    if visible_length(name) == 0:
        raise CityNameError(Msg("a city name cannot be empty or only invisible characters"))
    if len(name) > MAX_NAME_LENGTH:
        raise CityNameError(
            Msg(
                "a city name has at most {limit} characters (this one has {length})",
                limit=MAX_NAME_LENGTH,
                length=len(name),
            )
        )
    bad = sorted({ch for ch in name if ch in _FORBIDDEN or unicodedata.category(ch).startswith("C")})
    if bad:
        shown = " ".join(repr(ch) for ch in bad)
        raise CityNameError(
            Msg(
                "a city name cannot contain {characters}; use letters, digits, spaces, - ' . ( )",
                characters=shown,
            )
        )
    return name


def split_city_list(text: str) -> list[str]:
    """Split a list of city names separated by commas or semicolons, without blanks or repeats."""
    unified = text
    for sep in SEPARATORS[1:]:
        unified = unified.replace(sep, SEPARATORS[0])
    names: dict[str, str] = {}
    for part in unified.split(SEPARATORS[0]):
        name = tidy_name(part)
        if name:
            names.setdefault(city_key(name), name)
    return list(names.values())


def _loose(text: str) -> str:
    """Fold a name further for fuzzy matching: no accents, hyphens or apostrophes."""
    decomposed = unicodedata.normalize("NFKD", city_key(text))
    plain = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    return " ".join(plain.replace("-", " ").replace("'", " ").split())


def closest_names(typed: str, known: Iterable[str], limit: int = 3) -> list[str]:
    """Return up to `limit` known names closest to what was typed, best first."""
    by_loose: dict[str, str] = {}
    for name in known:
        by_loose.setdefault(_loose(name), name)
    target = _loose(typed)
    if not target:
        return []
    # Containment catches "Cluj" for "Cluj-Napoca"; difflib catches typos like "Valenica".
    contained = [name for loose, name in by_loose.items() if target in loose or loose in target]
    similar = [by_loose[m] for m in difflib.get_close_matches(target, list(by_loose), n=limit, cutoff=0.6)]
    return list(dict.fromkeys(similar + sorted(contained, key=len)))[:limit]


def complete_last(text: str) -> tuple[str, str]:
    """Split a comma-separated list being typed into (names already complete, fragment being typed)."""
    unified = text.replace(";", ",")
    head, sep, fragment = unified.rpartition(",")
    done = ", ".join(split_city_list(head)) if sep else ""
    return done, fragment.strip()
