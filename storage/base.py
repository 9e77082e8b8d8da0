"""What every repository shares: the one open, migrated database it works on."""

from __future__ import annotations

from collections.abc import Mapping

from storage.database import Database, Params


class Repository:
    """A capability's repository: typed records in, typed records out, one transaction per write."""

    def __init__(self, db: Database) -> None:
        """Use an open, migrated database."""
        self._db = db

    async def _count_each(self, statements: Mapping[str, tuple[str, Params]]) -> dict[str, int]:
        """Run the named statements in one transaction; return how many rows each changed, by name."""
        counts: dict[str, int] = {}
        async with self._db.transaction() as conn:
            for name, (sql, params) in statements.items():
                counts[name] = (await conn.execute(sql, params)).rowcount
        return counts
