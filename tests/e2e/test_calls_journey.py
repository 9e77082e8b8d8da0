"""Funding calls through the emulator: the form, announcing, import, list, show, calendar, edit, remove."""

from __future__ import annotations

import csv
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar

from cogs.calls.views import COG_NAME
from sandbox.emulator import Emulator
from sandbox.interactions import InteractionRecord
from sandbox.state import Message
from tests.e2e.harness import BotHarness, Town

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"


def later(days: int) -> str:
    """A date `days` from now, as a moderator types it."""
    return (datetime.now(UTC) + timedelta(days=days)).strftime("%Y-%m-%d")


async def open_add_form(emu: Emulator, town: Town, **options: str) -> InteractionRecord:
    """Run /calls add as the moderator and return the interaction answered with the form."""
    it = await emu.slash(town.guild, town.moderator, "calls add", **options)
    await it.wait_modal()
    return it


async def add_call(emu: Emulator, town: Town, identifier: str, *, days: int = 60, **fields: str) -> Message:
    """Register a call through the form and return the confirmation message."""
    it = await open_add_form(emu, town)
    values = {
        "identifier": identifier,
        "title": fields.get("title", "Zero-pollution cities"),
        "deadline": fields.get("deadline", later(days)),
        "link": fields.get("link", "https://ec.europa.eu/info/funding-tenders/x"),
        "summary": fields.get("summary", "Cut air and noise pollution."),
    }
    submitted = await emu.submit_modal(town.guild, town.moderator, it, values)
    return await submitted.reply()


