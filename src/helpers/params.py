"""The parameters of a report run: a params file (``params/fy2021.yaml``) and the command line.

One pydantic model checks them: the runner's own keys (:class:`RunnerSettings`: fiscal year,
departments, formats, folders, timeout, overview, Dask workers or scheduler) and one field per
parameter of the notebook's ``parameters`` cell, of the type papermill reads there
(:func:`params_model`). Every problem is named, in Chinese and English, before anything runs.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar, get_args

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    create_model,
    model_validator,
)
from pydantic_core import ErrorDetails, PydanticCustomError

from helpers import paths

Format = Literal["html", "pdf", "docx"]
FORMATS: tuple[Format, ...] = get_args(Format)
DEFAULT_TIMEOUT_S = 600  # seconds for one cell of the notebook, and for one department's PDF
SET_BY_RUNNER = ("fiscal_year", "department", "data_dir", "charts_dir")
REPORT_NOTEBOOK = "report.ipynb"
OVERVIEW = "overview"  # the year's overview: notebooks/overview.ipynb → reports/<year>/overview.*
COMMAND_LINE = "命令行 / command line"
_Specs = dict[str, dict[str, Any]]  # papermill's notebook parameters by name
_PY_TYPES = {kind.__name__: kind for kind in (int, str, bool, float, list, dict)}
"""The notebook parameter types (papermill's ``inferred_type_name``) checked; others are not."""


class ParamsError(Exception):
    """The run parameters are unusable; ``problems`` lists why (Chinese / English)."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("\n".join(problems))


@dataclass
class RunParams:
    """Validated parameters of one batch run (plain data: it pickles, for Dask workers)."""

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
    workers: int | None = None  # local Dask workers to start
    scheduler: str | None = None  # a running Dask scheduler: tcp:// or tls:// address, or file
    shared_path: bool = False  # Dask workers read data_dir and write output_dir themselves
    bureau: str = ""  # who issues the year's overview (its title; 财政局 when empty)


def notebook_parameters(notebook: Path) -> _Specs:
    """The parameters a notebook declares (``papermill.inspect_notebook``)."""
    import papermill

    return papermill.inspect_notebook(str(notebook))


def _as_list(value: Any) -> Any:
    """One name or format (non-blank text) stands for a list of one."""
    return [value] if isinstance(value, str) and value.strip() else value


def _scheduler(value: str) -> str:
    """A ``tcp://`` or ``tls://`` ``host:port`` as given, or an existing JSON file (absolute)."""
    if re.fullmatch(r"(tcp|tls)://(\[[\da-fA-F:.]+\]|[\w.-]+):\d{1,5}", value):
        return value
    file = _under_repo(value)
    if file.suffix == ".json" and file.is_file():
        return str(file)
    raise PydanticCustomError("scheduler", "not a Dask scheduler address or file")


_T = TypeVar("_T")
_Text = Annotated[str, Field(pattern=r"\S")]  # not blank
_Count = Annotated[int, Field(ge=1)]
_OneOrMore = Annotated[list[_T], Field(min_length=1), BeforeValidator(_as_list)]


class RunnerSettings(BaseModel):
    """The runner's own keys of a params file; :func:`params_model` adds the notebook's.

    Types are strict, as YAML gives them: ``true`` is not a number, ``"2021"`` not a year.
    """

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)

    fiscal_year: int
    departments: _OneOrMore[_Text] = ["all"]
    formats: _OneOrMore[Format] = list(FORMATS)
    output_dir: _Text = Field(default_factory=lambda: str(paths.get_reports_dir()))
    data_dir: _Text = Field(default_factory=lambda: str(paths.get_data_dir()))
    timeout_s: _Count = DEFAULT_TIMEOUT_S
    overview: bool = True  # a run over every department of a year also writes its overview
    workers: _Count | None = None  # local Dask workers to start
    scheduler: Annotated[str, AfterValidator(_scheduler)] | None = None  # a running one
    shared_path: bool = False  # Dask workers see data_dir and output_dir at the same paths
    bureau: str | None = None  # who issues the year's overview (its title), e.g. 苇塘县财政局

    @model_validator(mode="after")
    def _one_executor(self) -> RunnerSettings:
        if self.workers is not None and self.scheduler is not None:
            raise ValueError(
                "workers 与 scheduler 只能给出一个：workers 启动本机的 Dask 工作进程，scheduler 连接已在运行的调度器"
                " / give workers or scheduler, not both: workers starts local Dask workers,"
                " scheduler connects to a running one"
            )
        if self.shared_path and self.workers is None and self.scheduler is None:
            raise ValueError(
                "shared_path 只用于 Dask 运行（workers 或 scheduler）：本机运行本就读写本机路径"
                " / shared_path is for Dask runs (workers or scheduler): a local run reads and"
                " writes this machine's paths anyway"
            )
        return self


