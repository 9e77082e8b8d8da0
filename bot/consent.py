"""The consent a contributor gives in the submission form: wording, language, version and licences.

The consent wording is English msgids, shown in the member's language. Consent is only informed in a
language the member reads, and only proven by the exact text they saw, so:

- A language shows the consent only when its catalog translates EVERY consent text (and each fits
  Discord's limits for every licence); otherwise the whole consent block is shown in English, never
  half-translated. `Wording.language` is the language actually shown, stored as consent_language.
- The version is derived from the text: the first 12 hex digits of the SHA-256 of the complete
  wording in that language (question, options, licence texts, statement frame). Changing one word of
  the consent in any language changes that language's version; other languages keep theirs.
  Items stored before languages existed keep version "1" (the English wording then, identical to
  today's English texts) and consent_language "en".
- The statement kept with an item is built from the same texts the form shows (Wording.statement).
"""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

from bot.errors import ValidationError
from bot.i18n import ENGLISH, N_, Lang


@dataclass(frozen=True)
class Licence:
    """A licence a campaign can ask contributors to grant."""

    id: str  # SPDX identifier, also used in exports
    short: str
    title: str
    url: str


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

# Discord's limits for the parts of the form that show the consent.
LABEL_MAX = 45
DESCRIPTION_MAX = 100
VERSION_DIGITS = 12
# The version of items stored before consent had languages (English).
LEGACY_VERSION = "1"

# Translators: the heading of the consent question in the testimonial form (at most 45 characters).
USAGE_LABEL = N_("How may we use your story?")
# Translators: under the consent question (at most 100 characters).
USAGE_DESCRIPTION = N_("Moderators read it first. You can withdraw it at any time.")
# scope (stored, never translated) -> (option, its description), each at most 100 characters.
SCOPES: dict[str, tuple[str, str]] = {
    "named": (N_("Publish it with my name"), N_("Shown in the showcase channel with your display name.")),
    "anonymous": (N_("Publish it anonymously"), N_("Shown in the showcase channel without your name.")),
    "research": (N_("Research use only, not published"), N_("Only the project's researchers receive it.")),
}
# Translators: a checkbox label; {licence} is a licence's short name such as "CC BY 4.0" (at most 45
# characters once filled in).
LICENCE_LABEL = N_("I grant the {licence} licence")
# Translators: under the licence checkbox; {url} is the licence's web page (at most 100 characters).
LICENCE_DESCRIPTION = N_("Share my story and photo as open data: {url}")
# Translators: the consent statement stored with a testimonial, built from the texts of the form the
# member saw: {question} and {explanation} are the consent question and its description, {option}
# and {detail} the option chosen, {licence_label} and {licence_description} the licence checkbox.
STATEMENT = N_(
    "Consent version {version}. {question} {explanation} Chosen: {option}: {detail} "
    "Agreed: {licence_label}. {licence_description}"
)
NO_SCOPE = N_("Nothing was saved: choose how your story may be used.")
NO_LICENCE = N_(
    "Nothing was saved: without agreeing to the licence your story cannot be kept. "
    "Run the command again if you change your mind."
)


class ConsentError(ValidationError):
    """The form did not carry a complete consent; nothing may be stored."""


class Wording:
    """The consent texts in one language, exactly as the form shows them, and their version."""

    def __init__(self, lang: Lang) -> None:
        """Translate every consent text into lang (a language the consent is complete in)."""
        self.lang = lang
        self.usage_label = lang._(USAGE_LABEL)
        self.usage_description = lang._(USAGE_DESCRIPTION)
        self.scopes = {scope: (lang._(label), lang._(detail)) for scope, (label, detail) in SCOPES.items()}
        # The templates as translated, before any licence is filled in: they are what the version covers.
        parts = [
            self.usage_label, self.usage_description,
            *(text for pair in self.scopes.values() for text in pair),
            lang._(LICENCE_LABEL), lang._(LICENCE_DESCRIPTION), lang._(STATEMENT),
        ]  # fmt: skip
        digest = hashlib.sha256("\x1f".join(parts).encode("utf-8")).hexdigest()
        self.version = digest[:VERSION_DIGITS]

    @property
    def language(self) -> str:
        """The code of the language the consent is shown in (what consent_language stores)."""
        return self.lang.code

    def licence_texts(self, licence_id: str) -> tuple[str, str]:
        """The label and description of the licence checkbox for a campaign's licence."""
        licence = LICENCES[licence_id]
        return (
            self.lang._(LICENCE_LABEL, licence=licence.short),
            self.lang._(LICENCE_DESCRIPTION, licence=licence.short, url=licence.url),
        )

    def statement(self, scope: str, licence_id: str) -> str:
        """The full statement a contributor agrees to with this scope and licence, as stored."""
        option, detail = self.scopes[scope]
        label, description = self.licence_texts(licence_id)
        return self.lang._(
            STATEMENT, version=self.version, question=self.usage_label, explanation=self.usage_description,
            option=option, detail=detail, licence_label=label, licence_description=description,
        )  # fmt: skip


def _complete(lang: Lang) -> bool:
    """Whether lang translates every consent text, keeps its placeholders, and fits Discord's limits."""
    if lang.code == ENGLISH.code:
        return True
    texts = [USAGE_LABEL, USAGE_DESCRIPTION, STATEMENT, *(text for pair in SCOPES.values() for text in pair)]
    if any(lang._(text) == text for text in texts):
        return False
    if len(lang._(USAGE_LABEL)) > LABEL_MAX or len(lang._(USAGE_DESCRIPTION)) > DESCRIPTION_MAX:
        return False
    if any(len(lang._(text)) > DESCRIPTION_MAX for pair in SCOPES.values() for text in pair):
        return False
    for licence in LICENCES.values():
        # A translation with a broken placeholder comes back as the English text: not complete.
        label = lang._(LICENCE_LABEL, licence=licence.short)
        description = lang._(LICENCE_DESCRIPTION, licence=licence.short, url=licence.url)
        if label == ENGLISH._(LICENCE_LABEL, licence=licence.short) or len(label) > LABEL_MAX:
            return False
        english = ENGLISH._(LICENCE_DESCRIPTION, licence=licence.short, url=licence.url)
        if description == english or len(description) > DESCRIPTION_MAX:
            return False
    filled = dict.fromkeys(_STATEMENT_KEYS, "x")
    return lang._(STATEMENT, **filled) != ENGLISH._(STATEMENT, **filled)


_STATEMENT_KEYS = (
    "version", "question", "explanation", "option", "detail", "licence_label", "licence_description",
)  # fmt: skip


@functools.lru_cache(maxsize=64)
def wording(lang: Lang = ENGLISH) -> Wording:
    """The consent as shown to a member whose language is lang: in lang if complete there, else English."""
    return Wording(lang if _complete(lang) else ENGLISH)


# The version of today's English wording.
CONSENT_VERSION = wording(ENGLISH).version


def licence_texts(licence_id: str, lang: Lang = ENGLISH) -> tuple[str, str]:
    """The label and description of the licence checkbox, as shown to a member whose language is lang."""
    return wording(lang).licence_texts(licence_id)


def consent_text(scope: str, licence_id: str, lang: Lang = ENGLISH) -> str:
    """The statement stored with an item, as agreed to by a member whose language is lang."""
    return wording(lang).statement(scope, licence_id)


def check_consent(scope: str | None, licence_agreed: bool) -> str:
    """Return the chosen scope, or raise ConsentError when consent is missing or incomplete."""
    if scope not in SCOPES:
        raise ConsentError(NO_SCOPE)
    if not licence_agreed:
        raise ConsentError(NO_LICENCE)
    return scope
