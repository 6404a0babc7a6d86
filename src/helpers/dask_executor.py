"""Run a year's reports on Dask distributed: ``jixiao report --workers N`` or ``--scheduler ADDR``.

Each department is one task, :func:`helpers.job.render_department`, sent with its data
(:func:`helpers.job.pack_inputs`); the files come back to this process as bytes and are
published here, atomically, under the run's output lock. Workers therefore need jixiao
installed but no shared filesystem. Every worker keeps warm kernels between its departments
(:class:`KernelKeeper`), as the local executor does.

With ``shared_path`` (``--shared-path``) the workers see the data and the output folder at
the same paths as this process (a shared filesystem): nothing is sent with a task, and each
worker publishes its department in place, atomically, as this process would
(:func:`publish_on_worker`); only the outcome comes back. Before the first task every worker is
asked whether it sees the year's data and can write the output folder
(:func:`check_shared_paths`).

A department whose notebook fails gets its failure records like any other; a worker that dies
has its task moved to another worker by the scheduler (up to ``distributed.scheduler.
allowed-failures`` times), after which that department alone is reported failed.
"""

from __future__ import annotations

import atexit
import contextlib
import logging
import os
import shutil
import signal
import tempfile
import threading
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import dask
from distributed import Client, LocalCluster, WorkerPlugin, as_completed
from rich.console import Console
from rich.markup import escape

from helpers import runner
from helpers.job import Inputs, ReportBundle, pack_inputs, publish_bundle, render_department
from helpers.params import OVERVIEW, RunParams

Unit = Callable[[RunParams, str, Inputs], Any]  # a ReportBundle, or an outcome (published)

_IDLE_KERNELS: list[Any] = []  # a worker's warm kernels, free for its next department
_KERNELS_LOCK = threading.Lock()
_RELEASE_LOCK = threading.Lock()
_STOPPING = threading.Event()  # this worker is being stopped: its kernels are being killed


def _take_kernel() -> Any:
    with _KERNELS_LOCK:
        if _IDLE_KERNELS:
            return _IDLE_KERNELS.pop()
    runner.ensure_kernel()
    return runner.WarmKernel()


def _give_back(kernel: Any) -> None:
    if kernel.is_reusable:
        with _KERNELS_LOCK:
            _IDLE_KERNELS.append(kernel)
    else:
        kernel.shutdown()


def render_on_worker(params: RunParams, department: str, inputs: Inputs | None) -> ReportBundle:
    """:func:`~helpers.job.render_department` in one of this worker's warm kernels (a task)."""
    kernel = _take_kernel()
    try:
        return render_department(params, department, inputs, kernel)
    finally:
        _give_back(kernel)


def publish_on_worker(params: RunParams, department: str, inputs: Inputs) -> Any:
    """A task of a ``shared_path`` run: render here, publish in place; the outcome only.

    The client holds the output lock for the whole run; the department's folder is replaced
    atomically (:func:`~helpers.job.publish_bundle`), as on the client.
    """
    bundle = render_on_worker(params, department, inputs or None)
    if _STOPPING.is_set():  # a kill or a closing cluster stopped the kernel: write nothing
        return runner.DepartmentOutcome(
            department, False, "failed", "工作进程已停止，未写入 / the worker was stopped"
        )
    return _published(params, bundle)


