"""Every text in the code is in every language's catalog, translated, with its placeholders intact.

A failure names the language and the text. After changing texts in the code run
`python -m bot.catalogs extract && python -m bot.catalogs update`, translate, then
`python -m bot.catalogs compile`.
"""

from __future__ import annotations

import gettext
import re
from functools import cache

import pytest
from babel.messages.catalog import Catalog

from bot.catalogs import TEMPLATE, extract, po_path, read_catalog
from bot.i18n import SOURCE, SUPPORTED

LANGUAGES = sorted(code for code in SUPPORTED if code != SOURCE)
PLACEHOLDER = re.compile(r"\{[a-z_0-9]*\}")
# What a translation may leave as it is: code, placeholders, mentions, links, markup.
NOT_WORDS = re.compile(r"`[^`]*`|\{[^}]*\}|<[^>]*>|https?://\S+|[*_~|>#\-]+")
WORD = re.compile(r"[^\W\d_]{2,}")


@cache
def template() -> Catalog:
    """The committed template."""
    return read_catalog(TEMPLATE, SOURCE)


@cache
def catalog(code: str) -> Catalog:
    """One language's committed .po."""
    return read_catalog(po_path(code), code)


def texts(message_id: str | tuple[str, ...]) -> tuple[str, ...]:
    """The singular (and plural) English text of a template entry."""
    return (message_id,) if isinstance(message_id, str) else tuple(message_id)


def words(text: str) -> int:
    """How many words a text has outside code, placeholders, mentions, links and markup."""
    return len(WORD.findall(NOT_WORDS.sub(" ", text)))


def test_the_template_holds_every_text_of_the_code() -> None:
    """The committed template is what extraction finds now (run `python -m bot.catalogs extract`)."""
    in_code = {m.id for m in extract() if m.id}
    committed = {m.id for m in template() if m.id}
    assert sorted(map(str, in_code - committed)) == [], "texts missing from bot/locales/climabot.pot"
    assert sorted(map(str, committed - in_code)) == [], "texts in the template no longer in the code"


@pytest.mark.parametrize("code", LANGUAGES)
def test_every_text_is_translated_with_intact_placeholders(code: str) -> None:
    """Each template text has a translation in this language, not the English copied, same placeholders."""
    problems = []
    language = catalog(code)
    for source in template():
        if not source.id:
            continue
        english = texts(source.id)
        found = language.get(source.id)
        if found is None or "fuzzy" in found.flags:
            problems.append(f"missing: {english[0]!r}")
            continue
        translated = (found.string,) if isinstance(found.string, str) else tuple(found.string)
        forms = 1 if isinstance(source.id, str) else language.num_plurals
        if not all(translated) or len(translated) < forms:
            problems.append(f"untranslated: {english[0]!r}")
            continue
        wanted = set(PLACEHOLDER.findall(" ".join(english)))
        for form in translated:
            # A plural form may drop {n} where the language says "one" in words; nothing else may differ.
            got = set(PLACEHOLDER.findall(form))
            if got - wanted or wanted - got - {"{n}"}:
                problems.append(f"placeholders {sorted(got)} instead of {sorted(wanted)}: {english[0]!r}")
        if translated[0] == english[0] and words(english[0]) > 2:
            problems.append(f"English copied: {english[0]!r}")
    assert problems == [], f"{code}: {len(problems)} problems, e.g. {problems[:5]}"


@pytest.mark.parametrize("code", LANGUAGES)
def test_the_compiled_catalog_matches_its_po(code: str) -> None:
    """The .mo the bot loads says what the .po says (run `python -m bot.catalogs compile`)."""
    with po_path(code).with_suffix(".mo").open("rb") as handle:
        compiled = gettext.GNUTranslations(handle)
    stale = [
        m.id
        for m in catalog(code)
        if m.id and isinstance(m.id, str) and m.string and compiled.gettext(m.id) != m.string
    ]
    assert stale == [], f"{code}: .mo is older than .po for {len(stale)} texts"


def test_the_words_check_ignores_code_placeholders_and_markup() -> None:
    """Only real words count when deciding whether a text was left in English."""
    assert words("`/calls add` {identifier} <@&{role}> **—**") == 0
    assert words("Updated {call}.") == 1
    assert words("This form has expired or was already sent.") == 8
