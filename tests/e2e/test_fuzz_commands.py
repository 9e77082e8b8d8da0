"""Fuzz every slash command: hostile option values from ordinary members and moderators.

Hypothesis draws, for every command the bot synced, option values within what Discord's client lets a
person send (types, lengths, bounds, choices) but otherwise hostile: long unicode, right-to-left and
zero-width characters, mentions, SQL and FTS syntax, numbers at their bounds. Every interaction must be
answered within 3 s, nothing Discord would reject may be sent, no error may be logged, and the
database must pass `PRAGMA integrity_check`. CLIMABOT_FUZZ_EXAMPLES sets how many rounds
(default 8, about 15 s).
"""

from __future__ import annotations

import asyncio
import os
import sqlite3
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sandbox.emulator import Emulator
from sandbox.interactions import CB_DEFER, InteractionRecord
from tests.e2e.harness import BotHarness, Town, bot_settings, build_town, configure_town
from tests.sandbox.fixtures import fail_on_rejected_requests

EXAMPLES = int(os.environ.get("CLIMABOT_FUZZ_EXAMPLES", "8"))
ANSWER_WITHIN = 3.0
# A deferred command (e.g. /insights) may take longer than 3 s to fill its "thinking" message.
FINAL_ANSWER_WITHIN = 15.0
STRING, INTEGER, BOOLEAN, USER, CHANNEL, ROLE, MENTIONABLE, NUMBER, ATTACHMENT = 3, 4, 5, 6, 7, 8, 9, 10, 11
HOSTILE = [
    "@everyone",
    "@here",
    "<@&1>",
    "<@1> <#1> <@!1>",
    "\u200b\u200b\u200b",
    "\u202e\u2066evil\u2069",
    "‏مرحبا بالعالم‎",
    "'; DROP TABLE polls; --",
    '" OR 1=1 --',
    'NEAR("a" "b") AND * OR -x ^ "',
    "x" * 120,
    "🌍" * 40,
    "a\u0301\u0301\u0301\u0301\u0301\u0301",
    "**bold** `code` ||spoiler|| > quote",
    "2026-02-30 25:61",
    "in -3d",
    "europe/brussels",
    "https://example.org/" + "a" * 80,
    "\n\n\t ",
    "a;b;;c;" + ";" * 30,
]


def leaves(commands: list[dict[str, Any]]) -> list[tuple[str, list[dict[str, Any]]]]:
    """Every runnable command path (`poll create`) with its declared options."""
    found: list[tuple[str, list[dict[str, Any]]]] = []

    def walk(path: str, node: dict[str, Any]) -> None:
        """Descend into subcommand groups and subcommands."""
        subs = [o for o in node.get("options", []) if o["type"] in (1, 2)]
        if subs:
            for sub in subs:
                walk(f"{path} {sub['name']}", sub)
        else:
            found.append((path, node.get("options", [])))

    for command in commands:
        if command.get("type", 1) == 1:
            walk(command["name"], command)
    return sorted(found)


def string_value(option: dict[str, Any]) -> st.SearchStrategy[str]:
    """Text within the option's length limits: hostile samples or arbitrary unicode."""
    low, high = option.get("min_length", 0), option.get("max_length", 6000)
    text = st.one_of(st.sampled_from(HOSTILE), st.text(min_size=0, max_size=min(high, 300)))
    return text.map(lambda s: (s + "x" * low)[: max(low, min(len(s), high))] if len(s) < low else s[:high])


def number_value(option: dict[str, Any]) -> st.SearchStrategy[Any]:
    """A number within the option's bounds, often exactly at one of them."""
    low, high = option.get("min_value", -(2**53)), option.get("max_value", 2**53)
    if option["type"] == INTEGER:
        return st.one_of(st.sampled_from([low, high, 0, 1, -1]), st.integers(low, high)).filter(
            lambda n: low <= n <= high
        )
    return st.floats(low, high, allow_nan=False, allow_infinity=False)


