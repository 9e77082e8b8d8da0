"""The demo server a new sandbox starts with: channels, forums, roles and a handful of people.

Only the Discord side lives here (the sandbox imports nothing of climabot); what the bot must be told
about the server (its channels, the moderator role, the cities and each person's profile) is done by
the caller through slash commands, as people would. The forum tags are passed in by the caller, so the
tag names are the ones the bot itself uses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import sandbox.perms as perms

from .emulator import Emulator
from .guild import Guild
from .state import Channel, Member, Role

GUILD_NAME = "Mission Cities Sandbox"
ADMIN_ROLE = "Admin"
MODERATOR_ROLE = "Moderator"
MODERATOR_PERMISSIONS = (
    perms.MANAGE_MESSAGES | perms.MANAGE_THREADS | perms.MANAGE_EVENTS | perms.CREATE_EVENTS
)
# What climabot needs in the (hidden) moderation channel: what `/setup channels` checks, and reading
# back the cards it posted there.
BOT_IN_MODERATION = (
    perms.VIEW_CHANNEL
    | perms.SEND_MESSAGES
    | perms.EMBED_LINKS
    | perms.ATTACH_FILES
    | perms.READ_MESSAGE_HISTORY
)
WELCOME = (
    "Welcome to the **Mission Cities Sandbox**! This is a local Discord server with climabot in it. "
    "Pick who you are at the top of the page, then type `/` in a channel to see what climabot can do."
)


@dataclass(frozen=True)
class DemoPerson:
    """One member of the demo server, with the city and target group they will tell climabot."""

    username: str
    name: str
    locale: str  # a Discord locale; climabot answers in it
    city: str
    country: str  # ISO 3166 code
    group: str  # a climabot target-group key
    role: str | None = None  # ADMIN_ROLE, MODERATOR_ROLE or None


# The first person is the server's owner and administrator.
PEOPLE: tuple[DemoPerson, ...] = (
    DemoPerson("ana", "Ana Ferreira", "en-GB", "Lisbon", "PT", "policy-maker", ADMIN_ROLE),
    DemoPerson("marco", "Marco Rossi", "en-US", "Milan", "IT", "civil-society", MODERATOR_ROLE),
    DemoPerson("niamh", "Niamh Byrne", "en-GB", "Dublin", "IE", "citizen"),
    DemoPerson("lena", "Lena Schmidt", "de", "Munich", "DE", "researcher"),
    DemoPerson("camille", "Camille Martin", "fr", "Lyon", "FR", "citizen"),
    DemoPerson("giulia", "Giulia Bianchi", "it", "Milan", "IT", "end-user"),
    DemoPerson("lucia", "Lucía García", "es-ES", "Valencia", "ES", "business"),
    DemoPerson("piotr", "Piotr Nowak", "pl", "Kraków", "PL", "civil-society"),
)


@dataclass
class Demo:
    """The demo server and the parts of it a caller needs by name."""

    guild: Guild
    general: Channel
    announcements: Channel
    moderation: Channel
    showcase: Channel
    exchange: Channel
    proposals: Channel
    events: Channel
    admin_role: Role
    moderator_role: Role
    people: dict[str, Member]

    @property
    def admin(self) -> Member:
        """Return the administrator (the server's owner)."""
        return self.people[PEOPLE[0].username]

    @property
    def moderator(self) -> Member:
        """Return the first moderator."""
        return next(self.people[p.username] for p in PEOPLE if p.role == MODERATOR_ROLE)


def build_demo(emu: Emulator, *, exchange_tags: Sequence[str], proposal_tags: Sequence[str]) -> Demo:
    """Create the demo server in a fresh emulator and return it."""
    owner = PEOPLE[0]
    guild = emu.add_guild(GUILD_NAME, owner_name=owner.username)
    admin_role = guild.add_role(ADMIN_ROLE, perms.ADMINISTRATOR, color=0xE67E22, hoist=True)
    moderator_role = guild.add_role(
        MODERATOR_ROLE, MODERATOR_PERMISSIONS, color=0x3498DB, hoist=True, mentionable=True
    )
    welcome = guild.add_category("Welcome")
    general = guild.add_text_channel("general", category=welcome, topic="Say hello; try climabot here")
    announcements = guild.add_text_channel(
        "announcements", category=welcome, topic="Funding calls, reminders and news"
    )
    community = guild.add_category("Community")
    showcase = guild.add_text_channel("showcase", category=community, topic="Stories from our cities")
    exchange = guild.add_forum_channel("exchange", tags=list(exchange_tags), category=community)
    exchange.topic = "Ask another city how they did it"
    proposals = guild.add_forum_channel("proposals", tags=list(proposal_tags), category=community)
    proposals.topic = "Citizen proposals for our Climate City Contracts"
    events = guild.add_voice_channel("webinars", category=community)
    team = guild.add_category("Team")
    moderation = guild.add_text_channel("moderation", category=team, topic="Submissions awaiting a decision")
    # Only moderators (and administrators) see the moderation channel; climabot's own role is let in
    # too, as an admin adds a bot to a private channel, so it can post the cards moderators decide on.
    moderation.permission_overwrites = [
        {"id": str(guild.id), "type": 0, "allow": "0", "deny": str(perms.VIEW_CHANNEL)},
        {"id": str(moderator_role.id), "type": 0, "allow": str(perms.VIEW_CHANNEL), "deny": "0"},
        {"id": str(guild.bot_role.id), "type": 0, "allow": str(BOT_IN_MODERATION), "deny": "0"},
    ]
    roles = {ADMIN_ROLE: admin_role, MODERATOR_ROLE: moderator_role}
    people: dict[str, Member] = {}
    for person in PEOPLE:
        if person is owner:
            member = guild.owner
            member.user.global_name, member.user.locale = person.name, person.locale
        else:
            member = guild.add_member(person.username, global_name=person.name, locale=person.locale)
        if person.role is not None:
            guild.give_role(member, roles[person.role])
        people[person.username] = member
    guild.preferred_locale = "en-US"
    emu.post_message(people[owner.username], general, WELCOME)
    return Demo(
        guild,
        general,
        announcements,
        moderation,
        showcase,
        exchange,
        proposals,
        events,
        admin_role,
        moderator_role,
        people,
    )


def find_demo(emu: Emulator) -> Demo:
    """Return the demo server of an emulator loaded from disk; KeyError if it is not there."""
    guild = next((g for g in emu.world.guilds.values() if g.name == GUILD_NAME), None)
    if guild is None:
        raise KeyError(f"no server named {GUILD_NAME!r}")
    usernames = {p.username for p in PEOPLE}
    people = {m.user.username: m for m in guild.members.values() if m.user.username in usernames}
    return Demo(
        guild,
        general=_channel(guild, "general"),
        announcements=_channel(guild, "announcements"),
        moderation=_channel(guild, "moderation"),
        showcase=_channel(guild, "showcase"),
        exchange=_channel(guild, "exchange"),
        proposals=_channel(guild, "proposals"),
        events=_channel(guild, "webinars"),
        admin_role=guild.role(ADMIN_ROLE),
        moderator_role=guild.role(MODERATOR_ROLE),
        people=people,
    )


def _channel(guild: Guild, name: str) -> Channel:
    """Return the guild's channel (not a thread) with this name."""
    for ch in guild.channels.values():
        if ch.name == name and not ch.is_thread:
            return ch
    raise KeyError(f"{guild.name} has no channel #{name}")
