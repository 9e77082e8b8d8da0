"""Exports are streamed: ten times the items costs (almost) no more memory."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.testimonial_export import FORMATS, export_campaign
from tests.bench.bench_testimonials import NOW, build, peak

SMALL, LARGE = 400, 4000
# Building every row in memory first costs about 1.2 KiB per item, 4.2 MiB for the 3,600 added here.
# A data package also keeps about 0.6 KiB per photo file (the zip's central directory), 210 KiB here.
ALLOWED_GROWTH = 512 * 1024


@pytest.fixture(scope="module")
def campaigns(tmp_path_factory: pytest.TempPathFactory) -> dict[int, tuple[Path, Path]]:
    """A database and media folder with SMALL and with LARGE approved items (one in ten with a photo)."""
    return {
        count: asyncio.run(build(tmp_path_factory.mktemp(f"items{count}"), count)) for count in (SMALL, LARGE)
    }


@pytest.mark.parametrize("fmt", FORMATS)
def test_peak_memory_stays_flat_as_items_grow(
    campaigns: dict[int, tuple[Path, Path]], fmt: str, tmp_path: Path
) -> None:
    """The peak Python heap of an export of LARGE items exceeds that of SMALL items by little."""
    peaks = {}
    for count, (database, media) in campaigns.items():
        out = tmp_path / f"{count}.{fmt}"
        peaks[count] = peak(
            lambda d=database, m=media, o=out: export_campaign(d, m, "Bench", fmt, o, now=NOW)
        )
        assert out.stat().st_size > 0
    assert peaks[LARGE] - peaks[SMALL] < ALLOWED_GROWTH, peaks
