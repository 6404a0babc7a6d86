"""A fiscal year of every department: tidy score tables, year over year, exports.

The finance bureau's view: :func:`score_year` evaluates every department of a year through the
front door (:func:`helpers.evaluation.evaluate`) and gathers one tidy table per level —
departments, projects, indicators, flags — each row naming its department. A department whose
data do not validate is listed in ``problems`` and left out; the others still count.

Department scores are given two ways, both named: the plain mean of the scored projects'
scores (``score_mean``, what the seed report prints) and the budget-weighted mean
(``score_budget_weighted``: a large project scoring 70 weighs more than a small one scoring
100), each with its grade.

:func:`compare_years` matches a year against the previous one: departments by name; projects
by project code within the department, else by name; and lists indicators unmet this year that
were met (or absent) last year. :func:`write_year_xlsx` and :func:`write_year_parquet` export
every table (text cells are never formulas).
"""

from __future__ import annotations

import contextlib
import gc
import math
import os
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from helpers import paths
from helpers.dataset import Dataset, DatasetError, parse_datasets
from helpers.evaluation import Evaluation, load_for_scoring
from helpers.parse import _gc_paused, remembering_parses
from helpers.scoring import ScoreResult, ScoringConfig, grade_for, score_datasets

DEPARTMENT_HEADERS_ZH: dict[str, str] = {
    "department": "部门",
    "fiscal_year": "年度",
    "n_projects": "项目数",
    "n_scored_projects": "评分项目数",
    "budget_wan": "全年预算（万元）",
    "spent_wan": "全年支出（万元）",
    "projects_budget_wan": "项目预算（万元）",
    "execution_rate_pct": "预算执行率（%）",
    "score_mean": "平均得分（项目简单平均）",
    "grade_mean": "等级（简单平均）",
    "score_budget_weighted": "平均得分（按预算加权）",
    "grade_budget_weighted": "等级（按预算加权）",
    "n_indicators": "指标数",
    "n_met": "达成",
    "n_near_met": "基本达成",
    "n_unmet": "未达成",
    "n_flags": "提示事项数",
    "n_red_flags": "其中高风险",
    "rank_budget_weighted": "排名（按预算加权）",
    "problem": "数据校验问题",
}

EXCLUDED_SHEET = "未纳入部门"
"""The table of departments left out of a year because their data do not validate."""


@dataclass
class YearScores:
    """Every department's scores for one fiscal year, as tidy tables."""

    fiscal_year: int
    departments: pd.DataFrame
    projects: pd.DataFrame
    indicators: pd.DataFrame
    flags: pd.DataFrame
    problems: list[tuple[str, str]] = field(default_factory=list)
    evaluations: dict[str, Evaluation] = field(default_factory=dict, repr=False)


def budget_weighted_score(projects: pd.DataFrame) -> float:
    """The mean score of the scored projects, each weighted by its budget (万元).

    Example:
        >>> budget_weighted_score(pd.DataFrame({"score": [100.0, 70.0, None],
        ...                                     "budget_wan": [10.0, 90.0, 500.0]}))
        73.0
    """
    scored = projects[projects["score"].notna() & projects["budget_wan"].gt(0)]
    weight = scored["budget_wan"].sum()
    if not len(scored) or weight <= 0:
        return math.nan
    return round(float((scored["score"] * scored["budget_wan"]).sum() / weight), 2)


def summarise_department(name: str, result: ScoreResult) -> dict[str, Any]:
    """One department's row of the year table."""
    d = result.department
    weighted = budget_weighted_score(result.projects)
    mean = d["mean_score"]
    return {
        "department": name,
        "fiscal_year": d["fiscal_year"],
        "n_projects": d["n_projects"],
        "n_scored_projects": d["n_scored_projects"],
        "budget_wan": d["budget_wan"],
        "spent_wan": d["spent_wan"],
        "projects_budget_wan": d["projects_budget_wan"],
        "execution_rate_pct": d["execution_rate_pct"],
        "score_mean": mean,
        "grade_mean": _grade(mean, result),
        "score_budget_weighted": weighted,
        "grade_budget_weighted": _grade(weighted, result),
        "n_indicators": d["n_indicators"],
        "n_met": d["n_met"],
        "n_near_met": d["n_near_met"],
        "n_unmet": d["n_unmet"],
        "n_flags": len(result.flags),
        "n_red_flags": int((result.flags["severity"].astype(str) == "red").sum()),
    }


