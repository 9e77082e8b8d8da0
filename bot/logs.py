"""Logging to stderr in one-line records, with secrets such as the bot token redacted."""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterable

REDACTED = "********"
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_HANDLER_NAME = "climabot-stderr"


class RedactSecrets(logging.Filter):
    """Replace every occurrence of the given secrets in a record's message, arguments and traceback."""

    def __init__(self, secrets: Iterable[str]) -> None:
        """Remember the non-blank secrets, longest first so one that contains another is fully hidden."""
        super().__init__()
        # The bot uses a token stripped of surrounding whitespace, so that form is what can leak.
        variants = {variant for s in secrets for variant in (s, s.strip())}
        self._secrets = sorted({s for s in variants if s and s.strip()}, key=len, reverse=True)

    def redact(self, text: str) -> str:
        """Return text with every secret replaced by the redaction marker."""
        for secret in self._secrets:
            text = text.replace(secret, REDACTED)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        """Redact the record in place; never drops it."""
        if not self._secrets:
            return True
        try:
            message = record.getMessage()
        except Exception:
            # A malformed call ("%s" without args) would otherwise be echoed raw by handleError.
            message = f"{record.msg} {record.args!r}"
        record.msg = self.redact(message)
        record.args = None
        if record.exc_info and not record.exc_text:
            # Formatter reuses exc_text when set, so the redacted traceback is what gets printed.
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def setup_logging(level: str, *, secrets: Iterable[str] = ()) -> None:
    """Send all logging to stderr in one-line records at `level`, redacting `secrets`; safe to call again."""
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown logging level {level!r}")
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    handler.setFormatter(logging.Formatter(LINE_FORMAT, DATE_FORMAT))
    # On the handler, not the root logger: logger filters skip records propagated from child loggers.
    handler.addFilter(RedactSecrets(secrets))
    root.addHandler(handler)
    root.setLevel(numeric)
    # discord.py is chatty at INFO (gateway, shards); its details are wanted only when debugging.
    discord_level = numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
    logging.getLogger("discord").setLevel(discord_level)
    logging.captureWarnings(True)
