"""Languages: the gettext catalogs (Babel) that hold climabot's translations, and one language's view of them.

English is the source: every text in the code is an English msgid, marked for extraction with `_`
(translated where it is used), `N_` (a constant translated later) or `ngettext`, or passed to an
error class or `Msg`. Catalogs live in bot/locales/<code>/LC_MESSAGES/climabot.po (what translators
edit) with the compiled .mo beside it (what the bot loads, once, at start).
"""

from __future__ import annotations

import gettext
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cached_property
from pathlib import Path
from typing import Any

import babel
import babel.dates
import babel.numbers

log = logging.getLogger(__name__)

DOMAIN = "climabot"
LOCALE_DIR = Path(__file__).with_name("locales")
SOURCE = "en"

# The 24 official EU languages, plus Norwegian (Bokmål), Turkish and Ukrainian for the mission
# cities of associated countries. Value: the name in English, for logs and the README.
SUPPORTED: dict[str, str] = {
    "bg": "Bulgarian",
    "cs": "Czech",
    "da": "Danish",
    "de": "German",
    "el": "Greek",
    "en": "English",
    "es": "Spanish",
    "et": "Estonian",
    "fi": "Finnish",
    "fr": "French",
    "ga": "Irish",
    "hr": "Croatian",
    "hu": "Hungarian",
    "it": "Italian",
    "lt": "Lithuanian",
    "lv": "Latvian",
    "mt": "Maltese",
    "nb": "Norwegian",
    "nl": "Dutch",
    "pl": "Polish",
    "pt": "Portuguese",
    "ro": "Romanian",
    "sk": "Slovak",
    "sl": "Slovenian",
    "sv": "Swedish",
    "tr": "Turkish",
    "uk": "Ukrainian",
}

# Discord's locales that one of our languages serves. Discord has none for et, ga, lv, mt, sk and sl:
# members pick those with /profile set language.
DISCORD_LOCALES: dict[str, str] = {
    "bg": "bg",
    "cs": "cs",
    "da": "da",
    "de": "de",
    "el": "el",
    "en-GB": "en",
    "en-US": "en",
    "es-ES": "es",
    "es-419": "es",
    "fi": "fi",
    "fr": "fr",
    "hr": "hr",
    "hu": "hu",
    "it": "it",
    "lt": "lt",
    "nl": "nl",
    "no": "nb",
    "pl": "pl",
    "pt-BR": "pt",
    "ro": "ro",
    "sv-SE": "sv",
    "tr": "tr",
    "uk": "uk",
}


def N_(message: str) -> str:
    """Mark a constant for extraction; it is translated where it is shown."""
    return message


@dataclass(frozen=True, init=False)
class Msg:
    """A text to translate later, with its parameters: what errors and deferred notices carry."""

    message: str
    params: Mapping[str, Any] = field(default_factory=dict)

    def __init__(self, message: str, /, **params: Any) -> None:
        """Keep the English msgid and the values of its placeholders."""
        object.__setattr__(self, "message", message)
        object.__setattr__(self, "params", params)

    def __str__(self) -> str:
        """The English text, for logs."""
        return ENGLISH.render(self)


def language_of_locale(locale: object) -> str | None:
    """Our language for a Discord locale (`discord.Locale` or its value), or None if we have none."""
    value = getattr(locale, "value", locale)
    return DISCORD_LOCALES.get(str(value)) if value else None


def normalise_language(text: str | None) -> str | None:
    """A supported language code for what a person or a file typed (`pl`, `PL`, `pt-BR`), else None."""
    if not text:
        return None
    code = text.strip().replace("_", "-")
    mapped = DISCORD_LOCALES.get(code) or code.split("-")[0].lower()
    mapped = "nb" if mapped in ("no", "nn") else mapped
    return mapped if mapped in SUPPORTED else None


