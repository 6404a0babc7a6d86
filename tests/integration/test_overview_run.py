"""A year run over every department also writes the year's overview, like a report."""

from __future__ import annotations

from types import ModuleType

import pytest

from helpers.cli import main

pytestmark = pytest.mark.integration


@pytest.fixture(scope="module")
def year_run(tmp_path_factory: pytest.TempPathFactory, support: ModuleType):  # type: ignore[no-untyped-def]
    root = tmp_path_factory.mktemp("year")
    for name in ("甲局", "乙局"):
        support.copy_seed(root / "data", department=name)
    out = root / "out"
    params = support.write_params(
        root / "params.yaml",
        f"fiscal_year: 2021\ndepartments: all\nformats: [html, pdf, docx]\ndata_dir: {root / 'data'}\n"
        "bureau: 甲县财政局\n",
    )
    with support.captured_output() as captured:
        code = main(["report", str(params), "--output", str(out)])
    return code, captured.text, out / "2021"


def test_the_overview_is_written_beside_the_department_reports(year_run) -> None:  # type: ignore[no-untyped-def]
    code, output, year = year_run
    assert code == 0, output
    for suffix in ("html", "pdf", "docx", "ipynb"):
        assert (year / f"overview.{suffix}").is_file(), output
    assert "年度汇总分析 overview.*：已写入" in output
    folders = sorted(p.name for p in year.iterdir() if p.is_dir())
    assert folders == ["乙局", "年度得分_parquet", "甲局"], "no staging left"
    for name in ("年度得分.xlsx", "复核工作底稿.xlsx", "年度得分_parquet/部门.parquet"):
        assert (year / name).is_file(), name


def test_the_overview_links_to_each_report_and_ranks_both_ways(year_run) -> None:  # type: ignore[no-untyped-def]
    _, _, year = year_run
    html = (year / "overview.html").read_text("utf-8")
    for department in ("甲局", "乙局"):
        assert f'<a href="{department}/report.html">' in html
        assert (year / department / "report.html").is_file()
    assert "加权得分" in html and "平均得分" in html
    assert "<h1" in html and "甲县财政局2021年度部门预算绩效自评汇总分析" in html  # params: bureau
    assert html.count("<svg") == 2


def test_one_department_gets_no_overview(fy2021_report) -> None:  # type: ignore[no-untyped-def]
    folder = fy2021_report.html_path.parent.parent
    assert not (folder / "overview.html").exists()


