"""The records of the testimonials capability and how database rows become them.

Campaigns, stored photos, testimonials with their consent, decisions and removals, plus the SELECTs
and row mappers that the bot's repository (storage/testimonials.py) and the export snapshot
(storage/testimonials_export.py) share.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field, fields
from datetime import datetime
from typing import Any, TypeVar

from storage.times import from_db_time, to_db_time

# Testimonial times are stored to the second.
STORED = "seconds"

CONSENT_SCOPES = ("named", "anonymous", "research")


class TestimonialStoreError(Exception):
    """Base of the repository's refusals; the message is fit to show a member."""

    __test__ = False  # not a pytest test class, despite the name


class CampaignExistsError(TestimonialStoreError):
    """A campaign with that name already exists on the server."""


class UnknownCampaignError(TestimonialStoreError):
    """No campaign with that name on the server."""


class CampaignClosedError(TestimonialStoreError):
    """The campaign no longer takes submissions."""


class UnknownTestimonialError(TestimonialStoreError):
    """No such testimonial (or not one the member may act on)."""


class DailyLimitError(TestimonialStoreError):
    """The member already sent as many stories to the campaign as one day allows."""

    def __init__(self, limit: int) -> None:
        """Keep the limit, so the caller can say it."""
        super().__init__(f"You have sent {limit} stories to this campaign in the last 24 hours.")
        self.limit = limit


class AlreadyDecidedError(TestimonialStoreError):
    """A moderator already decided on this testimonial."""

    def __init__(self, testimonial: Testimonial) -> None:
        """Keep the testimonial as it stands, so the caller can say who decided and when."""
        super().__init__(f"Testimonial #{testimonial.id} was already {testimonial.status}.")
        self.testimonial = testimonial


def campaign_key(name: str) -> str:
    """The form of a campaign name used to find it: normalised, case-folded, trimmed."""
    return unicodedata.normalize("NFKC", name).casefold().strip()


@dataclass(frozen=True)
class Campaign:
    """A call for testimonials on one server."""

    id: int
    guild_id: int
    name: str
    prompt: str
    licence: str
    max_photo_bytes: int
    created_by: int
    created_at: datetime
    closes_at: datetime | None
    closed_at: datetime | None

    def accepts_submissions(self, now: datetime) -> bool:
        """Whether a submission at `now` is taken: not closed by hand and its closing time not reached."""
        return self.closed_at is None and (self.closes_at is None or now < self.closes_at)


@dataclass(frozen=True)
class CampaignSummary:
    """A campaign with how many of its testimonials are in each state."""

    campaign: Campaign
    pending: int
    approved: int
    rejected: int


@dataclass(frozen=True)
class Media:
    """A stored photo, named by the sha256 of its (cleaned) bytes; relpath is under the media folder."""

    sha256: str
    relpath: str
    mediatype: str
    bytes: int
    width: int
    height: int


@dataclass(frozen=True)
class NewTestimonial:
    """What a member submitted, with the consent they gave; validated by the caller."""

    guild_id: int
    campaign_name: str
    author_id: int
    author_name: str
    story: str
    city: str
    target_group: str
    consent_scope: str
    consent_version: str
    consent_text: str
    consented_at: datetime
    # The language the consent text was shown in; keyword-only so the records after it keep their order.
    consent_language: str = field(default="en", kw_only=True)


@dataclass(frozen=True)
class Testimonial(NewTestimonial):
    """A stored testimonial: what was submitted and consented to, and where it stands."""

    __test__ = False  # not a pytest test class, despite the name

    id: int
    campaign_id: int
    licence: str
    media: Media | None
    submitted_at: datetime
    status: str
    moderation_channel_id: int | None
    moderation_message_id: int | None
    showcase_channel_id: int | None
    showcase_message_id: int | None
    decided_by: int | None
    decided_at: datetime | None
    reject_reason: str | None
    # Set when a rejected item's photo was deleted after the retention period.
    photo_removed_at: datetime | None = None


@dataclass(frozen=True)
class Decision:
    """One moderator's decision on a testimonial."""

    decision: str
    moderator_id: int
    decided_at: datetime
    reason: str | None


@dataclass(frozen=True)
class Removal:
    """A deleted testimonial and the media files no other testimonial uses any more."""

    testimonial: Testimonial
    orphaned_media: tuple[Media, ...]


SELECT_CAMPAIGN = "SELECT c.* FROM testimonial_campaigns c "
SELECT_TESTIMONIAL = (
    "SELECT t.*, c.name AS campaign_name, m.relpath, m.mediatype, m.bytes, m.width, m.height "
    "FROM testimonials t JOIN testimonial_campaigns c ON c.id = t.campaign_id "
    "LEFT JOIN testimonial_media m ON m.sha256 = t.media_sha256 "
)
_TIME_FIELDS = frozenset(
    {"created_at", "closes_at", "closed_at", "consented_at", "submitted_at", "decided_at", "photo_removed_at"}
)
_T = TypeVar("_T")


@functools.cache
def _field_names(cls: type) -> tuple[tuple[str, bool], ...]:
    """A record class's field names, each with whether it holds a stored time."""
    return tuple((f.name, f.name in _TIME_FIELDS) for f in fields(cls))


def build_record(cls: type[_T], row: Any, **given: Any) -> _T:
    """Build a record dataclass from a row's same-named columns (times parsed), plus given values."""
    values = {
        name: from_db_time(row[name]) if is_time else row[name]
        for name, is_time in _field_names(cls)  # type: ignore[arg-type]
        if name not in given
    }
    return cls(**values, **given)


def _media(row: Any) -> Media | None:
    """The media of a row that joined testimonial_media (media_sha256, relpath, ...), or None."""
    if row["media_sha256"] is None:
        return None
    return build_record(Media, row, sha256=row["media_sha256"])


def campaign_from_row(row: Any) -> Campaign:
    """Build a Campaign from a testimonial_campaigns row."""
    return build_record(Campaign, row)


def testimonial_from_row(row: Any) -> Testimonial:
    """Build a Testimonial from a row selected with SELECT_TESTIMONIAL."""
    return build_record(Testimonial, row, media=_media(row))


def params_of(record: Any, **extra: Any) -> dict[str, Any]:
    """A record's fields (times as stored text) plus extra values, as named SQL parameters."""
    values = {} if record is None else {f.name: getattr(record, f.name) for f in fields(record)}
    values.update(extra)
    return {k: to_db_time(v, timespec=STORED) if isinstance(v, datetime) else v for k, v in values.items()}