def _grade(score: float, result: ScoreResult) -> str:
    """The grade of one score by the result's own bands ('' when there is no score)."""
    if _is_nan(score):
        return ""
    return str(grade_for(pd.Series([score]), result.config.bands).iloc[0])


def _is_nan(value: Any) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


_PROJECT_COLUMNS = (
    "project_id", "category", "name", "budget_wan", "spent_wan", "execution_rate_pct",
    "execution_score", "stated_score", "score", "grade", "n_indicators", "n_unmet",
)  # fmt: skip
_INDICATOR_COLUMNS = (
    "project_id", "level1", "level2", "name", "target", "actual", "weight_used",
    "stated_score", "score", "status", "completion_pct", "deviation_reason",
)  # fmt: skip


def _tidy_many(
    items: list[tuple[str, ScoreResult]],
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame] | tuple[()]:
    """The departments' projects, indicators and flags, each row with its department's name.

    One table each for all of them (their rows one department after the other).
    """
    if not items:
        return ()
    names = np.array([name for name, _ in items], dtype=object)

    def named(counts: list[int]) -> pd.Series:
        return pd.Series(np.repeat(names, counts), dtype="str")

    results = [result for _, result in items]
    projects = pd.concat(
        [r.projects.loc[:, list(_PROJECT_COLUMNS)] for r in results], ignore_index=True
    )
    projects.insert(0, "department", named([len(r.projects) for r in results]))
    indicators = pd.concat(
        [r.indicators.loc[:, list(_INDICATOR_COLUMNS)] for r in results], ignore_index=True
    )
    indicators.insert(0, "department", named([len(r.indicators) for r in results]))
    project_names: list[Any] = []
    for r in results:  # each department's project names by id
        by_id = dict(zip(r.projects["project_id"], r.projects["name"], strict=True))
        project_names += [by_id.get(pid) for pid in r.indicators["project_id"].tolist()]
    indicators.insert(2, "project", pd.Series(project_names, dtype="str"))
    flags = _labelled_flags(
        pd.concat([r.flags.reset_index(drop=True) for r in results], ignore_index=True)
    )
    flags["department"] = named([len(r.flags) for r in results])
    return projects, indicators, flags


def _labelled_flags(flags: pd.DataFrame) -> pd.DataFrame:
    """The engine's typed flags with each kind's and severity's Chinese label beside them."""
    from helpers.vocabulary import FLAG_KINDS, SEVERITIES

    out = flags.astype({"kind": str, "severity": str})
    out["kind_label"] = out["kind"].map(lambda k: FLAG_KINDS[k].label if k in FLAG_KINDS else k)
    out["severity_label"] = out["severity"].map(
        lambda s: SEVERITIES[s].label if s in SEVERITIES else s
    )
    return out


PARALLEL_MIN_DEPARTMENTS = 40
"""Below this many departments a year is scored in this process (starting workers costs more)."""
_CHUNKS_PER_WORKER = 8
_MAX_CHUNK = 16
_YOUNG_GC_EVERY = 8


@dataclass
class _Outcome:
    """One department's evaluation as a worker hands it back: its tables, or why it is invalid."""

    name: str
    evaluation: Evaluation | None = None  # None when invalid, or not kept
    problem: str = ""
    summary: dict[str, Any] = field(default_factory=dict)
    tables: tuple[pd.DataFrame, ...] = ()
    is_valid: bool = True


