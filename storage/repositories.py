"""Opening storage: the database, its migrations and one repository per capability."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from storage.announcements import AnnouncementsRepository
from storage.calls import CallsRepository
from storage.cities import CitiesRepository
from storage.database import Database
from storage.events import EventsRepository
from storage.exchange import ExchangeRepository
from storage.forms import FormsRepository
from storage.guild_settings import GuildSettingsRepository
from storage.insights import InsightsRepository
from storage.languages import LanguagesRepository
from storage.migrate import apply_migrations
from storage.polls import PollsRepository
from storage.profiles import ProfilesRepository
from storage.proposals import ProposalsRepository
from storage.testimonials import TestimonialsRepository
from storage.twins import TwinsRepository


@dataclass
class Repositories:
    """Every capability's repository, sharing one Database."""

    guild_settings: GuildSettingsRepository
    cities: CitiesRepository
    profiles: ProfilesRepository
    exchanges: ExchangeRepository
    twins: TwinsRepository
    polls: PollsRepository
    testimonials: TestimonialsRepository
    calls: CallsRepository
    announcements: AnnouncementsRepository
    insights: InsightsRepository
    events: EventsRepository
    forms: FormsRepository
    languages: LanguagesRepository
    proposals: ProposalsRepository


def build_repositories(db: Database, *, default_timezone: str) -> Repositories:
    """Create the repositories on an already open and migrated database."""
    return Repositories(
        guild_settings=GuildSettingsRepository(db, default_timezone),
        cities=CitiesRepository(db),
        profiles=ProfilesRepository(db),
        exchanges=ExchangeRepository(db),
        twins=TwinsRepository(db),
        polls=PollsRepository(db),
        testimonials=TestimonialsRepository(db),
        calls=CallsRepository(db),
        announcements=AnnouncementsRepository(db),
        insights=InsightsRepository(db),
        events=EventsRepository(db),
        forms=FormsRepository(db),
        languages=LanguagesRepository(db),
        proposals=ProposalsRepository(db),
    )


async def open_storage(database_path: Path, *, default_timezone: str) -> tuple[Database, Repositories]:
    """Open the database, apply pending migrations and build the repositories; the caller closes db."""
    db = Database(database_path)
    await db.open()
    try:
        await apply_migrations(db)
    except BaseException:
        await db.close()
        raise
    return db, build_repositories(db, default_timezone=default_timezone)
