"""The shared component layer's pure parts: custom ids, templates, form values, pages, visible text."""

from __future__ import annotations

import re

import pytest

from bot.components import CUSTOM_ID_LIMIT, PersistentButton, build_custom_id, build_template, parse_fields
from bot.errors import ValidationError
from bot.forms import FORM_ID, handback_text, read_values
from bot.i18n import ENGLISH
from bot.paginator import clamp_page, page_of
from bot.text import has_visible_text, optional_visible, require_visible

FIELDS = {"poll": int, "option": int}


def test_custom_id_and_template_round_trip() -> None:
    """A built custom_id matches its template and parses back to the same typed values."""
    custom_id = build_custom_id("polls:vote", FIELDS, (12, 3))
    assert custom_id == "polls:vote:12:3"
    match = re.match(build_template("polls:vote", FIELDS), custom_id)
    assert match is not None and parse_fields(FIELDS, match) == {"poll": 12, "option": 3}
    assert re.match(build_template("polls:vote", FIELDS), "polls:vote:12") is None
    assert re.match(build_template("polls:vote", FIELDS), "polls:vote:12:3:4") is None


@pytest.mark.parametrize("values", [(1,), ("1", 2), (1, 2, 3)])
def test_custom_id_refuses_wrong_fields(values: tuple[object, ...]) -> None:
    """Wrong count or type of values is a programming error caught at build time."""
    with pytest.raises((TypeError, ValueError)):
        build_custom_id("polls:vote", FIELDS, values)


def test_custom_id_refuses_text_the_template_would_not_match_and_overlong_ids() -> None:
    """A str field cannot carry a colon (it would shift the fields), and ids stay within Discord's limit."""
    with pytest.raises(ValueError):
        build_custom_id("calls:page", {"status": str}, ("open:x",))
    with pytest.raises(ValueError):
        build_custom_id("x" * CUSTOM_ID_LIMIT + ":a", {}, ())


def test_a_persistent_button_subclass_gets_its_template_and_attributes() -> None:
    """Declaring cog, prefix and fields is all a button needs; field values become attributes."""

    class Demo(PersistentButton, cog="Demo", prefix="demo:push", fields={"thing": int}):
        thing: int

        def __init__(self, thing: int) -> None:
            super().__init__(thing, label="Push")

    button = Demo(41)
    assert button.custom_id == "demo:push:41" and button.thing == 41
    assert Demo.__discord_ui_compiled_template__.match("demo:push:41")
    assert not Demo.__discord_ui_compiled_template__.match("demo:other:41")


def test_field_names_that_discord_py_uses_are_refused() -> None:
    """A field called `item` or `row` would overwrite the DynamicItem's own attributes."""
    with pytest.raises(ValueError, match="reserved"):

        class Broken(PersistentButton, cog="Demo", prefix="demo:broken", fields={"item": int}):
            pass


def test_read_values_walks_rows_and_labels_of_every_field_type() -> None:
    """Text inputs, radio groups, checkboxes and selects are read whatever wraps them."""
    components = [
        {"type": 1, "components": [{"type": 4, "custom_id": "title", "value": "Bikes"}]},
        {"type": 18, "component": {"type": 21, "custom_id": "scope", "value": "named"}},
        {"type": 18, "component": {"type": 23, "custom_id": "agree", "value": True}},
        {"type": 18, "component": {"type": 3, "custom_id": "city", "values": ["7"]}},
        {"type": 10, "content": "just text"},
    ]
    assert read_values(components) == {"title": "Bikes", "scope": "named", "agree": True, "city": ["7"]}


def test_handback_shows_every_text_field_with_fences_defused() -> None:
    """What was typed comes back labelled, and a fence in the text cannot end the code block."""
    text = handback_text(
        {"story": "It ```worked```", "agree": True, "empty": " "}, {"story": "Your story"}, ENGLISH
    )
    assert "**Your story**" in text and "```\nIt ʼʼʼworkedʼʼʼ\n```" in text
    assert "agree" not in text and "Empty" not in text


def test_form_ids_carry_a_kind_and_a_long_token() -> None:
    """Only `<cog>:<form>:<22-character token>` is a form of the shared layer."""
    assert FORM_ID.match("calls:edit:" + "A" * 22)
    assert not FORM_ID.match("calls:edit:12")
    assert not FORM_ID.match("exchange:resolve:1234")


def test_pages_are_clamped() -> None:
    """Page numbers past either end show the nearest page; an empty list has one empty page."""
    page = page_of(list(range(25)), 9, 10)
    assert page.number == 2 and list(page.items) == [20, 21, 22, 23, 24] and page.count == 3
    assert page.footer == "Page 3 of 3 · 25 items"
    assert page_of([], 0, 10).count == 1
    assert clamp_page(-4, 25, 10) == (0, 3)


@pytest.mark.parametrize(
    "text", ["", "   ", "\u200b\u200b\u200b", "\u2060\ufeff", "\n\t", "\u202e\u200f", "\u0301"]
)
def test_invisible_text_is_refused(text: str) -> None:
    """Whitespace, zero-width, bidi and lone combining characters are no text."""
    assert not has_visible_text(text)
    with pytest.raises(ValidationError, match="invisible"):
        require_visible(text, "message")


def test_visible_text_is_kept_stripped_and_optional_fields_may_be_empty() -> None:
    """Real text is returned without surrounding space; an empty optional field is None."""
    assert require_visible("  Hej  ", "message") == "Hej"
    assert optional_visible("   ", "reason") is None
    with pytest.raises(ValidationError):
        optional_visible("\u200b", "reason")
    with pytest.raises(ValidationError, match="at least 20"):
        require_visible("short", "story", minimum=20)
