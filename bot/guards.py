"""Guards enforced by the bot itself (not only by Discord's default permissions), one wording each."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any, Protocol, TypeVar, cast

import discord
from discord import app_commands

from bot.errors import PermissionDeniedError
from bot.i18n import N_
from storage.repositories import Repositories

T = TypeVar("T")


class _HasRepos(Protocol):
    """The part of the bot a guard needs: the repositories (servers' moderator roles)."""

    @property
    def repos(self) -> Repositories:
        """The open repositories."""
        ...


GUILD_ONLY = N_("This only works inside a server.")
ADMIN_ONLY = N_("This is for server administrators.")
MODERATORS_DEFAULT = N_(
    "This is for moderators: members with the Manage Server permission "
    "(an administrator can name a moderator role with `/setup moderator-role`)."
)
MODERATORS_WITH_ROLE = N_(
    "This is for moderators: members with the <@&{role}> role or the Manage Server permission."
)


def is_moderator(
    permissions: discord.Permissions, role_ids: Iterable[int], moderator_role_id: int | None
) -> bool:
    """Tell whether a member with these guild permissions and roles counts as a moderator."""
    if permissions.administrator or permissions.manage_guild:
        return True
    return moderator_role_id is not None and moderator_role_id in set(role_ids)


def require_guild(interaction: discord.Interaction[Any]) -> discord.Member:
    """Return the member who acted, refusing anything outside a server."""
    if interaction.guild is None or not isinstance(interaction.user, discord.Member):
        raise PermissionDeniedError(GUILD_ONLY)
    return interaction.user


async def member_is_moderator(bot: _HasRepos, member: discord.Member) -> bool:
    """Tell whether a member counts as a moderator in their server right now."""
    settings = await bot.repos.guild_settings.get(member.guild.id)
    return is_moderator(member.guild_permissions, (r.id for r in member.roles), settings.moderator_role_id)


async def require_moderator(interaction: discord.Interaction[Any]) -> discord.Member:
    """Return the acting member if they are a moderator; refuse anyone else, saying who counts as one."""
    member = require_guild(interaction)
    bot = cast(_HasRepos, interaction.client)
    settings = await bot.repos.guild_settings.get(member.guild.id)
    if is_moderator(member.guild_permissions, (r.id for r in member.roles), settings.moderator_role_id):
        return member
    if settings.moderator_role_id is None:
        raise PermissionDeniedError(MODERATORS_DEFAULT)
    raise PermissionDeniedError(MODERATORS_WITH_ROLE, role=settings.moderator_role_id)


def require_admin(interaction: discord.Interaction[Any]) -> discord.Member:
    """Return the acting member if they administer the server; refuse anyone else."""
    member = require_guild(interaction)
    if not member.guild_permissions.administrator:
        raise PermissionDeniedError(ADMIN_ONLY)
    return member


def moderator_only() -> Callable[[T], T]:
    """Restrict a command to the configured moderator role or the Manage Server permission."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        """Pass moderators; refuse anyone else."""
        await require_moderator(interaction)
        return True

    return app_commands.check(predicate)


def admin_only() -> Callable[[T], T]:
    """Restrict a command to server administrators."""

    async def predicate(interaction: discord.Interaction[Any]) -> bool:
        """Pass administrators; refuse anyone else."""
        require_admin(interaction)
        return True

    return app_commands.check(predicate)
