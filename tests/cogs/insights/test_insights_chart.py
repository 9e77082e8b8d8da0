"""The /insights chart: a real PNG for an empty window, a busy year and suppressed groups."""

from __future__ import annotations

import io
import random
from dataclasses import replace
from datetime import date, timedelta

import pytest
from PIL import Image

from bot.i18n import ENGLISH
from cogs.insights.chart import DPI, HEIGHT_INCHES, WIDTH_INCHES, ChartData, render_insights_chart

GROUPS = ["Citizen", "Policy maker", "Researcher", "End user", "Civil society", "Business"]


def data(days: int, *, busy: bool, seed: int = 7) -> ChartData:
    """Chart data for `days` days ending on 10 March 2026, all zero unless busy."""
    rng = random.Random(seed)
    first = date(2026, 3, 10) - timedelta(days=days - 1)

    def series(top: int) -> list[int]:
        """One random (or zero) count per day."""
        return [rng.randint(0, top) if busy else 0 for _ in range(days)]

    return ChartData(
        title=f"Activity per UTC day, the last {days} days",
        days=[first + timedelta(days=i) for i in range(days)],
        votes=series(400),
        testimonials=series(6),
        exchanges=series(3),
        groups=GROUPS,
        profiles=[40, None, 7, 0, 3, None] if busy else [0] * 6,
        stories=[12, None, None, 0, 3, 0] if busy else [0] * 6,
    )


def image(png: bytes) -> Image.Image:
    """Decode PNG bytes, checking the signature first."""
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    return Image.open(io.BytesIO(png))


@pytest.mark.parametrize(("days", "busy"), [(1, False), (30, False), (7, True), (365, True)])
def test_renders_a_png_of_the_expected_size(days: int, busy: bool) -> None:
    """Every window length, empty or busy, gives one decodable PNG of the configured size."""
    picture = image(render_insights_chart(ENGLISH, data(days, busy=busy)))
    assert picture.format == "PNG"
    assert picture.size == (int(WIDTH_INCHES * DPI), int(HEIGHT_INCHES * DPI))


def test_busy_and_empty_charts_differ() -> None:
    """The drawing depends on the data (bars are drawn), not only on the frame."""
    empty = image(render_insights_chart(ENGLISH, data(30, busy=False))).convert("RGB")
    busy = image(render_insights_chart(ENGLISH, data(30, busy=True))).convert("RGB")
    vote_blue = (0x4C, 0x78, 0xA8)
    assert vote_blue not in {colour for _, colour in empty.getcolors(1 << 20) or []}
    assert vote_blue in {colour for _, colour in busy.getcolors(1 << 20) or []}


def test_member_text_cannot_trigger_mathtext() -> None:
    """A title with dollar signs is drawn literally instead of failing as mathematics."""
    png = render_insights_chart(ENGLISH, replace(data(3, busy=True), title="Budget $5 $x^2"))
    assert png.startswith(b"\x89PNG")


def test_mismatched_series_are_refused() -> None:
    """Lengths that do not match the days or the groups are a programming error."""
    good = data(5, busy=True)
    with pytest.raises(ValueError, match="votes"):
        render_insights_chart(ENGLISH, replace(good, votes=[1, 2]))
    with pytest.raises(ValueError, match="groups"):
        render_insights_chart(ENGLISH, replace(good, stories=[1]))
    with pytest.raises(ValueError, match="at least one day"):
        render_insights_chart(ENGLISH, replace(good, days=[], votes=[], testimonials=[], exchanges=[]))