def _evaluate_chunk(
    fiscal_year: int,
    names: list[str],
    root: Path | None,
    scoring: dict[str, Any] | None,
    keep_evaluations: bool = True,
) -> list[_Outcome]:
    """Some departments, in order: each loaded and checked, then all parsed and scored at once.

    Parsing and scoring the valid ones together (:func:`helpers.scoring.score_datasets`) spares most of
    pandas' fixed cost per department; the results are each department's own scoring. Runs in
    this process or in a worker (the collector paused, as below).
    """
    with _collector_paused() as young:
        loaded: dict[str, tuple[Dataset, ScoringConfig]] = {}
        problems: dict[str, str] = {}
        for name in names:
            try:
                path = paths.find_dataset(fiscal_year, name, root)
                loaded[name] = load_for_scoring(
                    path, fiscal_year=fiscal_year, scoring=scoring or None, parse=False
                )
            except DatasetError as exc:
                problems[name] = str(exc)
            young()
        datasets = [dataset for dataset, _ in loaded.values()]
        parse_datasets(datasets)  # one parse for the chunk's texts
        results = score_datasets(datasets, [config for _, config in loaded.values()])
        scored = dict(zip(loaded, zip(datasets, results, strict=True), strict=True))
        tables = _tidy_many([(name, result) for name, (_, result) in scored.items()])
        out = []
        for name in names:
            if name in problems:
                out.append(_Outcome(name, is_valid=False, problem=problems[name]))
                continue
            dataset, result = scored[name]
            evaluation = Evaluation(dataset, result) if keep_evaluations else None
            summary = summarise_department(name, result)
            out.append(_Outcome(name, evaluation, "", summary, tables))
            tables = ()  # the chunk's tables travel once, with its first department
        return out


@contextmanager
def _collector_paused() -> Iterator[Callable[[], None]]:
    """Pause full garbage collections while a year's evaluations pile up.

    Each full collection walks every object alive, and a year of evaluations holds millions
    (object columns): collecting as usual cost a quarter of a year's scoring. The context
    gives a callable to call after each department; every few departments it collects the
    young generations only (the new objects, which hold whatever cyclic garbage there is).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    count = 0

    def young() -> None:
        nonlocal count
        count += 1
        if was_enabled and count % _YOUNG_GC_EVERY == 0:
            gc.collect(1)

    try:
        yield young
    finally:
        if was_enabled:
            gc.enable()


def default_workers(n_departments: int) -> int:
    """How many worker processes score a year of ``n_departments`` (1: in this process).

    Example:
        >>> default_workers(6)
        1
    """
    if n_departments < PARALLEL_MIN_DEPARTMENTS:
        return 1
    try:
        cpus = len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - macOS and Windows
        cpus = os.cpu_count() or 1
    return max(1, min(cpus, n_departments // (PARALLEL_MIN_DEPARTMENTS // 2)))


def _chunks(names: list[str], workers: int) -> list[list[str]]:
    """Consecutive slices of ``names``: several per worker so that the work stays balanced.

    Example:
        >>> [len(c) for c in _chunks([str(i) for i in range(10)], 2)]
        [1, 1, 1, 1, 1, 1, 1, 1, 1, 1]
        >>> [len(c) for c in _chunks([str(i) for i in range(100)], 2)]
        [7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 7, 2]
    """
    size = max(1, min(_MAX_CHUNK, math.ceil(len(names) / (workers * _CHUNKS_PER_WORKER))))
    return [names[i : i + size] for i in range(0, len(names), size)]


def _pool_context() -> Any:
    """How worker processes start.

    ``fork`` when this process runs one thread (the workers start at once, every module
    loaded), else ``forkserver`` or ``spawn`` (forking a threaded process may deadlock).
    """
    import multiprocessing
    import threading

    methods = multiprocessing.get_all_start_methods()
    if "fork" in methods and threading.active_count() == 1:
        return multiprocessing.get_context("fork")
    return multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")


def _can_start_workers() -> bool:
    """Whether worker processes can start here.

    A forked worker always can; a spawned one (from a threaded process) needs the main module
    to be a real module, which an embedding that replaced ``__main__`` (an IPython shell made
    in-process) may have spoiled: then the year is evaluated in this process.
    """
    import sys

    if _pool_context().get_start_method() == "fork":
        return True
    return hasattr(sys.modules.get("__main__"), "__spec__")


def _evaluate_parallel(
    fiscal_year: int,
    names: list[str],
    root: Path | None,
    scoring: dict[str, Any] | None,
    workers: int,
    keep_evaluations: bool,
) -> Iterator[_Outcome]:
    """Every department's outcome, in the order of ``names``, evaluated by worker processes."""
    chunks = _chunks(names, workers)
    with _worker_pool(min(workers, len(chunks)), remember_parses=True) as pool:
        for outcomes in pool.map(
            _evaluate_chunk,
            [fiscal_year] * len(chunks),
            chunks,
            [root] * len(chunks),
            [scoring] * len(chunks),
            [keep_evaluations] * len(chunks),
        ):
            yield from outcomes


