"""Text for the /setup replies; pure functions of stored settings."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from storage.guild_settings import GuildSettings

# Named as the /setup channels options, so the reply uses the words the administrator typed.
CHANNEL_SLOTS: dict[str, str] = {
    "announcements": "announcements_channel_id",
    "moderation": "moderation_channel_id",
    "showcase": "showcase_channel_id",
    "exchange_forum": "exchange_forum_id",
}


def channel_text(channel_id: int | None) -> str:
    """Render a channel setting as a mention, or say it is not set."""
    return f"<#{channel_id}>" if channel_id else "not set"


def role_text(role_id: int | None) -> str:
    """Render the moderator role as a mention, or say who counts as moderator without one."""
    return f"<@&{role_id}>" if role_id else "not set (members with Manage Server act as moderators)"


def settings_lines(settings: GuildSettings, now: datetime) -> list[str]:
    """Describe every per-server setting on its own line."""
    zone_note = " (default)" if settings.timezone_is_default else ""
    local = now.astimezone(ZoneInfo(settings.timezone)).strftime("%Y-%m-%d %H:%M")
    lines = [f"**{name}**: {channel_text(getattr(settings, attr))}" for name, attr in CHANNEL_SLOTS.items()]
    lines.append(f"**moderator role**: {role_text(settings.moderator_role_id)}")
    lines.append(f"**time zone**: `{settings.timezone}`{zone_note}, local time now {local}")
    return lines


def channel_changes(before: GuildSettings, after: GuildSettings) -> list[str]:
    """List the channel settings that changed, old value to new value, so a mistake is easy to undo."""
    changes = []
    for name, attr in CHANNEL_SLOTS.items():
        old, new = getattr(before, attr), getattr(after, attr)
        if old != new:
            changes.append(f"**{name}**: {channel_text(old)} → {channel_text(new)}")
    return changes
