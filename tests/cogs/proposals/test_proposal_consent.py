"""The proposal consent (cogs/proposals/consent.py): shown in a language only when complete there, its
version derived from the exact text shown."""

from __future__ import annotations

import gettext

import pytest

from bot.consent import LICENCE_LABEL, ConsentError
from bot.i18n import ENGLISH, Lang
from cogs.proposals.consent import DESCRIPTION, LEGACY_VERSION, check_consent, proposal_consent


class Catalog(gettext.NullTranslations):
    """A tiny in-memory catalog."""

    def __init__(self, texts: dict[str, str]) -> None:
        """Keep the translations."""
        super().__init__()
        self.texts = texts

    def gettext(self, message: str) -> str:
        """The translation, or the msgid."""
        return self.texts.get(message, message)


GERMAN = {LICENCE_LABEL: "Ich gewähre die Lizenz {licence}", DESCRIPTION: "Als offene Daten teilen: {url}"}


def test_a_complete_language_shows_its_own_text_with_its_own_version() -> None:
    german = proposal_consent(Lang("de", Catalog(GERMAN)))
    english = proposal_consent(ENGLISH)
    assert german.language == "de" and german.label == "Ich gewähre die Lizenz CC BY 4.0"
    assert german.version != english.version and LEGACY_VERSION not in (german.version, english.version)
    reworded = proposal_consent(Lang("de", Catalog({**GERMAN, DESCRIPTION: "Offen teilen: {url}"})))
    assert reworded.version != german.version


def test_an_incomplete_language_shows_the_english_consent() -> None:
    half = proposal_consent(Lang("de", Catalog({LICENCE_LABEL: GERMAN[LICENCE_LABEL]})))
    assert (half.language, half.version) == ("en", proposal_consent(ENGLISH).version)


def test_an_unticked_box_is_refused() -> None:
    check_consent(True)
    with pytest.raises(ConsentError):
        check_consent(False)
