"""Every text of the calls capability comes from the catalogs: embeds, reminders, reports, the calendar,
slash-command descriptions and choice names (a pseudo catalog marks each translated text)."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest
from discord import app_commands

from bot.catalogs import extract
from bot.i18n import ENGLISH, Lang, Msg
from cogs.calls.announce_cog import REPEAT_CHOICES, AnnounceCog
from cogs.calls.calendar import deadlines_calendar
from cogs.calls.calls_cog import PROGRAMME_CHOICES, STATUS_CHOICES, CallsCog
from cogs.calls.importing import ImportReport, Rejected, parse_calls_file
from cogs.calls.render import (
    announcement_label,
    announcement_line,
    call_embed,
    list_embed,
    missed_announcement_notice,
    new_call_message,
    reminder_dm_text,
    reminder_summary,
    reminder_text,
    scheduled_text,
    subscribed_text,
)
from cogs.calls.views import ADD_FORM, EDIT_FORM, SCHEDULE_FORM, new_call_view
from storage.announcements import Announcement
from storage.calls import Call, CallStatus, Reminder
from tests.cogs.calls.pseudo_catalog import pseudo_lang

NOW = datetime(2026, 11, 1, 12, 0, tzinfo=UTC)
BRUSSELS = "Europe/Brussels"


@pytest.fixture(scope="module")
def german(tmp_path_factory: pytest.TempPathFactory) -> Lang:
    """A pseudo-German catalog: every msgid comes back as `[de] <msgid>`."""
    return pseudo_lang(Path(tmp_path_factory.mktemp("locales")), "de")


def make_call(**changes: object) -> Call:
    """A stored call."""
    call = Call(
        id=1,
        guild_id=42,
        identifier="LIFE-2027-01",
        title="Cleaner air",
        programme="life",
        opens_at=NOW - timedelta(days=1),
        deadline_at=datetime(2027, 9, 16, 15, 0, tzinfo=UTC),
        timezone=BRUSSELS,
        link="https://ec.europa.eu/x",
        summary="Cut pollution.",
        tags=("air",),
        revision=0,
        created_by=7,
        created_at=NOW,
        updated_at=NOW,
    )
    return replace(call, **changes)  # type: ignore[arg-type]


def make_announcement(**changes: object) -> Announcement:
    """A pending weekly announcement that pings a role."""
    item = Announcement(
        id=5,
        guild_id=42,
        channel_id=99,
        message="Webinar",
        repeat="weekly",
        timezone=BRUSSELS,
        first_local=datetime(2026, 11, 2, 9, 0),
        occurrence=0,
        next_due_at=datetime(2026, 11, 2, 8, 0, tzinfo=UTC),
        ping_role_id=77,
        call_id=None,
        state="pending",
        sent_count=0,
        last_message_id=None,
        created_by=7,
        created_at=NOW,
        note=None,
    )
    return replace(item, **changes)  # type: ignore[arg-type]


def test_the_call_embed_and_list_speak_the_language(german: Lang) -> None:
    """Field names, the status, the programme, the footer and the list title are translated."""
    embed = call_embed(german, make_call(), now=NOW)
    assert all(field.name and field.name.startswith("[de] ") for field in embed.fields)
    values = {field.name: field.value for field in embed.fields}
    assert values["[de] Status"] == "[de] Open" and values["[de] Programme"] == "[de] LIFE"
    assert embed.footer.text == "[de] Times are shown in your own time zone."
    page = list_embed(german, [make_call()], status=CallStatus.OPEN, programme_code="life", page=0, total=1)
    assert page.title == "[de] Open funding calls · [de] LIFE"
    assert page.footer.text == "[de] Page 1 of 1 · [de] {n} call".replace("{n}", "1")
    assert page.description is not None and "[de] Deadline <t:" in page.description
    empty = list_embed(german, [], status=CallStatus.CLOSED, programme_code=None, page=0, total=0)
    assert empty.title == "[de] Closed funding calls" and (empty.description or "").startswith("[de] ")


def test_reminders_and_announcement_texts_speak_the_language(german: Lang) -> None:
    """Channel and DM reminders, the new-call post, summaries and the scheduled reply are translated."""
    call = make_call()
    assert reminder_text(german, call, timedelta(days=3)).startswith(
        "[de] ⏰ **[de] {n} days".replace("{n}", "3")
    )
    dm = reminder_dm_text(german, call, timedelta(days=3), "Mission")
    assert dm.splitlines()[1].startswith("[de] You get this") and "**Mission**" in dm
    assert new_call_message(german, call).startswith("[de] 📣")
    reminder = Reminder(
        id=1,
        call_id=1,
        guild_id=42,
        offset=timedelta(days=14),
        deadline_at=call.deadline_at,
        due_at=NOW,
        state="pending",
        message_id=None,
        note=None,
    )
    assert reminder_summary(german, [reminder]).startswith("[de] Reminders: [de] [de] 14 days before")
    assert reminder_summary(german, []).startswith("[de] No deadline reminders")
    item = make_announcement()
    confirmation = scheduled_text(german, item, "<#99>", "<@&77>", silent=True)
    first, warning = confirmation.splitlines()[0].split(". [de] ⚠️")
    assert first.startswith("[de] Announcement #5") and "[de] weekly at 09:00 Europe/Brussels" in first
    assert warning
    line = announcement_line(german, item)
    assert line.startswith("[de] **#5**") and "[de] repeats weekly" in line and "[de] pings <@&77>" in line
    assert announcement_label(german, item=item, later=2).startswith("[de] announcement #5")
    assert missed_announcement_notice(german, item, timedelta(hours=1)).startswith("[de] Announcement #5")
    assert subscribed_text(german, "life", added=True, when="x").startswith("[de] Subscribed")


def test_the_import_report_and_its_reasons_speak_the_language(german: Lang) -> None:
    """Headline, where each rejected row stands and why, in the summary and in the CSV report."""
    header = "identifier,title,deadline\n"
    parsed = parse_calls_file(
        (header + "OK-1,Fine,2027-01-10\nBAD-1,Bad,someday\n").encode(),
        "calls.csv",
        default_tz=ZoneInfo(BRUSSELS),
        now=NOW,
    )
    report = ImportReport(added=["OK-1"], rejected=parsed.rejected)
    text, cut = report.summary(german, 2000)
    assert not cut
    assert text.splitlines()[0].startswith("[de] Import finished: 1 added")
    assert "- [de] row 3 (`BAD-1`): [de] bad date `someday` in deadline; [de] use YYYY-MM-DD" in text
    csv_text = report.full_csv(german)
    assert csv_text.startswith("where,identifier,outcome,reason")
    assert '[de] row 3,BAD-1,rejected,"[de] bad date' in csv_text
    # The log and str() stay English.
    assert str(parsed.rejected[0].reason).startswith("bad date")
    assert ENGLISH.render(Rejected(Msg("row {n}", n=2), None, Msg("missing deadline")).where) == "row 2"


def test_the_calendar_speaks_the_language_with_dates_written_by_babel(german: Lang) -> None:
    """SUMMARY, DESCRIPTION (with the deadline written out the German way) and the alarm are German."""
    data = deadlines_calendar(german, [make_call()], name="x", now=NOW)
    (event,) = icalendar.Calendar.from_ical(data).walk("VEVENT")
    assert str(event["SUMMARY"]) == "[de] Deadline: LIFE-2027-01 — Cleaner air"
    description = str(event["DESCRIPTION"])
    assert "[de] Programme: [de] LIFE" in description
    assert "[de] Deadline: 16. September 2027, 17:00:00 MESZ" in description
    (alarm,) = event.walk("VALARM")
    assert str(alarm["DESCRIPTION"]) == "[de] LIFE-2027-01 closes soon"
    english = str(
        icalendar.Calendar.from_ical(deadlines_calendar(ENGLISH, [make_call()], name="x", now=NOW)).walk(
            "VEVENT"
        )[0]["DESCRIPTION"]
    )
    assert "Deadline: September 16, 2027" in english


def test_forms_and_buttons_speak_the_language(german: Lang) -> None:
    """Modal titles, labels and help texts of the three forms, and the buttons under a new call."""
    add = ADD_FORM.build({"zone": BRUSSELS, "programme": None, "tags": ""}, {}, german)
    edit = EDIT_FORM.build({"call": 1, "identifier": "LIFE-1", "zone": BRUSSELS, "values": {}}, {}, german)
    when = SCHEDULE_FORM.build({"call": 1, "zone": BRUSSELS}, {}, german)
    assert (add.title, edit.title, when.title) == (
        "[de] Register a funding call",
        "[de] Edit LIFE-1",
        "[de] Schedule the announcement",
    )
    for modal in (add, edit, when):
        for label in modal.children:
            assert label.text.startswith("[de] "), label.text  # type: ignore[attr-defined]
            description = label.description  # type: ignore[attr-defined]
            assert description is None or description.startswith(("[de] ", "https://")), description
    view = new_call_view(german, 3)
    assert [item.item.label for item in view.children] == [  # type: ignore[attr-defined]
        "[de] Announce now",
        "[de] Schedule announcement",
    ]


def slash_texts(group: app_commands.Group) -> list[str]:
    """Every description of a command group, its commands and their options, and every choice name."""
    texts = [group.description]
    for command in group.commands:
        assert isinstance(command, app_commands.Command)
        texts.append(command.description)
        for parameter in command.parameters:
            texts.append(parameter.description)
            texts.extend(choice.name for choice in parameter.choices)
    return texts


def test_every_slash_description_and_choice_name_is_in_the_catalog() -> None:
    """What the CommandTranslator looks up is an extracted msgid, so Discord gets every language."""
    known = {message.id for message in extract() if isinstance(message.id, str)}
    texts = slash_texts(CallsCog.calls_group) + slash_texts(AnnounceCog.announce_group)
    texts += [c.name for c in (*PROGRAMME_CHOICES, *STATUS_CHOICES, *REPEAT_CHOICES)]
    missing = [text for text in texts if text not in known and text != "…"]
    assert missing == []
    # Choice values are the public contract and stay as they were.
    assert sorted(c.value for c in STATUS_CHOICES) == ["closed", "open", "upcoming"]
    assert [c.value for c in REPEAT_CHOICES] == ["none", "daily", "weekly", "monthly"]
