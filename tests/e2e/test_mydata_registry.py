"""/mydata on the member-data registry: it asks every registered capability, in erase order, and an
erasure a capability cut short is finished by running /mydata forget again."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import discord

from bot.member_data import Erasure
from sandbox.emulator import Emulator
from sandbox.state import Message
from tests.e2e.harness import BotHarness, Town

if TYPE_CHECKING:
    from tests.e2e.conftest import AppLogWatch


class RecordingHolder:
    """A capability that records who asked it for what, and can fail its first erasures."""

    def __init__(self, name: str, erase_order: int, calls: list[tuple[str, str, int]], fail: int = 0) -> None:
        """Record into the shared `calls` list; fail the first `fail` erasures."""
        self.name = name
        self.erase_order = erase_order
        self.calls = calls
        self.fail = fail

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """A moderator-action list naming the capability (so sections never collide)."""
        self.calls.append(("export", self.name, user_id))
        return {"moderator_actions": {f"{self.name}_probe": [{"user": user_id}]}}

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Count one erased profile, or fail like a capability whose Discord side is down."""
        self.calls.append(("erase", self.name, member.id))
        if self.fail:
            self.fail -= 1
            raise RuntimeError(f"{self.name} could not finish")
        return Erasure({"profile": 1}, [f"{self.name} erased its part."])


async def forget(emu: Emulator, town: Town) -> Message:
    """Run /mydata forget as the member, press Erase and return the prompt once it is answered."""
    prompt = await (await emu.slash(town.guild, town.member, "mydata forget")).reply(timeout=10)
    await emu.click(town.guild, town.member, prompt, f"admin:forget:{town.member.user.id}")
    return await emu.world.wait_until(
        lambda: prompt if "Erasing" not in prompt.content and not prompt.buttons() else None,
        10,
        "the summary",
    )


async def test_export_and_forget_ask_every_registered_capability_in_order(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Two added capabilities: both exported, both erased, the lower erase_order first."""
    assert harness.bot is not None
    await emulator.wait_for_commands(town.guild, {"mydata"})
    calls: list[tuple[str, str, int]] = []
    registry = harness.bot.member_data
    registry.register("LateProbe", RecordingHolder("late", 1000, calls))
    registry.register("EarlyProbe", RecordingHolder("early", -1000, calls))
    user = town.member.user.id

    reply = await (await emulator.slash(town.guild, town.member, "mydata export")).reply(timeout=10)
    assert reply.attachments and "2 records of what you did as a moderator" in reply.content
    assert [c for c in calls if c[0] == "export"] == [("export", "early", user), ("export", "late", user)]

    summary = await forget(emulator, town)
    erased = [c for c in calls if c[0] == "erase"]
    assert erased == [("erase", "early", user), ("erase", "late", user)]
    assert "Done. Erased: 2 profiles" in summary.content
    assert "early erased its part." in summary.content and "late erased its part." in summary.content

    registry.unregister("EarlyProbe")
    registry.unregister("LateProbe")
    calls.clear()
    await forget(emulator, town)
    assert calls == [], "an unregistered capability is not asked"


async def test_a_capability_failing_leaves_the_erasure_to_run_again(
    emulator: Emulator, town: Town, harness: BotHarness, app_log: AppLogWatch
) -> None:
    """The first erasure fails in one capability: the member is told to run it again, which finishes it."""
    app_log.allow(r"in admin:forget:")
    assert harness.bot is not None
    await emulator.wait_for_commands(town.guild, {"mydata"})
    calls: list[tuple[str, str, int]] = []
    harness.bot.member_data.register("FlakyProbe", RecordingHolder("flaky", 500, calls, fail=1))

    first = await forget(emulator, town)
    assert "did not finish" in first.content and "/mydata forget" in first.content

    second = await forget(emulator, town)
    assert "Done. Erased: 1 profile" in second.content and "flaky erased its part." in second.content
    assert [c[0] for c in calls] == ["export", "erase", "export", "erase"]