RUNNER_KEYS = tuple(RunnerSettings.model_fields)
_EXPECTED = {
    "fiscal_year": "应为整数年度，如 2021 / must be a year such as 2021",
    "departments": "应为 all 或部门名称列表（不能为空） / must be all or a non-empty list of department names",
    "formats": "应为 html、pdf、docx 的列表 / must be a list of html, pdf, docx",
    "output_dir": "应为文件夹路径文本，如 reports / must be a folder path",
    "data_dir": "应为文件夹路径文本，如 data / must be a folder path",
    "timeout_s": "应为不小于 1 的整数（秒），如 600 / must be a whole number of seconds, at least 1, such as 600",
    "overview": "应为 true 或 false / must be true or false",
    "shared_path": "应为 true 或 false / must be true or false",
    "bureau": "应为出具年度汇总分析的单位名称文本，如 苇塘县财政局 / must be the issuing bureau's name, such as 苇塘县财政局",
    "workers": "应为不小于 1 的整数（本机 Dask 工作进程数），如 4 / must be a whole number of local Dask workers, at least 1, such as 4",
    "scheduler": "应为 Dask 调度器地址（tcp://主机:端口、tls://主机:端口）或已有的调度器 JSON 文件 / must be a Dask scheduler address (tcp://host:port, tls://host:port) or an existing scheduler JSON file",
}
"""What each runner key must be (Chinese / English)."""


def _scoring(value: Any) -> Any:
    """The ``scoring:`` mapping unchanged, once :meth:`ScoringSettings.parse` accepts it."""
    from helpers.scoring import ScoringSettings, ScoringSettingsError

    try:
        ScoringSettings.parse(value)
    except ScoringSettingsError as exc:  # its problems name scoring.<key> themselves
        raise ValueError("\n".join(exc.problems)) from None
    return value


def params_model(settable: _Specs) -> type[RunnerSettings]:
    """The model of a params file: the runner's keys and the notebook's settable parameters.

    Each notebook parameter is a field (aliased: any name may be a key) of the type papermill
    infers for it (``inferred_type_name``: int, str, bool, float, list or dict; others are not
    checked) or null; ``scoring`` must also pass :meth:`helpers.scoring.ScoringSettings.parse`.
    """
    fields: dict[str, Any] = {}
    for name, spec in settable.items():
        kind: Any = _PY_TYPES.get(spec.get("inferred_type_name", ""), Any)
        if name == "scoring":
            kind = Annotated[kind, AfterValidator(_scoring)]
        if name not in RUNNER_KEYS:
            fields[f"nb_{name}"] = (kind | None, Field(None, alias=name))
    return create_model("ReportParams", __base__=RunnerSettings, **fields)


def _path(loc: tuple[str | int, ...]) -> str:
    """``("departments", 1)`` → ``departments[1]``; ``("scoring", "x")`` → ``scoring.x``."""
    return "".join(f"[{part}]" if isinstance(part, int) else f".{part}" for part in loc)[1:]


def _explain(error: ErrorDetails, settable: _Specs) -> list[str]:
    """One error of the model as Chinese / English sentences naming its key path."""
    loc, kind, value = error["loc"], error["type"], repr(error.get("input"))
    if kind == "value_error":  # our validators' own sentences: scoring, workers with scheduler
        return str(error["msg"]).removeprefix("Value error, ").splitlines()
    key, path = str(loc[0]), _path(loc)
    if kind in ("extra_forbidden", "invalid_key"):
        allowed = ", ".join([*RUNNER_KEYS, *settable])
        return [
            f"未知参数 {key}（可用：{allowed}） / unknown parameter {key!r} (allowed: {allowed})"
        ]
    if key not in RUNNER_KEYS:  # a notebook parameter
        wanted = settable.get(key, {}).get("inferred_type_name")
        return [
            f"参数 {path} 的值 {value} 类型不符，应为 {wanted} / "
            f"parameter {path}: {value} is not of type {wanted}"
        ]
    zh, en = _EXPECTED[key].split(" / ")
    if kind == "missing":
        return [f"{key} {zh} / {key} {en}"]
    if path == key:
        return [f"{key} {zh}，而不是 {value} / {key} {en}, not {value}"]
    return [f"{path} 的值 {value} 不符：{key} {zh} / {path}: {value} does not fit: {key} {en}"]


def _problems(exc: ValidationError, settable: _Specs, where: Callable[[str], str]) -> list[str]:
    """Every error, each line naming where it is (``where(key)``: the file or the command line)."""
    lines = []
    for error in exc.errors():
        if error["loc"]:
            keys = [str(error["loc"][0])]
        else:  # a rule on several keys: the executor's (see RunnerSettings._one_executor)
            keys = ["shared_path"] if "shared_path" in error["msg"] else ["workers", "scheduler"]
        place = "、".join(dict.fromkeys(map(where, keys)))
        lines += [f"{place}: {line}" for line in _explain(error, settable)]
    return lines


_DATA_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".docx", ".csv")  # a dataset given for a params file


