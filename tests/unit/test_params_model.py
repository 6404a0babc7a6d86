"""helpers.params: the pydantic model of a params file, its new keys and its error sentences."""

from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

from helpers import params, paths
from helpers.params import COMMAND_LINE, ParamsError, load_run_params

GOOD = "fiscal_year: 2021\ndepartments: all\n"


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "p.yaml"
    path.write_text(text, "utf-8")
    return path


def _problems(path: Path | None, **overrides) -> list[str]:  # type: ignore[no-untyped-def]
    with pytest.raises(ParamsError) as info:
        load_run_params(path, **overrides)
    return info.value.problems


# -- workers and scheduler


def test_workers_and_scheduler_default_to_none(tmp_path: Path) -> None:
    run = load_run_params(_write(tmp_path, GOOD))
    assert (run.workers, run.scheduler) == (None, None)


def test_workers_is_read(tmp_path: Path) -> None:
    assert load_run_params(_write(tmp_path, GOOD + "workers: 4\n")).workers == 4


@pytest.mark.parametrize(
    "address", ["tcp://127.0.0.1:8786", "tls://scheduler.example.org:8786", "tcp://[::1]:8786"]
)
def test_a_scheduler_address_is_kept(tmp_path: Path, address: str) -> None:
    assert (
        load_run_params(_write(tmp_path, GOOD + f"scheduler: '{address}'\n")).scheduler == address
    )


def test_a_scheduler_file_must_exist(tmp_path: Path) -> None:
    file = tmp_path / "scheduler.json"
    path = _write(tmp_path, GOOD + f"scheduler: {file}\n")
    assert any("scheduler 应为" in p and str(file) in p for p in _problems(path))
    file.write_text('{"address": "tcp://127.0.0.1:8786"}', "utf-8")
    assert load_run_params(path).scheduler == str(file)


