"""helpers.explore: the drill-down levels as DataFrames, the parameter checks, and the widgets.

The levels are checked against score_year's own tables on the district (data/district/2021) and
on the seed (data/2021/高新区科技局). The widgets are driven as a front end would: setting a
control's ``value`` and reading the view's one Output (``output.outputs``).
"""

from __future__ import annotations

import base64
import shutil
from html.parser import HTMLParser
from pathlib import Path

import pandas as pd
import pytest
from traitlets import TraitError

from helpers import explore
from helpers.paths import REPO_ROOT
from helpers.year import YearScores, score_year

DISTRICT = REPO_ROOT / "data" / "district"
SEED_DIR = REPO_ROOT / "data"
SEED = "高新区科技局"
MINZHENG = "苇塘县民政局"
DISTRICT_2021 = [
    "苇塘县供销合作社联合社",
    "苇塘县发展和改革委员会",
    "苇塘县城关街道办事处",
    "苇塘县太湾镇人民政府",
    "苇塘县民政局",
    "苇塘县第二中学",
]


class _Tables(HTMLParser):
    """Header and body cells of every ``<table>`` in an HTML fragment, and the other text."""

    def __init__(self) -> None:
        super().__init__()
        self.tables: list[list[list[str]]] = []
        self.outside: list[str] = []
        self._cell: list[str] | None = None
        self._in_style = False

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        if tag == "table":
            self.tables.append([])
        elif tag == "tr":
            self.tables[-1].append([])
        elif tag in ("td", "th"):
            self._cell = []
        self._in_style |= tag == "style"

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag in ("td", "th") and self._cell is not None:
            self.tables[-1][-1].append("".join(self._cell).strip())
            self._cell = None
        if tag == "style":
            self._in_style = False

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self._in_style:
            return
        if self._cell is not None:
            self._cell.append(data)
        else:
            self.outside.append(data)


def tables_of(markup: str) -> list[list[list[str]]]:
    parser = _Tables()
    parser.feed(markup)
    return parser.tables


def column(table: list[list[str]], header: str) -> list[str]:
    """The body cells of one column of a parsed table (its first row is the header)."""
    index = table[0].index(header)
    return [row[index] for row in table[1:]]


def html_of(view: explore.View) -> str:
    return "".join(o["data"].get("text/html", "") for o in view.output.outputs)


@pytest.fixture(scope="module")
def district() -> YearScores:
    return score_year(2021, DISTRICT)


@pytest.fixture(scope="module")
def seed() -> YearScores:
    return score_year(2021, SEED_DIR)


# --------------------------------------------------------------------- level 1: departments


def test_department_rows_rank_every_department_of_the_year(district: YearScores) -> None:
    rows = explore.department_rows(district)
    assert sorted(rows["department"]) == sorted(DISTRICT_2021)
    assert list(rows.columns) == list(explore.DEPARTMENT_COLUMNS)
    assert rows["rank_budget_weighted"].tolist() == list(range(1, 7))
    assert rows["score_budget_weighted"].is_monotonic_decreasing
    by_name = district.departments.set_index("department")
    for row in rows.itertuples():
        assert row.n_flags == by_name.loc[row.department, "n_flags"]
        assert row.execution_rate_pct == by_name.loc[row.department, "execution_rate_pct"]
        assert row.grade_budget_weighted == by_name.loc[row.department, "grade_budget_weighted"]


def test_department_rows_flagged_only_drops_departments_without_flags(
    district: YearScores,
) -> None:
    departments = district.departments.copy()
    departments.loc[departments["department"] == MINZHENG, "n_flags"] = 0
    quiet = YearScores(2021, departments, district.projects, district.indicators, district.flags)
    assert MINZHENG in set(explore.department_rows(quiet)["department"])
    assert MINZHENG not in set(explore.department_rows(quiet, flagged_only=True)["department"])
    assert len(explore.department_rows(quiet, flagged_only=True)) == 5


