"""What a member reads of /mydata: the export reply, the forget prompt and the erasure summary.

Every function takes the member's language `t` first. Counts use ngettext (each language's own
plural forms); a list of counted items is joined with ", ", never built into a sentence by hand.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import discord

from bot.i18n import N_, Lang, Msg

NOT_YOURS = N_(
    "This button belongs to someone else's erasure request, so it does nothing for you. "
    "To erase your own data, run `/mydata forget`."
)


# The counts the erasure summary names; capabilities' erasures report them (and possibly others).
ERASURE_COUNTS = (
    "profile",
    "language",
    "open_forms",
    "city_memberships",
    "call_subscriptions",
    "call_reminder_dms",
    "testimonials",
    "open_poll_ballots_withdrawn",
    "closed_poll_ballots_unlinked",
    "exchanges_unlinked",
    "lessons_unlinked",
)


def stored_items(t: Lang, counts: Mapping[str, int]) -> list[str]:
    """The kinds of items a member has here, counted (zeros included), in a fixed order."""
    return [
        t.ngettext("{n} profile", "{n} profiles", counts["profile"]),
        t.ngettext("{n} city membership", "{n} city memberships", counts["city_memberships"]),
        t.ngettext("{n} call subscription", "{n} call subscriptions", counts["call_subscriptions"]),
        t.ngettext("{n} reminder DM record", "{n} reminder DM records", counts["call_reminder_dms"]),
        t.ngettext("{n} testimonial", "{n} testimonials", counts["testimonials"]),
    ]


def export_text(t: Lang, counts: Mapping[str, int], guild_name: str, *, zipped: bool) -> str:
    """The reply that comes with the export file."""
    ballots = counts["open_poll_ballots"] + counts["closed_poll_ballots"]
    parts = [
        (counts["profile"], t.ngettext("{n} profile", "{n} profiles", counts["profile"])),
        (counts.get("language", 0), t._("your language setting")),
        (
            counts["city_memberships"],
            t.ngettext("{n} city membership", "{n} city memberships", counts["city_memberships"]),
        ),
        (
            counts["call_subscriptions"],
            t.ngettext("{n} call subscription", "{n} call subscriptions", counts["call_subscriptions"]),
        ),
        (
            counts["call_reminder_dms"],
            t.ngettext("{n} reminder DM record", "{n} reminder DM records", counts["call_reminder_dms"]),
        ),
        (counts["testimonials"], t.ngettext("{n} testimonial", "{n} testimonials", counts["testimonials"])),
        (ballots, t.ngettext("{n} poll ballot", "{n} poll ballots", ballots)),
        (counts["exchanges_asked"], t.ngettext("{n} question", "{n} questions", counts["exchanges_asked"])),
        (counts["lessons_written"], t.ngettext("{n} lesson", "{n} lessons", counts["lessons_written"])),
    ]
    found = [text for count, text in parts if count]
    name = discord.utils.escape_markdown(guild_name)
    if found:
        lines = [
            t._(
                "Here is everything climabot stores linked to you in **{server}**: {items}.",
                server=name,
                items=", ".join(found),
            )
        ]
    else:
        lines = [
            t._(
                "Here is everything climabot stores linked to you in **{server}**: nothing linked to you.",
                server=name,
            )
        ]
    if counts["moderator_actions"]:
        lines.append(
            t.ngettext(
                "Also {n} record of what you did as a moderator.",
                "Also {n} records of what you did as a moderator.",
                counts["moderator_actions"],
            )
        )
    lines.append(
        t._("The file also says what it leaves out and why. `/mydata forget` erases your data here.")
    )
    if zipped:
        lines.append(t._("It was zipped to fit this server's upload limit."))
    return " ".join(lines)


def forget_prompt(t: Lang, counts: Mapping[str, int], guild_name: str) -> str:
    """Exactly what /mydata forget will erase and what stays, with the member's numbers."""
    name = discord.utils.escape_markdown(guild_name)
    if counts["profile"]:
        profile = t._("• your profile (group, home city): yes")
    else:
        profile = t._("• your profile (group, home city): none stored")
    testimonials = counts["testimonials"]
    if counts["photos"]:
        stories = t.ngettext(
            "• {n} testimonial, with {photos}: their photos, showcase posts and moderation cards go too, "
            "and they leave every later export",
            "• {n} testimonials, with {photos}: their photos, showcase posts and moderation cards go too, "
            "and they leave every later export",
            testimonials,
            photos=t.ngettext("{n} photo", "{n} photos", counts["photos"]),
        )
    else:
        stories = t.ngettext(
            "• {n} testimonial: their photos, showcase posts and moderation cards go too, "
            "and they leave every later export",
            "• {n} testimonials: their photos, showcase posts and moderation cards go too, "
            "and they leave every later export",
            testimonials,
        )
    lines = [
        t._("**Erase your climabot data in {server}?**", server=name),
        t._("This erases, in this server:"),
        profile,
        t._("• your language setting, if you chose one or climabot noted your Discord app's language"),
        t.ngettext(
            "• {n} city membership: you also lose those cities' roles and leave their twin-city threads "
            "({threads})",
            "• {n} city memberships: you also lose those cities' roles and leave their twin-city threads "
            "({threads})",
            counts["city_memberships"],
            threads=t.ngettext("{n} thread", "{n} threads", counts["twin_threads"]),
        ),
        t.ngettext(
            "• {n} call-reminder subscription and {records} of reminders sent to you",
            "• {n} call-reminder subscriptions and {records} of reminders sent to you",
            counts["call_subscriptions"],
            records=t.ngettext("{n} record", "{n} records", counts["call_reminder_dms"]),
        ),
        stories,
        t.ngettext(
            "• {n} vote in open polls: withdrawn, the tallies drop "
            "(a vote in an open anonymous poll is withdrawn too)",
            "• {n} votes in open polls: withdrawn, the tallies drop "
            "(a vote in an open anonymous poll is withdrawn too)",
            counts["open_poll_ballots"],
        ),
        t.ngettext(
            "• {n} ballot in closed polls: no longer linked to you; the results stay exactly as they are",
            "• {n} ballots in closed polls: no longer linked to you; the results stay exactly as they are",
            counts["closed_poll_ballots"],
        ),
        t.ngettext(
            "• {n} support of a proposal: withdrawn, the counts on the posts drop",
            "• {n} supports of proposals: withdrawn, the counts on the posts drop",
            counts["proposal_supports"],
        ),
        t.ngettext(
            "• {n} proposal you wrote: no longer linked to you; it stays, shown as by a former member",
            "• {n} proposals you wrote: no longer linked to you; they stay, shown as by a former member",
            counts["proposals"],
        ),
        t._(
            "• your id on {questions} and {lessons} you wrote",
            questions=t.ngettext("{n} question", "{n} questions", counts["exchanges_asked"]),
            lessons=t.ngettext("{n} lesson", "{n} lessons", counts["lessons_written"]),
        ),
        t._("• forms you opened and did not send"),
        t._("What stays:"),
        t._(
            "• the questions and lessons themselves, and whatever you posted on Discord (forum posts, "
            "messages): they are community content, which you can delete on Discord yourself"
        ),
        t._("• the counts of closed polls, no longer linked to you"),
        t._("• records of what you did as a moderator, kept for accountability"),
        t._("• your data in other servers: run `/mydata forget` there"),
        t._("This cannot be undone. Take a copy first with `/mydata export` if you want one."),
    ]
    return "\n".join(lines)


