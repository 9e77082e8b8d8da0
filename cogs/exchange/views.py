"""Components of the exchange cog: list page buttons (persistent) and the lesson-learned modal."""

from __future__ import annotations

import logging
import math
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import discord

from bot.replies import send_ephemeral
from cogs.exchange.render import COLOUR, city_line, exchange_line, page_footer

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

CITY_PAGE_SIZE = 15
EXCHANGE_PAGE_SIZE = 10
STATUSES = ("open", "resolved", "all")


@dataclass(frozen=True)
class ExchangeFilters:
    """The filters of an exchange list, as carried in its page buttons' custom_ids."""

    city_id: int | None = None
    theme: str | None = None
    status: str = "all"


async def city_list_message(
    bot: ClimaBot, guild_id: int, country: str | None, page: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    """Render one page of the city register, with buttons to the neighbouring pages."""
    cities, total = await bot.repos.cities.page(
        guild_id, country=country, offset=page * CITY_PAGE_SIZE, limit=CITY_PAGE_SIZE
    )
    counts = await bot.repos.cities.member_counts(c.id for c in cities)
    pages = math.ceil(total / CITY_PAGE_SIZE)
    title = "Registered cities" + (f" in {country}" if country else "")
    embed = discord.Embed(title=title, colour=COLOUR)
    if cities:
        embed.description = "\n".join(city_line(c, counts.get(c.id, 0)) for c in cities)
    else:
        embed.description = "No cities on this page." if total else "No city is registered yet."
    embed.set_footer(text=page_footer(page, pages, total, "cities") + " · /city info for details")
    suffix = country or "-"
    view = _nav_view(page, pages, lambda p, label: CityPageButton(p, suffix, label))
    return embed, view


async def exchange_list_message(
    bot: ClimaBot, guild_id: int, filters: ExchangeFilters, page: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    """Render one page of exchanges (newest first) with buttons to the neighbouring pages."""
    exchanges, total = await bot.repos.exchanges.page(
        guild_id,
        city_id=filters.city_id,
        theme=filters.theme,
        status=None if filters.status == "all" else filters.status,
        offset=page * EXCHANGE_PAGE_SIZE,
        limit=EXCHANGE_PAGE_SIZE,
    )
    pages = math.ceil(total / EXCHANGE_PAGE_SIZE)
    embed = discord.Embed(title="Exchanges between cities", colour=COLOUR)
    if exchanges:
        embed.description = "\n".join(exchange_line(e) for e in exchanges)
    else:
        embed.description = "No exchange matches." if total == 0 else "No exchanges on this page."
    embed.set_footer(text=page_footer(page, pages, total, "exchanges") + " · ask with /exchange ask")
    view = _nav_view(page, pages, lambda p, label: ExchangePageButton(p, filters, label))
    return embed, view


async def send_list(
    interaction: discord.Interaction[Any], embed: discord.Embed, view: discord.ui.View | None
) -> None:
    """Answer a list command privately with its first page and, when it has more, its page buttons."""
    if view is None:
        await interaction.response.send_message(embed=embed, ephemeral=True)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)


def _nav_view(
    page: int, pages: int, make: Callable[[int, str], discord.ui.DynamicItem[Any]]
) -> discord.ui.View | None:
    """Return Previous/Next buttons for a list, or None when it fits on one page."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    if page > 0:
        view.add_item(make(page - 1, "◀ Previous"))
    if page + 1 < pages:
        view.add_item(make(page + 1, "Next ▶"))
    return view


async def _answer_page(
    interaction: discord.Interaction[Any],
    render: Callable[[], Awaitable[tuple[discord.Embed, discord.ui.View | None]]],
) -> None:
    """Replace a list message with another page, reporting failures privately."""
    try:
        embed, view = await render()
        await interaction.response.edit_message(embed=embed, view=view)
    except Exception:
        log.exception("could not turn the page of a list")
        await send_ephemeral(interaction, "I could not show that page; please run the command again.")


class CityPageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"exchange:cities:(?P<page>\d{1,6}):(?P<country>[A-Z]{2}|-)",
):
    """A button showing another page of the city register; custom_id exchange:cities:<page>:<country>."""

    def __init__(self, page: int, country: str, label: str = "Page") -> None:
        """Point at page `page` of the list of `country` ("-" for every country)."""
        super().__init__(
            discord.ui.Button(
                label=label,
                style=discord.ButtonStyle.secondary,
                custom_id=f"exchange:cities:{page}:{country}",
            )
        )
        self.page = page
        self.country = country

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> CityPageButton:
        """Rebuild the button from its custom_id (works after restarts)."""
        return cls(int(match["page"]), match["country"], getattr(item, "label", None) or "Page")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the page this button points at."""
        if interaction.guild_id is None:
            return
        guild_id = interaction.guild_id
        country = None if self.country == "-" else self.country
        await _answer_page(
            interaction, lambda: city_list_message(interaction.client, guild_id, country, self.page)
        )


class ExchangePageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"exchange:list:(?P<page>\d{1,6}):(?P<city>\d{1,20}):(?P<theme>[a-z-]{1,30}):(?P<status>open|resolved|all)",
):
    """A button showing another page of exchanges; custom_id exchange:list:<page>:<city>:<theme>:<status>."""

    def __init__(self, page: int, filters: ExchangeFilters, label: str = "Page") -> None:
        """Point at page `page` of the exchanges matching filters (city 0 and theme "-" mean any)."""
        custom_id = f"exchange:list:{page}:{filters.city_id or 0}:{filters.theme or '-'}:{filters.status}"
        super().__init__(
            discord.ui.Button(label=label, style=discord.ButtonStyle.secondary, custom_id=custom_id)
        )
        self.page = page
        self.filters = filters

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> ExchangePageButton:
        """Rebuild the button from its custom_id (works after restarts)."""
        city = int(match["city"])
        theme = None if match["theme"] == "-" else match["theme"]
        filters = ExchangeFilters(city or None, theme, match["status"])
        return cls(int(match["page"]), filters, getattr(item, "label", None) or "Page")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Show the page this button points at."""
        if interaction.guild_id is None:
            return
        guild_id = interaction.guild_id
        await _answer_page(
            interaction, lambda: exchange_list_message(interaction.client, guild_id, self.filters, self.page)
        )


RESOLVE_FORM = re.compile(r"^exchange:resolve:(?P<exchange>\d{1,20})$")


def resolve_form_answers(data: Mapping[str, Any]) -> tuple[int, dict[str, str]] | None:
    """Read a submitted lesson form: its exchange id and each field's text; None for any other form."""
    match = RESOLVE_FORM.match(str(data.get("custom_id", "")))
    if match is None:
        return None
    answers: dict[str, str] = {}
    _collect_answers(data.get("components") or [], answers)
    return int(match["exchange"]), answers