@contextmanager
def _worker_pool(workers: int, *, remember_parses: bool = False) -> Iterator[Any]:
    """A process pool whose workers never outlive this process nor print a Ctrl-C traceback.

    Each worker ignores SIGINT (this process handles Ctrl-C) and exits as soon as this process
    is gone, however it went (a thread of the worker watches it). When the block fails or is
    interrupted, the tasks not yet started are cancelled and the running ones waited for.
    """
    from concurrent.futures import ProcessPoolExecutor

    pool = ProcessPoolExecutor(
        max_workers=workers,
        mp_context=_pool_context(),
        initializer=_start_worker,
        initargs=(os.getpid(), remember_parses),
    )
    try:
        yield pool
    except BaseException:
        pool.shutdown(wait=True, cancel_futures=True)
        raise
    finally:
        pool.shutdown(wait=True)


_WORKER_BLOCKS: list[Any] = []
_PARTIALS: set[str] = set()  # a worker's files being written


def _start_worker(parent: int, remember_parses: bool) -> None:
    """A pool worker: Ctrl-C is the parent's; gone with the parent; parses remembered."""
    import signal
    import threading

    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_exit_without, args=(parent,), daemon=True).start()
    if remember_parses:  # for the worker's life (one year's scoring)
        block = remembering_parses()
        block.__enter__()
        _WORKER_BLOCKS.append(block)  # kept: the block ends when the worker does


def _exit_without(parent: int) -> None:
    """Exit this worker within half a second of ``parent``'s end."""
    import time

    while True:
        time.sleep(0.5)
        try:
            os.kill(parent, 0)
        except (ProcessLookupError, PermissionError):  # gone (or its pid reused)
            for partial in list(_PARTIALS):
                with contextlib.suppress(OSError):
                    os.unlink(partial)
            os._exit(1)


def _evaluate_serial(
    fiscal_year: int,
    names: list[str],
    root: Path | None,
    scoring: dict[str, Any] | None,
    progress: Callable[[str], None] | None,
    keep_evaluations: bool,
) -> Iterator[_Outcome]:
    """In this process, a chunk at a time; ``progress`` named before each chunk's departments."""
    for chunk in (names[i : i + _MAX_CHUNK] for i in range(0, len(names), _MAX_CHUNK)):
        if progress is not None:
            for name in chunk:
                progress(name)
        yield from _evaluate_chunk(fiscal_year, chunk, root, scoring, keep_evaluations)