class Lang:
    """One language's texts, numbers and dates; `_` and `ngettext` are what the code calls."""

    def __init__(self, code: str, translations: gettext.NullTranslations) -> None:
        """Wrap one language's compiled catalog."""
        self.code = code
        self._translations = translations

    def __repr__(self) -> str:
        """`Lang('pl')`."""
        return f"Lang({self.code!r})"

    def _(self, message: str, /, **params: Any) -> str:
        """Translate a text and fill in its placeholders (a broken translation falls back to English)."""
        translated = self._translations.gettext(message)
        return _fill(translated, message, params) if params else translated

    def ngettext(self, singular: str, plural: str, n: int, /, **params: Any) -> str:
        """Translate a text whose form depends on the number n (`{n}` is filled in too)."""
        translated = self._translations.ngettext(singular, plural, n)
        return _fill(translated, singular if n == 1 else plural, {"n": n, **params})

    def render(self, text: Msg | str) -> str:
        """Translate a Msg (and any Msg among its parameters), or a plain msgid."""
        if isinstance(text, str):
            return self._(text)
        params = {key: self.render(v) if isinstance(v, Msg) else v for key, v in text.params.items()}
        return self._(text.message, **params)

    @cached_property
    def locale(self) -> babel.Locale:
        """Babel's locale for number and date formats and language names."""
        return babel.Locale.parse(self.code)

    def number(self, value: float, *, digits: int | None = None) -> str:
        """A number as this language writes it (1 234,5 / 1,234.5)."""
        if digits is None:
            return babel.numbers.format_decimal(value, locale=self.locale)
        pattern = "#,##0" + ("." + "0" * digits if digits else "")
        return babel.numbers.format_decimal(value, format=pattern, locale=self.locale)

    def percent(self, fraction: float) -> str:
        """A fraction as a percentage in this language (0.25 -> 25 %)."""
        return babel.numbers.format_percent(fraction, locale=self.locale)

    def date(self, value: date | datetime, form: str = "medium") -> str:
        """A date as this language writes it."""
        return babel.dates.format_date(value, format=form, locale=self.locale)

    def datetime(self, value: datetime, form: str = "medium") -> str:
        """A date and time as this language writes it (in the datetime's own zone)."""
        return babel.dates.format_datetime(value, format=form, tzinfo=value.tzinfo, locale=self.locale)

    def language_name(self, code: str) -> str:
        """A language's name in this language (`pl` in German: Polnisch)."""
        name = babel.Locale.parse(code).get_display_name(self.locale) or SUPPORTED.get(code, code)
        return name[:1].upper() + name[1:]


def _fill(translated: str, source: str, params: Mapping[str, Any]) -> str:
    """Fill placeholders; a translation with a broken placeholder falls back to the English text."""
    try:
        return translated.format(**params)
    except (KeyError, IndexError, ValueError):
        log.warning("translation of %r has broken placeholders; English used", source[:60])
        return source.format(**params)


def native_name(code: str) -> str:
    """A language's name in itself (polski, Deutsch), capitalised."""
    return Lang(code, gettext.NullTranslations()).language_name(code)


ENGLISH = Lang(SOURCE, gettext.NullTranslations())


class Catalogs:
    """Every supported language's compiled catalog, loaded once."""

    def __init__(self, directory: Path = LOCALE_DIR) -> None:
        """Load the .mo file of every supported language; a missing one is English, with a warning."""
        self._langs: dict[str, Lang] = {SOURCE: ENGLISH}
        for code in SUPPORTED:
            if code == SOURCE:
                continue
            path = directory / code / "LC_MESSAGES" / f"{DOMAIN}.mo"
            try:
                with path.open("rb") as handle:
                    translations: gettext.NullTranslations = gettext.GNUTranslations(handle)
            except OSError:
                log.warning("no catalog for %s (%s); it will show English", code, path)
                translations = gettext.NullTranslations()
            self._langs[code] = Lang(code, translations)

    def lang(self, code: str | None) -> Lang:
        """The language for a code; English for None or a code we do not have."""
        return self._langs.get(code or SOURCE, ENGLISH)

    def __iter__(self) -> Any:
        """Every loaded language."""
        return iter(self._langs.values())
