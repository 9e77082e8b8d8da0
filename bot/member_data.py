"""A member's data as an interface each capability implements: export it, erase it (Red's model)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Protocol

import discord


@dataclass
class Erasure:
    """What erasing a member's data did: counts by kind and notes for the member."""

    counts: dict[str, int] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)

    def add(self, other: Erasure) -> None:
        """Merge another capability's erasure into this one."""
        for key, value in other.counts.items():
            self.counts[key] = self.counts.get(key, 0) + value
        self.notes.extend(other.notes)


class MemberDataHolder(Protocol):
    """What one capability keeps about a member, and how its database and Discord sides are erased."""

    # Erasures run in this order (lower first): e.g. profiles before cities before polls.
    erase_order: int

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """The capability's JSON-able sections about the member in one server."""
        ...

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Erase (or unlink) the member's data in their server; idempotent, so a rerun finishes it."""
        ...


class MemberDataRegistry:
    """The capabilities that hold member data, as registered by their cogs."""

    def __init__(self) -> None:
        """Start with none."""
        self._holders: dict[str, MemberDataHolder] = {}

    def register(self, name: str, holder: MemberDataHolder) -> None:
        """Add a capability's holder under its name."""
        self._holders[name] = holder

    def unregister(self, name: str) -> None:
        """Remove a capability's holder."""
        self._holders.pop(name, None)

    def names(self) -> list[str]:
        """The registered capabilities' names, in erasure order."""
        return [name for name, _ in self._ordered()]

    def _ordered(self) -> list[tuple[str, MemberDataHolder]]:
        """Holders sorted by erase_order, then name."""
        return sorted(self._holders.items(), key=lambda pair: (pair[1].erase_order, pair[0]))

    async def export(self, guild_id: int, user_id: int) -> list[dict[str, Any]]:
        """Every capability's sections about the member, in order."""
        return [await holder.export_member_data(guild_id, user_id) for _, holder in self._ordered()]

    async def erase(self, member: discord.Member) -> Erasure:
        """Erase the member's data in every capability, in order, merging what each did."""
        total = Erasure()
        for _, holder in self._ordered():
            total.add(await holder.erase_member_data(member))
        return total
