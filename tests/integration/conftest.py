"""Shared fixtures of the integration tests.

The FY2021 report is rendered ONCE per session (``jixiao report params/fy2021.yaml`` into a tmp
folder, in-process) and every HTML/PDF/notebook test reads that one rendering. Nothing here
writes into the repository's ``reports/`` or ``data/``: broken datasets are copies in tmp.

System tools (poppler-utils, Chromium) are never skipped: a missing tool fails the test with a
message saying to run ``make test``, which installs them (scripts/install-system-deps.sh test).
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import ModuleType

import nbformat
import pytest

from helpers import paths

REPO = paths.REPO_ROOT
SEED_DIR = REPO / "data" / "2021" / "高新区科技局"
PARAMS_FY2021 = REPO / "params" / "fy2021.yaml"
VENV_BIN = Path(sys.executable).parent
DEPARTMENT = "高新区科技局"
REPORT_TITLE = "科技局2021年度绩效自评工作报告"
MISSING_GLYPH_MARKERS = ("Glyph", "missing from font", "missing from current font")
TOOL_TIMEOUT = 180  # seconds for one Chromium or nbconvert run on a slow 2-core machine


def require_tool(name: str, package: str, candidates: tuple[str, ...] = ()) -> str:
    """The path of a command-line tool, or fail (never skip) saying how to install it."""
    for candidate in candidates:
        if Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    found = shutil.which(name)
    if found is None:
        pytest.fail(
            f"`{name}` is not installed (Debian package {package}). Run `make test`, which "
            "installs the system dependencies (scripts/install-system-deps.sh test).",
            pytrace=False,
        )
    return found


def run_tool(args: list[str], timeout: float = TOOL_TIMEOUT, **kw) -> subprocess.CompletedProcess:  # type: ignore[no-untyped-def]
    """Run a command, failing the test (not hanging it) after ``timeout`` seconds."""
    try:
        return subprocess.run(args, capture_output=True, timeout=timeout, check=False, **kw)
    except subprocess.TimeoutExpired:
        pytest.fail(f"timed out after {timeout} s: {' '.join(map(str, args))}", pytrace=False)


def missing_glyph_lines(text: str) -> list[str]:
    """Lines of ``text`` that report a glyph missing from a font."""
    return [line for line in text.splitlines() if any(m in line for m in MISSING_GLYPH_MARKERS)]


def stream_text(nb: nbformat.NotebookNode, name: str) -> str:
    """All ``stream`` output text of one stream (``stdout``/``stderr``) of a notebook."""
    return "".join(
        output.get("text", "")
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "stream" and output.get("name") == name
    )


def error_outputs(nb: nbformat.NotebookNode) -> list[str]:
    """``ename: evalue`` of every error output of a notebook."""
    return [
        f"{output.get('ename')}: {output.get('evalue')}"
        for cell in nb.cells
        if cell.cell_type == "code"
        for output in cell.get("outputs", [])
        if output.get("output_type") == "error"
    ]


def project_names() -> list[str]:
    """The project names of the seed dataset, read from its projects.csv."""
    with (SEED_DIR / "projects.csv").open(encoding="utf-8-sig", newline="") as handle:
        return [row["name"] for row in csv.DictReader(handle)]


def copy_seed(data_dir: Path, department: str = DEPARTMENT, year: int = 2021) -> Path:
    """Copy the seed dataset to ``data_dir/<year>/<department>/`` and return that folder."""
    return Path(shutil.copytree(SEED_DIR, data_dir / str(year) / department))


def rewrite_projects(folder: Path, change: Callable[[dict[str, str]], None]) -> None:
    """Apply ``change`` to every row of ``folder/projects.csv`` (properly quoted CSV)."""
    rewrite_csv(folder / "projects.csv", change)


def rewrite_csv(path: Path, change: Callable[[dict[str, str]], None]) -> None:
    """Apply ``change`` to every row of a CSV file, rewriting it properly quoted."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        columns = list(reader.fieldnames or [])
        rows = list(reader)
    for row in rows:
        change(row)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)


