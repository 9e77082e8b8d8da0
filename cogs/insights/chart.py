"""The /insights chart as one PNG: daily activity panels and a target-group bar chart.

Drawn with matplotlib's object API (Figure + Agg canvas, no pyplot), so it is safe in worker threads.
Every label is in the language `t` of the moderator who asked: titles, axes, legend, the days on
the axis (Babel's date skeletons, so each language's own order and month names) and the numbers.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

import babel.dates
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, date2num, num2date
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.i18n import N_, Lang

WIDTH_INCHES = 10.0
HEIGHT_INCHES = 9.5
DPI = 100
# One colour per series, the same in every panel.
COLOURS = {"votes": "#4c78a8", "testimonials": "#f58518", "exchanges": "#54a24b"}
PROFILE_COLOUR = "#72b7b2"
STORY_COLOUR = "#f58518"
# A suppressed count (1 or 2) is labelled "<" and this number.
HIDDEN_BELOW = 3
# Up to this many days, every day gets its own tick.
DAY_TICKS = 14
# Up to this many days, ticks name a day (3 Mar); beyond, a month (Mar 2026).
DAY_LABELS = 120
# Each series' axis label; {total} is the series' sum over the window.
SERIES_LABELS = {
    "votes": N_("votes\n(total {total})"),
    "testimonials": N_("testimonials\n(total {total})"),
    "exchanges": N_("exchanges\n(total {total})"),
}


@dataclass(frozen=True)
class ChartData:
    """What the chart shows; a None group count is suppressed (drawn as no bar, labelled "<3")."""

    title: str
    days: Sequence[date]
    votes: Sequence[int]
    testimonials: Sequence[int]
    exchanges: Sequence[int]
    groups: Sequence[str]
    profiles: Sequence[int | None]
    stories: Sequence[int | None]


def _check(data: ChartData) -> None:
    """Refuse series whose lengths do not match their labels."""
    if not data.days:
        raise ValueError("a chart needs at least one day")
    for name in ("votes", "testimonials", "exchanges"):
        if len(getattr(data, name)) != len(data.days):
            raise ValueError(f"{name} has {len(getattr(data, name))} values for {len(data.days)} days")
    if not len(data.groups) == len(data.profiles) == len(data.stories):
        raise ValueError("groups, profiles and stories differ in length")


def _numbers(t: Lang) -> FuncFormatter:
    """Axis ticks as language t writes whole numbers."""
    return FuncFormatter(lambda value, _: t.number(round(value)))


def _days(t: Lang, skeleton: str) -> FuncFormatter:
    """Axis ticks as language t writes a day (`MMMd`) or a month (`yMMM`)."""
    return FuncFormatter(
        lambda value, _: babel.dates.format_skeleton(skeleton, num2date(value), locale=t.locale)
    )


def _daily_panel(t: Lang, axes: Axes, days: Sequence[date], values: Sequence[int], name: str) -> None:
    """Draw one series as a bar per UTC day, with its total in the label."""
    centres = [date2num(day) for day in days]
    if len(days) <= 120:
        axes.bar(centres, list(values), width=0.8, color=COLOURS[name], align="center")
    else:
        # Touching bars, drawn as one filled step outline: the same picture as a year of bars, but
        # one artist instead of 365 (layout and drawing cost grow with the artists: 0.3 s, not 1 s).
        edges = [centre - 0.5 for centre in centres] + [centres[-1] + 0.5]
        axes.stairs(list(values), edges, fill=True, color=COLOURS[name])
    total = sum(values)
    axes.set_ylabel(t._(SERIES_LABELS[name], total=t.number(total)), fontsize=9)
    axes.set_ylim(0, max(1, max(values)) * 1.15)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True, nbins=4))
    axes.yaxis.set_major_formatter(_numbers(t))
    axes.spines[["top", "right"]].set_visible(False)
    if total == 0:
        # Translators: shown across an empty chart panel (nothing happened in the window).
        axes.text(0.5, 0.5, t._("none"), transform=axes.transAxes, ha="center", va="center", color="grey")


def _group_panel(t: Lang, axes: Axes, data: ChartData) -> None:
    """Draw profiles (now) and testimonials (in the window) per target group, side by side."""
    positions = list(range(len(data.groups)))
    width = 0.38
    hidden = "<" + t.number(HIDDEN_BELOW)
    series = (
        (t._("member profiles (now)"), data.profiles, PROFILE_COLOUR, -width / 2),
        (t._("testimonials (period)"), data.stories, STORY_COLOUR, width / 2),
    )
    tallest = 1
    for label, counts, colour, shift in series:
        heights = [0 if count is None else count for count in counts]
        tallest = max(tallest, *heights) if heights else tallest
        bars = axes.bar([p + shift for p in positions], heights, width=width, color=colour, label=label)
        for rect, count in zip(bars, counts, strict=True):
            text = hidden if count is None else t.number(count)
            axes.annotate(
                text,
                (rect.get_x() + rect.get_width() / 2, rect.get_height()),
                ha="center",
                va="bottom",
                fontsize=8,
                xytext=(0, 2),
                textcoords="offset points",
            )
    axes.set_xticks(positions, labels=[label.replace("$", r"\$") for label in data.groups], fontsize=9)
    axes.set_ylim(0, tallest * 1.2)
    axes.yaxis.set_major_locator(MaxNLocator(integer=True))
    axes.yaxis.set_major_formatter(_numbers(t))
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(
        t._("Target groups (counts of 1 or 2 shown as {hidden})", hidden=hidden), loc="left", fontsize=10
    )
    axes.legend(loc="upper right", fontsize=8, frameon=False)


def render_insights_chart(t: Lang, data: ChartData) -> bytes:
    """Draw the three daily series (one panel each, shared dates) above the group bars, labelled in t; PNG."""
    _check(data)
    figure = Figure(figsize=(WIDTH_INCHES, HEIGHT_INCHES), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    grid = figure.add_gridspec(4, 1, height_ratios=[1, 1, 1, 1.7])
    first = figure.add_subplot(grid[0])
    panels = [first, figure.add_subplot(grid[1], sharex=first), figure.add_subplot(grid[2], sharex=first)]
    for axes, name in zip(panels, ("votes", "testimonials", "exchanges"), strict=True):
        _daily_panel(t, axes, data.days, getattr(data, name), name)
    # A margin of most of a day on each side keeps a one-day window from becoming a hair-thin bar.
    first.xaxis_date()
    first.set_xlim(date2num(data.days[0]) - 0.7, date2num(data.days[-1]) + 0.7)
    if len(data.days) <= DAY_TICKS:
        # Few days: one tick per day, never hours (the series are per day).
        first.set_xticks([date2num(day) for day in data.days])
    else:
        first.xaxis.set_major_locator(AutoDateLocator(minticks=3, maxticks=10))
    first.xaxis.set_major_formatter(_days(t, "MMMd" if len(data.days) <= DAY_LABELS else "yMMM"))
    for axes in panels[:-1]:
        axes.tick_params(labelbottom=False)
    panels[0].set_title(data.title.replace("$", r"\$"), loc="left", fontsize=12)
    panels[-1].set_xlabel(t._("UTC day"), fontsize=9)
    _group_panel(t, figure.add_subplot(grid[3]), data)
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
