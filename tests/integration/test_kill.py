"""Killing ``jixiao report`` at any moment leaves nothing behind and the previous report intact.

Each case starts a real ``jixiao report params/fy2021.yaml --output TMP`` in a session of its
own, over a previous report (a folder of marker files), waits for a moment of the run (a
progress line on stderr, then an optional delay) and sends SIGTERM to the runner (as ``kill`` or
``timeout`` would) or SIGINT to the whole process group (as Ctrl-C in a terminal does). Then:

- the exit code is 128 + the signal, with the one-line message and no traceback;
- no process of the run is left: every child is found by a token in its environment (the
  kernel runs in a session of its own, so the process group alone would miss it);
- the output holds exactly the previous report, byte for byte: no ``.partial-*`` folder, no
  ``.old-*`` folder, no lock file;
- no runtime file is left: the run's ``TMPDIR`` (kernel folders and IPC sockets, PDF scratch)
  and ``JUPYTER_RUNTIME_DIR`` (connection files) are empty.

Also: a second run on the same output while one is running exits 2 naming the first's PID and
writes nothing; an output path that is a file is refused before any notebook runs; on a "full
disk" (a file-size limit) the failure handler writes what it can and never a truncated file.
"""

from __future__ import annotations

import contextlib
import os
import resource
import signal
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import pytest

pytestmark = pytest.mark.integration

DEPARTMENT = "高新区科技局"
INTERRUPTED = "已中断，未写入任何不完整的报告 / interrupted; no partial report written"
EXIT_WAIT = 30  # seconds a killed run may take to clean up and exit
MOMENT_WAIT = 120  # seconds to reach a moment of the run on a slow machine
MARKERS = {
    "validate": "校验",
    "notebook": "执行 notebook",
    "export": "导出 HTML",
    "dask": "提交 1 项到 Dask 集群",  # the department is sent to the local cluster's workers
    "dask-shared": "提交 1 项到 Dask 集群",  # the same, the worker publishing in place
}


