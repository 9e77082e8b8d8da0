"""Whose ballot a row is: the voter key of a member, and the pseudonym of a member who erased their data.

Both the vote path (storage.polls) and erasure (storage.poll_member_data) need these, so they live
here and neither of those modules imports the other for them.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

ERASED_PREFIX = "erased:"


def voter_key(user_id: int, secret: bytes | None) -> str:
    """The key a ballot is stored under: the member id, or its HMAC-SHA256 under the poll's secret."""
    if secret is None:
        return str(user_id)
    return hmac.new(secret, str(user_id).encode("ascii"), hashlib.sha256).hexdigest()


def erased_key() -> str:
    """A fresh pseudonym for the ballots of one erased member in one closed poll."""
    return ERASED_PREFIX + secrets.token_hex(8)


def is_erased_key(key: str) -> bool:
    """Whether a stored voter key is the pseudonym of a member who erased their data."""
    return key.startswith(ERASED_PREFIX)
