"""Turn the page's JSON values (ids, text from form fields) into what the emulator's people helpers take."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..options import (
    ATTACHMENT,
    BOOLEAN,
    CHANNEL,
    GROUP,
    INTEGER,
    MENTIONABLE,
    NUMBER,
    ROLE,
    STRING,
    SUB_COMMAND,
    USER,
    NotPossible,
)
from ..state import Channel, Member, Role, User, iter_components
from .site import BadInput, parse_id

if TYPE_CHECKING:
    from ..guild import Guild
    from .site import Site


def declared_options(cmd: dict[str, Any], words: list[str]) -> dict[str, dict[str, Any]]:
    """Return the options (by name) of a command's subcommand path; refuse an unknown path."""
    node = cmd
    for word in words:
        sub = next(
            (o for o in node.get("options", []) if o["name"] == word and o["type"] in (SUB_COMMAND, GROUP)),
            None,
        )
        if sub is None:
            raise NotPossible(f"/{cmd['name']} has no subcommand {word!r} at this level")
        node = sub
    return {o["name"]: o for o in node.get("options", []) if o["type"] not in (SUB_COMMAND, GROUP)}


def command_values(
    site: Site, guild: Guild | None, declared: dict[str, dict[str, Any]], raw: dict[str, Any]
) -> dict[str, Any]:
    """Return option values by name, typed for the emulator; empty optional fields are left out."""
    out: dict[str, Any] = {}
    for name, value in raw.items():
        if value is None or value == "":
            continue
        opt = declared.get(name)
        if opt is None:
            out[name] = value  # the emulator names the options the command has
            continue
        out[name] = option_value(site, guild, opt, value)
    return out


def option_value(site: Site, guild: Guild | None, opt: dict[str, Any], value: Any) -> Any:
    """Return one option value: numbers and booleans from text, objects from ids."""
    kind, what = opt["type"], f"option {opt['name']!r}"
    if kind == STRING:
        return value if isinstance(value, str) else str(value)
    if kind == INTEGER:
        return _integer(value, what)
    if kind == NUMBER:
        return _number(value, what)
    if kind == BOOLEAN:
        return _boolean(value, what)
    if kind == USER:
        return person(site, guild, value, what)
    if kind == ROLE:
        return role(guild, value, what)
    if kind == MENTIONABLE:
        return mentionable(site, guild, value, what)
    if kind == CHANNEL:
        return channel(site, value, what)
    if kind == ATTACHMENT:
        return upload(site, value, what)
    return value


def _integer(value: Any, what: str) -> int:
    """Return an integer from a number or its text."""
    if isinstance(value, bool):
        raise BadInput(f"{what}: expected a whole number, got {value!r}")
    if isinstance(value, int):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    try:
        return int(str(value).strip())
    except ValueError:
        raise BadInput(f"{what}: expected a whole number, got {value!r}") from None


def _number(value: Any, what: str) -> int | float:
    """Return a number from a number or its text."""
    if isinstance(value, bool):
        raise BadInput(f"{what}: expected a number, got {value!r}")
    if isinstance(value, int | float):
        return value
    try:
        return float(str(value).strip().replace(",", "."))
    except ValueError:
        raise BadInput(f"{what}: expected a number, got {value!r}") from None


def _boolean(value: Any, what: str) -> bool:
    """Return a boolean from true/false or its text."""
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "1"):
        return True
    if text in ("false", "no", "0"):
        return False
    raise BadInput(f"{what}: expected true or false, got {value!r}")


def person(site: Site, guild: Guild | None, value: Any, what: str) -> Member | User:
    """Return the member (or, in DMs, the user) with this id."""
    uid = parse_id(value, f"{what}: user id")
    if guild is not None:
        member = guild.members.get(uid)
        if member is None:
            raise BadInput(f"{what}: {uid} is not a member of {guild.name}")
        return member
    user = site.emu.world.users.get(uid)
    if user is None:
        raise BadInput(f"{what}: no user {uid}")
    return user


def role(guild: Guild | None, value: Any, what: str) -> Role:
    """Return the server role with this id."""
    rid = parse_id(value, f"{what}: role id")
    if guild is None or rid not in guild.roles:
        raise BadInput(f"{what}: no role {rid} here")
    return guild.roles[rid]


def mentionable(site: Site, guild: Guild | None, value: Any, what: str) -> Member | User | Role:
    """Return the role or person with this id."""
    rid = parse_id(value, f"{what}: id")
    if guild is not None and rid in guild.roles:
        return guild.roles[rid]
    return person(site, guild, value, what)


def channel(site: Site, value: Any, what: str) -> Channel:
    """Return the channel with this id (the emulator checks the server and the allowed types)."""
    ch = site.emu.world.channels.get(parse_id(value, f"{what}: channel id"))
    if ch is None:
        raise BadInput(f"{what}: no channel {value}")
    return ch


def upload(site: Site, value: Any, what: str) -> dict[str, Any]:
    """Return an uploaded file (from POST /api/uploads) as the emulator's attachment reference."""
    fid = parse_id(value.get("id") if isinstance(value, dict) else value, f"{what}: upload id")
    if fid not in site.emu.world.files:
        raise BadInput(f"{what}: no upload {fid}; upload the file first")
    return {"id": str(fid)}


def select_values(site: Site, guild: Guild | None, comp: dict[str, Any], values: Any) -> list[Any]:
    """Return a select's chosen values: strings for a string select, objects by id for the others."""
    if not isinstance(values, list):
        raise BadInput("values must be a list")
    kind, what = comp.get("type"), f"select {comp.get('custom_id')!r}"
    if kind == 5:
        return [person(site, guild, v, what) for v in values]
    if kind == 6:
        return [role(guild, v, what) for v in values]
    if kind == 7:
        return [mentionable(site, guild, v, what) for v in values]
    if kind == 8:
        return [channel(site, v, what) for v in values]
    return [str(v) for v in values]


def modal_values(
    site: Site, guild: Guild | None, modal: dict[str, Any], values: dict[str, Any]
) -> dict[str, Any]:
    """Return a form's values by custom_id, typed by the field they fill."""
    fields = {
        c["custom_id"]: c
        for c in iter_components(modal.get("components", []))
        if c.get("custom_id") and c.get("type") in (3, 4, 5, 6, 7, 8, 19, 21, 22, 23)
    }
    out: dict[str, Any] = {}
    for cid, value in values.items():
        comp = fields.get(cid)
        if comp is None:
            out[cid] = value  # the emulator names the fields the form has
            continue
        kind, what = comp["type"], f"field {cid!r}"
        if kind == 4:
            out[cid] = "" if value is None else str(value)
        elif kind == 21:
            if value not in (None, ""):
                out[cid] = str(value)
        elif kind == 23:
            out[cid] = _boolean(value, what)
        elif kind == 19:
            out[cid] = [upload(site, v, what) for v in _listed(value, what)]
        else:
            out[cid] = select_values(site, guild, comp, _listed(value, what))
    return out


def _listed(value: Any, what: str) -> list[Any]:
    """Return a field's list of values (a single value counts as a list of one)."""
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return value
    if isinstance(value, str | int):
        return [value]
    raise BadInput(f"{what}: expected a list, got {value!r}")
