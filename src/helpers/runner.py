"""Run the report notebook for every department of a fiscal year and export HTML and PDF.

``jixiao report params/fy2021.yaml`` (or ``--year 2021``) validates the parameters against the
notebook's own parameters cell, validates every dataset, then for each department executes
``notebooks/report.ipynb`` in-process with papermill (kernel ``jixiao``), keeps the executed
notebook with its parameters, and exports ``report.html`` and ``report.pdf``.

Nothing is half-written: each department renders into a hidden temporary folder that replaces
``reports/<year>/<department>/`` only when complete. A department that fails keeps its previous
report, gets ``report.failed.ipynb`` and ``report.error.txt`` naming the failing cell, and the
other departments still run; the exit code and the summary say which failed. Every cell, and the
PDF of each department, is bounded by ``timeout_s`` seconds (default 600): a stuck step fails its
department like any other error.

A run holds ``reports/<year>/.jixiao.lock`` (with its PID) while it writes, so two runs never
interleave in one output folder; a second run exits with code 2 naming the first one's PID.
Ctrl-C, SIGTERM and SIGHUP stop a run cleanly (:func:`report_session`): the kernels, the PDF
worker and every temporary file go, the previous reports stay exactly as they were (a department
already published is complete), and the exit code is 130, 143 or 129.
"""

from __future__ import annotations

import contextlib
import errno
import functools
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.params import (
    DEFAULT_TIMEOUT_S,
    FORMATS,
    OVERVIEW,
    RUNNER_KEYS,
    SET_BY_RUNNER,
    ParamsError,
    RunParams,
    load_run_params,
    notebook_parameters,
)

