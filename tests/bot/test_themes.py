"""Exchange themes and the forum tags that carry them."""

from __future__ import annotations

import gettext

import pytest

from bot.i18n import ENGLISH, Lang
from bot.themes import (
    MAX_FORUM_TAGS,
    MAX_TAG_NAME,
    RESOLVED_TAG,
    THEMES,
    TagSpaceError,
    find_tag_name,
    tags_to_create,
    theme_by_key,
    wanted_tag_names,
    with_tag,
)


def test_tags_fit_discord_limits_and_are_distinct() -> None:
    names = wanted_tag_names()
    assert all(1 <= len(n) <= MAX_TAG_NAME for n in names)
    assert len({n.casefold() for n in names}) == len(names) <= MAX_FORUM_TAGS
    assert {t.key for t in THEMES} >= {"waste-circularity", "energy", "mobility", "buildings"}


def test_theme_lookup_and_unknown_keys() -> None:
    assert theme_by_key("energy").label == "Energy"
    legacy = theme_by_key("water-management")
    assert legacy.label == "Water management" and len(legacy.tag) <= MAX_TAG_NAME


def test_all_missing_tags_are_created_when_they_fit() -> None:
    existing = ["energy", "Off topic"]
    created = tags_to_create(existing, ["Energy"])
    assert "Energy" not in created and RESOLVED_TAG in created
    assert len(created) == len(wanted_tag_names()) - 1
    assert find_tag_name(existing, "ENERGY") == "energy"


def test_only_needed_tags_when_the_forum_is_nearly_full() -> None:
    existing = [f"tag {i}" for i in range(MAX_FORUM_TAGS - 2)]
    assert tags_to_create(existing, ["Mobility", RESOLVED_TAG]) == ["Mobility", RESOLVED_TAG]


def test_no_room_at_all_is_an_error_naming_the_tag() -> None:
    existing = [f"tag {i}" for i in range(MAX_FORUM_TAGS)]
    with pytest.raises(TagSpaceError, match="Mobility"):
        tags_to_create(existing, ["Mobility"])


def test_with_tag_keeps_the_theme_and_stays_within_five() -> None:
    assert with_tag([1], 9) == [1, 9]
    assert with_tag([1, 9], 9) == [1, 9]
    assert with_tag([1, 2, 3, 4, 5], 9) == [1, 2, 3, 4, 9]
    assert with_tag([], 9) == [9]


def test_labels_are_msgids_shown_in_the_readers_language_and_tags_stay_english() -> None:
    class German(gettext.NullTranslations):
        """Translates one theme."""

        def gettext(self, message: str) -> str:
            """Energie for Energy."""
            return {"Energy": "Energie"}.get(message, message)

    german = Lang("de", German())
    energy = theme_by_key("energy")
    assert energy.label_in(german) == "Energie" and energy.label_in(ENGLISH) == "Energy"
    assert energy.tag == "Energy" and "Energy" in wanted_tag_names()
    # A key from older data shows as it is, untranslated.
    assert theme_by_key("water-management").label_in(german) == "Water management"


def test_the_no_room_error_carries_a_text_to_translate() -> None:
    with pytest.raises(TagSpaceError) as caught:
        tags_to_create([f"tag {i}" for i in range(MAX_FORUM_TAGS)], ["Mobility"])
    assert caught.value.text.params["count"] == MAX_FORUM_TAGS
    assert ENGLISH.render(caught.value.text).startswith("The exchange forum already has 20 tags")