def _collect_answers(components: Sequence[Any], answers: dict[str, str]) -> None:
    """Gather custom_id -> value from submitted components, whatever rows or labels wrap them."""
    for component in components:
        if not isinstance(component, Mapping):
            continue
        if "custom_id" in component and "value" in component:
            answers[str(component["custom_id"])] = str(component["value"] or "")
        _collect_answers(component.get("components") or [], answers)
        if isinstance(component.get("component"), Mapping):
            _collect_answers([component["component"]], answers)


class ResolveModal(discord.ui.Modal):
    """The lesson-learned form opened by /exchange resolve; custom_id exchange:resolve:<exchange id>."""

    worked: discord.ui.TextInput[ResolveModal] = discord.ui.TextInput(
        label="What worked",
        style=discord.TextStyle.paragraph,
        custom_id="worked",
        max_length=1000,
        placeholder="The answer or approach that helped, in a few sentences",
    )
    did_not: discord.ui.TextInput[ResolveModal] = discord.ui.TextInput(
        label="What did not work",
        style=discord.TextStyle.paragraph,
        custom_id="did_not",
        required=False,
        max_length=1000,
        placeholder="Dead ends worth knowing about (optional)",
    )
    contact: discord.ui.TextInput[ResolveModal] = discord.ui.TextInput(
        label="Who to contact",
        custom_id="contact",
        required=False,
        max_length=200,
        placeholder="A person, team or city office (optional)",
    )

    def __init__(self, exchange_id: int) -> None:
        """Prepare the form for one exchange."""
        super().__init__(title="Lesson learned", custom_id=f"exchange:resolve:{exchange_id}", timeout=1800)

    async def on_submit(self, interaction: discord.Interaction[Any]) -> None:
        """Do nothing: ExchangeCog.on_interaction answers lesson forms, even ones from before a restart."""


DYNAMIC_ITEMS: tuple[type[discord.ui.DynamicItem[Any]], ...] = (CityPageButton, ExchangePageButton)
