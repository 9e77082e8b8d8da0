"""Persistent buttons and selects: custom_id `<cog>:<action>:<fields>`, working after any restart.

A component names its cog, its action and typed fields; the template discord.py matches clicks
against is built from them, the cog is looked up by name at click time (with a polite reply when it
is not loaded), and every callback goes through the one error reporter. A component calls a small
Protocol of its cog's methods, never the cog class, so views and cogs do not import each other.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any, ClassVar, Self

import discord

from bot.error_handler import expected_message, report_failure
from bot.i18n import N_
from bot.languages import lang_for
from bot.replies import send_ephemeral

# Discord refuses a custom_id longer than this.
CUSTOM_ID_LIMIT = 100
FIELD_PATTERNS: dict[type, str] = {int: r"-?[0-9]{1,20}", str: r"[A-Za-z0-9_*.-]{1,40}"}
# Attributes of discord.py's DynamicItem and Item that a field must not overwrite.
RESERVED_FIELDS = frozenset({"item", "row", "view", "custom_id", "template", "type", "width", "id", "parent"})
_NAME = re.compile(r"^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$")
# The template of an abstract base: matches nothing, so discord.py never routes a click to it.
_NEVER = r"(?!)"
UNAVAILABLE = N_(
    "This part of climabot is switched off right now, so this did nothing. Please try again later."
)
# How a click or a form submission ended, for the metrics: done; refused with a message the member can
# act on (a UserFacingError); failed on a bug (an error id); or stale (its form or its part is gone).
OK, REFUSED, ERROR, EXPIRED = "ok", "refused", "error", "expired"


class Outcomes:
    """Where outcomes go: bot/metrics.py sets `observer` while metrics are on; otherwise one None check."""

    observer: ClassVar[Callable[[discord.Interaction[Any], str, str], None] | None] = None


def observe(interaction: discord.Interaction[Any], name: str, outcome: str) -> None:
    """Report how a click (name: its prefix) or a form (its kind) ended; nothing while metrics are off."""
    if Outcomes.observer is not None:
        Outcomes.observer(interaction, name, outcome)


def outcome_of(error: BaseException) -> str:
    """REFUSED for an error the member is told about in words, ERROR for one that gets an error id."""
    return REFUSED if expected_message(error) is not None else ERROR


def build_template(prefix: str, fields: Mapping[str, type]) -> str:
    """Return the regular expression of `prefix:<field>:<field>...` with one named group per field."""
    groups = "".join(f":(?P<{name}>{FIELD_PATTERNS[kind]})" for name, kind in fields.items())
    return f"^{re.escape(prefix)}{groups}$"


def build_custom_id(prefix: str, fields: Mapping[str, type], values: Sequence[object]) -> str:
    """Join a prefix and typed field values into a custom_id, refusing what the template would not match."""
    if len(values) != len(fields):
        raise TypeError(f"{prefix} takes {len(fields)} fields, got {len(values)}")
    parts = [prefix]
    for (name, kind), value in zip(fields.items(), values, strict=True):
        text = str(value)
        if not isinstance(value, kind) or not re.fullmatch(FIELD_PATTERNS[kind], text):
            raise ValueError(f"{prefix}: field {name} cannot hold {value!r}")
        parts.append(text)
    custom_id = ":".join(parts)
    if len(custom_id) > CUSTOM_ID_LIMIT:
        raise ValueError(f"custom_id {custom_id!r} is longer than {CUSTOM_ID_LIMIT} characters")
    return custom_id


def parse_fields(fields: Mapping[str, type], match: re.Match[str]) -> dict[str, Any]:
    """Convert the named groups of a matched custom_id to their field types."""
    return {name: kind(match[name]) for name, kind in fields.items()}


class _Persistent:
    """What persistent buttons and selects share: naming, parsing, cog lookup and error reporting."""

    cog_name: ClassVar[str] = ""
    prefix: ClassVar[str] = ""
    fields: ClassVar[dict[str, type]] = {}
    custom_id: str

    def __init_subclass__(
        cls,
        *,
        cog: str | None = None,
        prefix: str | None = None,
        fields: Mapping[str, type] | None = None,
        **kwargs: Any,
    ) -> None:
        """Build a subclass's template from its cog, prefix and fields (the two bases name their own)."""
        if "template" not in kwargs:
            kwargs["template"] = cls._setup_subclass(cog, prefix, fields)
        super().__init_subclass__(**kwargs)

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the clicked component from its custom_id (discord.py then fills in a select's picks)."""
        return cls.from_fields(interaction, **parse_fields(cls.fields, match))

    @classmethod
    def _setup_subclass(cls, cog: str | None, prefix: str | None, fields: Mapping[str, type] | None) -> str:
        """Record a subclass's cog, prefix and fields and return its template."""
        if cog is not None:
            cls.cog_name = cog
        if prefix is None:
            return _NEVER
        if not _NAME.match(prefix):
            raise ValueError(f"component prefix {prefix!r} must look like cog:action")
        clash = RESERVED_FIELDS & set(fields or {})
        if clash:
            raise ValueError(f"{prefix}: field names {sorted(clash)} are reserved by discord.py")
        cls.prefix, cls.fields = prefix, dict(fields or {})
        return build_template(prefix, cls.fields)

    def _store_fields(self, values: Sequence[object]) -> str:
        """Keep the field values as attributes and return the custom_id they make."""
        for name, value in zip(self.fields, values, strict=True):
            setattr(self, name, value)
        return build_custom_id(self.prefix, self.fields, values)

    @classmethod
    def from_fields(cls, interaction: discord.Interaction[Any], **fields: Any) -> Self:
        """Rebuild the component clicked after a restart; override when __init__ needs more than fields."""
        return cls(**fields)

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Find the cog and hand it the click; a missing cog or any failure gets a private answer."""
        handler = interaction.client.get_cog(self.cog_name)
        if handler is None:
            await send_ephemeral(interaction, (await lang_for(interaction))._(UNAVAILABLE))
            observe(interaction, self.prefix, EXPIRED)
            return
        try:
            outcome = await self.clicked(interaction, handler) or OK
        except Exception as error:
            outcome = outcome_of(error)
            await report_failure(interaction, error, self.custom_id)
        observe(interaction, self.prefix, outcome)

    async def clicked(self, interaction: discord.Interaction[Any], handler: Any) -> str | None:
        """What a click does; `handler` is the cog, typed by the subclass as a Protocol.

        Return EXPIRED when what the component acts on is gone (for the metrics); None means OK.
        """
        raise NotImplementedError


class PersistentButton(_Persistent, discord.ui.DynamicItem[discord.ui.Button[Any]], template=_NEVER):
    """A button that survives restarts: subclass with `cog=`, `prefix=` ("cog:action") and `fields=`."""

    def __init__(
        self,
        *values: object,
        label: str,
        style: discord.ButtonStyle = discord.ButtonStyle.secondary,
        emoji: str | None = None,
        disabled: bool = False,
        row: int | None = None,
    ) -> None:
        """Build the button for these field values."""
        custom_id = self._store_fields(values)
        button: discord.ui.Button[Any] = discord.ui.Button(
            label=label[:80], style=style, emoji=emoji, disabled=disabled, custom_id=custom_id
        )
        super().__init__(button, row=row)


class PersistentSelect(_Persistent, discord.ui.DynamicItem[discord.ui.Select[Any]], template=_NEVER):
    """A select that survives restarts: subclass with `cog=`, `prefix=` ("cog:action") and `fields=`."""

    def __init__(
        self,
        *values: object,
        options: Sequence[discord.SelectOption] = (),
        placeholder: str | None = None,
        min_values: int = 1,
        max_values: int = 1,
        row: int | None = None,
    ) -> None:
        """Build the select for these field values; options may be empty when rebuilt for a click."""
        custom_id = self._store_fields(values)
        select: discord.ui.Select[Any] = discord.ui.Select(
            custom_id=custom_id,
            options=list(options)[:25] or [discord.SelectOption(label="-")],
            placeholder=placeholder[:150] if placeholder else None,
            min_values=min_values,
            max_values=max_values,
        )
        super().__init__(select, row=row)

    @property
    def chosen(self) -> list[str]:
        """The values the member picked."""
        return list(self.item.values)


def persistent_view(*items: discord.ui.Item[Any]) -> discord.ui.View:
    """A view that never times out, holding persistent items in order."""
    view = discord.ui.View(timeout=None)
    for item in items:
        view.add_item(item)
    return view
