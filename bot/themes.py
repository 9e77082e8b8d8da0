"""The mission's exchange themes and the forum tags that carry them."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from discord import app_commands

from bot.i18n import N_, Lang, Msg

# Discord's limits on a forum channel's tags.
MAX_FORUM_TAGS = 20
MAX_TAG_NAME = 20
# A post carries at most five tags.
MAX_APPLIED_TAGS = 5
# Forum tags stay English: one forum's tags are shared by readers of every language.
RESOLVED_TAG = "Resolved"


@dataclass(frozen=True)
class Theme:
    """One exchange theme: stored key, label shown to members, and forum tag name (<= 20 characters).

    `label` is an English msgid (marked with N_), shown through `label_in(t)`; `key` is what is stored.
    """

    key: str
    label: str
    tag: str

    def label_in(self, t: Lang) -> str:
        """The theme's name in language t."""
        return t._(self.label)


THEMES: tuple[Theme, ...] = (
    Theme("waste-circularity", N_("Waste and circularity"), "Waste & circularity"),
    Theme("energy", N_("Energy"), "Energy"),
    Theme("mobility", N_("Mobility"), "Mobility"),
    Theme("buildings", N_("Buildings"), "Buildings"),
    Theme("nature-based", N_("Nature-based solutions"), "Nature-based"),
    Theme("governance-finance", N_("Governance and finance"), "Governance & finance"),
    Theme("citizen-engagement", N_("Citizen engagement"), "Citizen engagement"),
)
_BY_KEY = {theme.key: theme for theme in THEMES}
# The `theme` option of every command that takes one: the label is a msgid the CommandTranslator
# localises; the value (the stored key) stays.
THEME_CHOICES = [app_commands.Choice(name=theme.label, value=theme.key) for theme in THEMES]


class TagSpaceError(Exception):
    """The forum has no room for a tag the bot needs; `text` says so, to translate where it is shown."""

    def __init__(self, text: Msg) -> None:
        """Keep the text; str() of the error is the English text, for logs."""
        self.text = text
        super().__init__(str(text))


def theme_by_key(key: str) -> Theme:
    """Return the theme stored under key; unknown keys (from older data) get a plain label, untranslated."""
    return _BY_KEY.get(key) or Theme(key, key.replace("-", " ").capitalize(), key[:MAX_TAG_NAME])


def wanted_tag_names() -> list[str]:
    """Every tag the exchange forum should have: one per theme, and the resolved tag."""
    return [theme.tag for theme in THEMES] + [RESOLVED_TAG]


def find_tag_name(existing: Iterable[str], name: str) -> str | None:
    """Return the existing tag name equal to name ignoring case, if any."""
    folded = name.casefold()
    return next((tag for tag in existing if tag.casefold() == folded), None)


def tags_to_create(existing: list[str], needed: list[str]) -> list[str]:
    """Choose the tags to add: every missing wanted tag if all fit, else the missing needed ones."""
    # Discord allows 20 tags per forum; TagSpaceError when even the needed ones do not fit.
    missing_wanted = [n for n in wanted_tag_names() if find_tag_name(existing, n) is None]
    if len(existing) + len(missing_wanted) <= MAX_FORUM_TAGS:
        return missing_wanted
    missing_needed = [n for n in dict.fromkeys(needed) if find_tag_name(existing, n) is None]
    if len(existing) + len(missing_needed) <= MAX_FORUM_TAGS:
        return missing_needed
    raise TagSpaceError(
        Msg(
            "The exchange forum already has {count} tags (Discord allows {limit}); a moderator must remove "
            "one so I can add {tags}.",
            count=len(existing),
            limit=MAX_FORUM_TAGS,
            tags=", ".join(repr(n) for n in missing_needed),
        )
    )


def with_tag(applied: list[int], tag_id: int) -> list[int]:
    """Add a tag id to a post's applied tags, keeping the first ones (the theme) within five."""
    kept = [t for t in applied if t != tag_id]
    return [*kept[: MAX_APPLIED_TAGS - 1], tag_id]
