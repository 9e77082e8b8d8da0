"""The consent a proposal's author gives: publishing the proposal as open data under CC BY 4.0.

Built on bot.consent's licences and its licence checkbox label, with the rules of bot.consent: the
consent shows in the member's language only when that catalog translates all of it (else English),
and its version is the first 12 hex digits of the SHA-256 of the exact wording in that language.
Proposals stored before consent was asked carry version "0" and language "en".
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from bot.consent import DESCRIPTION_MAX, LABEL_MAX, LICENCE_LABEL, LICENCES, VERSION_DIGITS, ConsentError
from bot.i18n import ENGLISH, N_, Lang

LICENCE = LICENCES["CC-BY-4.0"]
# The version of proposals stored before the form asked for consent.
LEGACY_VERSION = "0"
# Translators: under the licence checkbox of the proposal form; {url} is the licence's web page (at
# most 100 characters once filled in).
DESCRIPTION = N_("Publish my proposal as open data: {url}")
NO_CONSENT = N_("Nothing was saved: tick the licence box to publish your proposal.")


@dataclass(frozen=True)
class ProposalConsent:
    """The consent checkbox as one language shows it, and the version of that exact text."""

    language: str
    label: str
    description: str
    version: str


def _texts(lang: Lang) -> tuple[str, str]:
    """The checkbox label and description in lang, the licence filled in."""
    return (
        lang._(LICENCE_LABEL, licence=LICENCE.short),
        lang._(DESCRIPTION, licence=LICENCE.short, url=LICENCE.url),
    )


def _complete(lang: Lang) -> bool:
    """Whether lang translates both consent texts (placeholders intact) within Discord's limits."""
    if lang.code == ENGLISH.code:
        return True
    label, description = _texts(lang)
    english = _texts(ENGLISH)
    return (
        label != english[0]
        and description != english[1]
        and (len(label) <= LABEL_MAX and len(description) <= DESCRIPTION_MAX)
    )


@functools.lru_cache(maxsize=64)
def proposal_consent(lang: Lang = ENGLISH) -> ProposalConsent:
    """The consent as shown to a member whose language is lang: in lang if complete there, else English."""
    shown = lang if _complete(lang) else ENGLISH
    label, description = _texts(shown)
    digest = hashlib.sha256("\x1f".join((label, description)).encode("utf-8")).hexdigest()
    return ProposalConsent(shown.code, label, description, digest[:VERSION_DIGITS])


def check_consent(agreed: bool) -> None:
    """Raise ConsentError (the form keeps the typed text) when the licence box was not ticked."""
    if not agreed:
        raise ConsentError(NO_CONSENT)