def test_the_overview_notebook_ran_cleanly_with_its_parameters(
    year_run, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    import nbformat

    _, _, year = year_run
    nb = nbformat.read(year / "overview.ipynb", as_version=4)
    assert support.error_outputs(nb) == []
    assert nb.metadata.papermill.parameters["fiscal_year"] == 2021
    assert nb.metadata.papermill.parameters["link_format"] == "html"
    assert nb.metadata.papermill.parameters["scoring"] == {}  # the run's settings, passed on
    assert nb.metadata.papermill.parameters["bureau"] == "甲县财政局"


def test_overview_false_writes_only_the_reports(tmp_path, support: ModuleType) -> None:  # type: ignore[no-untyped-def]
    from helpers.runner import load_run_params, wants_overview

    for name in ("甲局", "乙局"):
        support.copy_seed(tmp_path / "data", department=name)
    text = f"fiscal_year: 2021\ndepartments: all\ndata_dir: {tmp_path / 'data'}\n"
    on = support.write_params(tmp_path / "on.yaml", text)
    off = support.write_params(tmp_path / "off.yaml", text + "overview: false\n")
    assert wants_overview(load_run_params(on), ["甲局", "乙局"])
    assert not wants_overview(load_run_params(off), ["甲局", "乙局"])


def test_a_left_out_department_is_said_and_a_later_run_of_it_refreshes_the_overview(
    tmp_path, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    from openpyxl import load_workbook

    data = tmp_path / "data"
    for name in ("甲局", "乙局"):
        support.copy_seed(data, department=name)
    projects = data / "2021" / "乙局" / "projects.csv"
    good = projects.read_text("utf-8")
    projects.write_text(good.replace("681.5307", "68x.5307", 1), "utf-8")
    out = tmp_path / "out"
    params = support.write_params(
        tmp_path / "params.yaml",
        f"fiscal_year: 2021\ndepartments: all\nformats: [html]\ndata_dir: {data}\n",
    )
    with support.captured_output() as captured:
        code = main(["report", str(params), "--output", str(out)])
    assert code == 2, captured.text
    assert "此前生成的报告仍在" not in captured.text  # 乙局 had none
    year = out / "2021"
    html = (year / "overview.html").read_text("utf-8")
    assert "另有 1 个部门数据校验未通过，未纳入本汇总：乙局" in html
    book = load_workbook(year / "年度得分.xlsx", read_only=True)
    rows = list(book["未纳入部门"].iter_rows(values_only=True))
    assert rows[0] == ("部门", "数据校验问题") and rows[1][0] == "乙局"
    assert "68x.5307" in rows[1][1]
    review = load_workbook(year / "复核工作底稿.xlsx", read_only=True)
    assert [r[0] for r in review["未纳入部门"].iter_rows(values_only=True)] == ["部门", "乙局"]

    projects.write_text(good, "utf-8")  # fixed; only that department is run again
    with support.captured_output() as captured:
        code = main(["report", str(params), "--output", str(out), "--department", "乙局"])
    assert code == 0, captured.text
    assert "年度汇总分析 overview.*：已写入" in captured.text
    html = (year / "overview.html").read_text("utf-8")
    assert "未纳入" not in html and '<a href="乙局/report.html">' in html
    book = load_workbook(year / "年度得分.xlsx", read_only=True)
    assert len(list(book["未纳入部门"].iter_rows())) == 1  # the header alone

    projects.write_text(good.replace("681.5307", "68y.5307", 1), "utf-8")  # bad again
    with support.captured_output() as captured:
        code = main(["report", str(params), "--output", str(out), "--department", "乙局"])
    assert code == 2, captured.text
    html = (year / "overview.html").read_text("utf-8")  # refreshed: no stale good scores
    assert "另有 1 个部门数据校验未通过，未纳入本汇总：乙局" in html
    assert (year / "乙局" / "report.html").is_file()  # its last good report stays, and is named
    assert (
        f"此前生成的报告仍在 {year / '乙局' / 'report.html'}，未按现在的数据更新" in captured.text
    )


def test_a_run_of_some_departments_refreshes_only_an_overview_of_its_own_formats(
    tmp_path, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    from helpers.runner import load_run_params, wants_overview

    for name in ("甲局", "乙局"):
        support.copy_seed(tmp_path / "data", department=name)
    out = tmp_path / "out"
    (out / "2021").mkdir(parents=True)

    def wanted(formats: str) -> bool:
        text = (
            f"fiscal_year: 2021\ndepartments: [甲局]\nformats: {formats}\n"
            f"data_dir: {tmp_path / 'data'}\noutput_dir: {out}\n"
        )
        return wants_overview(load_run_params(support.write_params(tmp_path / "p.yaml", text)), [])

    assert not wanted("[html]")  # no overview yet: a run of one department makes none
    (out / "2021" / "overview.html").write_text("earlier", "utf-8")
    assert wanted("[html]")
    assert not wanted("[pdf]")  # would link to report.pdf and drop overview.html
    assert not wanted("[html, pdf]")

    from helpers.runner import stale_overview_note

    def note(formats: str) -> str:
        text = (
            f"fiscal_year: 2021\ndepartments: [甲局]\nformats: {formats}\n"
            f"data_dir: {tmp_path / 'data'}\noutput_dir: {out}\n"
        )
        return stale_overview_note(load_run_params(support.write_params(tmp_path / "p.yaml", text)))

    assert note("[html]") == ""  # refreshed
    assert note("[pdf]").startswith("年度汇总分析未更新：已有的汇总为 HTML，本次只生成 PDF")
