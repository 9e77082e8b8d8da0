"""The sandbox page in a real browser, as a person clicks: `climabot sandbox` runs in its own process
(one per module, restarted once at the end), Debian's Chromium shows its page.

The journeys build on each other in file order (the poll and the story made early must survive the
restart at the end), as one newcomer's session would. With CLIMABOT_SCREENSHOTS=docs/images the
README's screenshots are written along the way.
"""

from __future__ import annotations

import re
import signal
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
import pytest_asyncio
from PIL import Image, ImageDraw
from playwright.async_api import Browser, expect

from tests.browser.chromium import open_page, screenshot
from tests.browser.page_steps import (
    attach,
    be,
    button,
    fill_options,
    message_with,
    open_channel,
    pick_suggestion,
    ready,
    run,
    start_command,
)
from tests.browser.sandbox_process import SandboxProcess

pytestmark = pytest.mark.asyncio(loop_scope="module")

QUESTION = "Which theme should our next webinar cover?"
CAMPAIGN = "Green streets"
STORY = "Our street got twelve new trees and a bike lane; the school run is quieter and cooler now."

# Whether a select is wide enough for its chosen option's text, padding and arrow.
SELECTED_TEXT_FITS = """e => {
    const style = getComputedStyle(e);
    const ctx = document.createElement("canvas").getContext("2d");
    ctx.font = `${style.fontWeight} ${style.fontSize} ${style.fontFamily}`;
    const text = ctx.measureText(e.options[e.selectedIndex].text).width;
    return text + parseFloat(style.paddingLeft) + parseFloat(style.paddingRight) + 20 <= e.clientWidth;
}"""


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def sandbox(tmp_path_factory: pytest.TempPathFactory) -> AsyncIterator[SandboxProcess]:
    """One `climabot sandbox` process for the module, on a fresh data folder."""
    folder = tmp_path_factory.mktemp("sandbox")
    process = SandboxProcess(folder / "data", folder / "sandbox.log")
    await process.start()
    try:
        yield process
    finally:
        # The restart at the end stops it as Ctrl-C does (SIGINT); this last stop as a service manager does.
        await process.stop(sig=signal.SIGTERM)


def street_photo(path: Path) -> Path:
    """Draw a small street picture (sky, road, trees) as a PNG to upload."""
    image = Image.new("RGB", (640, 400), (135, 190, 235))
    draw = ImageDraw.Draw(image)
    draw.rectangle((0, 260, 640, 400), fill=(90, 90, 95))
    draw.rectangle((0, 250, 640, 262), fill=(200, 200, 190))
    for lane in range(0, 640, 80):
        draw.rectangle((lane + 10, 325, lane + 50, 333), fill=(240, 240, 240))
    for x in (60, 200, 340, 480, 600):
        draw.rectangle((x - 6, 190, x + 6, 255), fill=(110, 75, 40))
        draw.ellipse((x - 45, 110, x + 45, 205), fill=(55, 140, 60))
    image.save(path)
    return path


async def test_poll_created_in_the_message_box_and_voted_by_two_members(
    browser: Browser, sandbox: SandboxProcess
) -> None:
    """Marco posts a poll through command completion; Niamh and Lena vote and the tally changes live."""
    page = await open_page(browser, sandbox.url)
    await ready(page)
    await be(page, "Marco Rossi")
    await start_command(page, "/poll cr", "poll create")
    await fill_options(page, {"question": QUESTION, "options": "Energy; Mobility; Buildings"})
    await run(page)
    poll = message_with(page, QUESTION)
    await expect(poll.get_by_test_id("embed")).to_contain_text("Nobody has voted yet.")
    await expect(button(poll, "Buildings")).to_be_visible()

    await be(page, "Niamh Byrne")
    await button(poll, "Energy").click()
    await expect(poll.get_by_test_id("embed")).to_contain_text("1 member voted.")
    confirmation = message_with(page, "Your vote for Energy is counted.")
    await expect(confirmation.get_by_test_id("ephemeral-note")).to_be_visible()

    await be(page, "Lena Schmidt")
    await expect(poll.get_by_test_id("embed")).to_contain_text("1 member voted.")
    await expect(confirmation).to_have_count(0)  # Niamh's confirmation is hers alone
    await button(poll, "Mobility").click()
    await expect(poll.get_by_test_id("embed")).to_contain_text("2 members voted.")
    await expect(poll.get_by_test_id("embed")).to_contain_text(re.compile(r"Energy\s*\S*\s*1 "))
    await poll.scroll_into_view_if_needed()
    await screenshot(page, "sandbox-poll.png")
    await page.context.close()


