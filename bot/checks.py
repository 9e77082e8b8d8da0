"""Permission checks enforced by the bot itself, not only by Discord's default permissions."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any, TypeVar

import discord
from discord import app_commands

from bot.errors import PermissionDeniedError

if TYPE_CHECKING:
    from bot.client import ClimaBot

T = TypeVar("T")


def is_moderator(
    permissions: discord.Permissions, role_ids: Iterable[int], moderator_role_id: int | None
) -> bool:
    """Tell whether a member with these guild permissions and roles counts as a moderator."""
    if permissions.administrator or permissions.manage_guild:
        return True
    return moderator_role_id is not None and moderator_role_id in set(role_ids)


def _guild_member(interaction: discord.Interaction) -> discord.Member:
    """Return the invoking member, refusing use outside a server."""
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        raise PermissionDeniedError("This command only works inside a server.")
    return interaction.user


def moderator_only() -> Callable[[T], T]:
    """Restrict a command to the configured moderator role or the Manage Server permission."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        """Pass moderators; refuse anyone else with a message saying who counts as one."""
        member = _guild_member(interaction)
        bot: ClimaBot = interaction.client
        settings = await bot.repos.guild_settings.get(member.guild.id)
        if is_moderator(member.guild_permissions, (r.id for r in member.roles), settings.moderator_role_id):
            return True
        if settings.moderator_role_id is None:
            raise PermissionDeniedError(
                "This command is for moderators: members with the Manage Server permission "
                "(an administrator can name a moderator role with `/setup moderator-role`)."
            )
        raise PermissionDeniedError(
            f"This command is for moderators: members with the <@&{settings.moderator_role_id}> role "
            "or the Manage Server permission."
        )

    return app_commands.check(predicate)


def admin_only() -> Callable[[T], T]:
    """Restrict a command to server administrators."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        """Pass administrators; refuse anyone else."""
        member = _guild_member(interaction)
        if member.guild_permissions.administrator:
            return True
        raise PermissionDeniedError("This command is for server administrators.")

    return app_commands.check(predicate)
