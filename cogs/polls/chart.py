"""Poll results as a horizontal bar chart PNG, drawn without pyplot so it is safe in worker threads.

The axis text is in the language passed in (the server's: the chart is public) and numbers are
written as that language writes them; the title and bar labels are what the moderator typed.
"""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.ticker import FuncFormatter, MaxNLocator

from bot.i18n import Lang

BAR_COLOUR = "#4c78a8"
LEADER_COLOUR = "#2ca02c"
LABEL_WRAP = 28
TITLE_WRAP = 60
WIDTH_INCHES = 8.0
DPI = 100


def _plain(text: str) -> str:
    """Escape `$` so matplotlib draws member text literally instead of as mathtext."""
    return text.replace("$", r"\$")


def _wrap(text: str, width: int, max_lines: int) -> str:
    """Wrap text onto at most max_lines lines of about width characters, ending with … if cut."""
    lines = textwrap.wrap(text, width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = lines[:max_lines]
        lines[-1] = lines[-1][: max(0, width - 1)] + "…"
    return "\n".join(lines)


def axis_label(t: Lang, total: int, voters: int | None) -> str:
    """The x axis: how many votes in all (and from how many voters, when known)."""
    if voters is None:
        # Translators: the x axis of a poll's results chart.
        return t._("Votes (total {total})", total=t.number(total))
    return t.ngettext(
        "Votes (total {total}, {n} voter)",
        "Votes (total {total}, {n} voters)",
        voters,
        total=t.number(total),
        n=t.number(voters),
    )


def bar_note(t: Lang, count: int, base: int) -> str:
    """The note after a bar: its count and, when there are votes, its share, in the language's style."""
    if base <= 0:
        return f" {t.number(count)}"
    return f" {t.number(count)} ({t.percent(round(100 * count / base) / 100)})"


def render_chart(
    t: Lang,
    question: str,
    labels: Sequence[str],
    counts: Sequence[int],
    *,
    voters: int | None = None,
    multiple: bool = False,
) -> bytes:
    """Draw one bar per option (first option on top, leaders highlighted) and return PNG bytes.

    Percentages are of all votes, or of `voters` in a multiple-choice poll when it is given.
    """
    if len(labels) != len(counts):
        raise ValueError("labels and counts differ in length")
    if not labels:
        raise ValueError("a chart needs at least one option")
    total = sum(counts)
    base = voters if multiple and voters is not None else total
    top = max(counts)
    height = 1.4 + 0.55 * len(labels)
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    positions = list(range(len(labels)))
    colours = [LEADER_COLOUR if top > 0 and count == top else BAR_COLOUR for count in counts]
    bars = axes.barh(positions, counts, color=colours, height=0.6)
    axes.set_yticks(positions, labels=[_plain(_wrap(label, LABEL_WRAP, 2)) for label in labels])
    axes.invert_yaxis()
    axes.set_xlim(0, max(1, top) * 1.18)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    axes.xaxis.set_major_formatter(FuncFormatter(lambda value, _position: t.number(int(value))))
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_xlabel(_plain(axis_label(t, total, voters)))
    axes.set_title(_plain(_wrap(question, TITLE_WRAP, 3)), loc="left", fontsize=12)
    for rect, count in zip(bars, counts, strict=True):
        axes.annotate(
            _plain(bar_note(t, count, base)),
            (rect.get_width(), rect.get_y() + rect.get_height() / 2),
            va="center",
            ha="left",
            fontsize=9,
        )
    buffer = io.BytesIO()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