def _sees_shared_paths(data_year: str, notebook: str, token: str, secret: str) -> str | None:
    """On a worker: why it cannot work in place (None when it can)."""
    if not os.path.isdir(data_year):
        return f"看不到数据文件夹 {data_year} / cannot see the data folder"
    if not os.path.isfile(notebook):
        return f"看不到 notebook {notebook} / cannot see the notebook"
    try:
        with open(token, encoding="utf-8") as file:
            seen = file.read()
    except OSError:
        seen = None
    folder = os.path.dirname(token)
    if seen != secret:
        return (
            f"输出文件夹 {folder} 不是与本机共享的同一个文件夹 / the output folder is not the one "
            "this machine writes (not shared)"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"不能写入输出文件夹 {folder} / cannot write the output folder"
    return None


def check_shared_paths(client: Any, params: RunParams) -> None:
    """Every worker sees the year's data, the notebook and this process's output folder.

    The output folder (or the nearest existing folder above it) gets a file with a random
    text for the moment of the check: a worker that reads the same text sees the same folder,
    not merely one at the same path.

    Raises:
        ClusterError: naming each worker that cannot, and why; nothing has been sent yet.
    """
    folder = params.output_dir
    while not folder.exists() and folder.parent != folder:
        folder = folder.parent
    secret = uuid.uuid4().hex
    token = folder / f".jixiao-shared-{secret[:8]}"
    try:
        token.write_text(secret, "utf-8")
    except OSError as exc:
        raise ClusterError(
            f"无法写入输出文件夹 {folder}：{exc} / cannot write the output folder"
        ) from None
    try:
        answers = client.run(
            _sees_shared_paths,
            str(params.data_dir / str(params.fiscal_year)),
            str(params.notebook),
            str(token),
            secret,
        )
    finally:
        token.unlink(missing_ok=True)
    problems = [f"  {worker}: {problem}" for worker, problem in answers.items() if problem]
    if problems:
        raise ClusterError(
            "shared_path：以下 Dask worker 不能直接读写共享路径（去掉 --shared-path 则由本机收发文件） / "
            "shared_path: these Dask workers cannot work in place (without --shared-path the "
            "files travel with the tasks):\n" + "\n".join(problems)
        )


def _kill_child_kernels() -> None:
    """Kill every kernel this process started, at once, however far its start has got.

    A worker being closed has a few seconds before its nanny kills it; a kernel still starting
    then (its manager not yet returned) would be left to notice its parent is gone and say so
    on the user's terminal. Each kernel leads a process group of its own.
    """
    import psutil

    with contextlib.suppress(psutil.Error):
        for child in psutil.Process().children():
            with contextlib.suppress(psutil.Error, OSError):
                if "ipykernel_launcher" in " ".join(child.cmdline()):
                    os.killpg(child.pid, signal.SIGKILL)


def _release_everything() -> None:
    """Stop this worker's kernels (idle or busy) and delete its jobs' temporary folders."""
    _STOPPING.set()  # before the kernels die: a task seeing its kernel die publishes nothing
    with _RELEASE_LOCK:  # SIGTERM may come while the worker's close is doing this already
        _kill_child_kernels()
        with _KERNELS_LOCK:
            kernels = list(_IDLE_KERNELS)
            _IDLE_KERNELS.clear()
        for kernel in kernels:
            kernel.shutdown(at_once=True)
        runner._LIVE.release_all()


def _stop_now(signum: int, _frame: Any) -> None:
    """SIGTERM on a local worker: stop its kernels, delete its files, exit.

    The kernels are stopped from a thread of their own: this handler runs on the worker's
    event loop, and stopping a kernel runs one.
    """
    _release_in_a_thread()
    os._exit(128 + signum)


def _release_in_a_thread() -> None:
    stopper = threading.Thread(target=_release_everything, name="jixiao-kernel-stop")
    stopper.start()
    stopper.join(timeout=30)


def _leave_stopping_to_the_client() -> None:
    """A local cluster's worker ignores Ctrl-C and tidies up on SIGTERM.

    Its processes share the terminal's process group with ``jixiao report``: a Ctrl-C reaches
    them all at once. The client stops the cluster in order (each worker stops its kernels);
    a worker killed by the same Ctrl-C would leave its kernels to notice their parent is gone.
    """
    if threading.current_thread() is threading.main_thread():
        signal.signal(signal.SIGINT, signal.SIG_IGN)
        signal.signal(signal.SIGTERM, _stop_now)


class KernelKeeper(WorkerPlugin):  # type: ignore[misc]
    """A Dask worker plugin: one warm kernel per worker thread at start, all stopped at close."""

    name = "jixiao-kernels"

    def __init__(self, temp_root: str | None = None):
        self.temp_root = temp_root

    def setup(self, worker: Any) -> None:
        """Start warming a kernel for each of the worker's threads.

        With ``temp_root`` (a local cluster's folder, which the client deletes when the cluster
        has stopped) every temporary file of the worker goes there: even a worker killed by
        a signal, before it could tidy up, leaves nothing behind.
        """
        if self.temp_root:
            tempfile.tempdir = self.temp_root
            _leave_stopping_to_the_client()
        _STOPPING.clear()  # registered again on a live worker: it works again
        runner.ensure_kernel()
        atexit.register(_release_everything)  # a worker stopped by a signal ends through here
        with _KERNELS_LOCK:
            _IDLE_KERNELS.extend(runner.WarmKernel() for _ in range(worker.state.nthreads))

    def teardown(self, worker: Any) -> None:
        """Stop the worker's kernels, busy ones too, and delete its jobs' folders."""
        _release_in_a_thread()


def _has_keeper(dask_worker: Any) -> bool:
    return KernelKeeper.name in dask_worker.plugins


def keep_kernels(client: Any, temp_root: str | None = None) -> None:
    """Give the cluster's workers warm kernels, unless an earlier run did already.

    Registering the plugin again would tear the first one down on every worker, stopping the
    kernels of departments another run has in progress there.
    """
    if any(client.run(_has_keeper).values()):
        return
    client.register_plugin(KernelKeeper(temp_root), name=KernelKeeper.name)


def wait_for_a_worker(client: Any, where: str) -> None:
    """Wait until the cluster has a worker; :class:`ClusterError` after :data:`WORKER_WAIT_S`."""
    try:
        client.wait_for_workers(1, timeout=WORKER_WAIT_S)
    except (TimeoutError, OSError):
        raise ClusterError(
            f"Dask 集群 {where} 在 {WORKER_WAIT_S} 秒内没有可用的 worker，未写入任何文件 / the "
            f"Dask cluster {where} has no worker after {WORKER_WAIT_S} s; nothing was written"
        ) from None


WORKER_WAIT_S = 120  # for a cluster's first worker
CONNECT_TIMEOUT = "20s"  # to reach a running scheduler
# Departments a local worker runs at once, each in a warm kernel of its own: while one is being
# rendered (in the worker's process) the next one's notebook runs (in its kernel's process), as
# the local executor overlaps them. 50 departments, 2 workers: 1.6 s a report with 2 threads,
# 1.9 s with 1 (bench/executor_bench.py).
THREADS_PER_WORKER = 2


class ClusterError(Exception):
    """The Dask cluster cannot be reached or started (nothing has run)."""


@contextlib.contextmanager
def dask_client(
    workers: int | None = None,
    scheduler: str | None = None,
    threads_per_worker: int = THREADS_PER_WORKER,
) -> Iterator[Any]:
    """A Dask client, closed (and its local cluster stopped) at the end.

    Args:
        workers: processes of a local cluster on loopback; 2 when None.
        scheduler: the address (``tcp://host:8786``) or scheduler file of a running cluster;
            when given, ``workers`` is not used.
        threads_per_worker: departments each local worker runs at once.
    """
    with _quiet_distributed():
        yield from _dask_client(workers, scheduler, threads_per_worker)


@contextlib.contextmanager
def _quiet_distributed() -> Iterator[None]:
    """Distributed's own log lines below ERROR kept off the terminal while a run uses Dask.

    Its INFO records (``Batched Comm Closed`` with a traceback, as a local cluster shuts down
    after Ctrl-C) would land between the run's own lines; the run reports what matters.
    """
    logger = logging.getLogger("distributed")
    level = logger.level
    logger.setLevel(max(level, logging.ERROR))
    try:
        yield
    finally:
        logger.setLevel(level)


def _dask_client(
    workers: int | None, scheduler: str | None, threads_per_worker: int
) -> Iterator[Any]:
    """:func:`dask_client`'s body (a generator, so that it can run inside a block)."""
    if scheduler:
        client = _connect(scheduler)
        try:
            wait_for_a_worker(client, scheduler)
            keep_kernels(client)
            yield client
        finally:
            client.close()
        return
    temp_root = tempfile.mkdtemp(prefix="jixiao-cluster-")
    cluster = None
    cluster_config = dask.config.set(
        {
            "temporary-directory": temp_root,
            # A worker holds only the departments it runs, none queued: a worker that dies
            # takes no waiting department with it, and the others are free for other workers.
            "distributed.scheduler.worker-saturation": 1.0,
        }
    )
    try:
        cluster = LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # any free port: never in the way of another cluster
            local_directory=temp_root,
            silence_logs=logging.ERROR,
        )
        with Client(cluster) as client:
            keep_kernels(client, temp_root)
            yield client
    finally:
        if cluster is not None:
            cluster.close()
        cluster_config.__exit__(None, None, None)
        shutil.rmtree(temp_root, ignore_errors=True)


