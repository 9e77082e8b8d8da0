"""What a person does on the sandbox page, as Playwright steps: be a member, open a channel, run a
slash command through the message box, click a message's button, fill a form."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.async_api import Locator, Page, expect


async def ready(page: Page) -> None:
    """Wait until the page has loaded its members and channels and shows a channel."""
    await expect(page.locator("html")).to_have_attribute("data-ready", "true")


async def be(page: Page, name: str) -> None:
    """Pick a member in the 'You are' switcher by display name, and wait until the page shows it as them."""
    switcher = page.get_by_label("You are")
    value = await switcher.locator("option", has_text=re.compile(rf"^{re.escape(name)} \(")).get_attribute(
        "value"
    )
    assert value, f"{name} is not in the member switcher"
    await switcher.select_option(value)
    await expect(switcher).to_have_value(value)
    # The composer knows the member's commands once the channel is shown again as them.
    await expect(page.get_by_test_id("message-input")).to_be_enabled()


async def open_channel(page: Page, name: str) -> None:
    """Click a channel in the channel list and wait for its title."""
    await page.locator(f'[data-testid=channel-link][data-channel-name="{name}"]').click()
    await expect(page.get_by_test_id("channel-title")).to_have_attribute("data-channel-name", name)


async def start_command(page: Page, typed: str, path: str) -> None:
    """Type the start of a command in the message box and pick `path` from the completion list."""
    box = page.get_by_test_id("message-input")
    await box.click()
    await box.press_sequentially(typed)
    option = page.locator(f'[data-testid=command-option][data-path="{path}"]')
    await option.click()
    await expect(page.get_by_test_id("command-chip")).to_have_text("/" + path)


async def fill_options(page: Page, values: dict[str, str]) -> None:
    """Type option values into the command's fields."""
    for name, value in values.items():
        await page.get_by_test_id(f"option-{name}").fill(value)


async def pick_suggestion(page: Page, option: str, typed: str, choice: str) -> None:
    """Type into an autocompleted option and click the bot's suggestion `choice`."""
    field = page.get_by_test_id(f"option-{option}")
    await field.click()
    await field.press_sequentially(typed)
    await page.get_by_test_id("autocomplete-option").filter(has_text=choice).click()
    await expect(field).to_have_value(choice)


async def attach(page: Page, option: str, path: Path) -> None:
    """Choose a file for an attachment option."""
    await page.get_by_test_id(f"option-{option}").set_input_files(str(path))


async def run(page: Page) -> None:
    """Run the command shown in the message box (Enter, as a person would) and wait until it was sent."""
    await page.get_by_test_id("send-button").click()
    await expect(page.get_by_test_id("command-chip")).to_be_hidden()
    await expect(page.get_by_test_id("composer-error")).to_be_hidden()


def message_with(page: Page, text: str | re.Pattern[str]) -> Locator:
    """The one message (article) of the channel whose text contains `text`."""
    return page.get_by_test_id("messages").locator("[data-testid=message]", has_text=text)


def button(message: Locator, label: str) -> Locator:
    """A button of a message by its label."""
    return message.get_by_test_id("component-button").filter(
        has_text=re.compile(rf"^\s*{re.escape(label)}\s*$")
    )
