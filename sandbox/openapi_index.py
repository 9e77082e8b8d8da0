"""Discord's OpenAPI description as an index of request schemas, checked with jsonschema.

Imported only when the spec file is present, so the sandbox runs without jsonschema installed.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import quote

from jsonschema import Draft202012Validator
from jsonschema.exceptions import ValidationError, best_match, relevance
from referencing import Registry
from referencing.jsonschema import DRAFT202012

import sandbox.limits as limits

SPEC_URI = "urn:discord-spec"
MAX_ERRORS = 10
MAX_MESSAGE = 300
_METHODS = ("get", "put", "post", "patch", "delete")
_SCHEMAS = "#/components/schemas/"
PERMISSION_FIELDS = frozenset({"permissions", "allow", "deny", "default_member_permissions"})

# --- spec allowances and rewrites -------------------------------------------------------------


def apply_allowances(spec: dict[str, Any]) -> None:
    """Widen the spec where it rejects what discord.py and Discord really exchange (README gaps).

    Every false alarm of the preview spec is allowed here and nowhere else, each with the
    documented behaviour it follows.
    """
    schemas = spec.get("components", {}).get("schemas", {})
    snowflake = schemas.get("SnowflakeType")
    if isinstance(snowflake, dict):
        # Discord accepts snowflakes as JSON integers too, and discord.py sends ids as ints
        # (allowed_mentions.users/roles, message_reference, attachments[].id = file index).
        snowflake["type"] = ["string", "integer"]
        snowflake["minimum"] = 0
    channel_types = schemas.get("ChannelTypes", {}).get("oneOf")
    # Channel type 16 is GUILD_MEDIA (documented); discord.py adds it to forum-channel command
    # options, and the preview spec's enum lacks it.
    if isinstance(channel_types, list) and not any(b.get("const") == 16 for b in channel_types):
        channel_types.append({"title": "GUILD_MEDIA", "const": 16})
    form = schemas.get("ApplicationFormPartial", {}).get("properties", {})
    if isinstance(form.get("description"), dict) and "object" in form["description"].get("type", []):
        # Edit Current Application documents description as a string, and discord.py's AppInfo.edit
        # sends one; the spec only has the localized {"default": ...} object form.
        form["description"] = {"anyOf": [{"type": "string", "maxLength": 400}, form["description"]]}
    _allow_permission_strings([schemas, spec.get("paths", {})])


def _allow_permission_strings(stack: list[Any]) -> None:
    """Let integer-typed permission fields also take strings of digits.

    Permission bit sets are documented as integers serialized into strings; the spec types the
    request fields (roles' permissions, overwrites' allow/deny) as integers only, while discord.py
    sends str(value) (Guild.create_role, abc.GuildChannel.set_permissions).
    """
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            props = node.get("properties")
            props = props if isinstance(props, dict) else {}
            for name in PERMISSION_FIELDS & set(props):
                field = props[name]
                kinds = field.get("type") if isinstance(field, dict) else None
                if isinstance(kinds, list) and "integer" in kinds and "string" not in kinds:
                    field["type"] = [*kinds, "string"]
                    field["pattern"] = "^[0-9]+$"
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


def _is_const_branch(branch: Any) -> bool:
    """Tell whether a oneOf branch is a bare titled constant (an enum member)."""
    return isinstance(branch, dict) and "const" in branch and set(branch) <= {"const", "title", "description"}


def _discriminator(branch: Any, schemas: dict[str, Any]) -> list[Any] | None:
    """Return the values of a union branch's required ``type`` property, if it has one."""
    ref = branch.get("$ref") if isinstance(branch, dict) else None
    if not isinstance(ref, str) or not ref.startswith(_SCHEMAS) or len(branch) != 1:
        return None
    target = schemas.get(ref[len(_SCHEMAS) :], {})
    prop = target.get("properties", {}).get("type", {})
    values = prop.get("enum", [prop["const"]] if "const" in prop else None)
    if target.get("type") != "object" or "type" not in target.get("required", []) or not values:
        return None
    return list(values)


