"""A member's testimonials with their consent, photos and decisions, for /mydata export.

Mixed into TestimonialsRepository. Erasure goes through the testimonials cog (it also deletes photo
files and Discord messages), which calls TestimonialsRepository.remove_all_by_author.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from storage.base import Repository

_ITEMS = (
    "SELECT t.id, c.name AS campaign, t.submitted_at, t.status, t.story, t.city, t.target_group,"
    " t.author_name, t.consent_scope, t.consent_version, t.consent_language, t.consent_text,"
    " t.consented_at, t.licence,"
    " t.media_sha256, m.relpath, m.mediatype, m.bytes, m.width, m.height,"
    " t.showcase_message_id IS NOT NULL AS published, t.decided_at, t.reject_reason"
    " FROM testimonials t JOIN testimonial_campaigns c ON c.id = t.campaign_id"
    " LEFT JOIN testimonial_media m ON m.sha256 = t.media_sha256"
    " WHERE t.guild_id = ? AND t.author_id = ? ORDER BY t.id"
)


class TestimonialMemberData(Repository):
    """A member's own testimonial data in one server."""

    __test__ = False  # not a pytest test class, despite the name

    async def member_data(
        self, guild_id: int, user_id: int, *, media_dir: Path | None = None
    ) -> dict[str, Any]:
        """The member's testimonials in the server (all fields, consent included) and moderator actions.

        With media_dir, each photo says whether its file is still stored.
        """
        items = await self._db.fetchall(_ITEMS, (guild_id, user_id))
        decisions = await self._db.fetchall(
            "SELECT d.testimonial_id, d.decision, d.decided_at, d.reason FROM testimonial_decisions d"
            " JOIN testimonials t ON t.id = d.testimonial_id WHERE t.guild_id = ? AND t.author_id = ?"
            " ORDER BY d.id",
            (guild_id, user_id),
        )
        history: dict[int, list[dict[str, Any]]] = {}
        for row in decisions:
            history.setdefault(int(row["testimonial_id"]), []).append(
                {"decision": row["decision"], "decided_at": row["decided_at"], "reason": row["reason"]}
            )
        return {
            "testimonials": [_item(row, history.get(int(row["id"]), []), media_dir) for row in items],
            "moderator_actions": await self._moderator_actions(guild_id, user_id),
        }

    async def _moderator_actions(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Campaigns a moderator created or closed and the decisions they made in the server."""
        campaigns = await self._db.fetchall(
            "SELECT name, created_by, created_at, closed_by, closed_at FROM testimonial_campaigns"
            " WHERE guild_id = ? AND (created_by = ? OR closed_by = ?) ORDER BY id",
            (guild_id, user_id, user_id),
        )
        decided = await self._db.fetchall(
            "SELECT d.testimonial_id, d.decision, d.decided_at, d.reason FROM testimonial_decisions d"
            " JOIN testimonials t ON t.id = d.testimonial_id WHERE t.guild_id = ? AND d.moderator_id = ?"
            " ORDER BY d.id",
            (guild_id, user_id),
        )
        return {
            "campaigns_created": [
                {"name": r["name"], "created_at": r["created_at"]}
                for r in campaigns
                if r["created_by"] == user_id
            ],
            "campaigns_closed": [
                {"name": r["name"], "closed_at": r["closed_at"]}
                for r in campaigns
                if r["closed_by"] == user_id
            ],
            "testimonial_decisions": [dict(r) for r in decided],
        }


def _item(row: Any, decisions: list[dict[str, Any]], media_dir: Path | None) -> dict[str, Any]:
    """One testimonial as the export shows it (no other member's id)."""
    photo = None
    if row["media_sha256"] is not None:
        photo = {
            "sha256": row["media_sha256"],
            "mediatype": row["mediatype"],
            "bytes": row["bytes"],
            "width": row["width"],
            "height": row["height"],
            "file_exists": None if media_dir is None else (media_dir / str(row["relpath"])).is_file(),
        }
    return {
        "testimonial_id": int(row["id"]),
        "campaign": row["campaign"],
        "submitted_at": row["submitted_at"],
        "status": row["status"],
        "story": row["story"],
        "city": row["city"],
        "target_group": row["target_group"],
        "author_name": row["author_name"],
        "consent": {
            "scope": row["consent_scope"],
            "version": row["consent_version"],
            "language": row["consent_language"],
            "text": row["consent_text"],
            "consented_at": row["consented_at"],
        },
        "licence": row["licence"],
        "photo": photo,
        "published_in_showcase": bool(row["published"]),
        "decided_at": row["decided_at"],
        "reject_reason": row["reject_reason"],
        "decisions": decisions,
    }