def score_year(
    fiscal_year: int,
    data_dir: str | Path | None = None,
    departments: Sequence[str] | None = None,
    progress: Callable[[str], None] | None = None,
    scoring: dict[str, Any] | None = None,
    workers: int | None = None,
    keep_evaluations: bool = True,
) -> YearScores:
    """Evaluate every department of a year and gather the tidy tables.

    Large years are evaluated by worker processes (one per CPU); the tables are the same as
    in one process, in the same order.

    Args:
        fiscal_year: 预算年度.
        data_dir: the data root (``data/`` when empty).
        departments: the departments to take (all of the year when None).
        progress: called with each department's name: before it is evaluated in this process;
            with worker processes, in order, as its evaluation comes back.
        scoring: the params file's ``scoring:`` settings (thresholds, grade bands …).
        workers: worker processes; 1 evaluates in this process; None chooses by the number of
            departments and CPUs (:func:`default_workers`).
        keep_evaluations: keep each department's :class:`~helpers.evaluation.Evaluation`
            (what the review and the 复核工作底稿 read); False gives the tables only, and spares
            a year of workers sending them back (the previous year of a comparison).

    Returns:
        The year's tables; departments ranked by budget-weighted score.
    """
    root = Path(data_dir) if data_dir else None
    names = (
        list(departments) if departments is not None else paths.list_departments(fiscal_year, root)
    )
    workers = default_workers(len(names)) if workers is None else max(1, workers)
    with _collector_paused() as young, remembering_parses():
        if workers > 1 and len(names) > 1 and _can_start_workers():
            outcomes = _evaluate_parallel(
                fiscal_year, names, root, scoring, workers, keep_evaluations
            )
        else:
            outcomes = _evaluate_serial(
                fiscal_year, names, root, scoring, progress, keep_evaluations
            )
            progress = None
        return _gathered(fiscal_year, outcomes, progress, young)


def _gathered(
    fiscal_year: int,
    outcomes: Iterable[_Outcome],
    progress: Callable[[str], None] | None,
    young: Callable[[], None],
) -> YearScores:
    """The year's tables from the departments' outcomes, in their order."""
    rows: list[dict[str, Any]] = []
    buckets: tuple[list[pd.DataFrame], ...] = ([], [], [])
    problems: list[tuple[str, str]] = []
    evaluations: dict[str, Evaluation] = {}
    for outcome in outcomes:
        if progress is not None:
            progress(outcome.name)
        young()
        if not outcome.is_valid:
            problems.append((outcome.name, outcome.problem))
            continue
        if outcome.evaluation is not None:
            evaluations[outcome.name] = outcome.evaluation
        rows.append(outcome.summary)
        for bucket, frame in zip(buckets, outcome.tables, strict=False):
            bucket.append(frame)  # a chunk's tables come with its first department
    table = pd.DataFrame(rows, columns=list(DEPARTMENT_HEADERS_ZH)[:-1])
    table["rank_budget_weighted"] = (
        table["score_budget_weighted"].rank(ascending=False, method="min").astype("Int64")
    )
    table = table.sort_values(["rank_budget_weighted", "department"], na_position="last")
    projects, indicators, flags = (_concat(bucket) for bucket in buckets)
    return YearScores(
        fiscal_year,
        table.reset_index(drop=True),
        projects,
        indicators,
        flags,
        problems,
        evaluations,
    )


def _concat(frames: list[pd.DataFrame]) -> pd.DataFrame:
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()


# ----------------------------------------------------------------------- year over year


@_gc_paused()  # see _collector_paused
def compare_years(current: YearScores, previous: YearScores) -> dict[str, pd.DataFrame]:
    """This year against the previous one: departments, projects, newly unmet indicators.

    Projects are matched within their department by project code, and those left over by name
    (a renamed project keeps its code; a recoded one its name). ``matched_by`` says which.

    Returns:
        ``departments``, ``projects`` and ``newly_unmet`` tables.
    """
    keep = ["department", "score_budget_weighted", "score_mean", "execution_rate_pct", "budget_wan"]
    departments = current.departments[keep].merge(
        previous.departments[keep], on="department", how="left", suffixes=("", "_previous")
    )
    for column in keep[1:]:
        departments[f"{column}_change"] = (
            departments[column] - departments[f"{column}_previous"]
        ).round(4)
    projects = match_projects(current.projects, previous.projects)
    return {
        "departments": departments,
        "projects": projects,
        "newly_unmet": newly_unmet(current.indicators, previous.indicators, projects),
    }


