"""Results chart rendering."""

from __future__ import annotations

import asyncio
import struct

import pytest

from bot.i18n import ENGLISH
from cogs.polls.chart import render_chart

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk."""
    assert data.startswith(PNG_SIGNATURE)
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def test_chart_is_a_png() -> None:
    """A simple poll renders to PNG bytes of a sensible size."""
    data = render_chart(ENGLISH, "Which pilot first?", ["Energy", "Mobility"], [3, 5])
    width, height = png_size(data)
    assert 400 <= width <= 2000 and 100 <= height <= 2000


def test_counts_change_the_image() -> None:
    """The picture depends on the counts (it is not a fixed placeholder)."""
    assert render_chart(ENGLISH, "q", ["a", "b"], [1, 5]) != render_chart(ENGLISH, "q", ["a", "b"], [5, 1])


def test_worst_case_input_renders() -> None:
    """20 long labels with mathtext characters, a long question and no votes still render."""
    labels = [f"${i} & 50% _under_ ^x^ " + "w" * 60 for i in range(20)]
    data = render_chart(ENGLISH, "$$ " + "q" * 297, labels, [0] * 20)
    width, height = png_size(data)
    assert height > png_size(render_chart(ENGLISH, "q", ["a", "b"], [0, 0]))[1]
    assert width <= 2000 and height <= 4000


def test_multiple_choice_percentages_use_voters() -> None:
    """Passing voters for a multiple-choice poll renders (shares of voters may exceed 100% in sum)."""
    assert render_chart(ENGLISH, "q", ["a", "b"], [3, 3], voters=3, multiple=True).startswith(PNG_SIGNATURE)


def test_mismatched_input_is_refused() -> None:
    """Labels and counts must pair up, and there must be something to draw."""
    with pytest.raises(ValueError):
        render_chart(ENGLISH, "q", ["a"], [1, 2])
    with pytest.raises(ValueError):
        render_chart(ENGLISH, "q", [], [])


async def test_renders_in_parallel_threads() -> None:
    """Charts drawn concurrently off the event loop all come out whole."""
    jobs = [asyncio.to_thread(render_chart, ENGLISH, f"q{n}", ["a", "b", "c"], [n, 1, 2]) for n in range(6)]
    images = await asyncio.gather(*jobs)
    assert all(png_size(image) for image in images)
    assert len(set(images)) == 6
