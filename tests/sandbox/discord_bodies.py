"""Request bodies exactly as discord.py 2.7 builds them, for testing the emulator's validation.

Each builder uses the helpers discord.py's HTTP client and interaction responses use, so a body
the validator wrongly refuses here is a false alarm the bot would hit too.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from typing import Any

import discord
from discord import app_commands, ui
from discord.http import handle_message_parameters
from discord.webhook.async_ import interaction_message_response_params, interaction_response_params

Body = dict[str, Any]
CALLBACK = "/interactions/111/aW50ZXJhY3Rpb24.tok-en_1/callback"
MESSAGES = "/channels/123/messages"


def embed(title: str = "Vote on the 2030 plan", description: str = "Cast your vote below.") -> discord.Embed:
    """Return a typical embed with fields, footer, author, images and a timestamp."""
    e = discord.Embed(title=title, description=description, colour=0x2E7D32, url="https://example.org/vote")
    e.add_field(name="Yes", value="12 votes").add_field(name="No", value="3 votes", inline=False)
    e.set_footer(text="Climate mission", icon_url="https://example.org/f.png")
    e.set_author(name="Climabot", url="https://example.org")
    e.set_thumbnail(url="https://example.org/t.png").set_image(url="https://example.org/i.png")
    e.timestamp = discord.utils.utcnow()
    return e


def view() -> ui.View:
    """Return a legacy view: buttons (one link, one with emoji), a string select and a channel select."""
    v = ui.View()
    v.add_item(ui.Button(label="Yes", custom_id="vote:yes", style=discord.ButtonStyle.success, emoji="✅"))
    v.add_item(ui.Button(label="No", custom_id="vote:no", style=discord.ButtonStyle.danger))
    v.add_item(ui.Button(label="Read the plan", url="https://example.org/plan"))
    opts = [discord.SelectOption(label=f"City {i}", value=f"c{i}", description="A city") for i in range(25)]
    v.add_item(ui.Select(custom_id="city", placeholder="Pick your city", options=opts, max_values=3))
    v.add_item(ui.ChannelSelect(custom_id="where", channel_types=[discord.ChannelType.text]))
    v.add_item(ui.UserSelect(custom_id="who", default_values=[discord.Object(42)]))
    return v


def message_body() -> Body:
    """Return a channel message with content, embed, components and explicit user mentions."""
    mentions = discord.AllowedMentions(users=[discord.Object(7)], roles=False, everyone=False)
    return handle_message_parameters(
        content="New vote!", embed=embed(), view=view(), allowed_mentions=mentions
    ).payload


def reply_body() -> Body:
    """Return a reply (message_reference, nonce, no author ping) with two embeds."""
    ref = discord.MessageReference(message_id=5, channel_id=123, guild_id=9).to_message_reference_dict()
    params = handle_message_parameters(
        content="Thanks!",
        embeds=[embed(), embed("Second")],
        message_reference=ref,
        mention_author=False,
        nonce=77,
    )
    return params.payload


def file_message_body() -> Body:
    """Return the parsed payload_json of a multipart message with one file attachment."""
    params = handle_message_parameters(content="Export", file=discord.File(io.BytesIO(b"a,b"), "votes.csv"))
    return json.loads(params.multipart[0]["value"])


def callback_body(kind: int = 4, ephemeral: bool = True) -> Body:
    """Return an interaction response as InteractionResponse.send_message/edit_message builds it."""
    flags = discord.MessageFlags(ephemeral=True) if ephemeral else discord.utils.MISSING
    return interaction_message_response_params(
        type=kind,
        content="Your vote is recorded.",
        embeds=[embed()],
        view=view(),
        flags=flags,
        allowed_mentions=discord.AllowedMentions.none(),
    ).payload


def layout_view() -> ui.LayoutView:
    """Return a Components V2 layout: container, section, separator, gallery, file, action row."""

    class Layout(ui.LayoutView):
        """One of every Components V2 layout piece discord.py offers."""

        container = ui.Container(
            ui.TextDisplay("## Plan 2030"),
            ui.Separator(),
            ui.Section(ui.TextDisplay("Vote now"), accessory=ui.Button(label="Vote", custom_id="v2:vote")),
            ui.ActionRow(ui.Button(label="Details", custom_id="v2:details")),
            accent_colour=discord.Colour.green(),
        )
        gallery = ui.MediaGallery(discord.MediaGalleryItem("https://example.org/a.png"))
        file = ui.File("attachment://plan.pdf")
        section = ui.Section(ui.TextDisplay("Map"), accessory=ui.Thumbnail("https://example.org/t.png"))

    return Layout()


def v2_body() -> Body:
    """Return a Components V2 message (IS_COMPONENTS_V2 set by discord.py)."""
    return handle_message_parameters(view=layout_view()).payload


def modal_body() -> Body:
    """Return a modal callback with a legacy text input and Labels wrapping every modal input kind."""

    # Built outside the class body: every ui item assigned in a Modal class becomes a child.
    radio = ui.RadioGroup(
        custom_id="city", options=[discord.RadioGroupOption(label=c) for c in ("Lyon", "Oslo")]
    )
    box = ui.CheckboxGroup(
        custom_id="themes", options=[discord.CheckboxGroupOption(label="Energy")], min_values=0
    )

    class Testimony(ui.Modal, title="Share your testimony"):
        """A form with a legacy text input and every Label-wrapped input kind."""

        story = ui.TextInput(label="Story", style=discord.TextStyle.paragraph, max_length=4000, min_length=10)
        town = ui.Label(text="Town", description="Where you live", component=ui.TextInput(custom_id="town"))
        city = ui.Label(text="City", component=radio)
        themes = ui.Label(text="Themes", component=box)
        consent = ui.Label(text="I agree to publication", component=ui.Checkbox(custom_id="consent"))

    return interaction_response_params(9, Testimony().to_dict()).payload


def modal_selects_body() -> Body:
    """Return a modal with a file upload, string select, role select and text display."""

    class Upload(ui.Modal, title="Upload"):
        """A form with a file upload, selects and a text display."""

        photo = ui.Label(text="Photo", component=ui.FileUpload(custom_id="photo", max_values=3))
        pick = ui.Label(
            text="Pick", component=ui.Select(custom_id="pick", options=[discord.SelectOption(label="a")])
        )
        role = ui.Label(text="Role", component=ui.RoleSelect(custom_id="role"))
        note = ui.TextDisplay("Photos must be your own.")

    return interaction_response_params(9, Upload().to_dict()).payload


def autocomplete_body(n: int = 25) -> Body:
    """Return an autocomplete result as InteractionResponse.autocomplete builds it."""
    choices = [app_commands.Choice(name=f"City {i}", value=f"city-{i}").to_dict() for i in range(n)]
    return interaction_response_params(8, {"choices": choices}).payload


def commands_body() -> list[Body]:
    """Return a bulk overwrite from a CommandTree: group, subgroup, rich options, context menu."""
    tree = app_commands.CommandTree(discord.Client(intents=discord.Intents(guilds=True)))
    mission = app_commands.Group(name="mission", description="Mission tools")

    @mission.command(name="schedule", description="Schedule a vote")
    @app_commands.describe(channel="Where to post", role="Who may vote", topic="What to vote on")
    @app_commands.choices(
        kind=[
            app_commands.Choice(name="Poll", value="poll"),
            app_commands.Choice(name="Survey", value="survey"),
        ]
    )
    async def schedule(
        interaction: discord.Interaction,
        channel: discord.TextChannel,
        role: discord.Role,
        kind: app_commands.Choice[str],
        topic: str,
        attachment: discord.Attachment | None = None,
        forum: discord.ForumChannel | None = None,
        count: app_commands.Range[int, 1, 10] = 1,
        weight: app_commands.Range[float, 0.5, 2.0] = 1.0,
        title: app_commands.Range[str, 1, 80] | None = None,
    ) -> None:
        """Schedule."""

    @schedule.autocomplete("topic")
    async def topic_complete(
        interaction: discord.Interaction, current: str
    ) -> list[app_commands.Choice[str]]:
        """Complete."""
        return []

    admin = app_commands.Group(name="admin", description="Admin tools", parent=mission)

    @admin.command(name="reset", description="Reset everything")
    async def reset(interaction: discord.Interaction) -> None:
        """Reset."""

    tree.add_command(mission)

    @tree.command(name="ping", description="Check the bot")
    @app_commands.default_permissions(manage_guild=True)
    @app_commands.guild_only()
    async def ping(interaction: discord.Interaction) -> None:
        """Ping."""

    @tree.context_menu(name="Report Message")
    async def report(interaction: discord.Interaction, message: discord.Message) -> None:
        """Report."""

    return [c.to_dict(tree) for c in tree.get_commands()]


def edit_body() -> Body:
    """Return a message edit clearing content, embeds and components."""
    return handle_message_parameters(content=None, embed=None, view=None).payload


def v2_callback_body() -> Body:
    """Return an UPDATE_MESSAGE callback carrying a Components V2 layout."""
    return interaction_message_response_params(type=7, view=layout_view()).payload


def followup_body() -> Body:
    """Return an ephemeral followup as Webhook.send builds it."""
    flags = discord.MessageFlags(ephemeral=True)
    return handle_message_parameters(
        content="Saved.", embed=embed(), flags=flags, username="Climabot"
    ).payload


def forum_post_body() -> Body:
    """Return a forum post (thread plus first message) as ForumChannel.create_thread builds it."""
    channel = {"name": "Idea", "auto_archive_duration": 1440, "rate_limit_per_user": None, "type": 11}
    channel["applied_tags"] = ["3"]
    return handle_message_parameters(content="Idea", embed=embed(), channel_payload=channel).payload


def thread_body() -> Body:
    """Return a thread without a message as HTTPClient.start_thread_without_message builds it."""
    return dict(name="Talk", auto_archive_duration=1440, type=11, invitable=True, rate_limit_per_user=None)


CMDS, GUILD_CMDS, HOOK = "/applications/1/commands", "/applications/1/guilds/2/commands", "/webhooks/1/tok"
VALID: list[tuple[str, str, str, Callable[[], Any]]] = [
    ("message", "POST", MESSAGES, message_body),
    ("reply", "POST", MESSAGES, reply_body),
    ("multipart message", "POST", MESSAGES, file_message_body),
    ("components v2", "POST", MESSAGES, v2_body),
    ("edit", "PATCH", "/channels/123/messages/456", edit_body),
    ("callback 4 ephemeral", "POST", CALLBACK, callback_body),
    ("callback 7 update", "POST", CALLBACK, lambda: callback_body(7, ephemeral=False)),
    ("callback 7 v2", "POST", CALLBACK, v2_callback_body),
    ("deferred", "POST", CALLBACK, lambda: interaction_response_params(5, {"flags": 64}).payload),
    ("deferred update", "POST", CALLBACK, lambda: interaction_response_params(6).payload),
    ("modal", "POST", CALLBACK, modal_body),
    ("modal selects", "POST", CALLBACK, modal_selects_body),
    ("autocomplete", "POST", CALLBACK, autocomplete_body),
    ("followup", "POST", HOOK, followup_body),
    ("edit original", "PATCH", f"{HOOK}/messages/@original", message_body),
    ("edit followup", "PATCH", f"{HOOK}/messages/99", edit_body),
    ("forum post", "POST", "/channels/5/threads", forum_post_body),
    ("thread", "POST", "/channels/5/threads", thread_body),
    ("guild commands", "PUT", GUILD_CMDS, commands_body),
    ("global commands", "PUT", CMDS, commands_body),
]
