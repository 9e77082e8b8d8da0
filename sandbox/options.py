"""Build command, component and modal interaction data from what a test says a person did."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .guild import Guild
from .state import Channel, Member, Role, StoredFile, User

if TYPE_CHECKING:
    from .payloads import Payloads
    from .world import World

SUB_COMMAND, GROUP = 1, 2
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
TYPE_NAMES = {
    STRING: "string",
    INTEGER: "integer",
    BOOLEAN: "boolean",
    USER: "user",
    CHANNEL: "channel",
    ROLE: "role",
    MENTIONABLE: "mentionable",
    NUMBER: "number",
    ATTACHMENT: "attachment",
}


class NotPossible(AssertionError):
    """The test asked a person to do something Discord's client would not let them do."""


class Resolver:
    """Collects `resolved` data (users, members, roles, channels, attachments) for one interaction."""

    def __init__(self, world: World, payloads: Payloads, guild: Guild | None, member: Member | None) -> None:
        """Create an empty collection for an interaction in a guild (or a DM)."""
        self.world = world
        self.p = payloads
        self.guild = guild
        self.member = member
        self.data: dict[str, dict[str, Any]] = {}

    def _put(self, kind: str, key: int, value: dict[str, Any]) -> None:
        """Add one resolved object."""
        self.data.setdefault(kind, {})[str(key)] = value

    def user(self, value: Any, what: str) -> str:
        """Resolve a member or user; return its id string."""
        if isinstance(value, Member):
            if self.guild is not None and value.guild is not self.guild:
                raise NotPossible(f"{what}: {value.name} is not a member of {self.guild.name}")
            self._put("users", value.id, self.p.user(value.user))
            data = self.p.member(value, with_user=False, permissions=True)
            self._put("members", value.id, data)
            return str(value.id)
        if isinstance(value, User):
            self._put("users", value.id, self.p.user(value))
            if self.guild is not None and value.id in self.guild.members:
                data = self.p.member(self.guild.members[value.id], with_user=False, permissions=True)
                self._put("members", value.id, data)
            return str(value.id)
        raise NotPossible(f"{what}: expected a member or user, got {value!r}")

    def role(self, value: Any, what: str) -> str:
        """Resolve a role; return its id string."""
        if not isinstance(value, Role) or (self.guild is not None and value.guild_id != self.guild.id):
            raise NotPossible(f"{what}: expected a role of this guild, got {value!r}")
        self._put("roles", value.id, self.p.role(value))
        return str(value.id)

    def channel(self, value: Any, what: str, channel_types: list[int] | None) -> str:
        """Resolve a channel (checking the option's channel_types); return its id string."""
        if not isinstance(value, Channel) or (self.guild is not None and value.guild_id != self.guild.id):
            raise NotPossible(f"{what}: expected a channel of this guild, got {value!r}")
        if channel_types and value.type not in channel_types:
            raise NotPossible(f"{what}: channel #{value.name} has type {value.type}, allowed {channel_types}")
        perms = self.member.permissions if self.member else 0
        self._put("channels", value.id, self.p.resolved_channel(value, perms))
        return str(value.id)

    def attachment(self, value: Any, what: str) -> str:
        """Resolve an uploaded file (from emu.upload); return its id string."""
        file_id = (
            value.id if isinstance(value, StoredFile) else int(value["id"]) if isinstance(value, dict) else 0
        )
        f = self.world.files.get(file_id)
        if f is None:
            raise NotPossible(f"{what}: expected a file from emu.upload(...), got {value!r}")
        self._put("attachments", f.id, self.p.attachment(f))
        return str(f.id)


def find_command(world: World, guild: Guild | None, name: str) -> dict[str, Any]:
    """Return the synced chat-input command a person could run here, or fail naming what exists."""
    scopes: list[int | None] = ([guild.id] if guild else []) + [None]
    for scope in scopes:
        for cmd in world.commands.get(scope, []):
            if cmd["name"] == name and cmd.get("type", 1) == 1:
                return cmd
    have = sorted({c["name"] for s in scopes for c in world.commands.get(s, [])})
    raise NotPossible(f"/{name} is not a synced command here; synced: {have}")


