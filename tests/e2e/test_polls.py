"""Poll journeys through the emulator: create, vote, change, retract, close, results, export, refusals."""

from __future__ import annotations

import asyncio
import csv
import io

from bot.settings import Settings
from sandbox import perms
from sandbox.emulator import Emulator
from tests.e2e.harness import BotHarness, Town
from tests.e2e.test_polls_stage import (
    EDIT_PATH,
    click,
    create_poll,
    create_reply,
    description,
    fast_edits,
    poll_rows,
    stored_counts,
    vote,
    wait_closed,
    wait_for_tally,
)


def rows_of(data: bytes) -> list[list[str]]:
    """Parse CSV bytes."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"))))


async def test_create_vote_change_retract_close_and_export(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """The whole life of a single-choice poll, checked on the message, in replies and in the database."""
    fast_edits(harness)
    poll_id, message = await create_poll(emulator, town, closes_in="2h")
    text = message.text
    assert "Which pilot do we fund first?" in text and "Nobody has voted yet" in text
    assert "<t:" in text and ":F>" in text and ":R>" in text, "closing time as Discord timestamps"
    labels = [b["label"] for b in message.buttons()]
    assert labels == ["Energy", "Mobility", "Buildings"]
    assert not message.mention_ids and not message.mention_role_ids

    alice, bob = town.member, town.guild.add_member("bob")
    assert "Your vote for **Energy** is counted" in await vote(emulator, town, alice, message, poll_id, 0)
    assert "counted" in await vote(emulator, town, bob, message, poll_id, 0)
    await wait_for_tally(emulator, message, "2 members voted")
    assert "now goes to **Mobility**" in await vote(emulator, town, alice, message, poll_id, 1)
    await wait_for_tally(emulator, message, "2 members voted", "Mobility\n`")
    assert stored_counts(settings.storage.database_path, poll_id) == [1, 1, 0]

    emulator.advance_clock(2)  # past the double-click window: clicking one's own choice now retracts
    assert "withdrawn" in await vote(emulator, town, bob, message, poll_id, 0)
    await wait_for_tally(emulator, message, "1 member voted")
    assert stored_counts(settings.storage.database_path, poll_id) == [0, 1, 0]

    results = await (await emulator.slash(town.guild, town.member, "poll results", poll_id=poll_id)).reply()
    assert results.ephemeral and "Leading: **Mobility**" in results.text

    closing = await emulator.slash(town.guild, town.moderator, "poll close", poll_id=poll_id)
    closed_reply = await closing.reply(timeout=10)
    assert closed_reply.ephemeral and "is closed" in closed_reply.content
    closed = await wait_closed(emulator, message)
    assert "Winner: **Mobility**" in description(closed)
    assert [a.filename for a in closed.attachments] == [f"poll-{poll_id}-results.png"]
    assert closed.attachments[0].data.startswith(b"\x89PNG")
    assert closed.embeds[0]["image"]["url"].endswith(f"poll-{poll_id}-results.png")
    assert harness.bot is not None and f"poll:{poll_id}" not in harness.bot.timeline.pending("poll:")

    export = await (await emulator.slash(town.guild, town.moderator, "poll export", poll_id=poll_id)).reply()
    files = {a.filename: a.data for a in export.attachments}
    assert export.ephemeral and set(files) == {f"poll-{poll_id}-results.csv", f"poll-{poll_id}-ballots.csv"}
    assert rows_of(files[f"poll-{poll_id}-results.csv"]) == [
        ["option", "votes"],
        ["Energy", "0"],
        ["Mobility", "1"],
        ["Buildings", "0"],
    ]
    ballots = rows_of(files[f"poll-{poll_id}-ballots.csv"])
    assert ballots[0] == ["voter_id", "option", "voted_at"]
    assert [row[:2] for row in ballots[1:]] == [[str(alice.user.id), "Mobility"]]


async def test_multiple_choice_toggles_and_double_click_counts_once(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Multiple choice adds and removes; two concurrent clicks of one member count once."""
    fast_edits(harness)
    poll_id, message = await create_poll(emulator, town, options="A; B; C; D", multiple=True)
    assert "Multiple choice" in message.text
    alice = town.member
    assert "Added. Your choices: **A**" in await vote(emulator, town, alice, message, poll_id, 0)
    assert "Your choices: **A**, **C**" in await vote(emulator, town, alice, message, poll_id, 2)

    bob = town.guild.add_member("bob")
    first, second = await asyncio.gather(
        click(emulator, town, bob, message, poll_id, 1), click(emulator, town, bob, message, poll_id, 1)
    )
    answers = [(await first.reply()).content, (await second.reply()).content]
    assert any("Added" in a for a in answers) and any("Already counted" in a for a in answers), answers
    assert stored_counts(settings.storage.database_path, poll_id) == [1, 1, 1, 0]

    emulator.advance_clock(2)
    assert "Removed. Your choices: **C**" in await vote(emulator, town, alice, message, poll_id, 0)
    await wait_for_tally(emulator, message, "2 members voted")
    assert stored_counts(settings.storage.database_path, poll_id) == [0, 1, 1, 0]


