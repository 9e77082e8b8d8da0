"""Buttons only one member may use (a confirmation, their own erasure), working after restarts."""

from __future__ import annotations

from typing import Any

import discord

from bot.components import PersistentButton
from bot.i18n import N_
from bot.languages import lang_for
from bot.replies import send_ephemeral

NOT_YOURS = N_("This button belongs to someone else, so it does nothing for you.")


class OwnedButton(PersistentButton):
    """A button whose first field is `owner`, the id of the only member it acts for."""

    owner: int
    # What a subclass tells someone else who clicks it (an English msgid marked with N_).
    not_yours: str = NOT_YOURS

    async def clicked(self, interaction: discord.Interaction[Any], handler: Any) -> None:
        """Act only for the owner; anyone else gets a private note and nothing happens."""
        if interaction.user.id != self.owner:
            await send_ephemeral(interaction, (await lang_for(interaction))._(self.not_yours))
            return
        await self.confirmed(interaction, handler)

    async def confirmed(self, interaction: discord.Interaction[Any], handler: Any) -> None:
        """What the owner's click does."""
        raise NotImplementedError
