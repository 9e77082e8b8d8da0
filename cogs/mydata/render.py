"""What a member reads of /mydata: the export reply, the forget prompt and the erasure summary."""

from __future__ import annotations

from collections.abc import Mapping

import discord

NOT_YOURS = (
    "This button belongs to someone else's erasure request, so it does nothing for you. "
    "To erase your own data, run `/mydata forget`."
)


# The counts the erasure summary names; capabilities' erasures report them (and possibly others).
ERASURE_COUNTS = (
    "profile",
    "city_memberships",
    "call_subscriptions",
    "call_reminder_dms",
    "testimonials",
    "open_poll_ballots_withdrawn",
    "closed_poll_ballots_unlinked",
    "exchanges_unlinked",
    "lessons_unlinked",
)


def plural(count: int, word: str, words: str | None = None) -> str:
    """`1 city membership`, `2 city memberships`."""
    return f"{count} {word if count == 1 else (words or word + 's')}"


def export_text(counts: Mapping[str, int], guild_name: str, *, zipped: bool) -> str:
    """The reply that comes with the export file."""
    parts = [
        plural(counts["profile"], "profile"),
        plural(counts["city_memberships"], "city membership"),
        plural(counts["call_subscriptions"], "call subscription"),
        plural(counts["call_reminder_dms"], "reminder DM record"),
        plural(counts["testimonials"], "testimonial"),
        plural(counts["open_poll_ballots"] + counts["closed_poll_ballots"], "poll ballot"),
        plural(counts["exchanges_asked"], "question"),
        plural(counts["lessons_written"], "lesson"),
    ]
    found = [part for part in parts if not part.startswith("0 ")]
    summary = ", ".join(found) if found else "nothing linked to you"
    text = (
        f"Here is everything climabot stores linked to you in **{discord.utils.escape_markdown(guild_name)}**"
        f": {summary}."
    )
    if counts["moderator_actions"]:
        text += f" Also {plural(counts['moderator_actions'], 'record')} of what you did as a moderator."
    text += " The file also says what it leaves out and why. `/mydata forget` erases your data here."
    if zipped:
        text += " It was zipped to fit this server's upload limit."
    return text


def forget_prompt(counts: Mapping[str, int], guild_name: str) -> str:
    """Exactly what /mydata forget will erase and what stays, with the member's numbers."""
    name = discord.utils.escape_markdown(guild_name)
    photos = f", with {plural(counts['photos'], 'photo')}" if counts["photos"] else ""
    return "\n".join(
        [
            f"**Erase your climabot data in {name}?**",
            "This erases, in this server:",
            f"• your profile (group, home city): {'yes' if counts['profile'] else 'none stored'}",
            f"• {plural(counts['city_memberships'], 'city membership')}: you also lose those cities' roles "
            f"and leave their twin-city threads ({plural(counts['twin_threads'], 'thread')})",
            f"• {plural(counts['call_subscriptions'], 'call-reminder subscription')} and "
            f"{plural(counts['call_reminder_dms'], 'record')} of reminders sent to you",
            f"• {plural(counts['testimonials'], 'testimonial')}{photos}: their photos, showcase posts and "
            "moderation cards go too, and they leave every later export",
            f"• {plural(counts['open_poll_ballots'], 'vote')} in open polls: withdrawn, the tallies drop "
            "(a vote in an open anonymous poll is withdrawn too)",
            f"• {plural(counts['closed_poll_ballots'], 'ballot')} in closed polls: no longer linked to you; "
            "the results stay exactly as they are",
            f"• your id on {plural(counts['exchanges_asked'], 'question')} and "
            f"{plural(counts['lessons_written'], 'lesson')} you wrote",
            "What stays:",
            "• the questions and lessons themselves, and whatever you posted on Discord (forum posts, "
            "messages): they are community content, which you can delete on Discord yourself",
            "• the counts of closed polls, no longer linked to you",
            "• records of what you did as a moderator, kept for accountability",
            "• your data in other servers: run `/mydata forget` there",
            "This cannot be undone. Take a copy first with `/mydata export` if you want one.",
        ]
    )


def erasure_text(counts: Mapping[str, int], notes: list[str]) -> str:
    """The summary after an erasure: what was erased, unlinked and withdrawn, or that nothing was left."""
    # Each capability reports its own counts; one that is not loaded reports none.
    counts = {**dict.fromkeys(ERASURE_COUNTS, 0), **counts}
    erased = [
        plural(counts["profile"], "profile"),
        plural(counts["city_memberships"], "city membership"),
        plural(counts["call_subscriptions"], "call subscription"),
        plural(counts["call_reminder_dms"], "reminder DM record"),
        plural(counts["testimonials"], "testimonial"),
    ]
    withdrawn = counts["open_poll_ballots_withdrawn"]
    unlinked = counts["closed_poll_ballots_unlinked"]
    authored = counts["exchanges_unlinked"] + counts["lessons_unlinked"]
    if not any(counts.values()):
        lines = [
            "Nothing linked to you was left to erase in this server: it was erased already, or never stored."
        ]
    else:
        lines = [
            "Done. Erased: " + ", ".join(erased) + ".",
            f"Withdrawn: {plural(withdrawn, 'vote')} in open polls. "
            f"Unlinked: {plural(unlinked, 'ballot')} in closed polls (their counts are unchanged) and "
            f"your id on {plural(counts['exchanges_unlinked'], 'question')} and "
            f"{plural(counts['lessons_unlinked'], 'lesson')}"
            + (" (their text stays as community content)." if authored else "."),
        ]
    return "\n".join([*lines, *notes])
