"""explore.ipynb executed headless by papermill on the district (data/district/2021).

With ``department: ""`` it shows the year's department table; with a department, that
department's projects, indicators and the first project's chart. Each view cell has ONE output
(the live widgets with a static HTML copy of the current result), so every name the reader
should see is there once — not a static default table and a filtered one. A wrong parameter
fails the run with the explorer's message naming the choices, not a TraitError.
"""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from helpers import paths

pytestmark = pytest.mark.integration

EXPLORE = paths.NOTEBOOKS_DIR / "explore.ipynb"
DISTRICT = paths.REPO_ROOT / "data" / "district"
WIDGET_VIEW = "application/vnd.jupyter.widget-view+json"
DEPARTMENTS = [
    "苇塘县供销合作社联合社",
    "苇塘县发展和改革委员会",
    "苇塘县城关街道办事处",
    "苇塘县太湾镇人民政府",
    "苇塘县民政局",
    "苇塘县第二中学",
]
MINZHENG = "苇塘县民政局"
MINZHENG_PROJECTS = [  # data/district/2021/苇塘县民政局/projects.csv
    "城乡最低生活保障项目",
    "特困人员救助供养项目",
    "居家和社区养老服务项目",
    "惠民殡葬项目",
    "困难残疾人生活补贴和重度残疾人护理补贴项目",
    "干部职工业务能力培训项目",
    "信息化系统运行维护项目",
    "办公设备购置项目",
]


@pytest.fixture(scope="module")
def every_department(
    tmp_path_factory: pytest.TempPathFactory, support: ModuleType
) -> nbformat.NotebookNode:
    folder = tmp_path_factory.mktemp("explore-all")
    return support.run_explore({"department": "", "data_dir": str(DISTRICT)}, folder)


@pytest.fixture(scope="module")
def one_department(
    tmp_path_factory: pytest.TempPathFactory, support: ModuleType
) -> nbformat.NotebookNode:
    folder = tmp_path_factory.mktemp("explore-one")
    return support.run_explore({"department": MINZHENG, "data_dir": str(DISTRICT)}, folder)


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self._style = 0

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        self._style += tag == "style"

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        self._style -= tag == "style"

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if not self._style:
            self.parts.append(data)


def visible_text(markup: str) -> str:
    """The text a reader sees in an HTML fragment (not its style sheet)."""
    parser = _Text()
    parser.feed(markup)
    return "".join(parser.parts)


def _cell(nb: nbformat.NotebookNode, call: str) -> nbformat.NotebookNode:
    (cell,) = [c for c in nb.cells if c.cell_type == "code" and call in c.source]
    return cell


def _view_html(nb: nbformat.NotebookNode, call: str) -> str:
    """The one output of a view cell: live widgets and a static HTML copy; the HTML's text."""
    cell = _cell(nb, call)
    assert len(cell.outputs) == 1, f"{call}: {len(cell.outputs)} outputs, expected one"
    data = cell.outputs[0].data
    assert WIDGET_VIEW in data and "text/html" in data
    return visible_text(data["text/html"])


def _all_output_text(nb: nbformat.NotebookNode) -> str:
    """The text of every HTML and plain output of every cell (not the stored widget state)."""
    parts = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            parts.append(visible_text(data.get("text/html", "")) + data.get("text/plain", ""))
            parts.append(output.get("text", ""))
    return "\n".join(parts)


@pytest.mark.parametrize("case", ["every_department", "one_department"])
def test_explore_runs_cleanly(
    case: str, request: pytest.FixtureRequest, support: ModuleType
) -> None:
    nb = request.getfixturevalue(case)
    assert support.error_outputs(nb) == []
    assert all(c.execution_count is not None for c in nb.cells if c.cell_type == "code")
    support.assert_no_missing_glyphs(support.stream_text(nb, "stderr"), "explore.ipynb stderr")


def test_every_department_shows_the_department_table_once(
    every_department: nbformat.NotebookNode,
) -> None:
    text = _view_html(every_department, "explore.department_browser")
    assert "2021 年度全部 6 个部门" in text
    for name in DEPARTMENTS:
        assert text.count(name) == 1, f"{name} shown {text.count(name)} times"
    positions = [text.index(name) for name in DEPARTMENTS]
    assert positions != sorted(positions), "ranked by score, not listed by name"
    assert text.index("苇塘县发展和改革委员会") < text.index("苇塘县供销合作社联合社")
    picker = _view_html(every_department, "explore.project_picker")
    assert "请先在“部门”中选择一个部门" in picker
    indicators = _view_html(every_department, "explore.indicator_browser")
    assert "全部部门：指标 205 条" in indicators


def test_a_department_shows_its_projects_once(one_department: nbformat.NotebookNode) -> None:
    text = _view_html(one_department, "explore.department_browser")
    assert f"2021 年度 {MINZHENG}" in text and "项目（8 个）" in text
    for name in MINZHENG_PROJECTS:
        assert text.count(name) == 1, f"{name} shown {text.count(name)} times"
    everything = _all_output_text(one_department)
    for other in set(DEPARTMENTS) - {MINZHENG}:
        assert other not in everything
    indicators = _view_html(one_department, "explore.indicator_browser")
    assert f"{MINZHENG}：指标 44 条" in indicators


def test_a_department_shows_the_first_projects_indicators_and_chart(
    one_department: nbformat.NotebookNode,
) -> None:
    text = _view_html(one_department, "explore.project_picker")
    assert text.count("城乡最低生活保障项目（JZ01）") == 1
    assert "保障城乡低保对象" in text and "7100人以上" in text and "5177人" in text
    (output,) = _cell(one_department, "explore.project_picker").outputs
    assert output.data["image/png"], "the project's chart, for viewers without widgets"


def test_a_wrong_parameter_stops_the_run_with_the_choices(
    tmp_path: Path, support: ModuleType
) -> None:
    from papermill.exceptions import PapermillExecutionError

    with pytest.raises(PapermillExecutionError) as caught:
        support.run_explore(
            {"department": MINZHENG, "data_dir": str(DISTRICT), "status": "完成"}, tmp_path
        )
    error = caught.value
    assert error.ename == "ExploreError"
    assert "达成、基本达成、未达成、未评价" in error.evalue and "status '完成'" in error.evalue
    assert "TraitError" not in "".join(error.traceback)
