"""One report's whole life as one unit of work: :func:`render_department`.

``render_department(params, department)`` checks the department's data, runs its notebook in a
kernel, renders every format and returns the files as bytes in a :class:`ReportBundle`; it
writes nothing outside a private temporary folder, which it removes. The caller publishes the
bundle with :func:`publish_bundle`, atomically, where the reports go. Because the inputs can
travel with the call (:func:`pack_inputs`) and the results come back as bytes, the unit runs
anywhere: in this process, or on a Dask worker on another machine with no shared filesystem
(:mod:`helpers.dask_executor`).

Example:
    >>> from helpers.params import load_run_params
    >>> params = load_run_params("params/fy2021.yaml")  # doctest: +SKIP
    >>> bundle = render_department(params, "高新区科技局")  # doctest: +SKIP
    >>> sorted(bundle.files)  # doctest: +SKIP
    ['report.docx', 'report.html', 'report.ipynb', 'report.pdf']
    >>> publish_bundle(params, bundle).ok  # doctest: +SKIP
    True
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import os
import socket
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.params import OVERVIEW, RunParams

Inputs = dict[str, bytes]  # data files by path relative to the data root: "2021/某局/x.csv"


@dataclass
class ReportBundle:
    """What rendering one department (or the year's overview) produced, as bytes.

    ``files`` maps paths relative to the department's report folder (the year folder for the
    overview) to their content. A failed department has no files; ``failed_notebook`` is the
    executed notebook as far as it got (when it was saved whole), kept beside the previous
    report with ``message``.
    """

    department: str
    ok: bool
    kind: str = ""  # "", "invalid" (bad data) or "failed" (execution or export)
    message: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    failed_notebook: bytes | None = None
    seconds: float = 0.0
    host: str = ""  # where it ran (host name and process)

    @property
    def stem(self) -> str:
        """The file names' stem: ``report`` or ``overview``."""
        return OVERVIEW if self.department == OVERVIEW else "report"


def _input_roots(params: RunParams, department: str) -> list[Path]:
    """The data a job reads: its dataset (folder, workbook, sidecar YAML), or whole years."""
    if department == OVERVIEW:  # the year and the previous one, for the comparison
        years = (params.fiscal_year, params.fiscal_year - 1)
        return [params.data_dir / str(y) for y in years if (params.data_dir / str(y)).is_dir()]
    year_dir = params.data_dir / str(params.fiscal_year)
    return [
        p
        for p in sorted(year_dir.iterdir())
        if p.name == department or (p.is_file() and p.name.startswith(f"{department}."))
    ]


READ_SUFFIXES = frozenset({".csv", ".yaml", ".yml", ".xlsx", ".xlsm", ".xls", ".docx"})
"""The files a dataset is read from; anything else in its folder (scans, PDFs) stays home."""


def pack_inputs(params: RunParams, department: str) -> Inputs:
    """The files one job reads, to send with it: its data and the notebooks.

    Data files (only those a dataset is read from, :data:`READ_SUFFIXES`) are named
    ``data/<path under the data root>``; the run's notebook and the overview notebook beside
    it ``notebooks/<name>``.

    Raises:
        OSError: a file cannot be read.

    Example:
        >>> from helpers.params import RunParams
        >>> params = RunParams(2021, ["高新区科技局"], ["html"], Path("reports"),
        ...                    paths.get_data_dir(), paths.NOTEBOOKS_DIR / "report.ipynb")
        >>> names = sorted(pack_inputs(params, "高新区科技局"))
        >>> names[0], names[-1]
        ('data/2021/高新区科技局/department.yaml', 'notebooks/report.ipynb')
    """
    inputs: Inputs = {}
    for root in _input_roots(params, department):
        files = sorted(p for p in root.rglob("*") if p.is_file()) if root.is_dir() else [root]
        for file in (f for f in files if f.suffix.lower() in READ_SUFFIXES):
            inputs[f"data/{file.relative_to(params.data_dir).as_posix()}"] = file.read_bytes()
    for notebook in (params.notebook, params.notebook.with_name(f"{OVERVIEW}.ipynb")):
        if notebook.is_file():
            inputs[f"notebooks/{notebook.name}"] = notebook.read_bytes()
    return inputs


