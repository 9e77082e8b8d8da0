"""The one place where application-command errors become replies and log lines."""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable
from typing import Any, ClassVar

import discord
from discord import app_commands

from bot.errors import UserFacingError
from bot.guards import GUILD_ONLY
from bot.i18n import Msg
from bot.languages import lang_for
from bot.replies import send_ephemeral

log = logging.getLogger(__name__)
# How a slash command that raised ended, for the metrics: refused with a message the member can act on,
# or failed on a bug (an error id). A command that returns is counted `ok` by its completion event.
REFUSED, ERROR = "refused", "error"


class CommandOutcomes:
    """Where slash-command refusals and failures go: bot/metrics.py sets `observer` while metrics are on;
    otherwise one None check."""

    observer: ClassVar[Callable[[discord.Interaction[Any], str], None] | None] = None


def new_error_id() -> str:
    """Return a short id that ties a member's report to a log line."""
    return secrets.token_hex(4)


def expected_message(error: BaseException) -> Msg | None:
    """Return the member-facing text for an expected error, or None if it is unexpected."""
    if isinstance(error, UserFacingError):
        return error.text
    if isinstance(error, app_commands.NoPrivateMessage):
        return Msg(GUILD_ONLY)
    if isinstance(error, app_commands.MissingPermissions | app_commands.BotMissingPermissions):
        missing = ", ".join(p.replace("_", " ") for p in error.missing_permissions)
        if isinstance(error, app_commands.MissingPermissions):
            return Msg("You need these permissions for this: {permissions}.", permissions=missing)
        return Msg("I need these permissions for this: {permissions}.", permissions=missing)
    if isinstance(error, app_commands.CommandOnCooldown):
        return Msg("Slow down: try again in {seconds} s.", seconds=round(error.retry_after))
    if isinstance(error, app_commands.TransformerError):
        return Msg(
            "I could not understand {value} as a {kind}.",
            value=repr(error.value),
            kind=error.type.name.lower(),
        )
    if isinstance(error, app_commands.CheckFailure):
        return Msg("You are not allowed to use this command here.")
    return None


async def report_failure(interaction: discord.Interaction[Any], error: BaseException, where: str) -> None:
    """Tell the member what went wrong: the text of an expected error, else an id that is in the log."""
    message = expected_message(error)
    if message is None:
        error_id = new_error_id()
        log.error(
            "error %s in %s (guild %s, user %s)",
            error_id,
            where,
            interaction.guild_id,
            interaction.user.id,
            exc_info=error,
            # Fields of their own in JSON logs (logging.format = "json"), for log shippers to filter on.
            extra={"guild": interaction.guild_id, "command": where, "error_id": error_id},
        )
        message = Msg(
            "Something went wrong on my side; it was logged as error `{error_id}`.", error_id=error_id
        )
    lang = await lang_for(interaction)
    await send_ephemeral(interaction, lang.render(message))


class ClimaTree(app_commands.CommandTree[Any]):
    """Command tree whose errors all pass through one handler."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: app_commands.AppCommandError
    ) -> None:
        """Turn expected errors into a short private reply and log the unexpected ones with a trace."""
        original: BaseException = error
        if isinstance(error, app_commands.CommandInvokeError):
            original = error.original
        command = interaction.command.qualified_name if interaction.command else "?"
        try:
            await report_failure(interaction, original, f"/{command}")
        finally:
            # Counted even when the answer could not be sent, so received == the sum of the outcomes.
            if CommandOutcomes.observer is not None:
                outcome = REFUSED if expected_message(original) is not None else ERROR
                CommandOutcomes.observer(interaction, outcome)
