"""Forms bound to one member and one use, that survive restarts and never lose what was typed.

A form's custom_id is `<kind>:<token>`; its state (which call is edited, which photo is held) is a
database row found by that token and claimed in one transaction when the form is sent, so two
members' forms never mix, a form is used once, and a form sent after a restart still completes.
discord.py is not asked to keep modals: every submission comes to the FormDesk, which checks the
member, the server and (where needed) moderator status, then hands the values to the form's cog.
When the state is gone (expired, already used, cog not loaded) the member gets back what they typed.
"""

from __future__ import annotations

import io
import logging
import re
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any, ClassVar

import discord
from discord.ext import commands

from bot.components import ERROR, EXPIRED, OK, REFUSED, PersistentButton, observe, persistent_view
from bot.error_handler import report_failure
from bot.errors import NotFoundError, PermissionDeniedError, UserFacingError, ValidationError
from bot.guards import require_guild, require_moderator
from bot.i18n import N_, Lang, Msg
from bot.languages import lang_for
from bot.member_data import Erasure
from bot.replies import clip, send_ephemeral
from storage.forms import FormsRepository

log = logging.getLogger(__name__)

FORM_ID = re.compile(r"^(?P<kind>[a-z][a-z0-9-]*:[a-z][a-z0-9-]*):(?P<token>[A-Za-z0-9_-]{22})$")
TYPED_KEY = "_typed"
# Above this, what a member typed is handed back as a text file rather than in the message.
HANDBACK_INLINE_LIMIT = 1700
EXPIRED_TEXT = N_("This form has expired or was already sent, so nothing was saved.")
SWITCHED_OFF = N_(
    "This form belongs to a part of climabot that is switched off right now, so nothing was saved."
)
RETRY_LABEL = N_("Fix and send again")
NOTHING_SAVED = N_("Nothing was saved.")
START_AGAIN = N_("{reason} Run the command again to start a new form.")


@dataclass(frozen=True)
class Submission:
    """What a member sent in a form: each field's value by its custom_id, and uploaded files."""

    values: dict[str, Any]
    attachments: dict[str, list[discord.Attachment]] = field(default_factory=dict)

    def text(self, key: str) -> str:
        """The text typed into a text input ('' when absent)."""
        value = self.values.get(key)
        return value if isinstance(value, str) else ""

    def choice(self, key: str) -> str | None:
        """The value picked in a radio group or single select (None when nothing was picked)."""
        value = self.values.get(key)
        if isinstance(value, list):
            return str(value[0]) if value else None
        return value if isinstance(value, str) and value else None

    def checked(self, key: str) -> bool:
        """Whether a checkbox was ticked."""
        return self.values.get(key) is True

    def files(self, key: str) -> list[discord.Attachment]:
        """The files uploaded in a file-upload field."""
        return list(self.attachments.get(key, []))


def read_values(components: Sequence[Any]) -> dict[str, Any]:
    """Gather custom_id -> value from submitted modal components, whatever rows or labels wrap them."""
    values: dict[str, Any] = {}
    for component in components:
        if not isinstance(component, Mapping):
            continue
        custom_id = component.get("custom_id")
        if custom_id is not None:
            if "values" in component:
                values[str(custom_id)] = [str(v) for v in component.get("values") or []]
            elif "value" in component:
                raw = component["value"]
                values[str(custom_id)] = raw if isinstance(raw, bool) else ("" if raw is None else str(raw))
        values.update(read_values(component.get("components") or []))
        if isinstance(component.get("component"), Mapping):
            values.update(read_values([component["component"]]))
    return values


def handback_text(values: Mapping[str, Any], labels: Mapping[str, str], t: Lang) -> str:
    """Render what a member typed so they can paste it into a new form (text fields only)."""
    parts = []
    for key, value in values.items():
        if key.startswith("_") or not isinstance(value, str) or not value.strip():
            continue
        label = t._(labels[key]) if key in labels else key.replace("_", " ").capitalize()
        # A fence inside the text would end the code block early.
        parts.append(f"**{label}**\n```\n{value.replace('```', 'ʼʼʼ')}\n```")
    return "\n".join(parts)


