"""Who a member is in the community (target groups): the labels shared by every capability.

The keys are stored; the labels are English msgids (marked with N_), shown through `group_label(key, t)`.
"""

from __future__ import annotations

from bot.i18n import N_, Lang
from storage.profiles import TARGET_GROUPS as GROUP_KEYS

TARGET_GROUPS: dict[str, str] = {
    "citizen": N_("Citizen"),
    "policy-maker": N_("Policy maker"),
    "researcher": N_("Researcher"),
    "end-user": N_("End user"),
    "civil-society": N_("Civil-society organisation"),
    "business": N_("Business"),
}
# The labels and the stored keys must never drift apart.
assert tuple(TARGET_GROUPS) == GROUP_KEYS


def group_label(key: str, t: Lang) -> str:
    """A target group's name in language t (an unknown stored key is shown as it is)."""
    label = TARGET_GROUPS.get(key)
    return t._(label) if label is not None else key
