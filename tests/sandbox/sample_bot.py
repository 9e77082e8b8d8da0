"""A small discord.py bot used only by the emulator's own tests (not climabot)."""

from __future__ import annotations

import io
import struct
import zlib
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

PROGRAMMES = ["HORIZON-MISS-2024-CIT-01-01", "HORIZON-MISS-2025-CIT-02", "LIFE-2025-CET"]


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    """A modal with a text input and Label-wrapped radio group, checkbox group and checkbox."""

    def __init__(self, bot: SampleBot) -> None:
        """Build the modal's fields."""
        super().__init__(custom_id="feedback")
        self.bot = bot
        self.story: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
            label="Story", custom_id="story", max_length=200
        )
        self.mood: discord.ui.RadioGroup[FeedbackModal] = discord.ui.RadioGroup(
            custom_id="mood",
            options=[
                discord.RadioGroupOption(label="Good", value="good"),
                discord.RadioGroupOption(label="Bad"),
            ],
        )
        self.topics: discord.ui.CheckboxGroup[FeedbackModal] = discord.ui.CheckboxGroup(
            custom_id="topics",
            required=False,
            max_values=2,
            options=[
                discord.CheckboxGroupOption(label="energy"),
                discord.CheckboxGroupOption(label="mobility"),
            ],
        )
        self.consent: discord.ui.Checkbox[FeedbackModal] = discord.ui.Checkbox(custom_id="consent")
        self.add_item(self.story)
        self.add_item(discord.ui.Label(text="Mood", component=self.mood))
        self.add_item(discord.ui.Label(text="Topics", component=self.topics))
        self.add_item(discord.ui.Label(text="I consent", component=self.consent))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Record the values and confirm."""
        values = (self.story.value, self.mood.value, self.topics.values, self.consent.value)
        self.bot.seen["modal"] = values
        await interaction.response.send_message(f"thanks: {values}", ephemeral=True)


class PhotoModal(discord.ui.Modal, title="Photo"):
    """A modal with Label-wrapped file upload, string select and role select."""

    def __init__(self, bot: SampleBot) -> None:
        """Build the modal's fields."""
        super().__init__(custom_id="photo")
        self.bot = bot
        self.files: discord.ui.FileUpload[PhotoModal] = discord.ui.FileUpload(custom_id="files", max_values=2)
        self.theme: discord.ui.Select[PhotoModal] = discord.ui.Select(
            custom_id="theme",
            options=[
                discord.SelectOption(label="Energy", value="energy"),
                discord.SelectOption(label="Mobility"),
            ],
        )
        self.team: discord.ui.RoleSelect[PhotoModal] = discord.ui.RoleSelect(custom_id="team", required=False)
        self.add_item(discord.ui.Label(text="Photos", component=self.files))
        self.add_item(discord.ui.Label(text="Theme", component=self.theme))
        self.add_item(discord.ui.Label(text="Team", component=self.team))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Record what discord.py parsed and confirm."""
        self.bot.seen["photo"] = (
            [(a.filename, a.size) for a in self.files.values],
            self.theme.values,
            [r.name for r in self.team.values],
        )
        await interaction.response.send_message("photos received", ephemeral=True)


class EchoModal(discord.ui.Modal, title="Echo"):
    """A modal with a string select, a checkbox group and a file upload; echoes what it got, file included."""

    def __init__(self) -> None:
        """Build the modal's fields."""
        super().__init__(custom_id="echo")
        self.theme: discord.ui.Select[EchoModal] = discord.ui.Select(
            custom_id="theme",
            options=[
                discord.SelectOption(label="Energy", value="energy"),
                discord.SelectOption(label="Water"),
            ],
        )
        self.topics: discord.ui.CheckboxGroup[EchoModal] = discord.ui.CheckboxGroup(
            custom_id="topics",
            required=False,
            max_values=2,
            options=[discord.CheckboxGroupOption(label="trees"), discord.CheckboxGroupOption(label="bikes")],
        )
        self.photo: discord.ui.FileUpload[EchoModal] = discord.ui.FileUpload(custom_id="photo")
        self.add_item(discord.ui.Label(text="Theme", component=self.theme))
        self.add_item(discord.ui.Label(text="Topics", component=self.topics))
        self.add_item(discord.ui.Label(text="Photo", component=self.photo))

    async def on_submit(self, interaction: discord.Interaction) -> None:
        """Say every value received, and post the uploaded file back (read from the CDN)."""
        files = [await a.to_file() for a in self.photo.values]
        names = ", ".join(f"{a.filename} ({a.size} bytes)" for a in self.photo.values)
        theme, topics = ",".join(self.theme.values), ",".join(self.topics.values)
        text = f"echo: theme={theme}; topics={topics}; file={names}"
        await interaction.response.send_message(text, files=files)


