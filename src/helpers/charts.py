"""The report's charts, in one readable style.

Colours come from the Okabe–Ito palette (safe for colour-blind readers); sizes are chosen for an
A4 page (16 cm of text width); labels are wrapped, never rotated into illegibility. Every function
returns a :class:`matplotlib.figure.Figure` and leaves showing or saving to the caller.
"""

from __future__ import annotations

import textwrap
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.patches import Patch

from helpers.format import format_pct, format_score, format_wan
from helpers.vocabulary import (  # the colours are declared with the words they colour
    BAND_COLOURS,
    GRADE_BANDS,
    OKABE_ITO,
    OVER_COLOUR,
    STATUS_COLOURS,
    STATUS_MET,
    STATUS_NEAR,
    STATUS_UNMET,
)

if TYPE_CHECKING:
    from helpers.scoring import ScoringConfig

PAGE_WIDTH_IN = 6.3  # 16 cm of A4 text width
COMPLETION_AXIS_CAP = 200.0


def figure_to_png(fig: Figure) -> bytes:
    """The figure as PNG bytes (at the configured ``savefig.dpi``)."""
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return buffer.getvalue()


def figure_to_svg(fig: Figure) -> str:
    """The figure as SVG text, its words kept as text (crisp, small, searchable).

    The figure is closed afterwards. Output is deterministic (no date, fixed id salt), so a
    report rebuilt from the same data is the same file.
    """
    import io

    import matplotlib

    buffer = io.StringIO()
    with matplotlib.rc_context({"svg.fonttype": "none", "svg.hashsalt": "jixiao"}):
        fig.savefig(buffer, format="svg", metadata={"Date": None})
    _close(fig)
    return buffer.getvalue()


def _close(fig: Figure) -> None:
    """Release a pyplot-managed figure (figures made with ``Figure()`` need nothing)."""
    import sys

    pyplot = sys.modules.get("matplotlib.pyplot")
    if pyplot is not None:
        pyplot.close(fig)


def display_figure(fig: Figure) -> None:
    """Show a figure in a notebook as a PNG (works headless, with or without pyplot)."""
    from IPython.display import Image, display

    display(Image(data=figure_to_png(fig), format="png"))


def wrap_label(text: str, width: int = 14, max_lines: int = 3) -> str:
    r"""Wrap a (Chinese) label to ``width`` characters a line, shortening past ``max_lines``.

    Example:
        >>> wrap_label("长期对企业发展生态环境的影响", width=8)
        '长期对企业发展生\n态环境的影响'
    """
    lines = textwrap.wrap(str(text), width=width, break_long_words=True) or [""]
    if len(lines) > max_lines:
        lines = [*lines[: max_lines - 1], lines[max_lines - 1][: width - 1] + "…"]
    return "\n".join(lines)


def short_project_name(name: str, width: int = 12) -> str:
    """A project name short enough for an axis label (drops the trailing 项目).

    Example:
        >>> short_project_name("2021年新一代电子信息产业和生物医药产业科技型中小企业贷款补助项目")
        '2021年新一代电子信…'
    """
    text = str(name).removesuffix("项目")
    return text if len(text) <= width else text[: width - 1] + "…"


def _new_figure(n_rows: int, row_height: float = 0.42, min_height: float = 2.2) -> Figure:
    height = max(min_height, 0.9 + row_height * n_rows)
    return Figure(figsize=(PAGE_WIDTH_IN, height))


def _text_width_in(text: str, size: float) -> float:
    """Width in inches of the widest line of ``text`` at ``size`` points, in the chart font."""
    from matplotlib.font_manager import FontProperties
    from matplotlib.textpath import TextToPath

    measure = TextToPath().get_text_width_height_descent
    prop = FontProperties(size=size)
    return max((measure(line, prop, ismath=False)[0] for line in text.split("\n")), default=0) / 72


def _fit_margins(fig: Figure, ax: Axes, top_in: float = 0.12, right_in: float = 0.12) -> None:
    """Margins from the tick labels and the axis label, measured once.

    A cheap stand-in for constrained layout, which lays every label out twice per save (about
    half of a chart's time). Our charts have one axes with text labels on the left and a
    numeric axis below, so the left margin is the widest label and the bottom one the tick
    labels plus the axis label; ``top_in`` leaves room for a legend or band names above.
    """
    import matplotlib

    def points(text: Any) -> float:
        return float(text.get_fontsize())  # a number once the text exists

    width, height = fig.get_size_inches()
    ytick = ax.yaxis.get_ticklabels()
    size = points(ytick[0]) if ytick else float(matplotlib.rcParams["font.size"])
    pad = (matplotlib.rcParams["ytick.major.pad"] + matplotlib.rcParams["ytick.major.size"]) / 72
    left = max((_text_width_in(t.get_text(), size) for t in ytick), default=0.0) + pad + 0.1
    xtick = ax.xaxis.get_ticklabels()
    bottom = 0.1 + (points(xtick[0]) * 1.3 / 72 + pad if xtick else 0.0)
    if ax.get_xlabel():
        bottom += points(ax.xaxis.label) * 1.4 / 72 + matplotlib.rcParams["axes.labelpad"] / 72
    fig.subplots_adjust(
        left=min(left / width, 0.6),
        right=1 - right_in / width,
        bottom=min(bottom / height, 0.45),
        top=1 - min(top_in / height, 0.4),
    )


