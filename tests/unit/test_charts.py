"""helpers.charts: the score chart draws the grade bands of the run's scoring settings."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest
from matplotlib.axes import Axes
from matplotlib.figure import Figure

from helpers import charts
from helpers.fonts import configure_charts
from helpers.report import Report, build_report
from helpers.scoring import ScoringConfig

PROVINCE_BANDS = {"优": 80, "良": 70, "中": 60}
PROJECTS = pd.DataFrame({"name": ["甲项目", "乙项目", "丙项目"], "score": [95.0, 72.5, np.nan]})


@pytest.fixture(autouse=True, scope="module")
def chart_fonts() -> None:
    """The report's chart fonts (the Chinese labels need a CJK font)."""
    configure_charts()


def band_spans(fig: Figure) -> dict[str, tuple[float, float]]:
    """Each grade band's (left, right) score, from the patches the chart gave a band gid."""
    ax: Axes = fig.axes[0]
    spans = {}
    for patch in ax.patches:
        gid = patch.get_gid() or ""
        if gid.startswith("grade-band-"):
            box = patch.get_extents().transformed(ax.transData.inverted())
            spans[gid.removeprefix("grade-band-")] = (round(box.x0, 6), round(box.x1, 6))
    return spans


def band_labels(fig: Figure) -> dict[str, float]:
    """Each grade name's x position (the middle of its band)."""
    return {
        t.get_text(): t.xy[0]  # an annotation: its point, the text sits just above the axes
        for t in fig.axes[0].texts
        if (t.get_gid() or "").startswith("grade-band-label-")
    }


@pytest.mark.parametrize("n_projects", [1, 2, 4, 5, 12, 40])
def test_band_names_lie_inside_the_figure_whatever_the_number_of_projects(n_projects):
    projects = pd.DataFrame(
        {"name": [f"项目{i}" for i in range(n_projects)], "score": np.linspace(55, 99, n_projects)}
    )
    fig = charts.plot_scores(projects)
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    renderer = FigureCanvasAgg(fig).get_renderer()
    figure_box = fig.bbox
    labels = [t for t in fig.axes[0].texts if (t.get_gid() or "").startswith("grade-band-label-")]
    assert len(labels) == 4
    for text in labels:
        box = text.get_window_extent(renderer)
        assert figure_box.y0 <= box.y0 and box.y1 <= figure_box.y1, (text.get_text(), box)
        assert box.y0 >= fig.axes[0].bbox.y1  # above the plot, not over a row


@pytest.mark.parametrize("top", [100.0, 110.0, 123.5])
def test_a_score_above_100_keeps_its_dot_in_view(top):
    """A form whose printed 分值 add up to more than 100 scores above it: the dot still shows."""
    projects = pd.DataFrame({"name": ["甲项目", "乙项目"], "score": [top, 85.0]})
    ax = charts.plot_scores(projects).axes[0]
    low, high = ax.get_xlim()
    assert low < 85.0 and top < high <= top + 11
    assert ("超过 100" in ax.get_xlabel()) == (top > 100)


def test_default_bands_are_90_80_60():
    fig = charts.plot_scores(PROJECTS)
    assert band_spans(fig) == {"优": (90, 100), "良": (80, 90), "中": (60, 80), "差": (40, 60)}
    assert band_labels(fig) == {"优": 95, "良": 85, "中": 70, "差": 50}
    assert fig.axes[0].get_xlabel().endswith("优 ≥90，良 ≥80，中 ≥60")


def test_default_config_draws_the_default_bands():
    default = charts.plot_scores(PROJECTS, ScoringConfig())
    assert band_spans(default) == band_spans(charts.plot_scores(PROJECTS))


def test_bands_come_from_the_config():
    fig = charts.plot_scores(PROJECTS, ScoringConfig(grade_bands=PROVINCE_BANDS))
    assert band_spans(fig) == {"优": (80, 100), "良": (70, 80), "中": (60, 70), "差": (40, 60)}
    assert band_labels(fig) == {"优": 90, "良": 75, "中": 65, "差": 50}
    assert fig.axes[0].get_xlabel().endswith("优 ≥80，良 ≥70，中 ≥60")


def test_a_band_below_the_axis_or_of_no_width_is_not_drawn():
    config = ScoringConfig(grade_bands={"优": 100, "良": 85, "中": 30})
    fig = charts.plot_scores(PROJECTS, config)
    # 优 is the single score 100: no band; 差 lies below the axis, which starts at 40.
    assert band_spans(fig) == {"良": (85, 100), "中": (40, 85)}
    assert set(band_labels(fig)) == {"良", "中"}


def test_svg_names_the_bands_of_the_config():
    svg = charts.figure_to_svg(
        charts.plot_scores(PROJECTS, ScoringConfig(grade_bands=PROVINCE_BANDS))
    )
    assert {f"grade-band-{g}" for g in "优良中差"} <= set(re.findall(r'id="([^"]+)"', svg))
    assert "优 ≥80，良 ≥70，中 ≥60" in svg


@pytest.fixture(scope="module")
def province_report(tmp_path_factory: pytest.TempPathFactory) -> Report:
    report = build_report(
        2021,
        "高新区科技局",
        charts_dir=tmp_path_factory.mktemp("charts"),
        scoring={"grade_bands": PROVINCE_BANDS},
    )
    report.document()
    return report


def test_the_report_draws_the_bands_of_its_scoring_settings(province_report: Report):
    assert province_report.result.config.bands[0] == (80.0, "优")
    saved = [p for p in province_report.saved_charts if "等级区间" in p.name]
    assert len(saved) == 1
    svg = saved[0].read_text("utf-8")
    assert "优 ≥80，良 ≥70，中 ≥60" in svg
    assert "优 ≥90" not in svg
