"""helpers.convert and helpers.writers: both ways between the standard form and our layouts."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from helpers.convert import ConvertError, plan_conversion, write_conversion
from helpers.dataset import load_dataset
from helpers.scoring import score_dataset

from .formbuilder import sample_project, write_form_xlsx


def _scores(path: Path) -> list[float]:
    return score_dataset(load_dataset(path)).indicators["score"].tolist()


def test_folder_to_form_and_back_keeps_every_score(seed_dataset, seed_result, tmp_path):
    plan = plan_conversion(tmp_path / "seed", str(tmp_path / "form.xlsx"), form=True)
    target = write_conversion(seed_dataset, seed_result, plan, force=False)
    back = score_dataset(load_dataset(target))
    assert back.indicators["score"].tolist() == pytest.approx(
        seed_result.indicators["score"].tolist(), nan_ok=True
    )
    assert back.projects["stated_score"].tolist() == pytest.approx(
        seed_result.projects["score"].tolist(), nan_ok=True
    )
    sheet = openpyxl.load_workbook(target).worksheets[0]
    assert sheet["A1"].value == "项目支出绩效自评表"
    assert sheet.merged_cells.ranges  # merged like the printed form
    assert sheet.page_setup.orientation == "landscape"
    assert sheet["A3"].font.name == "宋体"


def test_form_to_folder_to_workbook(tmp_path):
    form = write_form_xlsx(tmp_path / "自评表.xlsx", [sample_project(), sample_project(name="二")])
    dataset = load_dataset(form)
    result = score_dataset(dataset)
    folder = write_conversion(dataset, result, plan_conversion(form, None, form=False), force=False)
    assert folder == tmp_path / "自评表"
    assert _scores(folder) == _scores(form)
    workbook = write_conversion(
        load_dataset(folder),
        result,
        plan_conversion(folder, str(tmp_path / "w.xlsx"), form=False),
        force=False,
    )
    assert _scores(workbook) == _scores(form)


def test_formula_like_text_is_written_as_text(tmp_path, seed_dataset, seed_result):
    dataset = seed_dataset
    result = seed_result
    result.projects.loc[0, "name"] = '=HYPERLINK("http://x","y")'
    try:
        target = write_conversion(
            dataset,
            result,
            plan_conversion(tmp_path, str(tmp_path / "f.xlsx"), form=True),
            force=False,
        )
    finally:
        result.projects.loc[0, "name"] = dataset.projects.loc[0, "name"]
    cell = openpyxl.load_workbook(target).worksheets[0]["C3"]
    assert cell.value == '=HYPERLINK("http://x","y")'
    assert cell.data_type == "s"


@pytest.mark.parametrize("output", ["out.csv", "out.xls", "out.docx"])
def test_wrong_output_suffix_is_refused(tmp_path, output):
    with pytest.raises(ConvertError, match="xlsx"):
        plan_conversion(tmp_path / "seed", str(tmp_path / output), form=False)


def test_existing_target_needs_force_and_nothing_is_left_behind(
    seed_dataset, seed_result, tmp_path
):
    target = tmp_path / "w.xlsx"
    target.write_bytes(b"old")
    plan = plan_conversion(tmp_path / "seed", str(target), form=False)
    with pytest.raises(ConvertError, match="--force"):
        write_conversion(seed_dataset, seed_result, plan, force=False)
    assert target.read_bytes() == b"old"
    write_conversion(seed_dataset, seed_result, plan, force=True)
    assert load_dataset(target).projects.shape[0] == 20
    assert sorted(p.name for p in tmp_path.iterdir()) == ["w.xlsx"]


def test_cli_convert_form_to_folder_and_refuses_a_csv_target(tmp_path, capsys):
    from helpers.cli import main

    form = write_form_xlsx(tmp_path / "自评表.xlsx", [sample_project()])
    assert main(["convert", str(form)]) == 0
    assert (tmp_path / "自评表" / "indicators.csv").is_file()
    assert main(["convert", str(form), "-o", str(tmp_path / "x.csv")]) == 2
    assert "xlsx" in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
    assert (
        main(["convert", str(tmp_path / "自评表"), "--form", "-o", str(tmp_path / "f.xlsx")]) == 0
    )
    assert _scores(tmp_path / "f.xlsx") == _scores(form)


def test_form_names_the_units(seed_dataset, seed_result, tmp_path):
    plan = plan_conversion(tmp_path / "seed", str(tmp_path / "form.xlsx"), form=True)
    sheet = openpyxl.load_workbook(
        write_conversion(seed_dataset, seed_result, plan, force=False)
    ).worksheets[0]
    assert sheet["C4"].value == "高新区科技局"  # 主管部门, from the dataset when no column says
    assert sheet["G4"].value == "高新区科技局"  # 实施单位


def test_the_total_row_shows_the_points_the_printed_weights_give(tmp_path):
    """A form whose printed 分值 add up to 70 (+ 10 execution): its 总分 row says 80, as the
    narrative's 满分80分 does, in the written form and in the report's 自评表."""
    from helpers.narrative import points_available
    from helpers.report import Report
    from helpers.scoring import score_dataset
    from helpers.writers.form import write_form_workbook

    from .formbuilder import sample_project, write_form_xlsx

    project = sample_project()
    project.indicators[0].weight = 10  # 培训人次 20 → 10
    project.indicators[0].score = 10
    project.indicators[4].weight = project.indicators[4].score = 20  # 效益 30 → 20
    dataset = load_dataset(write_form_xlsx(tmp_path / "自评表.xlsx", [project]))
    result = score_dataset(dataset)
    row = result.projects.iloc[0]
    assert points_available(row, result.indicators) == 80.0
    book = openpyxl.load_workbook(write_form_workbook(dataset, result, tmp_path / "out.xlsx"))
    totals = [r for r in book.active.iter_rows(values_only=True) if r and r[0] == "总分"]
    assert totals[0][6] == 80
    table = Report(dataset, result)._form_indicator_table(row, result.indicators)
    assert [c.text for c in table.foot[0]][:2] == ["总分", "80"]
