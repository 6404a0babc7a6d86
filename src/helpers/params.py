"""The parameters of a report run: a params file (``params/fy2021.yaml``) and the command line.

The runner's own keys (fiscal year, departments, formats, folders, timeout, overview) and the
notebook's parameters (read from its ``parameters`` cell by papermill) are checked together;
every problem is named, in Chinese and English, before anything runs.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import paths

FORMATS = ("html", "pdf", "docx")
RUNNER_KEYS = (
    "fiscal_year",
    "departments",
    "formats",
    "output_dir",
    "data_dir",
    "timeout_s",
    "overview",
)
DEFAULT_TIMEOUT_S = 600  # seconds for one cell of the notebook, and for one department's PDF
SET_BY_RUNNER = ("fiscal_year", "department", "data_dir", "charts_dir")
REPORT_NOTEBOOK = "report.ipynb"
OVERVIEW = "overview"  # the year's overview: notebooks/overview.ipynb → reports/<year>/overview.*
_PY_TYPES: dict[str, type | tuple[type, ...]] = {
    "int": int,
    "str": str,
    "bool": bool,
    "float": (int, float),
    "list": list,
    "dict": dict,
}


class ParamsError(Exception):
    """The run parameters are unusable; ``problems`` lists why (Chinese / English)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class RunParams:
    """Validated parameters of one batch run."""

    fiscal_year: int
    departments: list[str]
    formats: list[str]
    output_dir: Path
    data_dir: Path
    notebook: Path
    notebook_parameters: dict[str, Any] = field(default_factory=dict)
    source: Path | None = None
    timeout_s: int = DEFAULT_TIMEOUT_S
    overview: bool = True  # a run over every department of a year also writes its overview


def notebook_parameters(notebook: Path) -> dict[str, dict[str, Any]]:
    """The parameters a notebook declares (``papermill.inspect_notebook``)."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def _check_type(key: str, value: Any, type_name: str) -> str | None:
    expected = _PY_TYPES.get(type_name)
    if expected is None or value is None:
        return None
    is_bool_for_number = isinstance(value, bool) and type_name != "bool"
    if isinstance(value, expected) and not is_bool_for_number:
        return None
    return (
        f"参数 {key} 的值 {value!r} 类型不符，应为 {type_name} / "
        f"parameter {key}: {value!r} is not of type {type_name}"
    )


def _read_params_file(source: Path) -> dict[str, Any]:
    """The mapping in a parameters file; :class:`ParamsError` when it is missing or unreadable."""
    if not source.is_file():
        raise ParamsError([f"找不到参数文件 {source} / parameters file not found: {source}"])
    from helpers.readers.safeyaml import YamlProblem, load_yaml_text

    try:
        raw = load_yaml_text(source.read_text("utf-8")) or {}
    except (YamlProblem, UnicodeDecodeError) as exc:
        line = f" 第 {exc.line} 行" if isinstance(exc, YamlProblem) and exc.line else ""
        raise ParamsError([f"{source}{line}: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ParamsError([f"{source}: 应为键值映射 / expected a mapping"])
    return raw


def _key_problems(raw: dict[str, Any], settable: dict[str, dict[str, Any]]) -> list[str]:
    """Unknown keys, and notebook parameters of the wrong type."""
    problems: list[str] = []
    for key in raw:
        if key not in RUNNER_KEYS and key not in settable:
            allowed = ", ".join([*RUNNER_KEYS, *settable])
            problems.append(
                f"未知参数 {key}（可用：{allowed}） / unknown parameter {key!r} (allowed: {allowed})"
            )
    for key, spec in settable.items():
        if key in raw:
            problem = _check_type(key, raw[key], spec.get("inferred_type_name", ""))
            if problem:
                problems.append(problem)
    return problems


def _scoring_problems(raw: dict[str, Any], settable: dict[str, dict[str, Any]]) -> list[str]:
    """What is wrong with the ``scoring:`` settings (unknown keys, wrong values), if given."""
    if "scoring" not in raw or "scoring" not in settable or not isinstance(raw["scoring"], dict):
        return []  # absent, or not a mapping (then its type is the problem already named)
    from helpers.scoring import ScoringSettings, ScoringSettingsError

    try:
        ScoringSettings.parse(raw["scoring"])
    except ScoringSettingsError as exc:
        return exc.problems
    return []


def _fiscal_year(year: int | None, raw: dict[str, Any]) -> int | None:
    """The fiscal year (the override first), or None when it is not a whole number."""
    value = year if year is not None else raw.get("fiscal_year")
    if not isinstance(value, int) or isinstance(value, bool):
        return None
    return value


def _is_positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


def _is_department_choice(value: Any) -> bool:
    """``all``, a department name or a non-empty list of names."""
    if isinstance(value, str):
        return bool(value.strip())
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(d, str) and d.strip() for d in value)
    )


def _formats_problem(fmt: Any) -> str | None:
    if not isinstance(fmt, list) or not fmt or any(f not in FORMATS for f in fmt):
        return "formats 应为 html、pdf、docx 的列表 / formats must be a list of html, pdf, docx"
    return None


def _setting_problems(
    raw: dict[str, Any], fiscal_year: int | None, fmt: Any, departments: list[str] | None
) -> list[str]:
    """Problems with the runner's own settings (fiscal year, formats, folders, timeout, departments)."""
    problems: list[str] = []
    if fiscal_year is None:
        problems.append(
            "fiscal_year 应为整数年度，如 2021 / fiscal_year must be a year such as 2021"
        )
    formats_problem = _formats_problem(fmt)
    if formats_problem:
        problems.append(formats_problem)
    for key in ("output_dir", "data_dir"):
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            problems.append(f"{key} 应为文件夹路径文本，如 reports / {key} must be a folder path")
    if not _is_positive_int(raw.get("timeout_s", DEFAULT_TIMEOUT_S)):
        problems.append(
            "timeout_s 应为不小于 1 的整数（秒），如 600 / "
            "timeout_s must be a whole number of seconds, at least 1, such as 600"
        )
    if not isinstance(raw.get("overview", True), bool):
        problems.append("overview 应为 true 或 false / overview must be true or false")
    if departments is None and not _is_department_choice(raw.get("departments", "all")):
        problems.append(
            "departments 应为 all 或部门名称列表（不能为空） / "
            "departments must be all or a non-empty list of department names"
        )
    return problems