def test_department_rows_of_the_seed_year(seed: YearScores) -> None:
    rows = explore.department_rows(seed)
    assert rows["department"].tolist() == [SEED]
    assert rows.loc[0, "n_projects"] == 20


# --------------------------------------------------------------------- level 2: projects


def test_project_rows_are_one_departments_projects_with_their_flags(district: YearScores) -> None:
    rows = explore.project_rows(district, MINZHENG)
    mine = district.projects[district.projects["department"] == MINZHENG]
    assert rows["project_id"].tolist() == mine["project_id"].tolist()
    assert set(rows["department"]) == {MINZHENG}
    flags = district.flags[district.flags["department"] == MINZHENG]
    assert rows["n_flags"].sum() == len(flags)
    counts = flags.groupby("project_id").size()
    for row in rows.itertuples():
        assert row.n_flags == counts.get(row.project_id, 0)


def test_project_rows_filter_by_category_and_flags(district: YearScores) -> None:
    every = explore.project_rows(district, MINZHENG)
    category = every["category"].iloc[0]
    some = explore.project_rows(district, MINZHENG, category=category)
    assert 0 < len(some) < len(every) and set(some["category"]) == {category}
    flagged = explore.project_rows(district, MINZHENG, flagged_only=True)
    assert 0 < len(flagged) < len(every)
    assert (flagged["n_flags"] > 0).all()
    assert set(every.loc[every["n_flags"] > 0, "project_id"]) == set(flagged["project_id"])


def test_project_rows_of_the_seed(seed: YearScores) -> None:
    rows = explore.project_rows(seed, SEED)
    assert len(rows) == 20 and rows["project_id"].iloc[0] == "KJ01"
    assert (
        explore.project_rows(seed, SEED, category="金融监管")["project_id"]
        .str.startswith("JG")
        .all()
    )


# --------------------------------------------------------------------- level 3: indicators


def test_indicator_rows_of_a_project_are_its_indicators(district: YearScores) -> None:
    project = explore.project_rows(district, MINZHENG).iloc[1]
    rows = explore.indicator_rows(district, MINZHENG, project=project["project_id"])
    assert len(rows) == project["n_indicators"]
    assert set(rows["project_name"]) == {project["name"]}
    tidy = district.indicators
    tidy = tidy[(tidy["department"] == MINZHENG) & (tidy["project_id"] == project["project_id"])]
    assert sorted(rows["name"]) == sorted(tidy["name"])
    assert {"target", "actual", "completion_pct", "status"} <= set(rows.columns)


def test_indicator_rows_of_the_whole_year(district: YearScores) -> None:
    rows = explore.indicator_rows(district)
    assert len(rows) == len(district.indicators) == 205
    assert set(rows["department"]) == set(DISTRICT_2021)
    unmet = explore.indicator_rows(district, status="未达成")
    assert len(unmet) == int(district.departments["n_unmet"].sum())
    assert set(unmet["status"]) == {"未达成"}


def test_indicator_rows_are_sorted_with_missing_values_last(district: YearScores) -> None:
    rows = explore.indicator_rows(district, MINZHENG, sort_by="completion_pct")
    values = rows["completion_pct"]
    known = values.dropna()
    assert known.is_monotonic_increasing
    assert values.isna().sum() == 0 or values.iloc[len(known) :].isna().all()
    down = explore.indicator_rows(district, MINZHENG, sort_by="score", ascending=False)
    assert down["score"].dropna().is_monotonic_decreasing


def test_indicator_rows_of_the_seed_filtered(seed: YearScores) -> None:
    rows = explore.indicator_rows(seed, SEED, category="金融监管", status="未达成")
    assert "开展金融风险防控专题讲座数量" in set(rows["name"])
    assert "引进港澳台项目数量" not in set(rows["name"])  # an unmet 科技创新发展 indicator
    assert set(rows["category"]) == {"金融监管"} and set(rows["status"]) == {"未达成"}
    flagged = explore.indicator_rows(seed, SEED, flagged_only=True)
    flagged_projects = explore.project_rows(seed, SEED, flagged_only=True)["project_id"]
    assert set(flagged["project_id"]) <= set(flagged_projects)


