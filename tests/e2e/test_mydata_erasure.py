"""/mydata forget really erases: the erased text is in neither the database file nor its WAL.

SQLite leaves deleted text in freed pages and in old WAL frames unless secure_delete is on and the
WAL is checkpointed and truncated; this test reads the raw bytes of both files.
"""

from __future__ import annotations

import copy
from pathlib import Path

from tests.e2e import test_testimonials_stage as staging
from tests.e2e.test_testimonials_stage import Stage

stage = staging.stage

ALICE_MARKER = "Qzx7-alice-tram-story-erasure-marker"
BOB_MARKER = "Wvk4-bob-cycle-story-kept-marker"


def raw_bytes(database: Path) -> dict[str, bytes]:
    """The bytes of the database file and of its write-ahead log (if it exists), by file name."""
    files = [database, database.with_name(database.name + "-wal")]
    return {path.name: path.read_bytes() for path in files if path.exists()}


def files_holding(database: Path, text: str) -> list[str]:
    """The names of the database files whose raw bytes contain the text (UTF-8)."""
    needle = text.encode("utf-8")
    return [name for name, data in raw_bytes(database).items() if needle in data]


async def test_forget_leaves_the_text_in_neither_the_database_nor_its_wal(stage: Stage) -> None:
    """Alice's story is on disk before /mydata forget and nowhere after; Bob's story stays."""
    emu, alice, database = stage.emu, stage.member, stage.settings.storage.database_path
    await emu.wait_for_commands(stage.guild, {"mydata", "testimonial"})
    bob = stage.guild.add_member("bob")
    await stage.create_campaign()
    thanks = await stage.submit(alice, story=f"My tram story. {ALICE_MARKER} Twenty minutes to work.")
    assert "#" in thanks.content, thanks.content
    await stage.submit(bob, story=f"My bicycle story. {BOB_MARKER} The lanes are wide now.")

    # The test can fail: before the erasure the text is on disk.
    assert files_holding(database, ALICE_MARKER), "the story should be stored before the erasure"

    prompt = await (await emu.slash(stage.guild, alice, "mydata forget", channel=stage.town.general)).reply(
        timeout=10
    )
    assert "1 testimonial" in prompt.content
    await emu.click(stage.guild, alice, prompt, f"admin:forget:{alice.user.id}")
    await emu.world.wait_until(lambda: prompt if "Done." in prompt.content else None, 10, "the summary")

    assert files_holding(database, ALICE_MARKER) == [], "erased text must leave no trace in the files"
    wal = database.with_name(database.name + "-wal")
    assert not wal.exists() or wal.stat().st_size == 0, "the WAL is checkpointed and truncated"
    # Only Alice's data went: Bob's story is still stored.
    assert files_holding(database, BOB_MARKER)


async def test_two_members_forget_at_once_each_erasing_only_their_own(stage: Stage) -> None:
    """Alice and Bob open their prompts together and confirm in crossed order; each erases only their own."""
    emu, alice, database = stage.emu, stage.member, stage.settings.storage.database_path
    await emu.wait_for_commands(stage.guild, {"mydata", "testimonial"})
    bob = stage.guild.add_member("bob")
    await stage.create_campaign()
    await stage.submit(alice, story=f"Alice's story. {ALICE_MARKER}")
    await stage.submit(bob, story=f"Bob's story. {BOB_MARKER}")

    prompts = {}
    for who in (alice, bob):
        it = await emu.slash(stage.guild, who, "mydata forget", channel=stage.town.general)
        prompts[who.user.id] = await it.reply(timeout=10)
    # Discord shows Alice's prompt to her only; Bob pressing her button on a forged copy erases nothing.
    forged = emu.post_message(bob, stage.town.general, "copied")
    forged.components = copy.deepcopy(prompts[alice.user.id].components)
    crossed = await (await emu.click(stage.guild, bob, forged, f"admin:forget:{alice.user.id}")).reply()
    assert "someone else's" in crossed.content
    assert files_holding(database, ALICE_MARKER) and files_holding(database, BOB_MARKER)

    for who, gone, kept in ((bob, BOB_MARKER, ALICE_MARKER), (alice, ALICE_MARKER, None)):
        prompt = prompts[who.user.id]
        await emu.click(stage.guild, who, prompt, f"admin:forget:{who.user.id}")
        summary = await emu.world.wait_until(
            lambda p=prompt: p if "Done." in p.content else None, 10, f"{who.user.id}'s summary"
        )
        assert "1 testimonial" in summary.content
        assert files_holding(database, gone) == []
        assert kept is None or files_holding(database, kept), "the other member's story is untouched"
