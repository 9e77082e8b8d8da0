"""Consent: fits Discord's modal limits, is stored as shown, is required, speaks the member's language
only when all of it is translated, and its version follows its exact text in each language."""

from __future__ import annotations

import gettext
import re

import pytest

from bot.consent import (
    CONSENT_VERSION,
    DESCRIPTION_MAX,
    LABEL_MAX,
    LICENCE_DESCRIPTION,
    LICENCE_LABEL,
    LICENCES,
    SCOPES,
    STATEMENT,
    USAGE_DESCRIPTION,
    USAGE_LABEL,
    ConsentError,
    check_consent,
    consent_text,
    licence_texts,
    wording,
)
from bot.errors import ValidationError
from bot.i18n import ENGLISH, Lang


class Catalog(gettext.NullTranslations):
    """A language's translations from a dict, as a compiled catalog would give them."""

    def __init__(self, messages: dict[str, str]) -> None:
        """Keep the messages."""
        super().__init__()
        self.messages = messages

    def gettext(self, message: str) -> str:
        """The translation, or the msgid when there is none (as gettext does)."""
        return self.messages.get(message, message)


GERMAN = {
    USAGE_LABEL: "Wie dürfen wir deine Geschichte nutzen?",
    USAGE_DESCRIPTION: "Moderatoren lesen sie zuerst. Du kannst sie jederzeit zurückziehen.",
    SCOPES["named"][0]: "Mit meinem Namen veröffentlichen",
    SCOPES["named"][1]: "Im Schaukasten-Kanal mit deinem Anzeigenamen.",
    SCOPES["anonymous"][0]: "Anonym veröffentlichen",
    SCOPES["anonymous"][1]: "Im Schaukasten-Kanal ohne deinen Namen.",
    SCOPES["research"][0]: "Nur für die Forschung, nicht veröffentlicht",
    SCOPES["research"][1]: "Nur die Forschenden des Projekts erhalten sie.",
    LICENCE_LABEL: "Ich erteile die Lizenz {licence}",
    LICENCE_DESCRIPTION: "Geschichte und Foto als offene Daten teilen: {url}",
    STATEMENT: "Einwilligung Version {version}. {question} {explanation} Gewählt: {option}: {detail} "
    "Zugestimmt: {licence_label}. {licence_description}",
}


def lang(code: str, messages: dict[str, str]) -> Lang:
    """A language with these translations (a new object, so cached wordings are not reused)."""
    return Lang(code, Catalog(messages))


@pytest.mark.parametrize("messages", [{}, GERMAN], ids=["en", "de"])
def test_the_wording_fits_the_modal(messages: dict[str, str]) -> None:
    """Labels <= 45, descriptions and options <= 100 characters, for every licence, in each language."""
    words = wording(lang("de", messages) if messages else ENGLISH)
    assert len(words.usage_label) <= LABEL_MAX and len(words.usage_description) <= DESCRIPTION_MAX
    assert len(words.scopes) <= 10
    for label, description in words.scopes.values():
        assert len(label) <= 100 and len(description) <= 100
    for licence in LICENCES:
        label, description = words.licence_texts(licence)
        assert len(label) <= LABEL_MAX and len(description) <= DESCRIPTION_MAX


def test_stored_text_names_choice_licence_and_version() -> None:
    """The statement kept with an item says which option and licence were agreed to, and the version."""
    text = consent_text("anonymous", "CC-BY-SA-4.0")
    assert text.startswith(f"Consent version {CONSENT_VERSION}. How may we use your story?")
    assert "Chosen: Publish it anonymously: Shown in the showcase channel without your name." in text
    assert "CC BY-SA 4.0" in text and LICENCES["CC-BY-SA-4.0"].url in text
    assert consent_text("named", "CC0-1.0") != consent_text("research", "CC0-1.0")
    assert licence_texts("CC0-1.0") == ("I grant the CC0 1.0 licence", wording().licence_texts("CC0-1.0")[1])


def test_no_consent_no_storage() -> None:
    """Without the licence box ticked, or without a usage choice, consent is refused (a user-facing error)."""
    assert check_consent("research", True) == "research"
    with pytest.raises(ConsentError, match="Nothing was saved"):
        check_consent("named", False)
    with pytest.raises(ValidationError, match="Nothing was saved"):
        check_consent(None, True)
    with pytest.raises(ConsentError):
        check_consent("publish-everywhere", True)


def test_a_completely_translated_consent_is_shown_and_stored_in_that_language() -> None:
    """German members see and agree to the German text; its language and its own version are recorded."""
    words = wording(lang("de", GERMAN))
    assert words.language == "de" and words.usage_label == GERMAN[USAGE_LABEL]
    assert words.licence_texts("CC-BY-4.0")[0] == "Ich erteile die Lizenz CC BY 4.0"
    statement = words.statement("research", "CC-BY-4.0")
    assert statement.startswith(f"Einwilligung Version {words.version}. Wie dürfen wir")
    assert "Gewählt: Nur für die Forschung, nicht veröffentlicht" in statement
    assert re.fullmatch("[0-9a-f]{12}", words.version) and words.version != CONSENT_VERSION


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({SCOPES["anonymous"][1]: SCOPES["anonymous"][1]}, id="one text untranslated"),
        pytest.param(
            {USAGE_LABEL: "Wie dürfen wir deine Geschichte bitte nutzen, liebe Leute?"}, id="too long"
        ),
        pytest.param({LICENCE_LABEL: "Ich erteile die Lizenz {lizenz}"}, id="broken placeholder"),
        pytest.param(
            {LICENCE_DESCRIPTION: "Als offene Daten teilen: {url} " + "x" * 60}, id="too long filled"
        ),
    ],
)
def test_an_incomplete_translation_shows_the_whole_consent_in_english(change: dict[str, str]) -> None:
    """Never a half-translated consent: the whole block is English, and so is the recorded language."""
    words = wording(lang("de", {**GERMAN, **change}))
    assert words.language == "en" and words.version == CONSENT_VERSION
    assert words.statement("named", "CC0-1.0") == consent_text("named", "CC0-1.0")


def test_changing_one_word_in_one_language_changes_only_that_version() -> None:
    """A German correction gives German a new version; English (and its stored texts) keep theirs."""
    before = wording(lang("de", GERMAN))
    corrected = {**GERMAN, SCOPES["named"][1]: "Im Schaukasten-Kanal, mit deinem Anzeigenamen."}
    after = wording(lang("de", corrected))
    assert after.language == "de" and after.version != before.version
    assert wording(ENGLISH).version == CONSENT_VERSION
    # The same text always gives the same version (another process, another day).
    assert wording(lang("de", dict(GERMAN))).version == before.version
