"""Testimonials in the member's language, through the emulator: the form and its consent in German for a
member whose Discord speaks German, the stored consent with its language and version, public cards and
posts in the server's language (French), the author's DM in theirs, an incomplete catalog that keeps the
consent in English, a consent text changed while a form was open, and an export in the moderator's
language. The test catalogs are installed in the running bot (the real .po files come later)."""

from __future__ import annotations

import asyncio
import csv
import io
import zipfile
from typing import Any

from bot.consent import CONSENT_VERSION, SCOPES, USAGE_LABEL, wording
from bot.i18n import Lang
from cogs.testimonials.views import APPROVE, REJECT, STORY_LABEL
from tests.bot import test_consent
from tests.e2e.test_testimonials_limits import item_id
from tests.e2e.test_testimonials_stage import STORY, Stage, stage

__all__ = ["stage"]

THANKS = (
    "Thank you! Testimonial #{id} is waiting for a moderator. See it with `/testimonial mine`; "
    "withdraw it any time with `/testimonial withdraw id:{id}`."
)
NOT_ACCEPTED = (
    "Your testimonial #{id} for the campaign **{campaign}** was not accepted.\n"
    "The moderators' reason: {reason}\n"
    "Nothing of it will be published or exported. You can submit a new one with `/testimonial submit`."
)
GERMAN = {
    **test_consent.GERMAN,
    "Testimonial: {campaign}": "Erfahrungsbericht: {campaign}",
    STORY_LABEL: "Deine Geschichte",
    THANKS: "Danke! Bericht #{id} wartet auf die Moderation.",
    NOT_ACCEPTED: "Dein Bericht #{id} ({campaign}) wurde nicht angenommen. Grund: {reason}",
    "Testimonials of the campaign {campaign}": "Erfahrungsberichte der Kampagne {campaign}",
}
FRENCH = {
    "New campaign: {campaign}": "Nouvelle campagne : {campaign}",
    APPROVE: "Approuver",
    REJECT: "Refuser",
    "Consent": "Consentement",
    "Consent language": "Langue du consentement",
    SCOPES["named"][0]: "Publier avec mon nom",
    SCOPES["anonymous"][0]: "Publier anonymement",
    "A member of the community": "Un membre de la communauté",
}


def install(stage: Stage, code: str, messages: dict[str, str]) -> Lang:
    """Give the running bot a catalog for one language (as a compiled .po file would)."""
    lang = Lang(code, test_consent.Catalog(messages))
    stage.bot.languages.catalogs._langs[code] = lang
    return lang


def labels(modal: dict[str, Any]) -> list[str]:
    """The labels of a modal's fields, in order."""
    return [str(row.get("label")) for row in modal["components"]]


def options(modal: dict[str, Any], custom_id: str) -> list[str]:
    """The option labels of a modal's radio group."""
    for row in modal["components"]:
        if row.get("component", {}).get("custom_id") == custom_id:
            return [o["label"] for o in row["component"]["options"]]
    raise AssertionError(f"no field {custom_id!r}")


async def test_consent_in_the_members_language_cards_in_the_servers(stage: Stage) -> None:
    """A German member and an English one open forms at once and send them crossed: each consent is
    stored in the language it was read in; the card is French (the server's); the DM is German."""
    german = install(stage, "de", GERMAN)
    install(stage, "fr", FRENCH)
    await stage.bot.languages.set_guild_language(stage.guild.id, "fr")
    klaus = stage.guild.add_member("klaus", locale="de")
    announcement = await stage.create_campaign()
    assert announcement.embeds[0]["title"] == "Nouvelle campagne : Trams"

    klaus_form, alice_form = await asyncio.gather(stage.open_form(klaus), stage.open_form(stage.member))
    assert klaus_form.modal is not None and alice_form.modal is not None
    assert klaus_form.modal["title"] == "Erfahrungsbericht: Trams"
    shown = labels(klaus_form.modal)
    assert shown[0] == "Deine Geschichte" and test_consent.GERMAN[USAGE_LABEL] in shown
    assert "Ich erteile die Lizenz CC BY 4.0" in shown
    assert options(klaus_form.modal, "usage")[0] == "Mit meinem Namen veröffentlichen"
    assert alice_form.modal["title"] == "Testimonial: Trams" and "How may we use your story?" in labels(
        alice_form.modal
    )

    alice_reply = await stage.send_form(stage.member, alice_form, usage="anonymous")
    klaus_reply = await stage.send_form(klaus, klaus_form, story=STORY + " Auf Deutsch.")
    assert klaus_reply.content.startswith("Danke! Bericht #")
    from_klaus = await stage.bot.repos.testimonials.get(item_id(klaus_reply.content))
    from_alice = await stage.bot.repos.testimonials.get(item_id(alice_reply.content))
    assert from_klaus is not None and from_alice is not None
    assert from_klaus.story.endswith("Auf Deutsch.") and from_klaus.consent_scope == "named"
    assert (from_klaus.consent_language, from_klaus.consent_version) == ("de", wording(german).version)
    assert from_klaus.consent_text == wording(german).statement("named", "CC-BY-4.0")
    assert from_klaus.consent_text.startswith("Einwilligung Version")
    assert (from_alice.consent_language, from_alice.consent_version) == ("en", CONSENT_VERSION)
    assert from_alice.consent_scope == "anonymous" and from_alice.consent_text.startswith("Consent version")

    card = stage.card(from_klaus.id)
    assert [b["label"] for b in card.buttons()] == ["Approuver", "Refuser"]
    fields = {f["name"]: f["value"] for f in card.embeds[0]["fields"]}
    assert fields["Consentement"] == "Publier avec mon nom" and fields["Langue du consentement"] == "Allemand"

    it = await stage.click(stage.moderator, "reject", from_klaus.id)
    await it.wait_modal()
    assert it.modal is not None and it.modal["title"] == "Reject testimonial #" + str(from_klaus.id)
    await (await stage.emu.submit_modal(stage.guild, stage.moderator, it, {"reason": "Bitte kürzer"})).reply()
    dm = await stage.emu.wait_for_message(stage.emu.dm_channel_of(klaus))
    assert dm.content.startswith(f"Dein Bericht #{from_klaus.id} (Trams) wurde nicht angenommen.")

    approved = await (await stage.click(stage.moderator, "approve", from_alice.id)).reply()
    assert "Published anonymously" in approved.content, "maria's own reply is in her language"
    post = await stage.emu.wait_for_message(stage.showcase, lambda m: bool(m.embeds))
    assert post.embeds[0]["author"]["name"].startswith("Un membre de la communauté")