def _previous_report(year_dir: Path) -> dict[str, bytes]:
    """Write a fake previous report (marker files) and return its content by relative path."""
    folder = year_dir / DEPARTMENT
    (folder / "charts").mkdir(parents=True)
    files = {
        "report.html": "<html><body>上一次的报告 / the previous report</body></html>".encode(),
        "report.pdf": b"%PDF-1.7 previous report marker\n",
        "report.ipynb": b'{"cells": [], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
        "charts/图1.png": os.urandom(256),
    }
    for name, data in files.items():
        (folder / name).write_bytes(data)
    return snapshot(year_dir.parent)


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file and folder below ``root`` (folders as ``b"<dir>"``), by relative path."""
    return {
        str(p.relative_to(root)): (b"<dir>" if p.is_dir() else p.read_bytes())
        for p in sorted(root.rglob("*"))
    }


def without_staging(files: dict[str, bytes]) -> dict[str, bytes]:
    return {k: v for k, v in files.items() if ".partial-" not in k}


def processes_with(token: str) -> list[str]:
    """Live (not zombie) processes whose environment holds ``token``: ``pid cmdline``."""
    found = []
    needle = token.encode()
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if needle not in (entry / "environ").read_bytes():
                continue
            state = (entry / "stat").read_text().rsplit(")", 1)[1].split()[0]
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode()
        except (OSError, IndexError):
            continue
        if state != "Z":
            found.append(f"{entry.name} [{state}] {cmdline[:200]}")
    return found


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@dataclass
class Run:
    """A ``jixiao report`` subprocess in its own session, its output read as it comes."""

    process: subprocess.Popen[bytes]
    token: str
    tmpdir: Path
    runtime_dir: Path
    stderr_lines: list[str] = field(default_factory=list)
    stdout_lines: list[str] = field(default_factory=list)
    _changed: threading.Condition = field(default_factory=threading.Condition)
    _threads: list[threading.Thread] = field(default_factory=list)

    def __post_init__(self) -> None:
        for stream, lines in (
            (self.process.stderr, self.stderr_lines),
            (self.process.stdout, self.stdout_lines),
        ):
            thread = threading.Thread(target=self._read, args=(stream, lines), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _read(self, stream, lines: list[str]) -> None:  # type: ignore[no-untyped-def]
        for raw in stream:
            with self._changed:
                lines.append(raw.decode("utf-8", "replace"))
                self._changed.notify_all()
        with self._changed:
            self._changed.notify_all()

    @property
    def stderr(self) -> str:
        return "".join(self.stderr_lines)

    def wait_for(self, marker: str, timeout: float = MOMENT_WAIT) -> None:
        deadline = time.monotonic() + timeout
        with self._changed:
            while not any(marker in line for line in self.stderr_lines):
                remaining = deadline - time.monotonic()
                if remaining <= 0 or self.process.poll() is not None:
                    pytest.fail(f"the run never printed {marker!r}:\n{self.stderr}", pytrace=False)
                self._changed.wait(min(remaining, 0.2))

    def finish(self, timeout: float = EXIT_WAIT) -> int:
        try:
            code = self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the run did not exit within {timeout} s:\n{self.stderr}", pytrace=False)
        for thread in self._threads:
            thread.join(timeout=10)
        return code

    def kill(self) -> None:
        """Last resort after a failed test: SIGKILL everything of the run."""
        for line in processes_with(self.token):
            pid = int(line.split()[0])
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=10)


@pytest.fixture
def start_run(support: ModuleType) -> Iterator:  # type: ignore[type-arg]
    """Start ``jixiao report`` (own session, own TMPDIR and Jupyter runtime folder)."""
    runs: list[Run] = []

    def start(*args: str, limit_file_size: int | None = None) -> Run:
        token = f"jixiao-kill-test-{uuid.uuid4().hex}"
        # Short paths: the kernel's IPC socket names live in TMPDIR (sockets allow ~107 bytes).
        tmpdir = Path(tempfile.mkdtemp(prefix="jk-"))
        runtime_dir = Path(tempfile.mkdtemp(prefix="jkrt-"))
        env = {
            **os.environ,
            "TMPDIR": str(tmpdir),
            "JUPYTER_RUNTIME_DIR": str(runtime_dir),
            "JIXIAO_KILL_TEST_TOKEN": token,
            "PYTHONUNBUFFERED": "1",
        }

        def limit() -> None:  # a "full disk": files stop growing past the limit (EFBIG)
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            assert limit_file_size is not None
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit_file_size, limit_file_size))

        process = subprocess.Popen(
            [str(support.VENV_BIN / "jixiao"), "report", *args],
            cwd=support.REPO,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            preexec_fn=limit if limit_file_size is not None else None,
        )
        run = Run(process, token, tmpdir, runtime_dir)
        runs.append(run)
        return run

    yield start
    for run in runs:
        if run.process.poll() is None or processes_with(run.token):
            run.kill()
        for folder in (run.tmpdir, run.runtime_dir):
            subprocess.run(["rm", "-rf", str(folder)], check=False)


def assert_nothing_left(run: Run, out: Path, before: dict[str, bytes]) -> None:
    """No process, runtime file, staging folder or lock of ``run``; ``out`` as ``before``."""
    # A child that exits with the runner may take a moment, and one whose parent (the runner)
    # is gone is reaped by init a moment later (the multiprocessing resource tracker of a
    # Dask run exits when the runner has).
    deadline = time.monotonic() + 5
    while (
        (left := processes_with(run.token)) or group_alive(run.process.pid)
    ) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert not left, f"processes left running: {left}\n{run.stderr}"
    assert not group_alive(run.process.pid), "the run's process group still exists"
    assert sorted(os.listdir(run.tmpdir)) == [], "runtime files left in TMPDIR"
    assert sorted(os.listdir(run.runtime_dir)) == [], "Jupyter connection files left"
    after = snapshot(out)
    leftovers = [
        name for name in after if ".partial-" in name or ".old-" in name or ".jixiao" in name
    ]
    assert not leftovers, f"left in the output: {leftovers}"
    assert after == before, (
        f"the previous report changed: added {sorted(set(after) - set(before))}, "
        f"removed {sorted(set(before) - set(after))}, "
        f"changed {sorted(k for k in set(after) & set(before) if after[k] != before[k])}"
    )


@dataclass(frozen=True)
class Kill:
    signum: int
    moment: str  # a key of MARKERS
    delay: float  # seconds after the marker line
    group: bool  # signal the whole process group (Ctrl-C) rather than the runner alone

    @property
    def id(self) -> str:
        who = "group" if self.group else "runner"
        return f"{signal.Signals(self.signum).name}-{self.moment}+{self.delay:g}s-{who}"


KILLS = [
    Kill(signal.SIGTERM, "validate", 0.0, group=False),  # kernel starting
    Kill(signal.SIGINT, "notebook", 2.0, group=True),  # a cell running in the kernel
    Kill(signal.SIGTERM, "export", 0.0, group=False),  # the render thread starting
    Kill(signal.SIGINT, "export", 0.15, group=True),  # HTML, PDF and Word being written
    Kill(signal.SIGTERM, "export", 0.3, group=True),
]


DASK_KILLS = [  # jixiao report --workers 2: the workers are in the run's process group
    Kill(signal.SIGINT, "dask", 1.0, group=True),  # kernels warming on the workers
    Kill(signal.SIGTERM, "dask", 4.0, group=True),  # the notebook running on a worker
    Kill(signal.SIGTERM, "dask", 4.0, group=False),
    Kill(signal.SIGTERM, "dask-shared", 4.0, group=True),  # --shared-path
]


@pytest.mark.parametrize(
    "kill", KILLS + DASK_KILLS, ids=[k.id for k in KILLS] + [k.id for k in DASK_KILLS]
)
def test_a_killed_run_leaves_nothing_and_keeps_the_previous_report(
    kill: Kill, tmp_path: Path, start_run, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "reports"
    before = _previous_report(out / "2021")
    on_dask = ["--workers", "2"] if kill.moment.startswith("dask") else []
    if kill.moment == "dask-shared":
        on_dask.append("--shared-path")
    run = start_run(str(support.PARAMS_FY2021), "--output", str(out), *on_dask)
    run.wait_for(MARKERS[kill.moment])
    time.sleep(kill.delay)
    assert run.process.poll() is None, f"the run ended before the signal:\n{run.stderr}"
    if kill.group:
        os.killpg(run.process.pid, kill.signum)
    else:
        run.process.send_signal(kill.signum)
    code = run.finish()
    assert code == 128 + kill.signum, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert "Kernel died" not in run.stderr, run.stderr  # nbclient's English log line
    assert run.stderr.rstrip().splitlines()[-1] == INTERRUPTED, run.stderr
    assert run.stderr.count(INTERRUPTED) == 1, run.stderr
    assert "".join(run.stdout_lines) == "", "no report is listed as written"
    assert_nothing_left(run, out, before)


def test_a_second_run_on_the_same_output_is_refused(
    tmp_path: Path, start_run, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    out = tmp_path / "reports"
    before = _previous_report(out / "2021")
    first = start_run(str(support.PARAMS_FY2021), "--output", str(out))
    first.wait_for(MARKERS["validate"])
    lock = out / "2021" / ".jixiao.lock"
    assert lock.read_text().strip() == str(first.process.pid)
    during = snapshot(out)
    second = start_run(str(support.PARAMS_FY2021), "--output", str(out))
    assert second.finish(timeout=60) == 2, second.stderr
    for text in (
        "另一个 jixiao report",
        "another jixiao report",
        f"进程 {first.process.pid}",
        f"process {first.process.pid}",
    ):
        assert text in second.stderr, second.stderr
    assert "Traceback" not in second.stderr, second.stderr
    assert "执行 notebook" not in second.stderr, "the second run must not render"
    # The first run goes on writing in its staging folder; nothing else changed.
    assert without_staging(snapshot(out)) == without_staging(during), "the second run wrote"
    assert len({k.split("/")[1] for k in snapshot(out) if ".partial-" in k}) <= 1
    assert lock.read_text().strip() == str(first.process.pid), "the lock is still the first's"
    assert not processes_with(second.token)
    assert first.process.poll() is None, "the first run is not disturbed"
    first.process.send_signal(signal.SIGTERM)
    assert first.finish() == 143, first.stderr
    assert_nothing_left(first, out, before)


@pytest.mark.parametrize("where", ["file", "under-a-file"])
def test_an_output_that_is_not_a_folder_is_refused_before_running(
    where: str, tmp_path: Path, capsys: pytest.CaptureFixture, support: ModuleType
) -> None:
    from helpers.cli import main

    blocker = tmp_path / "reports"
    blocker.write_text("not a folder", "utf-8")
    output = blocker if where == "file" else blocker / "sub"
    started = time.perf_counter()
    code = main(["report", str(support.PARAMS_FY2021), "--output", str(output)])
    captured = capsys.readouterr()
    assert code == 2, captured.err
    assert "不是文件夹" in captured.err and "is not a folder" in captured.err, captured.err
    assert "执行 notebook" not in captured.err and "校验" not in captured.err
    assert captured.out == ""
    assert blocker.read_text("utf-8") == "not a folder"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["reports"]
    assert time.perf_counter() - started < 60


def test_a_full_disk_fails_the_department_without_a_truncated_record(
    tmp_path: Path, start_run, support: ModuleType
) -> None:  # type: ignore[no-untyped-def]
    """Files limited to 300 KB: saving the executed notebook (1.6 MB) fails half-way.

    The department fails; its truncated notebook is not kept as ``report.failed.ipynb`` (the
    issue: a truncated copy and no ``report.error.txt``); ``report.error.txt`` is written
    whole; the previous report and the rest of the output are untouched; nothing is left.
    """
    out = tmp_path / "reports"
    before = _previous_report(out / "2021")
    run = start_run(str(support.PARAMS_FY2021), "--output", str(out), limit_file_size=300_000)
    code = run.finish(timeout=support.TOOL_TIMEOUT)
    assert code == 1, run.stderr
    assert "Traceback" not in run.stderr, run.stderr
    assert "失败 1 个" in run.stderr and "磁盘空间不足" in run.stderr, run.stderr
    after = snapshot(out)
    error = f"2021/{DEPARTMENT}/report.error.txt"
    assert sorted(set(after) - set(before)) == [error], "only the error record is added"
    assert {k: v for k, v in after.items() if k in before} == before, "previous report changed"
    message = after[error].decode("utf-8")
    assert message.endswith("\n") and "out of disk space" in message, message
    assert "no report.failed.ipynb kept" in message, message
    assert not processes_with(run.token)
    assert sorted(os.listdir(run.tmpdir)) == []


def test_a_stuck_cell_fails_its_department_after_timeout_s(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, support: ModuleType
) -> None:
    """``timeout_s: 3`` and a cell that sleeps for ten minutes: failed in seconds, not minutes."""
    import nbformat

    from helpers import paths
    from helpers.cli import main

    nb = nbformat.read(paths.NOTEBOOKS_DIR / "report.ipynb", as_version=4)
    parameters = next(
        i for i, c in enumerate(nb.cells) if "parameters" in c.metadata.get("tags", [])
    )
    stuck = nbformat.v4.new_code_cell("import time; time.sleep(600)  # 卡住的单元格")
    stuck["id"] = "stuck"
    nb.cells.insert(parameters + 1, stuck)
    (tmp_path / "notebooks").mkdir()
    nbformat.write(nb, tmp_path / "notebooks" / "report.ipynb")
    monkeypatch.setattr(paths, "NOTEBOOKS_DIR", tmp_path / "notebooks")
    token = f"jixiao-timeout-test-{uuid.uuid4().hex}"
    monkeypatch.setenv("JIXIAO_KILL_TEST_TOKEN", token)  # inherited by the kernel
    params = support.write_params(
        tmp_path / "params.yaml", "fiscal_year: 2021\nformats: [html]\ntimeout_s: 3\n"
    )
    out = tmp_path / "out"
    started = time.perf_counter()
    with support.captured_output() as captured:
        code = main(["report", str(params), "--output", str(out)])
    elapsed = time.perf_counter() - started
    assert code == 1, captured.text
    assert elapsed < 60, f"took {elapsed:.0f} s"
    error = (out / "2021" / DEPARTMENT / "report.error.txt").read_text("utf-8")
    assert "运行超过 3 秒" in error and "ran longer than 3 s (timeout_s)" in error, error
    assert "，代码：import time; time.sleep(600)" in error, "names the stuck cell"
    failed = nbformat.read(out / "2021" / DEPARTMENT / "report.failed.ipynb", as_version=4)
    assert any(c.get("id") == "stuck" for c in failed.cells)
    assert sorted(p.name for p in (out / "2021").iterdir()) == [DEPARTMENT], "no staging left"
    assert not processes_with(token), "the stuck kernel is stopped"
