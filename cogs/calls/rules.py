"""Rules for what a call and an announcement may contain, and how typed values become records.

Every check returns the cleaned value or raises ValidationError with a message short enough to be
shown as an import file's per-row reason as well as an ephemeral reply. Every free-text field passes
bot.text's visible-text check, so text made only of invisible characters is never stored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from bot.errors import ValidationError
from bot.i18n import N_, Msg
from bot.replies import quote_input
from bot.text import optional_visible, require_visible, visible_length
from bot.timeparse import parse_when
from cogs.calls.programmes import infer_programme
from storage.announcements import AnnouncementInput
from storage.calls import Call, CallInput

# Uppercase letters, digits, dots, dashes and underscores; 3 to 100 characters; lowercase input is
# uppercased. Covers HORIZON-MISS-2024-CIT-01-01, LIFE-2025-SAP-CLIMA, EUI-IA-04, DUT-2024.
IDENTIFIER_PATTERN = re.compile(r"[A-Z0-9][A-Z0-9._-]{2,99}", re.ASCII)
IDENTIFIER_RULE = N_(
    "3 to 100 letters, digits, dots, dashes or underscores, starting with a letter or digit, "
    "e.g. `HORIZON-MISS-2024-CIT-01-01`"
)
TITLE_MAX = 256  # Discord's embed title limit
SUMMARY_MAX = 1500
LINK_MAX = 512  # Discord's link-button URL limit
TAG_LIMIT = 10
TAG_MAX = 30
# A deadline typed as a bare date means 17:00 that day: EU funding deadlines fall at 17:00 Brussels time.
DEADLINE_DEFAULT_TIME = "17:00"
_BARE_DATE = re.compile(r"\s*[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}\s*", re.ASCII)
_TAG_SPLIT = re.compile(r"[,;]")
# Never valid unencoded in a URL (RFC 3986), and they would break the Markdown link of a call list.
_LINK_FORBIDDEN = frozenset('<>"`\\\x7f')
# Room for the role mention put in front of an announcement that pings a role.
MESSAGE_MAX = 1900
TITLE_TOO_LONG = N_("The title is {length} characters long; at most {limit} fit.")
SUMMARY_TOO_LONG = N_("The summary is {length} characters long; at most {limit} fit.")
LINK_TOO_LONG = N_("The link is {length} characters long; at most {limit} fit.")
MESSAGE_TOO_LONG = N_("The message is {length} characters long; at most {limit} fit.")


def normalize_identifier(text: str) -> str:
    """Return the identifier uppercased, or raise ValidationError if it does not follow the rule."""
    cleaned = text.strip().upper()
    if not cleaned:
        raise ValidationError("The identifier is missing; use {rule}.", rule=Msg(IDENTIFIER_RULE))
    require_visible(cleaned, N_("identifier"))
    if IDENTIFIER_PATTERN.fullmatch(cleaned) is None:
        raise ValidationError(
            "Identifier {typed} is not valid; use {rule}.",
            typed=quote_input(cleaned),
            rule=Msg(IDENTIFIER_RULE),
        )
    return cleaned


def check_title(text: str) -> str:
    """Return the title on one line, or raise ValidationError if empty or too long."""
    cleaned = " ".join(text.split())
    if not cleaned:
        raise ValidationError("The title is missing.")
    return require_visible(cleaned, N_("title"), max_length=TITLE_MAX, too_long=TITLE_TOO_LONG)


def check_summary(text: str) -> str:
    """Return the summary trimmed, or raise ValidationError if too long."""
    return optional_visible(text, N_("summary"), max_length=SUMMARY_MAX, too_long=SUMMARY_TOO_LONG) or ""


def check_link(text: str) -> str | None:
    """Return an http(s) link (None when blank), or raise ValidationError."""
    cleaned = optional_visible(text, N_("link"), max_length=LINK_MAX, too_long=LINK_TOO_LONG)
    if cleaned is None:
        return None
    # Zero-width and other invisible characters would hide a different address behind the one shown.
    invisible = visible_length(cleaned) != len(cleaned)
    if invisible or any(ch in _LINK_FORBIDDEN or ord(ch) < 32 for ch in cleaned):
        raise ValidationError(
            "The link {typed} holds spaces, invisible characters or characters a web "
            'address cannot (< > " ` \\); percent-encode them, e.g. %20 for a space.',
            typed=quote_input(cleaned),
        )
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        parts = None
    if parts is None or parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValidationError(
            "The link {typed} is not a web address; use one starting with https:// or http://.",
            typed=quote_input(cleaned),
        )
    return cleaned


def parse_tags(text: str) -> tuple[str, ...]:
    """Split tags separated by commas or semicolons; drop blanks and repeats (ignoring case)."""
    tags: list[str] = []
    seen: set[str] = set()
    for part in _TAG_SPLIT.split(text):
        tag = " ".join(part.split())
        if not tag or tag.lower() in seen:
            continue
        require_visible(tag, N_("tag"))
        if len(tag) > TAG_MAX:
            raise ValidationError(
                "Tag {typed} is too long; at most {limit} characters each.",
                typed=quote_input(tag),
                limit=TAG_MAX,
            )
        seen.add(tag.lower())
        tags.append(tag)
    if len(tags) > TAG_LIMIT:
        raise ValidationError(
            "{count} tags given; at most {limit} are allowed.", count=len(tags), limit=TAG_LIMIT
        )
    return tuple(tags)


def parse_deadline(text: str, tz: ZoneInfo, *, now: datetime) -> datetime:
    """Read a typed deadline (a bare date means 17:00) in the zone; it must be in the future."""
    typed = f"{text.strip()} {DEADLINE_DEFAULT_TIME}" if _BARE_DATE.fullmatch(text) else text
    deadline = parse_when(typed, tz, now=now)
    if deadline <= now:
        raise ValidationError(
            "The deadline {typed} is in the past; give a future date such as "
            "`{year}-03-31` or `{year}-03-31 17:00` ({zone}).",
            typed=quote_input(text.strip()),
            year=now.astimezone(tz).year + 1,
            zone=str(tz),
        )
    return deadline


def local_text(moment: datetime, tz: ZoneInfo) -> str:
    """Render an instant as `YYYY-MM-DD HH:MM` wall-clock time in a zone (for prefilled forms)."""
    return moment.astimezone(tz).strftime("%Y-%m-%d %H:%M")


def message_text(typed: str) -> str:
    """Turn a typed one-line announcement into the posted text (`\\n` becomes a line break)."""
    return require_visible(
        typed.replace("\\n", "\n"), N_("message"), max_length=MESSAGE_MAX, too_long=MESSAGE_TOO_LONG
    )


@dataclass(frozen=True)
class CallFormValues:
    """What a moderator typed into the call form."""

    identifier: str = ""
    title: str = ""
    deadline: str = ""
    link: str = ""
    summary: str = ""
    tags: str = ""


def call_input(
    values: CallFormValues, programme: str | None, existing: Call | None, tz: ZoneInfo, *, now: datetime
) -> CallInput:
    """Validate a call form's values into a CallInput (raises ValidationError, nothing stored)."""
    identifier = existing.identifier if existing else normalize_identifier(values.identifier)
    title = check_title(values.title)
    if existing is not None and values.deadline.strip() == local_text(existing.deadline_at, tz):
        # An untouched deadline is kept as it is, even if it has passed (editing a closed call's text).
        deadline, zone_name = existing.deadline_at, existing.timezone
    else:
        deadline, zone_name = parse_deadline(values.deadline, tz, now=now), tz.key
    if existing is not None and existing.opens_at is not None and existing.opens_at >= deadline:
        raise ValidationError("The deadline must come after the call's opening date.")
    return CallInput(
        identifier=identifier,
        title=title,
        programme=programme or (existing.programme if existing else infer_programme(identifier).code),
        deadline_at=deadline,
        timezone=zone_name,
        link=check_link(values.link),
        summary=check_summary(values.summary),
        tags=parse_tags(values.tags),
        opens_at=existing.opens_at if existing else None,
    )


def announcement_input(
    *,
    channel_id: int,
    message: str,
    due: datetime,
    tz: ZoneInfo,
    repeat: str = "none",
    ping_role_id: int | None = None,
    call_id: int | None = None,
) -> AnnouncementInput:
    """Describe a new announcement; repeats are anchored at the due time's wall clock in `tz`."""
    due = due.replace(microsecond=0)
    return AnnouncementInput(
        channel_id=channel_id,
        message=message,
        repeat=repeat,
        timezone=tz.key,
        first_local=due.astimezone(tz).replace(tzinfo=None),
        due_at=due,
        ping_role_id=ping_role_id,
        call_id=call_id,
    )