def text_input(
    label: str, key: str, value: Any = None, *, description: str | None = None, **options: Any
) -> discord.ui.Label[Any]:
    """A labelled text input filled with `value`, cut to Discord's limits (label 45, description 100)."""
    default = str(value or "")[: options.get("max_length") or None] or None
    field: discord.ui.TextInput[Any] = discord.ui.TextInput(custom_id=key, default=default, **options)
    return discord.ui.Label(
        text=label[:45], description=description[:100] if description else None, component=field
    )


class Form:
    """One kind of form: its look (build), who may send it, and what sending it does (submit)."""

    kind: str  # "<cog>:<form>", the first part of the custom_id
    cog_name: ClassVar[str]  # the cog whose methods submit() calls
    lifetime: ClassVar[timedelta] = timedelta(hours=1)
    moderators_only: ClassVar[bool] = False
    # How many forms of this kind one member may hold open at once (None: no limit).
    max_open_per_member: ClassVar[int | None] = None
    # Field custom_id -> its English label (marked with N_), for handing back what was typed.
    labels: ClassVar[dict[str, str]] = {}

    def build(self, state: Mapping[str, Any], typed: Mapping[str, Any], t: Lang) -> discord.ui.Modal:
        """Return the modal for this state in language t, prefilled with what the member typed before."""
        raise NotImplementedError

    async def submit(
        self, interaction: discord.Interaction[Any], handler: Any, state: Mapping[str, Any], sent: Submission
    ) -> None:
        """Act on a sent form; raise a UserFacingError to let the member fix it and send it again."""
        raise NotImplementedError

    async def discard(self, state: Mapping[str, Any]) -> None:
        """Release what an unsent form held (files on disk); nothing by default."""


class RetryButton(PersistentButton, cog="Forms", prefix="forms:retry", fields={"token": str}):
    """Reopens a refused form with what the member typed; only they can use it, even after restarts."""

    token: str

    def __init__(self, token: str, t: Lang | None = None) -> None:
        """Build the button for one held form, labelled in the member's language."""
        label = t._(RETRY_LABEL) if t is not None else RETRY_LABEL
        super().__init__(token, label=label, style=discord.ButtonStyle.primary)

    async def clicked(self, interaction: discord.Interaction[Any], handler: FormDesk) -> str | None:
        """Open the form again, filled in (EXPIRED when the held form is gone)."""
        return None if await handler.reopen(interaction, self.token) else EXPIRED