def command_options(
    cmd: dict[str, Any],
    words: list[str],
    values: dict[str, Any],
    resolver: Resolver,
    *,
    focused: str | None = None,
) -> list[dict[str, Any]]:
    """Return the nested `options` of a command interaction, type-checked against the synced definition."""
    node, chain = cmd, []
    for word in words:
        sub = next(
            (o for o in node.get("options", []) if o["name"] == word and o["type"] in (SUB_COMMAND, GROUP)),
            None,
        )
        if sub is None:
            raise NotPossible(f"/{cmd['name']} has no subcommand {word!r} at this level")
        chain.append(sub)
        node = sub
    declared = node.get("options", [])
    if any(o["type"] in (SUB_COMMAND, GROUP) for o in declared):
        names = [o["name"] for o in declared]
        raise NotPossible(f"/{' '.join([cmd['name'], *words])} needs a subcommand: {names}")
    by_name = {o["name"]: o for o in declared}
    unknown = [k for k in values if k not in by_name]
    if unknown:
        hint = " (pass options={'channel': ...} for an option named channel)" if "channel" in by_name else ""
        raise NotPossible(f"unknown option(s) {unknown}; the command has {list(by_name)}{hint}")
    if focused is None:
        missing = [o["name"] for o in declared if o.get("required") and o["name"] not in values]
        if missing:
            hint = " (the `channel=` argument is where the command is typed; use options={'channel': ...})"
            raise NotPossible(
                f"missing required option(s) {missing}" + (hint if "channel" in missing else "")
            )
    options = []
    for name, value in values.items():
        opt = by_name[name]
        entry: dict[str, Any] = {"name": name, "type": opt["type"]}
        if name == focused:
            if not opt.get("autocomplete"):
                raise NotPossible(f"option {name!r} has no autocomplete")
            entry.update(value=str(value), focused=True)
        else:
            entry["value"] = option_value(opt, value, resolver)
        options.append(entry)
    for sub in reversed(chain):
        options = [{"name": sub["name"], "type": sub["type"], "options": options}]
    return options


def option_value(opt: dict[str, Any], value: Any, resolver: Resolver) -> Any:
    """Return the JSON value of one option after checking it as Discord's client would."""
    kind, what = opt["type"], f"option {opt['name']!r} ({TYPE_NAMES.get(opt['type'], opt['type'])})"
    if kind == STRING:
        if not isinstance(value, str):
            raise NotPossible(f"{what}: expected str, got {value!r}")
        lo, hi = _get(opt, "min_length", 0), _get(opt, "max_length", 6000)
        if not lo <= len(value) <= hi:
            raise NotPossible(f"{what}: length {len(value)} outside {lo}..{hi}")
    elif kind == INTEGER:
        if not isinstance(value, int) or isinstance(value, bool):
            raise NotPossible(f"{what}: expected int, got {value!r}")
    elif kind == NUMBER:
        if not isinstance(value, int | float) or isinstance(value, bool):
            raise NotPossible(f"{what}: expected a number, got {value!r}")
    elif kind == BOOLEAN:
        if not isinstance(value, bool):
            raise NotPossible(f"{what}: expected bool, got {value!r}")
        return value
    elif kind == USER:
        return resolver.user(value, what)
    elif kind == ROLE:
        return resolver.role(value, what)
    elif kind == MENTIONABLE:
        return resolver.role(value, what) if isinstance(value, Role) else resolver.user(value, what)
    elif kind == CHANNEL:
        return resolver.channel(value, what, opt.get("channel_types"))
    elif kind == ATTACHMENT:
        return resolver.attachment(value, what)
    else:
        raise NotPossible(f"{what}: unsupported option type")
    if kind in (INTEGER, NUMBER):
        lo, hi = opt.get("min_value"), opt.get("max_value")
        if (lo is not None and value < lo) or (hi is not None and value > hi):
            raise NotPossible(f"{what}: {value} outside {lo}..{hi}")
    choices = opt.get("choices")
    if choices and value not in [c["value"] for c in choices]:
        raise NotPossible(f"{what}: {value!r} is not one of the choices {[c['value'] for c in choices]}")
    return value


