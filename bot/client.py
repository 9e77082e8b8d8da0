"""The ClimaBot client: owns storage, the scheduler and the cogs for one run."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import pkgutil
import socket
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

import discord
import yarl
from discord.ext import commands

import cogs
from bot.error_handler import ClimaTree
from bot.forms import FormDesk
from bot.health import HEARTBEAT_INTERVAL
from bot.i18n import Catalogs
from bot.languages import CommandTranslator, Languages
from bot.member_data import MemberDataRegistry
from bot.replies import clip
from bot.scheduling import Timeline, drain, new_scheduler
from bot.settings import DiscordSettings, Settings
from storage.database import Database
from storage.heartbeat import HeartbeatRepository
from storage.repositories import Repositories, open_storage

log = logging.getLogger(__name__)
# How long shutdown waits for scheduled jobs that are running (a reminder round, an announcement).
SHUTDOWN_GRACE_SECONDS = 5.0
# Names discord.py 2.x gives the tasks that run a slash command, a component or modal callback, and the
# on_interaction listeners (FormDesk receives forms there). Names are all it keeps for the tree's tasks.
INTERACTION_TASK_PREFIXES = (
    "CommandTree-invoker",
    "discord-ui-view-dispatch-",
    "discord-ui-dynamic-item-",
    "discord-ui-modal-dispatch-",
    "discord.py: on_interaction",
)


def discover_extensions() -> list[str]:
    """List every cog package under cogs/, in name order."""
    return sorted(f"cogs.{m.name}" for m in pkgutil.iter_modules(cogs.__path__) if m.ispkg)


def point_discord_at(discord_settings: DiscordSettings) -> None:
    """Send discord.py's REST and gateway traffic to the configured endpoints (a proxy or the emulator)."""
    # discord.py builds every route, webhooks included, from this class attribute.
    discord.http.Route.BASE = discord_settings.api_base_url.rstrip("/")
    discord.gateway.DiscordWebSocket.DEFAULT_GATEWAY = yarl.URL(discord_settings.gateway_url)


def running_interaction_tasks() -> list[asyncio.Task[Any]]:
    """The tasks of this event loop that are answering an interaction right now."""
    current = asyncio.current_task()
    return [
        task
        for task in asyncio.all_tasks()
        if task is not current and not task.done() and task.get_name().startswith(INTERACTION_TASK_PREFIXES)
    ]


async def finish_interactions(timeout: float) -> int:
    """Wait up to `timeout` seconds for running interaction tasks; cancel and return how many were late."""
    return await drain(running_interaction_tasks(), timeout, "interaction(s)")


def required_intents() -> discord.Intents:
    """Return the gateway intents climabot needs: guild structure only, nothing privileged."""
    intents = discord.Intents.none()
    intents.guilds = True
    return intents


