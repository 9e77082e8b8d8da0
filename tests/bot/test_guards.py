"""The moderator rule: role, Manage Server or Administrator."""

import discord

from bot.guards import is_moderator

MOD_ROLE = 42


def test_member_with_the_moderator_role_is_a_moderator():
    """A member holding the configured moderator role is a moderator without any permission."""
    assert is_moderator(discord.Permissions.none(), [1, MOD_ROLE], MOD_ROLE)


def test_member_without_the_role_is_not():
    """Ordinary permissions and other roles do not make a moderator."""
    assert not is_moderator(discord.Permissions(send_messages=True), [1, 2], MOD_ROLE)


def test_manage_server_counts_even_without_a_configured_role():
    """Manage Server makes a moderator even when no role is configured."""
    assert is_moderator(discord.Permissions(manage_guild=True), [], None)


def test_administrator_counts():
    """Administrators are moderators."""
    assert is_moderator(discord.Permissions(administrator=True), [], MOD_ROLE)


def test_no_role_configured_and_no_permission_is_not_a_moderator():
    """With no role configured, other roles and Manage Messages do not make a moderator."""
    assert not is_moderator(discord.Permissions(send_messages=True, manage_messages=True), [MOD_ROLE], None)
