"""Which errors members see as they are, and which are logged as unexpected."""

from discord import app_commands

from bot.error_handler import expected_message, new_error_id
from bot.errors import NotFoundError, ValidationError


def test_user_facing_errors_are_shown_verbatim():
    """Errors raised for members are shown with their own message."""
    assert str(expected_message(ValidationError("Use 2 to 20 options."))) == "Use 2 to 20 options."
    assert str(expected_message(NotFoundError("No such call."))) == "No such call."


def test_check_failures_get_a_generic_refusal():
    """A failed check without its own message gets a generic refusal."""
    assert (
        str(expected_message(app_commands.CheckFailure())) == "You are not allowed to use this command here."
    )


def test_unexpected_errors_have_no_member_text():
    """Other exceptions have no member-facing text, so the handler logs them with an id."""
    assert expected_message(ZeroDivisionError()) is None
    assert expected_message(KeyError("x")) is None


def test_error_ids_are_short_and_distinct():
    """Error ids are 8 hex characters and do not repeat."""
    ids = {new_error_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(len(i) == 8 for i in ids)