# --------------------------------------------------------------------- wrong parameters


@pytest.mark.parametrize(
    ("kwargs", "words"),
    [
        (
            {"fiscal_year": 2019},
            ["2019", "有数据的年度：2020、2021", "years with data: 2020, 2021"],
        ),
        ({"fiscal_year": "2021"}, ["年度应为整数", "whole number"]),
        (
            {"fiscal_year": 2021, "department": "苇塘县教育局"},
            ["苇塘县教育局", "可选部门：", "苇塘县民政局", "留空即全部部门一览", "departments:"],
        ),
        (
            {"fiscal_year": 2021, "department": MINZHENG, "category": "教育教学"},
            ["类别“教育教学”", "社会救助", "养老服务", "category '教育教学'"],
        ),
        (
            {"fiscal_year": 2021, "status": "完成"},
            ["完成情况“完成”", "达成、基本达成、未达成、未评价", "status '完成'"],
        ),
        (
            {"fiscal_year": 2021, "sort_by": "完成率"},
            ["排序列“完成率”", "completion_pct（完成率（%））", "sort_by '完成率'"],
        ),
        (
            {"fiscal_year": 2021, "department": MINZHENG, "project": "无此项目"},
            ["项目“无此项目”", "JZ01（城乡最低生活保障项目）", "project '无此项目'"],
        ),
        ({"fiscal_year": 2021, "project": "JZ01"}, ["请先指定部门", "choose a department"]),
    ],
)
def test_a_wrong_parameter_names_the_choices(kwargs: dict, words: list[str]) -> None:
    with pytest.raises(explore.ExploreError) as caught:
        explore.Explorer(data_dir=DISTRICT, **kwargs)
    message = str(caught.value)
    assert not isinstance(caught.value, TraitError)
    assert " / " in message, "the message is 中文 / English"
    for word in words:
        assert word in message, f"{word!r} not in {message!r}"


def test_a_missing_data_folder_is_a_clear_message(tmp_path: Path) -> None:
    with pytest.raises(explore.ExploreError, match="找不到数据目录"):
        explore.Explorer(2021, data_dir=tmp_path / "nowhere")


def test_the_seed_checks_its_category_too() -> None:
    with pytest.raises(explore.ExploreError, match="可选：科技创新发展"):
        explore.Explorer(2021, SEED, category="社会救助")


def test_the_level_functions_check_their_values_too(district: YearScores) -> None:
    with pytest.raises(explore.ExploreError, match="部门“无此部门”不是可选值"):
        explore.project_rows(district, "无此部门")
    with pytest.raises(explore.ExploreError, match="未评价"):
        explore.indicator_rows(district, status="差")


def test_a_project_is_found_by_name_or_code() -> None:
    by_name = explore.Explorer(2021, MINZHENG, data_dir=DISTRICT, project="惠民殡葬项目")
    by_code = explore.Explorer(2021, MINZHENG, data_dir=DISTRICT, project="SW01")
    assert by_name.selection.project == by_code.selection.project == "SW01"


# --------------------------------------------------------------------- the widgets


@pytest.fixture
def overview() -> explore.Explorer:
    return explore.Explorer(2021, "", data_dir=DISTRICT)


def test_the_overview_view_shows_only_the_department_table(overview: explore.Explorer) -> None:
    view = explore.department_browser(overview)
    assert len(view.output.outputs) == 1, "one result, not a static table and a live one"
    markup = html_of(view)
    (table,) = tables_of(markup)
    assert (
        column(table, "部门") == explore.department_rows(overview.scores())["department"].tolist()
    )
    for name in DISTRICT_2021:
        assert markup.count(name) == 1
    assert set(view.controls) == {"year", "department", "category", "flagged_only"}
    assert view.controls["department"].options[0] == (explore.ALL_DEPARTMENTS, "")
    assert list(view.controls["year"].options) == [2020, 2021]


