"""The consent a contributor gives in the submission form: wording, versions and licences.

The form shows these exact strings; the stored consent text is rebuilt from the same strings, so what
is kept with an item is what the member saw and agreed to. Any change to the wording needs a new
CONSENT_VERSION; old versions stay here so stored texts can always be checked against them.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Licence:
    """A licence a campaign can ask contributors to grant."""

    id: str  # SPDX identifier, also used in exports
    short: str
    title: str
    url: str


@dataclass(frozen=True)
class Wording:
    """One version of the consent wording shown in the form."""

    usage_label: str  # <= 45 characters (a modal label)
    usage_description: str  # <= 100 characters
    scopes: dict[str, tuple[str, str]]  # scope -> (option label, option description), each <= 100
    licence_label: str  # with {licence}; <= 45 once filled in
    licence_description: str  # with {licence} and {url}; <= 100 once filled in


LICENCES: dict[str, Licence] = {
    "CC-BY-4.0": Licence(
        "CC-BY-4.0", "CC BY 4.0", "Creative Commons Attribution 4.0 International",
        "https://creativecommons.org/licenses/by/4.0/",
    ),
    "CC-BY-SA-4.0": Licence(
        "CC-BY-SA-4.0", "CC BY-SA 4.0", "Creative Commons Attribution-ShareAlike 4.0 International",
        "https://creativecommons.org/licenses/by-sa/4.0/",
    ),
    "CC0-1.0": Licence(
        "CC0-1.0", "CC0 1.0", "Creative Commons Zero v1.0 Universal",
        "https://creativecommons.org/publicdomain/zero/1.0/",
    ),
}  # fmt: skip
DEFAULT_LICENCE = "CC-BY-4.0"

WORDINGS: dict[str, Wording] = {
    "1": Wording(
        usage_label="How may we use your story?",
        usage_description="Moderators read it first. You can withdraw it at any time.",
        scopes={
            "named": ("Publish it with my name", "Shown in the showcase channel with your display name."),
            "anonymous": ("Publish it anonymously", "Shown in the showcase channel without your name."),
            "research": ("Research use only, not published", "Only the project's researchers receive it."),
        },
        licence_label="I grant the {licence} licence",
        licence_description="Share my story and photo as open data: {url}",
    )
}
CONSENT_VERSION = "1"


class ConsentError(ValueError):
    """The form did not carry a complete consent; nothing may be stored."""


def wording(version: str = CONSENT_VERSION) -> Wording:
    """The wording of a consent version."""
    return WORDINGS[version]


def licence_texts(licence_id: str, version: str = CONSENT_VERSION) -> tuple[str, str]:
    """The label and description of the licence checkbox for a campaign's licence."""
    words, licence = wording(version), LICENCES[licence_id]
    return (
        words.licence_label.format(licence=licence.short),
        words.licence_description.format(licence=licence.short, url=licence.url),
    )


def consent_text(scope: str, licence_id: str, version: str = CONSENT_VERSION) -> str:
    """The full statement a contributor agrees to with this scope and licence, as stored with the item."""
    words = wording(version)
    option, detail = words.scopes[scope]
    label, description = licence_texts(licence_id, version)
    return (
        f"Consent version {version}. {words.usage_label} {words.usage_description} "
        f"Chosen: {option}: {detail} Agreed: {label}. {description}"
    )


def check_consent(scope: str | None, licence_agreed: bool) -> str:
    """Return the chosen scope, or raise ConsentError when consent is missing or incomplete."""
    if scope not in wording().scopes:
        raise ConsentError("Nothing was saved: choose how your story may be used.")
    if not licence_agreed:
        raise ConsentError(
            "Nothing was saved: without agreeing to the licence your story cannot be kept. "
            "Run the command again if you change your mind."
        )
    return scope
