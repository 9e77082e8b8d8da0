"""Save the emulated Discord to a folder and load it back, so a sandbox survives restarts.

The folder holds `state.json` (users, guilds with roles, members, channels, threads, forum tags and
scheduled events, messages, synced commands, the id generator's position) and `files/<id>` (the bytes
of every uploaded file). Both are written atomically (a temporary file, then os.replace), files first,
so `state.json` never names a file that is not there. Interactions and their tokens are not kept, nor
ephemeral messages: Discord's own client forgets those on reload too.
"""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import json
import logging
import os
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .guild import Guild
from .state import Channel, Member, Message, Role, ScheduledEvent, StoredFile, User

if TYPE_CHECKING:
    from .emulator import Emulator
    from .world import World

log = logging.getLogger(__name__)

FORMAT = 1
STATE_FILE = "state.json"
FILES_DIR = "files"
# Attributes of Guild that are objects, rebuilt from their own sections (the rest are saved as they are).
_GUILD_OBJECTS = ("world", "roles", "members", "channels", "events", "bot_role")


class PersistError(Exception):
    """A saved sandbox cannot be read; the message is one line saying which file and what to do."""


# --- dataclasses <-> JSON ---------------------------------------------------


def _plain(obj: Any, skip: tuple[str, ...] = ()) -> dict[str, Any]:
    """Return a dataclass's fields as JSON values (sets become sorted lists)."""
    out: dict[str, Any] = {}
    for f in dataclasses.fields(obj):
        if f.name in skip:
            continue
        value = getattr(obj, f.name)
        out[f.name] = sorted(value) if isinstance(value, set) else value
    return out


def _build(cls: type[Any], saved: dict[str, Any], /, **objects: Any) -> Any:
    """Create a dataclass from saved fields (lists back to sets where the field is a set)."""
    kwargs: dict[str, Any] = {}
    for f in dataclasses.fields(cls):
        if f.name in objects:
            kwargs[f.name] = objects[f.name]
        elif f.name in saved:
            value = saved[f.name]
            kwargs[f.name] = set(value) if f.default_factory is set else value
    return cls(**kwargs)


# --- world -> dict ------------------------------------------------------------


def dump_world(emu: Emulator) -> dict[str, Any]:
    """Return everything worth keeping about the emulator's world as JSON-ready data."""
    world = emu.world
    kept = [m for m in world.messages.values() if not m.ephemeral]
    return {
        "format": FORMAT,
        "world": {
            "application_id": world.application_id,
            "bot_user_id": world.bot_user.id,
            "app_owner_id": emu.app_owner.id,
            "application_flags": world.application_flags,
            "clock_offset": world.clock_offset,
            "last_id": world.ids.last,
        },
        "users": [_plain(u) for u in world.users.values()],
        "guilds": [_dump_guild(g) for g in world.guilds.values()],
        "channels": [_dump_channel(c) for c in world.channels.values()],
        "files": [_plain(f, skip=("data",)) for f in kept_files(world).values()],
        "messages": [_dump_message(m) for m in kept],
        "channel_messages": {
            str(cid): [m.id for m in msgs if not m.ephemeral] for cid, msgs in world.channel_messages.items()
        },
        "commands": [{"scope": scope, "commands": cmds} for scope, cmds in world.commands.items()],
        "command_ids": [[scope, name, kind, cid] for (scope, name, kind), cid in world.command_ids.items()],
    }


def kept_files(world: World) -> dict[int, StoredFile]:
    """Return every uploaded file, including any attached to a message but not registered in world.files."""
    files = dict(world.files)
    for msg in world.messages.values():
        files.update({f.id: f for f in msg.attachments if f.id not in files})
    return files


def _dump_guild(guild: Guild) -> dict[str, Any]:
    """Return a guild's own fields, roles, memberships and scheduled events."""
    extra = {
        k: v
        for k, v in vars(guild).items()
        if k not in _GUILD_OBJECTS and isinstance(v, str | int | float | bool | type(None))
    }
    return {
        **extra,
        "bot_role_id": guild.bot_role.id,
        "roles": [_plain(r) for r in guild.roles.values()],
        "members": [{**_plain(m, skip=("user", "guild")), "user_id": u} for u, m in guild.members.items()],
        "channel_ids": list(guild.channels),
        "events": [_plain(e) for e in guild.events.values()],
    }


def _dump_channel(ch: Channel) -> dict[str, Any]:
    """Return a channel's fields, with DM recipients as user ids."""
    return {**_plain(ch, skip=("recipients",)), "recipient_ids": [u.id for u in ch.recipients]}


def _dump_message(msg: Message) -> dict[str, Any]:
    """Return a message's fields, with its author and attachments as ids."""
    data = _plain(msg, skip=("author", "attachments", "reactions"))
    data["author_id"] = msg.author.id
    data["attachment_ids"] = [f.id for f in msg.attachments]
    data["reactions"] = {emoji: sorted(users) for emoji, users in msg.reactions.items()}
    return data


# --- dict -> world ------------------------------------------------------------