def select_values(comp: dict[str, Any], values: list[Any], resolver: Resolver, what: str) -> list[str]:
    """Return the `values` of a select after checking them against its options and limits."""
    kind = comp["type"]
    lo, hi = _get(comp, "min_values", 1), _get(comp, "max_values", 1)
    if not lo <= len(values) <= hi:
        raise NotPossible(f"{what}: {len(values)} value(s) chosen, the select allows {lo}..{hi}")
    if kind == 3:
        allowed = [o["value"] for o in comp.get("options", [])]
        bad = [v for v in values if v not in allowed]
        if bad:
            raise NotPossible(f"{what}: {bad} not among the options {allowed}")
        return [str(v) for v in values]
    if kind == 5:
        return [resolver.user(v, what) for v in values]
    if kind == 6:
        return [resolver.role(v, what) for v in values]
    if kind == 7:
        return [resolver.role(v, what) if isinstance(v, Role) else resolver.user(v, what) for v in values]
    if kind == 8:
        return [resolver.channel(v, what, comp.get("channel_types")) for v in values]
    raise NotPossible(f"{what}: component type {kind} is not a select")


def modal_components(
    modal: dict[str, Any], values: dict[str, Any], resolver: Resolver
) -> list[dict[str, Any]]:
    """Return a modal submission's components, filled from `values` (by custom_id) and checked."""
    used: set[str] = set()
    out = []
    for comp in modal.get("components", []):
        if comp["type"] == 1:
            inner = [_modal_field(c, values, resolver, used) for c in comp.get("components", [])]
            out.append({"type": 1, "id": comp.get("id"), "components": inner})
        elif comp["type"] == 18:
            field = _modal_field(comp["component"], values, resolver, used)
            out.append({"type": 18, "id": comp.get("id"), "component": field})
        elif comp["type"] == 10:
            out.append({"type": 10, "id": comp.get("id")})
    extra = set(values) - used
    if extra:
        raise NotPossible(f"the modal has no field(s) {sorted(extra)}")
    return out


def _modal_field(
    comp: dict[str, Any], values: dict[str, Any], resolver: Resolver, used: set[str]
) -> dict[str, Any]:
    """Return one filled modal field."""
    cid, kind = comp.get("custom_id", ""), comp["type"]
    what = f"modal field {cid!r}"
    given = cid in values
    used.add(cid)
    value: Any = values.get(cid)
    required = _get(comp, "required", True)
    base: dict[str, Any] = {"type": kind, "id": comp.get("id"), "custom_id": cid}
    if kind == 4:
        text = value if given else comp.get("value") or ""
        if not isinstance(text, str):
            raise NotPossible(f"{what}: expected str, got {text!r}")
        if required and not text:
            raise NotPossible(f"{what} is required")
        lo, hi = _get(comp, "min_length", 0), _get(comp, "max_length", 4000)
        if text and not lo <= len(text) <= hi:
            raise NotPossible(f"{what}: length {len(text)} outside {lo}..{hi}")
        return {**base, "value": text}
    if kind == 23:
        return {**base, "value": bool(value) if given else bool(comp.get("default", False))}
    if kind == 21:
        allowed = [o["value"] for o in comp.get("options", [])]
        if given and value not in allowed:
            raise NotPossible(f"{what}: {value!r} not among {allowed}")
        if required and not given:
            raise NotPossible(f"{what} is required")
        return {**base, "value": value if given else None}
    if kind == 22:
        chosen = list(value) if given else []
        allowed = [o["value"] for o in comp.get("options", [])]
        if any(v not in allowed for v in chosen):
            raise NotPossible(f"{what}: {chosen} not all among {allowed}")
        lo = _get(comp, "min_values", 1 if required else 0)
        hi = _get(comp, "max_values", len(allowed))
        if not lo <= len(chosen) <= hi:
            raise NotPossible(f"{what}: {len(chosen)} chosen, allowed {lo}..{hi}")
        return {**base, "values": chosen}
    if kind == 19:
        files = list(value) if given else []
        if required and not files:
            raise NotPossible(f"{what} is required")
        return {**base, "values": [resolver.attachment(f, what) for f in files]}
    if kind in (3, 5, 6, 7, 8):
        chosen = list(value) if given else []
        if not chosen and not required:
            return {**base, "values": []}
        return {**base, "values": select_values(comp, chosen, resolver, what)}
    raise NotPossible(f"{what}: component type {kind} cannot be filled in")


def _get(data: dict[str, Any], key: str, default: Any) -> Any:
    """Return data[key], or the default when it is missing or null (discord.py sends nulls)."""
    value = data.get(key)
    return default if value is None else value
