"""What a member sees of /mydata: the texts, and the Erase / Cancel buttons of the forget prompt.

The buttons are DynamicItems (`admin:forget:<user_id>`, `admin:forget-cancel:<user_id>`), so a
prompt answered after any number of restarts still works; only the member named in the id can use it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Self, cast

import discord

from bot.error_handler import new_error_id
from bot.errors import UserFacingError
from bot.replies import send_ephemeral

if TYPE_CHECKING:
    from cogs.admin.mydata import MyDataCog

log = logging.getLogger(__name__)

COG_NAME = "MyData"
NOT_YOURS = (
    "This button belongs to someone else's erasure request, so it does nothing for you. "
    "To erase your own data, run `/mydata forget`."
)


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 city membership`, `2 city memberships`."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def export_text(counts: Mapping[str, int], guild_name: str, *, zipped: bool) -> str:
    """The reply that comes with the export file."""
    parts = [
        plural(counts["profile"], "profile"),
        plural(counts["city_memberships"], "city membership"),
        plural(counts["call_subscriptions"], "call subscription"),
        plural(counts["call_reminder_dms"], "reminder DM record"),
        plural(counts["testimonials"], "testimonial"),
        plural(counts["open_poll_ballots"] + counts["closed_poll_ballots"], "poll ballot"),
        plural(counts["exchanges_asked"], "question"),
        plural(counts["lessons_written"], "lesson"),
    ]
    found = [part for part in parts if not part.startswith("0 ")]
    summary = ", ".join(found) if found else "nothing linked to you"
    text = (
        f"Here is everything climabot stores linked to you in **{discord.utils.escape_markdown(guild_name)}**"
        f": {summary}."
    )
    if counts["moderator_actions"]:
        text += f" Also {plural(counts['moderator_actions'], 'record')} of what you did as a moderator."
    text += " The file also says what it leaves out and why. `/mydata forget` erases your data here."
    if zipped:
        text += " It was zipped to fit this server's upload limit."
    return text


def forget_prompt(counts: Mapping[str, int], guild_name: str) -> str:
    """Exactly what /mydata forget will erase and what stays, with the member's numbers."""
    name = discord.utils.escape_markdown(guild_name)
    photos = f", with {plural(counts['photos'], 'photo')}" if counts["photos"] else ""
    return "\n".join(
        [
            f"**Erase your climabot data in {name}?**",
            "This erases, in this server:",
            f"• your profile (group, home city): {'yes' if counts['profile'] else 'none stored'}",
            f"• {plural(counts['city_memberships'], 'city membership')}: you also lose those cities' roles "
            f"and leave their twin-city threads ({plural(counts['twin_threads'], 'thread')})",
            f"• {plural(counts['call_subscriptions'], 'call-reminder subscription')} and "
            f"{plural(counts['call_reminder_dms'], 'record')} of reminders sent to you",
            f"• {plural(counts['testimonials'], 'testimonial')}{photos}: their photos, showcase posts and "
            "moderation cards go too, and they leave every later export",
            f"• {plural(counts['open_poll_ballots'], 'vote')} in open polls: withdrawn, the tallies drop "
            "(a vote in an open anonymous poll is withdrawn too)",
            f"• {plural(counts['closed_poll_ballots'], 'ballot')} in closed polls: no longer linked to you; "
            "the results stay exactly as they are",
            f"• your id on {plural(counts['exchanges_asked'], 'question')} and "
            f"{plural(counts['lessons_written'], 'lesson')} you wrote",
            "What stays:",
            "• the questions and lessons themselves, and whatever you posted on Discord (forum posts, "
            "messages): they are community content, which you can delete on Discord yourself",
            "• the counts of closed polls, no longer linked to you",
            "• records of what you did as a moderator, kept for accountability",
            "• your data in other servers: run `/mydata forget` there",
            "This cannot be undone. Take a copy first with `/mydata export` if you want one.",
        ]
    )


