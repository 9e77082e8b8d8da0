"""Discord timestamp markup."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from bot.timestamps import discord_timestamp, full_and_relative

INSTANT = datetime(2026, 12, 1, 8, 30, tzinfo=UTC)
UNIX = 1_796_113_800


def test_unix_value_is_right() -> None:
    """The default style is F with the instant's Unix seconds."""
    assert int(INSTANT.timestamp()) == UNIX
    assert discord_timestamp(INSTANT) == f"<t:{UNIX}:F>"


@pytest.mark.parametrize("style", list("tTdDfFR"))
def test_every_style(style: str) -> None:
    """Each of Discord's seven styles is accepted."""
    assert discord_timestamp(INSTANT, style) == f"<t:{UNIX}:{style}>"


def test_zone_of_the_datetime_does_not_change_the_instant() -> None:
    """The same instant in different zones gives the same markup."""
    brussels = INSTANT.astimezone(ZoneInfo("Europe/Brussels"))
    offset = INSTANT.astimezone(timezone(timedelta(hours=-5)))
    assert discord_timestamp(brussels) == discord_timestamp(offset) == f"<t:{UNIX}:F>"


def test_sub_seconds_round_down_even_before_1970() -> None:
    """Fractions of a second round down, also for negative timestamps."""
    assert discord_timestamp(INSTANT + timedelta(microseconds=999_999)) == f"<t:{UNIX}:F>"
    assert discord_timestamp(datetime(1969, 12, 31, 23, 59, 59, 500_000, tzinfo=UTC)) == "<t:-1:F>"


def test_full_and_relative() -> None:
    """full_and_relative gives the full date followed by the relative time."""
    assert full_and_relative(INSTANT) == f"<t:{UNIX}:F> (<t:{UNIX}:R>)"


def test_naive_datetime_is_refused() -> None:
    """Naive datetimes are refused because their instant is unknown."""
    with pytest.raises(ValueError, match="aware"):
        discord_timestamp(datetime(2026, 12, 1, 8, 30))
    with pytest.raises(ValueError, match="aware"):
        full_and_relative(datetime(2026, 12, 1, 8, 30))


def test_unknown_style_is_refused() -> None:
    """A style letter Discord does not know is refused."""
    with pytest.raises(ValueError, match="style"):
        discord_timestamp(INSTANT, "x")
