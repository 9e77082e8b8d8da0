"""Events, insights and /mydata in three languages with the shipped catalogs (German, French, Polish).

The other capabilities' journeys in several languages live beside their own tests; these three had
only English journeys and stand-in catalogs in their unit tests.
"""

from __future__ import annotations

import pytest

from bot.i18n import Catalogs
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town

CATALOGS = Catalogs()
LOCALES = {"de": "de", "fr": "fr", "pl": "pl"}  # our language -> the Discord locale of a member's app


def translated(code: str, message: str, **params: object) -> str:
    """The shipped translation, checked to differ from English (else the test proves nothing)."""
    text = CATALOGS.lang(code)._(message, **params)
    assert text != CATALOGS.lang("en")._(message, **params), f"{code} does not translate {message!r}"
    return text


@pytest.mark.parametrize("code", sorted(LOCALES))
async def test_event_list_speaks_the_members_language(
    emulator: Emulator, town: Town, harness: BotHarness, code: str
) -> None:
    """A member whose app is in the language reads the events reply in it."""
    member = town.guild.add_member(f"reader-{code}", locale=LOCALES[code])
    reply = await (await emulator.slash(town.guild, member, "event list")).reply()
    assert reply.ephemeral
    assert reply.content == translated(
        code, "No upcoming events. Moderators schedule one with `/event create`."
    )


@pytest.mark.parametrize("code", sorted(LOCALES))
async def test_insights_report_speaks_the_moderators_chosen_language(
    emulator: Emulator, town: Town, harness: BotHarness, code: str
) -> None:
    """A moderator who chose a language with /profile set gets the report's title in it."""
    chose = await (await emulator.slash(town.guild, town.moderator, "profile set", language=code)).reply()
    assert chose.ephemeral
    report = await (await emulator.slash(town.guild, town.moderator, "insights", days=7)).reply()
    title = CATALOGS.lang(code).ngettext(
        "Engagement insights: the last {n} day", "Engagement insights: the last {n} days", 7
    )
    assert title != "Engagement insights: the last 7 days"
    assert report.embeds[0]["title"] == title


@pytest.mark.parametrize("code", sorted(LOCALES))
async def test_mydata_forget_asks_in_the_members_language(
    emulator: Emulator, town: Town, harness: BotHarness, code: str
) -> None:
    """The erasure prompt's buttons are in the member's language; Cancel erases nothing."""
    member = town.guild.add_member(f"forgetful-{code}", locale=LOCALES[code])
    prompt = await (await emulator.slash(town.guild, member, "mydata forget")).reply()
    labels = [button["label"] for button in prompt.buttons()]
    assert labels == [translated(code, "Erase my data"), translated(code, "Cancel")]
