"""Errors that commands raise to tell a member what went wrong."""

from __future__ import annotations

from discord import app_commands


class UserFacingError(app_commands.AppCommandError):
    """An expected problem with what a member asked for; its message is shown to them as is."""


class ValidationError(UserFacingError):
    """The input was malformed; the message says what is accepted."""


class NotFoundError(UserFacingError):
    """The thing the member named does not exist."""


class PermissionDeniedError(UserFacingError):
    """The member may not do this."""
