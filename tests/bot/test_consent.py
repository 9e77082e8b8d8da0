"""Consent wording fits Discord's modal limits, is stored as shown, and is required."""

from __future__ import annotations

import pytest

from bot.consent import (
    CONSENT_VERSION,
    LICENCES,
    WORDINGS,
    ConsentError,
    check_consent,
    consent_text,
    licence_texts,
)


@pytest.mark.parametrize("version", sorted(WORDINGS))
def test_every_wording_fits_the_modal(version: str) -> None:
    """Labels <= 45, descriptions and options <= 100 characters, for every licence."""
    words = WORDINGS[version]
    assert len(words.usage_label) <= 45 and len(words.usage_description) <= 100
    assert len(words.scopes) <= 10
    for label, description in words.scopes.values():
        assert len(label) <= 100 and len(description) <= 100
    for licence in LICENCES:
        label, description = licence_texts(licence, version)
        assert len(label) <= 45 and len(description) <= 100


def test_stored_text_names_choice_licence_and_version() -> None:
    """The statement kept with an item says which option and licence were agreed to, and the version."""
    text = consent_text("anonymous", "CC-BY-SA-4.0")
    assert f"Consent version {CONSENT_VERSION}." in text
    assert WORDINGS[CONSENT_VERSION].scopes["anonymous"][0] in text
    assert "CC BY-SA 4.0" in text and LICENCES["CC-BY-SA-4.0"].url in text
    assert consent_text("named", "CC0-1.0") != consent_text("research", "CC0-1.0")


def test_no_consent_no_storage() -> None:
    """Without the licence box ticked, or without a usage choice, consent is refused."""
    assert check_consent("research", True) == "research"
    with pytest.raises(ConsentError, match="Nothing was saved"):
        check_consent("named", False)
    with pytest.raises(ConsentError, match="Nothing was saved"):
        check_consent(None, True)
    with pytest.raises(ConsentError):
        check_consent("publish-everywhere", True)
