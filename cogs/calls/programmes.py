"""The funding programmes a call can belong to: codes stored in the database, names shown to members."""

from __future__ import annotations

from dataclasses import dataclass

from bot.i18n import N_


@dataclass(frozen=True)
class Programme:
    """A funding programme: stable code, English display name (a msgid), other spellings accepted in files."""

    code: str
    name: str
    aliases: tuple[str, ...] = ()
    # Identifier prefixes that imply this programme when none is chosen.
    prefixes: tuple[str, ...] = ()


# Names are shown translated (`t._(p.name)`) and are also slash-command choice names; the English name
# stays an accepted spelling in import files.
PROGRAMMES: tuple[Programme, ...] = (
    Programme(
        "horizon-europe",
        # Translators: names of EU funding programmes; use the programme's official name in your language.
        N_("Horizon Europe (Cities Mission)"),
        ("horizon europe", "horizon", "he", "cities mission", "mission", "horizon-miss"),
        ("HORIZON-MISS-",),
    ),
    Programme(
        "horizon-cluster5",
        N_("Horizon Europe Cluster 5"),
        ("cluster 5", "cluster5", "cl5", "horizon-cl5", "horizon europe cluster 5"),
        ("HORIZON-CL5-",),
    ),
    Programme("life", N_("LIFE"), ("life programme",), ("LIFE-",)),
    Programme("eui", N_("European Urban Initiative (EUI)"), ("european urban initiative",), ("EUI-",)),
    Programme("neb", N_("New European Bauhaus (NEB)"), ("new european bauhaus",), ("NEB-", "HORIZON-NEB-")),
    Programme("dut", N_("Driving Urban Transitions (DUT)"), ("driving urban transitions",), ("DUT-",)),
    # Translators: the programme of a funding call that belongs to none of the named programmes.
    Programme("other", N_("Other"), ()),
)

_BY_CODE = {p.code: p for p in PROGRAMMES}
_BY_SPELLING = {spelling.lower(): p for p in PROGRAMMES for spelling in (p.code, p.name, *p.aliases)}
OTHER = _BY_CODE["other"]


def programme(code: str) -> Programme:
    """Return the programme with this code, or Other for a code that is no longer known."""
    return _BY_CODE.get(code, OTHER)


def find_programme(text: str) -> Programme | None:
    """Return the programme a member or a file names (code, name or alias, any case), if any."""
    return _BY_SPELLING.get(" ".join(text.split()).lower())


def infer_programme(identifier: str) -> Programme:
    """Guess a call's programme from its identifier's prefix (HORIZON-MISS-... is the Cities Mission)."""
    # Longest prefixes first, so HORIZON-NEB- wins over a shorter HORIZON- prefix.
    candidates = sorted(
        ((prefix, p) for p in PROGRAMMES for prefix in p.prefixes), key=lambda pair: -len(pair[0])
    )
    for prefix, found in candidates:
        if identifier.startswith(prefix):
            return found
    return OTHER


def accepted_programmes() -> str:
    """List the programme codes for error messages and help texts."""
    return ", ".join(f"`{p.code}`" for p in PROGRAMMES)
