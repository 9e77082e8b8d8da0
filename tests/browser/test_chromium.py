"""The browser test set-up itself: a missing Chromium fails loudly, a present one renders and clicks."""

from __future__ import annotations

from pathlib import Path

import pytest
from aiohttp import web
from playwright.async_api import Browser

from tests.browser.chromium import chromium_executable, open_page, screenshot

PAGE = """<!doctype html><title>t</title>
<button onclick="document.querySelector('output').textContent = 'clicked ' + location.port">Go</button>
<output></output>"""


def test_missing_chromium_fails_with_the_fix(tmp_path: Path) -> None:
    """No browser at the path: the test fails (never skips) with one line naming the apt package."""
    with pytest.raises(pytest.fail.Exception) as failed:
        chromium_executable(tmp_path / "chromium")
    assert "apt-get install chromium" in str(failed.value)
    assert "\n" not in str(failed.value)


@pytest.mark.asyncio(loop_scope="module")
async def test_chromium_renders_a_local_page_and_clicks(
    browser: Browser, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The launched browser loads a page from loopback, runs its script, and a screenshot is written."""
    app = web.Application()

    async def index(_request: web.Request) -> web.Response:
        """Serve the one test page."""
        return web.Response(text=PAGE, content_type="text/html")

    app.router.add_get("/", index)
    runner = web.AppRunner(app)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    port = runner.addresses[0][1]
    try:
        page = await open_page(browser, f"http://127.0.0.1:{port}/")
        await page.get_by_role("button", name="Go").click()
        assert await page.locator("output").text_content() == f"clicked {port}"
        monkeypatch.delenv("CLIMABOT_SCREENSHOTS", raising=False)
        assert await screenshot(page, "none.png") is None
        monkeypatch.setenv("CLIMABOT_SCREENSHOTS", str(tmp_path / "shots"))
        shot = await screenshot(page, "page.png")
        assert shot is not None and shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        await page.context.close()
    finally:
        await runner.cleanup()