def _connect(scheduler: str) -> Any:
    """A client of a running scheduler (an address or a scheduler file); :class:`ClusterError`."""
    is_file = not scheduler.startswith(("tcp://", "tls://", "ucx://", "inproc://"))
    try:
        if is_file:
            return Client(scheduler_file=scheduler, timeout=CONNECT_TIMEOUT)
        return Client(scheduler, timeout=CONNECT_TIMEOUT)
    except Exception as exc:  # refused, timed out, a TLS address without security, a bad file
        raise ClusterError(
            f"无法连接 Dask 调度器 {scheduler}：{type(exc).__name__}: {exc} / could not connect "
            f"to the Dask scheduler {scheduler}; nothing was written"
        ) from None


LOST_SCHEDULER = (
    "与 Dask 调度器的连接中断，此项未完成 / lost the connection to the Dask scheduler; not done"
)


def describe_task_error(exc: BaseException | None) -> str:
    """A bilingual message for a task that ended without a bundle (its workers died …)."""
    if exc is None:  # cancelled: the scheduler went away
        return LOST_SCHEDULER
    name = type(exc).__name__
    if name == "KilledWorker":
        detail = str(exc).split(" The last worker", 1)[0]  # Dask's first sentence
        return (
            "运行此部门的 worker 多次意外退出，已停止重试 / the workers running this department "
            f"died repeatedly; not retried again ({detail})"
        )
    return f"在 Dask worker 上运行出错（{name}）：{exc} / failed on a Dask worker"


