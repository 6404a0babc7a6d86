"""No missing-glyph warnings: Chinese text in charts is drawn with a CJK font."""

from __future__ import annotations

import io
import logging
import warnings
from collections.abc import Callable
from types import ModuleType

import pytest

from helpers import charts

pytestmark = pytest.mark.integration


def test_runner_output_has_no_missing_glyphs(fy2021_report, support: ModuleType) -> None:  # type: ignore[no-untyped-def]
    assert "完成" in fy2021_report.output, "the runner's progress output was not captured"
    support.assert_no_missing_glyphs(fy2021_report.output, "the output of jixiao report")


def test_report_notebook_stderr_has_no_missing_glyphs(fy2021_report, support: ModuleType) -> None:  # type: ignore[no-untyped-def]
    nb = fy2021_report.notebook()
    support.assert_no_missing_glyphs(support.stream_text(nb, "stderr"), "report.ipynb stderr")
    support.assert_no_missing_glyphs(support.stream_text(nb, "stdout"), "report.ipynb stdout")


def _draw(fig) -> None:  # type: ignore[no-untyped-def]
    fig.savefig(io.BytesIO(), format="png")


@pytest.fixture(scope="module")
def seed_result():  # type: ignore[no-untyped-def]
    from helpers.dataset import load_dataset
    from helpers.paths import REPO_ROOT
    from helpers.scoring import score_dataset

    return score_dataset(load_dataset(REPO_ROOT / "data" / "2021" / "高新区科技局"))


def _record_font_problems(caplog: pytest.LogCaptureFixture, draw: Callable[[], None]) -> list[str]:
    """Warnings and matplotlib log records emitted while ``draw`` runs."""
    with warnings.catch_warnings(record=True) as caught, caplog.at_level(logging.WARNING):
        warnings.simplefilter("always")
        draw()
    # ResourceWarnings come from the garbage collector (objects of earlier tests), not fonts.
    return [str(w.message) for w in caught if not issubclass(w.category, ResourceWarning)] + [
        r.getMessage() for r in caplog.records if r.name.startswith("matplotlib")
    ]


CHARTS = {
    "budget_by_category": lambda r: charts.plot_budget_by_category(r.categories),
    "scores": lambda r: charts.plot_scores(r.projects),
    "execution_rates": lambda r: charts.plot_execution_rates(
        r.projects, r.config.low_execution_pct
    ),
}


@pytest.mark.parametrize("chart", list(CHARTS))
def test_charts_with_chinese_labels_draw_without_warnings(
    chart: str, seed_result, caplog: pytest.LogCaptureFixture
) -> None:  # type: ignore[no-untyped-def]
    from helpers.fonts import configure_charts

    def draw() -> None:
        configure_charts()
        _draw(CHARTS[chart](seed_result))

    problems = _record_font_problems(caplog, draw)
    assert problems == []


def test_target_vs_actual_chart_draws_without_warnings(seed_result, caplog) -> None:  # type: ignore[no-untyped-def]
    from helpers.fonts import configure_charts

    ind = seed_result.indicators.copy()
    names = seed_result.projects.set_index("project_id")["name"]
    ind["project_name"] = ind["project_id"].map(names)
    rows = ind[ind["project_id"] == "KJ10"]

    def draw() -> None:
        configure_charts()
        _draw(charts.plot_target_vs_actual(rows, title=names["KJ10"]))

    assert _record_font_problems(caplog, draw) == []


def test_missing_glyphs_are_detected(caplog: pytest.LogCaptureFixture) -> None:
    """Control: without a CJK font, matplotlib does warn, and the check above sees it."""
    import matplotlib
    from matplotlib.figure import Figure

    def draw() -> None:
        with matplotlib.rc_context({"font.family": ["DejaVu Sans"]}):
            fig = Figure()
            fig.suptitle("绩效自评")
            _draw(fig)

    problems = _record_font_problems(caplog, draw)
    assert any("Glyph" in p or "missing from" in p for p in problems), problems
