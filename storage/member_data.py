"""The generic side of /mydata export: sections merged, described, encoded and packaged.

Each capability exports its own sections (bot/member_data.py MemberDataHolder, usually through its
repository's `member_data(guild_id, user_id)`); this module merges them into one document with a
header saying what it is and what it leaves out, turns it into a file that fits an upload limit,
and counts its items. Nothing here imports discord or knows which capabilities exist.
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

FORMAT = "climabot-mydata"
FORMAT_VERSION = 1
MODERATOR_ACTIONS = "moderator_actions"


def N_(message: str) -> str:
    """Mark an English description for the translation catalogs (storage imports nothing of bot/)."""
    return message


def _same(message: str) -> str:
    """Leave a description in English."""
    return message


# Every section of the document, in order, with what it holds. The descriptions are English msgids:
# /mydata export translates them into the member's language; the keys (the data schema) never change.
SECTIONS: dict[str, str] = {
    "profile": N_(
        "Your target group and home city in this server (/profile set); null if you never set one."
    ),
    "language": N_(
        "The language you chose here (/profile set language) and the one your Discord app last showed; "
        "null if neither is known."
    ),
    "city_memberships": N_("The cities you said you belong to (/city join, or your home city)."),
    "twin_threads": N_(
        "Private threads of twinned cities you were added to because you belong to one of the cities. "
        "climabot stores no per-member record of them: the list follows from your cities."
    ),
    "call_subscriptions": N_(
        "Your deadline-reminder subscriptions (/calls subscribe); programme '*' means all."
    ),
    "call_reminder_dms": N_("Deadline reminders climabot sent (or tried to send) you by direct message."),
    "testimonials": N_(
        "Testimonials you submitted, with the exact consent text you agreed to, its version and time, "
        "their status, and their photo's sha256 fingerprint and whether the file is still stored."
    ),
    "poll_ballots": N_("Your ballots in non-anonymous polls: poll, question, option chosen and when."),
    "exchanges_asked": N_("Questions you asked other cities (/exchange ask); they are also forum posts."),
    "lessons_written": N_("Lessons learned you recorded when resolving an exchange (/exchange resolve)."),
    "proposals": N_(
        "Citizen proposals you submitted (/proposal submit) with their status, progress and support count. "
        "/mydata forget unlinks them from you: they stay, shown as by a former member."
    ),
    "proposal_supports": N_("Proposals you support, and since when; /mydata forget removes your supports."),
    "proposal_messages": N_("When you stopped direct messages about proposals in this server, if you did."),
    MODERATOR_ACTIONS: N_(
        "Records of what you did as a moderator (polls, calls, announcements, campaigns, decisions, "
        "cities, twinnings, events); empty lists if you never did."
    ),
}

NOT_INCLUDED: tuple[str, ...] = (
    N_(
        "Anonymous polls: their ballots are not linked to members. A closed anonymous poll keeps no "
        "ballots at all, only the counts. While one is open, your ballot is stored only under a keyed "
        "hash (HMAC-SHA256) of your id with a secret of that poll, so it is not listed here; "
        "/mydata forget withdraws it."
    ),
    N_(
        "Ballots unlinked by an earlier /mydata forget carry a random pseudonym instead of your id, so "
        "nothing links them to you any more and they cannot be listed."
    ),
    N_(
        "What lives on Discord rather than in climabot: your messages, forum posts, threads, reactions "
        "and roles. The copies climabot keeps (questions, lessons, testimonials) are included above."
    ),
    N_(
        "Photo files themselves: each is described by its sha256 fingerprint, type and size; it is the "
        "image you uploaded, with its location data removed."
    ),
    N_("Other people's data, such as which moderator decided on your testimonial."),
    N_("Your data in other servers that use this bot: run /mydata export there."),
    N_(
        "The operator's logs and backups: logs may note your Discord id with the time of an action "
        "(never what you wrote); backups are copies of this database taken earlier."
    ),
)

CONTENTS = N_(
    "Everything climabot stores that is linked to your Discord id in this server. Ids are "
    "Discord ids (64-bit integers); times are ISO 8601 in UTC."
)


def merge_sections(parts: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """Merge capabilities' sections in document order; moderator actions are merged one level down."""
    merged: dict[str, Any] = {}
    actions: dict[str, Any] = {}
    for part in parts:
        for key, value in part.items():
            if key == MODERATOR_ACTIONS:
                for name, items in value.items():
                    _put(actions, name, items)
            else:
                _put(merged, key, value)
    unknown = set(merged) - set(SECTIONS)
    if unknown:
        raise ValueError(f"sections without a description: {sorted(unknown)}")
    ordered = {key: merged[key] for key in SECTIONS if key in merged}
    ordered[MODERATOR_ACTIONS] = dict(sorted(actions.items()))
    return ordered