def plot_target_vs_actual(indicators: pd.DataFrame, title: str = "") -> Figure:
    """Completion (%) of each scored indicator against the 100 % line.

    Unmet indicators are drawn in vermilion, nearly met in orange, over-achieved (≥ 130 %) in
    green and marked; bars beyond 200 % are cut and labelled with their value.

    Args:
        indicators: scored indicator rows (``ScoreResult.indicators``), possibly filtered;
            needs ``name``, ``project_name``, ``completion_pct``, ``status``, ``is_over_achieved``.
        title: the chart title.

    Returns:
        The figure.
    """
    rows = indicators[indicators["completion_pct"].notna()].copy()
    fig = _new_figure(len(rows), row_height=0.5)
    ax = fig.subplots()
    if rows.empty:
        ax.text(0.5, 0.5, "无可比较的定量指标", ha="center", va="center", transform=ax.transAxes)
        ax.set_axis_off()
        return fig
    labels = [
        f"{wrap_label(n, 14, 2)}\n（{short_project_name(p)}）"
        for n, p in zip(rows["name"], rows["project_name"], strict=True)
    ]
    completion = rows["completion_pct"].to_numpy(float)
    shown = np.clip(completion, 0, COMPLETION_AXIS_CAP)
    colours = [
        OVER_COLOUR if over else STATUS_COLOURS.get(status, OKABE_ITO["grey"])
        for status, over in zip(rows["status"], rows["is_over_achieved"], strict=True)
    ]
    y = np.arange(len(rows))
    ax.barh(y, shown, color=colours, height=0.6)
    ax.axvline(100, color="#333333", linewidth=1.2, linestyle="--")
    for yi, value, bar_end, status in zip(
        y.tolist(), completion, shown, rows["status"], strict=True
    ):
        is_unmet = status == STATUS_UNMET
        ax.text(
            bar_end + 2,
            yi,
            format_pct(value, 1) + ("  未达成" if is_unmet else ""),
            va="center",
            fontsize=8,
            color=STATUS_COLOURS[STATUS_UNMET] if is_unmet else "#333333",
            fontweight="bold" if is_unmet else "normal",
        )
    ax.set_yticks(y, labels)
    ax.invert_yaxis()
    ax.set_xlim(0, COMPLETION_AXIS_CAP + 25)
    ax.set_xlabel("完成率（实际值 / 目标值，%）；虚线为目标 100%")
    ax.grid(axis="y", visible=False)
    ax.legend(
        handles=[
            Patch(color=STATUS_COLOURS[STATUS_MET], label="达成"),
            Patch(color=OVER_COLOUR, label="超额 ≥130%"),
            Patch(color=STATUS_COLOURS[STATUS_NEAR], label="基本达成"),
            Patch(color=STATUS_COLOURS[STATUS_UNMET], label="未达成"),
        ],
        loc="lower right",
        ncols=4,
        bbox_to_anchor=(1.0, 1.0),
    )
    if title:
        ax.set_title(title, loc="left", pad=22)
    _fit_margins(fig, ax, top_in=0.42 + (0.35 if title else 0.0))
    return fig


def plot_execution_rates(projects: pd.DataFrame, threshold_pct: float = 90.0) -> Figure:
    """Budget execution rate of every project, with the 90 % threshold and 100 % lines.

    Args:
        projects: ``ScoreResult.projects`` (needs ``name``, ``execution_rate_pct``).
        threshold_pct: rates below it are highlighted.

    Returns:
        The figure.
    """
    rows = projects.copy()
    fig = _new_figure(len(rows), row_height=0.24)
    ax = fig.subplots()
    rate = rows["execution_rate_pct"].to_numpy(float)
    y = np.arange(len(rows))
    colours = np.where(
        np.isnan(rate),
        OKABE_ITO["grey"],
        np.where(rate < threshold_pct, OKABE_ITO["vermilion"], OKABE_ITO["blue"]),
    )
    ax.barh(y, np.nan_to_num(rate), color=colours, height=0.6)
    for yi, value in zip(y.tolist(), rate, strict=True):
        text = "无执行数据" if np.isnan(value) else format_pct(value)
        # Labels in a column right of the 100% line, so no reference line crosses them.
        x = 1.0 if np.isnan(value) else max(value, 100.0) + 1.5
        ax.text(x, yi, text, va="center", fontsize=8)
    ax.axvline(threshold_pct, color=OKABE_ITO["vermilion"], linestyle=":", linewidth=1)
    ax.axvline(100, color="#333333", linestyle="--", linewidth=1)
    ax.set_yticks(y, [wrap_label(short_project_name(n, 24), 24, 1) for n in rows["name"]])
    ax.invert_yaxis()
    ax.set_xlim(0, 118)
    ax.set_xlabel(f"预算执行率（%）；虚线 100%，点线 {threshold_pct:g}%")
    ax.grid(axis="y", visible=False)
    _fit_margins(fig, ax)
    return fig


