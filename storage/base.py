"""What every repository shares: the one open, migrated database it works on."""

from __future__ import annotations

from storage.database import Database


class Repository:
    """A capability's repository: typed records in, typed records out, one transaction per write."""

    def __init__(self, db: Database) -> None:
        """Use an open, migrated database."""
        self._db = db