class FormDesk(commands.Cog, name="Forms"):
    """Opens forms and receives every submission, live or after a restart."""

    def __init__(self, bot: commands.Bot, repository: FormsRepository) -> None:
        """Keep the bot and the open-forms table; forms are registered by the cogs that own them."""
        self.bot = bot
        self.repository = repository
        self._forms: dict[str, Form] = {}

    def register(self, *forms: Form) -> None:
        """Make forms known (a cog does this when it loads)."""
        for form in forms:
            self._forms[form.kind] = form

    def unregister(self, *forms: Form) -> None:
        """Forget forms (a cog does this when it unloads)."""
        for form in forms:
            self._forms.pop(form.kind, None)

    async def cog_load(self) -> None:
        """Handle the retry buttons of refused forms."""
        self.bot.add_dynamic_items(RetryButton)

    async def cog_unload(self) -> None:
        """Stop handling retry buttons."""
        self.bot.remove_dynamic_items(RetryButton)

    async def open(
        self,
        interaction: discord.Interaction[Any],
        form: Form,
        state: Mapping[str, Any] | None = None,
        *,
        typed: Mapping[str, Any] | None = None,
    ) -> str:
        """Show a form to the member of this interaction, bound to them and this server; return its token."""
        if form.moderators_only:
            await require_moderator(interaction)
        now = datetime.now(UTC)
        limit = form.max_open_per_member
        if (
            limit is not None
            and await self.repository.count_open(interaction.user.id, form.kind, now=now) >= limit
        ):
            raise ValidationError(
                "You already have {limit} of these forms open. Send or close one, or wait {minutes} "
                "minutes, then try again.",
                limit=limit,
                minutes=int(form.lifetime.total_seconds() // 60),
            )
        held = dict(state or {})
        if typed:
            held[TYPED_KEY] = dict(typed)
        token = await self._hold(interaction, form, held)
        await self._show(interaction, form, token, held)
        return token

    async def _hold(self, interaction: discord.Interaction[Any], form: Form, held: dict[str, Any]) -> str:
        """Record a form's state under a new one-use token for the member and server of the interaction."""
        now = datetime.now(UTC)
        token = secrets.token_urlsafe(16)
        await self.repository.open(
            token,
            form.kind,
            guild_id=interaction.guild_id,
            user_id=interaction.user.id,
            state=held,
            opened_at=now,
            expires_at=now + form.lifetime,
        )
        return token

    async def _show(
        self,
        interaction: discord.Interaction[Any],
        form: Form,
        token: str,
        held: Mapping[str, Any],
        *,
        release_on_failure: bool = True,
    ) -> None:
        """Send the modal; a new form that cannot be shown is released so it does not count."""
        modal = form.build(held, held.get(TYPED_KEY) or {}, await lang_for(interaction))
        modal.custom_id = f"{form.kind}:{token}"
        modal.timeout = None
        # A stopped modal is not kept by discord.py: its submission reaches on_interaction below,
        # the same way before and after a restart.
        modal.stop()
        try:
            await interaction.response.send_modal(modal)
        except Exception:
            if not release_on_failure:
                raise
            released = await self.repository.claim(
                token, user_id=interaction.user.id, guild_id=interaction.guild_id, now=datetime.now(UTC)
            )
            if released is not None:
                await form.discard(released.state)
            raise

    async def reopen(self, interaction: discord.Interaction[Any], token: str) -> bool:
        """Show a held form again to the member who owns it, filled in; False when it is gone."""
        held = await self.repository.peek(
            token, user_id=interaction.user.id, guild_id=interaction.guild_id, now=datetime.now(UTC)
        )
        form = self._forms.get(held.kind) if held is not None else None
        if held is None or form is None:
            t = await lang_for(interaction)
            await send_ephemeral(interaction, t._(START_AGAIN, reason=t._(EXPIRED_TEXT)))
            return False
        await self._show(interaction, form, token, held.state, release_on_failure=False)
        return True

    @commands.Cog.listener()
    async def on_interaction(self, interaction: discord.Interaction[Any]) -> None:
        """Receive a form submission: find its state by token, check who sent it, hand it to its cog."""
        if interaction.type is not discord.InteractionType.modal_submit or interaction.data is None:
            return
        match = FORM_ID.match(str(interaction.data.get("custom_id", "")))
        if match is None:
            return
        sent = self._submission(interaction)
        form = self._forms.get(match["kind"])
        if form is None or self.bot.get_cog(form.cog_name) is None:
            log.info("form %s sent while its cog is not loaded", match["kind"])
            await self._hand_back(interaction, Msg(SWITCHED_OFF), sent, form)
            observe(interaction, match["kind"], EXPIRED)
            return
        held = await self.repository.claim(
            match["token"], user_id=interaction.user.id, guild_id=interaction.guild_id, now=datetime.now(UTC)
        )
        if held is None:
            log.info("form %s sent after it expired or was used (guild %s)", form.kind, interaction.guild_id)
            await self._hand_back(interaction, Msg(EXPIRED_TEXT), sent, form)
            observe(interaction, form.kind, EXPIRED)
            return
        observe(interaction, form.kind, await self._deliver(interaction, form, held.state, sent))

    async def _deliver(
        self, interaction: discord.Interaction[Any], form: Form, state: dict[str, Any], sent: Submission
    ) -> str:
        """Run the form's submit; a refusal keeps the form for a retry, a failure hands the text back.

        Return the outcome for the metrics: OK, REFUSED or ERROR.
        """
        handler = self.bot.get_cog(form.cog_name)
        try:
            if interaction.guild_id is not None:
                require_guild(interaction)
            if form.moderators_only:
                await require_moderator(interaction)
            await form.submit(interaction, handler, state, sent)
        except (PermissionDeniedError, NotFoundError) as problem:
            # Sending the same form again cannot help (no longer a moderator, item gone): say why and
            # give the text back instead of offering a retry.
            await self._hand_back(interaction, problem.text, sent, form)
            await form.discard(state)
            return REFUSED
        except UserFacingError as problem:
            await self._offer_retry(interaction, form, state, sent, problem.text)
            return REFUSED
        except Exception as error:
            await report_failure(interaction, error, f"form {form.kind}")
            await self._hand_back(interaction, Msg(NOTHING_SAVED), sent, form)
            await form.discard(state)
            return ERROR
        return OK

    async def _offer_retry(
        self,
        interaction: discord.Interaction[Any],
        form: Form,
        state: dict[str, Any],
        sent: Submission,
        problem: Msg,
    ) -> None:
        """Keep the form with what was typed and answer with the problem and a button to fix it."""
        held = {
            **state,
            TYPED_KEY: {k: v for k, v in sent.values.items() if isinstance(v, str | bool | list)},
        }
        token = await self._hold(interaction, form, held)
        t = await lang_for(interaction)
        view = persistent_view(RetryButton(token, t))
        content = clip(t.render(problem))
        try:
            if interaction.response.is_done():
                await interaction.followup.send(content, ephemeral=True, view=view)
            else:
                await interaction.response.send_message(content, ephemeral=True, view=view)
        except discord.HTTPException:
            log.warning("could not offer a retry for form %s (interaction %s)", form.kind, interaction.id)

    async def _hand_back(
        self, interaction: discord.Interaction[Any], reason: Msg, sent: Submission, form: Form | None
    ) -> None:
        """Answer privately with why nothing was saved and everything the member typed."""
        t = await lang_for(interaction)
        typed = handback_text(sent.values, form.labels if form else {}, t)
        if not typed:
            await send_ephemeral(interaction, t._(START_AGAIN, reason=t.render(reason)))
            return
        intro = t._(
            "{reason} Here is what you typed, so nothing is lost; run the command again and paste it in.",
            reason=t.render(reason),
        )
        message = f"{intro}\n{typed}"
        kwargs: dict[str, Any] = {}
        if len(message) > HANDBACK_INLINE_LIMIT:
            text = "\n\n".join(
                f"{k}:\n{v}" for k, v in sent.values.items() if isinstance(v, str) and v.strip()
            )
            kwargs["file"] = discord.File(io.BytesIO(text.encode()), filename="what-you-typed.txt")
            message = t._("{intro} It is in the attached file.", intro=intro)
        try:
            if interaction.response.is_done():
                await interaction.followup.send(clip(message), ephemeral=True, **kwargs)
            else:
                await interaction.response.send_message(clip(message), ephemeral=True, **kwargs)
        except discord.HTTPException:
            log.warning("could not hand back a form's text (interaction %s)", interaction.id)

    def _submission(self, interaction: discord.Interaction[Any]) -> Submission:
        """Read a modal submission's values and uploaded files."""
        data: Mapping[str, Any] = interaction.data or {}
        components = data.get("components") or []
        values = read_values(components)
        resolved = (data.get("resolved") or {}).get("attachments") or {}
        attachments: dict[str, list[discord.Attachment]] = {}
        for key, value in values.items():
            if isinstance(value, list) and value and all(str(v) in resolved for v in value):
                # discord.py's own file-upload field builds attachments the same way, from its state.
                attachments[key] = [
                    discord.Attachment(data=resolved[str(v)], state=interaction._state) for v in value
                ]
        return Submission(values, attachments)

    erase_order = 0

    async def export_member_data(self, guild_id: int, user_id: int) -> dict[str, Any]:
        """Open forms are not exported: they hold only what a form is about, for at most its lifetime."""
        return {}

    async def erase_member_data(self, member: discord.Member) -> Erasure:
        """Drop the member's unsent forms in their server and release what those forms held."""
        dropped = await self.repository.forget_member(member.guild.id, member.id)
        for held in dropped:
            form = self._forms.get(held.kind)
            if form is not None:
                await form.discard(held.state)
        return Erasure({"open_forms": len(dropped)})

    async def sweep(self) -> int:
        """Remove expired forms and release what they held; return how many were removed."""
        expired = await self.repository.remove_expired(now=datetime.now(UTC))
        for held in expired:
            form = self._forms.get(held.kind)
            if form is not None:
                try:
                    await form.discard(held.state)
                except Exception:
                    log.exception("could not release what expired form %s held", held.kind)
        return len(expired)
