"""Discord's documented request limits, checked by hand for the emulator.

Independent of the OpenAPI description: these are the numbers from Discord's developer
documentation (messages, embeds, components, modals, autocomplete; application commands are in
``command_limits``), with short messages that name the JSON path of the offending value, e.g.
``embeds[0].title: 300 characters, limit 256``.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from .command_limits import check_choices, check_command, check_commands
from .limit_problems import Problems, dicts, join

# Limits used in more than one place; one-off limits are written where they are checked.
MESSAGE_CONTENT = 2000
EMBED_TOTAL = 6000
V2_TEXT_TOTAL = 4000
IS_COMPONENTS_V2 = 1 << 15
OPTION_TEXT = 100
LABEL_TEXT = 45
TEXT_INPUT_LENGTH = 4000

BUTTON, STRING_SELECT, TEXT_INPUT = 2, 3, 4
SELECT_TYPES = frozenset({3, 5, 6, 7, 8})
LINK_STYLE, PREMIUM_STYLE = 5, 6
V2_TOP_LEVEL = frozenset({1, 9, 10, 12, 13, 14, 17})
LABEL_CHILDREN = frozenset({3, 4, 5, 6, 7, 8, 19, 21, 22, 23})
MENTION_PARSE = frozenset({"users", "roles", "everyone"})

_ROUTES: list[tuple[str, re.Pattern[str], str]] = [
    (m, re.compile(p), kind)
    for m, p, kind in [
        ("POST", r"/channels/[^/]+/messages", "message"),
        ("PATCH", r"/channels/[^/]+/messages/[^/]+", "message"),
        ("POST", r"/interactions/[^/]+/[^/]+/callback", "callback"),
        ("POST", r"/webhooks/[^/]+/[^/]+", "message"),
        ("PATCH", r"/webhooks/[^/]+/[^/]+/messages/[^/]+", "message"),
        ("POST", r"/channels/[^/]+/threads", "thread"),
        ("POST", r"/channels/[^/]+/messages/[^/]+/threads", "thread"),
        ("PUT", r"/applications/[^/]+(?:/guilds/[^/]+)?/commands", "commands"),
        ("POST", r"/applications/[^/]+(?:/guilds/[^/]+)?/commands", "command"),
        ("PATCH", r"/applications/[^/]+(?:/guilds/[^/]+)?/commands/[^/]+", "command"),
    ]
]


def check_request(method: str, path: str, body: Any) -> list[str]:
    """Check a request body against Discord's documented limits; return the problems found."""
    if body is None:
        return []
    path = path.split("?", 1)[0].rstrip("/")
    method = method.upper()
    kind = next((k for m, rx, k in _ROUTES if m == method and rx.fullmatch(path)), None)
    p = Problems()
    if kind == "message" and isinstance(body, dict):
        check_message(p, body, "")
    elif kind == "callback" and isinstance(body, dict) and isinstance(body.get("data"), dict):
        # Types 4-7 carry message data, 9 a modal, 8 autocomplete choices.
        checkers: dict[Any, Callable[[Problems, dict[str, Any], str], None]] = {
            9: check_modal,
            8: check_autocomplete,
        }
        checkers.get(body.get("type"), check_message)(p, body["data"], "data")
    elif kind == "thread" and isinstance(body, dict):
        p.text(body, "name", "", 100, 1)
        if isinstance(body.get("message"), dict):
            check_message(p, body["message"], "message")
    elif kind == "commands" and isinstance(body, list):
        check_commands(p, body)
    elif kind == "command" and isinstance(body, dict):
        check_command(p, body, "")
    return p.items


def check_message(p: Problems, msg: dict[str, Any], where: str) -> None:
    """Check message content, embeds, components and allowed_mentions."""
    p.custom_ids = set()
    p.text(msg, "content", where, MESSAGE_CONTENT)
    embeds = p.count(msg.get("embeds"), join(where, "embeds"), 10, "embeds")
    total = sum(check_embed(p, e, join(where, f"embeds[{i}]")) for i, e in dicts(embeds))
    if total > EMBED_TOTAL:
        p.add(join(where, "embeds"), f"{total} characters of embed text in total, limit {EMBED_TOTAL}")
    flags = msg.get("flags")
    v2 = isinstance(flags, int) and bool(flags & IS_COMPONENTS_V2)
    for key in ("content", "embeds") if v2 else ():
        if msg.get(key):
            p.add(join(where, key), "not allowed with the IS_COMPONENTS_V2 flag")
    if isinstance(msg.get("components"), list):
        check_message_components(p, msg["components"], join(where, "components"), v2)
    mentions = msg.get("allowed_mentions")
    if isinstance(mentions, dict):
        check_allowed_mentions(p, mentions, join(where, "allowed_mentions"))
    p.count(msg.get("attachments"), join(where, "attachments"), 10, "attachments")