def _read_params_file(source: Path) -> dict[str, Any]:
    """The mapping in a parameters file; :class:`ParamsError` when it is missing or unreadable."""
    if source.is_dir() or source.suffix.lower() in _DATA_SUFFIXES:
        raise ParamsError(
            [
                f"{source} 是数据，不是参数文件（.yaml，如 params/fy2021.yaml）；要为一个单位生成报告，"
                "请把数据放在 data/<年度>/ 下，运行 jixiao report --year <年度> --department <单位名> / "
                f"{source} is data, not a parameters file (.yaml): put it under data/<year>/ and "
                "run jixiao report --year <year> --department <name>"
            ]
        )
    if not source.is_file():
        raise ParamsError([f"找不到参数文件 {source} / parameters file not found: {source}"])
    from helpers.readers.safeyaml import YamlProblem, load_yaml_text

    try:
        raw = load_yaml_text(source.read_text("utf-8")) or {}
    except UnicodeDecodeError as exc:
        raise ParamsError(
            [f"{source}: 不是 UTF-8 编码的文本，请另存为 UTF-8 / not UTF-8 text: save it as UTF-8"]
        ) from exc
    except YamlProblem as exc:
        line = f" 第 {exc.line} 行" if exc.line else ""
        raise ParamsError([f"{source}{line}: {exc}"]) from exc
    if not isinstance(raw, dict):
        raise ParamsError([f"{source}: 应为键值映射 / expected a mapping"])
    return raw


def _choose_departments(wanted: list[str], available: list[str], fiscal_year: int) -> list[str]:
    """The departments asked for (``all`` for every one with data); all must have data."""
    if wanted == ["all"]:
        return available
    unknown = [d for d in wanted if d not in available]
    if unknown:
        raise ParamsError(
            [
                f"{fiscal_year} 年度没有部门 {d} 的数据（现有：{'、'.join(available)}） / "
                f"no data for department {d!r} in {fiscal_year}"
                for d in unknown
            ]
        )
    return wanted


def _under_repo(folder: str) -> Path:
    """A folder of the params file or command line; a relative one is under the project."""
    path = Path(folder)
    return path if path.is_absolute() else paths.REPO_ROOT / path


def load_run_params(
    path: str | Path | None,
    *,
    year: int | None = None,
    departments: list[str] | None = None,
    formats: list[str] | None = None,
    output_dir: str | None = None,
    workers: int | None = None,
    scheduler: str | None = None,
    data_dir: str | None = None,
    shared_path: bool | None = None,
) -> RunParams:
    """Read and validate a parameters file (and command-line overrides).

    A command-line value replaces the file's (``--workers`` or ``--scheduler`` replaces the
    file's executor, whichever it set); the result is checked as a whole.

    Args:
        path: a YAML file such as ``params/fy2021.yaml``, or None to use only the overrides.
        year: fiscal year override.
        departments: department override (names of ``data/<year>/`` entries).
        formats: ``html``, ``pdf`` and/or ``docx``.
        output_dir: output folder override.
        workers: number of local Dask workers (``--workers``).
        scheduler: a Dask scheduler address or scheduler JSON file (``--scheduler``).
        data_dir: data root override (``--data-dir``).
        shared_path: Dask workers read the data and write the reports in place
            (``--shared-path``).

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
    overrides = {
        "fiscal_year": year,
        "departments": departments,
        "formats": formats,
        "output_dir": output_dir,
        "workers": workers,
        "scheduler": scheduler,
        "data_dir": data_dir,
        "shared_path": shared_path,
    }
    given = {k: v for k, v in overrides.items() if v is not None and v != [] and v != ""}
    # Choosing the executor on the command line replaces the file's choice, whichever it was.
    for chosen, other in (("workers", "scheduler"), ("scheduler", "workers")):
        if chosen in given and other not in given:
            raw.pop(other, None)

    def where(key: str) -> str:  # of a problem: the params file, or the command line's override
        return COMMAND_LINE if source is None or key in given else str(source)

    notebook = paths.NOTEBOOKS_DIR / REPORT_NOTEBOOK
    declared = notebook_parameters(notebook)
    settable = {k: v for k, v in declared.items() if k not in SET_BY_RUNNER}
    try:
        checked = params_model(settable).model_validate({**raw, **given})
    except ValidationError as exc:
        raise ParamsError(_problems(exc, settable, where)) from None

    data_root = _under_repo(checked.data_dir)
    available = paths.list_departments(checked.fiscal_year, data_root)
    if not available:
        raise ParamsError(
            [
                f"{data_root / str(checked.fiscal_year)} 中没有 {checked.fiscal_year} 年度的数据 / "
                f"no data for fiscal year {checked.fiscal_year}"
            ]
        )
    values = checked.model_dump(by_alias=True)
    return RunParams(
        fiscal_year=checked.fiscal_year,
        departments=_choose_departments(checked.departments, available, checked.fiscal_year),
        formats=list(dict.fromkeys(checked.formats)),
        output_dir=_under_repo(checked.output_dir),
        data_dir=data_root,
        notebook=notebook,
        notebook_parameters={k: values[k] for k in settable if k in raw},
        source=source,
        timeout_s=checked.timeout_s,
        overview=checked.overview,
        workers=checked.workers,
        scheduler=checked.scheduler,
        shared_path=checked.shared_path,
        bureau=(checked.bureau or "").strip(),  # `bureau:` left blank: 财政局
    )