async def test_testimonial_with_a_photo_is_approved_into_the_showcase(
    browser: Browser, sandbox: SandboxProcess, tmp_path: Path
) -> None:
    """Marco opens a campaign; Niamh submits a story with a photo through the form; Marco approves it."""
    page = await open_page(browser, sandbox.url)
    await ready(page)
    await be(page, "Marco Rossi")
    await start_command(page, "/campaign", "campaign create")
    await fill_options(page, {"name": CAMPAIGN, "prompt": "What changed in your street this year?"})
    await run(page)
    await expect(message_with(page, CAMPAIGN).last).to_be_visible()

    await be(page, "Niamh Byrne")
    await start_command(page, "/testimonial sub", "testimonial submit")
    await pick_suggestion(page, "campaign", "Green", CAMPAIGN)
    await attach(page, "photo", street_photo(tmp_path / "street.png"))
    await run(page)
    form = page.get_by_test_id("modal")
    await expect(form.get_by_test_id("modal-title")).to_contain_text(CAMPAIGN)
    await form.get_by_label("Your story").fill(STORY)
    await expect(form.get_by_label("Your city")).to_have_value("Dublin")
    await form.get_by_label("Publish it with my name").check()
    await form.get_by_label(re.compile(r"^I grant the .* licence")).check()
    await form.get_by_label("Your story").scroll_into_view_if_needed()
    await screenshot(page, "sandbox-testimonial-form.png")
    await form.get_by_test_id("modal-submit").click()
    await expect(form).to_be_hidden()
    await expect(page.get_by_test_id("ephemeral-note").last).to_be_visible()

    await be(page, "Marco Rossi")
    await open_channel(page, "moderation")
    card = message_with(page, STORY).last
    await button(card, "Approve").click()
    await expect(button(card, "Approve")).to_have_count(0)

    await be(page, "Niamh Byrne")
    await page.get_by_test_id("tour-close").click()
    await open_channel(page, "showcase")
    published = message_with(page, STORY).last
    await expect(published).to_contain_text("Niamh Byrne")
    photo = published.locator("img").first
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo did not load"
    await screenshot(page, "sandbox-showcase.png")
    await page.context.close()


async def test_keyboard_alone_reaches_the_message_box_and_sends(
    browser: Browser, sandbox: SandboxProcess
) -> None:
    """Tab, Enter and typing: the skip link leads to the message box, Enter sends, a command runs."""
    page = await open_page(browser, sandbox.url)
    await ready(page)
    await page.keyboard.press("Tab")
    await expect(page.get_by_role("link", name="Skip to the message box")).to_be_focused()
    await page.keyboard.press("Enter")
    box = page.get_by_test_id("message-input")
    await expect(box).to_be_focused()
    await page.keyboard.type("Hello from the keyboard")
    await page.keyboard.press("Enter")
    await expect(message_with(page, "Hello from the keyboard")).to_contain_text("Ana Ferreira")
    await expect(box).to_have_value("")

    await expect(box).to_be_focused()
    await page.keyboard.type("/profile sh")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("command-chip")).to_have_text("/profile show")
    await page.keyboard.press("Enter")
    reply = message_with(page, "Profile of Ana Ferreira").last
    await expect(reply.get_by_test_id("ephemeral-note")).to_be_visible()
    await page.context.close()


