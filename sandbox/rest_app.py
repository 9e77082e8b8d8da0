"""API routes for the gateway URL, the bot user, the application and its commands."""

from __future__ import annotations

import copy
from typing import Any

import sandbox.lookups as lookups

from .http_base import ApiError, invalid_form, unknown
from .routing import Call, Router


def register(router: Router) -> None:
    """Add the application routes to the table."""

    @router.add("GET", "/gateway", bot_auth=False)
    async def get_gateway(call: Call) -> Any:
        """Return the gateway URL."""
        return {"url": call.emu.gateway_url}

    @router.add("GET", "/gateway/bot")
    async def get_gateway_bot(call: Call) -> Any:
        """Return the gateway URL with shard advice and session start limits."""
        limit = {"total": 1000, "remaining": 999, "reset_after": 14400000, "max_concurrency": 1}
        return {"url": call.emu.gateway_url, "shards": 1, "session_start_limit": limit}

    @router.add("GET", "/users/@me")
    async def get_me(call: Call) -> Any:
        """Return the bot user."""
        return call.emu.payloads.me()

    @router.add("GET", "/users/{user_id}")
    async def get_user(call: Call) -> Any:
        """Return any user."""
        user = call.emu.world.users.get(call.int_param("user_id"))
        if user is None:
            raise unknown("user")
        return call.emu.payloads.user(user)

    @router.add("GET", "/oauth2/applications/@me")
    async def get_oauth_app(call: Call) -> Any:
        """Return the application."""
        return application(call)

    @router.add("GET", "/applications/@me")
    async def get_app(call: Call) -> Any:
        """Return the application."""
        return application(call)

    for scope in ("/applications/{app_id}/commands", "/applications/{app_id}/guilds/{guild_id}/commands"):
        _register_commands(router, scope)

    @router.add("GET", "/applications/{app_id}/guilds/{guild_id}/commands/permissions")
    async def get_command_permissions(call: Call) -> Any:
        """Return no per-command permission overrides."""
        return []

    @router.add("GET", "/applications/{app_id}/emojis")
    async def get_app_emojis(call: Call) -> Any:
        """Return no application emojis."""
        return {"items": []}


def application(call: Call) -> dict[str, Any]:
    """Return the application object."""
    emu = call.emu
    return {
        "id": str(emu.world.application_id),
        "name": emu.world.bot_user.username,
        "icon": None,
        "description": "",
        "summary": "",
        "type": None,
        "hook": True,
        "bot_public": True,
        "bot_require_code_grant": False,
        "verify_key": "0" * 64,
        "flags": emu.world.application_flags,
        "owner": emu.payloads.user(emu.app_owner),
        "team": None,
        "bot": emu.payloads.user(emu.world.bot_user),
        "redirect_uris": [],
        "interactions_endpoint_url": None,
        "approximate_guild_count": len(emu.world.guilds),
        "integration_types_config": {"0": {}},
        "install_params": {"scopes": ["bot", "applications.commands"], "permissions": "0"},
    }


def _scope(call: Call) -> int | None:
    """Return the guild id of a command route (None for global), checking the application id."""
    if call.int_param("app_id") != call.emu.world.application_id:
        raise ApiError(403, 50001, "Missing Access")
    if "guild_id" in call.params:
        return lookups.guild(call).id
    return None


def _register_commands(router: Router, base: str) -> None:
    """Add the command routes under one scope (global or guild)."""

    @router.add("GET", base)
    async def list_commands(call: Call) -> Any:
        """Return the synced commands."""
        return call.emu.world.commands.get(_scope(call), [])

    @router.add("PUT", base)
    async def bulk_overwrite(call: Call) -> Any:
        """Replace every command of the scope, as tree.sync() does."""
        scope = _scope(call)
        body = call.body if call.body is not None else []
        if not isinstance(body, list):
            raise invalid_form(["_errors: expected a list of commands"])
        seen: set[tuple[str, int]] = set()
        for i, cmd in enumerate(body):
            key = (cmd.get("name", ""), int(cmd.get("type", 1)))
            if key in seen:
                raise invalid_form([f"{i}.name: APPLICATION_COMMANDS_DUPLICATE_NAME: {key[0]}"])
            seen.add(key)
        old = {(c["name"], c["type"]): c for c in call.emu.world.commands.get(scope, [])}
        stored = [_stored_command(call, scope, cmd, old) for cmd in body]
        call.emu.world.commands[scope] = stored
        call.emu.world.notify()
        return stored

    @router.add("POST", base)
    async def upsert(call: Call) -> Any:
        """Create or replace one command."""
        scope = _scope(call)
        cmd = call.json_body()
        commands = call.emu.world.commands.setdefault(scope, [])
        old = {(c["name"], c["type"]): c for c in commands}
        stored = _stored_command(call, scope, cmd, old)
        key = (stored["name"], stored["type"])
        existed = key in old
        commands[:] = [c for c in commands if (c["name"], c["type"]) != key] + [stored]
        call.emu.world.notify()
        return (200 if existed else 201), stored

    @router.add("GET", base + "/{command_id}")
    async def get_command(call: Call) -> Any:
        """Return one command."""
        return _find(call, _scope(call))

    @router.add("PATCH", base + "/{command_id}")
    async def edit_command(call: Call) -> Any:
        """Edit one command."""
        scope = _scope(call)
        found = _find(call, scope)
        merged = {**found, **call.json_body()}
        stored = _stored_command(call, scope, merged, {(found["name"], found["type"]): found})
        commands = call.emu.world.commands[scope]
        commands[commands.index(found)] = stored
        call.emu.world.notify()
        return stored

    @router.add("DELETE", base + "/{command_id}")
    async def delete_command(call: Call) -> Any:
        """Delete one command."""
        scope = _scope(call)
        call.emu.world.commands[scope].remove(_find(call, scope))
        call.emu.world.notify()
        return None


def _find(call: Call, scope: int | None) -> dict[str, Any]:
    """Return a synced command by id, or 404 Unknown application command."""
    for cmd in call.emu.world.commands.get(scope, []):
        if cmd["id"] == call.params["command_id"]:
            return cmd
    raise unknown("command")


def _stored_command(
    call: Call, scope: int | None, cmd: dict[str, Any], old: dict[tuple[str, int], dict[str, Any]]
) -> dict[str, Any]:
    """Return a command as Discord stores it: stable id per name, new version when it changed."""
    world = call.emu.world
    ctype = int(cmd.get("type", 1))
    name = cmd.get("name", "")
    key = (scope, name, ctype)
    cid = world.command_ids.setdefault(key, world.ids.next())
    perms = cmd.get("default_member_permissions")
    stored: dict[str, Any] = {
        "id": str(cid),
        "application_id": str(world.application_id),
        "type": ctype,
        "name": name,
        "name_localizations": cmd.get("name_localizations"),
        "description": cmd.get("description", ""),
        "description_localizations": cmd.get("description_localizations"),
        "default_member_permissions": None if perms is None else str(perms),
        "dm_permission": cmd.get("dm_permission", True),
        "contexts": cmd.get("contexts"),
        "integration_types": cmd.get("integration_types") or [0],
        "nsfw": bool(cmd.get("nsfw", False)),
    }
    if cmd.get("options"):
        stored["options"] = copy.deepcopy(cmd["options"])
    if scope is not None:
        stored["guild_id"] = str(scope)
    previous = old.get((name, ctype))
    same = previous is not None and {k: v for k, v in previous.items() if k != "version"} == stored
    stored["version"] = previous["version"] if same and previous else str(world.ids.next())
    return stored