def match_projects(current: pd.DataFrame, previous: pd.DataFrame) -> pd.DataFrame:
    """Each current project with its previous-year row: by code, else by name.

    Example:
        >>> now = pd.DataFrame({"department": ["甲", "甲"], "project_id": ["P1", "P9"],
        ...     "name": ["培训", "宣传"], "score": [90.0, 80.0], "execution_rate_pct": [99.0, 90.0],
        ...     "budget_wan": [10.0, 5.0]})
        >>> before = pd.DataFrame({"department": ["甲", "甲"], "project_id": ["P1", "P2"],
        ...     "name": ["业务培训", "宣传"], "score": [100.0, 70.0],
        ...     "execution_rate_pct": [100.0, 80.0], "budget_wan": [12.0, 5.0]})
        >>> match_projects(now, before)[["project_id", "matched_by", "score_change"]].values.tolist()
        [['P1', '编码', -10.0], ['P9', '名称', 10.0]]
    """
    values = ["score", "execution_rate_pct", "budget_wan"]
    if previous.empty:
        out = current.copy()
        out["matched_by"] = ""
        return out
    prior = previous[["department", "project_id", "name", *values]].rename(
        columns={c: f"{c}_previous" for c in ["project_id", "name", *values]}
    )
    by_code = current.merge(
        prior,
        left_on=["department", "project_id"],
        right_on=["department", "project_id_previous"],
        how="left",
    )
    found = by_code["project_id_previous"].notna()
    used = set(
        zip(
            by_code.loc[found, "department"], by_code.loc[found, "project_id_previous"], strict=True
        )
    )
    spare = prior[
        [
            (d, p) not in used
            for d, p in zip(prior["department"], prior["project_id_previous"], strict=True)
        ]
    ]
    rest = current[~found.to_numpy()].merge(
        spare, left_on=["department", "name"], right_on=["department", "name_previous"], how="left"
    )
    merged = pd.concat([by_code[found.to_numpy()], rest], ignore_index=True)
    merged["matched_by"] = [
        "编码" if f else ("名称" if pd.notna(n) else "")
        for f, n in zip(
            [True] * int(found.sum()) + [False] * len(rest), merged["name_previous"], strict=True
        )
    ]
    for column in values:
        merged[f"{column}_change"] = (merged[column] - merged[f"{column}_previous"]).round(4)
    order = {
        key: i
        for i, key in enumerate(zip(current["department"], current["project_id"], strict=True))
    }
    merged["_order"] = [
        order[k] for k in zip(merged["department"], merged["project_id"], strict=True)
    ]
    return merged.sort_values("_order").drop(columns="_order").reset_index(drop=True)


def newly_unmet(
    current: pd.DataFrame, previous: pd.DataFrame, matched: pd.DataFrame
) -> pd.DataFrame:
    """Indicators unmet this year whose matched project met them (or lacked them) last year."""
    unmet = current[current["status"].eq("未达成")]
    if unmet.empty or previous.empty or "project_id_previous" not in matched:
        return unmet.assign(previous_status="")
    link = matched[["department", "project_id", "project_id_previous"]]
    unmet = unmet.merge(link, on=["department", "project_id"], how="left")
    before = previous[["department", "project_id", "name", "status"]].rename(
        columns={"project_id": "project_id_previous", "status": "previous_status"}
    )
    unmet = unmet.merge(before, on=["department", "project_id_previous", "name"], how="left")
    unmet["previous_status"] = unmet["previous_status"].fillna("（上年无此指标）")
    return unmet[unmet["previous_status"].ne("未达成")].reset_index(drop=True)


# ----------------------------------------------------------------------- exports


