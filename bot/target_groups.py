"""Who a member is in the community (target groups): the labels shared by every capability."""

from __future__ import annotations

from storage.profiles import TARGET_GROUPS as GROUP_KEYS

TARGET_GROUPS: dict[str, str] = {
    "citizen": "Citizen",
    "policy-maker": "Policy maker",
    "researcher": "Researcher",
    "end-user": "End user",
    "civil-society": "Civil-society organisation",
    "business": "Business",
}
# The labels and the stored keys must never drift apart.
assert tuple(TARGET_GROUPS) == GROUP_KEYS
