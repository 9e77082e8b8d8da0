"""Pure rules and exports of citizen proposals, called directly."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import ValidationError
from bot.i18n import ENGLISH
from cogs.proposals.export import ExportData, export_file, pseudonym
from cogs.proposals.render import post_embed
from cogs.proposals.rules import applied_tags, clean_title, progress_bar
from cogs.proposals.views import SUPPORT_LABEL
from storage.proposal_records import (
    Proposal,
    ProposalEvent,
    SupportAction,
    SupportCell,
    masked_count,
    support_click,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
AUTHOR = 471_234_567_890_123_456


def proposal(**changes: object) -> Proposal:
    """A proposal with sensible defaults."""
    fields: dict[str, object] = dict(
        id=1, guild_id=5, author_id=AUTHOR, city_id=None, city_name="Lyon", theme="energy",
        title="=HYPERLINK()",
        body="Solar roofs", benefit="Less CO2", status="accepted", progress=40, supports=4, forum_id=None,
        thread_id=None, message_id=None, created_at=T0, updated_at=T0, threshold_notified_at=None,
    )  # fmt: skip
    fields.update(changes)
    return Proposal(**fields)  # type: ignore[arg-type]


def test_support_click_rules() -> None:
    assert support_click(None, "open") is SupportAction.SUPPORTED
    assert support_click(0.4, "open") is SupportAction.UNCHANGED
    assert support_click(-0.2, "open") is SupportAction.UNCHANGED
    assert support_click(5.0, "open") is SupportAction.WITHDRAWN
    assert support_click(None, "accepted") is SupportAction.NOT_OPEN


def test_exactly_one_status_tag_and_theme_kept() -> None:
    names = {1: "Energy", 2: "Open", 3: "Off topic", 4: "Accepted"}
    assert applied_tags([1, 2, 3], names, "Energy", "accepted") == ["Energy", "Off topic", "Accepted"]
    assert applied_tags([2, 4], names, "Energy", "rejected") == ["Energy", "Rejected"]


def test_progress_bar_and_masks() -> None:
    assert progress_bar(0) == "▱" * 10 and progress_bar(100) == "▰" * 10 and progress_bar(34) == "▰▰▰▱▱▱▱▱▱▱"
    assert [masked_count(n) for n in (0, 2, 3)] == ["<3", "<3", "3"]


def test_invisible_title_is_refused() -> None:
    with pytest.raises(ValidationError):
        clean_title("\u200b \u2060")
    assert clean_title("  Solar\n roofs ") == "Solar roofs"


def data() -> ExportData:
    """One proposal with history and support cells."""
    event = ProposalEvent(1, 1, "status", "accepted", None, "-budget", 99, T0)
    cells = [SupportCell(1, "citizen", "Lyon", 2), SupportCell(1, None, None, 7)]
    return ExportData([proposal(), proposal(id=2, author_id=None, status="open")], [event], cells, b"k" * 32)


def test_csv_is_spreadsheet_safe_and_pseudonymous() -> None:
    name, payload = export_file(ENGLISH, data(), "csv", "proposals")
    text = payload.decode()
    assert name == "proposals.csv" and str(AUTHOR) not in text
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["title"] == "'=HYPERLINK()" and rows[0]["author"] == pseudonym(b"k" * 32, AUTHOR)
    assert rows[1]["author"] == ""


def test_jsonl_has_history_and_masked_support() -> None:
    _, payload = export_file(ENGLISH, data(), "jsonl", "proposals")
    first = json.loads(payload.decode().splitlines()[0])
    assert first["history"][0]["status"] == "accepted" and "99" not in json.dumps(first)
    assert [c["supports"] for c in first["support_by_group_and_city"]] == ["<3", "7"]


def test_datapackage_passes_frictionless(tmp_path: Path) -> None:
    frictionless = pytest.importorskip("frictionless")
    _, payload = export_file(ENGLISH, data(), "datapackage", "proposals")
    zipfile.ZipFile(io.BytesIO(payload)).extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])


def test_the_supporter_heading_is_its_own_text_not_the_button_label() -> None:
    """The post's count heading (a noun) and the Support button (a verb) translate separately."""
    fields = [f.name for f in post_embed(ENGLISH, proposal(status="open")).fields]
    assert "Supporters" in fields and SUPPORT_LABEL not in fields
    assert SUPPORT_LABEL == "Support"