def test_choosing_a_department_redraws_with_its_projects_only(overview: explore.Explorer) -> None:
    departments = explore.department_browser(overview)
    picker = explore.project_picker(overview)
    assert "请先在“部门”中选择一个部门" in html_of(picker)
    assert picker.controls["project"].disabled

    departments.controls["department"].value = MINZHENG

    assert len(departments.output.outputs) == 1
    markup = html_of(departments)
    tables = tables_of(markup)
    projects = explore.project_rows(overview.scores(), MINZHENG)
    assert column(tables[-1], "项目") == projects["name"].tolist()
    for other in set(DISTRICT_2021) - {MINZHENG}:
        assert other not in markup
    # the project picker now lists that department's projects and draws the first one
    options = picker.controls["project"].options
    assert [value for _, value in options] == projects["project_id"].tolist()
    assert not picker.controls["project"].disabled
    assert [sorted(o["data"]) for o in picker.output.outputs] == [
        ["text/html"],
        ["image/png", "text/plain"],
    ]
    assert base64.b64decode(picker.output.outputs[1]["data"]["image/png"])[:4] == b"\x89PNG"


def test_choosing_a_project_shows_its_indicators_target_and_actual(
    overview: explore.Explorer,
) -> None:
    picker = explore.project_picker(overview)
    overview.controls()["department"].value = MINZHENG
    picker.controls["project"].value = "SW01"
    (table,) = tables_of(html_of(picker))
    expected = explore.indicator_rows(overview.scores(), MINZHENG, project="SW01")
    assert column(table, "三级指标") == expected["name"].tolist()
    assert column(table, "年度指标值") == [str(v) for v in expected["target"].fillna("—")]
    assert column(table, "实际完成值") == [str(v) for v in expected["actual"].fillna("—")]
    assert "惠民殡葬项目（SW01）" in html_of(picker)


def test_the_indicator_filters_redraw_only_the_filtered_rows(overview: explore.Explorer) -> None:
    view = explore.indicator_browser(overview)
    (before,) = tables_of(html_of(view))
    assert len(before) - 1 == 205

    view.controls["status"].value = "未达成"

    assert len(view.output.outputs) == 1
    (table,) = tables_of(html_of(view))
    expected = explore.indicator_rows(overview.scores(), status="未达成")
    assert len(table) - 1 == len(expected) < 205
    assert set(column(table, "完成情况")) == {"未达成"}
    assert column(table, "三级指标") == expected["name"].tolist()

    overview.controls()["department"].value = MINZHENG
    (table,) = tables_of(html_of(view))
    assert set(column(table, "完成情况")) == {"未达成"}
    mine = explore.indicator_rows(overview.scores(), MINZHENG, status="未达成")
    assert column(table, "三级指标") == mine["name"].tolist()
    assert "部门" not in table[0], "one department: no department column"

    view.controls["category"].value = "社会救助"
    view.controls["sort_by"].value = "score"
    view.controls["ascending"].value = False
    (table,) = tables_of(html_of(view))
    expected = explore.indicator_rows(
        overview.scores(), MINZHENG, category="社会救助", status="未达成", sort_by="score",
        ascending=False,
    )  # fmt: skip
    assert column(table, "三级指标") == expected["name"].tolist()
    assert set(column(table, "类别")) == {"社会救助"}


def test_changing_the_year_keeps_a_department_that_exists_then(overview: explore.Explorer) -> None:
    view = explore.department_browser(overview)
    controls = overview.controls()
    controls["department"].value = MINZHENG
    controls["category"].value = "社会救助"
    controls["year"].value = 2020
    assert overview.selection.fiscal_year == 2020
    assert overview.selection.department == MINZHENG
    assert overview.selection.category == "社会救助"
    assert "2020 年度 苇塘县民政局" in html_of(view)
    controls["department"].value = ""
    assert "2020 年度全部 6 个部门" in html_of(view)
    assert controls["category"].options[0] == ("全部", "")