def erasure_text(counts: Mapping[str, int], notes: list[str]) -> str:
    """The summary after an erasure: what was erased, unlinked and withdrawn, or that nothing was left."""
    erased = [
        plural(counts["profile"], "profile"),
        plural(counts["city_memberships"], "city membership"),
        plural(counts["call_subscriptions"], "call subscription"),
        plural(counts["call_reminder_dms"], "reminder DM record"),
        plural(counts["testimonials"], "testimonial"),
    ]
    withdrawn = counts["open_poll_ballots_withdrawn"]
    unlinked = counts["closed_poll_ballots_unlinked"]
    authored = counts["exchanges_unlinked"] + counts["lessons_unlinked"]
    if not any(counts.values()):
        lines = [
            "Nothing linked to you was left to erase in this server: it was erased already, or never stored."
        ]
    else:
        lines = [
            "Done. Erased: " + ", ".join(erased) + ".",
            f"Withdrawn: {plural(withdrawn, 'vote')} in open polls. "
            f"Unlinked: {plural(unlinked, 'ballot')} in closed polls (their counts are unchanged) and "
            f"your id on {plural(counts['exchanges_unlinked'], 'question')} and "
            f"{plural(counts['lessons_unlinked'], 'lesson')}"
            + (" (their text stays as community content)." if authored else "."),
        ]
    return "\n".join([*lines, *notes])


def mydata_cog(interaction: discord.Interaction[Any]) -> MyDataCog:
    """The loaded /mydata cog of the bot that received an interaction."""
    cog = interaction.client.get_cog(COG_NAME)
    if cog is None:
        raise RuntimeError("the mydata cog is not loaded")
    return cast("MyDataCog", cog)


async def report_failure(interaction: discord.Interaction[Any], error: BaseException, where: str) -> None:
    """Tell the member what went wrong: the message of an expected error, else an id for the log."""
    if isinstance(error, UserFacingError):
        await send_ephemeral(interaction, str(error))
        return
    error_id = new_error_id()
    log.error("error %s in %s (user %s)", error_id, where, interaction.user.id, exc_info=error)
    await send_ephemeral(
        interaction, f"Something went wrong on my side; it was logged as error `{error_id}`."
    )


class ForgetConfirm(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"admin:forget:(?P<user_id>\d+)"
):
    """Erase my data: `admin:forget:<user_id>`; only that member can use it."""

    def __init__(self, user_id: int) -> None:
        """Build the button for one member's erasure request."""
        super().__init__(
            discord.ui.Button(
                label="Erase my data", style=discord.ButtonStyle.danger, custom_id=f"admin:forget:{user_id}"
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom id."""
        return cls(int(match["user_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Erase the member's data, reporting failures privately."""
        try:
            await mydata_cog(interaction).confirm_forget(interaction, self.user_id)
        except Exception as error:
            await report_failure(interaction, error, "/mydata forget confirm")


class ForgetCancel(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"admin:forget-cancel:(?P<user_id>\d+)"
):
    """Cancel: `admin:forget-cancel:<user_id>`; leaves everything as it is."""

    def __init__(self, user_id: int) -> None:
        """Build the button for one member's erasure request."""
        super().__init__(
            discord.ui.Button(
                label="Cancel",
                style=discord.ButtonStyle.secondary,
                custom_id=f"admin:forget-cancel:{user_id}",
            )
        )
        self.user_id = user_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> Self:
        """Rebuild the button from its custom id."""
        return cls(int(match["user_id"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        """Close the prompt without erasing anything."""
        try:
            await mydata_cog(interaction).cancel_forget(interaction, self.user_id)
        except Exception as error:
            await report_failure(interaction, error, "/mydata forget cancel")


def forget_view(user_id: int) -> discord.ui.View:
    """The Erase / Cancel row of a forget prompt."""
    view = discord.ui.View(timeout=None)
    view.add_item(ForgetConfirm(user_id))
    view.add_item(ForgetCancel(user_id))
    return view