def option_value(option: dict[str, Any], town: Town) -> st.SearchStrategy[Any] | None:
    """A strategy for one option's value, or None where a person could not fill it in here."""
    if option.get("choices"):
        return st.sampled_from([c["value"] for c in option["choices"]])
    kind = option["type"]
    if kind == STRING:
        return string_value(option)
    if kind in (INTEGER, NUMBER):
        return number_value(option)
    if kind == BOOLEAN:
        return st.booleans()
    if kind == USER:
        return st.sampled_from([town.admin, town.moderator, town.member])
    if kind in (ROLE, MENTIONABLE):
        return st.sampled_from([town.moderators])
    if kind == CHANNEL:
        types = option.get("channel_types")
        channels = [town.general, town.announcements, town.moderation, town.showcase, town.exchange]
        fitting = [c for c in channels if types is None or c.type in types]
        return st.sampled_from(fitting) if fitting else None
    return None  # attachments: a fuzz upload adds nothing the media tests do not cover


@st.composite
def command_case(draw: st.DrawFn, town: Town, path: str, options: list[dict[str, Any]]) -> dict[str, Any]:
    """One command run: who runs it and with which option values."""
    values: dict[str, Any] = {}
    for option in options:
        strategy = option_value(option, town)
        if strategy is None:
            if option.get("required"):
                return {}
            continue
        if option.get("required") or draw(st.booleans()):
            values[option["name"]] = draw(strategy)
    who = draw(st.sampled_from(["member", "moderator", "admin"]))
    return {"path": path, "who": who, "values": values}


def pending(it: InteractionRecord) -> bool:
    """Whether the bot still owes this interaction its answer: no callback, or a deferral not yet filled."""
    if it.callback_type is None:
        return True
    original = it.original
    return it.callback_type == CB_DEFER and original is not None and original.loading and not original.deleted


async def final_answer(emulator: Emulator, it: InteractionRecord) -> None:
    """Wait for the callback within Discord's 3 s, then for the followup or edit that fills a deferral."""
    await it.responded(timeout=ANSWER_WITHIN)
    await emulator.world.wait_until(
        lambda: True if not pending(it) else None, FINAL_ANSWER_WITHIN, f"the final answer to {it!r}"
    )


async def nothing_pending(emulator: Emulator) -> None:
    """Wait until every interaction the emulator dispatched has its final answer."""
    await emulator.world.wait_until(
        lambda: True if not any(pending(it) for it in emulator.world.interactions.values()) else None,
        FINAL_ANSWER_WITHIN,
        "every interaction to be answered",
    )


async def start_world(data: Path, emulator: Emulator) -> tuple[Town, BotHarness]:
    """The standard town in a started emulator and a started bot on a database in `data`."""
    await emulator.start()
    town = build_town(emulator)
    bot_config = bot_settings(emulator, data, [town.guild.id])
    await configure_town(bot_config, town)
    harness = BotHarness(emulator, bot_config)
    await harness.start()
    return town, harness


async def fuzz_round(data: Path, draw: st.DrawFn) -> None:
    """Run every command once with drawn values; check answers, requests and the database."""
    emulator = Emulator()
    harness: BotHarness | None = None
    try:
        town, harness = await start_world(data, emulator)
        runnable = leaves(emulator.commands(town.guild))
        assert len(runnable) > 20, f"expected the full command surface, got {runnable}"
        for path, options in draw(st.permutations(runnable)):
            case = draw(command_case(town, path, options))
            if not case:
                continue
            channel = town.exchange if path.startswith("exchange resolve") else town.general
            options_arg = {"options": case["values"]}
            it = await emulator.slash(
                town.guild,
                getattr(town, case["who"]),
                path,
                channel=channel,
                override_permissions=True,
                **options_arg,
            )
            await final_answer(emulator, it)
        await nothing_pending(emulator)
        fail_on_rejected_requests(emulator)
    finally:
        if harness is not None:
            await harness.stop()
        await emulator.stop()
    with sqlite3.connect(data / "climabot.sqlite3") as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone() == ("ok",)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=os.environ.get("CI") == "true",
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_command_survives_hostile_input(data: st.DataObject, discord_log, app_log) -> None:  # type: ignore[no-untyped-def]
    """No command, given anything a person could type, fails, hangs or sends what Discord refuses."""
    with tempfile.TemporaryDirectory() as folder:
        asyncio.run(fuzz_round(Path(folder), data.draw))