def check_embed(p: Problems, embed: dict[str, Any], where: str) -> int:
    """Check one embed's limits; return the characters it counts towards the 6000 total."""
    total = p.text(embed, "title", where, 256)
    total += p.text(embed, "description", where, 4096)
    fields = p.count(embed.get("fields"), join(where, "fields"), 25, "fields")
    for i, field in dicts(fields):
        total += p.text(field, "name", join(where, f"fields[{i}]"), 256, 1, req=True)
        total += p.text(field, "value", join(where, f"fields[{i}]"), 1024, 1, req=True)
    if isinstance(embed.get("footer"), dict):
        total += p.text(embed["footer"], "text", join(where, "footer"), 2048)
    if isinstance(embed.get("author"), dict):
        total += p.text(embed["author"], "name", join(where, "author"), 256)
    return total


def check_allowed_mentions(p: Problems, mentions: dict[str, Any], where: str) -> None:
    """Check parse entries and that parse and explicit id lists are not combined."""
    parse = mentions.get("parse")
    parse = parse if isinstance(parse, list) else []
    for i, entry in enumerate(parse):
        if entry not in MENTION_PARSE:
            p.add(join(where, f"parse[{i}]"), f"{entry!r} is not one of users, roles, everyone")
    for kind in ("users", "roles"):
        ids = p.count(mentions.get(kind), join(where, kind), 100, "ids")
        if ids and kind in parse:
            p.add(join(where, kind), f'parse contains "{kind}" and {kind} is also given (mutually exclusive)')


def _walk(components: list[Any]) -> int:
    """Count components recursively (children, label components and section accessories)."""
    n = 0
    for _, c in dicts(components):
        n += 1
        if isinstance(c.get("components"), list):
            n += _walk(c["components"])
        for key in ("accessory", "component"):
            if isinstance(c.get(key), dict):
                n += _walk([c[key]])
    return n


def check_message_components(p: Problems, components: list[Any], where: str, v2: bool) -> None:
    """Check a message's components, legacy (action rows only) or Components V2."""
    if v2:
        total = _walk(components)
        if total > 40:
            p.add(where, f"{total} components in total, limit 40")
    else:
        p.count(components, where, 5, "action rows")
    text_total = 0
    for i, c in dicts(components):
        cpath = join(where, i)
        allowed = V2_TOP_LEVEL if v2 else {1}
        if c.get("type") not in allowed:
            flag = "with" if v2 else "without"
            p.add(
                join(cpath, "type"),
                f"component type {c.get('type')!r} not allowed at the top level {flag} IS_COMPONENTS_V2",
            )
            continue
        text_total += check_component(p, c, cpath)
    if text_total > V2_TEXT_TOTAL:
        p.add(where, f"{text_total} characters of text display in total, limit {V2_TEXT_TOTAL}")


def check_component(p: Problems, c: dict[str, Any], where: str) -> int:
    """Check one message component and its children; return text display characters in it."""
    kind = c.get("type")
    children = [*c["components"]] if isinstance(c.get("components"), list) else []
    text = 0
    if kind == 1:
        check_action_row(p, children, join(where, "components"))
    elif kind == BUTTON:
        check_button(p, c, where)
    elif kind in SELECT_TYPES:
        check_select(p, c, where)
    elif kind == 10:
        text += p.text(c, "content", where, V2_TEXT_TOTAL, 1, req=True)
    elif kind in (9, 17):
        for i, child in dicts(children):
            text += check_component(p, child, join(join(where, "components"), i))
        if kind == 9:
            p.count(children, join(where, "components"), 3, "text displays", 1)
            if isinstance(c.get("accessory"), dict):
                text += check_component(p, c["accessory"], join(where, "accessory"))
    elif kind == 12:
        p.count(c.get("items"), join(where, "items"), 10, "items", 1)
    return text


def check_action_row(p: Problems, children: list[Any], where: str) -> None:
    """Check a message action row: 1-5 buttons, or exactly one select."""
    selects = [c for c in children if isinstance(c, dict) and c.get("type") in SELECT_TYPES]
    if not children:
        p.add(where, "empty action row")
    elif selects and len(children) > 1:
        p.add(where, f"{len(children)} components in a row with a select, a select must be alone")
    elif len(children) > 5:
        p.add(where, f"{len(children)} buttons, limit 5")
    for i, child in dicts(children):
        cpath = join(where, i)
        if child.get("type") == BUTTON:
            check_button(p, child, cpath)
        elif child.get("type") in SELECT_TYPES:
            check_select(p, child, cpath)
        else:
            p.add(
                join(cpath, "type"),
                f"component type {child.get('type')!r} not allowed in a message action row",
            )


def check_button(p: Problems, b: dict[str, Any], where: str) -> None:
    """Check a button: label, custom_id rules per style, link url."""
    p.text(b, "label", where, 80)
    style = b.get("style")
    if style == LINK_STYLE:
        if not b.get("url"):
            p.add(join(where, "url"), "a link button needs a url")
        if b.get("custom_id") is not None:
            p.add(join(where, "custom_id"), "a link button cannot have a custom_id")
    elif style == PREMIUM_STYLE:
        if b.get("custom_id") is not None or b.get("url") is not None:
            p.add(where, "a premium button takes sku_id only, no custom_id or url")
    else:
        p.custom_id(b, where)
        if b.get("url") is not None:
            p.add(join(where, "url"), "only link buttons can have a url")
    if style != PREMIUM_STYLE and not b.get("label") and not b.get("emoji"):
        p.add(where, "a button needs a label or an emoji")