async def test_single_choice_concurrent_double_click_counts_once(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Two clicks dispatched together: one vote, and neither answer says it was withdrawn."""
    poll_id, message = await create_poll(emulator, town)
    clicks = await asyncio.gather(
        *(click(emulator, town, town.member, message, poll_id, 2) for _ in range(2))
    )
    answers = [(await it.reply()).content for it in clicks]
    assert all("withdrawn" not in a for a in answers), answers
    assert stored_counts(settings.storage.database_path, poll_id) == [0, 0, 1]
    await wait_for_tally(emulator, message, "1 member voted")


async def test_twenty_options_make_four_rows_of_five(emulator: Emulator, town: Town, harness: BotHarness):
    """20 options: 4 action rows of 5 buttons, each with its own parseable custom_id."""
    options = "; ".join(f"Option {n}" for n in range(1, 21))
    poll_id, message = await create_poll(emulator, town, options=options)
    rows = message.components
    assert [len(row["components"]) for row in rows] == [5, 5, 5, 5]
    ids = [b["custom_id"] for b in message.buttons()]
    assert ids == [f"polls:vote:{poll_id}:{i}" for i in range(20)]
    assert "counted" in await vote(emulator, town, town.member, message, poll_id, 19)


BAD_INPUT: list[tuple[dict[str, str], str]] = [
    ({"options": "Only one"}, "at least 2 options"),
    ({"options": "; ".join(f"o{n}" for n in range(21))}, "at most 20 options"),
    ({"options": "A;;B"}, "is empty"),
    ({"options": "Tram; tram"}, "the same"),
    ({"options": "A; " + "x" * 81}, "the limit is 80"),
    ({"question": "?" * 301}, "the limit is 300"),
    ({"question": "   "}, "question is empty"),
    ({"closes_in": "soon"}, "is not a duration"),
    ({"closes_in": "91d"}, "at most 90 days"),
    ({"closes_in": "30s"}, "at least 1 minute"),
]


async def test_bad_input_is_a_clear_private_error_and_nothing_is_posted(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Bad options, question or duration: an ephemeral error, no message, no row (one bot for all cases)."""
    for changes, fragment in BAD_INPUT:
        reply = await create_reply(
            emulator, town, **{"question": "Which date?", "options": "Monday; Tuesday", **changes}
        )
        assert reply.ephemeral and fragment in reply.content, (changes, reply.content)
    assert emulator.messages_in(town.general) == []
    assert poll_rows(settings.storage.database_path) == 0


async def test_posting_refused_by_discord_leaves_no_poll(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """If Discord refuses the poll message, the moderator is told and the poll row is deleted."""
    emulator.faults.server_error("POST", r"^/channels/\d+/messages$", status=403)
    reply = await create_reply(emulator, town, question="Q?", options="A; B")
    assert (
        reply.ephemeral
        and "could not post the poll" in reply.content
        and "nothing was saved" in reply.content
    )
    assert poll_rows(settings.storage.database_path) == 0
    assert emulator.messages_in(town.general) == []


async def test_members_cannot_create_close_or_export(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """The server checks the moderator role: a member is refused, nothing changes; results are public."""
    poll_id, message = await create_poll(emulator, town)
    tries: list[tuple[str, dict[str, object]]] = [
        ("poll create", {"question": "Mine?", "options": "A; B"}),
        ("poll close", {"poll_id": poll_id}),
        ("poll export", {"poll_id": poll_id}),
    ]
    for command, args in tries:
        it = await emulator.slash(
            town.guild, town.member, command, channel=town.general, override_permissions=True, options=args
        )
        reply = await it.reply()
        assert reply.ephemeral and "for moderators" in reply.content, (command, reply.content)
        assert not reply.attachments
    assert poll_rows(settings.storage.database_path) == 1
    assert len(emulator.messages_in(town.general)) == 1 and message.buttons()
    shown = await (await emulator.slash(town.guild, town.member, "poll results", poll_id=poll_id)).reply()
    assert "Nobody has voted yet" in shown.text


async def test_hidden_results_stay_hidden_until_close(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """hide_results: the message and /poll results show only the number of voters until close."""
    fast_edits(harness)
    poll_id, message = await create_poll(emulator, town, hide_results=True)
    await vote(emulator, town, town.member, message, poll_id, 1)
    await wait_for_tally(emulator, message, "1 member voted")
    assert "Mobility\n`" not in message.text and "Results are shown when the poll closes" in message.text
    hidden = await (await emulator.slash(town.guild, town.member, "poll results", poll_id=poll_id)).reply()
    assert "hidden until it closes" in hidden.content and "Mobility" not in hidden.content
    export = await (await emulator.slash(town.guild, town.moderator, "poll export", poll_id=poll_id)).reply()
    assert "hidden until it closes" in export.content and not export.attachments
    await (await emulator.slash(town.guild, town.moderator, "poll close", poll_id=poll_id)).reply(timeout=10)
    await wait_closed(emulator, message)
    shown = await (await emulator.slash(town.guild, town.member, "poll results", poll_id=poll_id)).reply()
    assert "Winner: **Mobility**" in shown.text


async def test_close_autocomplete_and_unknown_or_closed_polls(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """poll_id autocompletes over open polls; unknown or closed ids get a clear answer."""
    first, _ = await create_poll(emulator, town, question="Workshop date?")
    second, _ = await create_poll(emulator, town, question="Webinar theme?")
    choices = await emulator.autocomplete(
        town.guild, town.moderator, "poll close", focused="poll_id", value=""
    )
    assert [c["value"] for c in choices] == [second, first]
    choices = await emulator.autocomplete(
        town.guild, town.moderator, "poll close", focused="poll_id", value="webinar"
    )
    assert [c["value"] for c in choices] == [second]
    missing = await (await emulator.slash(town.guild, town.moderator, "poll close", poll_id=9999)).reply()
    assert "no poll #9999" in missing.content
    await (await emulator.slash(town.guild, town.moderator, "poll close", poll_id=first)).reply(timeout=10)
    again = await (await emulator.slash(town.guild, town.moderator, "poll close", poll_id=first)).reply()
    assert "already closed" in again.content
    choices = await emulator.autocomplete(
        town.guild, town.moderator, "poll close", focused="poll_id", value=""
    )
    assert [c["value"] for c in choices] == [second]


async def test_a_click_after_the_closing_time_is_refused_politely(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """A click whose time is past closes_at (timer not yet run) is refused and closes the poll."""
    poll_id, message = await create_poll(emulator, town, closes_in="1m")
    emulator.advance_clock(120)
    answer = await vote(emulator, town, town.member, message, poll_id, 0)
    assert "closed" in answer and "no longer counted" in answer
    await wait_closed(emulator, message)
    assert stored_counts(settings.storage.database_path, poll_id) == [0, 0, 0]
    assert emulator.count_requests("PATCH", EDIT_PATH) == 1


async def test_missing_permissions_are_named_before_anything_is_stored(
    emulator: Emulator, town: Town, harness: BotHarness, settings: Settings
) -> None:
    """Without Embed Links the bot says what it lacks instead of posting a broken poll."""
    for role in (town.guild.everyone, *town.guild.me.roles):
        role.permissions &= ~perms.EMBED_LINKS
    reply = await create_reply(emulator, town, question="Q?", options="A; B")
    assert reply.ephemeral and "I lack embed links" in reply.content, reply.content
    assert poll_rows(settings.storage.database_path) == 0
    assert emulator.messages_in(town.general) == []


async def test_two_moderators_closing_at_once_announce_once(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Concurrent closes: one gets the results and edits the message, the other is told it was closed."""
    poll_id, message = await create_poll(emulator, town)
    first, second = await asyncio.gather(
        emulator.slash(town.guild, town.moderator, "poll close", poll_id=poll_id),
        emulator.slash(town.guild, town.admin, "poll close", poll_id=poll_id),
    )
    answers = [(await first.reply(timeout=10)).content, (await second.reply(timeout=10)).content]
    assert sum("already closed" in a for a in answers) == 1, answers
    assert sum("is closed; its message now shows the final results" in a for a in answers) == 1, answers
    await wait_closed(emulator, message)
    assert emulator.count_requests("PATCH", rf"^/channels/{town.general.id}/messages/{message.id}$") == 1


async def test_mentions_in_member_text_ping_nobody(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """@everyone, @here, a role and a member in the question and options: no message pings anyone."""
    role, person = town.moderators.mention, town.member.mention
    question = f"@everyone {role} {person} which tram?"
    poll_id, message = await create_poll(
        emulator, town, question=question, options=f"@here; {role}; {person}"
    )
    voters = town.guild.add_members(3, prefix="voter")
    said = [message]
    for option, voter in enumerate(voters):
        said.append(await (await click(emulator, town, voter, message, poll_id, option)).reply())
    assert "@here" in said[1].content and f"@&{town.moderators.id}" in said[2].content, "labels are echoed"
    results = await emulator.slash(town.guild, town.member, "poll results", poll_id=poll_id)
    closing = await emulator.slash(town.guild, town.moderator, "poll close", poll_id=poll_id)
    said += [await results.reply(), await closing.reply(timeout=10), await wait_closed(emulator, message)]
    assert "@everyone" in said[-2].content, "the close reply quotes the question"
    for sent in said:
        assert not (sent.mention_everyone or sent.mention_ids or sent.mention_role_ids), sent.content