def year_tables(
    scores: YearScores,
    comparison: dict[str, pd.DataFrame] | None = None,
    findings: pd.DataFrame | None = None,
) -> dict[str, pd.DataFrame]:
    """Every table of the year by sheet name (Chinese), ready to export."""
    tables = {
        "部门": scores.departments,
        "项目": scores.projects,
        "指标": scores.indicators,
        "提示事项": scores.flags,
    }
    if comparison:
        tables |= {
            "同比_部门": comparison["departments"],
            "同比_项目": comparison["projects"],
            "同比_新增未达成": comparison["newly_unmet"],
        }
    if findings is not None:
        tables["复核发现"] = findings
    tables[EXCLUDED_SHEET] = excluded_table(scores)
    return tables


def excluded_table(scores: YearScores) -> pd.DataFrame:
    """The departments left out of the year (data that do not validate), with every problem.

    Always a table, empty when none is left out: a Parquet folder written again keeps no
    stale list from an earlier run.

    Example:
        >>> year = YearScores(2021, *(pd.DataFrame() for _ in range(4)),
        ...                   problems=[("乙局", "[乙局/projects.csv 第 3 行] …")])
        >>> excluded_table(year).to_dict("records")
        [{'department': '乙局', 'problem': '[乙局/projects.csv 第 3 行] …'}]
    """
    rows = [(department, problem) for department, problem in scores.problems]
    return pd.DataFrame(rows, columns=["department", "problem"], dtype=object)


@_gc_paused()  # see _collector_paused
def write_year_xlsx(
    scores: YearScores,
    path: str | Path,
    comparison: dict[str, pd.DataFrame] | None = None,
    findings: pd.DataFrame | None = None,
) -> Path:
    """Every table of the year in one workbook, one sheet each, written atomically.

    The workbook is written row by row (openpyxl's write-only mode: no cell objects kept), so a
    year of hundreds of departments is written in seconds.
    """
    return _write_tables_xlsx(year_tables(scores, comparison, findings), Path(path))


def _write_tables_xlsx(tables: dict[str, pd.DataFrame], target: Path) -> Path:
    """One sheet per table, written atomically."""
    book = _tables_book(tables)
    with paths.replacing([target]) as (partial,):
        book.save(partial)
    return target


def _tables_book(tables: dict[str, pd.DataFrame]) -> Any:
    """A write-only workbook of one sheet per table, not yet saved."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    for title, frame in tables.items():
        _write_frame(book, title, frame)
    return book


@_gc_paused()  # see _collector_paused
def write_year_parquet(
    scores: YearScores,
    folder: str | Path,
    comparison: dict[str, pd.DataFrame] | None = None,
    findings: pd.DataFrame | None = None,
) -> list[Path]:
    """One Parquet file per table (``部门.parquet`` …) in ``folder``, each written atomically."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for title, frame in year_tables(scores, comparison, findings).items():
        target = folder / f"{title}.parquet"
        with paths.replacing([target]) as (partial,):
            _parquet_ready(frame).to_parquet(partial, index=False)
        written.append(target)
    return written


def _parquet_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Object columns as text (mixed values such as targets are strings in Parquet)."""
    out = frame.copy()
    for column in out.columns:
        if out[column].dtype == object:
            out[column] = out[column].map(lambda v: None if _is_nan(v) else str(v))
    return out


def _write_frame(book: Any, title: str, frame: pd.DataFrame) -> None:
    """A sheet from a DataFrame: numbers as numbers, text as text (never a formula)."""
    from openpyxl.styles import Font

    sheet = book.create_sheet(title)
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)
    headers = [DEPARTMENT_HEADERS_ZH.get(str(c), str(c)) for c in frame.columns]
    sheet.append([text_cell(sheet, header, font=bold) for header in headers])
    columns = [_sheet_values(sheet, frame.iloc[:, k]) for k in range(frame.shape[1])]
    for row in zip(*columns, strict=True):
        sheet.append(row)


def _sheet_values(sheet: Any, column: pd.Series) -> list[Any]:
    """A column's cells: numbers as floats, missing values empty, anything else as text."""
    from helpers.score_export import excel_text

    texts: dict[str, Any] = {}
    out: list[Any] = []
    for value in column:  # as itertuples gives them: Python scalars
        if _is_nan(value) or value is pd.NA:
            out.append(None)
        elif isinstance(value, (int, float)) and not isinstance(value, bool):
            out.append(float(value))
        else:
            text = str(value)
            cell = texts.get(text)
            if cell is None or not isinstance(cell, str):
                cell = text_cell(sheet, excel_text(text))
                texts[text] = cell
            out.append(cell)
    return out


