"""The problem list that Discord's limit checks fill in, and JSON-path helpers for its messages."""

from __future__ import annotations

from typing import Any

CUSTOM_ID = 100


def join(base: str, key: str | int) -> str:
    """Extend a JSON path such as ``embeds[0]`` with a key or list index."""
    if isinstance(key, int):
        return f"{base}[{key}]"
    return f"{base}.{key}" if base else key


def dicts(items: Any) -> list[tuple[int, dict[str, Any]]]:
    """Return (index, item) for the dict items of a list; anything else yields nothing."""
    return [(i, x) for i, x in enumerate(items) if isinstance(x, dict)] if isinstance(items, list) else []


class Problems:
    """Collects problems for one request and the custom_ids already seen in its message/modal."""

    def __init__(self) -> None:
        """Start with no problems."""
        self.items: list[str] = []
        self.custom_ids: set[str] = set()

    def add(self, path: str, text: str) -> None:
        """Record one problem at a JSON path."""
        self.items.append(f"{path or '<body>'}: {text}")

    def text(
        self, obj: dict[str, Any], key: str, where: str, high: int, low: int = 0, req: bool = False
    ) -> int:
        """Check an optional string's length is within [low, high]; return its length (0 if absent)."""
        value = obj.get(key)
        path = join(where, key)
        if value is None:
            if req:
                self.add(path, "required")
            return 0
        if not isinstance(value, str):
            return 0
        if len(value) > high:
            self.add(path, f"{len(value)} characters, limit {high}")
        elif len(value) < low:
            self.add(path, f"{len(value)} characters, minimum {low}")
        return len(value)

    def count(self, items: Any, path: str, high: int, noun: str, low: int = 0) -> list[Any]:
        """Check a list's length is within [low, high]; return it (or [] if it is not a list)."""
        if not isinstance(items, list):
            return []
        if len(items) > high:
            self.add(path, f"{len(items)} {noun}, limit {high}")
        elif len(items) < low:
            self.add(path, f"{len(items)} {noun}, minimum {low}")
        return items

    def number(self, obj: dict[str, Any], key: str, where: str, low: int, high: int) -> int | None:
        """Check an optional integer is within [low, high]; return it."""
        value = obj.get(key)
        if isinstance(value, int) and not isinstance(value, bool):
            if not low <= value <= high:
                self.add(join(where, key), f"{value} is outside {low}..{high}")
            return value
        return None

    def bounds(self, obj: dict[str, Any], where: str, unit: str, low_max: int, high_max: int) -> int | None:
        """Check min_<unit> in 0..low_max, max_<unit> in 1..high_max and min <= max; return max_<unit>."""
        low = self.number(obj, f"min_{unit}", where, 0, low_max)
        high = self.number(obj, f"max_{unit}", where, 1, high_max)
        if low is not None and high is not None and low > high:
            self.add(join(where, f"min_{unit}"), f"min_{unit} {low} is greater than max_{unit} {high}")
        return high

    def custom_id(self, obj: dict[str, Any], where: str, req: bool = True) -> None:
        """Check a custom_id's length and that it is unique within the message or modal."""
        self.text(obj, "custom_id", where, CUSTOM_ID, 1, req)
        value = obj.get("custom_id")
        if isinstance(value, str) and value:
            if value in self.custom_ids:
                self.add(join(where, "custom_id"), f"duplicate custom_id {value!r}")
            self.custom_ids.add(value)
