"""refused_as: a Discord refusal becomes the member's error with Discord's reason; other errors pass."""

from __future__ import annotations

import logging
from types import SimpleNamespace

import discord
import pytest

from bot.discord_steps import refused_as
from bot.errors import ValidationError
from bot.i18n import ENGLISH

TEXT = "I could not post in {forum} ({error}); I need to view it, send messages and create posts there."


def forbidden() -> discord.Forbidden:
    """A 403 as discord.py raises it, with Discord's message."""
    response = SimpleNamespace(status=403, reason="Forbidden")
    return discord.Forbidden(response, {"code": 50013, "message": "Missing Permissions"})  # type: ignore[arg-type]


def test_refusal_becomes_the_text_with_discords_reason(caplog: pytest.LogCaptureFixture) -> None:
    """The error carries the caller's parameters and Discord's message as {error}, and is logged."""
    refusal = refused_as(TEXT, forum="<#5>", log_as="guild 1: cannot post in forum 5")
    with caplog.at_level(logging.WARNING), pytest.raises(ValidationError) as raised, refusal:
        raise forbidden()
    assert ENGLISH.render(raised.value.text) == (
        "I could not post in <#5> (Missing Permissions); I need to view it, send messages and create "
        "posts there."
    )
    assert raised.value.__suppress_context__
    assert "guild 1: cannot post in forum 5" in caplog.text


def test_other_errors_and_success_pass_through() -> None:
    """Only Discord refusals are translated: a bug stays a bug, and a block that works returns normally."""
    with pytest.raises(KeyError), refused_as(TEXT, forum="x"):
        raise KeyError("bug")
    with refused_as(TEXT, forum="x"):
        done = True
    assert done