def check_select(p: Problems, s: dict[str, Any], where: str) -> None:
    """Check a select menu: custom_id, placeholder, value bounds and string-select options."""
    p.custom_id(s, where)
    p.text(s, "placeholder", where, 150)
    high = p.bounds(s, where, "values", 25, 25)
    if s.get("type") != STRING_SELECT:
        return
    options = s.get("options")
    opath = join(where, "options")
    if not isinstance(options, list):
        p.add(opath, "required for a string select")
        return
    p.count(options, opath, 25, "options", 1)
    if high is not None and options and high > len(options):
        p.add(join(where, "max_values"), f"max_values {high} exceeds the {len(options)} options")
    check_options(p, options, opath)


def check_options(p: Problems, options: list[Any], where: str) -> None:
    """Check select/radio/checkbox options: label and value 1-100, description <= 100, unique values."""
    seen: set[Any] = set()
    for i, o in dicts(options):
        opath = join(where, i)
        p.text(o, "label", opath, OPTION_TEXT, 1, req=True)
        p.text(o, "value", opath, OPTION_TEXT, 1, req=True)
        p.text(o, "description", opath, OPTION_TEXT)
        if o.get("value") in seen:
            p.add(join(opath, "value"), f"duplicate option value {o.get('value')!r}")
        seen.add(o.get("value"))


def check_modal(p: Problems, data: dict[str, Any], where: str) -> None:
    """Check a modal: title, custom_id, 1-5 top-level rows/labels and what they hold."""
    p.custom_ids = set()
    p.text(data, "title", where, 45, 1, req=True)
    p.custom_id(data, where)
    cpath = join(where, "components")
    rows = data.get("components")
    if not isinstance(rows, list):
        p.add(cpath, "required")
        return
    p.count(rows, cpath, 5, "components", 1)
    for i, row in dicts(rows):
        rpath = join(cpath, i)
        kind = row.get("type")
        if kind == 1:
            children = row.get("components")
            children = children if isinstance(children, list) else []
            inputs = [c for c in children if isinstance(c, dict) and c.get("type") == TEXT_INPUT]
            if len(children) != 1 or len(inputs) != 1:
                p.add(join(rpath, "components"), "a modal action row holds exactly one text input")
            for j, child in enumerate(inputs):
                check_text_input(p, child, join(join(rpath, "components"), j), legacy=True)
        elif kind == 18:
            check_label(p, row, rpath)
        elif kind == 10:
            p.text(row, "content", rpath, V2_TEXT_TOTAL, 1, req=True)
        else:
            p.add(join(rpath, "type"), f"component type {kind!r} not allowed at the top level of a modal")


def check_label(p: Problems, label: dict[str, Any], where: str) -> None:
    """Check a Label and the single interactive component it wraps."""
    p.text(label, "label", where, LABEL_TEXT, 1, req=True)
    p.text(label, "description", where, 100)
    child = label.get("component")
    cpath = join(where, "component")
    if not isinstance(child, dict) or child.get("type") not in LABEL_CHILDREN:
        kind = child.get("type") if isinstance(child, dict) else None
        p.add(cpath, f"a label must wrap one input component, got {kind!r}")
        return
    kind = child["type"]
    if kind == TEXT_INPUT:
        check_text_input(p, child, cpath, legacy=False)
    elif kind in SELECT_TYPES:
        check_select(p, child, cpath)
    else:
        p.custom_id(child, cpath)
        if kind in (19, 22):  # file upload, checkbox group
            p.bounds(child, cpath, "values", 10, 10)
        if kind in (21, 22):  # radio group needs two options, checkbox group one
            options = p.count(
                child.get("options"), join(cpath, "options"), 10, "options", 2 if kind == 21 else 1
            )
            check_options(p, options, join(cpath, "options"))


def check_text_input(p: Problems, t: dict[str, Any], where: str, legacy: bool) -> None:
    """Check a text input; a legacy one (in an action row) needs its own label."""
    p.custom_id(t, where)
    p.text(t, "label", where, LABEL_TEXT, 1, req=legacy)
    p.text(t, "placeholder", where, 100)
    p.text(t, "value", where, TEXT_INPUT_LENGTH)
    if t.get("style") not in (1, 2):
        p.add(join(where, "style"), f"{t.get('style')!r} is not a text input style (1 or 2)")
    p.bounds(t, where, "length", TEXT_INPUT_LENGTH, TEXT_INPUT_LENGTH)


def check_autocomplete(p: Problems, data: dict[str, Any], where: str) -> None:
    """Check an autocomplete result: at most 25 choices, name 1-100, string value <= 100."""
    choices = p.count(data.get("choices"), join(where, "choices"), 25, "choices")
    check_choices(p, choices, join(where, "choices"))
