"""Logging to stderr in one-line records (text, or JSON for log shippers), with secrets redacted."""

from __future__ import annotations

import json
import logging
import sys
from collections.abc import Iterable
from datetime import UTC, datetime

REDACTED = "********"
LINE_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"
_HANDLER_NAME = "climabot-stderr"
# Context a log call may pass with extra={...}; JSON records carry each one that is present.
CONTEXT_FIELDS = ("guild", "command", "error_id")
# Libraries whose INFO records are routine detail: logged at WARNING and above unless the level is DEBUG.
QUIET_LIBRARIES = ("discord", "apscheduler")


class JsonFormatter(logging.Formatter):
    """One JSON object a line: time, level, logger, message, the context fields present, any trace."""

    def format(self, record: logging.LogRecord) -> str:
        """Render the record as a single-line JSON object."""
        moment = datetime.fromtimestamp(record.created, UTC)
        entry: dict[str, object] = {
            "time": moment.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        for name in CONTEXT_FIELDS:
            value = getattr(record, name, None)
            if value is not None:
                entry[name] = value
        if record.exc_info and not record.exc_text:
            record.exc_text = self.formatException(record.exc_info)
        if record.exc_text:
            entry["exception"] = record.exc_text
        if record.stack_info:
            entry["stack"] = self.formatStack(record.stack_info)
        # json.dumps escapes line breaks, so a trace stays on the record's one line.
        return json.dumps(entry, ensure_ascii=False, default=str)


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


def setup_logging(level: str, *, secrets: Iterable[str] = (), fmt: str = "text") -> None:
    """Send all logging to stderr in one-line records (fmt text or json) at `level`, redacting `secrets`.

    Safe to call again: the previous climabot handler is replaced.
    """
    numeric = logging.getLevelName(level.upper())
    if not isinstance(numeric, int):
        raise ValueError(f"unknown logging level {level!r}")
    root = logging.getLogger()
    for existing in list(root.handlers):
        if existing.get_name() == _HANDLER_NAME:
            root.removeHandler(existing)
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(_HANDLER_NAME)
    if fmt not in ("text", "json"):
        raise ValueError(f"unknown logging format {fmt!r}")
    handler.setFormatter(JsonFormatter() if fmt == "json" else logging.Formatter(LINE_FORMAT, DATE_FORMAT))
    # On the handler, not the root logger: logger filters skip records propagated from child loggers.
    handler.addFilter(RedactSecrets(secrets))
    root.addHandler(handler)
    root.setLevel(numeric)
    # discord.py is chatty at INFO (gateway, shards), and APScheduler logs a line for every job it adds
    # and runs (10,000 pending jobs: 10,000 lines at start; our own log counts them); their details are
    # wanted only when debugging.
    quiet_level = numeric if numeric <= logging.DEBUG else max(numeric, logging.WARNING)
    for chatty in QUIET_LIBRARIES:
        logging.getLogger(chatty).setLevel(quiet_level)
    logging.captureWarnings(True)
