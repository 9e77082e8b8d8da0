"""The real catalogs, end to end (issue #12): what people see in German, Polish, French, Italian, Slovak.

The capability tests prove with pseudo catalogs that every text is routed to the right language; these
prove that the shipped catalogs are what reaches people, and that Discord accepts the localised
command definitions (the emulator checks them against Discord's OpenAPI description).
"""

from __future__ import annotations

from bot.guards import MODERATORS_DEFAULT, MODERATORS_WITH_ROLE
from bot.i18n import DISCORD_LOCALES, Catalogs, Lang
from cogs.polls.tally import confirmation_text, voters_sentence
from sandbox.emulator import Emulator
from storage.polls import ClickAction
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import POLL_ID, vote

CATALOGS = Catalogs()
POLL = {"question": "Q?", "options": "a;b"}
# Every Discord locale one of our non-English catalogs serves.
LOCALISED = {locale for locale, code in DISCORD_LOCALES.items() if code != "en"}


def lang(code: str) -> Lang:
    """The shipped catalog of a language, checked to differ from English where the test looks."""
    return CATALOGS.lang(code)


def in_language(code: str, message: str, **params: object) -> str:
    """The text in a language; the test fails if the catalog would show the English one."""
    translated = lang(code)._(message, **params)
    assert translated != CATALOGS.lang("en")._(message, **params), f"{code} catalog lacks {message!r}"
    return translated


def test_every_language_has_a_loaded_catalog() -> None:
    """The 26 shipped .mo files load; each translates a text every member can meet."""
    for code in sorted({*DISCORD_LOCALES.values(), "et", "ga", "lv", "mt", "sk", "sl"} - {"en"}):
        in_language(code, MODERATORS_DEFAULT)


async def test_synced_commands_are_described_in_every_discord_language(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Each command, option and choice carries a description or name for every locale we serve."""
    missing: list[str] = []

    def check(path: str, node: dict[str, object], key: str, english: str) -> None:
        """Record the locales a command, option or choice lacks while its catalog translates it."""
        given = set(node.get(key) or {})  # type: ignore[call-overload]
        # A name such as LIFE is the same in every language; Discord then shows the English one.
        wanted = {loc for loc in LOCALISED if lang(DISCORD_LOCALES[loc])._(english) != english}
        if not given >= wanted:
            missing.append(f"{path}: {sorted(wanted - given)}")

    def walk(path: str, node: dict[str, object]) -> None:
        """Check a command or option, then its options and choices."""
        check(path, node, "description_localizations", str(node["description"]))
        for option in node.get("options") or []:  # type: ignore[attr-defined]
            walk(f"{path} {option['name']}", option)
        for choice in node.get("choices") or []:  # type: ignore[attr-defined]
            check(f"{path}={choice['value']}", choice, "name_localizations", choice["name"])

    commands = emulator.commands(town.guild)
    assert len(commands) >= 14
    for command in commands:
        walk(command["name"], command)
    assert missing == []
    setup = next(c for c in commands if c["name"] == "setup")
    assert setup["description_localizations"]["de"] == lang("de")._(setup["description"])


async def test_a_german_client_gets_german_and_a_chosen_polish_wins_over_the_client(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Discord locale `de` gives German; `/profile set language:pl` gives Polish even on an en-US client."""
    jonas = town.guild.add_member("jonas", locale="de")
    refused = await (await emulator.slash(town.guild, jonas, "poll create", options=POLL)).reply()
    role = town.moderators.id
    assert refused.ephemeral and refused.content == in_language("de", MODERATORS_WITH_ROLE, role=role)
    listed = await (await emulator.slash(town.guild, jonas, "calls list")).reply()
    assert listed.embeds[0]["title"] == in_language("de", "Open funding calls")

    chose = await (await emulator.slash(town.guild, town.member, "profile set", language="pl")).reply()
    assert chose.ephemeral
    listed = await (await emulator.slash(town.guild, town.member, "calls list")).reply()
    assert listed.embeds[0]["title"] == in_language("pl", "Open funding calls")
    await harness.restart()
    refused = await (await emulator.slash(town.guild, town.member, "poll create", options=POLL)).reply()
    assert refused.content == in_language("pl", MODERATORS_WITH_ROLE, role=role)


async def test_a_german_member_reads_the_consent_form_in_german(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The testimonial form, consent included, opens in the member's Discord language."""
    made = await emulator.slash(
        town.guild, town.moderator, "campaign create", name="Trams", prompt="Tell us."
    )
    await made.reply()
    jonas = town.guild.add_member("jonas", locale="de")
    form = await emulator.slash(town.guild, jonas, "testimonial submit", campaign="Trams")
    modal = await form.wait_modal()
    assert modal["title"] == in_language("de", "Testimonial: {campaign}", campaign="Trams")[:45]
    labels = " ".join(str(c.get("label", "")) for c in modal["components"])
    assert in_language("de", "How may we use your story?") in labels


async def test_a_french_server_poll_answers_an_italian_voter_in_italian(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The public poll message speaks the server's French; the Italian voter's confirmation is Italian."""
    set_fr = await (await emulator.slash(town.guild, town.admin, "setup language", language="fr")).reply()
    assert set_fr.ephemeral
    created = await emulator.slash(
        town.guild,
        town.moderator,
        "poll create",
        channel=town.general,
        options={"question": "Quel projet ?", "options": "A;B"},
    )
    match = POLL_ID.search((await created.reply()).content)
    assert match, "the moderator's reply names the poll"
    poll_id = int(match.group(1))
    posted = await emulator.wait_for_message(town.general, lambda m: bool(m.embeds))
    assert voters_sentence(lang("fr"), 0) in str(posted.embeds[0])
    assert voters_sentence(lang("fr"), 0) != voters_sentence(lang("en"), 0)
    giulia = town.guild.add_member("giulia", locale="it")
    answer = await vote(emulator, town, giulia, posted, poll_id, 0)
    expected = confirmation_text(lang("it"), ClickAction.VOTED, ["A", "B"], {0})
    assert answer == expected and expected != confirmation_text(
        lang("en"), ClickAction.VOTED, ["A", "B"], {0}
    )


async def test_a_slovak_member_gets_slovak_direct_messages(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Discord has no Slovak; a member who chose it gets the reminders' welcome DM in Slovak."""
    await (await emulator.slash(town.guild, town.member, "profile set", language="sk")).reply()
    subscribed = await (await emulator.slash(town.guild, town.member, "calls subscribe")).reply()
    assert subscribed.ephemeral
    expected = in_language("sk", "You will get climabot deadline reminders here for every programme.")
    welcome = await emulator.wait_for_message(emulator.dm_channel_of(town.member), lambda m: bool(m.content))
    assert welcome.content.startswith(expected), welcome.content