def text_cell(sheet: Any, text: str, **style: Any) -> Any:
    """``text`` for a write-only sheet's row, stored as text whatever it looks like.

    openpyxl reads a string starting with ``=`` as a formula and ``#N/A`` as an error; such a
    text (and any styled one) becomes a cell whose type is set to text. Other strings are
    passed as they are (openpyxl stores them as text), which is much faster.

    Example:
        >>> from openpyxl import Workbook
        >>> sheet = Workbook(write_only=True).create_sheet("x")
        >>> text_cell(sheet, "培训"), text_cell(sheet, "=1+1").data_type
        ('培训', 's')
    """
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES, TYPE_STRING

    if not style and not text.startswith("=") and text not in ERROR_CODES:
        return text
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = TYPE_STRING
    for name, value in style.items():
        setattr(cell, name, value)
    return cell


def write_year_exports(
    folder: str | Path,
    scores: YearScores,
    comparison: dict[str, pd.DataFrame] | None = None,
    findings: pd.DataFrame | None = None,
) -> list[Path]:
    """The year's exports in ``folder``: 年度得分.xlsx, 年度得分_parquet/ and 复核工作底稿.xlsx.

    Written by every year run beside the overview.
    """
    folder = Path(folder)
    tables = year_tables(scores, comparison, findings)
    book = folder / "年度得分.xlsx"
    with _beside(len(scores.departments), tables, book):
        written = write_year_parquet(scores, folder / "年度得分_parquet", comparison, findings)
        if findings is not None:
            from helpers.review import write_review_workbook

            evaluations = list(scores.evaluations.values())
            written.append(
                write_review_workbook(
                    evaluations, findings, folder / "复核工作底稿.xlsx", scores.problems
                )
            )
    return [book, *written]


@contextmanager
def _beside(n_departments: int, tables: dict[str, pd.DataFrame], target: Path) -> Iterator[None]:
    """Write ``tables`` to the workbook ``target`` in a worker process while the block runs.

    For a large year (two workbooks of seconds each, on two cores); a small one, or where no
    worker can start, is written here first. The worker writes a partial file beside
    ``target``; this process renames it into place only once the block has succeeded, so a
    run that fails or is killed never publishes it (and the worker, see :func:`_worker_pool`,
    does not outlive this process). The worker's own failure is raised at the block's end.
    """
    if (
        n_departments < PARALLEL_MIN_DEPARTMENTS
        or default_workers(n_departments) < 2
        or not _can_start_workers()
    ):
        _write_tables_xlsx(tables, target)
        yield
        return
    partial: Path | None = None
    try:
        with _worker_pool(1) as pool:
            future = pool.submit(_write_tables_partial, tables, target)
            try:
                yield
            except BaseException:
                if not future.cancel():  # already writing: wait, then remove what it wrote
                    with contextlib.suppress(Exception):
                        partial = future.result()
                raise
            partial = future.result()  # the worker's failure is raised here
        os.replace(partial, target)
        partial = None
    finally:
        if partial is not None:
            partial.unlink(missing_ok=True)


def _write_tables_partial(tables: dict[str, pd.DataFrame], target: Path) -> Path:
    """The workbook of ``tables`` saved to a hidden partial file beside ``target``; its path."""
    book = _tables_book(tables)
    partial = target.with_name(f".{target.name}.{os.getpid()}.{uuid.uuid4().hex[:8]}.partial")
    _PARTIALS.add(str(partial))  # removed by _exit_without if the parent dies meanwhile
    try:
        book.save(partial)
        os.chmod(partial, paths.shared_mode(0o666))
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    finally:
        _PARTIALS.discard(str(partial))
    return partial