def restore_world(emu: Emulator, data: dict[str, Any], files_dir: Path) -> None:
    """Replace the (fresh, stopped) emulator's world with saved data; file bytes come from files_dir."""
    if data.get("format") != FORMAT:
        raise ValueError(f"saved in format {data.get('format')!r}, this climabot reads format {FORMAT}")
    world = emu.world
    meta = data["world"]
    users = {u["id"]: _build(User, u) for u in data["users"]}
    files = {f["id"]: _build(StoredFile, f, data=_read_file(files_dir, f["id"])) for f in data["files"]}
    world.users = users
    world.application_id = meta["application_id"]
    world.bot_user = users[meta["bot_user_id"]]
    world.application_flags = meta["application_flags"]
    world.clock_offset = meta["clock_offset"]
    emu.app_owner = users[meta["app_owner_id"]]
    world.files = files
    world.channels = {
        c["id"]: _build(Channel, c, recipients=[users[uid] for uid in c["recipient_ids"]])
        for c in data["channels"]
    }
    world.guilds = {g["id"]: _load_guild(world, g) for g in data["guilds"]}
    world.messages = {}
    for m in data["messages"]:
        msg = _build(
            Message,
            m,
            author=users[m["author_id"]],
            attachments=[files[f] for f in m["attachment_ids"]],
            reactions={emoji: set(ids) for emoji, ids in m["reactions"].items()},
        )
        world.messages[msg.id] = msg
    world.channel_messages = {
        int(cid): [world.messages[i] for i in ids if i in world.messages]
        for cid, ids in data["channel_messages"].items()
    }
    world.commands = {c["scope"]: c["commands"] for c in data["commands"]}
    world.command_ids = {(scope, name, kind): cid for scope, name, kind, cid in data["command_ids"]}
    world.interactions = {}
    world.interactions_by_token = {}
    world.ids.skip_past(meta["last_id"])
    emu.renew_token()
    world.notify()


def _read_file(files_dir: Path, file_id: int) -> bytes:
    """Return the saved bytes of one uploaded file."""
    return (files_dir / str(int(file_id))).read_bytes()


def _load_guild(world: World, data: dict[str, Any]) -> Guild:
    """Rebuild a guild (without running Guild.__init__, which would make a new owner and bot role)."""
    guild = Guild.__new__(Guild)
    guild.world = world
    for key, value in data.items():
        if key not in ("bot_role_id", "roles", "members", "channel_ids", "events"):
            setattr(guild, key, value)
    guild.roles = {r["id"]: _build(Role, r) for r in data["roles"]}
    guild.bot_role = guild.roles[data["bot_role_id"]]
    guild.members = {
        m["user_id"]: _build(Member, m, user=world.users[m["user_id"]], guild=guild) for m in data["members"]
    }
    guild.channels = {cid: world.channels[cid] for cid in data["channel_ids"] if cid in world.channels}
    guild.events = {e["id"]: _build(ScheduledEvent, e) for e in data["events"]}
    return guild


# --- the folder -----------------------------------------------------------------


def _write_atomically(path: Path, data: bytes) -> None:
    """Write a file so that a reader sees the old or the new content, never half of it."""
    tmp = path.with_name(f".{path.name}.tmp")
    with tmp.open("wb") as out:
        out.write(data)
        out.flush()
        os.fsync(out.fileno())
    os.replace(tmp, path)


def encode(emu: Emulator) -> tuple[bytes, dict[int, bytes]]:
    """Return state.json's bytes and every file's bytes by id (taken on the event loop, consistently)."""
    text = json.dumps(dump_world(emu), ensure_ascii=False, separators=(",", ":"))
    return text.encode(), {file_id: f.data for file_id, f in kept_files(emu.world).items()}


def write(folder: Path, state: bytes, blobs: dict[int, bytes]) -> None:
    """Write the files missing from folder/files, then state.json (files never change once uploaded)."""
    files_dir = folder / FILES_DIR
    files_dir.mkdir(parents=True, exist_ok=True)
    for file_id, blob in blobs.items():
        path = files_dir / str(file_id)
        if not path.exists():
            _write_atomically(path, blob)
    _write_atomically(folder / STATE_FILE, state)


def save(emu: Emulator, folder: Path) -> None:
    """Save the emulator's world to folder (created if needed)."""
    write(folder, *encode(emu))


def load(emu: Emulator, folder: Path) -> bool:
    """Load a saved world into a fresh, stopped emulator: False if there is none; PersistError if damaged."""
    path = folder / STATE_FILE
    if not path.exists():
        return False
    try:
        data = json.loads(path.read_bytes())
        restore_world(emu, data, folder / FILES_DIR)
    except (ValueError, KeyError, TypeError, OSError) as problem:
        reason = " ".join(str(problem).split()) or type(problem).__name__
        if isinstance(problem, KeyError):
            reason = f"missing {reason}"
        raise PersistError(
            f"cannot load the sandbox saved in {path}: {reason}; move the folder away to start afresh"
        ) from problem
    return True


class Autosaver:
    """Saves the world at most once per `interval` seconds while it changes, and once more at stop."""

    def __init__(self, emu: Emulator, folder: Path, interval: float = 1.0) -> None:
        """Prepare a saver for emu into folder; nothing runs until start()."""
        self.emu = emu
        self.folder = folder
        self.interval = interval
        self.saves = 0
        self._seen = -1
        self._written: bytes | None = None
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        """Start saving in the background."""
        self._task = asyncio.create_task(self._run(), name="sandbox-autosave")

    async def _run(self) -> None:
        """Look for changes every interval; a failed save is logged and tried again at the next change."""
        while True:
            await asyncio.sleep(self.interval)
            try:
                await self.save_if_changed()
            except OSError as problem:
                log.warning("could not save the sandbox to %s: %s", self.folder, problem)

    async def save_if_changed(self) -> bool:
        """Save if the world changed since the last save; return whether anything was written."""
        version = self.emu.world.version
        if version == self._seen:
            return False
        state, blobs = encode(self.emu)
        self._seen = version
        if state == self._written:
            return False
        await asyncio.to_thread(write, self.folder, state, blobs)
        self._written = state
        self.saves += 1
        return True

    async def stop(self) -> None:
        """Stop the background saves and save a last time."""
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task
            self._task = None
        self._seen = -1
        await self.save_if_changed()
