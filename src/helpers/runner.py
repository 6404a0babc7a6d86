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
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
        from helpers.readers.safeyaml import YamlProblem, load_yaml_text

        try:
            raw = load_yaml_text(source.read_text("utf-8")) or {}
        except (YamlProblem, UnicodeDecodeError) as exc:
            line = f" 第 {exc.line} 行" if isinstance(exc, YamlProblem) and exc.line else ""
            raise ParamsError([f"{source}{line}: {exc}"]) from exc
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
    for key in ("output_dir", "data_dir"):
        if key in raw and not (isinstance(raw[key], str) and raw[key].strip()):
            problems.append(
                f"{where}: {key} 应为文件夹路径文本，如 reports / {key} must be a folder path"
            )
    wanted_raw = raw.get("departments", "all")
    if departments is None and not (
        (isinstance(wanted_raw, str) and wanted_raw.strip())
        or (
            isinstance(wanted_raw, list)
            and wanted_raw
            and all(isinstance(d, str) and d.strip() for d in wanted_raw)
        )
    ):
        problems.append(
            f"{where}: departments 应为 all 或部门名称列表（不能为空） / "
            "departments must be all or a non-empty list of department names"
        )
    if problems:
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
            # Not nb.cells[exc.cell_index]: the saved notebook has papermill's error cells.
            failing = next(c for c in nb.cells if c.get("execution_count") == exc.exec_count)
            source = failing.source.strip().splitlines()[0]
        return (
            f"第 {exc.cell_index + 1} 个单元格（执行序号 {exc.exec_count}，代码：{source}）出错："
            f"{exc.ename}: {exc.evalue} / cell {exc.cell_index + 1} failed: {exc.ename}: {exc.evalue}"
        )
    return f"{type(exc).__name__}: {exc}"


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

        @trait_default("ip")
        def _ip_default(self) -> str:
            # An absolute socket path: the kernel runs in the report's folder, the client here.
            return str(Path(tempfile.gettempdir()) / f"jixiao-kernel-{uuid.uuid4().hex[:12]}")

    return IPCKernelManager


WARM_UP_CODE = (
    "import helpers.report, helpers.explore, helpers.fonts\n"
    "helpers.fonts.configure_charts()  # jixiao: warm-up before the parameters arrive"
)


class WarmKernel:
    """A ``jixiao`` kernel started ahead of time, with the report's imports already done.

    Starting a kernel and importing pandas, matplotlib and the helpers takes about two seconds;
    the runner does it in a background thread while it reads parameters, validates data or
    exports the previous department, so the notebook itself starts at once. The kernel starts in
    a private temporary folder and moves into the report's folder when taken (nothing is
    written to the output before the input is known to be good). The warm-up runs with
    ``store_history=False``: the executed notebook's cells still count from 1.
    """

    def __init__(self) -> None:
        self.home = Path(tempfile.mkdtemp(prefix="jixiao-kernel-home-"))
        self.manager: Any = None
        self.error: BaseException | None = None
        self._thread = threading.Thread(target=self._start, name="jixiao-warm-kernel", daemon=True)
        self._thread.start()

    def _client(self) -> Any:
        from jupyter_client.blocking import BlockingKernelClient

        # With the manager as parent, "is the kernel alive?" asks the process, not the
        # heartbeat, which has not beaten yet while a cold kernel is still importing: without
        # it a slow start is misread as "Kernel died before replying to kernel_info".
        client = BlockingKernelClient(parent=self.manager)
        client.load_connection_info(self.manager.get_connection_info())
        client.start_channels()
        return client

    def _run(self, code: str) -> None:
        client = self._client()
        try:
            client.wait_for_ready(timeout=120)
            reply = client.execute_interactive(
                code, store_history=False, timeout=120, output_hook=lambda _msg: None
            )
            if reply["content"].get("status") != "ok":
                content = reply["content"]
                raise RuntimeError(f"{content.get('ename')}: {content.get('evalue')}")
        finally:
            client.stop_channels()

    def _start(self) -> None:
        import asyncio

        try:
            manager = _ipc_kernel_manager_class()(kernel_name=paths.KERNEL_NAME)
            asyncio.run(manager.start_kernel(cwd=str(self.home)))
            self.manager = manager
            self._run(WARM_UP_CODE)
        except BaseException as exc:  # reported when the kernel is taken
            self.error = exc
        finally:
            # The blocking client ran on an event loop of this thread's own; close it with
            # the thread rather than leave it to the garbage collector (ResourceWarning).
            from jupyter_core.utils import ensure_event_loop

            with contextlib.suppress(Exception):
                ensure_event_loop().close()

    def take(self, cwd: Path) -> Any:
        """Wait for the kernel, move it into ``cwd`` and return its manager.

        Raises:
            BaseException: whatever starting or warming the kernel raised.
        """
        self._thread.join()
        if self.error is None:
            try:
                self._run(f"import os\nos.chdir({str(cwd)!r})")
            except BaseException as exc:
                self.error = exc
        if self.error is not None:
            self.shutdown()
            raise self.error
        return self.manager

    def shutdown(self) -> None:
        """Stop the kernel and remove its temporary folder (safe to call more than once)."""
        import asyncio

        self._thread.join()
        manager, self.manager = self.manager, None
        if manager is not None:
            with contextlib.suppress(Exception):
                asyncio.run(manager.shutdown_kernel(now=True))
        shutil.rmtree(self.home, ignore_errors=True)


