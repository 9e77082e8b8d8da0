"""Discord's documented limits for application commands: names, descriptions, options, choices."""

from __future__ import annotations

import re
from typing import Any

from .limit_problems import Problems, dicts, join

COMMAND_DESCRIPTION = 100
# Discord raised the user/message context-menu limit from 5 to 15 per scope in 2024.
CONTEXT_MENU_COMMANDS = 15
# Discord's documented regex is ^[-_'\p{L}\p{N}\p{sc=Deva}\p{sc=Thai}]{1,32}$; \w covers letters and digits.
COMMAND_NAME = re.compile(r"^[-_'\w]{1,32}$")


def check_choices(p: Problems, choices: list[Any], where: str) -> int:
    """Check choice names and string values; return their characters for the command total."""
    total = 0
    for i, ch in dicts(choices):
        total += p.text(ch, "name", join(where, i), 100, 1, req=True)
        total += p.text(ch, "value", join(where, i), 100, 0, req=ch.get("value") is None)
        if isinstance(ch.get("value"), int | float):
            total += len(str(ch["value"]))
    return total


def check_commands(p: Problems, commands: list[Any]) -> None:
    """Check a bulk overwrite: per-type counts, unique names and each command."""
    counts = {1: 0, 2: 0, 3: 0}
    names: set[tuple[Any, Any]] = set()
    for i, cmd in dicts(commands):
        kind = cmd.get("type") or 1
        counts[kind] = counts.get(kind, 0) + 1
        if (kind, cmd.get("name")) in names:
            p.add(join(f"[{i}]", "name"), f"duplicate command name {cmd.get('name')!r}")
        names.add((kind, cmd.get("name")))
        check_command(p, cmd, f"[{i}]")
    if counts[1] > 100:
        p.add("<body>", f"{counts[1]} chat input commands, limit 100")
    for kind, noun in ((2, "user"), (3, "message")):
        if counts[kind] > CONTEXT_MENU_COMMANDS:
            p.add("<body>", f"{counts[kind]} {noun} commands, limit {CONTEXT_MENU_COMMANDS}")


def check_name(p: Problems, obj: dict[str, Any], where: str) -> int:
    """Check a chat-input command or option name: 1-32 of [-_'\\w], lowercase."""
    name = obj.get("name")
    path = join(where, "name")
    if not isinstance(name, str):
        p.add(path, "required")
        return 0
    if not COMMAND_NAME.match(name):
        p.add(path, f"{name!r} does not match ^[-_'\\w]{{1,32}}$")
    elif name != name.lower():
        p.add(path, f"{name!r} must be lowercase")
    return len(name)


def check_command(p: Problems, cmd: dict[str, Any], where: str) -> None:
    """Check one application command: name, description, options and its 4000-character total."""
    kind = cmd.get("type") or 1
    if kind != 1:
        p.text(cmd, "name", where, 32, 1, req=True)
        if cmd.get("description"):
            p.add(join(where, "description"), "only chat input commands have a description")
        return
    total = check_name(p, cmd, where)
    total += p.text(cmd, "description", where, COMMAND_DESCRIPTION, 1, req=True)
    options = cmd.get("options")
    if isinstance(options, list):
        total += check_options_level(p, options, join(where, "options"), depth=0)
    if total > 4000:
        p.add(where or "<body>", f"{total} characters of names, descriptions and choices, limit 4000")


def check_options_level(p: Problems, options: list[Any], where: str, depth: int) -> int:
    """Check one level of command options and nesting rules; return their characters."""
    p.count(options, where, 25, "options")
    total = 0
    nested = [o for o in options if isinstance(o, dict) and o.get("type") in (1, 2)]
    if nested and len(nested) != len(options):
        p.add(where, "subcommands and groups cannot be mixed with other options")
    seen_optional = False
    names: set[Any] = set()
    for i, o in dicts(options):
        opath = join(where, i)
        kind = o.get("type")
        total += check_name(p, o, opath)
        total += p.text(o, "description", opath, COMMAND_DESCRIPTION, 1, req=True)
        if o.get("name") in names:
            p.add(join(opath, "name"), f"duplicate option name {o.get('name')!r}")
        names.add(o.get("name"))
        children = [*o["options"]] if isinstance(o.get("options"), list) else []
        if kind == 2:
            if depth != 0:
                p.add(join(opath, "type"), "a subcommand group can only be at the top level")
            if any(isinstance(c, dict) and c.get("type") != 1 for c in children):
                p.add(join(opath, "options"), "a subcommand group holds only subcommands")
            total += check_options_level(p, children, join(opath, "options"), depth + 1)
        elif kind == 1:
            if depth > 1:
                p.add(join(opath, "type"), "subcommands nest at most inside one group")
            if any(isinstance(c, dict) and c.get("type") in (1, 2) for c in children):
                p.add(join(opath, "options"), "a subcommand cannot contain subcommands or groups")
            total += check_options_level(p, children, join(opath, "options"), depth + 1)
        else:
            if o.get("required"):
                if seen_optional:
                    p.add(join(opath, "required"), "required options must come before optional ones")
            else:
                seen_optional = True
            total += check_value_option(p, o, opath)
    return total


def check_value_option(p: Problems, o: dict[str, Any], where: str) -> int:
    """Check a value option's choices, autocomplete and length bounds; return its choice characters."""
    choices = o.get("choices")
    total = 0
    if isinstance(choices, list):
        p.count(choices, join(where, "choices"), 25, "choices")
        total += check_choices(p, choices, join(where, "choices"))
        if choices and o.get("autocomplete"):
            p.add(join(where, "autocomplete"), "autocomplete cannot be combined with choices")
    p.bounds(o, where, "length", 6000, 6000)
    return total