async def test_phone_width_collapses_the_channel_list_into_a_menu(
    browser: Browser, sandbox: SandboxProcess
) -> None:
    """At phone width the channel list is a menu: hidden, opened by its button, closed by a pick."""
    page = await open_page(browser, sandbox.url, phone=True)
    await ready(page)
    channels = page.get_by_test_id("sidebar")
    menu = page.get_by_test_id("menu-button")
    await expect(channels).to_be_hidden()
    await expect(page.get_by_test_id("tour")).to_be_hidden()
    await expect(menu).to_have_attribute("aria-expanded", "false")
    await menu.click()
    await expect(channels).to_be_visible()
    await expect(menu).to_have_attribute("aria-expanded", "true")
    await open_channel(page, "general")
    await expect(channels).to_be_hidden()
    poll = message_with(page, QUESTION)
    await expect(poll.get_by_test_id("embed")).to_contain_text("2 members voted.")
    width = await page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page is {width}px wide at a 390px phone width (sideways scrolling)"
    # Neither who you are nor where you are is cut short ("Ana Ferreira (a", "#gene…").
    title = page.get_by_test_id("channel-title")
    assert await title.evaluate("e => e.scrollWidth <= e.clientWidth"), "the channel title is cut off"
    assert await page.get_by_test_id("member-select").evaluate(SELECTED_TEXT_FITS), "the member is cut off"
    await poll.evaluate("message => message.scrollIntoView({block: 'start'})")
    await screenshot(page, "sandbox-phone.png")
    await page.context.close()


# Whether the channel's name ends before "You are" begins, when both sit on one row of the header.
TITLE_CLEARS_WHO = """() => {
    const title = document.querySelector("[data-testid=channel-title]").getBoundingClientRect();
    const who = document.querySelector(".who").getBoundingClientRect();
    return title.bottom <= who.top || title.right <= who.left;
}"""


async def test_a_long_post_name_is_cut_short_not_drawn_under_who_you_are(
    browser: Browser, sandbox: SandboxProcess
) -> None:
    """Piotr starts an #exchange post with a long title from the forum's New post form; its header fits."""
    page = await open_page(browser, sandbox.url)
    await ready(page)
    await be(page, "Piotr Nowak")
    await open_channel(page, "exchange")
    await page.get_by_test_id("new-post").click()
    form = page.get_by_role("form", name="New post")
    name = "How did Kraków get its district heating off coal, and what would you do differently?"
    await form.get_by_label("Title").fill(name)
    await form.get_by_label("Message").fill("We are planning the same in our city.")
    await form.get_by_role("button", name="Post", exact=True).click()
    title = page.get_by_test_id("channel-title")
    await expect(title).to_have_attribute("data-channel-name", name)
    await expect(message_with(page, "We are planning the same")).to_be_visible()
    assert await page.evaluate(TITLE_CLEARS_WHO), "the post's name runs under 'You are'"
    assert await title.evaluate("e => e.scrollWidth > e.clientWidth"), "the long name was expected to be cut"
    await expect(title).to_have_attribute("title", name)
    await page.context.close()


async def test_after_a_restart_the_poll_and_the_story_are_still_there(
    browser: Browser, sandbox: SandboxProcess
) -> None:
    """Stop the sandbox as Ctrl-C does and start it again: the poll still counts, the story is still shown."""
    await sandbox.restart()
    assert sandbox.starts == 2
    page = await open_page(browser, sandbox.url)
    await ready(page)
    await be(page, "Camille Martin")
    poll = message_with(page, QUESTION)
    await expect(poll.get_by_test_id("embed")).to_contain_text("2 members voted.")
    await expect(message_with(page, "Hello from the keyboard")).to_be_visible()
    await button(poll, "Buildings").click()
    await expect(poll.get_by_test_id("embed")).to_contain_text("3 members voted.")

    await open_channel(page, "showcase")
    published = message_with(page, STORY).last
    await expect(published).to_contain_text("Niamh Byrne")
    photo = published.locator("img").first
    await expect(photo).to_be_visible()
    assert await photo.evaluate("img => img.complete && img.naturalWidth > 0"), "the photo did not load"
    await page.context.close()
