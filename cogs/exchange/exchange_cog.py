"""The /exchange commands: questions between cities as forum posts, resolved by a lesson learned."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.cog_base import ClimaCog
from bot.discord_steps import create_then_record
from bot.error_handler import report_failure
from bot.errors import NotFoundError, PermissionDeniedError, ValidationError
from bot.forms import Form
from bot.forums import forum_tags, open_post
from bot.guards import member_is_moderator, require_guild
from bot.i18n import N_, Lang, Msg
from bot.member_data import MemberDataHolder
from bot.paginator import ListPage, clamp_page, pager, send_list
from bot.text import optional_visible
from bot.themes import THEME_CHOICES, theme_by_key
from cogs.exchange.forum import ensure_tags, exchange_forum, tag_post_resolved, unarchive, wake_archived_posts
from cogs.exchange.lookup import city_autocomplete, city_list_autocomplete, resolve_city, resolve_city_list
from cogs.exchange.member_data import ExchangeData
from cogs.exchange.render import AskedCity, exchange_list_embed, lesson_embed, post_content
from cogs.exchange.rules import (
    Draft,
    asker_text,
    check_post_length,
    clean_text,
    member_text,
    mention,
    question_title,
)
from cogs.exchange.views import (
    STATUSES,
    ExchangeFilters,
    ExchangePageButton,
    LessonForm,
    legacy_lesson_answers,
)
from storage.cities import City
from storage.exchange import ERASED_AUTHOR, AlreadyResolvedError, Exchange, QuestionLimitError

if TYPE_CHECKING:
    from bot.client import ClimaBot

log = logging.getLogger(__name__)

STATUS_NAMES = {
    # Translators: choices of the `status` option of /exchange list.
    "open": N_("open"),
    "resolved": N_("resolved"),
    "all": N_("all"),
}
STATUS_CHOICES = [app_commands.Choice(name=STATUS_NAMES[s], value=s) for s in STATUSES]
EXCHANGE_PAGE_SIZE = 10


def quota_error(t: Lang, limit: int) -> ValidationError:
    """Tell a member they asked as many questions as one member may in a day (in their language t)."""
    # A plural needs ngettext, which a Msg cannot carry: the refusal is rendered here.
    text = t.ngettext(
        "You have asked {n} question in the last 24 hours, the most one member may ask in a day on this "
        "server. Nothing was posted; please ask again tomorrow.",
        "You have asked {n} questions in the last 24 hours, the most one member may ask in a day on this "
        "server. Nothing was posted; please ask again tomorrow.",
        limit,
    )
    return ValidationError(text)


class ExchangeCog(ClimaCog, name="Exchange"):
    """Questions between cities as forum posts, closed by a lesson learned that anyone can search."""

    exchange = app_commands.Group(
        name="exchange", description=N_("Ask other cities a question"), guild_only=True
    )

    dynamic_items = (ExchangePageButton,)

    def __init__(self, bot: ClimaBot) -> None:
        """Keep the bot for its repositories, settings and HTTP client."""
        super().__init__(bot)
        self.lesson_form = LessonForm()
        self._sweep_task: asyncio.Task[None] | None = None

    def forms(self) -> tuple[Form, ...]:
        """The lesson-learned form."""
        return (self.lesson_form,)

    def member_data(self) -> MemberDataHolder:
        """Questions asked and lessons written."""
        return ExchangeData(self.bot.repos.exchanges)

    async def stop(self) -> None:
        """Stop a sweep still running (the database closes next)."""
        task = self._sweep_task
        if task is not None and not task.done():
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task

    # --- /exchange ask ---------------------------------------------------------

    @exchange.command(name="ask", description=N_("Ask other cities a question in the exchange forum"))
    @app_commands.describe(
        title=N_("Title of the forum post (at most 100 characters)"),
        question=N_("Your question, with the context others need"),
        theme=N_("The mission theme it is about"),
        cities=N_("Cities to ask, separated by commas (leave empty to ask every city)"),
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
        member = require_guild(interaction)
        guild, limits = member.guild, self.bot.settings.limits
        title, question = question_title(title), member_text(question, N_("question"))
        t = await self.bot.languages.for_interaction(interaction)
        await self._check_quota(t, guild.id, member.id, limits.questions_per_day)
        forum = exchange_forum(guild, await self.bot.repos.guild_settings.get(guild.id))
        asked = (
            await resolve_city_list(self.bot.repos.cities, guild.id, cities, limits.cities_per_question, t)
            if cities
            else []
        )
        home = await self._home_city(guild.id, member.id)
        targets = [
            AskedCity(c.name, c.role_id if c.role_id and guild.get_role(c.role_id) else None) for c in asked
        ]
        # The post is public: it speaks the server's language.
        public = await self.bot.languages.for_guild(guild.id)
        content = post_content(public, question, member.id, home.name if home else None, targets, theme.value)
        check_post_length(content, question)
        draft = Draft(
            guild.id, forum.id, member.id, home.id if home else None, title, question, theme.value, asked
        )
        # Tags and the post are two requests, which may take longer than Discord's 3 seconds.
        await interaction.response.defer(ephemeral=True, thinking=True)
        forum = await ensure_tags(forum, [theme_by_key(theme.value).tag])
        roles = [t.role_id for t in targets if t.role_id]
        exchange = await create_then_record(
            lambda: self._post(forum, title, content, theme.value, roles, member.id),
            lambda created: self._record(t, draft, created.thread, limits.questions_per_day),
            lambda created: created.thread.delete(reason="climabot: the exchange could not be recorded"),
            what="an exchange post",
        )
        log.info("guild %s: exchange %s asked by %s", guild.id, exchange.id, member.id)
        try:
            await self.bot.http.add_user_to_thread(exchange.thread_id, member.id)
        except discord.HTTPException:
            log.info("could not add asker %s to thread %s", member.id, exchange.thread_id)
        await interaction.followup.send(
            t._(
                "Your question is posted: {post}. When it is answered, run `/exchange resolve` there.",
                post=mention("#", exchange.thread_id),
            ),
            ephemeral=True,
        )

    async def _check_quota(self, t: Lang, guild_id: int, user_id: int, per_day: int) -> None:
        """Refuse a member who already asked as many questions as one may in 24 hours."""
        day_ago = datetime.now(UTC) - timedelta(days=1)
        if await self.bot.repos.exchanges.asked_since(guild_id, user_id, day_ago) >= per_day:
            raise quota_error(t, per_day)

    async def _record(self, t: Lang, draft: Draft, thread: discord.Thread, per_day: int) -> Exchange:
        """Record the exchange of a post that exists, within the member's daily quota."""
        try:
            return await self.bot.repos.exchanges.create(
                guild_id=draft.guild_id,
                forum_id=draft.forum_id,
                thread_id=thread.id,
                author_id=draft.author_id,
                from_city_id=draft.from_city_id,
                title=draft.title,
                question=draft.question,
                theme=draft.theme,
                city_ids=[c.id for c in draft.asked],
                per_day_limit=per_day,
            )
        except QuestionLimitError as exc:
            raise quota_error(t, exc.limit) from None

    async def _home_city(self, guild_id: int, user_id: int) -> City | None:
        """The member's home city from their profile, if they set one."""
        profile = await self.bot.repos.profiles.get(guild_id, user_id)
        return await self.bot.repos.cities.get(profile.city_id) if profile and profile.city_id else None

    async def _post(
        self,
        forum: discord.ForumChannel,
        title: str,
        content: str,
        theme: str,
        role_ids: list[int],
        author_id: int,
    ) -> discord.channel.ThreadWithMessage:
        """Open the forum post with its theme tag, pinging only the asked cities' roles."""
        return await open_post(
            forum,
            name=title,
            content=content,
            applied_tags=forum_tags(forum, [theme_by_key(theme).tag]),
            allowed_mentions=discord.AllowedMentions(
                everyone=False, users=False, roles=[discord.Object(id=r) for r in role_ids]
            ),
            reason=f"climabot: exchange question by {author_id}",
        )

    # --- /exchange resolve -----------------------------------------------------

    @exchange.command(name="resolve", description=N_("Inside an exchange post: record the lesson learned"))
    async def resolve(self, interaction: discord.Interaction[Any]) -> None:
        """Open the lesson-learned form for the exchange of the post this is run in."""
        member = require_guild(interaction)
        exchange = None
        if interaction.channel_id is not None:
            exchange = await self.bot.repos.exchanges.by_thread(interaction.channel_id)
        if exchange is None or exchange.guild_id != member.guild.id:
            settings = await self.bot.repos.guild_settings.get(member.guild.id)
            if settings.exchange_forum_id:
                raise ValidationError(
                    "`/exchange resolve` works inside an exchange post in {forum}: open the post of the "
                    "question and run it there.",
                    forum=mention("#", settings.exchange_forum_id),
                )
            raise ValidationError(
                "`/exchange resolve` works inside an exchange post: open the post of the question and run it "
                "there."
            )
        if not exchange.is_open:
            raise ValidationError("This exchange is already resolved; its lesson is posted in this thread.")
        await self._require_resolver(member, exchange)
        await self.bot.forms.open(interaction, self.lesson_form, {"exchange": exchange.id})

    async def _require_resolver(self, member: discord.Member, exchange: Exchange) -> None:
        """Refuse anyone but the asker and moderators."""
        if member.id != exchange.author_id and not await member_is_moderator(self.bot, member):
            raise PermissionDeniedError(
                "Only the person who asked ({asker}) or a moderator can resolve this exchange.",
                asker=asker_text(exchange.author_id, ERASED_AUTHOR),
            )

    async def complete_resolve(
        self, interaction: discord.Interaction[Any], exchange_id: int, worked: str, did_not: str, contact: str
    ) -> None:
        """Store the lesson and resolve the exchange, post the lesson, tag the post resolved."""
        member = require_guild(interaction)
        worked = member_text(worked, N_("answer to “What worked”"))
        did_not = clean_text(optional_visible(did_not, N_("answer to “What did not work”")) or "")
        contact = clean_text(optional_visible(contact, N_("answer to “Who to contact”")) or "")
        exchange = await self.bot.repos.exchanges.get(exchange_id)
        if exchange is None or exchange.guild_id != member.guild.id:
            raise NotFoundError("This exchange no longer exists.")
        # Checked again: the asker may have erased their data, or the member lost the moderator role.
        await self._require_resolver(member, exchange)
        try:
            lesson = await self.bot.repos.exchanges.resolve(
                exchange_id, by=member.id, what_worked=worked, what_did_not=did_not, contact=contact
            )
        except AlreadyResolvedError:
            raise ValidationError(
                "Someone resolved this exchange a moment ago; see the lesson in the thread."
            ) from None
        # The lesson is posted in the thread for everyone: the server's language.
        public = await self.bot.languages.for_guild(member.guild.id)
        try:
            await interaction.response.send_message(embed=lesson_embed(public, exchange, lesson))
        except discord.HTTPException:
            # Without the lesson in the thread the exchange is not resolved: undo, so it can be tried again.
            await self.bot.repos.exchanges.reopen(exchange_id)
            raise
        log.info("exchange %s resolved by %s", exchange_id, member.id)
        problem = await self._tag_resolved(member.guild, exchange)
        if problem:
            log.warning("exchange %s: cannot tag resolved: %s", exchange_id, problem)
            t = await self.bot.languages.for_interaction(interaction)
            await interaction.followup.send(
                t._(
                    "The lesson is saved, but I could not tag the post resolved. {problem}",
                    problem=t.render(problem),
                ),
                ephemeral=True,
            )

    async def _tag_resolved(self, guild: discord.Guild, exchange: Exchange) -> Msg | None:
        """Tag a resolved exchange's post; return what went wrong, if anything."""
        forum = guild.get_channel(exchange.forum_id)
        if not isinstance(forum, discord.ForumChannel):
            return Msg("The exchange forum is gone.")
        try:
            await tag_post_resolved(self.bot, forum, exchange.thread_id)
        except ValidationError as exc:
            return exc.text
        except discord.HTTPException as exc:
            return Msg(
                "Discord refused ({error}); I need Manage Threads in the forum.", error=exc.text or exc.status
            )
        return None

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Complete lesson forms opened before forms had tokens (an upgrade is a restart, too)."""
        if interaction.type is not discord.InteractionType.modal_submit or interaction.data is None:
            return
        legacy = legacy_lesson_answers(interaction.data)
        if legacy is None:
            return
        exchange_id, answers = legacy
        try:
            await self.complete_resolve(
                interaction,
                exchange_id,
                answers.get("worked", ""),
                answers.get("did_not", ""),
                answers.get("contact", ""),
            )
        except Exception as error:
            await report_failure(interaction, error, f"lesson form of exchange {exchange_id}")

    # --- /exchange list ----------------------------------------------------------

    @exchange.command(name="list", description=N_("List exchanges, newest first"))
    @app_commands.describe(
        city=N_("Only exchanges asked by or to this city"),
        theme=N_("Only this theme"),
        status=N_("Open, resolved or all exchanges"),
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
        guild_id = require_guild(interaction).guild.id
        found = await resolve_city(self.bot.repos.cities, guild_id, city) if city else None
        filters = ExchangeFilters(
            found.id if found else None, theme.value if theme else None, status.value if status else "all"
        )
        t = await self.bot.languages.for_interaction(interaction)
        await send_list(interaction, await self.exchange_page(guild_id, filters, 0, t))

    async def exchange_page(self, guild_id: int, filters: ExchangeFilters, page: int, t: Lang) -> ListPage:
        """One page of exchanges (newest first) in language t, with buttons to the neighbouring pages."""
        exchanges, total = await self._page(guild_id, filters, max(page, 0))
        number, pages = clamp_page(page, total, EXCHANGE_PAGE_SIZE)
        if number != page:
            exchanges, total = await self._page(guild_id, filters, number)
        view = pager(
            lambda p, _direction, label, disabled: ExchangePageButton.for_filters(
                p, filters, label, disabled
            ),
            number,
            pages,
            t,
        )
        return exchange_list_embed(t, exchanges, number, pages, total), view

    async def _page(self, guild_id: int, filters: ExchangeFilters, page: int) -> tuple[list[Exchange], int]:
        """Read one page of exchanges matching the filters, and how many match in all."""
        return await self.bot.repos.exchanges.page(
            guild_id,
            city_id=filters.city_id,
            theme=filters.theme,
            status=None if filters.status == "all" else filters.status,
            offset=page * EXCHANGE_PAGE_SIZE,
            limit=EXCHANGE_PAGE_SIZE,
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
                await wake_archived_posts(self.bot, guild)
            except discord.HTTPException as exc:
                log.warning("guild %s: cannot check archived exchange posts: %s", guild.id, exc)
