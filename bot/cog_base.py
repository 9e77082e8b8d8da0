"""The base of every capability's cog: its persistent components, forms and member data, registered once."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, ClassVar

import discord
from discord.ext import commands

from bot.forms import Form
from bot.member_data import MemberDataHolder

if TYPE_CHECKING:
    from bot.client import ClimaBot


class ClimaCog(commands.Cog):
    """A capability's cog: registers its components, forms and member data on load, removes them on unload."""

    dynamic_items: ClassVar[tuple[type[discord.ui.DynamicItem[Any]], ...]] = ()

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot."""
        self.bot = bot

    def forms(self) -> tuple[Form, ...]:
        """The forms this cog opens (sent ones come back to it through the bot's FormDesk)."""
        return ()

    def member_data(self) -> MemberDataHolder | None:
        """What this capability keeps about members, for /mydata; None if nothing."""
        return None

    async def cog_load(self) -> None:
        """Register components, forms and member data, then start the cog's own work."""
        self.bot.add_dynamic_items(*self.dynamic_items)
        self.bot.forms.register(*self.forms())
        holder = self.member_data()
        if holder is not None:
            self.bot.member_data.register(self.qualified_name, holder)
        await self.start()

    async def cog_unload(self) -> None:
        """Stop the cog's own work, then unregister what cog_load registered."""
        await self.stop()
        self.bot.member_data.unregister(self.qualified_name)
        self.bot.forms.unregister(*self.forms())
        self.bot.remove_dynamic_items(*self.dynamic_items)

    async def start(self) -> None:
        """What the cog does when it loads (reschedule jobs, repaint messages); nothing by default."""

    async def stop(self) -> None:
        """What the cog does when it unloads; nothing by default."""
