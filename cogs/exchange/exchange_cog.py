"""The /exchange and /lessons commands: questions between cities and the lessons that answer them."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.errors import NotFoundError, PermissionDeniedError, UserFacingError, ValidationError
from bot.guards import is_moderator
from bot.replies import CONTENT_LIMIT, quote_input, send_ephemeral
from bot.themes import THEMES, theme_by_key
from cogs.exchange.forum import (
    MAX_ARCHIVE_MINUTES,
    THREAD_NAME_LIMIT,
    delete_thread_quietly,
    ensure_tags,
    exchange_forum,
    tag_named,
    tag_post_resolved,
    unarchive,
)
from cogs.exchange.lookup import (
    city_autocomplete,
    city_list_autocomplete,
    guild_id_of,
    resolve_city,
    resolve_city_list,
)
from cogs.exchange.render import AskedCity, lesson_embed, post_content, search_embed
from cogs.exchange.snippets import clean_text, escape_markdown
from cogs.exchange.views import (
    DYNAMIC_ITEMS,
    STATUSES,
    ExchangeFilters,
    ResolveModal,
    exchange_list_message,
    resolve_form_answers,
    send_list,
)
from storage.exchange import ERASED_AUTHOR, AlreadyResolvedError
from storage.exchange_search import search_terms

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

THEME_CHOICES = [app_commands.Choice(name=t.label, value=t.key) for t in THEMES]
STATUS_CHOICES = [app_commands.Choice(name=s, value=s) for s in STATUSES]
SEARCH_RESULTS = 8


class ExchangeCog(commands.Cog, name="Exchange"):
    """Questions between cities as forum posts, closed by a lesson learned that anyone can search."""

    exchange = app_commands.Group(name="exchange", description="Ask other cities a question", guild_only=True)
    lessons = app_commands.Group(name="lessons", description="Lessons learned by cities", guild_only=True)

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot for its repositories and HTTP client."""
        self.bot = bot
        self._sweep_task: asyncio.Task[None] | None = None

    async def cog_load(self) -> None:
        """Register the persistent list buttons, so lists posted before a restart keep paging."""
        self.bot.add_dynamic_items(*DYNAMIC_ITEMS)

    async def cog_unload(self) -> None:
        """Unregister the list buttons and stop a sweep still running (the database closes next)."""
        self.bot.remove_dynamic_items(*DYNAMIC_ITEMS)
        task = self._sweep_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- /exchange ask ---------------------------------------------------------

    @exchange.command(name="ask", description="Ask other cities a question in the exchange forum")
    @app_commands.describe(
        title="Title of the forum post (at most 100 characters)",
        question="Your question, with the context others need",
        theme="The mission theme it is about",
        cities="Cities to ask, separated by commas (leave empty to ask every city)",
    )
    @app_commands.choices(theme=THEME_CHOICES)
    @app_commands.autocomplete(cities=city_list_autocomplete)
    async def ask(
        self,
        interaction: discord.Interaction[Any],
        title: str,
        question: str,
        theme: app_commands.Choice[str],
        cities: str | None = None,
    ) -> None:
        """Post the question in the forum with its theme tag, mention the asked cities, record it."""
        guild_id = guild_id_of(interaction)
        guild = interaction.guild
        assert guild is not None
        title = " ".join(clean_text(title).split())
        if not title or len(title) > THREAD_NAME_LIMIT:
            raise ValidationError(
                f"The title must have 1 to {THREAD_NAME_LIMIT} characters (a forum post's name); "
                f"yours has {len(title)}."
            )
        question = clean_text(question)
        if not question:
            raise ValidationError("The question cannot be empty.")
        forum = exchange_forum(guild, await self.bot.repos.guild_settings.get(guild_id))
        asked = await resolve_city_list(self.bot.repos.cities, guild_id, cities) if cities else []
        profile = await self.bot.repos.profiles.get(guild_id, interaction.user.id)
        home = await self.bot.repos.cities.get(profile.city_id) if profile and profile.city_id else None
        targets = [
            AskedCity(c.name, c.role_id if c.role_id and guild.get_role(c.role_id) else None) for c in asked
        ]
        content = post_content(
            question, interaction.user.id, home.name if home else None, targets, theme.value
        )
        if len(content) > CONTENT_LIMIT:
            room = CONTENT_LIMIT - (len(content) - len(question))
            raise ValidationError(
                f"Your question has {len(question)} characters; with the line naming you and the cities, "
                f"this post can hold {room}. Shorten it by {len(question) - room} characters."
            )
        # Tags and the post are two requests, which may take longer than Discord's 3 seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        theme_tag_name = theme_by_key(theme.value).tag
        forum = await ensure_tags(forum, [theme_tag_name])
        tag = tag_named(forum, theme_tag_name)
        roles = [discord.Object(id=t.role_id) for t in targets if t.role_id]
        try:
            created = await forum.create_thread(
                name=title,
                content=content,
                applied_tags=[tag] if tag else [],
                auto_archive_duration=MAX_ARCHIVE_MINUTES,
                allowed_mentions=discord.AllowedMentions(everyone=False, users=False, roles=roles),
                reason=f"climabot: exchange question by {interaction.user.id}",
            )
        except discord.HTTPException as exc:
            log.warning("guild %s: cannot post in exchange forum %s: %s", guild_id, forum.id, exc)
            raise ValidationError(
                f"I could not post in {forum.mention} ({exc.text or exc.status}); I need to view it, send "
                "messages and create posts there. Nothing was recorded."
            ) from None
        thread = created.thread
        try:
            exchange = await self.bot.repos.exchanges.create(
                guild_id=guild_id,
                forum_id=forum.id,
                thread_id=thread.id,
                author_id=interaction.user.id,
                from_city_id=home.id if home else None,
                title=title,
                question=question,
                theme=theme.value,
                city_ids=[c.id for c in asked],
            )
        except BaseException:
            # Post first, record second: if the record fails, the post goes too, so nothing half exists.
            await delete_thread_quietly(thread, "the exchange could not be recorded")
            raise
        log.info("guild %s: exchange %s asked by %s", guild_id, exchange.id, interaction.user.id)
        try:
            await thread.add_user(interaction.user)
        except discord.HTTPException:
            log.info("could not add asker %s to thread %s", interaction.user.id, thread.id)
        await interaction.followup.send(
            f"Your question is posted: {thread.mention}. When it is answered, run `/exchange resolve` there.",
            ephemeral=True,
        )

    # --- /exchange resolve -----------------------------------------------------

    @exchange.command(name="resolve", description="Inside an exchange post: record the lesson learned")
    async def resolve(self, interaction: discord.Interaction[Any]) -> None:
        """Open the lesson-learned form for the exchange of the post this is run in."""
        guild_id = guild_id_of(interaction)
        exchange = None
        if interaction.channel_id is not None:
            exchange = await self.bot.repos.exchanges.by_thread(interaction.channel_id)
        if exchange is None or exchange.guild_id != guild_id:
            settings = await self.bot.repos.guild_settings.get(guild_id)
            where = f" in <#{settings.exchange_forum_id}>" if settings.exchange_forum_id else ""
            raise ValidationError(
                f"`/exchange resolve` works inside an exchange post{where}: open the post of the question "
                "and run it there."
            )
        if not exchange.is_open:
            raise ValidationError("This exchange is already resolved; its lesson is posted in this thread.")
        if interaction.user.id != exchange.author_id and not await self._is_moderator(interaction):
            asker = (
                "a member who has since erased their data"
                if exchange.author_id == ERASED_AUTHOR
                else f"<@{exchange.author_id}>"
            )
            raise PermissionDeniedError(
                f"Only the person who asked ({asker}) or a moderator can resolve this exchange."
            )
        await interaction.response.send_modal(ResolveModal(exchange.id))

    async def _is_moderator(self, interaction: discord.Interaction[Any]) -> bool:
        """Tell whether the invoking member counts as a moderator."""
        member = interaction.user
        if not isinstance(member, discord.Member):
            return False
        settings = await self.bot.repos.guild_settings.get(member.guild.id)
        return is_moderator(
            member.guild_permissions, (r.id for r in member.roles), settings.moderator_role_id
        )

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Answer lesson forms here rather than in the modal, which discord.py forgets on restart."""
        if interaction.type is not discord.InteractionType.modal_submit or interaction.data is None:
            return
        form = resolve_form_answers(interaction.data)
        if form is None:
            return
        exchange_id, answers = form
        try:
            await self.complete_resolve(
                interaction,
                exchange_id,
                answers.get("worked", ""),
                answers.get("did_not", ""),
                answers.get("contact", ""),
            )
        except UserFacingError as exc:
            await send_ephemeral(interaction, str(exc))
        except Exception:
            log.exception("error while resolving exchange %s", exchange_id)
            await send_ephemeral(
                interaction, "Something went wrong on my side while saving the lesson; it was logged."
            )

    async def complete_resolve(
        self, interaction: discord.Interaction[Any], exchange_id: int, worked: str, did_not: str, contact: str
    ) -> None:
        """Store the lesson and resolve the exchange, post the lesson, tag the post resolved."""
        worked, did_not, contact = clean_text(worked), clean_text(did_not), clean_text(contact)
        if not worked:
            raise ValidationError("Say what worked: that is the lesson others will search for.")
        exchange = await self.bot.repos.exchanges.get(exchange_id)
        if exchange is None or exchange.guild_id != interaction.guild_id:
            raise NotFoundError("This exchange no longer exists.")
        # Checked again: a form may come back after a restart, or with someone else's exchange id.
        if interaction.user.id != exchange.author_id and not await self._is_moderator(interaction):
            raise PermissionDeniedError("Only the person who asked or a moderator can resolve this exchange.")
        try:
            lesson = await self.bot.repos.exchanges.resolve(
                exchange_id, by=interaction.user.id, what_worked=worked, what_did_not=did_not, contact=contact
            )
        except AlreadyResolvedError:
            raise ValidationError(
                "Someone resolved this exchange a moment ago; see the lesson in the thread."
            ) from None
        try:
            await interaction.response.send_message(embed=lesson_embed(exchange, lesson))
        except discord.HTTPException:
            # Without the lesson in the thread the exchange is not resolved: undo, so it can be tried again.
            await self.bot.repos.exchanges.reopen(exchange_id)
            raise
        log.info("exchange %s resolved by %s", exchange_id, interaction.user.id)
        forum = interaction.guild.get_channel(exchange.forum_id) if interaction.guild else None
        problem = None
        if not isinstance(forum, discord.ForumChannel):
            problem = "the exchange forum is gone"
        else:
            try:
                await tag_post_resolved(self.bot, forum, exchange.thread_id)
            except ValidationError as exc:
                problem = str(exc)
            except discord.HTTPException as exc:
                problem = f"Discord refused ({exc.text or exc.status}); I need Manage Threads in the forum"
        if problem:
            log.warning("exchange %s: cannot tag resolved: %s", exchange_id, problem)
            await interaction.followup.send(
                f"The lesson is saved, but I could not tag the post resolved: {problem}", ephemeral=True
            )

    # --- /exchange list ----------------------------------------------------------

    @exchange.command(name="list", description="List exchanges, newest first")
    @app_commands.describe(
        city="Only exchanges asked by or to this city",
        theme="Only this theme",
        status="open, resolved or all",
    )
    @app_commands.choices(theme=THEME_CHOICES, status=STATUS_CHOICES)
    @app_commands.autocomplete(city=city_autocomplete)
    async def list_exchanges(
        self,
        interaction: discord.Interaction[Any],
        city: str | None = None,
        theme: app_commands.Choice[str] | None = None,
        status: app_commands.Choice[str] | None = None,
    ) -> None:
        """Show the first page of exchanges matching the filters."""
        guild_id = guild_id_of(interaction)
        found = await resolve_city(self.bot.repos.cities, guild_id, city) if city else None
        filters = ExchangeFilters(
            found.id if found else None, theme.value if theme else None, status.value if status else "all"
        )
        await send_list(interaction, *await exchange_list_message(self.bot, guild_id, filters, 0))

    # --- /lessons search ----------------------------------------------------------

    @lessons.command(name="search", description="Search lessons learned and questions")
    @app_commands.describe(
        query="Words to look for", theme="Only this theme", city="Only exchanges asked by or to this city"
    )
    @app_commands.choices(theme=THEME_CHOICES)
    @app_commands.autocomplete(city=city_autocomplete)
    async def search(
        self,
        interaction: discord.Interaction[Any],
        query: str,
        theme: app_commands.Choice[str] | None = None,
        city: str | None = None,
    ) -> None:
        """Answer with the best-ranked lessons and questions, their snippets and links."""
        guild_id = guild_id_of(interaction)
        if not search_terms(query):
            raise ValidationError("Type at least one word (letters or digits) to search for.")
        found = await resolve_city(self.bot.repos.cities, guild_id, city) if city else None
        hits = await self.bot.repos.exchanges.search(
            guild_id,
            query,
            theme=theme.value if theme else None,
            city_id=found.id if found else None,
            limit=SEARCH_RESULTS,
        )
        if not hits:
            await interaction.response.send_message(
                f"Nothing matches {quote_input(query)}. Try other words, or ask other cities with "
                "`/exchange ask`.",
                ephemeral=True,
            )
            return
        await interaction.response.send_message(
            embed=search_embed(escape_markdown(query), hits), ephemeral=True
        )

    # --- keeping open exchanges from archiving -----------------------------------

    @commands.Cog.listener()
    async def on_raw_thread_update(self, payload: discord.RawThreadUpdateEvent) -> None:
        """Un-archive the post of an open exchange when Discord archives it for inactivity."""
        meta: dict[str, Any] = dict(payload.data.get("thread_metadata") or {})
        if not meta.get("archived") or meta.get("locked"):
            return
        exchange = await self.bot.repos.exchanges.by_thread(payload.thread_id)
        if exchange is not None and exchange.is_open:
            await unarchive(self.bot, payload.thread_id)

    @commands.Cog.listener()
    async def on_ready(self) -> None:
        """Once per run, wake open exchanges' posts that were archived while the bot was away."""
        if self._sweep_task is None:
            self._sweep_task = asyncio.create_task(self._sweep_all(), name="exchange-unarchive-sweep")

    async def _sweep_all(self) -> None:
        """Sweep every server the bot is in."""
        for guild in self.bot.guilds:
            try:
                await self._sweep(guild)
            except discord.HTTPException as exc:
                log.warning("guild %s: cannot check archived exchange posts: %s", guild.id, exc)

    async def _sweep(self, guild: discord.Guild) -> None:
        """Un-archive the archived posts of a server's open exchanges."""
        open_threads = await self.bot.repos.exchanges.open_thread_ids(guild.id)
        if not open_threads:
            return
        settings = await self.bot.repos.guild_settings.get(guild.id)
        forum = guild.get_channel(settings.exchange_forum_id) if settings.exchange_forum_id else None
        if not isinstance(forum, discord.ForumChannel):
            return
        async for thread in forum.archived_threads(limit=None):
            if thread.id in open_threads and not thread.locked:
                await unarchive(self.bot, thread.id)
