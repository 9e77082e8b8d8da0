"""Polls against bad input and crossed servers: invisible text, foreign custom_ids, formula cells, erasure."""

from __future__ import annotations

import copy
import csv
import io

from bot.settings import Settings
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import (
    create_poll,
    create_reply,
    fast_edits,
    poll_rows,
    stored_counts,
    vote,
    wait_for_tally,
)

ZERO_WIDTH = "\u200b\u200c\u200d"


async def test_options_of_zero_width_characters_only_are_refused_and_nothing_is_stored(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """An option (or question) that shows nothing: a clear private error, no poll row, no message."""
    cases = [
        ({"options": f"Energy; {ZERO_WIDTH}; Mobility"}, "option 2 is empty or only invisible characters"),
        ({"options": f"{ZERO_WIDTH};{ZERO_WIDTH}"}, "option 1 is empty or only invisible characters"),
        ({"question": ZERO_WIDTH}, "question is empty or only invisible characters"),
    ]
    for changes, fragment in cases:
        reply = await create_reply(
            emulator, town, **{"question": "Which date?", "options": "Monday; Tuesday", **changes}
        )
        assert reply.ephemeral and fragment in reply.content, (changes, reply.content)
        assert "Nothing was saved" in reply.content
    assert emulator.messages_in(town.general) == []
    assert poll_rows(settings.storage.database_path) == 0


async def test_a_poll_button_copied_into_another_server_does_not_vote(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Server B's message carrying server A's vote custom_id: the click is refused, A's poll unchanged."""
    poll_id, message = await create_poll(emulator, town)
    other = emulator.add_guild("Other Network")
    lounge = other.add_text_channel("lounge")
    stranger = other.add_member("mallory")
    await emulator.world.wait_until(
        lambda: (harness.bot is not None and harness.bot.get_guild(other.id)) or None, 5, "the bot in B"
    )
    # What a modified client could send: a message in B whose buttons carry A's poll and options.
    crafted = emulator.post_message(stranger, lounge, "vote here")
    crafted.components = copy.deepcopy(message.components)
    custom_id = f"polls:vote:{poll_id}:0"
    assert crafted.component(custom_id) is not None

    answer = await (await emulator.click(other, stranger, crafted, custom_id)).reply()

    assert answer.ephemeral and "no longer exists" in answer.content, answer.content
    assert stored_counts(settings.storage.database_path, poll_id) == [0, 0, 0]
    # The same button in its own server still votes.
    assert "counted" in await vote(emulator, town, town.member, message, poll_id, 0)


async def test_export_neutralises_cells_a_spreadsheet_would_run(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """An option typed as a formula is exported as text: a leading apostrophe, as the guide says."""
    poll_id, message = await create_poll(emulator, town, options="=1+1; @SUM(A1); Plain")
    await vote(emulator, town, town.member, message, poll_id, 0)
    export = await (await emulator.slash(town.guild, town.moderator, "poll export", poll_id=poll_id)).reply()
    files = {a.filename: a.data.decode("utf-8") for a in export.attachments}
    results = list(csv.reader(io.StringIO(files[f"poll-{poll_id}-results.csv"])))
    assert results == [["option", "votes"], ["'=1+1", "1"], ["'@SUM(A1)", "0"], ["Plain", "0"]]
    ballots = list(csv.reader(io.StringIO(files[f"poll-{poll_id}-ballots.csv"])))
    assert [row[:2] for row in ballots[1:]] == [[str(town.member.user.id), "'=1+1"]]
    assert message.buttons()[0]["label"] == "=1+1", "the poll itself shows the text as typed"


async def test_member_data_lists_ballots_and_erasure_repaints_the_tally(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """The registered polls holder exports a member's ballots and erases them; the message follows."""
    fast_edits(harness)
    open_id, open_message = await create_poll(emulator, town, question="Open?")
    closed_id, closed_message = await create_poll(emulator, town, question="Closed?")
    bob = town.guild.add_member("bob")
    for member in (town.member, bob):
        await vote(emulator, town, member, open_message, open_id, 1)
    await vote(emulator, town, town.member, closed_message, closed_id, 2)
    await wait_for_tally(emulator, open_message, "2 members voted")
    await (await emulator.slash(town.guild, town.moderator, "poll close", poll_id=closed_id)).reply(
        timeout=10
    )
    bot = harness.bot
    assert bot is not None and "Polls" in bot.member_data.names()

    sections = await bot.member_data.export(town.guild.id, town.member.user.id)
    ballots = [b for part in sections for b in part.get("poll_ballots", [])]
    assert [(b["poll_id"], b["option"], b["poll_state"]) for b in ballots] == [
        (open_id, "Mobility", "open"),
        (closed_id, "Buildings", "closed"),
    ]
    guild = bot.get_guild(town.guild.id)
    assert guild is not None
    member = guild.get_member(town.member.user.id) or await guild.fetch_member(town.member.user.id)

    erasure = await bot.member_data.erase(member)

    assert erasure.counts["open_poll_ballots_withdrawn"] == 1
    assert erasure.counts["closed_poll_ballots_unlinked"] == 1
    await wait_for_tally(emulator, open_message, "1 member voted")
    assert stored_counts(settings.storage.database_path, open_id) == [0, 1, 0]
    assert stored_counts(settings.storage.database_path, closed_id) == [0, 0, 1], "final counts stay"
    again = await bot.member_data.export(town.guild.id, town.member.user.id)
    assert not [b for part in again for b in part.get("poll_ballots", [])]
    # The closed poll's ballot stays counted, under a pseudonym and with only its day.
    export = await (
        await emulator.slash(town.guild, town.moderator, "poll export", poll_id=closed_id)
    ).reply()
    files = {a.filename: a.data.decode("utf-8") for a in export.attachments}
    (row,) = list(csv.reader(io.StringIO(files[f"poll-{closed_id}-ballots.csv"])))[1:]
    assert row[0].startswith("erased:") and row[1] == "Buildings", row
    assert row[2].endswith("T00:00:00+00:00"), row
