"""Load one department's fiscal-year dataset from a folder of CSV files or an Excel workbook.

Both layouts hold the same three tables (see ``docs/data-format.md``). Loading validates
everything and either returns a :class:`Dataset` or raises :class:`DatasetError` listing every
problem, each naming file, row, column, the bad value and what was expected, in Chinese first and
English after. Problems that do not stop a report (spending above budget, a value whose meaning
cannot be judged) are collected in :attr:`Dataset.warnings`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
import yaml
from pydantic import ValidationError

from helpers import paths
from helpers.format import format_wan
from helpers.parse import KIND_QUALITATIVE, parse_indicator_values
from helpers.schema import (
    AMOUNT_COLUMNS,
    EXPECTED,
    INDICATORS_SCHEMA,
    NUMBER_COLUMNS,
    PROJECTS_SCHEMA,
    DepartmentInfo,
)

SHEETS = {
    "department": paths.DEPARTMENT_FILE,
    "projects": paths.PROJECTS_FILE,
    "indicators": paths.INDICATORS_FILE,
}


@dataclass(frozen=True)
class Problem:
    """One problem found in the input, with enough context to fix it."""

    file: str
    row: int | None
    column: str | None
    value: object
    expected_zh: str
    expected_en: str

    def __str__(self) -> str:
        where_zh = self.file
        where_en = self.file
        if self.row is not None:
            where_zh += f" 第 {self.row} 行"
            where_en += f" row {self.row}"
        if self.column:
            where_zh += f"，列 {self.column}"
            where_en += f", column {self.column}"
        value = "" if self.value is None else f"值 “{self.value}”："
        value_en = "" if self.value is None else f'value "{self.value}": '
        return (
            f"[{where_zh}] {value}{self.expected_zh}。 / [{where_en}] {value_en}{self.expected_en}."
        )


class DatasetError(Exception):
    """The dataset cannot be used; ``problems`` says exactly why."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass
class Dataset:
    """One department's fiscal year, validated and typed."""

    department: DepartmentInfo
    projects: pd.DataFrame
    indicators: pd.DataFrame
    source: Path
    warnings: list[str] = field(default_factory=list)

    @property
    def fiscal_year(self) -> int:
        """The fiscal year (预算年度)."""
        return self.department.fiscal_year


def _read_csv(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, na_values=[""], encoding="utf-8-sig")


def _read_tables(source: Path) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame, dict[str, str]]:
    """Read the raw department mapping and the two tables as text, and the display file names."""
    if source.suffix.lower() in {".xlsx", ".xlsm"}:
        return _read_workbook(source)
    names = {key: str(source / name) for key, name in SHEETS.items()}
    missing = [
        Problem(names[key], None, None, None, "找不到文件", "file not found")
        for key, name in SHEETS.items()
        if not (source / name).is_file()
    ]
    if missing:
        raise DatasetError(missing)
    try:
        department = yaml.safe_load((source / paths.DEPARTMENT_FILE).read_text("utf-8")) or {}
    except yaml.YAMLError as exc:
        raise DatasetError(
            [
                Problem(
                    names["department"], None, None, None, f"YAML 格式错误（{exc}）", "invalid YAML"
                )
            ]
        ) from exc
    if not isinstance(department, dict):
        raise DatasetError(
            [Problem(names["department"], None, None, None, "应为键值映射", "expected a mapping")]
        )
    return (
        department,
        _read_csv(source / paths.PROJECTS_FILE),
        _read_csv(source / paths.INDICATORS_FILE),
        names,
    )


