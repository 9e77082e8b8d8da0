"""One paginator: previous/next buttons whose custom_id holds the page, so lists page after restarts."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import discord

from bot.components import PersistentButton, persistent_view
from bot.i18n import ENGLISH, N_, Lang

T = TypeVar("T")
PREVIOUS, NEXT = "p", "n"
LABELS = {PREVIOUS: N_("◀ Previous"), NEXT: N_("Next ▶")}
PAGE_FOOTER = N_("Page {page} of {pages} · {items}")
# One page of a list as it is shown: the embed and, when there are more pages, the buttons.
ListPage = tuple[discord.Embed, discord.ui.View | None]


@dataclass(frozen=True)
class Page(Generic[T]):
    """One page of a list: its items, its number (from 0) and how many pages there are."""

    items: Sequence[T]
    number: int
    count: int
    total: int

    @property
    def footer(self) -> str:
        """`Page 2 of 5 · 93 items`, for an embed footer, in English."""
        return self.footer_in(ENGLISH)

    def footer_in(self, t: Lang) -> str:
        """`Page 2 of 5 · 93 items` in language t, for an embed footer."""
        return page_footer(t, self.number, self.count, t.ngettext("{n} item", "{n} items", self.total))


def page_footer(t: Lang, number: int, pages: int, items: str, text: str = PAGE_FOOTER) -> str:
    """A list's footer in language t for page `number` (from 0) of `pages`, naming the counted items.

    `text` is the msgid (marked with N_) with {page}, {pages} and the items as {items} or {count}.
    """
    return t._(text, page=number + 1, pages=max(pages, 1), items=items, count=items)


def page_count(total: int, per_page: int) -> int:
    """How many pages `total` items fill (at least one)."""
    return max(1, -(-total // per_page))


def page_of(items: Sequence[T], number: int, per_page: int) -> Page[T]:
    """Cut one page out of a list, clamping the page number to the pages there are."""
    count = page_count(len(items), per_page)
    number = min(max(number, 0), count - 1)
    return Page(items[number * per_page : (number + 1) * per_page], number, count, len(items))


def clamp_page(number: int, total: int, per_page: int) -> tuple[int, int]:
    """Return (page, pages) for a list of `total` items, the page clamped into range."""
    count = page_count(total, per_page)
    return min(max(number, 0), count - 1), count


class PageButton(PersistentButton):
    """Previous or next of a list; a subclass's last two fields are `page` (int) and `direction` (p/n)."""

    page: int
    direction: str

    async def clicked(self, interaction: discord.Interaction[Any], handler: Any) -> None:
        """Render the requested page and show it in place of the list."""
        embed, view = await self.render(interaction, handler)
        await interaction.response.edit_message(embed=embed, view=view)

    async def render(self, interaction: discord.Interaction[Any], handler: Any) -> ListPage:
        """The embed and buttons of page self.page (subclasses ask their cog)."""
        raise NotImplementedError


def pager(
    make: Callable[[int, str, str, bool], PageButton], page: int, pages: int, t: Lang = ENGLISH
) -> discord.ui.View | None:
    """Previous/next buttons for a page (labelled in language t), or None when one page holds all.

    `make(page, direction, label, disabled)` builds one button of the list's PageButton subclass.
    """
    if pages <= 1:
        return None
    return persistent_view(
        make(max(page - 1, 0), PREVIOUS, t._(LABELS[PREVIOUS]), page <= 0),
        make(min(page + 1, pages - 1), NEXT, t._(LABELS[NEXT]), page >= pages - 1),
    )


async def send_list(interaction: discord.Interaction[Any], page: ListPage) -> None:
    """Answer a list command privately with its first page and, when it has more, its page buttons."""
    embed, view = page
    if view is None:
        await interaction.response.send_message(embed=embed, ephemeral=True)
    else:
        await interaction.response.send_message(embed=embed, view=view, ephemeral=True)
