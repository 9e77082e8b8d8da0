"""Debian's Chromium driven by Playwright for the browser tests, and screenshots written on request.

The browser is the system's (/usr/bin/chromium, from apt; `.ci/run` installs it): Playwright's own
browser download is never used. Screenshots are written only when CLIMABOT_SCREENSHOTS names a
folder (e.g. `CLIMABOT_SCREENSHOTS=docs/images`), so a test run leaves the tree clean.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from playwright.async_api import Browser, Page, async_playwright, expect

# Where the browser is; CLIMABOT_CHROMIUM points elsewhere for a machine that keeps it elsewhere.
CHROMIUM = Path(os.environ.get("CLIMABOT_CHROMIUM", "/usr/bin/chromium"))
# As root, Chromium needs --no-sandbox; the rest keep it from calling Google's hosts, which this
# machine's closed network refuses (many at a time, at every start).
FLAGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# A page on 2 cores shared with the bot and the test runner may take a few seconds to show a change.
TIMEOUT_MS = 15_000
expect.set_options(timeout=TIMEOUT_MS)
LAPTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}


def chromium_executable(path: Path = CHROMIUM) -> str:
    """Return the Chromium binary's path, or fail the test with the one line that fixes it."""
    if not (path.is_file() and os.access(path, os.X_OK)):
        pytest.fail(
            f"no Chromium at {path}: install it with `apt-get install chromium` (.ci/run does)", pytrace=False
        )
    return str(path)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def browser() -> AsyncIterator[Browser]:
    """One headless Chromium per test module; Playwright gives each launch a fresh, empty user-data-dir."""
    executable = chromium_executable()
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(executable_path=executable, headless=True, args=FLAGS)
        try:
            yield launched
        finally:
            await launched.close()


async def open_page(browser: Browser, url: str, *, phone: bool = False) -> Page:
    """Open url in a new context of its own (no shared storage), at laptop or phone size."""
    context = await browser.new_context(
        viewport=PHONE if phone else LAPTOP,
        device_scale_factor=1,
        is_mobile=phone,
        has_touch=phone,
        timezone_id="Europe/Brussels",
        locale="en-GB",
    )
    context.set_default_timeout(TIMEOUT_MS)
    page = await context.new_page()
    await page.goto(url)
    return page


async def screenshot(page: Page, name: str, *, full_page: bool = False) -> Path | None:
    """Save the page as <CLIMABOT_SCREENSHOTS>/<name> when that variable is set; else do nothing."""
    folder = os.environ.get("CLIMABOT_SCREENSHOTS")
    if not folder:
        return None
    path = Path(folder) / name
    path.parent.mkdir(parents=True, exist_ok=True)
    await page.screenshot(path=str(path), full_page=full_page, animations="disabled", caret="hide")
    return path
