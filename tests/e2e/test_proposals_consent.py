"""Consent of proposal authors (issue #12 item 5): the form asks to publish the proposal under CC BY 4.0;
without the ticked box nothing is stored and the text is handed back; with it, the consent version and
language are stored and exported, and the data package declares the licence."""

from __future__ import annotations

import csv
import io
import json
import zipfile

from cogs.proposals.consent import LEGACY_VERSION, proposal_consent
from sandbox.emulator import Emulator
from storage.proposals import ProposalsRepository
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_proposals_journey import FORM, posts_in, setup_forum, submit


def repo_of(harness: BotHarness) -> ProposalsRepository:
    """The running bot's proposals repository."""
    assert harness.bot is not None
    return harness.bot.repos.proposals


async def test_without_the_licence_box_nothing_is_stored_and_the_text_is_handed_back(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    emu, guild = emulator, town.guild
    forum = await setup_forum(emu, town)
    refused = await submit(emu, town, town.member, {**FORM, "licence": False})
    assert "Nothing was saved" in refused.content and "licence" in refused.content
    assert posts_in(town, forum) == []
    assert (await repo_of(harness).page(guild.id))[1] == 0

    # The form comes back with the typed text and the unticked box; ticked, the proposal lands.
    (button,) = refused.buttons()
    retry = await emu.click(guild, town.member, refused, button["custom_id"])
    modal = await retry.wait_modal()
    shown = json.dumps(modal)
    assert FORM["title"] in shown and "CC BY 4.0" in shown and "creativecommons.org/licenses/by/4.0" in shown
    done = await (await emu.submit_modal(guild, town.member, retry, FORM)).reply()
    assert "Your proposal #1 is posted" in done.content
    proposal = await repo_of(harness).get(1, guild_id=guild.id)
    assert proposal is not None
    english = proposal_consent()
    assert (proposal.consent_version, proposal.consent_language) == (english.version, "en")
    assert english.version != LEGACY_VERSION and len(english.version) == 12

    # The export carries the consent and the package declares the licence.
    for fmt in ("csv", "jsonl", "datapackage"):
        it = await emu.slash(guild, town.moderator, "proposal export", options={"format": fmt})
        data = (await it.reply()).attachments[0].data
        if fmt == "csv":
            [row] = csv.DictReader(io.StringIO(data.decode()))
        elif fmt == "jsonl":
            row = json.loads(data.decode())
        else:
            archive = zipfile.ZipFile(io.BytesIO(data))
            package = json.loads(archive.read("datapackage.json"))
            assert [licence["name"] for licence in package["licenses"]] == ["CC-BY-4.0"]
            fields = [f["name"] for f in package["resources"][0]["schema"]["fields"]]
            assert {"consent_version", "consent_language"} <= set(fields)
            [row] = csv.DictReader(io.StringIO(archive.read("data/proposals.csv").decode()))
        assert (row["consent_version"], row["consent_language"]) == (english.version, "en"), fmt
