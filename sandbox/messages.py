"""Creating, editing and deleting messages from request bodies (shared by channel and webhook routes)."""

from __future__ import annotations

import copy
import mimetypes
import re
from typing import Any

import sandbox.perms as perms

from .http_base import ApiError, UploadedFile, invalid_form
from .interactions import ATTACHMENT_SIZE_LIMIT
from .payloads import iso, number_components
from .state import DM, FORUM, Channel, Message, StoredFile, User
from .world import World

SUPPRESS_EMBEDS, EPHEMERAL, SUPPRESS_NOTIFICATIONS, COMPONENTS_V2 = 1 << 2, 1 << 6, 1 << 12, 1 << 15
SETTABLE_FLAGS = SUPPRESS_EMBEDS | SUPPRESS_NOTIFICATIONS | COMPONENTS_V2
# Discord enforces a nonce for a few minutes after the first message that used it.
NONCE_WINDOW_SECONDS = 300.0
USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


class MessageOps:
    """Applies message bodies (as the API receives them) to the emulated state."""

    def __init__(self, world: World) -> None:
        """Create the operations on a world's state."""
        self.world = world

    # --- sending -----------------------------------------------------------

    def check_can_send(self, channel: Channel) -> None:
        """Fail like Discord for channels a message cannot be posted in."""
        if channel.type == DM:
            if channel.recipients and channel.recipients[0].dms_closed:
                raise ApiError(403, 50007, "Cannot send messages to this user")
            return
        if channel.type in (FORUM, 4):
            raise ApiError(400, 50008, "Cannot send messages in a non-text channel")
        guild = self.world.guild_of(channel)
        if (
            channel.is_thread
            and channel.locked
            and guild
            and not guild.permissions_in(guild.me, channel) & perms.MANAGE_THREADS
        ):
            raise ApiError(403, 160005, "Thread is locked")

    def create(
        self,
        channel: Channel,
        author: User,
        body: dict[str, Any],
        files: dict[str, UploadedFile],
        *,
        allowed_flags: int = SETTABLE_FLAGS,
        extra_flags: int = 0,
        interaction_id: int | None = None,
        msg_type: int = 0,
        webhook: bool = False,
        msg_id: int | None = None,
    ) -> Message:
        """Create a message from a request body, store it and dispatch MESSAGE_CREATE.

        Like Discord, a body with `enforce_nonce` whose nonce this author already used in this channel
        in the last few minutes creates nothing and returns the message made the first time.
        """
        if body.get("enforce_nonce") and body.get("nonce") is not None:
            earlier = self._sent_with_nonce(channel, author, str(body["nonce"]))
            if earlier is not None:
                return earlier
        msg = Message(msg_id or self.world.ids.next(), channel.id, author, guild_id=channel.guild_id)
        msg.timestamp = self.world.now()
        msg.type = msg_type
        msg.interaction_id = interaction_id
        if webhook:
            msg.webhook_id = msg.application_id = self.world.application_id
        msg.flags = (int(body.get("flags") or 0) & allowed_flags) | extra_flags
        self._apply(msg, body, files, creating=True)
        if body.get("message_reference"):
            self._reference(msg, body["message_reference"])
        msg.tts = bool(body.get("tts", False))
        msg.nonce = body.get("nonce")
        if body.get("poll"):
            msg.poll = self._poll(body["poll"])
        self._require_content(msg)
        if channel.is_thread and channel.archived:
            channel.archived = False
            self.world.events.channel_updated(channel)
        self.world.add_message(msg)
        self.world.events.message_created(msg)
        return msg

    def _sent_with_nonce(self, channel: Channel, author: User, nonce: str) -> Message | None:
        """The message this author sent in this channel with this nonce recently, if any."""
        since = self.world.now() - NONCE_WINDOW_SECONDS
        for msg in reversed(self.world.channel_messages.get(channel.id, [])):
            if msg.author.id == author.id and str(msg.nonce) == nonce and msg.timestamp >= since:
                return msg
        return None

    def create_loading(
        self, channel: Channel, interaction_id: int, ephemeral: bool, msg_type: int
    ) -> Message:
        """Create the "<bot> is thinking..." message of a deferred interaction response."""
        msg = Message(self.world.ids.next(), channel.id, self.world.bot_user, guild_id=channel.guild_id)
        msg.timestamp = self.world.now()
        msg.type = msg_type
        msg.interaction_id = interaction_id
        msg.webhook_id = msg.application_id = self.world.application_id
        msg.flags = (1 << 7) | (EPHEMERAL if ephemeral else 0)
        self.world.add_message(msg)
        self.world.events.message_created(msg)
        return msg

    def edit(self, msg: Message, body: dict[str, Any], files: dict[str, UploadedFile]) -> Message:
        """Edit a message from a request body, keeping the earlier version in its history."""
        if msg.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        before, saved = msg.snapshot(), dict(msg.__dict__)
        try:
            if "flags" in body and body["flags"] is not None:
                keep = msg.flags & ~SETTABLE_FLAGS & ~(1 << 7)
                msg.flags = keep | (int(body["flags"]) & SETTABLE_FLAGS)
            was_loading = msg.loading
            msg.flags &= ~(1 << 7)
            self._apply(msg, body, files, creating=False)
            self._require_content(msg)
        except ApiError:
            msg.__dict__.update(saved)  # a rejected edit changes nothing
            raise
        if not was_loading:  # filling a deferred "thinking..." message is not an edit
            msg.edited_timestamp = self.world.now()
            msg.history.append(before)
        self.world.notify()
        self.world.events.message_updated(msg)
        return msg

    def delete(self, msg: Message) -> None:
        """Delete a message (kept in the world with `deleted` set)."""
        if msg.deleted:
            raise ApiError(404, 10008, "Unknown Message")
        msg.deleted = True
        self.world.notify()
        self.world.events.message_deleted(msg)

    # --- body handling -----------------------------------------------------

    def _apply(
        self, msg: Message, body: dict[str, Any], files: dict[str, UploadedFile], *, creating: bool
    ) -> None:
        """Copy content, embeds, components, attachments and mentions from a body onto a message."""
        if "content" in body:
            msg.content = body["content"] or ""
        if "embeds" in body or "embed" in body:
            embeds = body.get("embeds")
            if embeds is None and body.get("embed") is not None:
                embeds = [body["embed"]]
            msg.embeds = copy.deepcopy(embeds or [])
        if "components" in body:
            msg.components = number_components(copy.deepcopy(body["components"] or []))
        if "allowed_mentions" in body:
            msg.allowed_mentions = body["allowed_mentions"]
        if creating or "attachments" in body or files:
            msg.attachments = self.attachments(msg, body, files)
        if msg.flags & COMPONENTS_V2 and (msg.content or msg.embeds):
            raise invalid_form(["content: cannot be used with the IS_COMPONENTS_V2 flag"])
        self._mentions(msg)

    def attachments(
        self, msg: Message, body: dict[str, Any], files: dict[str, UploadedFile]
    ) -> list[StoredFile]:
        """Return a message's attachments: kept ones listed in `attachments`, plus uploaded files[n]."""
        existing = {a.id: a for a in msg.attachments}
        listed = body.get("attachments")
        result: list[StoredFile] = [] if listed is not None else list(msg.attachments)
        used: set[str] = set()
        for entry in listed or []:
            key = str(entry.get("id"))
            part = files.get(f"files[{key}]")
            if part is not None:
                used.add(f"files[{key}]")
                result.append(self._store(msg, part, entry))
            elif key.isdigit() and int(key) in existing:
                kept = existing[int(key)]
                if "description" in entry:
                    kept.description = entry["description"]
                result.append(kept)
            else:
                raise invalid_form([f"attachments.{key}: unknown attachment or missing files[{key}]"])
        for name, part in files.items():
            if name not in used:
                result.append(self._store(msg, part, {}))
        if len(result) > 10:
            raise invalid_form(["attachments: Must be 10 or fewer in length."])
        return result

    def _store(self, msg: Message, part: UploadedFile, entry: dict[str, Any]) -> StoredFile:
        """Store an uploaded file for a message, refusing files above the size limit."""
        if len(part.data) > ATTACHMENT_SIZE_LIMIT:
            raise ApiError(413, 40005, "Request entity too large")
        filename = entry.get("filename") or part.filename
        return self.world.add_file(
            filename,
            part.data,
            sniff_content_type(part.data, filename, part.content_type),
            channel_id=msg.channel_id,
            description=entry.get("description"),
            title=entry.get("title"),
            ephemeral=msg.ephemeral,
        )

    def _mentions(self, msg: Message) -> None:
        """Work out who the message pings, honouring allowed_mentions as Discord does."""
        allowed = msg.allowed_mentions
        parse = {"users", "roles", "everyone"} if allowed is None else set(allowed.get("parse") or [])
        users = [int(u) for u in USER_MENTION.findall(msg.content)]
        roles = [int(r) for r in ROLE_MENTION.findall(msg.content)]
        explicit_users = {int(u) for u in (allowed or {}).get("users") or []}
        explicit_roles = {int(r) for r in (allowed or {}).get("roles") or []}
        msg.mention_ids = [u for u in dict.fromkeys(users) if "users" in parse or u in explicit_users]
        msg.mention_role_ids = [r for r in dict.fromkeys(roles) if "roles" in parse or r in explicit_roles]
        if allowed is not None and allowed.get("replied_user") and msg.message_reference:
            ref = self.world.messages.get(int(msg.message_reference.get("message_id", 0)))
            if ref is not None and ref.author.id not in msg.mention_ids:
                msg.mention_ids.append(ref.author.id)
        msg.mention_everyone = "everyone" in parse and ("@everyone" in msg.content or "@here" in msg.content)

    def _reference(self, msg: Message, ref: dict[str, Any]) -> None:
        """Make the message a reply to another message."""
        target = self.world.messages.get(int(ref.get("message_id") or 0))
        if target is None or target.deleted:
            if ref.get("fail_if_not_exists", True):
                raise invalid_form(["message_reference: Unknown message"])
            return
        msg.type = 19
        msg.message_reference = {
            "type": 0,
            "message_id": str(target.id),
            "channel_id": str(target.channel_id),
            "guild_id": str(target.guild_id) if target.guild_id else None,
        }

    def _poll(self, poll: dict[str, Any]) -> dict[str, Any]:
        """Return a poll as Discord echoes it from the request form."""
        hours = int(poll.get("duration") or 24)
        return {
            "question": poll.get("question", {}),
            "answers": [
                {"answer_id": i + 1, "poll_media": a.get("poll_media", {})}
                for i, a in enumerate(poll["answers"])
            ],
            "expiry": iso(self.world.now() + hours * 3600),
            "allow_multiselect": bool(poll.get("allow_multiselect", False)),
            "layout_type": poll.get("layout_type", 1),
            "results": {"is_finalized": False, "answer_counts": []},
        }

    @staticmethod
    def _require_content(msg: Message) -> None:
        """Refuse a message with nothing in it (Discord's 50006)."""
        if not (msg.content or msg.embeds or msg.components or msg.attachments or msg.poll or msg.loading):
            raise ApiError(400, 50006, "Cannot send an empty message")


MAGIC = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"GIF8", "image/gif"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"%PDF", "application/pdf"),
)


def sniff_content_type(data: bytes, filename: str, declared: str | None) -> str | None:
    """Return the content type Discord would report: from the bytes, else the name, else as sent."""
    for magic, kind in MAGIC:
        if data.startswith(magic):
            return kind
    if data[8:12] == b"WEBP" and data.startswith(b"RIFF"):
        return "image/webp"
    guessed, _ = mimetypes.guess_type(filename)
    if guessed is not None and guessed.startswith("text/"):
        return guessed + "; charset=utf-8"
    if guessed is not None:
        return guessed
    return declared if declared and declared != "application/octet-stream" else None