class VoteView(discord.ui.View):
    """A persistent view: a vote button and a city select."""

    def __init__(self, bot: SampleBot) -> None:
        """Create the view with fixed custom ids (persistent across restarts)."""
        super().__init__(timeout=None)
        self.bot = bot

    @discord.ui.button(label="Vote", custom_id="poll:vote:1", style=discord.ButtonStyle.primary)
    async def vote(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        """Count a vote by editing the poll message."""
        self.bot.votes += 1
        await interaction.response.edit_message(content=f"votes: {self.bot.votes}")

    @discord.ui.select(
        custom_id="poll:city",
        options=[discord.SelectOption(label="Bologna"), discord.SelectOption(label="Lyon")],
    )
    async def city(self, interaction: discord.Interaction, select: discord.ui.Select[VoteView]) -> None:
        """Confirm the chosen city privately."""
        await interaction.response.send_message(f"city: {select.values[0]}", ephemeral=True)

    @discord.ui.button(label="Close", custom_id="poll:close", style=discord.ButtonStyle.danger)
    async def close(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        """Acknowledge without a message (deferred update), then edit the poll via @original."""
        await interaction.response.defer()
        await interaction.edit_original_response(content=f"closed with {self.bot.votes} votes", view=None)

    @discord.ui.button(label="Feedback", custom_id="poll:feedback")
    async def feedback(self, interaction: discord.Interaction, button: discord.ui.Button[VoteView]) -> None:
        """Open the feedback modal from a button."""
        await interaction.response.send_modal(FeedbackModal(self.bot))


class SampleBot(commands.Bot):
    """A bot with one command per emulator feature under test."""

    def __init__(self, *, intents: discord.Intents | None = None, guild_id: int | None = None) -> None:
        """Create the bot (ready quickly: guild_ready_timeout is tiny)."""
        if intents is None:
            intents = discord.Intents.default()
            intents.members = True
        super().__init__(
            command_prefix="!",
            intents=intents,
            guild_ready_timeout=0.05,
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.guild_id = guild_id
        self.seen: dict[str, Any] = {}
        self.votes = 0
        self._add_commands()

    async def setup_hook(self) -> None:
        """Register the persistent view and sync commands (to one guild when given)."""
        self.add_view(VoteView(self))
        if self.guild_id is not None:
            guild = discord.Object(self.guild_id)
            self.tree.copy_global_to(guild=guild)
            self.tree.clear_commands(guild=None)
            await self.tree.sync(guild=guild)
        await self.tree.sync()

    def _add_commands(self) -> None:
        """Define the slash commands."""
        tree = self.tree
        setup = app_commands.Group(name="setup", description="Server setup")
        admin = app_commands.Group(
            name="admin",
            description="Admin tools",
            default_permissions=discord.Permissions(manage_guild=True),
        )
        calls = app_commands.Group(name="calls", description="Funding calls")

        @setup.command(name="channels", description="Choose channels")
        async def setup_channels(
            interaction: discord.Interaction,
            announcements: discord.TextChannel,
            moderators: discord.Role | None = None,
            contact: discord.Member | None = None,
            photo: discord.Attachment | None = None,
            reminders: app_commands.Range[int, 1, 30] | None = None,
            exchange: discord.ForumChannel | None = None,
        ) -> None:
            """Echo the resolved options."""
            self.seen["setup"] = {
                "announcements": announcements,
                "moderators": moderators,
                "contact": contact,
                "photo": photo,
                "reminders": reminders,
                "exchange": exchange,
            }
            await interaction.response.send_message(
                f"announcements in {announcements.mention}", ephemeral=True
            )

        @admin.command(name="purge", description="Mods only")
        async def admin_purge(interaction: discord.Interaction) -> None:
            """Reply to moderators."""
            await interaction.response.send_message("purged")

        @calls.command(name="show", description="Show a call")
        async def calls_show(interaction: discord.Interaction, identifier: str) -> None:
            """Reply after a deferral with a followup."""
            await interaction.response.defer(thinking=True)
            await interaction.followup.send(f"call {identifier}")

        @calls_show.autocomplete("identifier")
        async def calls_show_complete(
            interaction: discord.Interaction, current: str
        ) -> list[app_commands.Choice[str]]:
            """Offer programmes starting with what was typed."""
            return [app_commands.Choice(name=p, value=p) for p in PROGRAMMES if p.startswith(current.upper())]

        @calls.command(name="edit", description="Deferred then edited")
        async def calls_edit(interaction: discord.Interaction, identifier: str) -> None:
            """Defer ephemerally, then fill in the original response and add a followup."""
            await interaction.response.defer(ephemeral=True, thinking=True)
            await interaction.edit_original_response(content=f"editing {identifier}")
            await interaction.followup.send("second message", ephemeral=True)

        @tree.command(name="poll", description="Post a poll")
        async def poll(interaction: discord.Interaction, question: str) -> None:
            """Post a message with the vote view."""
            await interaction.response.send_message(question, view=VoteView(self))

        @tree.command(name="feedback", description="Open a form")
        async def feedback(interaction: discord.Interaction) -> None:
            """Open the feedback modal."""
            await interaction.response.send_modal(FeedbackModal(self))

        @tree.command(name="photo", description="Open an upload form")
        async def photo(interaction: discord.Interaction) -> None:
            """Open the photo modal."""
            await interaction.response.send_modal(PhotoModal(self))

        @tree.command(name="echo", description="A form that echoes its select, checkboxes and file")
        async def echo(interaction: discord.Interaction) -> None:
            """Open the echo modal."""
            await interaction.response.send_modal(EchoModal())

        @tree.command(name="calendar", description="Deadlines as a file")
        async def calendar(interaction: discord.Interaction) -> None:
            """Answer with a file attached to the interaction response and a followup file."""
            ics = b"BEGIN:VCALENDAR\r\nEND:VCALENDAR\r\n"
            await interaction.response.send_message(
                "deadlines", file=discord.File(io.BytesIO(ics), "calls.ics")
            )
            await interaction.followup.send("as text", file=discord.File(io.BytesIO(b"none"), "calls.txt"))

        @tree.command(name="say", description="Say something in a channel")
        async def say(interaction: discord.Interaction, text: str, chart: bool = False) -> None:
            """Post to the channel (optionally with a file) and confirm."""
            await interaction.response.defer(ephemeral=True)
            channel = interaction.channel
            assert isinstance(channel, discord.TextChannel)
            try:
                if chart:
                    file = discord.File(_png(), filename="chart.png")
                    embed = discord.Embed(title="chart").set_image(url="attachment://chart.png")
                    sent = await channel.send(text, file=file, embed=embed)
                else:
                    sent = await channel.send(text)
            except discord.HTTPException as err:
                self.seen["say_error"] = err
                await interaction.followup.send(f"failed: {err.code}", ephemeral=True)
                return
            self.seen["say"] = sent
            await interaction.followup.send("sent", ephemeral=True)

        @tree.command(name="remind", description="DM me")
        async def remind(interaction: discord.Interaction) -> None:
            """Send the user a DM, reporting whether it worked."""
            try:
                await interaction.user.send("reminder")
            except discord.Forbidden as err:
                await interaction.response.send_message(f"cannot DM you ({err.code})", ephemeral=True)
                return
            await interaction.response.send_message("check your DMs", ephemeral=True)

        for group in (setup, admin, calls):
            tree.add_command(group)


def _png() -> Any:
    """Return a 2x1 PNG image as a file object."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        """Return one PNG chunk."""
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    raw = zlib.compress(b"\x00\xff\x00\x00\x00\xff\x00")
    ihdr = struct.pack(">IIBBBBB", 2, 1, 8, 2, 0, 0, 0)
    return io.BytesIO(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", raw) + chunk(b"IEND", b""))
