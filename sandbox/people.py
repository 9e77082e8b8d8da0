"""Acting as people: run slash commands, click, select, fill modals, post messages; read what the bot sent."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

import sandbox.perms as perms

from .guild import Guild
from .http_base import UploadedFile
from .interactions import (
    AUTOCOMPLETE,
    COMMAND,
    COMPONENT,
    MODAL_SUBMIT,
    InteractionRecord,
    interaction_payload,
)
from .options import NotPossible, Resolver, command_options, find_command, modal_components, select_values
from .rest_channels import post_in_forum
from .state import Channel, Member, Message, ScheduledEvent, User, iter_components

if TYPE_CHECKING:
    from .gateway import Gateway
    from .messages import MessageOps
    from .payloads import Payloads
    from .world import World

Person = Member | User


class People:
    """Mixin for Emulator: what a test can make people do, and how it reads the bot's answers."""

    world: World
    payloads: Payloads
    messages: MessageOps
    gateway: Gateway

    # --- commands --------------------------------------------------------

    async def slash(
        self,
        guild: Guild | None,
        user: Person,
        command: str,
        /,
        *,
        channel: Channel | None = None,
        options: dict[str, Any] | None = None,
        override_permissions: bool = False,
        **values: Any,
    ) -> InteractionRecord:
        """Run `/command sub ...` with options by name; raise if a person could not run it like that."""
        member, person, where = self._actor(guild, user, channel)
        words = command.strip().lstrip("/").split()
        cmd = find_command(self.world, guild, words[0])
        self._check_command_allowed(cmd, guild, member, override_permissions)
        resolver = Resolver(self.world, self.payloads, guild, member)
        all_values = {**values, **(options or {})}
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 1,
            "options": command_options(cmd, words[1:], all_values, resolver),
        }
        if resolver.data:
            data["resolved"] = resolver.data
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        return self._dispatch(COMMAND, guild, where, person, member, data, command_name=" ".join(words))

    async def autocomplete(
        self,
        guild: Guild | None,
        user: Person,
        command: str,
        /,
        focused: str,
        value: str = "",
        *,
        channel: Channel | None = None,
        options: dict[str, Any] | None = None,
        timeout: float = 5.0,
        **values: Any,
    ) -> list[dict[str, Any]]:
        """Type `value` into an autocomplete option and return the choices the bot offers."""
        member, person, where = self._actor(guild, user, channel)
        words = command.strip().lstrip("/").split()
        cmd = find_command(self.world, guild, words[0])
        resolver = Resolver(self.world, self.payloads, guild, member)
        all_values = {**values, **(options or {}), focused: value}
        data: dict[str, Any] = {
            "id": cmd["id"],
            "name": cmd["name"],
            "type": 1,
            "options": command_options(cmd, words[1:], all_values, resolver, focused=focused),
        }
        if resolver.data:
            data["resolved"] = resolver.data
        if cmd.get("guild_id"):
            data["guild_id"] = cmd["guild_id"]
        it = self._dispatch(AUTOCOMPLETE, guild, where, person, member, data, command_name=" ".join(words))
        return await it.wait_choices(timeout)

    def _check_command_allowed(
        self, cmd: dict[str, Any], guild: Guild | None, member: Member | None, override: bool
    ) -> None:
        """Refuse commands Discord hides from this person (default_member_permissions, contexts)."""
        contexts = cmd.get("contexts")
        if guild is None and (
            (contexts is not None and 1 not in contexts) or cmd.get("dm_permission") is False
        ):
            raise NotPossible(f"/{cmd['name']} cannot be used in DMs")
        if guild is not None and contexts is not None and 0 not in contexts:
            raise NotPossible(f"/{cmd['name']} cannot be used in servers")
        required = cmd.get("default_member_permissions")
        if guild is None or member is None or required is None or override:
            return
        if not perms.has(member.permissions, int(required)):
            raise NotPossible(
                f"{member.name} cannot see /{cmd['name']} (default_member_permissions={required}); "
                "pass override_permissions=True to act as if an admin granted it in Integrations settings"
            )

    # --- components and modals --------------------------------------------

    async def click(
        self, guild: Guild | None, user: Person, message: Message, custom_id: str
    ) -> InteractionRecord:
        """Click a button of a message."""
        comp = self._component(user, message, custom_id)
        if comp["type"] != 2 or comp.get("style") in (5, 6):
            raise NotPossible(f"{custom_id!r} is not a clickable button: {comp}")
        data = {"custom_id": custom_id, "component_type": 2, "id": comp.get("id")}
        member, person, where = self._actor(guild, user, self.world.channels[message.channel_id])
        return self._dispatch(COMPONENT, guild, where, person, member, data, source_message=message)

    async def select(
        self, guild: Guild | None, user: Person, message: Message, custom_id: str, values: list[Any]
    ) -> InteractionRecord:
        """Choose values in a select menu of a message (strings, or members/roles/channels)."""
        comp = self._component(user, message, custom_id)
        member, person, where = self._actor(guild, user, self.world.channels[message.channel_id])
        resolver = Resolver(self.world, self.payloads, guild, member)
        chosen = select_values(comp, list(values), resolver, f"select {custom_id!r}")
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": comp["type"], "values": chosen}
        data["id"] = comp.get("id")
        if resolver.data:
            data["resolved"] = resolver.data
        return self._dispatch(COMPONENT, guild, where, person, member, data, source_message=message)

    async def submit_modal(
        self, guild: Guild | None, user: Person, it: InteractionRecord, values: dict[str, Any]
    ) -> InteractionRecord:
        """Fill the modal the bot opened in answer to `it` (values by custom_id) and submit it."""
        if it.modal is None:
            raise NotPossible(f"the bot did not answer {it!r} with a modal")
        member, person, where = self._actor(guild, user, it.channel)
        if person.id != it.user.id:
            raise NotPossible("only the person who opened a modal can submit it")
        resolver = Resolver(self.world, self.payloads, guild, member)
        data: dict[str, Any] = {
            "custom_id": it.modal["custom_id"],
            "components": modal_components(it.modal, values, resolver),
        }
        if resolver.data:
            data["resolved"] = resolver.data
        return self._dispatch(
            MODAL_SUBMIT, guild, where, person, member, data, source_message=it.source_message
        )

    def _component(self, user: Person, message: Message, custom_id: str) -> dict[str, Any]:
        """Return a component a person can use, or explain why they cannot."""
        if message.deleted:
            raise NotPossible("the message was deleted")
        comp = message.component(custom_id)
        if comp is None:
            have = [c.get("custom_id") for c in message.buttons()] + [
                c.get("custom_id") for c in _selects(message.components)
            ]
            raise NotPossible(f"no component {custom_id!r} on the message; it has {have}")
        if comp.get("disabled"):
            raise NotPossible(f"component {custom_id!r} is disabled")
        if message.ephemeral:
            owner = self.world.interactions.get(message.interaction_id or 0)
            if owner is not None and owner.user.id != user.id:
                raise NotPossible("only the person an ephemeral message was sent to can use it")
        return comp

    # --- dispatching -------------------------------------------------------

    def _actor(
        self, guild: Guild | None, user: Person, channel: Channel | None
    ) -> tuple[Member | None, User, Channel]:
        """Return (member, user, channel) for an action, defaulting the channel sensibly."""
        person = user.user if isinstance(user, Member) else user
        if guild is None:
            return None, person, channel or self.world.dm_channel(person)
        if person.id not in guild.members:
            raise NotPossible(f"{person.username} is not a member of {guild.name}")
        member = guild.members[person.id]
        if channel is None:
            texts = guild.text_channels
            if not texts:
                raise NotPossible(f"{guild.name} has no text channel to type in; pass channel=")
            channel = texts[0]
        if channel.guild_id != guild.id:
            raise NotPossible(f"channel {channel.name} is not in {guild.name}")
        return member, person, channel

    def _dispatch(
        self,
        kind: int,
        guild: Guild | None,
        channel: Channel,
        person: User,
        member: Member | None,
        data: dict[str, Any],
        *,
        command_name: str | None = None,
        source_message: Message | None = None,
    ) -> InteractionRecord:
        """Record an interaction and send INTERACTION_CREATE to the bot."""
        if not self.gateway.live_sessions:
            raise AssertionError("no bot is connected to the emulator's gateway")
        it = InteractionRecord(
            self.world,
            kind,
            guild=guild,
            channel=channel,
            user=person,
            member=member,
            data=data,
            command_name=command_name,
            source_message=source_message,
        )
        it.payload = interaction_payload(it, self.payloads, self.world.application_id)
        self.world.interactions[it.id] = it
        self.world.interactions_by_token[it.token] = it
        self.world.events.interaction_created(it.payload)
        return it

    # --- people's messages ---------------------------------------------------

    def post_message(
        self,
        user: Person,
        channel: Channel,
        content: str = "",
        *,
        attachments: Iterable[dict[str, Any]] = (),
        embeds: list[dict[str, Any]] | None = None,
        reply_to: Message | None = None,
    ) -> Message:
        """Post a message as a person (MESSAGE_CREATE reaches the bot if its intents allow)."""
        person = user.user if isinstance(user, Member) else user
        body: dict[str, Any] = {"content": content, "embeds": embeds or []}
        if reply_to is not None:
            body["message_reference"] = {"message_id": str(reply_to.id)}
        return self.messages.create(channel, person, body, self._files(attachments))

    def dm_bot(self, user: Person, content: str, *, attachments: Iterable[dict[str, Any]] = ()) -> Message:
        """Send the bot a direct message as a person."""
        person = user.user if isinstance(user, Member) else user
        return self.post_message(person, self.world.dm_channel(person), content, attachments=attachments)

    def edit_message(self, message: Message, content: str) -> Message:
        """Edit a person's message (MESSAGE_UPDATE)."""
        return self.messages.edit(message, {"content": content}, {})

    def delete_message(self, message: Message) -> None:
        """Delete a message as a person or moderator (MESSAGE_DELETE)."""
        self.messages.delete(message)

    def post_forum_thread(
        self,
        user: Person,
        forum: Channel,
        title: str,
        content: str,
        *,
        tags: Iterable[str] = (),
        attachments: Iterable[dict[str, Any]] = (),
    ) -> tuple[Channel, Message]:
        """Open a forum post as a person; return (thread, starter message)."""
        person = user.user if isinstance(user, Member) else user
        body = {"name": title, "message": {"content": content}, "applied_tags": [forum.tag(t) for t in tags]}
        return post_in_forum(self, forum, person, body, self._files(attachments))

    def show_interest(self, user: Person, event: ScheduledEvent, interested: bool = True) -> None:
        """Mark (or unmark) a person as interested in a scheduled event."""
        person = user.user if isinstance(user, Member) else user
        if interested and person.id not in event.interested_ids:
            event.interested_ids.add(person.id)
        elif not interested and person.id in event.interested_ids:
            event.interested_ids.discard(person.id)
        else:
            return
        self.world.notify()
        self.world.events.event_interest(event, person.id, interested)

    def _files(self, attachments: Iterable[dict[str, Any]]) -> dict[str, UploadedFile]:
        """Turn uploads (from upload()) into the files of a message."""
        out = {}
        for i, att in enumerate(attachments):
            f = self.world.files[int(att["id"])]
            out[f"files[{i}]"] = UploadedFile(f.filename, f.content_type, f.data)
        return out

    # --- reading what the bot did -------------------------------------------

    def messages_in(self, channel: Channel | int, *, include_deleted: bool = False) -> list[Message]:
        """Return the (non-ephemeral) messages of a channel, oldest first."""
        cid = channel.id if isinstance(channel, Channel) else int(channel)
        return [m for m in self.world.channel_messages.get(cid, []) if include_deleted or not m.deleted]

    async def wait_for_message(
        self,
        channel: Channel | int,
        predicate: Callable[[Message], bool] | None = None,
        *,
        timeout: float = 5.0,
    ) -> Message:
        """Return the first message the bot posted in a channel matching `predicate` (waiting for it)."""
        cid = channel.id if isinstance(channel, Channel) else int(channel)
        bot_id = self.world.bot_user.id

        def check() -> Message | None:
            """Return the first matching bot message, if any."""
            for m in self.messages_in(cid):
                if m.author.id == bot_id and not m.loading and (predicate is None or predicate(m)):
                    return m
            return None

        return await self.world.wait_until(check, timeout, f"a bot message in channel {cid}")

    def dm_channel_of(self, user: Person) -> Channel:
        """Return the bot's DM channel with a person (for wait_for_message / messages_in)."""
        return self.world.dm_channel(user.user if isinstance(user, Member) else user)

    def commands(self, guild: Guild | int | None = None) -> list[dict[str, Any]]:
        """Return the commands the bot synced globally (None) or for a guild."""
        gid = guild.id if isinstance(guild, Guild) else guild
        return self.world.commands.get(gid, [])

    async def wait_for_commands(
        self, guild_id: Guild | int | None = None, names: Iterable[str] = (), *, timeout: float = 10.0
    ) -> list[dict[str, Any]]:
        """Wait until the bot has synced commands including `names` (globally or for a guild)."""
        wanted = set(names)
        gid = guild_id.id if isinstance(guild_id, Guild) else guild_id

        def check() -> list[dict[str, Any]] | None:
            """Return the synced commands once they include every wanted name."""
            synced = self.world.commands.get(gid)
            if synced is not None and wanted <= {c["name"] for c in synced}:
                return synced
            return None

        return await self.world.wait_until(check, timeout, f"commands {sorted(wanted)} synced for {gid}")


def _selects(components: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Return the select menus among components."""
    return [c for c in iter_components(components) if c.get("type") in (3, 5, 6, 7, 8)]