def _unflatten(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Turn ``field``/``value`` rows with dotted keys into nested dicts and lists.

    Example:
        >>> _unflatten([("name", "科技局"), ("sections.problems", "疫情"),
        ...             ("basis_documents.0.title", "通知")])
        {'name': '科技局', 'sections': {'problems': '疫情'}, 'basis_documents': [{'title': '通知'}]}
    """
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = str(key).split(".")
        node: Any = root
        for part, nxt in zip(parts, [*parts[1:], None], strict=True):
            is_index = part.isdigit()
            slot = int(part) if is_index else part
            if nxt is None:
                if is_index:
                    node.extend([None] * (slot + 1 - len(node)))
                node[slot] = value
                break
            child_default: Any = [] if nxt.isdigit() else {}
            if is_index:
                node.extend([None] * (slot + 1 - len(node)))
                if node[slot] is None:
                    node[slot] = child_default
                node = node[slot]
            else:
                node = node.setdefault(part, child_default)
    return root


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """The inverse of :func:`_unflatten`."""
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flatten(v, f"{prefix}{k}.")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _flatten(v, f"{prefix}{i}.")]
    return [(prefix[:-1], value)]


def _read_workbook(
    source: Path,
) -> tuple[dict[str, Any], pd.DataFrame, pd.DataFrame, dict[str, str]]:
    if not source.is_file():
        raise DatasetError([Problem(str(source), None, None, None, "找不到文件", "file not found")])
    names = {key: f"{source.name}[{key}]" for key in SHEETS}
    try:
        sheets = pd.read_excel(
            source,
            sheet_name=None,
            dtype=str,
            keep_default_na=False,
            na_values=[""],
            engine="openpyxl",
        )
    except Exception as exc:  # openpyxl raises many types for a broken file
        raise DatasetError(
            [
                Problem(
                    str(source),
                    None,
                    None,
                    None,
                    f"无法读取工作簿（{exc}）",
                    "cannot read the workbook",
                )
            ]
        ) from exc
    missing = [
        Problem(str(source), None, None, key, "缺少工作表", "the sheet is missing")
        for key in SHEETS
        if key not in sheets
    ]
    if missing:
        raise DatasetError(missing)
    dept_sheet = sheets["department"]
    if not {"field", "value"} <= set(dept_sheet.columns):
        raise DatasetError(
            [
                Problem(
                    names["department"],
                    1,
                    "field/value",
                    None,
                    "应有 field 和 value 两列",
                    "expected the columns field and value",
                )
            ]
        )
    pairs = [
        (f, v)
        for f, v in zip(dept_sheet["field"], dept_sheet["value"], strict=True)
        if isinstance(f, str) and f.strip()
    ]
    return _unflatten(pairs), sheets["projects"], sheets["indicators"], names


def _department_problems(exc: ValidationError, file: str) -> list[Problem]:
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        message = err.get("msg", "")
        if "amount" in message:
            zh, en = EXPECTED["amount"]
        elif err["type"] == "missing":
            zh, en = "缺少此字段", "the field is missing"
        elif err["type"] == "extra_forbidden":
            zh, en = "未知字段（见 docs/data-format.md）", "unknown field (see docs/data-format.md)"
        else:
            zh, en = f"不符合要求（{message}）", message
        value = err.get("input") if err["type"] != "missing" else None
        if isinstance(value, dict):
            value = None
        problems.append(Problem(file, None, key, value, zh, en))
    return problems


def _table_problems(exc: pa.errors.SchemaErrors, file: str) -> list[Problem]:
    problems = []
    cases = exc.failure_cases
    for case in cases.itertuples(index=False):
        check = str(case.check)
        key = next((k for k in EXPECTED if check == k or check.startswith(k)), None)
        zh, en = EXPECTED.get(key or "", (f"未通过检查 {check}", f"failed the check {check}"))
        if check == "column_in_dataframe":
            problems.append(Problem(file, 1, str(case.failure_case), None, zh, en))
            continue
        row = None if case.index is None or pd.isna(case.index) else int(case.index) + 2
        value = None if check == "not_nullable" else case.failure_case
        problems.append(Problem(file, row, case.column, value, zh, en))
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))


def _to_float(texts: pd.Series) -> pd.Series:
    return pd.to_numeric(texts, errors="coerce").astype("float64")


def load_dataset(path: str | Path, *, execution_weight: float = 10.0) -> Dataset:
    """Load and validate a dataset folder or workbook.

    Args:
        path: a folder with ``department.yaml``, ``projects.csv`` and ``indicators.csv``, or an
            ``.xlsx`` workbook with the sheets ``department``, ``projects`` and ``indicators``.
        execution_weight: the points the budget execution rate carries (for the weight check).

    Returns:
        The typed :class:`Dataset`; non-fatal findings are in ``Dataset.warnings``.

    Raises:
        DatasetError: listing every problem, each naming file, row, column and value.
    """
    source = Path(path)
    if not source.exists():
        raise DatasetError(
            [Problem(str(source), None, None, None, "找不到数据集", "dataset not found")]
        )
    raw_dept, projects_raw, indicators_raw, names = _read_tables(source)

    problems: list[Problem] = []
    try:
        department = DepartmentInfo.model_validate(raw_dept)
    except ValidationError as exc:
        problems += _department_problems(exc, names["department"])
        department = None
    for frame, schema, file in (
        (projects_raw, PROJECTS_SCHEMA, names["projects"]),
        (indicators_raw, INDICATORS_SCHEMA, names["indicators"]),
    ):
        frame.columns = [str(c).strip() for c in frame.columns]
        try:
            schema.validate(frame, lazy=True)
        except pa.errors.SchemaErrors as exc:
            problems += _table_problems(exc, file)
    if problems:
        raise DatasetError(problems)
    assert department is not None

    projects = projects_raw.copy()
    for col in ("outcome", "stated_score", "note"):
        if col not in projects:
            projects[col] = pd.NA
    for col in NUMBER_COLUMNS:
        projects[col] = _to_float(projects[col])
    projects["line"] = np.arange(len(projects)) + 2
    indicators = indicators_raw.copy()
    if "note" not in indicators:
        indicators["note"] = pd.NA
    indicators["weight"] = _to_float(indicators["weight"])
    indicators["line"] = np.arange(len(indicators)) + 2

    known = set(projects["project_id"])
    orphan = ~indicators["project_id"].isin(known)
    problems += [
        Problem(
            names["indicators"],
            int(line),
            "project_id",
            pid,
            "项目不存在于 projects 表",
            "no such project in the projects table",
        )
        for pid, line in zip(
            indicators.loc[orphan, "project_id"], indicators.loc[orphan, "line"], strict=True
        )
    ]
    problems += _weight_problems(indicators, names["indicators"], execution_weight)
    if problems:
        raise DatasetError(problems)

    warnings = _collect_warnings(department, projects, indicators, names)
    return Dataset(department, projects, indicators, source, warnings)


def _weight_problems(indicators: pd.DataFrame, file: str, execution_weight: float) -> list[Problem]:
    """Explicit weights (分值) must leave the total at 100."""
    budget = 100.0 - execution_weight
    by_project = indicators.groupby("project_id", sort=False)
    explicit_sum = by_project["weight"].sum(min_count=1)
    is_all_explicit = by_project["weight"].count() == by_project["weight"].size()
    first_line = by_project["line"].min()
    problems = []
    has_explicit = explicit_sum.notna().to_numpy()
    for pid, total, all_explicit in zip(
        explicit_sum.index[has_explicit],
        explicit_sum.to_numpy()[has_explicit].tolist(),
        is_all_explicit.to_numpy()[has_explicit].tolist(),
        strict=True,
    ):
        total = round(float(total), 4)
        if (
            all_explicit and not math.isclose(total, budget, abs_tol=0.01)
        ) or total > budget + 0.01:
            problems.append(
                Problem(
                    file,
                    int(first_line[pid]),
                    "weight",
                    f"{pid}: {total:g}",
                    f"项目指标分值合计加预算执行率 {execution_weight:g} 分应为 100 分（现为 {total + execution_weight:g} 分）",
                    f"the project's weights plus {execution_weight:g} for the execution rate must total 100 "
                    f"(they total {total + execution_weight:g})",
                )
            )
    return problems


def _collect_warnings(
    department: DepartmentInfo,
    projects: pd.DataFrame,
    indicators: pd.DataFrame,
    names: dict[str, str],
) -> list[str]:
    warnings: list[str] = []
    if department.spent_wan > department.budget_wan:
        warnings.append(
            f"[{names['department']}] 全年支出 {format_wan(department.spent_wan)} 万元超过预算 "
            f"{format_wan(department.budget_wan)} 万元。 / spending exceeds the budget."
        )
    over = projects["spent_wan"] > projects["budget_wan"]
    for row in projects[over].itertuples():
        warnings.append(
            f"[{names['projects']} 第 {row.line} 行] 项目“{row.name}”执行数 {format_wan(row.spent_wan)} 万元超过预算 "
            f"{format_wan(row.budget_wan)} 万元。 / row {row.line}: spending exceeds the budget."
        )
    for column in ("target", "actual"):
        parsed = parse_indicator_values(indicators[column], department.fiscal_year)
        unparsed = parsed["kind"].eq(KIND_QUALITATIVE) & ~parsed["is_parsed"]
        for line, text in zip(
            indicators.loc[unparsed, "line"], indicators.loc[unparsed, column], strict=True
        ):
            warnings.append(
                f"[{names['indicators']} 第 {line} 行，列 {column}] 无法判断“{text}”的完成情况，按定性指标处理。"
                f' / row {line}, column {column}: cannot read "{text}"; treated as qualitative.'
            )
    return warnings


def write_workbook(dataset: Dataset, target: str | Path) -> Path:
    """Write a dataset as one ``.xlsx`` workbook with the sheets of the data format.

    Args:
        dataset: a loaded dataset.
        target: the workbook path to write.

    Returns:
        The path written.
    """
    target = Path(target)
    dept = dataset.department.model_dump(mode="json", exclude_none=True)
    pairs = _flatten(dept)
    projects = dataset.projects.drop(columns=["line"])
    for col in AMOUNT_COLUMNS:  # keep the written precision: amounts as text, never float noise
        projects[col] = projects[col].map(
            lambda v: f"{v:.4f}".rstrip("0").rstrip("."), na_action="ignore"
        )
    indicators = dataset.indicators.drop(columns=["line"])
    with pd.ExcelWriter(target, engine="openpyxl") as writer:
        pd.DataFrame(pairs, columns=["field", "value"]).to_excel(
            writer, sheet_name="department", index=False
        )
        projects.to_excel(writer, sheet_name="projects", index=False)
        indicators.to_excel(writer, sheet_name="indicators", index=False)
    return target