def plot_budget_by_category(categories: pd.DataFrame) -> Figure:
    """Project budget per category in 万元, with exact amounts as labels.

    Args:
        categories: ``ScoreResult.categories`` (needs ``category``, ``budget_wan``, ``n_projects``).

    Returns:
        The figure.
    """
    fig = _new_figure(len(categories), row_height=0.5)
    ax = fig.subplots()
    values = categories["budget_wan"].to_numpy(float)
    y = np.arange(len(categories))
    ax.barh(y, values, color=OKABE_ITO["blue"], height=0.6)
    top = np.nanmax(values) if len(values) else 1.0
    for yi, value, count in zip(y.tolist(), values, categories["n_projects"], strict=True):
        ax.text(
            value + top * 0.01,
            yi,
            f"{format_wan(value)} 万元（{count} 个项目）",
            va="center",
            fontsize=8,
        )
    ax.set_yticks(y, categories["category"])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.45)
    ax.set_xlabel("预算（万元）")
    ax.grid(axis="y", visible=False)
    _fit_margins(fig, ax)
    return fig


def _draw_grade_bands(ax: Axes, bands: tuple[tuple[float, str], ...], low_edge: float) -> None:
    """Each grade's band from its lowest score up to the next one's, its name above the first row.

    The bands and their names carry the ``gid`` ``grade-band-<grade>`` and
    ``grade-band-label-<grade>`` (kept as element ids in SVG). A band wholly below ``low_edge``
    or of no width is not drawn.
    """
    upper = 100.0
    for low, label in bands:
        start = max(low, low_edge)
        if start < upper:
            ax.axvspan(start, upper, color=BAND_COLOURS[label], zorder=0, gid=f"grade-band-{label}")
            # Just above the axes, whatever the number of rows (a data position above the first
            # row left a few-project chart's names outside the figure).
            ax.annotate(
                label,
                xy=((start + upper) / 2, 1.0),
                xycoords=("data", "axes fraction"),
                xytext=(0, 3),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=9,
                color="#555555",
                annotation_clip=False,
                gid=f"grade-band-label-{label}",
            )
        upper = min(upper, low)


def _bands_caption(bands: tuple[tuple[float, str], ...]) -> str:
    """The bands in words for the axis label: ``优 ≥90，良 ≥80，中 ≥60``."""
    return "，".join(f"{label} ≥{low:g}" for low, label in bands if low > 0)


def plot_scores(projects: pd.DataFrame, config: ScoringConfig | None = None) -> Figure:
    """Every project's score against the 优 / 良 / 中 / 差 bands of the run's scoring settings.

    Args:
        projects: ``ScoreResult.projects`` (needs ``name``, ``score``).
        config: the scoring settings whose grade bands are drawn (``ScoreResult.config``); the
            default bands, 90 / 80 / 60, when omitted.

    Returns:
        The figure.
    """
    bands = GRADE_BANDS if config is None else config.bands
    fig = _new_figure(len(projects), row_height=0.24)
    ax = fig.subplots()
    scores = projects["score"].to_numpy(float)
    low_edge = (
        40.0 if np.all(np.isnan(scores)) else min(40.0, np.floor(np.nanmin(scores) / 10) * 10)
    )
    _draw_grade_bands(ax, bands, low_edge)
    y = np.arange(len(projects))
    scored = ~np.isnan(scores)
    ax.scatter(scores[scored], y[scored], color=OKABE_ITO["blue"], zorder=3, s=28)
    for yi, value in zip(y.tolist(), scores, strict=True):
        if np.isnan(value):  # no score: say why there is no dot, inside the plot area
            ax.text(
                low_edge + 1,
                yi,
                "未评分（缺少执行率或可评分指标）",
                ha="left",
                va="center",
                fontsize=8,
                color="#555555",
            )
        else:
            ax.text(value - 1, yi, format_score(value), ha="right", va="center", fontsize=8)
    ax.set_yticks(y, [short_project_name(n, 24) for n in projects["name"]])
    ax.set_ylim(len(projects) - 0.4, -0.6)  # first row on top; half a row clear of each edge
    # Printed 分值 are kept as published: a form whose 分值 add up to more than 100 scores above
    # it, and such a project's dot must still show.
    top = float(np.nanmax(scores)) if scored.any() else 100.0
    ax.set_xlim(low_edge, 101 if top <= 100 else np.ceil(top / 10) * 10 + 1)
    ax.grid(axis="x", visible=False)  # the grade bands are the reference; gridlines cut labels
    above = "；按表中分值有项目超过 100" if top > 100 else ""
    ax.set_xlabel(f"自评得分（满分 100{above}）；{_bands_caption(bands)}")
    ax.grid(axis="y", visible=False)
    _fit_margins(fig, ax, top_in=0.3)  # the grade names above the first row
    return fig
