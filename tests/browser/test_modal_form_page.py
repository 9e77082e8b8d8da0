"""A modal's select, checkbox group and file upload in a real browser: the page serves the sample bot's
/echo form (tests/sandbox/sample_bot.py) from an in-process emulator; a person fills it in Chromium and
reads the bot's echo of every value and the file it got back. Then the links of a message: the demo
server's channel and event links navigate in the page, any other opens a new tab."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urljoin

from aiohttp.test_utils import TestServer
from playwright.async_api import async_playwright, expect

from sandbox.emulator import Emulator
from sandbox.guild import Guild
from sandbox.state import Channel
from sandbox.web import page_app
from tests.browser.chromium import FLAGS, chromium_executable, open_page
from tests.browser.page_steps import be, message_with, open_channel, ready, run, start_command
from tests.sandbox.conftest import populate
from tests.sandbox.fixtures import DiscordLogWatch, running
from tests.sandbox.sample_bot import SampleBot

PHOTO = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4  # 1032 bytes; the page and bot only pass it on


async def test_a_modal_select_checkbox_and_file_reach_the_bot(
    emulator: Emulator, discord_log: DiscordLogWatch, tmp_path: Path
) -> None:
    """Pick a theme, tick a topic, upload a photo, submit: the bot echoes the values and posts the file."""
    parts = populate(emulator)
    guild = parts["guild"]
    announcements = parts["announcements"]
    assert isinstance(guild, Guild) and isinstance(announcements, Channel)
    photo = tmp_path / "street.png"
    photo.write_bytes(PHOTO)
    bot = SampleBot()
    async with running(bot, emulator):
        await emulator.wait_for_commands(None, {"echo"})
        server = TestServer(page_app(emulator, guild.id), host="127.0.0.1")
        await server.start_server()
        try:
            async with async_playwright() as playwright:
                browser = await playwright.chromium.launch(
                    executable_path=chromium_executable(), headless=True, args=FLAGS
                )
                try:
                    page = await open_page(browser, str(server.make_url("/")))
                    await ready(page)
                    start = page.url
                    await be(page, "alice")
                    await start_command(page, "/ech", "echo")
                    await run(page)
                    form = page.get_by_test_id("modal")
                    await expect(form.get_by_test_id("modal-title")).to_have_text("Echo")
                    await form.get_by_label("Theme").select_option("energy")
                    await form.get_by_label("bikes").check()
                    await form.get_by_label("Photo").set_input_files(str(photo))
                    await form.get_by_test_id("modal-submit").click()
                    await expect(form).to_be_hidden()
                    echo = message_with(page, "echo:").last
                    await expect(echo).to_contain_text(
                        f"echo: theme=energy; topics=bikes; file=street.png ({len(PHOTO)} bytes)"
                    )
                    # The file the bot posted back is the one uploaded, byte for byte.
                    href = await echo.get_by_role("link", name="street.png").get_attribute("href")
                    served = await page.request.get(urljoin(page.url, href or ""))
                    assert await served.body() == PHOTO

                    # Links to the demo server stay in the page; others open a new tab that cannot reach back.
                    base = f"https://discord.com/channels/{guild.id}"
                    event = f"https://discord.com/events/{guild.id}/5"
                    text = f"see {base}/{announcements.id} and {event} or https://ec.europa.eu/x"
                    await page.get_by_test_id("message-input").fill(text)
                    await page.get_by_test_id("send-button").click()
                    said = message_with(page, "see ").last
                    outside = said.get_by_role("link", name="https://ec.europa.eu/x")
                    await expect(outside).to_have_attribute("target", "_blank")
                    await expect(outside).to_have_attribute("rel", "noopener noreferrer")
                    await said.get_by_role("link", name=event).click()
                    title = page.get_by_test_id("channel-title")
                    await expect(title).to_have_attribute("data-channel-name", "Scheduled events")
                    assert page.url == start, "the events link navigated the page away"
                    await open_channel(page, "general")
                    await said.get_by_role("link", name=f"{base}/{announcements.id}").click()
                    await expect(title).to_have_attribute("data-channel-name", "announcements")
                finally:
                    await browser.close()
        finally:
            await server.close()