def start_warm_kernel() -> WarmKernel:
    """Register the kernel if needed and start warming one (call before slow start-up work)."""
    ensure_kernel()
    return WarmKernel()


def _pdf_worker_start() -> None:
    """Warm the PDF worker while the first notebook runs: imports, fontconfig, CJK shaping."""
    from helpers.pdf import html_to_pdf

    html_to_pdf("<html><body><p>预算绩效自评 2021</p></body></html>")


@dataclass
class _Job:
    """One department on its way through the pipeline."""

    department: str
    final: Path
    staging: Path
    kernel: WarmKernel
    started: float
    pdf: Any = None  # a Future while the PDF renders


class ReportPipeline:
    """Render departments one after another with the slow parts overlapped.

    While department *n*'s PDF is laid out in a worker process, department *n + 1*'s kernel is
    already warm and its notebook runs; nbconvert and WeasyPrint are imported once per run.
    """

    def __init__(self, params: RunParams, step: Any = None):
        self.params = params
        self.step = step or (lambda _department, _text: None)
        self._html_exporter: Any = None
        self._pool: Any = None
        self.pdf_pool()  # start the worker now: its imports overlap the first notebook
        # Import nbconvert and build the exporter in a thread: the main thread mostly waits for
        # the kernel while the first notebook runs.
        self._exporter_thread = threading.Thread(target=self.html_exporter, daemon=True)
        self._exporter_thread.start()

    # -- resources shared by all departments
    def html_exporter(self) -> Any:
        """The shared HTML exporter (created once, in a background thread at start)."""
        if self._html_exporter is None and threading.current_thread() is not self._exporter_thread:
            self._exporter_thread.join()
        if self._html_exporter is None:
            from helpers.export import ReportHTMLExporter

            self._html_exporter = ReportHTMLExporter()
        return self._html_exporter

    def pdf_pool(self) -> Any:
        if self._pool is None and "pdf" in self.params.formats:
            import multiprocessing
            from concurrent.futures import ProcessPoolExecutor

            self._pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_pdf_worker_start,
            )
            self._pool.submit(int)  # spawn the worker (and run its initializer) right away
        return self._pool

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None

    # -- stages
    def prepare(self, department: str, kernel: WarmKernel | None = None) -> _Job:
        """Make the staging folder; start warming a kernel unless one is given."""
        final = self.params.output_dir / str(self.params.fiscal_year) / department
        final.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{department}.partial-", dir=final.parent))
        staging.chmod(paths.shared_mode(0o777))
        return _Job(department, final, staging, kernel or WarmKernel(), time.perf_counter())

    def execute(self, job: _Job) -> None:
        """Run the notebook and write the HTML; start the PDF in the worker."""
        import nbformat
        import papermill

        executed = job.staging / REPORT_NOTEBOOK
        self.step(job.department, "执行 notebook")
        try:
            manager = job.kernel.take(job.staging)
            papermill.execute_notebook(
                str(self.params.notebook),
                str(executed),
                parameters={
                    **self.params.notebook_parameters,
                    "fiscal_year": self.params.fiscal_year,
                    "department": job.department,
                    "data_dir": str(self.params.data_dir),
                    "charts_dir": "charts",
                },
                kernel_name=paths.KERNEL_NAME,
                km=manager,
                cwd=str(job.staging),
                progress_bar=False,
                log_output=False,
            )
        finally:
            job.kernel.shutdown()
        nb = nbformat.read(executed, as_version=4)
        self.step(job.department, "导出 HTML")
        document, _ = self.html_exporter().from_notebook_node(nb)
        if "html" in self.params.formats:
            (job.staging / "report.html").write_text(document, "utf-8")
        if "pdf" in self.params.formats:
            from helpers.pdf import html_to_pdf

            self.step(job.department, "导出 PDF")
            job.pdf = self.pdf_pool().submit(html_to_pdf, document, job.staging / "report.pdf")

    def finish(self, job: _Job) -> DepartmentOutcome:
        """Wait for the PDF and publish the folder."""
        if job.pdf is not None:
            job.pdf.result()
        _publish(job.staging, job.final)
        files = sorted(p for p in job.final.rglob("*") if p.is_file())
        return DepartmentOutcome(
            job.department, True, files=files, seconds=time.perf_counter() - job.started
        )

    def fail(self, job: _Job, exc: BaseException) -> DepartmentOutcome:
        """Keep the evidence beside the previous report, which stays untouched."""
        job.kernel.shutdown()
        executed = job.staging / REPORT_NOTEBOOK
        message = _describe_failure(exc, executed)
        job.final.mkdir(parents=True, exist_ok=True)
        if executed.exists():
            shutil.copyfile(executed, job.final / "report.failed.ipynb")
        (job.final / "report.error.txt").write_text(message + "\n", "utf-8")
        shutil.rmtree(job.staging, ignore_errors=True)
        return DepartmentOutcome(
            job.department, False, "failed", message, seconds=time.perf_counter() - job.started
        )

    def run(
        self, departments: list[str], report: Any = None, first_kernel: WarmKernel | None = None
    ) -> list[DepartmentOutcome]:
        """Render ``departments`` in order; ``report(outcome)`` is called as each finishes.

        ``first_kernel`` is a kernel already warming, used for ``departments[0]``.
        """
        report = report or (lambda _outcome: None)
        outcomes: list[DepartmentOutcome] = []
        pending: _Job | None = None
        upcoming = self.prepare(departments[0], first_kernel) if departments else None
        try:
            for index in range(len(departments)):
                job = upcoming
                assert job is not None
                upcoming = None
                try:
                    self.execute(job)
                except Exception as exc:
                    outcome = self.fail(job, exc)
                    outcomes.append(outcome)
                    report(outcome)
                    job = None
                if index + 1 < len(departments):
                    upcoming = self.prepare(departments[index + 1])
                if pending is not None:
                    outcomes.append(self._finish_or_fail(pending))
                    report(outcomes[-1])
                pending = job
            if pending is not None:
                outcomes.append(self._finish_or_fail(pending))
                report(outcomes[-1])
        finally:
            if upcoming is not None:
                upcoming.kernel.shutdown()
                shutil.rmtree(upcoming.staging, ignore_errors=True)
            self.close()
        return outcomes

    def _finish_or_fail(self, job: _Job) -> DepartmentOutcome:
        try:
            return self.finish(job)
        except Exception as exc:
            return self.fail(job, exc)