def run_reports_on_dask(
    params: RunParams,
    client: Any,
    *,
    console: Any = None,
    unit: Unit | None = None,
) -> Any:
    """Render every department of the run on a Dask cluster, publishing each as it arrives.

    The year's overview (when the run covers every department) is sent once a department has
    come back with valid data: a year whose data are all invalid writes nothing, as on the
    local executor.

    Args:
        params: the run's parameters.
        client: a client from :func:`dask_client` (whose workers keep warm kernels).
        console: a Rich console for progress (stderr when None).
        unit: the task run per department (tests swap it for one that misbehaves); by default
            :func:`render_on_worker`, or :func:`publish_on_worker` for a ``shared_path`` run.

    Returns:
        The :class:`~helpers.runner.RunOutcome`, in the order of the departments.

    Raises:
        ClusterError: a ``shared_path`` run whose workers cannot see the paths.
    """
    if params.shared_path:
        check_shared_paths(client, params)
    chosen = unit or (publish_on_worker if params.shared_path else render_on_worker)
    run = _DaskRun(params, client, chosen, console or Console(stderr=True, highlight=False))
    outcomes = run.run()
    runner._print_summary(
        run.console,
        len(params.departments),
        outcomes,
        params.formats,
        runner.stale_overview_note(params),
        params.output_dir / str(params.fiscal_year),
    )
    order = {d: n for n, d in enumerate([*params.departments, OVERVIEW])}
    return runner.RunOutcome(sorted(outcomes, key=lambda o: order[o.department]))


