"""helpers.runner: what keeps a stopped, failed or concurrent run from damaging the output.

The output lock, the repair of what a killed run left, failure records on a full disk, the
two-rename publish, signal handling and the PDF worker's timeout. (Killing real runs:
tests/integration/test_kill.py.)
"""

from __future__ import annotations

import errno
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from helpers import runner
from helpers.runner import (
    Interrupted,
    OutputError,
    OutputLock,
    ParamsError,
    load_run_params,
    recover_output,
    report_session,
    write_failure_records,
)

GOOD = "fiscal_year: 2021\ndepartments: all\n"


# -- timeout_s


@pytest.mark.parametrize("value", ["0", "-5", "1.5", "'600'", "true", "[600]"])
def test_timeout_s_must_be_a_whole_number_of_seconds(tmp_path: Path, value: str) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(GOOD + f"timeout_s: {value}\n", "utf-8")
    with pytest.raises(ParamsError) as info:
        load_run_params(path)
    assert any("timeout_s 应为不小于 1 的整数" in p for p in info.value.problems)


def test_timeout_s_is_read_and_defaults_to_600(tmp_path: Path) -> None:
    path = tmp_path / "p.yaml"
    path.write_text(GOOD, "utf-8")
    assert load_run_params(path).timeout_s == runner.DEFAULT_TIMEOUT_S == 600
    path.write_text(GOOD + "timeout_s: 30\n", "utf-8")
    assert load_run_params(path).timeout_s == 30


# -- the output lock


def test_lock_holds_the_pid_and_leaves_nothing_when_released(tmp_path: Path) -> None:
    year = tmp_path / "out" / "2021"
    lock = OutputLock(year)
    assert lock.acquire() == []
    assert (year / ".jixiao.lock").read_text().strip() == str(os.getpid())
    lock.release()
    assert not (tmp_path / "out").exists(), "the folders the run created and left empty go"


def test_a_held_lock_refuses_a_second_run_naming_its_pid(tmp_path: Path) -> None:
    year = tmp_path / "2021"
    first = OutputLock(year)
    first.acquire()
    try:
        with pytest.raises(OutputError) as info:
            OutputLock(year).acquire()  # flock conflicts between two opens, even in one process
        message = str(info.value)
        assert f"进程 {os.getpid()}" in message and f"process {os.getpid()}" in message
        assert "正在写入" in message and "is writing to" in message
    finally:
        first.release()
    second = OutputLock(year)
    assert second.acquire() == []
    second.release()


def test_a_lock_left_by_a_dead_process_is_taken_over_with_a_note(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        check=True,
        capture_output=True,
        text=True,
    )
    dead = int(done.stdout)
    year = tmp_path / "2021"
    year.mkdir()
    (year / ".jixiao.lock").write_text(f"{dead}\n")
    lock = OutputLock(year)
    notes = lock.acquire()
    try:
        assert len(notes) == 1 and str(dead) in notes[0] and "taking over" in notes[0]
        assert (year / ".jixiao.lock").read_text().strip() == str(os.getpid())
    finally:
        lock.release()
    assert not (year / ".jixiao.lock").exists()
    assert year.is_dir(), "a folder that existed before stays"


@pytest.mark.parametrize("layout", ["output-is-a-file", "year-is-a-file"])
def test_an_output_that_is_not_a_folder_is_refused(tmp_path: Path, layout: str) -> None:
    out = tmp_path / "out"
    if layout == "output-is-a-file":
        out.write_text("x")
    else:
        out.mkdir()
        (out / "2021").write_text("x")
    with pytest.raises(OutputError) as info:
        OutputLock(out / "2021").acquire()
    assert "不是文件夹" in str(info.value) and "is not a folder" in str(info.value)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders anyway")
def test_a_read_only_output_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    out.mkdir()
    out.chmod(0o555)
    try:
        with pytest.raises(OutputError) as info:
            OutputLock(out / "2021").acquire()
    finally:
        out.chmod(0o755)
    assert "不可写" in str(info.value) and "cannot write" in str(info.value)
    assert list(out.iterdir()) == []


# -- repairing what a killed run left


def test_recover_output_restores_a_half_published_report(tmp_path: Path) -> None:
    year = tmp_path / "2021"
    (year / ".甲局.old-4242").mkdir(parents=True)  # killed between the two renames
    (year / ".甲局.old-4242" / "report.html").write_text("previous")
    (year / "乙局").mkdir()  # killed after both renames, before removing the old copy
    (year / "乙局" / "report.html").write_text("new")
    (year / ".乙局.old-4242").mkdir()
    (year / ".丙局.partial-abc123" / "charts").mkdir(parents=True)
    (year / "乙局" / f".report.error.txt{runner.TEMP_MARK}x1").write_text("half")
    notes = recover_output(year)
    assert (year / "甲局" / "report.html").read_text() == "previous"
    assert (year / "乙局" / "report.html").read_text() == "new"
    assert sorted(p.name for p in year.iterdir()) == ["乙局", "甲局"]
    assert sorted(p.name for p in (year / "乙局").iterdir()) == ["report.html"]
    assert any("restored the previous report" in n and "甲局" in n for n in notes), notes
    assert any("removed the staging folder" in n for n in notes), notes