def test_a_dropdown_never_gets_a_value_outside_its_options(overview: explore.Explorer) -> None:
    """The widgets themselves still refuse a bad value (the explorer checks before them)."""
    controls = overview.controls()
    with pytest.raises(TraitError):
        controls["status"].value = "完成"
    assert overview.selection.status == ""


def test_a_view_offers_the_widgets_and_a_static_copy_in_one_output(
    overview: explore.Explorer,
) -> None:
    view = explore.department_browser(overview)
    bundle = view._repr_mimebundle_()
    assert set(bundle) == {
        "application/vnd.jupyter.widget-view+json",
        "text/html",
        "text/plain",
    }
    assert bundle["application/vnd.jupyter.widget-view+json"]["model_id"] == view.box.model_id
    assert bundle["text/html"] == html_of(view)
    assert not any(name in bundle["text/plain"] for name in DISTRICT_2021)
    overview.controls()["department"].value = MINZHENG
    assert view._repr_mimebundle_()["text/html"] == html_of(view)  # the current result
    picker = explore.project_picker(overview)
    static = picker._repr_mimebundle_()
    assert static["image/png"] == picker.output.outputs[1]["data"]["image/png"]
    assert 'src="data:image/png;base64,' in static["text/html"]


def test_running_a_view_cell_again_replaces_its_view(overview: explore.Explorer) -> None:
    first = explore.indicator_browser(overview)
    second = explore.indicator_browser(overview)
    overview.controls()["status"].value = "未达成"
    assert set(column(tables_of(html_of(second))[0], "完成情况")) == {"未达成"}
    assert len(tables_of(html_of(first))[0]) - 1 == 205, "the replaced view is left alone"


# --------------------------------------------------------------------- text from the data


def test_text_from_the_data_is_never_markup(tmp_path: Path) -> None:
    department = "科技局<b>粗"  # no "/" in a folder name
    folder = tmp_path / "2021" / department
    shutil.copytree(SEED_DIR / "2021" / SEED, folder)
    projects = pd.read_csv(folder / "projects.csv", dtype=str, keep_default_na=False)
    projects.loc[0, "name"] = "<script>alert(1)</script>奖励项目"
    projects.to_csv(folder / "projects.csv", index=False)

    explorer = explore.Explorer(2021, "", data_dir=tmp_path)
    views = [
        explore.department_browser(explorer),
        explore.indicator_browser(explorer),
        explore.project_picker(explorer),
    ]
    explorer.controls()["department"].value = department
    for view in views:
        markup = view._repr_mimebundle_()["text/html"]
        assert "<script>" not in markup and "<b>粗" not in markup
    assert "&lt;script&gt;alert(1)&lt;/script&gt;奖励项目" in html_of(views[0])
    assert "科技局&lt;b&gt;粗" in html_of(views[0])
    assert "&lt;script&gt;" in html_of(views[2])


def test_table_html_escapes_and_caps_the_rows() -> None:
    rows = pd.DataFrame({"name": ["<i>x</i>", *map(str, range(explore.MAX_ROWS + 4))]})
    markup = explore.table_html(rows, {"name": "名称"})
    assert "<i>x</i>" not in markup and "&lt;i&gt;x&lt;/i&gt;" in markup
    assert len(tables_of(markup)[0]) - 1 == explore.MAX_ROWS
    assert "另有 5 条未显示" in markup


def test_a_year_whose_only_department_does_not_validate(tmp_path: Path) -> None:
    folder = tmp_path / "2021" / SEED
    shutil.copytree(SEED_DIR / "2021" / SEED, folder)
    (folder / "projects.csv").unlink()
    explorer = explore.Explorer(2021, "", data_dir=tmp_path)
    assert explore.indicator_rows(explorer.scores()).empty
    markup = html_of(explore.department_browser(explorer))
    assert "没有符合条件的记录" in markup and f"未纳入：{SEED}（数据未通过校验）" in markup
    with pytest.raises(explore.ExploreError, match="未通过校验"):
        explore.Explorer(2021, SEED, data_dir=tmp_path)
