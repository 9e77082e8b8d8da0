"""Polls in several languages end to end: the poll message in the server's, every reply in the member's.

The bot gets pseudo catalogs (`⟦fr:...⟧` around every text), so a test can tell which language each
text came out in and that no English slipped past the catalogs.
"""

from __future__ import annotations

from pathlib import Path

from bot.i18n import Catalogs
from sandbox.emulator import Emulator
from sandbox.state import Message
from tests.cogs.polls.pseudo_catalogs import unmarked, write_pseudo_catalogs
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import POLL_ID, description, fast_edits, vote, wait_for_tally

QUESTION = "Which pilot do we fund first?"
LABELS = ("Energy", "Mobility", "Buildings")


async def speak(harness: BotHarness, town: Town, tmp_path: Path, server: str) -> None:
    """Give the running bot pseudo catalogs for fr, it and de, and set the server's language."""
    assert harness.bot is not None
    languages = harness.bot.languages
    languages.catalogs = Catalogs(write_pseudo_catalogs(tmp_path / "locales", "fr", "it", "de"))
    await languages.set_guild_language(town.guild.id, server)


def message_texts(message: Message) -> list[str]:
    """The title, description and field names and values of the poll message's embed."""
    embed = message.embeds[0]
    texts = [str(embed.get("title", "")), str(embed.get("description", ""))]
    for field in embed.get("fields", []):
        texts += [str(field["name"]), str(field["value"])]
    return texts


async def test_a_french_server_poll_with_italian_german_and_english_voters(
    emulator: Emulator, town: Town, harness: BotHarness, tmp_path: Path
) -> None:
    """The message and its tally are French; each voter's confirmation is in their own language."""
    fast_edits(harness)
    await speak(harness, town, tmp_path, "fr")
    assert harness.bot is not None
    italian = town.guild.add_member("giulia", locale="it")
    german = town.guild.add_member("jonas")  # client in en-US, chose German with /profile set language
    await harness.bot.languages.choose(town.guild.id, german.user.id, "de")

    created = await emulator.slash(
        town.guild,
        town.moderator,
        "poll create",
        channel=town.general,
        options={"question": QUESTION, "options": "; ".join(LABELS), "closes_in": "2h"},
    )
    reply = await created.reply()
    match = POLL_ID.search(reply.content)
    assert reply.ephemeral and match and "⟦" not in reply.content, "the moderator's own language: English"
    poll_id = int(match.group(1))
    message = await emulator.wait_for_message(
        town.general, lambda m: any(e.get("title") == f"⟦fr:Poll #{poll_id}⟧" for e in m.embeds)
    )
    assert "⟦fr:Nobody has voted yet.⟧" in description(message)
    for text in message_texts(message):
        assert unmarked(text, QUESTION, *LABELS) == [], text
    assert [b["label"] for b in message.buttons()] == list(LABELS), "what the moderator typed stays"

    said = await vote(emulator, town, italian, message, poll_id, 0)
    assert said == "⟦it:Your vote for **Energy** is counted. Click it again to withdraw it.⟧"
    said = await vote(emulator, town, german, message, poll_id, 1)
    assert said == "⟦de:Your vote for **Mobility** is counted. Click it again to withdraw it.⟧"
    said = await vote(emulator, town, town.member, message, poll_id, 1)
    assert said == "Your vote for **Mobility** is counted. Click it again to withdraw it."
    await wait_for_tally(emulator, message, "⟦fr:3 members voted.⟧", "2 (67\u00a0%)")

    results = await (await emulator.slash(town.guild, italian, "poll results", poll_id=poll_id)).reply()
    assert results.ephemeral and results.embeds[0]["title"] == f"⟦it:Poll #{poll_id}: results so far⟧"
    assert "⟦it:Leading: **Mobility** (2 votes).⟧" in results.text
    missing = await (await emulator.slash(town.guild, italian, "poll results", poll_id=999)).reply()
    assert missing.ephemeral and missing.content.startswith("⟦it:There is no poll #999 in this server.")

    closing = await emulator.slash(town.guild, town.moderator, "poll close", poll_id=poll_id)
    closed_reply = await closing.reply(timeout=10)
    assert "Winner: **Mobility** (2 votes)." in closed_reply.content and "⟦" not in closed_reply.content

    def closed() -> Message | None:
        """The message once it shows the final results in French."""
        title = message.embeds[0].get("title", "") if message.embeds else ""
        return message if title == f"⟦fr:Poll #{poll_id} (closed)⟧" and not message.buttons() else None

    final = await emulator.world.wait_until(closed, 10, "the French final results")
    assert "⟦fr:Winner: **Mobility** (2 votes).⟧" in description(final)
    assert final.attachments and final.attachments[0].data.startswith(b"\x89PNG")
    for text in message_texts(final):
        assert unmarked(text, QUESTION, *LABELS) == [], text


async def test_a_refused_create_speaks_the_moderators_language(
    emulator: Emulator, town: Town, harness: BotHarness, tmp_path: Path
) -> None:
    """A moderator who chose Italian gets the refusal of a bad option list in Italian, nothing posted."""
    await speak(harness, town, tmp_path, "fr")
    assert harness.bot is not None
    await harness.bot.languages.choose(town.guild.id, town.moderator.user.id, "it")
    created = await emulator.slash(
        town.guild,
        town.moderator,
        "poll create",
        channel=town.general,
        options={"question": QUESTION, "options": "Only one"},
    )
    reply = await created.reply()
    assert reply.ephemeral and reply.content.startswith("⟦it:A poll needs at least 2 options"), reply.content
    assert unmarked(reply.content, "Only one", "Energy; Mobility; Buildings") == [], reply.content
    assert emulator.messages_in(town.general) == []