# -- failure records on a full disk


def _full_disk(monkeypatch: pytest.MonkeyPatch, after: int = 10) -> None:
    """Writes through runner's temporary files fail with ENOSPC after ``after`` bytes."""
    real_fdopen = os.fdopen

    class Full:
        def __init__(self, handle):  # type: ignore[no-untyped-def]
            self.handle = handle

        def __enter__(self):  # type: ignore[no-untyped-def]
            return self

        def __exit__(self, *exc):  # type: ignore[no-untyped-def]
            self.handle.close()

        def write(self, data: bytes) -> int:
            self.handle.write(data[:after])
            self.handle.flush()
            raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(runner.os, "fdopen", lambda fd, mode: Full(real_fdopen(fd, mode)))


def test_failure_records_on_a_full_disk_are_whole_or_absent(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    final = tmp_path / "甲局"
    final.mkdir()
    (final / "report.html").write_text("previous")
    executed = tmp_path / "staging" / "report.ipynb"
    executed.parent.mkdir()
    executed.write_text('{"cells": [], "nbformat": 4, "nbformat_minor": 5, "metadata": {}}')
    _full_disk(monkeypatch)
    problems = write_failure_records(final, executed, "第 3 个单元格出错")
    assert len(problems) == 2, problems
    assert all("could not write" in p and "No space left" in p for p in problems)
    assert sorted(p.name for p in final.iterdir()) == ["report.html"], "no truncated file"
    assert (final / "report.html").read_text() == "previous"


def test_a_truncated_executed_notebook_is_not_kept(tmp_path: Path) -> None:
    executed = tmp_path / "report.ipynb"
    executed.write_text('{"cells": [{"cell_type": "code", "sou')  # saving it failed half-way
    assert write_failure_records(tmp_path / "甲局", executed, "OSError: disk full") == []
    assert not (tmp_path / "甲局" / "report.failed.ipynb").exists()
    message = (tmp_path / "甲局" / "report.error.txt").read_text("utf-8")
    assert message.startswith("OSError: disk full") and "no report.failed.ipynb kept" in message


def test_failure_records_in_a_folder_that_cannot_be_made(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    problems = write_failure_records(tmp_path / "file" / "甲局", tmp_path / "none.ipynb", "m")
    assert len(problems) == 1 and "could not write the failure record" in problems[0]


# -- publishing


def test_a_failed_publish_puts_the_previous_report_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    final, staging = tmp_path / "甲局", tmp_path / ".甲局.partial-x"
    final.mkdir()
    (final / "report.html").write_text("previous")
    staging.mkdir()
    real_rename = Path.rename

    def rename(self: Path, target: Path) -> Path:
        if self == staging:
            raise OSError(errno.EIO, "I/O error")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(OSError):
        runner._publish(staging, final)
    assert (final / "report.html").read_text() == "previous"
    assert sorted(p.name for p in tmp_path.iterdir()) == [".甲局.partial-x", "甲局"]


# -- signals


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT, signal.SIGHUP])
def test_a_signal_stops_the_session_with_its_exit_code(signum: int, tmp_path: Path) -> None:
    before = {s: signal.getsignal(s) for s in runner.STOP_SIGNALS}
    leftover = tmp_path / "scratch"
    with pytest.raises(Interrupted) as info, report_session():
        leftover.mkdir()
        runner._LIVE.add_path(leftover)
        os.kill(os.getpid(), signum)
        time.sleep(5)  # interrupted at once
        pytest.fail("not interrupted")
    assert info.value.exit_code == 128 + signum
    assert not leftover.exists(), "the session removes what the run registered"
    assert {s: signal.getsignal(s) for s in runner.STOP_SIGNALS} == before, "handlers restored"


def test_a_signal_waits_for_a_deferred_block_to_end() -> None:
    steps = []
    with pytest.raises(Interrupted) as info, report_session():
        with runner._deferred():
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(0.2)
            steps.append("renamed both")
        steps.append("after the block")
    assert steps == ["renamed both"]
    assert info.value.exit_code == 143


def test_after_the_first_signal_the_clean_up_is_not_interrupted() -> None:
    steps = []
    with pytest.raises(Interrupted), report_session():
        try:
            os.kill(os.getpid(), signal.SIGINT)
            time.sleep(5)
        finally:
            os.kill(os.getpid(), signal.SIGINT)  # Ctrl-C pressed again during the clean-up
            time.sleep(0.2)
            steps.append("cleaned up")
    assert steps == ["cleaned up"]


