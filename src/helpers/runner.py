"""Run the report notebook for every department of a fiscal year and export HTML and PDF.

``jixiao report params/fy2021.yaml`` (or ``--year 2021``) validates the parameters against the
notebook's own parameters cell, validates every dataset, then for each department executes
``notebooks/report.ipynb`` in-process with papermill (kernel ``jixiao``), keeps the executed
notebook with its parameters, and exports ``report.html`` and ``report.pdf``.

Nothing is half-written: each department renders into a hidden temporary folder that replaces
``reports/<year>/<department>/`` only when complete. A department that fails keeps its previous
report, gets ``report.failed.ipynb`` and ``report.error.txt`` naming the failing cell, and the
other departments still run; the exit code and the summary say which failed.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from helpers import paths

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
FORMATS = ("html", "pdf")
RUNNER_KEYS = ("fiscal_year", "departments", "formats", "output_dir", "data_dir")
SET_BY_RUNNER = ("fiscal_year", "department", "data_dir", "charts_dir")
REPORT_NOTEBOOK = "report.ipynb"
_PY_TYPES = {
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


@dataclass
class DepartmentOutcome:
    """What happened to one department."""

    department: str
    ok: bool
    kind: str = ""  # "", "invalid" (bad data) or "failed" (execution or export)
    message: str = ""
    files: list[Path] = field(default_factory=list)
    seconds: float = 0.0


@dataclass
class RunOutcome:
    """The whole batch."""

    outcomes: list[DepartmentOutcome]

    @property
    def exit_code(self) -> int:
        """0 when all succeeded, 2 when any dataset was invalid, 1 for other failures."""
        if any(o.kind == "invalid" for o in self.outcomes):
            return EXIT_BAD_INPUT
        return EXIT_OK if all(o.ok for o in self.outcomes) else EXIT_FAILED


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
    raw: dict[str, Any] = {}
    source = Path(path) if path else None
    if source is not None:
        if not source.is_file():
            raise ParamsError([f"找不到参数文件 {source} / parameters file not found: {source}"])
        try:
            raw = yaml.safe_load(source.read_text("utf-8")) or {}
        except yaml.YAMLError as exc:
            raise ParamsError([f"{source}: YAML 格式错误 / invalid YAML: {exc}"]) from exc
        if not isinstance(raw, dict):
            raise ParamsError([f"{source}: 应为键值映射 / expected a mapping"])
    elif year is None:
        raise ParamsError(["请给出参数文件或 --year / give a parameters file or --year"])

    notebook = paths.NOTEBOOKS_DIR / REPORT_NOTEBOOK
    declared = notebook_parameters(notebook)
    settable = {k: v for k, v in declared.items() if k not in SET_BY_RUNNER}
    where = f"{source}" if source else "命令行 / command line"
    problems: list[str] = []
    for key in raw:
        if key not in RUNNER_KEYS and key not in settable:
            allowed = ", ".join([*RUNNER_KEYS, *settable])
            problems.append(
                f"{where}: 未知参数 {key}（可用：{allowed}） / unknown parameter {key!r} (allowed: {allowed})"
            )
    for key, spec in settable.items():
        if key in raw:
            problem = _check_type(key, raw[key], spec.get("inferred_type_name", ""))
            if problem:
                problems.append(f"{where}: {problem}")

    fiscal_year = year if year is not None else raw.get("fiscal_year")
    if not isinstance(fiscal_year, int) or isinstance(fiscal_year, bool):
        problems.append(
            f"{where}: fiscal_year 应为整数年度，如 2021 / fiscal_year must be a year such as 2021"
        )
    fmt = formats or raw.get("formats", list(FORMATS))
    if isinstance(fmt, str):
        fmt = [fmt]
    if not isinstance(fmt, list) or not fmt or any(f not in FORMATS for f in fmt):
        problems.append(
            f"{where}: formats 应为 html、pdf 的列表 / formats must be a list of html, pdf"
        )
    out_dir = output_dir or raw.get("output_dir") or str(paths.get_reports_dir())
    data_dir = Path(raw.get("data_dir") or paths.get_data_dir())
    if problems:
        raise ParamsError(problems)

    available = paths.list_departments(fiscal_year, data_dir)
    if not available:
        raise ParamsError(
            [
                f"{data_dir / str(fiscal_year)} 中没有 {fiscal_year} 年度的数据 / no data for fiscal year {fiscal_year}"
            ]
        )
    wanted = departments or raw.get("departments", "all")
    if wanted == "all" or wanted == ["all"]:
        chosen = available
    else:
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
    )


def ensure_kernel() -> None:
    """Register the ``jixiao`` kernel in this environment if set-up has not."""
    from jupyter_client.kernelspec import KernelSpecManager

    if paths.KERNEL_NAME in KernelSpecManager().find_kernel_specs():
        return
    from ipykernel.kernelspec import install

    install(kernel_name=paths.KERNEL_NAME, display_name="Python (jixiao)", prefix=sys.prefix)


def _describe_failure(exc: BaseException, notebook: Path) -> str:
    """A message naming the failing cell, its first line of code and the error."""
    from papermill.exceptions import PapermillExecutionError

    if isinstance(exc, PapermillExecutionError):
        source = ""
        with contextlib.suppress(Exception):
            import nbformat

            nb = nbformat.read(notebook, as_version=4)
            source = nb.cells[exc.cell_index].source.strip().splitlines()[0]
        return (
            f"第 {exc.cell_index + 1} 个单元格（执行序号 {exc.exec_count}，代码：{source}）出错："
            f"{exc.ename}: {exc.evalue} / cell {exc.cell_index + 1} failed: {exc.ename}: {exc.evalue}"
        )
    return f"{type(exc).__name__}: {exc}"


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _publish(staging: Path, final: Path) -> None:
    """Replace ``final`` with ``staging`` in two renames (never a half-written folder)."""
    final.parent.mkdir(parents=True, exist_ok=True)
    old = None
    if final.exists():
        old = final.with_name(f".{final.name}.old-{os.getpid()}")
        final.rename(old)
    staging.rename(final)
    if old is not None:
        shutil.rmtree(old, ignore_errors=True)


def _ipc_kernel_manager_class() -> type:
    """A kernel manager talking to the kernel over local IPC sockets instead of TCP.

    Local sockets keep report contents off the network and spare the kernel's warning about
    unencrypted TCP.
    """
    from jupyter_client.manager import AsyncKernelManager
    from traitlets import default as trait_default

    class IPCKernelManager(AsyncKernelManager):
        @trait_default("transport")
        def _transport_default(self) -> str:
            return "ipc"

    return IPCKernelManager


class _Exporters:
    """nbconvert exporters created once per run (their set-up is not free)."""

    def __init__(self) -> None:
        from helpers.export import ReportHTMLExporter

        self.html = ReportHTMLExporter()


def render_department(
    params: RunParams, department: str, exporters: _Exporters | None = None, step: Any = None
) -> DepartmentOutcome:
    """Validate, execute and export one department's report.

    Args:
        params: the run parameters.
        department: the department to render.
        exporters: shared exporters (created when omitted).
        step: a callable taking a short Chinese description of the current step, for progress.

    Returns:
        The outcome; files are in place only when ``ok`` is True.
    """
    import nbformat
    import papermill

    from helpers.dataset import DatasetError, load_dataset
    from helpers.export import html_to_pdf

    started = time.perf_counter()
    step = step or (lambda _text: None)
    exporters = exporters or _Exporters()
    folder = paths.get_dataset_dir(params.fiscal_year, department, params.data_dir)
    source = folder if folder.exists() else folder.with_suffix(".xlsx")
    step("校验数据")
    try:
        load_dataset(source)
    except DatasetError as exc:
        return DepartmentOutcome(department, False, "invalid", str(exc))

    final = params.output_dir / str(params.fiscal_year) / department
    final.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{department}.partial-", dir=final.parent))
    staging.chmod(0o777 & ~_umask())  # mkdtemp makes it private; reports are for sharing
    executed = staging / REPORT_NOTEBOOK
    try:
        step("执行 notebook")
        papermill.execute_notebook(
            str(params.notebook),
            str(executed),
            parameters={
                **params.notebook_parameters,
                "fiscal_year": params.fiscal_year,
                "department": department,
                "data_dir": str(params.data_dir),
                "charts_dir": "charts",
            },
            kernel_name=paths.KERNEL_NAME,
            cwd=str(staging),
            progress_bar=False,
            log_output=False,
            kernel_manager_class=_ipc_kernel_manager_class(),
        )
        nb = nbformat.read(executed, as_version=4)
        step("导出 HTML")
        document, _ = exporters.html.from_notebook_node(nb)
        if "html" in params.formats:
            (staging / "report.html").write_text(document, "utf-8")
        if "pdf" in params.formats:
            step("导出 PDF")
            html_to_pdf(document, staging / "report.pdf")
    except Exception as exc:  # any failure: keep the evidence, not a half report
        message = _describe_failure(exc, executed)
        final.mkdir(parents=True, exist_ok=True)
        if executed.exists():
            shutil.copyfile(executed, final / "report.failed.ipynb")
        (final / "report.error.txt").write_text(message + "\n", "utf-8")
        shutil.rmtree(staging, ignore_errors=True)
        return DepartmentOutcome(
            department, False, "failed", message, seconds=time.perf_counter() - started
        )
    _publish(staging, final)
    files = sorted(p for p in final.rglob("*") if p.is_file())
    return DepartmentOutcome(department, True, files=files, seconds=time.perf_counter() - started)


def run_reports(params: RunParams, console: Any = None) -> RunOutcome:
    """Render every department of the run, showing progress, and print a summary."""
    from rich.console import Console

    console = console or Console(stderr=True, highlight=False)
    ensure_kernel()
    exporters = _Exporters()
    outcomes: list[DepartmentOutcome] = []
    total = len(params.departments)
    for n, department in enumerate(params.departments, start=1):
        prefix = f"[{n}/{total}] {params.fiscal_year} {department}"

        def step(text: str, prefix: str = prefix) -> None:
            console.print(f"{prefix}：{text}…")

        outcome = render_department(params, department, exporters, step)
        outcomes.append(outcome)
        if outcome.ok:
            report = next((f for f in outcome.files if f.suffix in {".html", ".pdf"}), None)
            console.print(
                f"{prefix}：完成（{outcome.seconds:.1f} 秒）→ {report.parent if report else ''}"
            )
        else:
            console.print(f"[red]{prefix}：失败[/red] — {outcome.message}")
    ok = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    console.print(
        f"共 {total} 个部门：成功 {len(ok)} 个，失败 {len(failed)} 个 / {len(ok)} ok, {len(failed)} failed"
    )
    for o in failed:
        kind = "数据校验失败" if o.kind == "invalid" else "运行失败"
        console.print(f"  - {o.department}：{kind}")
    for o in ok:
        for f in o.files:
            if f.suffix in {".html", ".pdf"}:
                print(f)
    return RunOutcome(outcomes)