def _rewrite(node: dict[str, Any], schemas: dict[str, Any]) -> None:
    """Rewrite one schema's unions into equivalent forms that validate faster and explain better."""
    for key in ("oneOf", "anyOf"):
        branches = node.get(key)
        if not isinstance(branches, list) or not branches:
            continue
        if key == "oneOf" and all(_is_const_branch(b) for b in branches) and "enum" not in node:
            # Titled constants: oneOf says "9 is not valid under any of the given schemas", enum names them.
            node["enum"] = [b["const"] for b in branches]
            del node[key]
            continue
        nulls = [b for b in branches if b == {"type": "null"}]
        if len(branches) == 2 and len(nulls) == 1 and "if" not in node:
            # Nullable: null or X. Same meaning; errors come from X alone instead of a two-way oneOf.
            node["if"] = {"type": "null"}
            node["else"] = next(b for b in branches if b is not nulls[0])
            del node[key]
            continue
        values = [_discriminator(b, schemas) for b in branches]
        flat = [v for vs in values if vs for v in vs]
        if all(values) and len(flat) == len(set(flat)) and len(branches) > 1:
            # Unions of object schemas told apart by a required `type` value (components, command
            # options, callback types): evaluate only the branch the instance names.
            union = {
                "type": "object",
                "required": ["type"],
                "properties": {"type": {"enum": flat}},
                "allOf": [
                    {"if": {"properties": {"type": {"enum": vs}}}, "then": b}
                    for vs, b in zip(values, branches, strict=True)
                ],
            }
            node.setdefault("allOf", []).append(union)
            del node[key]


def rewrite_unions(spec: dict[str, Any]) -> None:
    """Apply :func:`_rewrite` to every schema object in the spec."""
    schemas = spec.get("components", {}).get("schemas", {})
    stack: list[Any] = [spec]
    while stack:
        node = stack.pop()
        if isinstance(node, dict):
            _rewrite(node, schemas)
            stack.extend(node.values())
        elif isinstance(node, list):
            stack.extend(node)


# --- spec index -------------------------------------------------------------------------------


class SpecIndex:
    """A loaded spec: its routes, a registry for $ref resolution and compiled validators."""

    def __init__(self, spec: dict[str, Any], allowances: bool = True, rewrite: bool = True) -> None:
        """Prepare the spec (allowances, rewrites) and index its routes; tests may switch either off."""
        if allowances:
            apply_allowances(spec)
        if rewrite:
            rewrite_unions(spec)
        self.spec = spec
        resource = DRAFT202012.create_resource(spec)
        self.registry: Registry[Any] = Registry().with_resource(SPEC_URI, resource)
        self.routes: dict[int, list[tuple[list[str | None], str]]] = {}
        for template in spec.get("paths", {}):
            segments = [None if s.startswith("{") else s for s in template.strip("/").split("/")]
            self.routes.setdefault(len(segments), []).append((segments, template))
        self.validators: dict[tuple[str, str], Draft202012Validator | None] = {}
        self.lock = threading.Lock()

    def match(self, method: str, path: str) -> str | None:
        """Return the path template for a request; literal segments (``@original``) beat parameters."""
        parts = path.split("?", 1)[0].strip("/").split("/")
        best: tuple[tuple[bool, ...], str] | None = None
        for segments, template in self.routes.get(len(parts), []):
            if method not in self.spec["paths"][template]:
                continue
            if all(s is None or s == p for s, p in zip(segments, parts, strict=True)):
                score = tuple(s is not None for s in segments)
                if best is None or score > best[0]:
                    best = (score, template)
        return best[1] if best else None

    def validator(self, template: str, method: str) -> Draft202012Validator | None:
        """Return the (cached) validator for a route's JSON request body, or None if it has none."""
        key = (template, method)
        with self.lock:
            if key not in self.validators:
                self.validators[key] = self._compile(template, method)
            return self.validators[key]

    def _compile(self, template: str, method: str) -> Draft202012Validator | None:
        """Build a validator referring into the spec document at the operation's body schema."""
        body = self.spec["paths"][template][method].get("requestBody")
        if not isinstance(body, dict):
            return None
        content = body.get("content", {})
        base = ["paths", template, method, "requestBody", "content"]
        if "application/json" in content:
            pointer = [*base, "application/json", "schema"]
        elif "payload_json" in content.get("multipart/form-data", {}).get("schema", {}).get("properties", {}):
            pointer = [*base, "multipart/form-data", "schema", "properties", "payload_json"]
        else:
            return None
        escaped = "/".join(quote(p.replace("~", "~0").replace("/", "~1"), safe="~@") for p in pointer)
        return Draft202012Validator({"$ref": f"{SPEC_URI}#/{escaped}"}, registry=self.registry)

    def problems(self, method: str, path: str, body: Any) -> list[str]:
        """Validate a body against its route's schema; best match first, at most MAX_ERRORS lines."""
        method = method.lower()
        template = self.match(method, path)
        validator = self.validator(template, method) if template and body is not None else None
        if validator is None:
            return []
        errors = list(validator.iter_errors(body))
        if not errors:
            return []
        first = best_match(errors)
        ordered = [first, *sorted((e for e in errors if e is not first), key=relevance, reverse=True)]
        lines: list[str] = []
        for error in ordered:
            line = describe(error)
            if line not in lines:
                lines.append(line)
            if len(lines) >= MAX_ERRORS:
                break
        return lines


