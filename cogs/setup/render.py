"""Text for the /setup replies, in the administrator's language; pure functions of stored settings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from bot.i18n import N_, Lang, native_name
from storage.guild_settings import GuildSettings

# Named as the /setup channels options, so the reply uses the words the administrator typed.
CHANNEL_SLOTS: dict[str, str] = {
    "announcements": "announcements_channel_id",
    "moderation": "moderation_channel_id",
    "showcase": "showcase_channel_id",
    "exchange_forum": "exchange_forum_id",
    "proposals_forum": "proposals_forum_id",
}

# Permissions as Discord's own settings name them (the keys are discord.py's attribute names).
PERMISSION_NAMES: dict[str, str] = {
    "view_channel": N_("View Channel"),
    "send_messages": N_("Send Messages"),
    "embed_links": N_("Embed Links"),
    "attach_files": N_("Attach Files"),
    "create_public_threads": N_("Create Public Threads"),
    "manage_threads": N_("Manage Threads"),
}


def channel_text(t: Lang, channel_id: int | None) -> str:
    """Render a channel setting as a mention, or say it is not set."""
    # Translators: the value of a channel setting nobody has chosen yet.
    return f"<#{channel_id}>" if channel_id else t._("not set")


def role_text(t: Lang, role_id: int | None) -> str:
    """Render the moderator role as a mention, or say who counts as moderator without one."""
    if role_id:
        return f"<@&{role_id}>"
    return t._("not set (members with Manage Server act as moderators)")


def language_text(t: Lang, code: str) -> str:
    """A language as an administrator reads it: its name in t, its own name when different, its code."""
    name, own = t.language_name(code), native_name(code)
    return f"{name} · {own} (`{code}`)" if own != name else f"{name} (`{code}`)"


def local_time(t: Lang, now: datetime, zone: str) -> str:
    """The time now in a zone, as language t writes a date and time."""
    return t.datetime(now.astimezone(ZoneInfo(zone)), "short")


def settings_lines(t: Lang, settings: GuildSettings, now: datetime) -> list[str]:
    """Describe every per-server setting on its own line."""
    lines = [
        f"**{name}**: {channel_text(t, getattr(settings, attr))}" for name, attr in CHANNEL_SLOTS.items()
    ]
    lines.append(t._("**moderator role**: {role}", role=role_text(t, settings.moderator_role_id)))
    local = local_time(t, now, settings.timezone)
    if settings.timezone_is_default:
        lines.append(
            t._(
                "**time zone**: `{zone}` (default), local time now {local}",
                zone=settings.timezone,
                local=local,
            )
        )
    else:
        lines.append(
            t._("**time zone**: `{zone}`, local time now {local}", zone=settings.timezone, local=local)
        )
    lines.append(
        t._("**language** of public posts: {language}", language=language_text(t, settings.language))
    )
    return lines


def channel_changes(t: Lang, before: GuildSettings, after: GuildSettings) -> list[str]:
    """List the channel settings that changed, old value to new value, so a mistake is easy to undo."""
    changes = []
    for name, attr in CHANNEL_SLOTS.items():
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            changes.append(f"**{name}**: {channel_text(t, old)} → {channel_text(t, new)}")
    return changes


def permission_names(t: Lang, names: list[str]) -> str:
    """Permissions (discord.py attribute names) as Discord's settings call them, in language t."""
    return ", ".join(t._(PERMISSION_NAMES[name]) if name in PERMISSION_NAMES else name for name in names)