def _put(target: dict[str, Any], key: str, value: Any) -> None:
    """Add one section, refusing a name two capabilities both use."""
    if key in target:
        raise ValueError(f"two capabilities export a section named {key!r}")
    target[key] = value


def build_document(
    sections: Mapping[str, Any],
    *,
    guild_id: int,
    user_id: int,
    generated_at: datetime,
    version: str,
    translate: Callable[[str], str] = _same,
) -> dict[str, Any]:
    """The whole export: a header (what, when, for whom, what is left out and why), then the sections.

    `translate` turns an English description into the member's language (keys stay as they are).
    """
    about = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "generated_at": generated_at.astimezone(UTC).isoformat(timespec="seconds"),
        "climabot_version": version,
        "guild_id": guild_id,
        "user_id": user_id,
        "contents": translate(CONTENTS),
        "sections": {key: translate(SECTIONS[key]) for key in sections},
        "not_included": [translate(note) for note in NOT_INCLUDED],
    }
    return {"about": about, **sections}


def encode(document: Mapping[str, Any]) -> bytes:
    """The document as pretty-printed UTF-8 JSON (non-ASCII text kept readable)."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


def export_filename(guild_id: int, user_id: int) -> str:
    """The name of a member's export file."""
    return f"climabot-mydata-{guild_id}-{user_id}.json"


def package(data: bytes, filename: str, limit: int) -> tuple[str, bytes] | None:
    """The file as uploaded: as is, zipped when over `limit` bytes, or None if even the zip is too big."""
    if len(data) <= limit:
        return filename, data
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(filename, data)
    zipped = buffer.getvalue()
    return (f"{filename}.zip", zipped) if len(zipped) <= limit else None


def item_counts(sections: Mapping[str, Any]) -> dict[str, int]:
    """How many items of each kind the sections hold (what /mydata shows and forget will erase)."""
    ballots = sections.get("poll_ballots", [])
    testimonials = sections.get("testimonials", [])
    return {
        "profile": int(sections.get("profile") is not None),
        "city_memberships": len(sections.get("city_memberships", [])),
        "twin_threads": len(sections.get("twin_threads", [])),
        "call_subscriptions": len(sections.get("call_subscriptions", [])),
        "call_reminder_dms": len(sections.get("call_reminder_dms", [])),
        "testimonials": len(testimonials),
        "photos": sum(1 for item in testimonials if item.get("photo")),
        "open_poll_ballots": sum(1 for b in ballots if b.get("poll_state") == "open"),
        "closed_poll_ballots": sum(1 for b in ballots if b.get("poll_state") == "closed"),
        "exchanges_asked": len(sections.get("exchanges_asked", [])),
        "lessons_written": len(sections.get("lessons_written", [])),
        "proposals": len(sections.get("proposals", [])),
        "proposal_supports": len(sections.get("proposal_supports", [])),
        MODERATOR_ACTIONS: sum(len(v) for v in sections.get(MODERATOR_ACTIONS, {}).values()),
    }