def files_under(folder: Path) -> list[Path]:
    """Everything (files and folders) below ``folder``; empty when it does not exist."""
    return sorted(folder.rglob("*")) if folder.exists() else []


@dataclass
class _Captured:
    text: str = ""


@contextlib.contextmanager
def captured_output() -> Iterator[_Captured]:
    """Capture everything written to stdout/stderr, by Python and by child processes.

    The runner's kernel and PDF worker inherit file descriptors 1 and 2, so those are
    redirected too (pytest's own capture is function-scoped and unusable in a session fixture).
    """
    result = _Captured()
    python_level = io.StringIO()
    sys.stdout.flush()
    sys.stderr.flush()
    with tempfile.TemporaryFile() as sink:
        saved = {fd: os.dup(fd) for fd in (1, 2)}
        try:
            for fd in saved:
                os.dup2(sink.fileno(), fd)
            with contextlib.redirect_stdout(python_level), contextlib.redirect_stderr(python_level):
                yield result
        finally:
            for fd, copy in saved.items():
                os.dup2(copy, fd)
                os.close(copy)
            sink.seek(0)
            result.text = python_level.getvalue() + sink.read().decode("utf-8", "replace")


@dataclass
class RenderedReport:
    """The FY2021 report as rendered by ``jixiao report`` into a tmp folder."""

    output_dir: Path
    exit_code: int
    output: str  # everything printed during the run (runner, kernel, PDF worker)
    folder: Path = field(init=False)

    def __post_init__(self) -> None:
        self.folder = self.output_dir / "2021" / DEPARTMENT

    @property
    def html_path(self) -> Path:
        return self.folder / "report.html"

    @property
    def pdf_path(self) -> Path:
        return self.folder / "report.pdf"

    @property
    def notebook_path(self) -> Path:
        return self.folder / "report.ipynb"

    @property
    def html(self) -> str:
        return self.html_path.read_text("utf-8")

    def notebook(self) -> nbformat.NotebookNode:
        return nbformat.read(self.notebook_path, as_version=4)


@pytest.fixture(scope="session")
def fy2021_report(tmp_path_factory: pytest.TempPathFactory) -> RenderedReport:
    """``jixiao report params/fy2021.yaml --output <tmp>``, run once per session."""
    from helpers.cli import main

    output_dir = tmp_path_factory.mktemp("fy2021") / "reports"
    with captured_output() as captured:
        code = main(["report", str(PARAMS_FY2021), "--output", str(output_dir)])
    rendered = RenderedReport(output_dir, code, captured.text)
    missing = [p.name for p in (rendered.html_path, rendered.pdf_path) if not p.is_file()]
    if code != 0 or missing:
        pytest.fail(
            f"jixiao report params/fy2021.yaml exited with {code}, missing {missing}:\n"
            f"{captured.text}",
            pytrace=False,
        )
    return rendered


@pytest.fixture(scope="session")
def fy2021_html(fy2021_report: RenderedReport) -> str:
    """The text of the rendered report.html."""
    return fy2021_report.html


class Poppler:
    """pdftotext / pdffonts / pdfinfo (poppler-utils)."""

    def _run(self, tool: str, *args: str) -> str:
        exe = require_tool(tool, "poppler-utils")
        done = run_tool([exe, *args], timeout=120)
        assert done.returncode == 0, f"{tool} failed: {done.stderr.decode('utf-8', 'replace')}"
        return done.stdout.decode("utf-8", "replace")

    def text(self, pdf: Path) -> str:
        return self._run("pdftotext", "-enc", "UTF-8", str(pdf), "-")

    def fonts(self, pdf: Path) -> str:
        return self._run("pdffonts", str(pdf))

    def info(self, pdf: Path) -> str:
        return self._run("pdfinfo", str(pdf))


@pytest.fixture(scope="session")
def poppler() -> Poppler:
    """The poppler command-line tools."""
    return Poppler()


