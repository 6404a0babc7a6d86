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
    ],
)
def test_bad_parameters_name_the_problem(tmp_path, text, expected):
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    with pytest.raises(ParamsError) as info:
        load_run_params(path)
    assert any(expected in problem for problem in info.value.problems), info.value.problems


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