def test_a_relative_scheduler_file_is_under_the_project(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    (tmp_path / "cluster").mkdir()
    (tmp_path / "cluster" / "scheduler.json").write_text("{}", "utf-8")
    monkeypatch.setattr(paths, "REPO_ROOT", tmp_path)
    checked = params.params_model({}).model_validate(
        {"fiscal_year": 2021, "scheduler": "cluster/scheduler.json"}
    )
    assert checked.scheduler == str(tmp_path / "cluster" / "scheduler.json")


def test_workers_with_scheduler_in_one_file_is_an_error(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "workers: 2\nscheduler: tcp://127.0.0.1:8786\n")
    problems = _problems(path)
    assert problems == [f"{path}: {problems[0].split(': ', 1)[1]}"]
    assert "workers 与 scheduler 只能给出一个" in problems[0]
    assert "give workers or scheduler, not both" in problems[0]


def test_shared_path_is_read_with_a_dask_executor(tmp_path: Path) -> None:
    assert load_run_params(_write(tmp_path, GOOD)).shared_path is False
    assert load_run_params(_write(tmp_path, GOOD + "workers: 2\nshared_path: true\n")).shared_path
    assert load_run_params(_write(tmp_path, GOOD + "workers: 2\n"), shared_path=True).shared_path


def test_shared_path_without_dask_is_an_error_naming_where(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "shared_path: true\n")
    problems = _problems(path)
    assert problems[0].startswith(f"{path}: shared_path 只用于 Dask 运行")
    assert "shared_path is for Dask runs" in problems[0]
    problems = _problems(None, year=2021, shared_path=True)
    assert problems[0].startswith(f"{COMMAND_LINE}: shared_path 只用于 Dask 运行")
    problems = _problems(_write(tmp_path, GOOD + "workers: 2\nshared_path: 1\n"))
    assert problems == [
        f"{path}: shared_path 应为 true 或 false，而不是 1 / shared_path must be true or false, not 1"
    ]


def test_the_command_line_replaces_the_file_s_value(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "workers: 2\n")
    assert load_run_params(path, workers=8).workers == 8
    path = _write(tmp_path, GOOD + "scheduler: tcp://a:1\n")
    assert load_run_params(path, scheduler="tls://b:2").scheduler == "tls://b:2"


def test_the_command_line_executor_replaces_the_files(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "workers: 2\n")
    run = load_run_params(path, scheduler="tcp://127.0.0.1:8786")
    assert (run.workers, run.scheduler) == (None, "tcp://127.0.0.1:8786")
    path = _write(tmp_path, GOOD + "scheduler: tcp://127.0.0.1:8786\n")
    run = load_run_params(path, workers=3)
    assert (run.workers, run.scheduler) == (3, None)
    path = _write(tmp_path, GOOD + "workers: 2\nscheduler: tcp://127.0.0.1:8786\n")
    problems = _problems(path)
    assert problems[0].startswith(f"{path}: workers 与 scheduler 只能给出一个")
    problems = _problems(None, year=2021, workers=2, scheduler="tcp://127.0.0.1:8786")
    assert problems[0].startswith(f"{COMMAND_LINE}: workers 与 scheduler")


def test_a_bad_command_line_value_names_the_command_line(tmp_path: Path) -> None:
    path = _write(tmp_path, GOOD + "timeout_s: 0\n")
    problems = _problems(path, workers=0)
    assert any(
        p.startswith(
            f"{COMMAND_LINE}: workers 应为不小于 1 的整数（本机 Dask 工作进程数），如 4，而不是 0"
        )
        for p in problems
    )
    assert any(p.startswith(f"{path}: timeout_s 应为不小于 1 的整数") for p in problems)


def test_run_params_pickle_with_the_new_fields(tmp_path: Path) -> None:
    run = load_run_params(_write(tmp_path, GOOD + "workers: 3\nscoring: {low_execution_pct: 85}\n"))
    again = pickle.loads(pickle.dumps(run))
    assert again == run and again.workers == 3
    assert again.notebook_parameters == {"scoring": {"low_execution_pct": 85}}


# -- the notebook's parameters


def test_the_notebook_s_parameters_are_settable_with_their_types(tmp_path: Path) -> None:
    run = load_run_params(_write(tmp_path, GOOD + "empty_sections: omit\n"))
    assert run.notebook_parameters == {"empty_sections": "omit"}
    problems = _problems(_write(tmp_path, GOOD + "empty_sections: [omit]\n"))
    assert problems == [
        f"{tmp_path / 'p.yaml'}: 参数 empty_sections 的值 ['omit'] 类型不符，应为 str / "
        "parameter empty_sections: ['omit'] is not of type str"
    ]


@pytest.mark.parametrize("key", ["department", "charts_dir"])
def test_parameters_the_runner_sets_are_unknown_keys(tmp_path: Path, key: str) -> None:
    assert any(f"未知参数 {key}" in p for p in _problems(_write(tmp_path, GOOD + f"{key}: x\n")))


def _notebook_with(tmp_path: Path, line: str) -> Path:
    """A copy of notebooks/report.ipynb whose parameters cell ends with ``line``."""
    notebook = json.loads((paths.NOTEBOOKS_DIR / "report.ipynb").read_text("utf-8"))
    cell = next(c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", []))
    source = "".join(cell["source"]).rstrip("\n")
    cell["source"] = source + "\n" + line + "\n"
    folder = tmp_path / "notebooks"
    folder.mkdir()
    (folder / "report.ipynb").write_text(json.dumps(notebook, ensure_ascii=False), "utf-8")
    return folder


def test_a_parameter_added_to_the_notebook_becomes_settable(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    path = _write(tmp_path, GOOD + "chart_dpi: 300\n")
    assert any("未知参数 chart_dpi" in p for p in _problems(path))  # not declared yet

    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", _notebook_with(tmp_path, "chart_dpi: int = 150"))
    run = load_run_params(path)
    assert run.notebook_parameters == {"chart_dpi": 300}
    assert run.notebook == tmp_path / "notebooks" / "report.ipynb"
    problems = _problems(_write(tmp_path, GOOD + "chart_dpi: high\n"))
    assert any("参数 chart_dpi 的值 'high' 类型不符，应为 int" in p for p in problems), problems
    problems = _problems(_write(tmp_path, GOOD + "colour: red\n"))
    assert any("（可用：" in p and "chart_dpi" in p for p in problems), problems


@pytest.mark.parametrize(
    ("type_name", "good", "bad"),
    [
        ("float", [1, 2.5, None], [True, "1.5"]),
        ("int", [3, None], [True, 3.0, "3"]),
        ("bool", [True, False], [1, "yes"]),
        ("list", [[1, "a"]], ["a", {"a": 1}]),
        ("dict", [{"a": 1}], [["a"], "a"]),
        ("None", [1, "a", [1]], []),  # a type papermill cannot infer is not checked
    ],
)
def test_the_notebook_s_types_are_enforced_strictly(type_name, good, bad) -> None:  # type: ignore[no-untyped-def]
    model = params.params_model({"x": {"inferred_type_name": type_name}})
    for value in good:
        assert (
            model.model_validate({"fiscal_year": 2021, "x": value}).model_dump(by_alias=True)["x"]
            == value
        )
    for value in bad:
        with pytest.raises(params.ValidationError):
            model.model_validate({"fiscal_year": 2021, "x": value})


def test_a_notebook_parameter_may_have_any_name() -> None:
    model = params.params_model(
        {name: {"inferred_type_name": "int"} for name in ("model_config", "_private", "json")}
    )
    checked = model.model_validate({"fiscal_year": 2021, "model_config": 1, "_private": 2})
    assert checked.model_dump(by_alias=True, exclude_unset=True) == {
        "fiscal_year": 2021,
        "model_config": 1,
        "_private": 2,
    }


# -- the error sentences


BAD = (
    "fiscal_year: 2021\n"
    "departments: [高新区科技局, '', 7]\n"
    "formats: pdf\n"
    "overview: 'no'\n"
    "empty_sections: 3\n"
    "scoring:\n  low_execution_pct: 九十\n  low_execution: 85\n"
    "colour: red\n"
)


def test_every_problem_is_one_bilingual_line_naming_file_and_key(tmp_path: Path) -> None:
    path = _write(tmp_path, BAD)
    problems = _problems(path)
    keys = ["departments[1]", "departments[2]", "overview", "empty_sections", "scoring.low_execution_pct", "scoring.low_execution", "colour"]  # fmt: skip
    assert len(problems) == len(keys), problems
    for key in keys:
        assert any(key in p for p in problems), key
    for problem in problems:
        assert problem.startswith(f"{path}: ")
        chinese, _, english = problem.partition(" / ")
        assert english and any("\u4e00" <= c <= "\u9fff" for c in chinese), problem
        assert "Input should" not in problem and "Value error" not in problem
        assert "\n" not in problem and "nb_" not in problem


def test_problems_without_a_file_name_the_command_line() -> None:
    problems = _problems(None, year=2021, formats=["odt"])
    assert problems == [
        f"{COMMAND_LINE}: formats[0] 的值 'odt' 不符：formats 应为 html、pdf、docx 的列表 / "
        "formats[0]: 'odt' does not fit: formats must be a list of html, pdf, docx"
    ]


def test_a_single_department_or_format_is_a_list_of_one(tmp_path: Path) -> None:
    run = load_run_params(
        _write(tmp_path, "fiscal_year: 2021\ndepartments: 高新区科技局\nformats: pdf\n")
    )
    assert (run.departments, run.formats) == (["高新区科技局"], ["pdf"])


def test_the_annotated_example_s_executor_lines_are_valid(tmp_path: Path) -> None:
    example = Path(__file__).parents[2] / "params" / "example_fy2022.yaml"
    lines = example.read_text("utf-8").splitlines()
    for key in ("workers", "scheduler"):
        line = next(line[2:] for line in lines if line.startswith(f"# {key}:"))
        run = load_run_params(_write(tmp_path, GOOD + line + "\n"))
        assert getattr(run, key) is not None
    shared = next(line[2:] for line in lines if line.startswith("# shared_path:"))
    assert load_run_params(_write(tmp_path, GOOD + "workers: 2\n" + shared + "\n")).shared_path
