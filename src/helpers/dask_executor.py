"""Run a year's reports on Dask distributed: ``jixiao report --workers N`` or ``--scheduler ADDR``.

Each department is one task, :func:`helpers.job.render_department`, sent with its data
(:func:`helpers.job.pack_inputs`); the files come back to this process as bytes and are
published here, atomically, under the run's output lock. Workers therefore need jixiao
installed but no shared filesystem. Every worker keeps warm kernels between its departments
(:class:`KernelKeeper`), as the local executor does.

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

from distributed import WorkerPlugin

from helpers.job import Inputs, ReportBundle, pack_inputs, publish_bundle, render_department
from helpers.params import OVERVIEW, RunParams

Unit = Callable[[RunParams, str, Inputs], ReportBundle]

_IDLE_KERNELS: list[Any] = []  # a worker's warm kernels, free for its next department
_KERNELS_LOCK = threading.Lock()
_RELEASE_LOCK = threading.Lock()


def _take_kernel() -> Any:
    from helpers import runner

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


def render_on_worker(params: RunParams, department: str, inputs: Inputs) -> ReportBundle:
    """:func:`~helpers.job.render_department` in one of this worker's warm kernels (a task)."""
    kernel = _take_kernel()
    try:
        return render_department(params, department, inputs, kernel)
    finally:
        _give_back(kernel)


def _release_everything() -> None:
    """Stop this worker's kernels (idle or busy) and delete its jobs' temporary folders."""
    from helpers import runner

    with _RELEASE_LOCK:  # SIGTERM may come while the worker's close is doing this already
        with _KERNELS_LOCK:
            kernels = list(_IDLE_KERNELS)
            _IDLE_KERNELS.clear()
        for kernel in kernels:
            kernel.shutdown()
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
        from helpers import runner

        if self.temp_root:
            tempfile.tempdir = self.temp_root
            _leave_stopping_to_the_client()
        runner.ensure_kernel()
        atexit.register(_release_everything)  # a worker stopped by a signal ends through here
        with _KERNELS_LOCK:
            _IDLE_KERNELS.extend(runner.WarmKernel() for _ in range(worker.state.nthreads))

    def teardown(self, worker: Any) -> None:
        """Stop the worker's kernels, busy ones too, and delete its jobs' folders."""
        _release_in_a_thread()


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
    import dask
    from distributed import Client, LocalCluster

    if scheduler:
        is_file = not scheduler.startswith(("tcp://", "tls://", "ucx://", "inproc://"))
        try:
            client = (
                Client(scheduler_file=scheduler, timeout=CONNECT_TIMEOUT)
                if is_file
                else Client(scheduler, timeout=CONNECT_TIMEOUT)
            )
        except (OSError, ValueError) as exc:
            raise ClusterError(
                f"无法连接 Dask 调度器 {scheduler}：{exc} / could not connect to the Dask "
                f"scheduler {scheduler}; nothing was written"
            ) from None
        try:
            client.register_plugin(KernelKeeper(), name=KernelKeeper.name)
            yield client
        finally:
            client.close()
        return
    temp_root = tempfile.mkdtemp(prefix="jixiao-cluster-")
    try:
        cluster_config = dask.config.set(
            {
                "temporary-directory": temp_root,
                # A worker holds only the departments it runs, none queued: a worker that dies
                # takes no waiting department with it, and the others are free for other workers.
                "distributed.scheduler.worker-saturation": 1.0,
            }
        )
        cluster = LocalCluster(
            n_workers=workers or 2,
            threads_per_worker=threads_per_worker,
            processes=True,
            host="127.0.0.1",
            dashboard_address="127.0.0.1:0",  # any free port: never in the way of another cluster
            local_directory=temp_root,
            silence_logs=logging.ERROR,
        )
        try:
            with Client(cluster) as client:
                client.register_plugin(KernelKeeper(temp_root), name=KernelKeeper.name)
                yield client
        finally:
            cluster.close()
            cluster_config.__exit__(None, None, None)
    finally:
        shutil.rmtree(temp_root, ignore_errors=True)


def describe_task_error(exc: BaseException) -> str:
    """A bilingual message for a task that ended without a bundle (its workers died …)."""
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
    unit: Unit = render_on_worker,
) -> Any:
    """Render every department of the run on a Dask cluster, publishing each as it arrives.

    Args:
        params: the run's parameters.
        client: a client from :func:`dask_client` (whose workers keep warm kernels).
        console: a Rich console for progress (stderr when None).
        unit: the task run per department (tests swap it for one that misbehaves).

    Returns:
        The :class:`~helpers.runner.RunOutcome`, in the order of the departments.
    """
    from distributed import as_completed
    from rich.console import Console
    from rich.markup import escape

    from helpers import runner

    console = console or Console(stderr=True, highlight=False)
    jobs = list(params.departments)
    if runner.wants_overview(params, jobs):
        jobs.append(OVERVIEW)
    label = _labeller(params)
    workers = len(client.scheduler_info().get("workers", {}))
    console.print(escape(f"提交 {len(jobs)} 项到 Dask 集群（{workers} 个 worker）…"))
    run_id = uuid.uuid4().hex[:8]
    futures = {
        client.submit(
            unit, params, job, pack_inputs(params, job), key=f"jixiao-{run_id}-{n}", pure=False
        ): job
        for n, job in enumerate(jobs)
    }
    outcomes = []
    try:
        for future in as_completed(futures):
            job = futures[future]
            outcome = _collect(params, job, future)
            outcomes.append(outcome)
            runner.print_outcome(console, escape(label(job)), outcome)
    finally:
        client.cancel(list(futures))
    runner._print_summary(console, len(params.departments), outcomes)
    order = {d: n for n, d in enumerate(jobs)}
    return runner.RunOutcome(sorted(outcomes, key=lambda o: order[o.department]))


def _collect(params: RunParams, job: str, future: Any) -> Any:
    """Publish what a finished task returned; a failed outcome when it returned nothing."""
    from helpers import runner

    if future.status != "finished":
        exc = future.exception()
        return runner.DepartmentOutcome(job, False, "failed", describe_task_error(exc))
    bundle: ReportBundle = future.result()
    try:
        return publish_bundle(params, bundle)
    except OSError as exc:
        return runner.DepartmentOutcome(
            job, False, "failed", f"无法写入报告 / could not write the report: {exc}"
        )


def _labeller(params: RunParams) -> Callable[[str], str]:
    position = {d: n for n, d in enumerate(params.departments, start=1)}
    total = len(params.departments)

    def label(job: str) -> str:
        if job == OVERVIEW:
            return f"[汇总] {params.fiscal_year} 年度汇总分析"
        return f"[{position[job]}/{total}] {params.fiscal_year} {job}"

    return label