def erasure_text(t: Lang, counts: Mapping[str, int], notes: Sequence[str | Msg]) -> str:
    """The summary after an erasure: what was erased, unlinked and withdrawn, or that nothing was left."""
    # Each capability reports its own counts; one that is not loaded reports none.
    counts = {**dict.fromkeys(ERASURE_COUNTS, 0), **counts}
    erased = stored_items(t, counts)
    if counts["language"]:
        erased.append(t._("your language setting"))
    if counts["open_forms"]:
        erased.append(t.ngettext("{n} unsent form", "{n} unsent forms", counts["open_forms"]))
    withdrawn = counts["open_poll_ballots_withdrawn"]
    unlinked = counts["closed_poll_ballots_unlinked"]
    authored = counts["exchanges_unlinked"] + counts["lessons_unlinked"]
    others = {key: value for key, value in counts.items() if key != "language"}
    if not any(others.values()):
        # Any use of climabot notes the Discord app's language again (to answer in it), so a repeated
        # erasure often finds only that: say so rather than report a fresh "Done".
        if counts["language"]:
            lines = [
                t._(
                    "Nothing linked to you was left to erase in this server apart from your language "
                    "setting, which is now erased too. climabot notes your Discord app's language again "
                    "when you use it, to answer you in your language."
                )
            ]
        else:
            lines = [
                t._(
                    "Nothing linked to you was left to erase in this server: "
                    "it was erased already, or never stored."
                )
            ]
    else:
        questions = t.ngettext("{n} question", "{n} questions", counts["exchanges_unlinked"])
        lessons = t.ngettext("{n} lesson", "{n} lessons", counts["lessons_unlinked"])
        lines = [
            t._("Done. Erased: {items}.", items=", ".join(erased)),
            t.ngettext(
                "Withdrawn: {n} vote in open polls.", "Withdrawn: {n} votes in open polls.", withdrawn
            ),
            t.ngettext(
                "Unlinked: {n} ballot in closed polls (their counts are unchanged) and your id on "
                "{questions} and {lessons}.",
                "Unlinked: {n} ballots in closed polls (their counts are unchanged) and your id on "
                "{questions} and {lessons}.",
                unlinked,
                questions=questions,
                lessons=lessons,
            ),
        ]
        if authored:
            lines.append(t._("The text of those questions and lessons stays as community content."))
    return "\n".join([*lines, *(t.render(note) for note in notes)])
