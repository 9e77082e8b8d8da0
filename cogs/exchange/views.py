"""Components of mutual learning on the shared layer: list page buttons and the lesson-learned form.

Page buttons keep the custom_ids posted before (`exchange:cities:<page>:<country>` and
`exchange:list:<page>:<city>:<theme>:<status>`), so lists shown last month still page. Each
component calls a small Protocol of its cog, never the cog class.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, ClassVar, Protocol

import discord

from bot.forms import Form, Submission, read_values, text_input
from bot.guards import require_guild
from bot.i18n import N_, Lang
from bot.languages import lang_for
from bot.paginator import ListPage, PageButton

STATUSES = ("open", "resolved", "all")
ANY = "-"
# Before forms were bound to one member and one use, the lesson form's custom_id held the exchange.
LEGACY_RESOLVE_FORM = re.compile(r"^exchange:resolve:(?P<exchange>\d{1,20})$")
LESSON_LABELS = {
    "worked": N_("What worked"),
    "did_not": N_("What did not work"),
    "contact": N_("Who to contact"),
}
LESSON_HINTS = {
    "worked": N_("The answer or approach that helped, in a few sentences"),
    "did_not": N_("Dead ends worth knowing about (optional)"),
    "contact": N_("A person, team or city office (optional)"),
}


@dataclass(frozen=True)
class ExchangeFilters:
    """The filters of an exchange list, as carried in its page buttons' custom_ids."""

    city_id: int | None = None
    theme: str | None = None
    status: str = "all"


class CityPages(Protocol):
    """What the city list's buttons ask of their cog."""

    async def city_page(self, guild_id: int, country: str | None, page: int, t: Lang) -> ListPage:
        """Render one page of the city register in language t."""
        ...


class ExchangePages(Protocol):
    """What the exchange list's buttons ask of their cog."""

    async def exchange_page(self, guild_id: int, filters: ExchangeFilters, page: int, t: Lang) -> ListPage:
        """Render one page of exchanges in language t."""
        ...


class LessonTaker(Protocol):
    """What the lesson-learned form asks of its cog."""

    async def complete_resolve(
        self, interaction: discord.Interaction[Any], exchange_id: int, worked: str, did_not: str, contact: str
    ) -> None:
        """Store the lesson, resolve the exchange and post the lesson."""
        ...


class CityPageButton(
    PageButton, cog="Cities", prefix="exchange:cities", fields={"page": int, "country": str}
):
    """Another page of the city register; `country` is an ISO code, or "-" for every country."""

    country: str

    def __init__(self, page: int, country: str, label: str = "Page", disabled: bool = False) -> None:
        """Point at one page of one country's list."""
        super().__init__(page, country, label=label, disabled=disabled)

    async def render(self, interaction: discord.Interaction[Any], handler: CityPages) -> ListPage:
        """Ask the cities cog for the page, in the language of the member who clicked."""
        guild = require_guild(interaction).guild
        country = None if self.country == ANY else self.country
        return await handler.city_page(guild.id, country, self.page, await lang_for(interaction))


class ExchangePageButton(
    PageButton,
    cog="Exchange",
    prefix="exchange:list",
    fields={"page": int, "city": int, "theme": str, "status": str},
):
    """Another page of exchanges; city 0 and theme "-" mean any."""

    city: int
    theme: str
    status: str

    def __init__(
        self, page: int, city: int, theme: str, status: str, label: str = "Page", disabled: bool = False
    ) -> None:
        """Point at one page of the exchanges matching the filters."""
        super().__init__(page, city, theme, status, label=label, disabled=disabled)

    @classmethod
    def for_filters(
        cls, page: int, filters: ExchangeFilters, label: str, disabled: bool
    ) -> ExchangePageButton:
        """The button for one page of a filtered list."""
        return cls(page, filters.city_id or 0, filters.theme or ANY, filters.status, label, disabled)

    @property
    def filters(self) -> ExchangeFilters:
        """The filters this button carries (an unknown status shows everything)."""
        status = self.status if self.status in STATUSES else "all"
        return ExchangeFilters(self.city or None, None if self.theme == ANY else self.theme, status)

    async def render(self, interaction: discord.Interaction[Any], handler: ExchangePages) -> ListPage:
        """Ask the exchange cog for the page, in the language of the member who clicked."""
        guild = require_guild(interaction).guild
        return await handler.exchange_page(guild.id, self.filters, self.page, await lang_for(interaction))


class LessonForm(Form):
    """The lesson-learned form of /exchange resolve, bound to the member who opened it and one exchange."""

    kind = "exchange:resolve"
    cog_name = "Exchange"
    lifetime = timedelta(hours=1)
    labels: ClassVar[dict[str, str]] = LESSON_LABELS

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """Three fields: what worked (required), what did not, who to contact; refilled after a refusal."""
        # Discord's limits (title and labels 45, placeholders 100) hold even for a long translation.
        modal = discord.ui.Modal(title=t._("Lesson learned")[:45])
        fields = (("worked", True, 1000), ("did_not", False, 1000), ("contact", False, 200))
        for key, required, length in fields:
            modal.add_item(
                text_input(
                    t._(LESSON_LABELS[key]),
                    key,
                    typed.get(key),
                    style=discord.TextStyle.short if key == "contact" else discord.TextStyle.paragraph,
                    required=required,
                    max_length=length,
                    placeholder=t._(LESSON_HINTS[key])[:100],
                )
            )
        return modal

    async def submit(
        self,
        interaction: discord.Interaction[Any],
        handler: LessonTaker,
        state: Mapping[str, Any],
        sent: Submission,
    ) -> None:
        """Hand the lesson to the exchange cog for the exchange this form was opened for."""
        await handler.complete_resolve(
            interaction,
            int(state["exchange"]),
            sent.text("worked"),
            sent.text("did_not"),
            sent.text("contact"),
        )


def legacy_lesson_answers(data: Mapping[str, Any]) -> tuple[int, dict[str, str]] | None:
    """Read a lesson form opened before forms had tokens: its exchange id and texts; None for any other."""
    match = LEGACY_RESOLVE_FORM.match(str(data.get("custom_id", "")))
    if match is None:
        return None
    values = read_values(data.get("components") or [])
    return int(match["exchange"]), {k: v for k, v in values.items() if isinstance(v, str)}
