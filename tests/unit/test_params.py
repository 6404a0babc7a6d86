"""helpers.runner.load_run_params: every bad parameters file is one clear error, nothing run."""

from __future__ import annotations

import pytest

from helpers.runner import ParamsError, load_run_params

GOOD = "fiscal_year: 2021\ndepartments: all\n"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (GOOD + "output_dir: 5\n", "output_dir 应为文件夹路径文本"),
        (GOOD + "data_dir: 5\n", "data_dir 应为文件夹路径文本"),
        ("fiscal_year: 2021\ndepartments: null\n", "departments 应为 all 或部门名称列表"),
        ("fiscal_year: 2021\ndepartments: []\n", "departments 应为 all 或部门名称列表"),
        ("fiscal_year: 2021\ndepartments: [1, 2]\n", "departments 应为 all 或部门名称列表"),
        (GOOD + "fiscal_year: 2022\n", "键“fiscal_year”重复"),
        ("fiscal_year: 二〇二一\n", "fiscal_year 应为整数年度"),
        (GOOD + "colour: red\n", "未知参数 colour"),
        (GOOD + "overview: 1\n", "overview 应为 true 或 false"),
        (GOOD + "formats: [odt]\n", "formats 应为"),
        ("fiscal_year: [2021\n", "YAML 格式错误"),
        ("- 2021\n", "应为键值映射"),
        ("fiscal_year: 1999\n", "没有 1999 年度的数据"),
        (GOOD.replace("all", "[不存在的局]"), "没有部门 不存在的局 的数据"),
        ("fiscal_year: '2021'\n", "fiscal_year 应为整数年度"),
        ("fiscal_year: true\n", "fiscal_year 应为整数年度"),
        ("departments: all\n", "fiscal_year 应为整数年度"),
        (GOOD + "workers: 0\n", "workers 应为不小于 1 的整数"),
        (GOOD + "workers: true\n", "workers 应为不小于 1 的整数"),
        (GOOD + "workers: '4'\n", "workers 应为不小于 1 的整数"),
        (GOOD + "workers: 1.5\n", "workers 应为不小于 1 的整数"),
        (GOOD + "scheduler: http://localhost:8786\n", "scheduler 应为 Dask 调度器地址"),
        (GOOD + "scheduler: tcp://localhost\n", "scheduler 应为 Dask 调度器地址"),
        (GOOD + "scheduler: 8786\n", "scheduler 应为 Dask 调度器地址"),
        (GOOD + "scheduler: no-such-scheduler.json\n", "scheduler 应为 Dask 调度器地址"),
        (
            GOOD + "workers: 2\nscheduler: tcp://localhost:8786\n",
            "workers 与 scheduler 只能给出一个",
        ),
        (GOOD + "empty_sections: 3\n", "参数 empty_sections 的值 3 类型不符，应为 str"),
        (GOOD + "empty_sections: true\n", "参数 empty_sections 的值 True 类型不符，应为 str"),
        (
            GOOD + "scoring:\n  low_execution_pct: 150\n",
            "scoring.low_execution_pct 的值 150 超出范围",
        ),
        (GOOD + "scoring:\n  grade_bands: {优: 70, 良: 80}\n", "scoring.grade_bands"),
        ("fiscal_year: 2021\ndepartments: [高新区科技局, 5]\n", "departments[1] 的值 5 不符"),
        (GOOD + "formats: [html, odt]\n", "formats[1] 的值 'odt' 不符：formats 应为"),
    ],
)
def test_bad_parameters_name_the_problem(tmp_path, text, expected):
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ParamsError) as info:
        load_run_params(path)
    assert any(expected in problem for problem in info.value.problems), info.value.problems


@pytest.mark.parametrize(
    "name", ["某某镇.xlsx", "某某镇.xls", "某某中学.docx", "projects.csv", "2022"]
)
def test_a_dataset_given_as_the_parameters_file_says_how_to_run_it(tmp_path, name):
    path = tmp_path / name
    if "." in name:
        path.write_bytes(b"PK\x03\x04\xc7\xeb")  # not text, as a workbook is not
    else:
        path.mkdir()
    with pytest.raises(ParamsError) as info:
        load_run_params(path)
    (problem,) = info.value.problems
    assert problem.startswith(f"{path} 是数据，不是参数文件（.yaml")
    assert "--year <年度> --department <单位名>" in problem and "codec" not in problem


def test_a_parameters_file_not_in_utf8_is_named_so(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_bytes("fiscal_year: 2021\n# 说明\n".encode("gb18030"))
    with pytest.raises(ParamsError) as info:
        load_run_params(path)
    assert info.value.problems == [
        f"{path}: 不是 UTF-8 编码的文本，请另存为 UTF-8 / not UTF-8 text: save it as UTF-8"
    ]


def test_alias_bomb_is_refused_quickly(tmp_path):
    lines = ["a: &a [x, x, x, x, x, x, x, x, x]"]
    lines += [
        f"{chr(98 + i)}: &{chr(98 + i)} [{', '.join(['*' + chr(97 + i)] * 9)}]" for i in range(12)
    ]
    path = tmp_path / "p.yaml"
    path.write_text("\n".join(lines), "utf-8")
    with pytest.raises(ParamsError) as info:
        load_run_params(path)
    assert "别名" in info.value.problems[0]


def test_good_parameters_select_the_departments(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text(GOOD, "utf-8")
    params = load_run_params(path)
    assert params.fiscal_year == 2021
    assert params.departments == ["高新区科技局"]


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("", ""),
        ("bureau:\n", ""),
        ('bureau: ""\n', ""),
        ("bureau: 苇塘县财政局 \n", "苇塘县财政局"),
    ],
)
def test_bureau_may_be_left_blank(tmp_path, line, expected):
    path = tmp_path / "p.yaml"
    path.write_text(f"fiscal_year: 2021\ndepartments: all\n{line}", encoding="utf-8")
    assert load_run_params(path).bureau == expected


def test_bureau_must_be_text(tmp_path):
    path = tmp_path / "p.yaml"
    path.write_text("fiscal_year: 2021\nbureau: [财政局]\n", encoding="utf-8")
    with pytest.raises(ParamsError) as info:
        load_run_params(path)
    assert "bureau" in str(info.value) and "None" not in str(info.value)