class Chromium:
    """Headless Chromium, isolated (own profile, no network services, no first-run)."""

    FLAGS = (
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
    )

    def __init__(self, exe: str):
        self.exe = exe

    def _run(self, html: Path, workdir: Path, *extra: str) -> subprocess.CompletedProcess:
        workdir.mkdir(parents=True, exist_ok=True)
        profile = Path(tempfile.mkdtemp(prefix="chromium-profile-", dir=workdir))
        return run_tool(
            [self.exe, *self.FLAGS, f"--user-data-dir={profile}", *extra, html.resolve().as_uri()]
        )

    def screenshot(self, html: Path, workdir: Path, size: str = "1200,2000") -> Path:
        shot = workdir / "shot.png"
        done = self._run(html, workdir, f"--window-size={size}", f"--screenshot={shot}")
        assert shot.is_file(), (
            f"Chromium wrote no screenshot (exit {done.returncode}):\n"
            + done.stderr.decode("utf-8", "replace")[-3000:]
        )
        return shot

    def dump_dom(self, html: Path, workdir: Path) -> str:
        done = self._run(html, workdir, "--dump-dom")
        dom = done.stdout.decode("utf-8", "replace")
        assert "<html" in dom, (
            f"Chromium dumped no DOM (exit {done.returncode}):\n"
            + done.stderr.decode("utf-8", "replace")[-3000:]
        )
        return dom


@pytest.fixture(scope="session")
def chromium() -> Chromium:
    """Debian's headless Chromium."""
    return Chromium(require_tool("chromium", "chromium", candidates=("/usr/bin/chromium",)))


def write_params(path: Path, text: str) -> Path:
    """Write a parameters file."""
    path.write_text(text, "utf-8")
    return path


def assert_no_missing_glyphs(text: str, where: str) -> None:
    """Fail when ``text`` reports a glyph missing from a font."""
    lines = missing_glyph_lines(text)
    assert not lines, f"missing-glyph warnings in {where}:\n" + "\n".join(lines[:20])


FAILING_CELL = 'if department == fail_for:\n    raise RuntimeError("故意失败 / deliberate failure")'
CRASHING_CELL = "if department == crash_for:\n    import os\n\n    os._exit(9)"


def notebook_with_failures(folder: Path) -> Path:
    """A copy of report.ipynb in ``folder`` that fails (``fail_for``) or dies (``crash_for``).

    The failure is made in the notebook, not the data (data that passes validation but breaks a
    cell would be a bug to fix, not a fixture): the copy declares two extra parameters and gains
    a cell raising for the department named by ``fail_for`` and one ending the kernel's process
    for ``crash_for``. A params file sets them like any other notebook parameter.
    """
    nb = nbformat.read(paths.NOTEBOOKS_DIR / "report.ipynb", as_version=4)
    parameters = next(c for c in nb.cells if "parameters" in c.metadata.get("tags", []))
    parameters.source += '\nfail_for: str = ""  # 测试用：此部门的报告在运行时出错'
    parameters.source += '\ncrash_for: str = ""  # 测试用：此部门的内核在运行时退出'
    build = next(i for i, c in enumerate(nb.cells) if "build_report(" in c.source)
    for n, source in enumerate((CRASHING_CELL, FAILING_CELL)):
        cell = nbformat.v4.new_code_cell(source)
        cell["id"] = f"deliberate-failure-{n}"
        nb.cells.insert(build + 1, cell)
    folder.mkdir()
    nbformat.write(nb, folder / "report.ipynb")
    return folder / "report.ipynb"


def run_explore(parameters: dict, folder: Path) -> nbformat.NotebookNode:  # type: ignore[type-arg]
    """Execute notebooks/explore.ipynb with papermill in ``folder``; the executed notebook."""
    import papermill

    from helpers.runner import ensure_kernel

    ensure_kernel()
    target = folder / "explore.ipynb"
    papermill.execute_notebook(
        str(paths.NOTEBOOKS_DIR / "explore.ipynb"),
        str(target),
        parameters=parameters,
        kernel_name=paths.KERNEL_NAME,
        cwd=str(folder),
        progress_bar=False,
    )
    return nbformat.read(target, as_version=4)


@pytest.fixture(scope="session")
def support() -> ModuleType:
    """This module: its helper functions and constants, for the test modules.

    (``--import-mode=importlib`` keeps ``conftest`` from being imported by name.)
    """
    return sys.modules[__name__]