def validate_departments(params: RunParams) -> tuple[list[str], list[DepartmentOutcome]]:
    """Validate every dataset first: (valid departments, outcomes of the invalid ones)."""
    from helpers.dataset import DatasetError
    from helpers.evaluation import evaluate

    valid, invalid = [], []
    for department in params.departments:
        folder = paths.get_dataset_dir(params.fiscal_year, department, params.data_dir)
        if folder.is_dir() and folder.with_suffix(".xlsx").is_file():
            print(
                f"警告：{department} 既有文件夹又有 {folder.name}.xlsx，使用文件夹 / "
                f"warning: both a folder and a workbook exist for {department}; using the folder",
                file=sys.stderr,
            )
        try:
            evaluate(params.fiscal_year, department, params.data_dir)
        except DatasetError as exc:
            invalid.append(DepartmentOutcome(department, False, "invalid", str(exc)))
        except Exception as exc:  # a reader bug must not stop the other departments
            invalid.append(
                DepartmentOutcome(
                    department,
                    False,
                    "invalid",
                    f"读取数据时发生内部错误（{type(exc).__name__}）：{exc} / internal error while reading",
                )
            )
        else:
            valid.append(department)
    return valid, invalid


def run_reports(
    params: RunParams, console: Any = None, warm_kernel: WarmKernel | None = None
) -> RunOutcome:
    """Render every department of the run, showing progress, and print a summary.

    All datasets are validated before anything is written: when none is valid, the output
    folder is left exactly as it was. ``warm_kernel`` (see :func:`start_warm_kernel`) is used
    for the first department, or shut down when nothing runs.
    """
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(stderr=True, highlight=False)
    total = len(params.departments)
    position = {d: n for n, d in enumerate(params.departments, start=1)}

    def prefix(department: str) -> str:
        return escape(f"[{position[department]}/{total}] {params.fiscal_year} {department}")

    def step(department: str, text: str) -> None:
        console.print(f"{prefix(department)}：{text}…")

    def report(outcome: DepartmentOutcome) -> None:
        if outcome.ok:
            console.print(f"{prefix(outcome.department)}：完成（{outcome.seconds:.1f} 秒）")
        else:
            console.print(
                f"[red]{prefix(outcome.department)}：失败[/red]\n{escape(outcome.message)}"
            )

    console.print(f"校验 {total} 个部门的数据…")
    valid, invalid = validate_departments(params)
    for outcome in invalid:
        report(outcome)
    outcomes = list(invalid)
    if valid:
        ensure_kernel()
        outcomes += ReportPipeline(params, step).run(valid, report, warm_kernel)
    elif warm_kernel is not None:
        warm_kernel.shutdown()
    ok = [o for o in outcomes if o.ok]
    failed = [o for o in outcomes if not o.ok]
    console.print(
        f"共 {total} 个部门：成功 {len(ok)} 个，失败 {len(failed)} 个 / {len(ok)} ok, {len(failed)} failed"
    )
    for o in failed:
        kind = "数据校验失败" if o.kind == "invalid" else "运行失败"
        first_line = o.message.splitlines()[0] if o.message else ""
        console.print(f"  - {escape(o.department)}：{kind}：{escape(first_line)}")
    for o in ok:
        for f in o.files:
            if f.suffix in {".html", ".pdf"}:
                print(f)
    order = {d: n for n, d in enumerate(params.departments)}
    return RunOutcome(sorted(outcomes, key=lambda o: order[o.department]))