def _choose_departments(wanted: Any, available: list[str], fiscal_year: int) -> list[str]:
    """The departments asked for (``all`` for every one with data); all must have data."""
    if wanted == "all" or wanted == ["all"]:
        return available
    chosen = [wanted] if isinstance(wanted, str) else list(wanted)
    unknown = [d for d in chosen if d not in available]
    if unknown:
        raise ParamsError(
            [
                f"{fiscal_year} 年度没有部门 {d} 的数据（现有：{'、'.join(available)}） / "
                f"no data for department {d!r} in {fiscal_year}"
                for d in unknown
            ]
        )
    return chosen


def load_run_params(
    path: str | Path | None,
    *,
    year: int | None = None,
    departments: list[str] | None = None,
    formats: list[str] | None = None,
    output_dir: str | None = None,
) -> RunParams:
    """Read and validate a parameters file (and command-line overrides).

    Args:
        path: a YAML file such as ``params/fy2021.yaml``, or None to use only the overrides.
        year: fiscal year override.
        departments: department override (names of ``data/<year>/`` entries).
        formats: ``html`` and/or ``pdf``.
        output_dir: output folder override.

    Returns:
        The validated :class:`RunParams`.

    Raises:
        ParamsError: for a missing file, an unknown or mistyped key, or a year or department
            without data. Nothing has been written when it is raised.
    """
    source = Path(path) if path else None
    if source is None and year is None:
        raise ParamsError(["请给出参数文件或 --year / give a parameters file or --year"])
    raw: dict[str, Any] = _read_params_file(source) if source is not None else {}

    notebook = paths.NOTEBOOKS_DIR / REPORT_NOTEBOOK
    declared = notebook_parameters(notebook)
    settable = {k: v for k, v in declared.items() if k not in SET_BY_RUNNER}
    where = f"{source}" if source else "命令行 / command line"
    fiscal_year = _fiscal_year(year, raw)
    fmt = formats or raw.get("formats", list(FORMATS))
    if isinstance(fmt, str):
        fmt = [fmt]
    problems = [
        f"{where}: {problem}"
        for problem in (
            *_key_problems(raw, settable),
            *_scoring_problems(raw, settable),
            *_setting_problems(raw, fiscal_year, fmt, departments),
        )
    ]
    if problems or fiscal_year is None:  # a bad fiscal year is always among the problems
        raise ParamsError(problems)
    out_dir = output_dir or raw.get("output_dir") or str(paths.get_reports_dir())
    data_dir = Path(raw.get("data_dir") or paths.get_data_dir())

    available = paths.list_departments(fiscal_year, data_dir)
    if not available:
        raise ParamsError(
            [
                f"{data_dir / str(fiscal_year)} 中没有 {fiscal_year} 年度的数据 / no data for fiscal year {fiscal_year}"
            ]
        )
    chosen = _choose_departments(
        departments or raw.get("departments", "all"), available, fiscal_year
    )
    base = Path(out_dir)
    return RunParams(
        fiscal_year=fiscal_year,
        departments=chosen,
        formats=list(dict.fromkeys(fmt)),
        output_dir=base if base.is_absolute() else paths.REPO_ROOT / base,
        data_dir=data_dir if data_dir.is_absolute() else paths.REPO_ROOT / data_dir,
        notebook=notebook,
        notebook_parameters={k: raw[k] for k in settable if k in raw},
        source=source,
        timeout_s=raw.get("timeout_s", DEFAULT_TIMEOUT_S),
        overview=raw.get("overview", True),
    )