class ClimaBot(commands.Bot):
    """The climabot application: one instance per run, started and stopped by the runner."""

    def __init__(
        self, settings: Settings, *, extensions: Sequence[str] | None = None, **options: Any
    ) -> None:
        """Prepare the bot; nothing connects or opens until setup_hook; options go to discord.py."""
        # The bot never joins voice; without this discord.py warns about missing voice libraries.
        discord.VoiceClient.warn_nacl = discord.VoiceClient.warn_dave = False
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=required_intents(),
            allowed_mentions=discord.AllowedMentions.none(),
            tree_cls=ClimaTree,
            help_command=None,
            **options,
        )
        self.settings = settings
        self.extension_names = list(discover_extensions() if extensions is None else extensions)
        self.scheduler, self._executor = new_scheduler()
        self.timeline = Timeline(self.scheduler, settings.defaults.misfire_grace_delta)
        self.member_data = MemberDataRegistry()
        self._database: Database | None = None
        self._repos: Repositories | None = None
        self._forms: FormDesk | None = None
        self._languages: Languages | None = None
        self._heartbeat: HeartbeatRepository | None = None
        self._started_at = datetime.now(UTC)
        point_discord_at(settings.discord)

    @property
    def repos(self) -> Repositories:
        """Return the repositories; only valid between setup_hook and close."""
        if self._repos is None:
            raise RuntimeError("storage is not open")
        return self._repos

    @property
    def database(self) -> Database:
        """Return the open database; only valid between setup_hook and close."""
        if self._database is None:
            raise RuntimeError("storage is not open")
        return self._database

    @property
    def languages(self) -> Languages:
        """Return the languages service; only valid between setup_hook and close."""
        if self._languages is None:
            raise RuntimeError("storage is not open")
        return self._languages

    @property
    def forms(self) -> FormDesk:
        """Return the desk that opens and receives forms; only valid between setup_hook and close."""
        if self._forms is None:
            raise RuntimeError("storage is not open")
        return self._forms

    async def setup_hook(self) -> None:
        """Open storage, start the scheduler, load the cogs and sync the slash commands."""
        self._database, self._repos = await open_storage(
            self.settings.storage.database_path, default_timezone=self.settings.defaults.timezone
        )
        self._languages = Languages(Catalogs(), self._repos.languages, self._repos.guild_settings)
        self.member_data.register("Languages", self._languages)
        await self.tree.set_translator(CommandTranslator(self._languages.catalogs))
        self.scheduler.start()
        self._forms = FormDesk(self, self._repos.forms)
        await self.add_cog(self._forms)
        self.member_data.register("Forms", self._forms)
        # Unsent forms expire; their rows and held files are swept out regularly.
        self.scheduler.add_job(self._forms.sweep, "interval", minutes=10, id="forms:sweep")
        # `climabot health` reads this heartbeat: a job that stops running means a stuck scheduler.
        self._heartbeat = HeartbeatRepository(self._database)
        self.scheduler.add_job(
            self.beat, "interval", seconds=HEARTBEAT_INTERVAL.total_seconds(), id="health:heartbeat"
        )
        for name in self.extension_names:
            await self.load_extension(name)
        await self.sync_commands()
        log.info("ready to connect: %d cogs loaded", len(self.cogs))

    async def sync_commands(self) -> None:
        """Publish the slash commands to the configured servers, or globally when none are set."""
        guild_ids = self.settings.discord.command_guild_ids
        if not guild_ids:
            synced = await self.tree.sync()
            log.info("synced %d global commands", len(synced))
            return
        for guild_id in guild_ids:
            guild = discord.Object(id=guild_id)
            self.tree.copy_global_to(guild=guild)
            synced = await self.tree.sync(guild=guild)
            log.info("synced %d commands to guild %s", len(synced), guild_id)

    async def notify_moderators(self, guild_id: int, text: str) -> bool:
        """Post a notice in the server's moderation channel; log it when there is none or it fails."""
        settings = await self.repos.guild_settings.get(guild_id)
        if settings.moderation_channel_id is None:
            log.warning("guild %s has no moderation channel; notice not delivered: %s", guild_id, text)
            return False
        channel = self.get_partial_messageable(settings.moderation_channel_id, guild_id=guild_id)
        try:
            await channel.send(clip(text), allowed_mentions=discord.AllowedMentions.none())
        except discord.HTTPException as problem:
            log.warning("guild %s: moderation notice failed (%s): %s", guild_id, problem.status, text)
            return False
        return True

    async def close(self) -> None:
        """Stop in the reverse order of setup: jobs finish, then the connection, scheduler and storage."""
        # A command that deferred (e.g. /insights) still needs the HTTP session for its followup.
        interactions = finish_interactions(SHUTDOWN_GRACE_SECONDS)
        if self.scheduler.running:
            # No new job starts; those running may finish their sends and records for a few seconds.
            self.scheduler.pause()
            await asyncio.gather(self._executor.drain(SHUTDOWN_GRACE_SECONDS), interactions)
        else:
            await interactions
        await super().close()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=False)
        if self._heartbeat is not None:
            await self._mark_stopped(self._heartbeat)
            self._heartbeat = None
        if self._languages is not None:
            await self._languages.flush()
        if self._database is not None:
            await self._database.close()
            self._database = None
            self._repos = None
        # What on_ready froze may be garbage now (another bot may run in this process, as in tests).
        gc.unfreeze()
        log.info("stopped")

    async def on_ready(self) -> None:
        """Log which account and servers the bot is connected as; exempt start-up objects from GC passes."""
        user = self.user
        log.info("connected as %s (%s) to %d servers", user, user.id if user else "?", len(self.guilds))
        # What exists now (modules, catalogs, commands, the servers' state) lives as long as the bot.
        # Frozen, the collector's oldest-generation passes, which stop the event loop and so every
        # click for tens of milliseconds, walk only the objects made since.
        gc.freeze()
        await self.beat()

    def is_connected(self) -> bool:
        """Whether the gateway connection is up and the bot has received READY."""
        return self.is_ready() and not self.is_closed() and self.ws is not None and self.ws.open

    async def beat(self) -> None:
        """Refresh the heartbeat `climabot health` reads; a failure is logged, never raised into the job."""
        if self._heartbeat is None:
            return
        try:
            await self._heartbeat.beat(
                pid=os.getpid(),
                host=socket.gethostname(),
                started_at=self._started_at,
                now=datetime.now(UTC),
                connected=self.is_connected(),
            )
        except Exception:
            log.warning("could not refresh the heartbeat", exc_info=True)

    async def _mark_stopped(self, heartbeat: HeartbeatRepository) -> None:
        """Tell `climabot health` this bot has stopped."""
        try:
            await heartbeat.stopped(pid=os.getpid(), now=datetime.now(UTC))
        except Exception:
            log.warning("could not mark the heartbeat stopped", exc_info=True)