async def test_moderator_registers_a_call_by_form_and_announces_it_once(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """The form stores the call with its reminders; "Announce now" posts once, without pinging anyone."""
    it = await open_add_form(emulator, town, programme="horizon-europe", tags="air quality, noise")
    assert it.modal is not None
    labels = [c.get("label") for c in it.modal["components"]]
    assert labels == ["Identifier", "Title", "Deadline", "Link", "Summary"]
    submitted = await emulator.submit_modal(
        town.guild,
        town.moderator,
        it,
        {
            "identifier": "horizon-miss-2027-cit-01-02",
            "title": "Zero-pollution cities",
            "deadline": later(60),
            "link": "https://ec.europa.eu/info/funding-tenders/x",
            "summary": "Cut air and noise pollution @everyone.",
        },
    )
    confirmation = await submitted.reply()
    assert confirmation.ephemeral
    assert "Registered `HORIZON-MISS-2027-CIT-01-02`" in confirmation.content
    assert "Reminders: 14 days before" in confirmation.content
    assert "air quality, noise" in confirmation.text
    call = await harness.bot.repos.calls.get(town.guild.id, "HORIZON-MISS-2027-CIT-01-02")  # type: ignore[union-attr]
    assert call is not None and call.programme == "horizon-europe"
    jobs = harness.bot.timeline.pending("reminder:")  # type: ignore[union-attr]
    assert len(jobs) == 3

    announce = f"calls:announce:{call.id}"
    clicked = await emulator.click(town.guild, town.moderator, confirmation, announce)
    assert "Announced" in (await clicked.reply()).content
    posted = await emulator.wait_for_message(town.announcements, lambda m: "New funding call" in m.content)
    assert "HORIZON-MISS-2027-CIT-01-02" in posted.text and "Zero-pollution cities" in posted.text
    assert posted.mention_ids == [] and posted.mention_role_ids == [] and not posted.mention_everyone
    again = await emulator.click(town.guild, town.moderator, confirmation, announce)
    assert "already announced" in (await again.reply()).content
    assert len(emulator.messages_in(town.announcements)) == 1

    assert posted.buttons() == []  # the public post carries no moderator buttons


async def test_bad_form_input_is_refused_and_nothing_is_stored(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Past deadline, bad identifier, non-http link, duplicate: a private error; the form can be reopened."""
    for identifier, deadline, link, expected in [
        ("HORIZON-1", "2020-01-01", "https://a.eu", "in the past"),
        ("bad id!", later(30), "https://a.eu", "not valid"),
        ("HORIZON-1", later(30), "ftp://a.eu/x", "not a web address"),
        ("HORIZON-1", "someday", "https://a.eu", "could not read"),
    ]:
        reply = await add_call(emulator, town, identifier, deadline=deadline, link=link)
        assert reply.ephemeral and expected in reply.content, reply.content
    assert await harness.bot.repos.calls.search(town.guild.id, "", now=datetime.now(UTC)) == []  # type: ignore[union-attr]
    retry = reply.buttons()[0]["custom_id"]
    reopened = await emulator.click(town.guild, town.moderator, reply, retry)
    form = await reopened.wait_modal()
    fields = {c["component"]["custom_id"]: c["component"].get("value") for c in form["components"]}
    assert fields["deadline"] == "someday" and fields["identifier"] == "HORIZON-1"
    fixed = await emulator.submit_modal(town.guild, town.moderator, reopened, {"deadline": later(30)})
    assert "Registered `HORIZON-1`" in (await fixed.reply()).content
    duplicate = await add_call(emulator, town, "horizon-1")
    assert "already registered" in duplicate.content
    denied = await emulator.slash(town.guild, town.member, "calls add")
    assert "moderators" in (await denied.reply()).content


async def test_import_reports_rows_and_reimport_never_duplicates(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """A file with good and bad rows: counts and reasons; the same calls as CSV: all unchanged."""
    # The example calls, with deadlines moved ahead of today so the test does not age.
    good = json.loads((EXAMPLES / "calls.json").read_text())["calls"]
    for index, row in enumerate(good):
        row.pop("opens", None)
        row["deadline"] = later(200 + index)
    rows = [
        *good,
        {"identifier": "", "title": "x", "deadline": later(3)},
        {**good[0], "link": "mailto:x@y.eu"},
    ]
    upload = emulator.upload("calls.json", json.dumps(rows).encode(), "application/json")
    reply = await (await emulator.slash(town.guild, town.moderator, "calls import", file=upload)).reply(
        timeout=10
    )
    assert reply.content.startswith("Import finished: 8 added, 0 updated, 0 unchanged, 2 rejected."), (
        reply.content
    )
    assert "item 9: The identifier is missing" in reply.content
    assert "item 10 (`HORIZON-MISS-2027-CIT-01-01`)" in reply.content and "not a web address" in reply.content
    as_csv = io.StringIO()
    writer = csv.DictWriter(
        as_csv,
        fieldnames=["identifier", "title", "programme", "deadline", "link", "summary", "tags", "timezone"],
    )
    writer.writeheader()
    writer.writerows({**row, "tags": "; ".join(row.get("tags", []))} for row in good)
    csv_upload = emulator.upload("calls.csv", as_csv.getvalue().encode(), "text/csv")
    again = await (await emulator.slash(town.guild, town.moderator, "calls import", file=csv_upload)).reply(
        timeout=10
    )
    assert again.content.startswith("Import finished: 0 added, 0 updated, 8 unchanged, 0 rejected."), (
        again.content
    )

    many_bad = "identifier,title,deadline\n" + "".join(f"BAD-{i:03d},Title,31/12/2027\n" for i in range(120))
    upload = emulator.upload("bad.csv", many_bad.encode(), "text/csv")
    long_report = await (await emulator.slash(town.guild, town.moderator, "calls import", file=upload)).reply(
        timeout=10
    )
    assert len(long_report.content) <= 2000 and "full report is attached" in long_report.content
    report_file = long_report.attachments[0]
    assert report_file.filename == "import-report.csv"
    assert report_file.data.decode().count("rejected") == 120

    wrong = emulator.upload("calls.xlsx", b"PK\x03\x04", "application/octet-stream")
    refused = await (await emulator.slash(town.guild, town.moderator, "calls import", file=wrong)).reply()
    assert ".csv" in refused.content


async def test_list_pages_show_autocomplete_and_calendar(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """Members page through open calls with buttons (also after a restart), look one up, get the .ics."""
    rows = [
        {"identifier": f"LIFE-2027-{i:02d}", "title": f"Call {i}", "deadline": later(10 + i)}
        for i in range(11)
    ]
    upload = emulator.upload("calls.json", json.dumps(rows).encode(), "application/json")
    await (await emulator.slash(town.guild, town.moderator, "calls import", file=upload)).reply(timeout=10)

    first = await (await emulator.slash(town.guild, town.member, "calls list")).reply()
    assert "LIFE-2027-00" in first.text and "LIFE-2027-08" not in first.text
    assert "Page 1 of 2" in first.text and ":R>" in first.text
    next_id = "calls:page:open:*:1:n"
    assert [b.get("disabled", False) for b in first.buttons()] == [True, False]
    await harness.restart()
    page = await emulator.click(town.guild, town.member, first, next_id)
    await page.responded()
    second = emulator.world.messages[first.id]
    assert "Page 2 of 2" in second.text and "LIFE-2027-10" in second.text

    choices = await emulator.autocomplete(
        town.guild, town.member, "calls show", focused="identifier", value="2027-1"
    )
    assert [c["value"] for c in choices] == ["LIFE-2027-10"]
    shown = await (
        await emulator.slash(town.guild, town.member, "calls show", identifier="life-2027-03")
    ).reply()
    assert "Call 3" in shown.text and "Deadline" in shown.text
    missing = await (await emulator.slash(town.guild, town.member, "calls show", identifier="NOPE-1")).reply()
    assert "no call" in missing.content

    cal_reply = await (await emulator.slash(town.guild, town.member, "calls calendar")).reply(timeout=10)
    ics = cal_reply.attachments[0]
    assert ics.filename == "call-deadlines.ics"
    events = list(icalendar.Calendar.from_ical(ics.data).walk("VEVENT"))
    assert len(events) == 11
    assert {str(e["UID"]) for e in events} == {
        f"LIFE-2027-{i:02d}.{town.guild.id}@climabot" for i in range(11)
    }


async def test_edit_moves_reminders_and_remove_cancels_them(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """A new deadline replaces the pending reminder jobs; removing the call drops them all."""
    await add_call(emulator, town, "DUT-2027", days=60)
    bot = harness.bot
    assert bot is not None
    call = await bot.repos.calls.get(town.guild.id, "DUT-2027")
    assert call is not None
    before = set(bot.timeline.pending("reminder:"))
    it = await emulator.slash(
        town.guild, town.moderator, "calls edit", identifier="DUT-2027", programme="dut"
    )
    form = await it.wait_modal()
    assert [c["component"]["custom_id"] for c in form["components"]] == [
        "title",
        "deadline",
        "link",
        "summary",
        "tags",
    ]
    edited = await emulator.submit_modal(
        town.guild, town.moderator, it, {"deadline": later(90), "tags": "energy"}
    )
    assert "deadline moved" in (await edited.reply()).content
    after = set(bot.timeline.pending("reminder:"))
    assert len(after) == 3 and not (before & after)
    moved = await bot.repos.calls.get(town.guild.id, "DUT-2027")
    assert moved is not None and moved.programme == "dut" and moved.tags == ("energy",)
    for job_id in after:
        reminder = await bot.repos.calls.reminder(int(job_id.split(":")[1]))
        assert reminder is not None and reminder.deadline_at == moved.deadline_at
        assert bot.scheduler.get_job(job_id).next_run_time == reminder.due_at

    removed = await (
        await emulator.slash(town.guild, town.moderator, "calls remove", identifier="dut-2027")
    ).reply()
    assert "cancelled 3 reminders" in removed.content
    assert bot.timeline.pending("reminder:") == []
    assert bot.get_cog(COG_NAME) is not None


async def test_new_call_announcement_can_be_scheduled_from_the_confirmation(
    emulator: Emulator, town: Town, harness: BotHarness
) -> None:
    """ "Schedule announcement" asks when; the call is posted then; a demoted moderator's click is refused."""
    confirmation = await add_call(emulator, town, "EUI-IA-05", title="Innovative Actions")
    bot = harness.bot
    assert bot is not None
    call = await bot.repos.calls.get(town.guild.id, "EUI-IA-05")
    assert call is not None
    button = f"calls:schedule:{call.id}"
    assert button in [b["custom_id"] for b in confirmation.buttons()]
    opened = await emulator.click(town.guild, town.moderator, confirmation, button)
    await opened.wait_modal()
    past = await emulator.submit_modal(town.guild, town.moderator, opened, {"when": "2020-01-01 10:00"})
    assert "in the past" in (await past.reply()).content
    opened = await emulator.click(town.guild, town.moderator, confirmation, button)
    await opened.wait_modal()
    done = await emulator.submit_modal(
        town.guild, town.moderator, opened, {"when": "in 1s", "message": "Apply before summer!"}
    )
    assert "will be posted in" in (await done.reply()).content
    posted = await emulator.wait_for_message(town.announcements, lambda m: "Apply before summer" in m.content)
    assert "Innovative Actions" in posted.text and "EUI-IA-05" in posted.text
    town.guild.take_role(town.moderator, town.moderators)
    demoted = await emulator.click(town.guild, town.moderator, confirmation, f"calls:announce:{call.id}")
    assert "This is for moderators" in (await demoted.reply()).content