_INDEXES: dict[Path, SpecIndex] = {}
_INDEX_LOCK = threading.Lock()


def load_index(path: Path) -> SpecIndex:
    """Load and prepare the spec at ``path`` once per process; later calls share it."""
    key = path.resolve()
    with _INDEX_LOCK:
        if key not in _INDEXES:
            _INDEXES[key] = SpecIndex(json.loads(key.read_text(encoding="utf-8")))
        return _INDEXES[key]


# --- error formatting -------------------------------------------------------------------------


def json_path(parts: Iterable[str | int]) -> str:
    """Format an error's absolute path as ``data.embeds[0].title`` (``<body>`` for the root)."""
    out = ""
    for part in parts:
        out = limits.join(out, part)
    return out or "<body>"


def _short(value: Any) -> str:
    """Return a short repr of an instance for messages."""
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 60 else text[:57] + "..."


def closest_branch(error: ValidationError) -> ValidationError:
    """Descend through failed unions to one concrete error in the branch that came closest."""
    while error.validator in ("oneOf", "anyOf") and error.context:
        branches: dict[Any, list[ValidationError]] = {}
        for sub in error.context:
            branches.setdefault(sub.relative_schema_path[0], []).append(sub)
        # Fewest errors wins; on a tie, the branch whose errors reach deepest into the instance.
        chosen = min(
            branches.values(), key=lambda errs: (len(errs), -max(len(e.absolute_path) for e in errs))
        )
        error = best_match(chosen) or chosen[0]
    return error


def describe(error: ValidationError) -> str:
    """Turn one jsonschema error into ``<path>: <message>``, descending into unions."""
    leaf = closest_branch(best_match([error]) or error)
    v, inst, expected = leaf.validator, leaf.instance, leaf.validator_value
    if v == "maxLength":
        text = f"{len(inst)} characters, limit {expected}"
    elif v == "minLength":
        text = f"{len(inst)} characters, minimum {expected}"
    elif v == "maxItems":
        text = f"{len(inst)} items, limit {expected}"
    elif v == "minItems":
        text = f"{len(inst)} items, minimum {expected}"
    elif v == "enum":
        text = f"{_short(inst)} is not one of {_short(expected)}"
    elif v == "type":
        text = f"{_short(inst)} is not of type {_short(expected)}"
    elif v in ("oneOf", "anyOf"):
        text = f"{_short(inst)} matches none of the allowed shapes"
    else:
        text = leaf.message
    line = f"{json_path(leaf.absolute_path)}: {text} (spec)"
    return line if len(line) <= MAX_MESSAGE else line[: MAX_MESSAGE - 3] + "..."