async def test_an_incomplete_catalog_keeps_the_whole_consent_in_english(stage: Stage) -> None:
    """A Slovak member (chosen language, no Discord locale) whose catalog lacks one consent text gets the
    rest of the form in Slovak and the consent wholly in English, recorded as English."""
    slovak = {key: value for key, value in GERMAN.items() if key != SCOPES["research"][1]}
    slovak["Testimonial: {campaign}"] = "Svedectvo: {campaign}"
    install(stage, "sk", slovak)
    await stage.bot.languages.choose(stage.guild.id, stage.member.user.id, "sk")
    await stage.create_campaign()
    form = await stage.open_form(stage.member)
    assert form.modal is not None and form.modal["title"] == "Svedectvo: Trams"
    assert "How may we use your story?" in labels(form.modal)
    assert options(form.modal, "usage")[2] == "Research use only, not published"
    tid = item_id((await stage.send_form(stage.member, form)).content)
    item = await stage.bot.repos.testimonials.get(tid)
    assert item is not None and (item.consent_language, item.consent_version) == ("en", CONSENT_VERSION)


async def test_a_consent_text_changed_while_the_form_was_open_is_not_stored(stage: Stage) -> None:
    """New translations (a restart) while a German form is open: nothing is stored, the story is handed
    back; the form opened again shows and stores the corrected text with its new version."""
    install(stage, "de", GERMAN)
    klaus = stage.guild.add_member("klaus", locale="de")
    await stage.create_campaign()
    form = await stage.open_form(klaus)
    corrected = install(stage, "de", {**GERMAN, USAGE_LABEL: "Wie dürfen wir deine Geschichte verwenden?"})
    refused = await stage.send_form(klaus, form, story=STORY + " Erster Versuch.")
    assert "consent text was updated" in refused.content and "Erster Versuch." in refused.content
    assert await stage.bot.repos.testimonials.list_by_author(stage.guild.id, klaus.user.id) == []
    again = await stage.open_form(klaus)
    assert again.modal is not None and "Wie dürfen wir deine Geschichte verwenden?" in labels(again.modal)
    tid = item_id((await stage.send_form(klaus, again)).content)
    item = await stage.bot.repos.testimonials.get(tid)
    assert (
        item is not None
        and item.consent_version
        == wording(corrected).version
        != wording(Lang("de", test_consent.Catalog(GERMAN))).version
    )


async def test_export_carries_consent_language_and_speaks_the_moderators_language(stage: Stage) -> None:
    """The data package lists consent_language beside the version; a German moderator gets it in German."""
    install(stage, "de", GERMAN)
    klaus = stage.guild.add_member("klaus", locale="de")
    await stage.create_campaign()
    first = item_id((await stage.submit(klaus)).content)
    second = item_id((await stage.submit(stage.member)).content)
    for tid in (first, second):
        await (await stage.click(stage.moderator, "approve", tid)).reply()
    await stage.bot.languages.choose(stage.guild.id, stage.moderator.user.id, "de")
    it = await stage.emu.slash(
        stage.guild, stage.moderator, "campaign export", name="Trams", format="datapackage"
    )
    reply = await it.reply(timeout=10)
    (attachment,) = reply.attachments
    with zipfile.ZipFile(io.BytesIO(attachment.data)) as zf:
        readme = zf.read("README.md").decode()
        rows = list(csv.DictReader(io.StringIO(zf.read("data/testimonials.csv").decode())))
        consent = list(csv.DictReader(io.StringIO(zf.read("data/consent.csv").decode())))
    assert readme.startswith("# Erfahrungsberichte der Kampagne Trams")
    assert [(int(r["id"]), r["consent_language"]) for r in rows] == [(first, "de"), (second, "en")]
    assert {c["consent_language"] for c in consent} == {"de", "en"}
