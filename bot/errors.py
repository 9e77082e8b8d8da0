"""Errors that commands raise to tell a member what went wrong, in the member's language."""

from __future__ import annotations

from typing import Any

from discord import app_commands

from bot.i18n import Msg


class UserFacingError(app_commands.AppCommandError):
    """An expected problem with what a member asked for; its text is translated and shown to them.

    Raise it with an English msgid and the values of its placeholders:
    `ValidationError("The title is longer than {limit} characters.", limit=100)`.
    """

    def __init__(self, message: str | Msg, /, **params: Any) -> None:
        """Keep the text to translate; str() of the error is the English text, for logs."""
        self.text = message if isinstance(message, Msg) else Msg(message, **params)
        super().__init__(str(self.text))


class ValidationError(UserFacingError):
    """The input was malformed; the message says what is accepted."""


class NotFoundError(UserFacingError):
    """The thing the member named does not exist."""


class PermissionDeniedError(UserFacingError):
    """The member may not do this."""