def _unpack_inputs(inputs: Inputs, params: RunParams, folder: Path) -> RunParams:
    """Write the inputs into ``folder``; the parameters pointing at them."""
    root = folder.resolve()
    for name, content in inputs.items():
        target = (root / name).resolve()
        if not target.is_relative_to(root):
            raise ValueError(f"input path outside the job's folder: {name}")
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
    return dataclasses.replace(
        params, data_dir=root / "data", notebook=root / "notebooks" / params.notebook.name
    )


def _where() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def check_department(params: RunParams, department: str) -> tuple[str, str] | None:
    """Evaluate a department's data once; ``(kind, message)`` when it cannot be reported."""
    from helpers.dataset import DatasetError
    from helpers.evaluation import evaluate

    try:
        evaluate(
            params.fiscal_year,
            department,
            params.data_dir,
            scoring=params.notebook_parameters.get("scoring"),
        )
    except DatasetError as exc:
        return "invalid", str(exc)
    except Exception as exc:  # a reader bug must not stop the other departments
        return (
            "invalid",
            f"读取数据时发生内部错误（{type(exc).__name__}）：{exc} / internal error while reading",
        )
    return None


def _read_tree(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def render_department(
    params: RunParams,
    department: str,
    inputs: Inputs | None = None,
    kernel: Any = None,
) -> ReportBundle:
    """The whole life of one report: check the data, run the notebook, render every format.

    Nothing is written outside a private temporary folder (removed before returning), so this
    can run on any machine that has jixiao installed: the caller publishes the bundle.

    Args:
        params: the run's parameters (picklable; sent to a worker as they are).
        department: a department of ``params.fiscal_year``, or :data:`~helpers.params.OVERVIEW`.
        inputs: the data files (:func:`pack_inputs`); None reads ``params.data_dir`` here.
        kernel: a :class:`~helpers.runner.WarmKernel` to run the notebook in (reused by the
            caller when :attr:`~helpers.runner.WarmKernel.is_reusable` afterwards); None starts
            and stops one.

    Returns:
        The :class:`ReportBundle`: the files, or why there are none.
    """
    from helpers import runner

    started = time.perf_counter()
    with runner._deferred():
        work = Path(tempfile.mkdtemp(prefix="jixiao-job-"))
        runner._LIVE.add_path(work)  # removed by whoever stops this process cleanly
    own_kernel = kernel is None
    try:
        original = params
        if inputs is not None:
            params = _unpack_inputs(inputs, params, work / "inputs")
        problem = None if department == OVERVIEW else check_department(params, department)
        if problem is not None:
            bundle = ReportBundle(department, False, *problem, seconds=_since(started))
        else:
            if own_kernel:
                runner.ensure_kernel()
                kernel = runner.WarmKernel()
            staging = work / "report"
            staging.mkdir()
            bundle = _run_and_render(params, department, kernel, staging, started)
        bundle.host = _where()
        return _as_if_run_at_home(bundle, params, original)
    finally:
        if own_kernel and kernel is not None:
            kernel.shutdown()
        runner._LIVE.remove_path(work)


def _as_if_run_at_home(bundle: ReportBundle, used: RunParams, original: RunParams) -> ReportBundle:
    """Name the user's data and notebook, not the job's copies, in messages and notebooks.

    A job run from sent inputs read them from a private temporary folder: its paths would
    otherwise appear in an error message (``[/tmp/…/projects.csv 第 2 行 …]``) and in the
    executed notebook's recorded parameters.
    """
    if used is original:
        return bundle
    swaps = [(str(used.data_dir), str(original.data_dir))]
    swaps += [(str(used.notebook.parent), str(original.notebook.parent))]

    def restore(text: str) -> str:
        for copy, home in swaps:
            text = text.replace(copy, home)
        return text

    def restore_json(data: bytes) -> bytes:  # inside JSON strings, as json.dumps writes them
        for copy, home in swaps:
            quoted = (json.dumps(copy)[1:-1], json.dumps(home, ensure_ascii=False)[1:-1])
            data = data.replace(quoted[0].encode(), quoted[1].encode())
        return data

    bundle.message = restore(bundle.message)
    if bundle.failed_notebook is not None:
        bundle.failed_notebook = restore_json(bundle.failed_notebook)
    for name in [n for n in bundle.files if n.endswith(".ipynb")]:
        bundle.files[name] = restore_json(bundle.files[name])
    return bundle


def _since(started: float) -> float:
    return time.perf_counter() - started


def _run_and_render(
    params: RunParams, department: str, kernel: Any, staging: Path, started: float
) -> ReportBundle:
    """Execute the notebook in ``kernel`` and render its formats into ``staging``."""
    from helpers import runner

    job = runner._Job(department, staging, staging, kernel, started)
    record = staging / f"{job.stem}.ipynb"
    try:
        try:
            runner.execute_notebook(params, job)
        except BaseException:
            kernel.shutdown()  # stuck, dead or mid-cell: never reused
            raise
        runner.render_formats(record, params.formats, staging, job.stem)
    except Exception as exc:
        message = runner._describe_failure(exc, record, params.timeout_s)
        if isinstance(exc, runner.NotebookNotSaved):
            message += runner.NOT_SAVED_NOTE
        return ReportBundle(
            department,
            False,
            "failed",
            message,
            failed_notebook=runner._whole_notebook(record),
            seconds=_since(started),
            host=_where(),
        )
    return ReportBundle(
        department, True, files=_read_tree(staging), seconds=_since(started), host=_where()
    )


def publish_bundle(params: RunParams, bundle: ReportBundle) -> Any:
    """Write a bundle where the reports go, atomically; its :class:`~helpers.runner.DepartmentOutcome`.

    A department's folder is replaced whole (:func:`~helpers.runner._publish`); the overview's
    files replace theirs one by one in the year folder. A failed bundle leaves the previous
    report as it was and puts ``report.failed.ipynb`` and ``report.error.txt`` beside it.
    Call it from the process that holds the output lock (:func:`~helpers.runner.report_session`).
    """
    from helpers import runner

    year_dir = params.output_dir / str(params.fiscal_year)
    final = year_dir if bundle.department == OVERVIEW else year_dir / bundle.department
    if not bundle.ok:
        if bundle.kind == "failed":
            _write_failure(final, bundle)
        return runner.DepartmentOutcome(
            bundle.department, False, bundle.kind, bundle.message, seconds=bundle.seconds
        )
    year_dir.mkdir(parents=True, exist_ok=True)
    with runner._deferred():
        staging = Path(tempfile.mkdtemp(prefix=f".{bundle.department}.partial-", dir=year_dir))
        runner._LIVE.add_path(staging)
    try:
        staging.chmod(paths.shared_mode(0o777))
        for name, content in bundle.files.items():
            target = staging / name
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        if bundle.department == OVERVIEW:
            files = runner._publish_files(staging, final)
        else:
            runner._publish(staging, final)
            files = sorted(p for p in final.rglob("*") if p.is_file())
    finally:
        runner._LIVE.remove_path(staging)
    return runner.DepartmentOutcome(bundle.department, True, files=files, seconds=bundle.seconds)


def _write_failure(final: Path, bundle: ReportBundle) -> None:
    from helpers import runner

    with tempfile.TemporaryDirectory(prefix="jixiao-failed-") as temp:
        executed = Path(temp) / f"{bundle.stem}.ipynb"
        if bundle.failed_notebook is not None:
            executed.write_bytes(bundle.failed_notebook)
        with contextlib.suppress(OSError):
            for problem in runner.write_failure_records(
                final, executed, bundle.message, bundle.stem
            ):
                runner._warn(problem)
