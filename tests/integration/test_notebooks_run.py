"""Every notebook in notebooks/ executes through papermill, cleanly.

report.ipynb is executed by the runner (the session's FY2021 rendering); explore.ipynb is
executed here directly, with its default parameters and with a category/status filter.
"""

from __future__ import annotations

import json
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from helpers import paths

pytestmark = pytest.mark.integration

EXPLORE = paths.NOTEBOOKS_DIR / "explore.ipynb"


def test_every_notebook_is_covered_here() -> None:
    """A new notebook must get an execution test of its own."""
    assert sorted(p.name for p in paths.NOTEBOOKS_DIR.glob("*.ipynb")) == [
        "explore.ipynb",
        "overview.ipynb",  # executed by the runner in test_overview_run.py
        "report.ipynb",
    ]


# --------------------------------------------------------------------------- report.ipynb
def test_report_notebook_executed_without_errors(fy2021_report, support: ModuleType) -> None:
    nb = fy2021_report.notebook()
    assert support.error_outputs(nb) == []
    assert nb.metadata.papermill.get("exception") in (None, False)
    code_cells = [c for c in nb.cells if c.cell_type == "code"]
    assert all(c.execution_count is not None for c in code_cells), "a cell did not run"
    shown = [c for c in code_cells if "report.show_" in c.source]
    assert len(shown) >= 8
    assert all(any(o.output_type == "display_data" for o in c.outputs) for c in shown), (
        "a report.show_* cell displayed nothing"
    )


def test_report_notebook_records_its_parameters(fy2021_report) -> None:
    nb = fy2021_report.notebook()
    recorded = nb.metadata.papermill.parameters
    assert recorded["fiscal_year"] == 2021
    assert recorded["department"] == "高新区科技局"
    assert recorded["charts_dir"] == "charts"
    assert Path(recorded["data_dir"]) == paths.get_data_dir()

    tags = [c.metadata.get("tags", []) for c in nb.cells]
    declared = [i for i, t in enumerate(tags) if "parameters" in t]
    injected = [i for i, t in enumerate(tags) if "injected-parameters" in t]
    assert len(declared) == 1 and len(injected) == 1
    assert injected[0] == declared[0] + 1, "papermill puts the injected cell after `parameters`"
    source = nb.cells[injected[0]].source
    assert "fiscal_year = 2021" in source
    assert "department = " in source
    # papermill writes strings with \u escapes; decode them to compare the department.
    department_line = next(line for line in source.splitlines() if line.startswith("department"))
    assert json.loads(department_line.split("=", 1)[1].strip()) == "高新区科技局"


# --------------------------------------------------------------------------- explore.ipynb
def _outputs_of(nb: nbformat.NotebookNode, call: str, mimetype: str) -> str:
    """The ``mimetype`` outputs of the cell whose source calls ``call``."""
    cells = [c for c in nb.cells if c.cell_type == "code" and call in c.source]
    assert cells, f"no cell calls {call}"
    return "".join(
        "".join(o.get("data", {}).get(mimetype, "")) for c in cells for o in c.get("outputs", [])
    )


def _images(nb: nbformat.NotebookNode) -> list[str]:
    return [
        mimetype
        for c in nb.cells
        if c.cell_type == "code"
        for o in c.get("outputs", [])
        for mimetype in o.get("data", {})
        if mimetype.startswith("image/")
    ]


EXPLORE_CASES = {
    "defaults": ({}, ["引进港澳台项目数量", "开展金融风险防控专题讲座数量"], []),
    # 引进港澳台项目数量 is an unmet 科技创新发展 indicator: filtered out by the category.
    "金融监管-未达成": (
        {"category": "金融监管", "status": "未达成"},
        ["开展金融风险防控专题讲座数量"],
        ["引进港澳台项目数量"],
    ),
}


@pytest.fixture(scope="module", params=list(EXPLORE_CASES), ids=list(EXPLORE_CASES))
def explore_run(request, tmp_path_factory: pytest.TempPathFactory, support: ModuleType):  # type: ignore[no-untyped-def]
    """explore.ipynb executed by papermill into tmp (kernel ``jixiao``), once per case."""
    parameters, present, absent = EXPLORE_CASES[request.param]
    nb = support.run_explore(parameters, tmp_path_factory.mktemp("explore"))
    return nb, parameters, present, absent


def test_explore_notebook_executes_without_errors(explore_run, support: ModuleType) -> None:
    nb, parameters, _, _ = explore_run
    assert support.error_outputs(nb) == []
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code")
    assert nb.metadata.papermill.parameters == parameters
    support.assert_no_missing_glyphs(support.stream_text(nb, "stderr"), "explore.ipynb stderr")


def test_explore_notebook_shows_the_indicator_table(explore_run) -> None:
    nb, _, present, absent = explore_run
    table = _outputs_of(nb, "explore.indicator_browser", "text/html")
    assert "<table" in table
    for name in present:
        assert name in table
    for name in absent:
        assert name not in table, f"{name} should be filtered out"


def test_explore_notebook_shows_a_chart(explore_run) -> None:
    """Headless, the project picker must still draw the chosen project's chart as an image."""
    nb, _, _, _ = explore_run
    images = _images(nb)
    picker = _outputs_of(nb, "explore.project_picker", "text/plain")
    assert images, (
        "explore.ipynb has no image output; the project picker printed "
        f"{picker!r} instead of a chart"
    )
