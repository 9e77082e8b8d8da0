"""Faults a test can inject into the emulated API: 429s, 5xx, slow responses."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Fault:
    """One armed fault: which requests it hits, how many more times, and what it does."""

    kind: str
    method: str
    regex: re.Pattern[str]
    times: int
    options: dict[str, Any] = field(default_factory=dict)

    def hits(self, method: str, path: str) -> bool:
        """Return whether this fault applies to a request (path is after /api/v10)."""
        if self.times <= 0:
            return False
        return self.method in ("*", method) and self.regex.search(path) is not None


class Faults:
    """Armed faults, consumed in order as matching requests arrive."""

    def __init__(self) -> None:
        """Create an empty fault list."""
        self.armed: list[Fault] = []
        self.fired: list[tuple[str, str, str]] = []  # (kind, method, path)

    def _arm(self, kind: str, method: str, path_regex: str, times: int, **options: Any) -> Fault:
        """Add a fault."""
        fault = Fault(kind, method.upper(), re.compile(path_regex), times, options)
        self.armed.append(fault)
        return fault

    def rate_limit(
        self, method: str, path_regex: str, times: int = 1, retry_after: float = 0.3, global_: bool = False
    ) -> Fault:
        """Answer the next `times` matching requests with 429 and this retry_after."""
        return self._arm("rate_limit", method, path_regex, times, retry_after=retry_after, global_=global_)

    def server_error(self, method: str, path_regex: str, times: int = 1, status: int = 500) -> Fault:
        """Answer the next `times` matching requests with a 5xx status."""
        return self._arm("server_error", method, path_regex, times, status=status)

    def lost_response(self, method: str, path_regex: str, times: int = 1, status: int = 500) -> Fault:
        """Carry out the next `times` matching requests, then answer them with a 5xx anyway.

        This is the case Discord's nonces exist for: the message was stored, the client saw an error
        and sends it again.
        """
        return self._arm("lost_response", method, path_regex, times, status=status)

    def delay(self, method: str, path_regex: str, seconds: float, times: int = 1) -> Fault:
        """Hold the next `times` matching requests for `seconds` before handling them."""
        return self._arm("delay", method, path_regex, times, seconds=seconds)

    def take(self, kind: str, method: str, path: str) -> Fault | None:
        """Return (and use up one shot of) the first armed fault of a kind hitting this request."""
        for fault in self.armed:
            if fault.kind == kind and fault.hits(method, path):
                fault.times -= 1
                self.fired.append((kind, method, path))
                return fault
        return None

    def clear(self) -> None:
        """Disarm every fault."""
        self.armed.clear()
