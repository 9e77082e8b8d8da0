"""The Erase / Cancel buttons of a forget prompt: `admin:forget:<user>`, `admin:forget-cancel:<user>`.

They are persistent, so a prompt answered after any number of restarts still works, and only the
member named in the id can use them.
"""

from __future__ import annotations

from typing import Any, Protocol

import discord

from bot.components import persistent_view
from bot.confirm import OwnedButton
from bot.i18n import ENGLISH, Lang
from cogs.mydata.render import NOT_YOURS

COG_NAME = "MyData"


class ForgetHandler(Protocol):
    """What the buttons ask of the /mydata cog."""

    async def confirm_forget(self, interaction: discord.Interaction[Any]) -> None:
        """Erase the clicking member's data."""
        ...

    async def cancel_forget(self, interaction: discord.Interaction[Any]) -> None:
        """Close the prompt, erasing nothing."""
        ...


class ForgetConfirm(OwnedButton, cog=COG_NAME, prefix="admin:forget", fields={"owner": int}):
    """Erase my data; only the member who asked can use it."""

    not_yours = NOT_YOURS

    def __init__(self, owner: int, t: Lang = ENGLISH) -> None:
        """Build the button for one member's erasure request, labelled in their language t."""
        super().__init__(owner, label=t._("Erase my data"), style=discord.ButtonStyle.danger)

    async def confirmed(self, interaction: discord.Interaction[Any], handler: ForgetHandler) -> None:
        """Erase the member's data."""
        await handler.confirm_forget(interaction)


class ForgetCancel(OwnedButton, cog=COG_NAME, prefix="admin:forget-cancel", fields={"owner": int}):
    """Cancel: leaves everything as it is."""

    not_yours = NOT_YOURS

    def __init__(self, owner: int, t: Lang = ENGLISH) -> None:
        """Build the button for one member's erasure request, labelled in their language t."""
        # Translators: a button that closes the erasure prompt without erasing anything.
        super().__init__(owner, label=t._("Cancel"))

    async def confirmed(self, interaction: discord.Interaction[Any], handler: ForgetHandler) -> None:
        """Close the prompt without erasing anything."""
        await handler.cancel_forget(interaction)


def forget_view(t: Lang, user_id: int) -> discord.ui.View:
    """The Erase / Cancel row of a forget prompt, in the member's language t."""
    return persistent_view(ForgetConfirm(user_id, t), ForgetCancel(user_id, t))