# -- the render thread


class _FakeKernel:
    """Stands in for a warm kernel (no process)."""

    is_reusable = True

    def take(self, _cwd: Path) -> None:
        return None

    def shutdown(self) -> None:
        self.is_reusable = False


def _pipeline(tmp_path: Path, monkeypatch, render, execute=None, lanes: int = 2):  # type: ignore[no-untyped-def]
    from helpers import runner

    monkeypatch.setattr(runner, "WarmKernel", _FakeKernel)
    monkeypatch.setattr(runner, "execute_notebook", execute or (lambda _p, _job: None))
    monkeypatch.setattr(runner, "render_formats", render)
    monkeypatch.setattr(runner, "_warm_renderers", lambda _formats: None)
    params = runner.RunParams(
        2021, [], ["html"], tmp_path / "out", tmp_path, tmp_path / "x.ipynb", timeout_s=1
    )
    return runner.ReportPipeline(params, lanes=lanes)


def test_a_render_past_its_timeout_fails_only_its_department(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    release = threading.Event()

    def render(executed: Path, _formats, folder: Path, _stem: str) -> list[Path]:  # type: ignore[no-untyped-def]
        if folder.name.startswith(".甲局"):
            release.wait(30)
        (folder / "report.html").write_text("ok", "utf-8")
        return [folder / "report.html"]

    pipeline = _pipeline(tmp_path, monkeypatch, render)
    started = time.monotonic()
    try:
        outcomes = {o.department: o for o in pipeline.run(["甲局", "乙局"])}
    finally:
        release.set()
    assert time.monotonic() - started < 10
    assert not outcomes["甲局"].ok and "导出超过 1 秒" in outcomes["甲局"].message
    assert outcomes["乙局"].ok
    assert (tmp_path / "out" / "2021" / "乙局" / "report.html").read_text("utf-8") == "ok"
    assert not (tmp_path / "out" / "2021" / "甲局" / "report.html").exists()


def test_lanes_run_notebooks_at_once_and_publish_each(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    import threading

    running, most = 0, 0
    lock = threading.Lock()

    def execute(_params, _job) -> None:  # type: ignore[no-untyped-def]
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.2)
        with lock:
            running -= 1

    def render(_executed, _formats, folder: Path, _stem: str) -> list[Path]:  # type: ignore[no-untyped-def]
        (folder / "report.html").write_text(folder.name, "utf-8")
        return []

    pipeline = _pipeline(tmp_path, monkeypatch, render, execute, lanes=2)
    departments = [f"部门{n}" for n in range(5)]
    outcomes = pipeline.run(departments)
    assert sorted(o.department for o in outcomes) == departments
    assert all(o.ok for o in outcomes)
    assert most == 2, "two notebooks ran at once"
    year = tmp_path / "out" / "2021"
    assert sorted(p.name for p in year.iterdir()) == departments, "no staging folder left"


def test_a_stopped_run_waits_for_the_render_before_deleting_its_folder(tmp_path: Path) -> None:
    import threading

    from helpers import runner

    staging = tmp_path / ".甲局.partial-x"
    staging.mkdir()
    writing = threading.Event()

    def render() -> None:
        writing.set()
        time.sleep(0.3)
        (staging / "report.html").write_text("x", "utf-8")

    live = runner._LiveResources()
    live.add_path(staging)
    with runner.ThreadPoolExecutor(max_workers=1) as pool:
        live.work.append(pool.submit(render))
        writing.wait(5)
        live.release_all()
    assert not staging.exists(), "the render finished first, then the folder went"


# -- what a run of some formats keeps


def test_the_overview_keeps_no_file_of_a_format_it_did_not_write(tmp_path: Path) -> None:
    year = tmp_path / "2021"
    year.mkdir()
    for name in ("overview.html", "overview.pdf", "overview.docx", "overview.error.txt"):
        (year / name).write_text("old", "utf-8")
    (year / "甲局").mkdir()
    (year / "甲局" / "report.pdf").write_text("a department's: not the overview's", "utf-8")
    staging = year / ".overview.partial-x"
    staging.mkdir()
    (staging / "overview.html").write_text("new", "utf-8")
    (staging / "overview.ipynb").write_text("{}", "utf-8")
    published = runner._publish_files(staging, year)
    assert sorted(p.name for p in published) == ["overview.html", "overview.ipynb"]
    assert sorted(p.name for p in year.iterdir() if p.is_file()) == [
        "overview.html",
        "overview.ipynb",
    ]
    assert (year / "overview.html").read_text("utf-8") == "new"
    assert (year / "甲局" / "report.pdf").is_file()


def test_the_summary_says_which_formats_a_run_of_some_leaves_out() -> None:
    from rich.console import Console

    console = Console(record=True, width=60)
    ok = runner.DepartmentOutcome("甲局", True, files=[])
    failed = runner.DepartmentOutcome(
        "乙局", False, "invalid", "[乙局/projects.csv 第 2 行] 甲\n[乙局/projects.csv 第 3 行] 乙"
    )
    runner._print_summary(console, 2, [ok, failed], ["html"])
    text = console.export_text()
    assert "本次只生成 HTML" in text and "不保留此前的 PDF、DOCX" in text
    assert (
        "未完成 / not written:\n  - 乙局：数据校验失败（共 2 条）：[乙局/projects.csv 第 2 行] 甲"
        in text
    )
    console = Console(record=True, width=60)
    runner._print_summary(console, 1, [ok], list(runner.FORMATS))
    assert "本次只生成" not in console.export_text()


def test_the_summary_names_an_earlier_report_a_failure_left_in_place(tmp_path: Path) -> None:
    from rich.console import Console

    year = tmp_path / "2021"
    (year / "乙局").mkdir(parents=True)
    (year / "乙局" / "report.pdf").write_text("last year's good run", "utf-8")
    (year / "overview.html").write_text("old overview", "utf-8")
    outcomes = [
        runner.DepartmentOutcome("甲局", False, "invalid", "[甲局/projects.csv 第 2 行] 甲"),
        runner.DepartmentOutcome("乙局", False, "invalid", "[乙局/projects.csv 第 2 行] 乙"),
        runner.DepartmentOutcome(runner.OVERVIEW, False, "failed", "内核意外退出"),
    ]
    console = Console(record=True, width=200)
    runner._print_summary(console, 2, outcomes, ["html"], year_dir=year)
    lines = console.export_text().splitlines()
    kept = [n for n, line in enumerate(lines) if "此前生成的报告仍在" in line]
    assert [lines[n - 1].split("：")[0].strip() for n in kept] == ["- 乙局", f"- {runner.OVERVIEW}"]
    assert str(year / "乙局" / "report.pdf") in lines[kept[0]]
    assert str(year / "overview.html") in lines[kept[1]]
    console = Console(record=True, width=200)
    runner._print_summary(console, 2, outcomes, ["html"])  # no year folder given: nothing said
    assert "此前生成的报告仍在" not in console.export_text()


def test_a_dead_kernel_is_described_in_chinese_and_nbclient_keeps_quiet(tmp_path: Path) -> None:
    import logging

    from nbclient.exceptions import DeadKernelError

    message = runner._describe_failure(DeadKernelError("Kernel died"), tmp_path / "x.ipynb")
    assert (
        message.startswith("运行 notebook 的内核意外退出") and " / the notebook's kernel" in message
    )
    runner._papermill_engine()
    runner._papermill_engine()  # registered twice: still one filter
    logger = logging.getLogger("papermill")
    assert len(logger.filters) == 1
    died = logger.makeRecord("papermill", logging.ERROR, "x", 1, "Kernel died while …", (), None)
    other = logger.makeRecord("papermill", logging.WARNING, "x", 1, "Input notebook …", (), None)
    assert not logger.filter(died) and logger.filter(other)


def test_distributed_s_info_lines_stay_off_the_terminal_during_a_dask_run() -> None:
    import logging

    from helpers.dask_executor import _quiet_distributed

    logger = logging.getLogger("distributed")
    before = logger.level
    with _quiet_distributed():
        assert not logger.isEnabledFor(logging.INFO)  # "Batched Comm Closed" + traceback
        assert logger.isEnabledFor(logging.ERROR)
    assert logger.level == before


def test_a_stopping_worker_publishes_nothing(monkeypatch: pytest.MonkeyPatch) -> None:
    """A --shared-path worker being stopped (Ctrl-C, SIGTERM, a closing cluster) kills its
    kernels; the task whose kernel died so must not write a failure record into the report
    folder (a kill leaves the previous report as it was; seen once in a CI kill test)."""
    from helpers import dask_executor

    published: list[object] = []
    monkeypatch.setattr(dask_executor, "render_on_worker", lambda *a: "bundle")
    monkeypatch.setattr(dask_executor, "_published", lambda p, b: published.append(b) or "ok")
    monkeypatch.setattr(dask_executor, "_STOPPING", type(dask_executor._STOPPING)())
    assert dask_executor.publish_on_worker(None, "甲局", {}) == "ok"  # type: ignore[arg-type]
    assert published == ["bundle"]
    dask_executor._STOPPING.set()
    outcome = dask_executor.publish_on_worker(None, "甲局", {})  # type: ignore[arg-type]
    assert published == ["bundle"] and not outcome.ok and "未写入" in outcome.message