class _DaskRun:
    """One run's tasks on the cluster: submitted, collected and published as they come."""

    def __init__(self, params: RunParams, client: Any, unit: Unit, console: Any):
        self.params, self.client, self.unit, self.console = params, client, unit, console
        self.label = _labeller(params)
        self.wants_overview = runner.wants_overview(params, list(params.departments))
        self.futures: dict[Any, str] = {}
        self.pending = as_completed()
        self.run_id = uuid.uuid4().hex[:8]

    def report(self, job: str, outcome: Any) -> None:
        runner.print_outcome(self.console, escape(self.label(job)), outcome)

    def submit(self, job: str) -> Any:
        """Send one job with its inputs; its outcome at once when its files cannot be read."""
        try:
            inputs = {} if self.params.shared_path else pack_inputs(self.params, job)
        except OSError as exc:
            return runner.DepartmentOutcome(
                job, False, "invalid", f"无法读取数据文件：{exc} / could not read a data file"
            )
        key = f"jixiao-{self.run_id}-{len(self.futures)}"
        future = self.client.submit(self.unit, self.params, job, inputs, key=key, pure=False)
        self.futures[future] = job
        self.pending.add(future)
        return None

    def run(self) -> list[Any]:
        """Submit every department, then publish each result as it arrives."""
        workers = len(self.client.scheduler_info().get("workers", {}))
        count = len(self.params.departments) + int(self.wants_overview)
        self.console.print(escape(f"提交 {count} 项到 Dask 集群（{workers} 个 worker）…"))
        outcomes = []
        jobs = list(self.params.departments)
        if self.wants_overview and runner.refreshes_overview(self.params):
            jobs.append(OVERVIEW)  # a refresh does not wait for a department with good data
            self.wants_overview = False
        for department in jobs:
            if department != OVERVIEW:
                runner.warn_folder_and_workbook(self.params, department)
            refused = self.submit(department)
            if refused is not None:
                outcomes.append(refused)
                self.report(department, refused)
        try:
            for future in self.pending:
                job = self.futures[future]
                outcome = _collect(self.params, job, future)
                outcomes.append(outcome)
                self.report(job, outcome)
                if self.wants_overview and job != OVERVIEW and outcome.kind != "invalid":
                    self.wants_overview = False  # a department's data are good: the overview
                    refused = self.submit(OVERVIEW)
                    if refused is not None:
                        outcomes.append(refused)
                        self.report(OVERVIEW, refused)
        finally:
            self.client.cancel(list(self.futures))
        return outcomes


def _collect(params: RunParams, job: str, future: Any) -> Any:
    """Publish what a finished task returned; a failed outcome when it returned nothing."""
    if future.status != "finished":
        try:
            exc = future.exception()
        except Exception:  # cancelled, or the scheduler is gone
            exc = None
        return runner.DepartmentOutcome(job, False, "failed", describe_task_error(exc))
    bundle: ReportBundle | runner.DepartmentOutcome = future.result()
    if isinstance(bundle, runner.DepartmentOutcome):  # published in place (shared_path)
        return bundle
    return _published(params, bundle)


def _published(params: RunParams, bundle: ReportBundle) -> Any:
    """:func:`~helpers.job.publish_bundle`, a write that fails being the department's failure."""
    try:
        return publish_bundle(params, bundle)
    except OSError as exc:
        return runner.DepartmentOutcome(
            bundle.department, False, "failed", f"无法写入报告 / could not write the report: {exc}"
        )


def _labeller(params: RunParams) -> Callable[[str], str]:
    position = {d: n for n, d in enumerate(params.departments, start=1)}
    total = len(params.departments)

    def label(job: str) -> str:
        if job == OVERVIEW:
            return f"[汇总] {params.fiscal_year} 年度汇总分析"
        return f"[{position[job]}/{total}] {params.fiscal_year} {job}"

    return label
