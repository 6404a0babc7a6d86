"""Benchmark: a year of a generated district, local executor against a 2-worker Dask cluster.

Side by side in one run, each as the command a user types:

1. ``jixiao report district.yaml`` (the local executor: warm kernels in lanes, renders
   overlapped)
2. ``jixiao report district.yaml --workers 2`` (a Dask ``LocalCluster`` of two processes on
   loopback; every department a task sent with its data, its files sent back)

Both write HTML + PDF + DOCX for every department, the overview and the exports. Printed per
route: wall time, per report (wall / departments), the peak memory of the whole process tree
(sampled RSS sum, every 0.1 s) and of its largest process; then whether the two runs' scores
(年度得分.xlsx) are identical.

Usage: .venv/bin/python bench/executor_bench.py [--departments 50] [--repeat 1] [--workdir DIR]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import pandas as pd
import psutil

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


class TreeMemory:
    """Peak RSS of a process and all its descendants, sampled in a thread."""

    def __init__(self, pid: int):
        self.root = psutil.Process(pid)
        self.peak_total = 0
        self.peak_single = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()

    def _sample(self) -> None:
        while not self._stop.is_set():
            try:
                processes = [self.root, *self.root.children(recursive=True)]
            except psutil.NoSuchProcess:
                return
            sizes = []
            for process in processes:
                try:
                    sizes.append(process.memory_info().rss)
                except psutil.Error:
                    continue
            self.peak_total = max(self.peak_total, sum(sizes))
            self.peak_single = max(self.peak_single, max(sizes, default=0))
            time.sleep(0.1)

    def stop(self) -> None:
        self._stop.set()
        self._thread.join()


def make_district(folder: Path, departments: int) -> Path:
    """A generated district (2020 and 2021) with a params file for it."""
    data = folder / "data"
    if not (data / "2021").is_dir():
        subprocess.run(
            [
                str(BIN / "python"),
                str(ROOT / "bench" / "make_district.py"),
                "--departments",
                str(departments),
                "--output",
                str(data),
            ],
            check=True,
            capture_output=True,
        )
    params = folder / "district.yaml"
    params.write_text(
        f"fiscal_year: 2021\ndepartments: all\nformats: [html, pdf, docx]\ndata_dir: {data}\n",
        "utf-8",
    )
    return params


def run_route(params: Path, out: Path, extra: list[str]) -> tuple[float, TreeMemory]:
    """Run ``jixiao report`` once; its wall time and memory."""
    command = [str(BIN / "jixiao"), "report", str(params), "--output", str(out), *extra]
    start = time.perf_counter()
    process = subprocess.Popen(
        command, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    memory = TreeMemory(process.pid)
    _, stderr = process.communicate()
    seconds = time.perf_counter() - start
    memory.stop()
    if process.returncode != 0:
        sys.exit(f"failed ({process.returncode}): {' '.join(command)}\n{stderr[-3000:]}")
    return seconds, memory


def main() -> None:
    """Print the figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--departments", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=1)
    parser.add_argument("--workdir", type=Path, help="keep the generated district here")
    args = parser.parse_args()
    work = args.workdir or Path(tempfile.mkdtemp(prefix="jixiao-executor-bench-"))
    work.mkdir(parents=True, exist_ok=True)
    params = make_district(work, args.departments)
    n = len([p for p in (work / "data" / "2021").iterdir() if not p.name.startswith(".")])
    routes = {"local executor": [], "Dask LocalCluster, 2 workers": ["--workers", "2"]}
    print(f"{n} departments (+ the overview and exports), HTML + PDF + DOCX, {args.repeat}×")
    results: dict[str, list[tuple[float, TreeMemory]]] = {name: [] for name in routes}
    for _ in range(args.repeat):
        for name, extra in routes.items():  # interleaved: a noisy moment hits both
            out = work / f"out-{len(results[name])}-{'dask' if extra else 'local'}"
            results[name].append(run_route(params, out, extra))
    for name, runs in results.items():
        wall = statistics.median(seconds for seconds, _ in runs)
        total = max(m.peak_total for _, m in runs) / 2**20
        single = max(m.peak_single for _, m in runs) / 2**20
        each = ", ".join(f"{s:.1f}" for s, _ in runs)
        print(
            f"{name:30s} wall {wall:7.1f} s ({each})  per report {wall / n:5.2f} s  "
            f"peak memory {total:6.0f} MiB in all processes, {single:5.0f} MiB the largest"
        )
    local = pd.read_excel(work / "out-0-local" / "2021" / "年度得分.xlsx", sheet_name=None)
    dask = pd.read_excel(work / "out-0-dask" / "2021" / "年度得分.xlsx", sheet_name=None)
    same = local.keys() == dask.keys() and all(local[k].equals(dask[k]) for k in local)
    print(f"scores identical (年度得分.xlsx, every sheet): {same}")


if __name__ == "__main__":
    main()