__all__ = [  # the parameters' names, kept importable from here
    "DEFAULT_TIMEOUT_S",
    "FORMATS",
    "OVERVIEW",
    "RUNNER_KEYS",
    "SET_BY_RUNNER",
    "ParamsError",
    "RunParams",
    "load_run_params",
    "notebook_parameters",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_BAD_INPUT = 2
MAX_LANES = 4  # notebooks run at once, at most (one per core below that)
RENDER_GRACE_S = 10  # seconds a stopped run waits for a report being rendered


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


def ensure_kernel() -> None:
    """Register the ``jixiao`` kernel in this environment if set-up has not."""
    from jupyter_client.kernelspec import KernelSpecManager

    if paths.KERNEL_NAME in KernelSpecManager().find_kernel_specs():
        return
    from ipykernel.kernelspec import install

    install(kernel_name=paths.KERNEL_NAME, display_name="Python (jixiao)", prefix=sys.prefix)


# -- stopping a run: signals, live resources, the output lock

INTERRUPTED_MESSAGE = "已中断，未写入任何不完整的报告 / interrupted; no partial report written"
STOP_SIGNALS = tuple(
    getattr(signal, name) for name in ("SIGINT", "SIGTERM", "SIGHUP") if hasattr(signal, name)
)


class Interrupted(KeyboardInterrupt):
    """Ctrl-C, SIGTERM or SIGHUP stopped the run (raised in the main thread).

    A :class:`KeyboardInterrupt`: ``except Exception`` (a failing department) never catches it,
    and asyncio (papermill's event loop) lets it through.
    """

    def __init__(self, signum: int):
        self.signum = signum
        super().__init__(signal.Signals(signum).name)

    @property
    def exit_code(self) -> int:
        """128 + the signal number, as a shell reports a process it killed: 130, 143, 129."""
        return 128 + self.signum


class _SignalGuard:
    """Turns SIGINT, SIGTERM and SIGHUP into :class:`Interrupted` in the main thread.

    Inside :func:`_deferred` blocks (a publish's two renames, writing the failure records,
    stopping a kernel) a signal waits until the block ends, so what they change is never left
    half-done. After the first signal the run is stopping: later ones are only noted, so the
    clean-up they would interrupt runs to its end.
    """

    def __init__(self) -> None:
        self.installed = False
        self.depth = 0
        self.pending: int | None = None
        self.stopping = False
        self._previous: dict[int, Any] = {}

    def install(self) -> bool:
        if self.installed or threading.current_thread() is not threading.main_thread():
            return False
        self.depth, self.pending, self.stopping = 0, None, False
        for signum in STOP_SIGNALS:
            self._previous[signum] = signal.signal(signum, self._handle)
        self.installed = True
        return True

    def uninstall(self) -> None:
        for signum, previous in self._previous.items():
            signal.signal(signum, previous if previous is not None else signal.SIG_DFL)
        self._previous.clear()
        self.installed = False
        self.depth, self.pending, self.stopping = 0, None, False

    def _handle(self, signum: int, _frame: Any) -> None:
        if self.pending is None:
            self.pending = signum
        if self.depth or self.stopping:
            return
        self.stopping = True
        raise Interrupted(signum)


_SIGNALS = _SignalGuard()


@contextlib.contextmanager
def _deferred() -> Iterator[None]:
    """Hold Ctrl-C/SIGTERM/SIGHUP until the block is done, then stop (see :class:`_SignalGuard`)."""
    _SIGNALS.depth += 1
    try:
        yield
    finally:
        _SIGNALS.depth -= 1
        if _SIGNALS.depth == 0 and _SIGNALS.pending is not None and not _SIGNALS.stopping:
            _SIGNALS.stopping = True
            raise Interrupted(_SIGNALS.pending)


class _LiveResources:
    """Everything started or created by the run that must not outlive it.

    Kernels, reports being rendered and temporary folders add themselves here and remove
    themselves when they are done; :meth:`release_all` stops or deletes whatever is left after a Ctrl-C, a
    SIGTERM or an unexpected error.
    """

    def __init__(self) -> None:
        self.kernels: list[WarmKernel] = []
        self.work: list[Future[Any]] = []  # notebooks running and reports rendering
        self.paths: list[Path] = []

    def add_path(self, path: Path) -> None:
        self.paths.append(path)

    def remove_path(self, path: Path) -> None:
        """Delete a temporary file or folder of the run, then forget it.

        Not before: a signal cutting the deletion short leaves it to :meth:`release_all`.
        """
        _remove(path)
        with contextlib.suppress(ValueError):
            self.paths.remove(path)

    def release_all(self) -> None:
        # A thread cannot be killed: stop the kernels, then let the threads' work end (a render
        # takes a second; a notebook ends once its kernel is gone) before the staging folders are deleted, so
        # that nothing is written into a folder being removed.
        for kernel in list(self.kernels):
            kernel.shutdown()
        running = [f for f in self.work if not f.done()]
        if running:
            wait(running, timeout=RENDER_GRACE_S)
        self.work.clear()
        for path in list(self.paths):
            self.remove_path(path)


_LIVE = _LiveResources()


def _remove(path: Path) -> None:
    """Delete a file or a folder tree; a missing one is fine."""
    if path.is_dir() and not path.is_symlink():
        shutil.rmtree(path, ignore_errors=True)
    else:
        with contextlib.suppress(FileNotFoundError, OSError):
            path.unlink()


def _warn(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


class OutputError(Exception):
    """The output folder cannot be used (not a folder, not writable, or in use); exit code 2."""


LOCK_NAME = ".jixiao.lock"
TEMP_MARK = ".jixiao-tmp-"  # temporary files beside the failure records while they are written


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class OutputLock:
    """``<output>/<year>/.jixiao.lock``: one run at a time writes into a year's folder.

    The file holds the PID of the run; the lock itself is an ``flock`` on it, which the system
    drops when the process dies however it dies, so a lock file left by a killed run is taken
    over (with a note) instead of blocking for ever. Creating the lock is also the check that
    the output folder is a folder and writable, before any notebook runs.
    """

    def __init__(self, year_dir: Path):
        self.year_dir = year_dir
        self.path = year_dir / LOCK_NAME
        self.fd: int | None = None
        self._created: list[Path] = []  # folders this run created, deepest first

    def _unusable(self, exc: OSError) -> OutputError:
        where = self.year_dir
        if isinstance(exc, (FileExistsError, NotADirectoryError)):
            return OutputError(
                f"输出位置 {where} 不是文件夹（同名文件已存在） / the output {where} is not a folder "
                f"(a file is in the way): {exc.strerror or exc}"
            )
        if exc.errno == errno.ENOSPC:
            return OutputError(
                f"磁盘已满，无法写入输出文件夹 {where} / no space left on the device of {where}"
            )
        return OutputError(
            f"输出文件夹 {where} 不可写 / cannot write to the output folder {where}: "
            f"{exc.strerror or exc}"
        )

    def acquire(self) -> list[str]:
        """Create the folder and take the lock; return notes (a stale lock taken over).

        Raises:
            OutputError: the output is not a writable folder, or another run holds the lock.
        """
        import fcntl

        missing = self._missing_folders()
        try:
            self.year_dir.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise self._unusable(exc) from None
        self._created = missing
        notes: list[str] = []
        for _attempt in range(5):
            try:
                fd = os.open(self.path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
            except OSError as exc:
                self._remove_created()
                raise self._unusable(exc) from None
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                holder = self._read_pid(fd)
                os.close(fd)
                self._remove_created()
                raise self._busy(holder) from None
            except OSError:  # a file system without flock: fall back on the PID alone
                holder = self._read_pid(fd)
                if holder and holder != os.getpid() and _pid_alive(holder):
                    os.close(fd)
                    self._remove_created()
                    raise self._busy(holder) from None
            if not self._same_file(fd):  # the holder removed it meanwhile: lock the new one
                os.close(fd)
                continue
            holder = self._read_pid(fd)
            if holder and holder != os.getpid():
                notes.append(
                    f"注意：接管进程 {holder} 遗留的锁文件 {self.path}（该进程已结束） / "
                    f"note: taking over the lock {self.path} left by process {holder}, "
                    "which is no longer running"
                )
            self._write_pid(fd)
            return notes
        raise OutputError(f"无法锁定输出文件夹 {self.year_dir} / could not lock {self.year_dir}")

    def _missing_folders(self) -> list[Path]:
        """The folders up to the year folder that do not exist yet, deepest first."""
        missing, folder = [], self.year_dir
        while not folder.exists() and not folder.is_symlink() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        return missing

    def _write_pid(self, fd: int) -> None:
        """Write this run's PID into the locked file; it is then the held lock."""
        try:
            os.ftruncate(fd, 0)
            os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        except OSError as exc:
            self.fd = fd
            self.release()
            raise self._unusable(exc) from None
        self.fd = fd

    def _busy(self, holder: int | None) -> OutputError:
        who = f"进程 {holder}" if holder else "另一进程"
        who_en = f"process {holder}" if holder else "another process"
        return OutputError(
            f"另一个 jixiao report（{who}）正在写入 {self.year_dir}，请等它结束后再运行；"
            f"未写入任何文件 / another jixiao report ({who_en}) is writing to {self.year_dir}; "
            "wait for it to finish. Nothing was written."
        )

    @staticmethod
    def _read_pid(fd: int) -> int | None:
        try:
            text = os.pread(fd, 64, 0).decode("ascii", "replace").strip()
        except OSError:
            return None
        return int(text) if text.isdigit() else None

    def _same_file(self, fd: int) -> bool:
        try:
            current = os.stat(self.path)
        except OSError:
            return False
        mine = os.fstat(fd)
        return (current.st_dev, current.st_ino) == (mine.st_dev, mine.st_ino)

    def _remove_created(self) -> None:
        for folder in self._created:  # deepest first; a folder with content stays
            with contextlib.suppress(OSError):
                folder.rmdir()
        self._created = []

    def release(self) -> None:
        """Remove the lock file and the folders the run created and left empty."""
        fd, self.fd = self.fd, None
        if fd is None:
            return
        if self._same_file(fd):
            with contextlib.suppress(OSError):
                self.path.unlink()
        os.close(fd)
        self._remove_created()


def recover_output(year_dir: Path) -> list[str]:
    """Tidy what a killed run (SIGKILL, power loss) left in ``year_dir``; call under the lock.

    A ``.<department>.old-<pid>`` folder whose department folder is missing means the run died
    between the two renames of a publish: it is the previous report and is renamed back.
    Staging folders and temporary files are deleted. Returns a note for each repair.
    """
    notes: list[str] = []
    try:
        entries = sorted(year_dir.iterdir())
    except OSError:
        return notes
    for entry in entries:
        name = entry.name
        if entry.is_dir() and not name.startswith("."):
            for temp in entry.glob(f".*{TEMP_MARK}*"):
                _remove(temp)
            continue
        if not name.startswith(".") or not entry.is_dir():
            continue
        if ".partial-" in name:
            _remove(entry)
            notes.append(
                f"注意：已删除中断的运行留下的临时文件夹 {entry} / "
                f"note: removed the staging folder {entry} of an interrupted run"
            )
        elif ".old-" in name:
            note = _restore_previous(entry, year_dir / name[1:].rsplit(".old-", 1)[0])
            if note:
                notes.append(note)
    return notes


def _restore_previous(old: Path, final: Path) -> str | None:
    """Rename a ``.<department>.old-<pid>`` folder back unless ``final`` exists; a note if so."""
    if final.exists():
        _remove(old)
        return None
    try:
        old.rename(final)
    except OSError as exc:
        return f"无法恢复 {final} / could not restore {final}: {exc}"
    return (
        f"注意：已恢复中断的运行替换到一半的报告 {final} / "
        f"note: restored the previous report {final}, half-replaced by an "
        "interrupted run"
    )


class ReportSession:
    """One ``jixiao report`` run: its output lock; see :func:`report_session`."""

    def __init__(self) -> None:
        self.locks: list[OutputLock] = []

    def claim_output(self, params: RunParams) -> list[str]:
        """Check the output folder is usable, lock it and repair what a killed run left.

        Returns:
            Notes to show (a stale lock taken over, a report restored).

        Raises:
            OutputError: not a writable folder, or another run is writing there.
        """
        lock = OutputLock(params.output_dir / str(params.fiscal_year))
        with _deferred():
            notes = lock.acquire()
            self.locks.append(lock)
        return notes + recover_output(lock.year_dir)

    def close(self) -> None:
        """Release every output lock the session holds."""
        for lock in self.locks:
            lock.release()
        self.locks.clear()


@contextlib.contextmanager
def report_session() -> Iterator[ReportSession]:
    """Run a report batch so that it can be stopped at any moment without leaving anything.

    SIGINT, SIGTERM and SIGHUP raise :class:`Interrupted` in the main thread (only there:
    signal handlers cannot be installed from other threads, and then nothing changes). However
    the block ends, every kernel and PDF worker still running is stopped, every staging folder
    and temporary file is deleted and the output lock is released. A signal that arrives during
    this final clean-up is still reported as :class:`Interrupted` afterwards.
    """
    installed = _SIGNALS.install()
    session = ReportSession()

    def close() -> int | None:
        if installed:
            _SIGNALS.stopping = True
        try:
            _LIVE.release_all()
            session.close()
        finally:
            pending = _SIGNALS.pending if installed else None
            if installed:
                _SIGNALS.uninstall()
        return pending

    try:
        yield session
    except BaseException:
        close()
        raise
    pending = close()
    if pending is not None:  # the signal arrived while the run was already ending
        raise Interrupted(pending)


# -- failures and publishing


def _describe_failure(exc: BaseException, notebook: Path, timeout_s: int | None = None) -> str:
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
    if isinstance(exc, ReportTimeout):
        return str(exc)
    if isinstance(exc, OSError) and exc.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"磁盘空间不足，无法写入 / out of disk space: {type(exc).__name__}: {exc}"
    if isinstance(exc, TimeoutError) and type(exc).__name__ == "CellTimeoutError":
        where, where_en = "单元格", "a cell"
        with contextlib.suppress(Exception):
            import nbformat

            nb = nbformat.read(notebook, as_version=4)
            # The stuck cell is the last one the kernel started (papermill saved it running).
            index, cell = max(
                ((i, c) for i, c in enumerate(nb.cells) if c.get("execution_count")),
                key=lambda item: item[1].execution_count,
            )
            source = cell.source.strip().splitlines()[0]
            where = f"第 {index + 1} 个单元格（执行序号 {cell.execution_count}，代码：{source}）"
            where_en = f"cell {index + 1}"
        return (
            f"{where}运行超过 {timeout_s} 秒（timeout_s），已停止 / "
            f"{where_en} ran longer than {timeout_s} s (timeout_s) and was stopped"
        )
    if type(exc).__name__ == "DeadKernelError":
        return (
            "运行 notebook 的内核意外退出（可能是内存不足，或进程被终止） / the notebook's kernel "
            f"died (out of memory, or killed): {exc}"
        )
    return f"{type(exc).__name__}: {exc}"


def write_failure_records(
    final: Path, executed: Path, message: str, stem: str = "report"
) -> list[str]:
    """Put ``report.failed.ipynb`` and ``report.error.txt`` beside the previous report.

    ``stem`` names them (``overview.failed.ipynb`` … for the year's overview).

    Either file is complete or absent: on a full disk or a read-only folder the error is
    returned (and the run goes on), never raised.

    Returns:
        One problem (zh / en) per file that could not be written.
    """
    problems: list[str] = []
    try:
        final.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        return [f"无法写入失败记录 {final} / could not write the failure record {final}: {exc}"]
    records: list[tuple[Path, bytes]] = []
    notebook = _whole_notebook(executed)
    if notebook is not None:
        records.append((final / f"{stem}.failed.ipynb", notebook))
    elif executed.is_file():
        # Saving it failed half-way (a full disk): a truncated copy would only mislead.
        message += NOT_SAVED_NOTE
    records.append((final / f"{stem}.error.txt", (message + "\n").encode("utf-8")))
    for target, content in records:
        try:
            paths.write_atomically(target, content, TEMP_MARK)
        except OSError as exc:
            problems.append(f"无法写入 {target} / could not write {target}: {exc}")
    return problems


def _whole_notebook(path: Path) -> bytes | None:
    """The bytes of a complete notebook file, or None (missing, unreadable or truncated)."""
    try:
        data = path.read_bytes()
        json.loads(data)
    except (OSError, ValueError):
        return None
    return data


def _publish_files(staging: Path, year_dir: Path) -> list[Path]:
    """Move each file of the overview's staging folder into the year folder, then remove it.

    Each file replaces its previous version atomically (``overview.html`` …); the staging
    folder goes once empty. As a department's folder is replaced whole, the overview keeps no
    file of a format this run did not write, nor an earlier run's failure records.
    """
    written = {source.name for source in staging.iterdir()}
    stale = [
        year_dir / name
        for name in (
            *(f"{OVERVIEW}.{fmt}" for fmt in FORMATS),
            f"{OVERVIEW}.failed.ipynb",
            f"{OVERVIEW}.error.txt",
        )
        if name not in written
    ]
    published = []
    with _deferred():
        for source in sorted(staging.iterdir()):
            target = year_dir / source.name
            if source.is_dir():  # a folder (the Parquet tables) replaces its previous version
                old = year_dir / f".{source.name}.old-{os.getpid()}"
                if target.is_dir():
                    target.rename(old)
                os.replace(source, target)
                shutil.rmtree(old, ignore_errors=True)
                published += sorted(p for p in target.rglob("*") if p.is_file())
            else:
                os.replace(source, target)
                published.append(target)
        for path in stale:
            path.unlink(missing_ok=True)
        shutil.rmtree(staging, ignore_errors=True)
    return published


def _publish(staging: Path, final: Path) -> None:
    """Replace ``final`` with ``staging`` in two renames (never a half-written folder).

    Signals wait until both renames are done; if the second rename fails the previous report is
    renamed back. A process killed outright between the renames leaves ``.<name>.old-<pid>``,
    which :func:`recover_output` restores at the next run.
    """
    final.parent.mkdir(parents=True, exist_ok=True)
    old = None
    with _deferred():
        if final.exists():
            old = final.with_name(f".{final.name}.old-{os.getpid()}")
            final.rename(old)
            _LIVE.add_path(old)
        try:
            staging.rename(final)
        except BaseException:
            if old is not None:
                with contextlib.suppress(OSError, ValueError):
                    old.rename(final)
                    _LIVE.paths.remove(old)
            raise
        with contextlib.suppress(ValueError):
            _LIVE.paths.remove(staging)
    if old is not None:
        _LIVE.remove_path(old)


# -- kernels


async def _wait_for_ready_quickly(client: Any, timeout: float | None = None) -> None:
    """``wait_for_ready`` without jupyter_client's fixed 0.2 s waits (two per client).

    The kernel is known ready when it answers ``kernel_info`` on the shell channel and its
    ``idle`` status for that request arrives on IOPub (which proves IOPub is connected, the
    reason jupyter_client waits); messages still queued after that are other requests' and are
    ignored by whoever reads IOPub for their own request.
    """
    from queue import Empty

    from jupyter_core.utils import ensure_async

    deadline = time.monotonic() + (timeout if timeout is not None else 120.0)
    while True:
        msg_id = client.kernel_info()
        try:
            reply = await ensure_async(client.shell_channel.get_msg(timeout=1))
        except Empty:
            reply = None
        is_info = reply is not None and reply["msg_type"] == "kernel_info_reply"
        if is_info and await _saw_idle(client, msg_id, wait_s=1.0):
            client._handle_kernel_info_reply(reply)
            return
        if not await client._async_is_alive():
            raise RuntimeError("Kernel died before replying to kernel_info")
        if time.monotonic() > deadline:
            raise RuntimeError(f"Kernel didn't respond in {timeout} seconds")


async def _saw_idle(client: Any, msg_id: str, wait_s: float) -> bool:
    """Whether the kernel's ``idle`` status for ``msg_id`` arrives on IOPub within ``wait_s``."""
    from queue import Empty

    from jupyter_core.utils import ensure_async

    end = time.monotonic() + wait_s
    while (left := end - time.monotonic()) > 0:
        try:
            msg = await ensure_async(client.iopub_channel.get_msg(timeout=left))
        except Empty:
            return False
        if (
            msg["parent_header"].get("msg_id") == msg_id
            and msg["msg_type"] == "status"
            and msg["content"].get("execution_state") == "idle"
        ):
            return True
    return False


@functools.cache
def _quick_client_classes() -> tuple[type, type]:
    """Async (for papermill) and blocking (for the warm-up) clients that get ready quickly."""
    from jupyter_client.asynchronous import AsyncKernelClient
    from jupyter_client.blocking import BlockingKernelClient
    from jupyter_core.utils import run_sync

    class QuickAsyncClient(AsyncKernelClient):
        wait_for_ready = _wait_for_ready_quickly

    class QuickBlockingClient(BlockingKernelClient):
        wait_for_ready = run_sync(_wait_for_ready_quickly)

    return QuickAsyncClient, QuickBlockingClient


def _ipc_kernel_manager_class() -> type:
    """A kernel manager talking to the kernel over local IPC sockets instead of TCP.

    Local sockets keep report contents off the network and spare the kernel's warning about
    unencrypted TCP. Its clients get ready without jupyter_client's fixed waits.
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

        @trait_default("client_factory")
        def _client_factory_default(self) -> type:
            return _quick_client_classes()[0]

    return IPCKernelManager


KERNEL_MAX_USES = 25  # departments one kernel runs before a fresh one replaces it
RESET_CODE = (
    "import os\n"
    "os.chdir({cwd!r})  # first: the previous folder has been published (moved) meanwhile\n"
    "import helpers.report\n"
    "helpers.report.reset_kernel(get_ipython())  # jixiao: clean namespace, counts from 1"
)
WARM_UP_CODE = (
    "import helpers.report, helpers.explore\n"
    "helpers.report.warm_up()  # jixiao: warm-up before the parameters arrive"
)


class WarmKernel:
    """A ``jixiao`` kernel started ahead of time, with the report's imports already done.

    Starting a kernel and importing pandas, matplotlib and the helpers takes about two seconds;
    the runner does it in a background thread while it reads parameters, validates data or
    exports the previous department, so the notebook itself starts at once. The kernel starts in
    a private temporary folder and moves into the report's folder when taken (nothing is
    written to the output before the input is known to be good). The warm-up runs with
    ``store_history=False``: the executed notebook's cells still count from 1.

    :meth:`shutdown` always stops the kernel (its whole process group) and removes its
    connection file, sockets and folder, even after an interrupted papermill run.
    """

    def __init__(self) -> None:
        self.manager: Any = None
        self.error: BaseException | None = None
        self.uses = 0  # departments run in this kernel
        self._pid: int | None = None
        self._files: list[str] = []  # connection file and IPC sockets, removed at shutdown
        self._abort = threading.Event()
        self._thread = threading.Thread(target=self._start, name="jixiao-warm-kernel", daemon=True)
        with _deferred():
            self.home = Path(tempfile.mkdtemp(prefix="jixiao-kernel-home-"))
            _LIVE.kernels.append(self)
            self._thread.start()

    def _client(self) -> Any:
        # With the manager as parent, "is the kernel alive?" asks the process, not the
        # heartbeat, which has not beaten yet while a cold kernel is still importing: without
        # it a slow start is misread as "Kernel died before replying to kernel_info".
        client = _quick_client_classes()[1](parent=self.manager)
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
            # No IPython history: a report run writes nothing to the user's profile (and a full
            # disk cannot break the kernel through its history database).
            asyncio.run(
                manager.start_kernel(
                    cwd=str(self.home), extra_arguments=["--HistoryManager.enabled=False"]
                )
            )
            self.manager = manager
            self._pid = getattr(manager.provisioner, "pid", None)
            self._files = [manager.connection_file]
            if manager.transport == "ipc":
                self._files += [f"{manager.ip}-{port}" for port in manager.ports]
            if not self._abort.is_set():
                self._run(WARM_UP_CODE)
        except BaseException as exc:  # reported when the kernel is taken
            self.error = exc
        finally:
            # The blocking client ran on an event loop of this thread's own; close it with
            # the thread rather than leave it to the garbage collector (ResourceWarning).
            from jupyter_core.utils import ensure_event_loop

            with contextlib.suppress(Exception):
                ensure_event_loop().close()

    def _kill_while_warming(self) -> None:
        """Kill the kernel's process group without waiting for its warm-up to end."""
        deadline = time.monotonic() + 2
        while self._thread.is_alive() and self._pid is None and time.monotonic() < deadline:
            self._thread.join(0.05)  # still launching: its process id comes in a moment
        pid = self._pid
        if pid is not None and self._thread.is_alive():
            with contextlib.suppress(OSError):
                os.killpg(pid, signal.SIGKILL)
        self._thread.join(5)  # the warm-up sees its kernel die; a daemon thread, at worst

    def take(self, cwd: Path) -> Any:
        """Wait for the kernel, move it into ``cwd`` and return its manager.

        A kernel that already ran a department is reset first (:data:`RESET_CODE`): an empty
        namespace, execution counts from 1, matplotlib's defaults and the report's style.

        Raises:
            BaseException: whatever starting, warming or resetting the kernel raised.
        """
        self._thread.join()
        if self.error is None:
            code = f"import os\nos.chdir({str(cwd)!r})"
            try:
                self._run(RESET_CODE.format(cwd=str(cwd)) if self.uses else code)
            except Exception as exc:
                self.error = exc
        if self.error is not None:
            self.shutdown()
            raise self.error
        self.uses += 1
        return self.manager

    @property
    def is_reusable(self) -> bool:
        """Whether the kernel can run another department (alive, not worn out)."""
        return self.manager is not None and self.error is None and self.uses < KERNEL_MAX_USES

    def shutdown(self, *, at_once: bool = False) -> None:
        """Stop the kernel and remove its temporary files (safe to call more than once).

        Args:
            at_once: do not wait for a warming kernel to finish its imports: kill it as soon
                as it has a process (a Dask worker being closed has a few seconds before it is
                killed, and a kernel it leaves behind prints to the user's terminal).
        """
        import asyncio

        with _deferred():
            self._abort.set()
            if at_once:
                self._kill_while_warming()
            else:
                self._thread.join()
            manager, self.manager = self.manager, None
            if manager is not None:
                with contextlib.suppress(Exception):
                    asyncio.run(manager.shutdown_kernel(now=True))
            pid, self._pid = self._pid, None
            if pid is not None and _still_running_child(pid):
                # The manager could not stop it (its event loop was cut by a signal): kill the
                # kernel's process group (the kernel leads a session of its own).
                with contextlib.suppress(OSError):
                    os.killpg(pid, signal.SIGKILL)
                with contextlib.suppress(OSError):
                    os.waitpid(pid, 0)
            for name in self._files:
                with contextlib.suppress(OSError):
                    os.unlink(name)
            self._files = []
            shutil.rmtree(self.home, ignore_errors=True)
            with contextlib.suppress(ValueError):
                _LIVE.kernels.remove(self)


def _still_running_child(pid: int) -> bool:
    """True when ``pid`` is a child of ours that has not exited (never a reused PID)."""
    try:
        done, _status = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False  # already reaped: the PID may belong to someone else now
    return done == 0


def start_warm_kernel() -> WarmKernel:
    """Register the kernel if needed and start warming one (call before slow start-up work)."""
    ensure_kernel()
    return WarmKernel()


# -- the PDF worker


class ReportTimeout(Exception):
    """A step of one department took longer than ``timeout_s``."""


# -- the pipeline


@dataclass
class _Job:
    """One department (or the year's overview) on its way through the pipeline."""

    department: str
    final: Path  # the department's folder; the year folder for the overview
    staging: Path
    kernel: WarmKernel
    started: float
    execution: Future[None] | None = None  # while the notebook runs
    rendering: Future[list[Path]] | None = None  # while the formats are written
    render_started: float | None = None

    @property
    def is_overview(self) -> bool:
        """Whether this is the year's overview (``overview.*`` in the year folder)."""
        return self.department == OVERVIEW

    @property
    def stem(self) -> str:
        """The file names' stem: ``report`` or ``overview``."""
        return OVERVIEW if self.is_overview else "report"


PARTIAL_SAVE_EVERY_S = 5.0  # a long notebook run is written out this often while it runs


class NotebookNotSaved(OSError):
    """The executed notebook could not be written whole (a full disk); nothing half is left."""


NOT_SAVED_NOTE = (
    "\n（执行后的 notebook 未能完整保存，未保留 report.failed.ipynb / the executed "
    "notebook could not be saved whole; no report.failed.ipynb kept）"
)


def write_notebook_quickly(nb: Any, path: Path) -> None:
    """Write a notebook as compact JSON (a valid ``.ipynb``), atomically.

    nbformat's own writer indents, which makes Python use its slow pure-Python JSON encoder:
    about 40 ms for a report's 0.8 MB, several times per department.

    Raises:
        NotebookNotSaved: the disk is full or the file too large; no partial file is left.
    """
    try:
        paths.write_atomically(path, json.dumps(nb, ensure_ascii=False))
    except OSError as exc:
        raise NotebookNotSaved(exc.errno, exc.strerror) from None


@functools.cache
def _papermill_engine() -> str:
    """Register papermill's nbclient engine with fewer notebook writes; return its name.

    Papermill writes the whole executed notebook at the start and the end of every cell
    (about 25 writes of up to 1 MB of JSON for a report, half a second). With
    ``request_save_on_cell_execute=False`` it writes once, at the end; this engine adds a quick
    write of the notebook so far (``record_path``) every :data:`PARTIAL_SAVE_EVERY_S` seconds
    while cells run, and when the run stops with an exception papermill does not record (a
    timeout, a dead kernel), so that the failure records show how far it got.
    """
    from papermill.engines import NBClientEngine, NotebookExecutionManager, papermill_engines

    class FewerSaves(NotebookExecutionManager):  # type: ignore[misc]
        record_path: Path | None = None
        _last_save = 0.0

        def save(self, **kwargs: Any) -> None:
            now = time.monotonic()
            if self.record_path is not None and now - self._last_save >= PARTIAL_SAVE_EVERY_S:
                self._last_save = now
                write_notebook_quickly(self.nb, self.record_path)

    class JixiaoEngine(NBClientEngine):  # type: ignore[misc]
        @classmethod
        def execute_notebook(  # type: ignore[no-untyped-def]
            cls,
            nb,
            kernel_name,
            output_path=None,
            progress_bar=True,
            log_output=False,
            autosave_cell_every=30,
            record_path=None,
            **kwargs,
        ):
            """Papermill's ``Engine.execute_notebook`` with :class:`FewerSaves`."""
            nb_man = FewerSaves(
                nb,
                output_path=output_path,
                progress_bar=progress_bar,
                log_output=log_output,
                autosave_cell_every=autosave_cell_every,
            )
            nb_man.record_path = record_path
            nb_man._last_save = time.monotonic()
            nb_man.notebook_start()
            try:
                cls.execute_managed_notebook(nb_man, kernel_name, log_output=log_output, **kwargs)
            except BaseException:
                nb_man.notebook_complete()
                if record_path is not None:
                    with contextlib.suppress(OSError):
                        write_notebook_quickly(nb_man.nb, record_path)
                raise
            finally:
                nb_man.cleanup_pbar()
            nb_man.notebook_complete()
            return nb_man.nb

    papermill_engines.register("jixiao", JixiaoEngine)
    # nbclient logs "Kernel died while waiting for execute reply." through papermill's logger
    # (in English, between our lines, on every Ctrl-C); the run reports a dead kernel itself
    # (_describe_failure), so that one line is dropped and papermill's other warnings stay.
    logging.getLogger("papermill").addFilter(_NoDeadKernelLine())  # once: the function is cached
    return "jixiao"


class _NoDeadKernelLine(logging.Filter):
    """Drops nbclient's "Kernel died while waiting for execute reply." (papermill's logger)."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Kernel died")


def render_formats(
    executed: Path, formats: list[str], folder: Path, stem: str = "report"
) -> list[Path]:
    """Rebuild the report document from an executed notebook and write each format.

    The formats are rendered side by side (Typst and the chart conversion for Word run
    outside Python's lock), each written to ``report.<format>`` in ``folder``.

    Args:
        executed: the executed ``report.ipynb``.
        formats: any of ``html``, ``pdf``, ``docx``.
        folder: where the files go (the staging folder).
        stem: the files' name before the suffix (``report.html``, ``overview.html``).

    Returns:
        The files written.
    """
    from helpers.render.collect import collect_document

    document = collect_document(json.loads(executed.read_text("utf-8")))

    def write(fmt: str) -> Path:
        data = _RENDERERS[fmt](document)
        target = folder / f"{stem}.{fmt}"
        if isinstance(data, str):
            target.write_text(data, "utf-8")
        else:
            target.write_bytes(data)
        return target

    if len(formats) == 1:
        return [write(formats[0])]
    with ThreadPoolExecutor(len(formats), thread_name_prefix="jixiao-format") as pool:
        return list(pool.map(write, formats))


def _html(document: Any) -> str:
    from helpers.render.html import render_html

    return render_html(document)


def _pdf(document: Any) -> bytes:
    from helpers.render.pdf import render_pdf

    return render_pdf(document)


def _docx(document: Any) -> bytes:
    from helpers.render.docx import render_docx

    return render_docx(document)


_RENDERERS: dict[str, Callable[[Any], str | bytes]] = {"html": _html, "pdf": _pdf, "docx": _docx}


def _warm_renderers(formats: list[str]) -> None:
    """Render a tiny document in every format while the first notebook runs.

    Imports (Jinja2, Typst, python-docx), Typst's font scan and Word's template load are then
    done before the first real report reaches the render thread.
    """
    from matplotlib.figure import Figure as Chart

    from helpers.charts import figure_to_svg
    from helpers.document import Cell, Document, Figure, Heading, Paragraph, Table
    from helpers.fonts import configure_charts

    configure_charts()
    chart = Chart(figsize=(2, 1))
    chart.subplots().barh(["预算绩效"], [2021])
    tiny = Document(
        "预算绩效自评",
        [
            Heading("预算绩效自评 2021", 1),
            Paragraph("正文 ABC 123"),
            Table("表", [[Cell("项目"), Cell("得分", is_numeric=True)]], [[Cell("甲"), Cell("1")]]),
            Figure("图", figure_to_svg(chart)),
        ],
    )
    for fmt in formats:
        with contextlib.suppress(Exception):  # a real problem shows with the first report
            _RENDERERS[fmt](tiny)


def default_lanes() -> int:
    """How many notebooks run at once: one per core, at most :data:`MAX_LANES`."""
    return max(1, min(MAX_LANES, os.cpu_count() or 1))


class ReportPipeline:
    """Render departments with the slow parts overlapped and the cores in use.

    Up to ``lanes`` notebooks run at once, each in a kernel of its own that is kept warm and
    reused (reset) from one department to the next; a department's formats are rendered in a
    background thread while the next notebooks run. Everything that touches the output (staging
    folders, publishing, failure records) happens in the calling thread, so a Ctrl-C or SIGTERM
    finds it either done or not begun; the threads only run notebooks and renderers.
    """

    def __init__(self, params: RunParams, step: Any = None, lanes: int | None = None):
        self.params = params
        self.step = step or (lambda _department, _text: None)
        self.lanes = lanes or default_lanes()
        self._jobs: list[_Job] = []  # prepared and not yet published or failed
        self._idle_kernels: list[WarmKernel] = []  # warm and free for the next department
        self._notebooks = ThreadPoolExecutor(self.lanes, thread_name_prefix="jixiao-notebook")
        self._renderer = self._new_renderer()
        self._renderer.submit(_warm_renderers, params.formats)

    @staticmethod
    def _new_renderer() -> ThreadPoolExecutor:
        return ThreadPoolExecutor(max_workers=1, thread_name_prefix="jixiao-render")

    def close(self) -> None:
        """Stop every kernel; let the threads go once what they run has ended."""
        for kernel in self._idle_kernels:
            kernel.shutdown()
        self._idle_kernels.clear()
        for job in list(self._jobs):
            job.kernel.shutdown()
        # Threads cannot be killed: the kernels they talk to are gone, so a notebook thread
        # ends within moments, and a render takes about a second. Wait for both (bounded)
        # before the caller deletes their staging folders.
        running: list[Future[Any]] = [
            f for j in self._jobs for f in (j.execution, j.rendering) if f and not f.done()
        ]
        if running:
            wait(running, timeout=RENDER_GRACE_S)
        self._notebooks.shutdown(wait=False, cancel_futures=True)
        self._renderer.shutdown(wait=False, cancel_futures=True)

    # -- stages, all in the calling thread except the two ``submit``s
    def prepare(self, department: str) -> _Job:
        """Make the staging folder and give the department a kernel (a warm one if free)."""
        year_dir = self.params.output_dir / str(self.params.fiscal_year)
        final = year_dir if department == OVERVIEW else year_dir / department
        year_dir.mkdir(parents=True, exist_ok=True)
        with _deferred():
            staging = Path(tempfile.mkdtemp(prefix=f".{department}.partial-", dir=year_dir))
            _LIVE.add_path(staging)
        staging.chmod(paths.shared_mode(0o777))
        kernel = self._idle_kernels.pop() if self._idle_kernels else WarmKernel()
        job = _Job(department, final, staging, kernel, time.perf_counter())
        self._jobs.append(job)
        return job

    def start_notebook(self, job: _Job) -> None:
        """Run the department's notebook in a notebook thread."""
        self.step(job.department, "执行 notebook")
        with _deferred():
            job.execution = self._notebooks.submit(execute_notebook, self.params, job)
            _LIVE.work.append(job.execution)

    def notebook_done(self, job: _Job) -> None:
        """The notebook ran: keep its kernel for another department, render in the background.

        Raises:
            BaseException: what running the notebook raised (its kernel is then stopped).
        """
        assert job.execution is not None
        error = job.execution.exception()
        if error is not None:
            job.kernel.shutdown()  # stuck, dead or mid-cell: never reused
            raise error
        if job.kernel.is_reusable:
            self._idle_kernels.append(job.kernel)
        else:
            job.kernel.shutdown()
        self.step(job.department, f"导出 {'、'.join(f.upper() for f in self.params.formats)}")
        self._submit_render(job)

    def _submit_render(self, job: _Job) -> None:
        with _deferred():
            if job.rendering is not None:
                with contextlib.suppress(ValueError):
                    _LIVE.work.remove(job.rendering)
            job.render_started = None
            job.rendering = self._renderer.submit(_render_job, job, self.params.formats)
            _LIVE.work.append(job.rendering)

    def _replace_renderer(self) -> None:
        """Leave a stuck render thread behind; renders queued behind it move to a new one."""
        stuck, self._renderer = self._renderer, self._new_renderer()
        for job in self._jobs:
            if job.rendering is not None and job.rendering.cancel():
                self._submit_render(job)
        stuck.shutdown(wait=False, cancel_futures=True)

    def publish(self, job: _Job) -> DepartmentOutcome:
        """The formats are written: publish the folder.

        Raises:
            BaseException: what rendering raised.
        """
        assert job.rendering is not None
        error = job.rendering.exception()
        if error is not None:
            raise error
        if job.is_overview:
            files = _publish_files(job.staging, job.final)
        else:
            _publish(job.staging, job.final)
            files = sorted(p for p in job.final.rglob("*") if p.is_file())
        self._forget(job)
        return DepartmentOutcome(
            job.department, True, files=files, seconds=time.perf_counter() - job.started
        )

    def fail(self, job: _Job, exc: BaseException) -> DepartmentOutcome:
        """Keep the evidence beside the previous report, which stays untouched."""
        executed = job.staging / f"{job.stem}.ipynb"
        message = _describe_failure(exc, executed, self.params.timeout_s)
        if isinstance(exc, NotebookNotSaved):
            message += NOT_SAVED_NOTE
        with _deferred():
            for problem in write_failure_records(job.final, executed, message, job.stem):
                _warn(problem)
            self._forget(job)
        return DepartmentOutcome(
            job.department, False, "failed", message, seconds=time.perf_counter() - job.started
        )

    def _forget(self, job: _Job) -> None:
        """The job is over: delete its staging folder (gone already once published)."""
        for future in (job.execution, job.rendering):
            with contextlib.suppress(ValueError):
                _LIVE.work.remove(future)  # type: ignore[arg-type]
        _LIVE.remove_path(job.staging)
        with contextlib.suppress(ValueError):
            self._jobs.remove(job)

    def _overdue(self, job: _Job) -> bool:
        started = job.render_started
        return started is not None and time.monotonic() - started > self.params.timeout_s

    def _step_forward(self, job: _Job) -> DepartmentOutcome | None:
        """Move a job whose thread finished one stage on; its outcome once it has one."""
        try:
            if job.rendering is None:
                self.notebook_done(job)
                return None
            if not job.rendering.done():  # overdue
                self._replace_renderer()
                raise ReportTimeout(
                    f"导出超过 {self.params.timeout_s} 秒 / rendering took longer than "
                    f"{self.params.timeout_s} s"
                )
            return self.publish(job)
        except Exception as exc:
            return self.fail(job, exc)

    def run(
        self,
        departments: list[str],
        report: Any = None,
        warm_kernels: list[WarmKernel] | None = None,
    ) -> list[DepartmentOutcome]:
        """Render ``departments``; ``report(outcome)`` is called as each finishes.

        ``warm_kernels`` are kernels already warming, used first. However this ends (an
        interrupt included), no kernel, thread work or staging folder of the run is left.
        """
        report = report or (lambda _outcome: None)
        self._idle_kernels.extend(warm_kernels or [])
        waiting = list(reversed(departments))
        outcomes: list[DepartmentOutcome] = []
        try:
            while waiting or self._jobs:
                while waiting and self._free_lanes() > 0:
                    self.start_notebook(self.prepare(waiting.pop()))
                for job in self._ready_jobs():
                    outcome = self._step_forward(job)
                    if outcome is not None:
                        outcomes.append(outcome)
                        report(outcome)
        finally:
            self.close()
            for job in list(self._jobs):
                self._forget(job)
        return outcomes

    def _free_lanes(self) -> int:
        busy = sum(1 for j in self._jobs if j.rendering is None)
        return self.lanes - busy

    def _ready_jobs(self) -> list[_Job]:
        """Wait until some thread finished (or a render is overdue); those jobs, in order."""
        futures: dict[Future[Any], _Job] = {
            f: job
            for job in self._jobs
            for f in ((job.rendering,) if job.rendering is not None else (job.execution,))
            if f is not None
        }
        done, _ = wait(futures, timeout=1.0, return_when=FIRST_COMPLETED)
        ready = [futures[f] for f in done]
        ready += [j for j in self._jobs if j not in ready and self._overdue(j)]
        return sorted(ready, key=self._jobs.index)


def _render_job(job: _Job, formats: list[str]) -> list[Path]:
    """Write a department's formats (a render thread); its timeout counts from here."""
    job.render_started = time.monotonic()
    return render_formats(job.staging / f"{job.stem}.ipynb", formats, job.staging, job.stem)


def execute_notebook(params: RunParams, job: _Job) -> None:
    """Run one department's notebook with papermill in its kernel (a notebook thread).

    The steps of ``papermill.execute_notebook`` (load, inject the parameters, record them in
    the metadata, execute with the engine, raise on a cell error with papermill's error
    markers), minus its final write through nbformat's indenting writer (the slowest part of
    a run for the runner's own process); the executed notebook is written here as compact
    JSON instead, a valid ``.ipynb`` all the same.
    """
    from papermill.engines import papermill_engines
    from papermill.execute import (
        prepare_notebook_metadata,
        raise_for_execution_errors,
        remove_error_markers,
    )
    from papermill.iorw import load_notebook_node
    from papermill.parameterize import parameterize_notebook

    record = job.staging / f"{job.stem}.ipynb"
    manager = job.kernel.take(job.staging)
    if job.is_overview:
        source = str(params.notebook.with_name("overview.ipynb"))
        parameters: dict[str, Any] = {
            "fiscal_year": params.fiscal_year,
            "data_dir": str(params.data_dir),
            "link_format": "html" if "html" in params.formats else params.formats[0],
            "scoring": params.notebook_parameters.get("scoring") or {},
            "bureau": params.bureau,
        }
    else:
        source = str(params.notebook)
        parameters = {
            **params.notebook_parameters,
            "fiscal_year": params.fiscal_year,
            "department": job.department,
            "data_dir": str(params.data_dir),
            "charts_dir": "charts",
        }
    nb = parameterize_notebook(
        load_notebook_node(source), parameters, kernel_name=paths.KERNEL_NAME
    )
    nb = remove_error_markers(prepare_notebook_metadata(nb, source, str(record)))
    nb = papermill_engines.execute_notebook_with_engine(
        _papermill_engine(),
        nb,
        input_path=source,
        output_path=None,  # no write per cell; see _papermill_engine
        kernel_name=paths.KERNEL_NAME,
        progress_bar=False,
        log_output=False,
        start_timeout=60,
        stdout_file=None,
        stderr_file=None,
        km=manager,  # already in job.staging; papermill's cwd= would chdir this whole process
        execution_timeout=params.timeout_s,
        record_path=record,
    )
    raise_for_execution_errors(nb, str(record))  # a cell error: written with its markers
    write_notebook_quickly(nb, record)


def warn_folder_and_workbook(params: RunParams, department: str) -> None:
    """Say so when a department has both a folder and a workbook (the folder is used)."""
    folder = paths.get_dataset_dir(params.fiscal_year, department, params.data_dir)
    if folder.is_dir() and folder.with_suffix(".xlsx").is_file():
        print(
            f"警告：{department} 既有文件夹又有 {folder.name}.xlsx，使用文件夹 / "
            f"warning: both a folder and a workbook exist for {department}; using the folder",
            file=sys.stderr,
        )


def validate_departments(params: RunParams) -> tuple[list[str], list[DepartmentOutcome]]:
    """Validate every dataset first: (valid departments, outcomes of the invalid ones)."""
    from helpers.job import check_department

    valid, invalid = [], []
    for department in params.departments:
        warn_folder_and_workbook(params, department)
        problem = check_department(params, department)
        if problem is None:
            valid.append(department)
        else:
            invalid.append(DepartmentOutcome(department, False, *problem))
    return valid, invalid


def run_reports(
    params: RunParams, console: Any = None, warm_kernel: WarmKernel | None = None
) -> RunOutcome:
    """Render every department of the run, showing progress, and print a summary.

    All datasets are validated before anything is written: when none is valid, the output
    folder is left exactly as it was. ``warm_kernel`` (see :func:`start_warm_kernel`) is used
    for the first department, or shut down when nothing runs; with several departments the
    kernels of the other lanes start warming before the data are checked.
    """
    from rich.console import Console
    from rich.markup import escape

    console = console or Console(stderr=True, highlight=False)
    total = len(params.departments)
    position = {d: n for n, d in enumerate(params.departments, start=1)}

    def prefix(department: str) -> str:
        if department == OVERVIEW:
            return escape(f"[汇总] {params.fiscal_year} 年度汇总分析")
        return escape(f"[{position[department]}/{total}] {params.fiscal_year} {department}")

    def step(department: str, text: str) -> None:
        console.print(f"{prefix(department)}：{text}…")

    def report(outcome: DepartmentOutcome) -> None:
        print_outcome(console, prefix(outcome.department), outcome)

    lanes = min(default_lanes(), len(params.departments))
    kernels = [warm_kernel] if warm_kernel is not None else []
    kernels += [WarmKernel() for _ in range(lanes - len(kernels))] if lanes > 1 else []
    console.print(f"校验 {total} 个部门的数据…")
    valid, invalid = validate_departments(params)
    for outcome in invalid:
        report(outcome)
    outcomes = list(invalid)
    jobs = valid + ([OVERVIEW] if wants_overview(params, valid) else [])
    if jobs:  # a refreshed overview runs even when the departments run are all invalid now
        ensure_kernel()
        outcomes += ReportPipeline(params, step, lanes).run(jobs, report, kernels)
    else:
        for kernel in kernels:
            kernel.shutdown()
    _print_summary(
        console,
        total,
        outcomes,
        params.formats,
        stale_overview_note(params),
        params.output_dir / str(params.fiscal_year),
    )
    order = {d: n for n, d in enumerate([*params.departments, OVERVIEW])}
    return RunOutcome(sorted(outcomes, key=lambda o: order[o.department]))


def print_outcome(console: Any, label: str, outcome: DepartmentOutcome) -> None:
    """One line for a department that is done: ``label：完成（1.2 秒）``, or its failure.

    ``label`` is Rich markup already (escaped); the message from the data is escaped here.
    """
    from rich.markup import escape

    if outcome.ok:
        console.print(f"{label}：完成（{outcome.seconds:.1f} 秒）")
    else:
        # Data-borne text on lines of its own: the terminal wraps them, Rich does not break
        # a long path at its width (a log or a pipe keeps each problem on one line).
        console.print(f"[red]{label}：失败[/red]")
        console.print(escape(outcome.message), soft_wrap=True)


def wants_overview(params: RunParams, valid: list[str]) -> bool:
    """Whether the run also writes the year's overview (from every department's data).

    A run over every department of a year (two or more) writes it; a run over some of them
    refreshes an overview the year's folder already has in exactly the run's formats, which
    would otherwise still show their previous scores (or their exclusion). An overview of
    other formats is left alone: rewritten, it would link to report files the other
    departments' folders may not have, and lose the formats this run does not write.
    """
    if _overview_case(params)[0] == "year":
        return bool(valid)  # no overview of a year whose every department is invalid
    return refreshes_overview(params)


def _overview_case(params: RunParams) -> tuple[str, set[str]]:
    """Which overview question this run raises, and the formats the year's overview has.

    ``"year"``: a run over every department of a year (two or more); ``"some"``: a run over
    some of them; ``"none"``: no overview (switched off, no notebook, fewer than two
    departments). The formats are those of ``overview.*`` in the year's output folder.
    """
    every = paths.list_departments(params.fiscal_year, params.data_dir)
    notebook = params.notebook.with_name("overview.ipynb")
    if not params.overview or not notebook.is_file() or len(every) < 2:
        return "none", set()
    if set(params.departments) == set(every):
        return "year", set()
    year_dir = params.output_dir / str(params.fiscal_year)
    return "some", {fmt for fmt in FORMATS if (year_dir / f"{OVERVIEW}.{fmt}").is_file()}


def refreshes_overview(params: RunParams) -> bool:
    """Whether this run of some departments refreshes the year's overview (see above).

    It does so whatever those departments' data are now: an overview that still showed a
    department's earlier scores after its data went bad would be wrong.
    """
    case, written = _overview_case(params)
    return case == "some" and written == set(params.formats)


def stale_overview_note(params: RunParams) -> str:
    """Why a run of some departments left the year's overview as it was ("" if it did not).

    That happens when the overview exists in other formats than the run's (see
    :func:`wants_overview`); the user is told how to bring it up to date.
    """
    case, written = _overview_case(params)
    if case != "some" or not written or written == set(params.formats):
        return ""
    return (
        f"年度汇总分析未更新：已有的汇总为 {'、'.join(f.upper() for f in FORMATS if f in written)}，"
        f"本次只生成 {'、'.join(f.upper() for f in params.formats)}；要更新汇总，请对整个年度运行 / "
        "the year's overview was not refreshed (it has other formats than this run): run the "
        "whole year"
    )


def _earlier_report(year_dir: Path | None, department: str) -> Path | None:
    """A department's (or the overview's) earlier report file in ``year_dir``, if one is there."""
    if year_dir is None:
        return None
    folder, stem = (
        (year_dir, OVERVIEW) if department == OVERVIEW else (year_dir / department, "report")
    )
    for suffix in FORMATS:
        path = folder / f"{stem}.{suffix}"
        if path.is_file():
            return path
    return None


def _print_summary(
    console: Any,
    total: int,
    outcomes: list[DepartmentOutcome],
    formats: Sequence[str] = FORMATS,
    note: str = "",
    year_dir: Path | None = None,
) -> None:
    """Counts and failures on ``console``; the reports written on stdout, one path a line.

    ``formats``: the run's; a run of some formats says that the folders it replaced keep no
    file of the others (they would no longer match the data). ``year_dir``: the year's report
    folder; a failed department whose earlier report is still there is told so (a failure never
    deletes a report, but that report no longer matches the data).
    """
    from rich.markup import escape

    departments = [o for o in outcomes if o.department != OVERVIEW]
    ok = [o for o in departments if o.ok]
    failed = [o for o in departments if not o.ok]
    console.print(
        f"共 {total} 个部门：成功 {len(ok)} 个，失败 {len(failed)} 个 / {len(ok)} ok, {len(failed)} failed"
    )
    overview = [o for o in outcomes if o.department == OVERVIEW]
    for o in overview:
        console.print(f"年度汇总分析 overview.*：{'已写入' if o.ok else '失败'}")
    ok += [o for o in overview if o.ok]
    failed += [o for o in overview if not o.ok]
    left_out = [f.upper() for f in FORMATS if f not in formats]
    if ok and left_out:
        console.print(
            f"本次只生成 {'、'.join(f.upper() for f in formats)}：报告文件夹整体替换，"
            f"不保留此前的 {'、'.join(left_out)}（以免与新数据不一致） / only "
            f"{', '.join(formats)} written; the replaced folders keep no older {', '.join(left_out)}",
            soft_wrap=True,
        )
    if note:
        console.print(escape(note), soft_wrap=True)
    if failed:
        console.print("未完成 / not written:")
    for o in failed:
        kind = "数据校验失败" if o.kind == "invalid" else "运行失败"
        lines = [line for line in (o.message or "").splitlines() if line.strip()]
        # A data check's message is one problem a line; another failure's lines are one story.
        more = f"（共 {len(lines)} 条）" if o.kind == "invalid" and len(lines) > 1 else ""
        first_line = lines[0] if lines else ""
        console.print(
            f"  - {escape(o.department)}：{kind}{more}：{escape(first_line)}", soft_wrap=True
        )
        earlier = _earlier_report(year_dir, o.department)
        if earlier is not None:
            console.print(
                f"    此前生成的报告仍在 {escape(str(earlier))}，未按现在的数据更新 / the earlier "
                "report there is kept and does not match the data now",
                soft_wrap=True,
            )
    for o in ok:
        for f in o.files:
            if f.suffix in {".html", ".pdf", ".docx"}:
                print(f)
