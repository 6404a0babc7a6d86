"""One department's fiscal-year dataset: read by :mod:`helpers.readers`, validated here, once.

Whatever the layout (a folder of CSV files, one workbook, or the standard 自评表 as published),
the readers hand over text tables whose rows know their source cell; this module canonicalises
printed labels (``产出指标`` → ``产出``, ``进度指标`` → ``时效``), checks every table against the
one schema of :mod:`helpers.schema`, and either returns a typed :class:`Dataset` or raises
:class:`DatasetError` listing every problem, each naming file, row or cell, column, the bad value
and what was expected, in Chinese first and English after. Problems that do not stop a report
(spending above budget, a value whose meaning cannot be judged, a label one edit away from
another) are collected in :attr:`Dataset.warnings`.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pandera.pandas as pa
from pydantic import ValidationError

from helpers.format import format_wan
from helpers.parse import KIND_QUALITATIVE, PARSED_COLUMNS, _parse_coded
from helpers.readers import CELLS_COLUMN, WHERE_COLUMN, SourceTables, read_source
from helpers.readers.errors import Problem, ReadError
from helpers.readers.limits import MAX_CELL_CHARS
from helpers.schema import (
    AMOUNT_COLUMNS,
    COLUMN_ALIASES,
    EXPECTED,
    FORM_PROJECTS_SCHEMA,
    INDICATOR_COLUMNS,
    INDICATOR_NUMBER_COLUMNS,
    INDICATORS_SCHEMA,
    LEVEL1_ALIASES,
    LEVEL1_VALUES,
    LEVEL2_ALIASES,
    NUMBER_COLUMNS,
    PROJECT_COLUMNS,
    PROJECTS_SCHEMA,
    DepartmentInfo,
    Template,
    canonical_level,
    header_key,
)

__all__ = ["Dataset", "DatasetError", "Problem", "load_dataset", "write_workbook"]

DatasetError = ReadError
"""The dataset cannot be used; ``problems`` says exactly why (the readers' error type)."""

SOURCE_COLUMN = "source_location"
"""Per row of a loaded table: where it was read (``projects.csv 第 3 行``, ``自评表.xlsx 工作表「项目1」第 7 行起``)."""


@dataclass
class Dataset:
    """One department's fiscal year, validated and typed."""

    department: DepartmentInfo
    projects: pd.DataFrame
    indicators: pd.DataFrame
    source: Path
    warnings: list[str] = field(default_factory=list)
    layout: str = "folder"
    parsed: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)
    """``target``/``actual``: the parser's output for the indicator texts, computed once at load
    (as :func:`helpers.parse._parse_coded` returns it) and reused by scoring; empty until
    :func:`parse_datasets` for a dataset loaded with ``parse=False``."""
    files: dict[str, str] = field(default_factory=dict, repr=False, compare=False)
    """What each table was read from (``department``, ``projects``, ``indicators``), as the
    warnings and problems name them."""

    @property
    def fiscal_year(self) -> int:
        """The fiscal year (预算年度)."""
        return self.department.fiscal_year

    @property
    def template(self) -> Template:
        """The scoring template the dataset states (10 + 90 when it states none)."""
        return self.department.template or Template()


def _flatten(value: Any, prefix: str = "") -> list[tuple[str, Any]]:
    """Nested dicts and lists as ``field``/``value`` pairs with dotted keys.

    Example:
        >>> _flatten({"name": "科技局", "basis_documents": [{"title": "通知"}]})
        [('name', '科技局'), ('basis_documents.0.title', '通知')]
    """
    if isinstance(value, dict):
        return [pair for k, v in value.items() for pair in _flatten(v, f"{prefix}{k}.")]
    if isinstance(value, list):
        return [pair for i, v in enumerate(value) for pair in _flatten(v, f"{prefix}{i}.")]
    return [(prefix[:-1], value)]


_FORM_SUFFIXES = (".xlsx", ".xlsm", ".xls", ".docx")


def _field_names(path: tuple[object, ...]) -> tuple[str, ...]:
    """The fields ``department.yaml`` allows at ``path`` (``("sections",)``: its sections)."""
    model: Any = DepartmentInfo
    for part in path:
        field = getattr(model, "model_fields", {}).get(part)
        if field is None:
            return ()
        inner = [a for a in (field.annotation, *getattr(field.annotation, "__args__", ())) if a]
        model = next((a for a in inner if hasattr(a, "model_fields")), None)
        if model is None:
            return ()
    return tuple(getattr(model, "model_fields", {}))


def _department_problems(exc: ValidationError, file: str) -> list[Problem]:
    problems = []
    for err in exc.errors():
        key = ".".join(str(p) for p in err["loc"])
        message = err.get("msg", "")
        if "amount" in message:
            zh, en = EXPECTED["amount"]
        elif err["type"] == "missing" and key == "fiscal_year" and file.endswith(_FORM_SUFFIXES):
            zh, en = (
                "表中未写明预算年度：请在同一文件夹放一个同名 .yaml 文件（或 department.yaml）写明 fiscal_year",
                "the table prints no fiscal year: put fiscal_year in a .yaml of the same name beside it",
            )
        elif err["type"] == "missing":
            zh, en = "缺少此字段", "the field is missing"
        elif err["type"] == "extra_forbidden":
            zh, en = "未知字段（见 docs/data-format.md）", "unknown field (see docs/data-format.md)"
            guess = _closest(str(err["loc"][-1]), _field_names(err["loc"][:-1]))
            if guess:
                zh, en = (
                    f"未知字段，是否应为“{guess}”？（见 docs/data-format.md）",
                    (f'unknown field; did you mean "{guess}"? (see docs/data-format.md)'),
                )
        else:
            zh, en = f"不符合要求（{message}）", message
        value = err.get("input") if err["type"] != "missing" else None
        if isinstance(value, dict):
            value = None
        problems.append(Problem(file, None, key, value, zh, en))
    return problems


def _table_problems(
    exc: pa.errors.SchemaErrors,
    file: str,
    frame: pd.DataFrame,
    as_written: dict[tuple[str, int], str] | None = None,
) -> list[Problem]:
    """Each failure case as a problem; ``as_written``: folded cells' text, by (column, row)."""
    as_written = as_written or {}
    problems = []
    lines = frame["_line"].tolist()
    cells = frame[CELLS_COLUMN].tolist()
    for case in exc.failure_cases.itertuples(index=False):
        check = str(case.check)
        key = next((k for k in EXPECTED if check == k or check.startswith(k)), None)
        zh, en = EXPECTED.get(key or "", (f"未通过检查 {check}", f"failed the check {check}"))
        if check == "column_in_dataframe":
            missing = str(case.failure_case)
            # Its English name and the Chinese headers read as it (项目名称 for name).
            spellings = (missing, *(a for a, n in COLUMN_ALIASES.items() if n == missing))
            near = [
                (c, meant)
                for c in map(str, frame.columns)
                if (meant := _closest(c, spellings)) is not None
            ]
            if near:  # a misspelt header: say which one
                written, meant = near[0]
                zh = f"{zh}（表中有“{written}”，是否应为“{meant}”？）"
                en = f'{en} (the table has "{written}": should it be "{meant}"?)'
            problems.append(Problem(file, 1, missing, None, zh, en))
            continue
        position = None if case.index is None or pd.isna(case.index) else int(case.index)
        row = None if position is None else lines[position]
        cell = None if position is None else (cells[position] or {}).get(case.column)
        value = None if check == "not_nullable" else case.failure_case
        if position is not None:  # as written in the file, not as folded (1，234, not 1,234)
            value = as_written.get((case.column, position), value)
        problems.append(Problem(file, row, case.column, value, zh, en, cell))
    return sorted(problems, key=lambda p: (p.row or 0, p.column or ""))


def _to_float(texts: pd.Series) -> pd.Series:
    return pd.to_numeric(texts, errors="coerce").astype("float64")


# Full-width ASCII (０-９, ％, ．) folds to ASCII; nothing else does: ² or ① are not digits.
_FULL_WIDTH = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)} | {0x3000: 0x20}

_NUMBER_SUFFIXES = {
    "initial_budget_wan": ("万元", "万"),
    "budget_wan": ("万元", "万"),
    "spent_wan": ("万元", "万"),
    "stated_execution_rate_pct": ("%",),
    "execution_weight": ("分",),
    "stated_execution_score": ("分",),
    "stated_score": ("分",),
    "weight": ("分",),
}


def _normalise_numbers(
    frame: pd.DataFrame,
    columns: tuple[str, ...],
    file: str,
    written: dict[tuple[str, int], str] | None = None,
) -> list[str]:
    """Fold full-width digits and drop a unit the column implies (``98.5%``, ``10分``).

    Returns a warning for every cell whose digits had to be folded (``３１０`` → ``310``): the
    value is unambiguous, but the analyst should know the cell is not what Excel calls a number.
    ``written`` receives each changed cell's text as written, by (column, row position), for
    the problems to quote.
    """
    notes = []
    written = {} if written is None else written
    for column in columns:
        if column not in frame:
            continue
        values = frame[column].tolist()
        for i, value in enumerate(values):
            if not isinstance(value, str):
                continue
            text = value.strip()
            folded = text.translate(_FULL_WIDTH).replace(" ", "")
            for suffix in _NUMBER_SUFFIXES.get(column, ()):
                if folded.endswith(suffix) and len(folded) > len(suffix):
                    folded = folded[: -len(suffix)]
            if text.translate(_FULL_WIDTH) != text and folded.replace(".", "", 1).isascii():
                where = (frame[CELLS_COLUMN].iloc[i] or {}).get(column) or (
                    f"{file} 第 {frame['_line'].iloc[i]} 行"
                )
                notes.append(
                    f"[{where}，列 {column}] 全角字符“{text}”已按“{folded}”读取。"
                    f' / full-width "{text}" read as "{folded}".'
                )
            if folded != text:
                written[(column, i)] = text
            values[i] = folded
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return notes


_ZERO_WIDTH = dict.fromkeys(map(ord, "\u200b\u200c\u200d\u2060\ufeff"))
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u2028\u2029]")


def _clean_text(value: str) -> tuple[str | None, bool, str | None]:
    """Check and normalise one text cell.

    Returns:
        The normalised text, whether zero-width characters were dropped, and what is wrong
        with it (``control``, ``long``) or None.
    """
    unified = value.replace("\r\n", "\n")
    text = unified.translate(_ZERO_WIDTH)
    fault = "control" if _CONTROL.search(text) else "long" if len(text) > MAX_CELL_CHARS else None
    return text.strip() or None, text != unified, fault


_TEXT_FAULTS = {
    "control": ("含有控制字符（如 ESC、NUL），请删除", "contains control characters; remove them"),
    "long": (f"文本超过 {MAX_CELL_CHARS} 字", f"longer than {MAX_CELL_CHARS} characters"),
}


def _normalise_texts(
    frame: pd.DataFrame, columns: tuple[str, ...], file: str
) -> tuple[list[Problem], list[str]]:
    """Normalise the text cells of a table, the one place that does.

    Zero-width characters are dropped (with a warning), CRLF becomes LF; control characters
    and over-long text are refused, each problem naming the cell. Each distinct text is
    checked once.
    """
    problems: list[Problem] = []
    warnings: list[str] = []
    cells = frame[CELLS_COLUMN].tolist()
    lines = frame["_line"].tolist()
    for column in columns:
        if column not in frame:
            continue
        values = frame[column].tolist()
        seen: dict[str, tuple[str | None, bool, str | None]] = {}
        for i, value in enumerate(values):
            if not isinstance(value, str):
                continue
            cleaned = seen.get(value)
            if cleaned is None:
                cleaned = seen[value] = _clean_text(value)
            text, had_zero_width, fault = cleaned
            if had_zero_width or fault:
                where = (cells[i] or {}).get(column)
                line = int(lines[i])
                if had_zero_width:
                    warnings.append(
                        f"[{where or f'{file} 第 {line} 行'}，列 {column}] 已删除不可见的零宽字符。"
                        " / invisible zero-width characters removed."
                    )
                if fault:
                    zh, en = _TEXT_FAULTS[fault]
                    problems.append(Problem(file, line, column, value, zh, en, where))
            values[i] = text
        frame[column] = pd.Series(values, index=frame.index, dtype=object)
    return problems, warnings


def _canonical_labels(indicators: pd.DataFrame) -> None:
    """Printed level labels (``产出指标``, ``进度指标``, ``满意度指标``) as canonical ones."""
    for column, aliases in (("level1", LEVEL1_ALIASES), ("level2", LEVEL2_ALIASES)):
        if column in indicators:
            labels = indicators[column].tolist()
            table = {v: canonical_level(v, aliases) for v in set(labels) if isinstance(v, str)}
            indicators[column] = [table.get(v, v) if isinstance(v, str) else v for v in labels]


def _prepare(frame: pd.DataFrame, columns: tuple[str, ...]) -> pd.DataFrame:
    out = frame.copy()
    if "_line" not in out:
        out["_line"] = np.arange(len(out)) + 1
    for column in (WHERE_COLUMN, CELLS_COLUMN):
        if column not in out:
            out[column] = None
    out[CELLS_COLUMN] = [c if isinstance(c, dict) else {} for c in out[CELLS_COLUMN]]
    return out.reset_index(drop=True)


def _unknown_columns(
    frame: pd.DataFrame, known: tuple[str, ...], file: str, required: set[str]
) -> tuple[list[Problem], list[str]]:
    """Problems and warnings for the columns no table knows.

    A column near a known one is named with the header it likely means. When it is one edit
    from an optional column the table lacks (``budget_wn``, ``全年预算书（万元）``), its data
    would be lost in silence (no budget: every project unscored), so it is an error; a missing
    required column is the schema's error already, with the same hint.
    """
    problems: list[Problem] = []
    warnings: list[str] = []
    chinese = {alias: name for alias, name in COLUMN_ALIASES.items() if name in known}
    for column in frame.columns:
        if column.startswith("_") or column in known:
            continue
        probe = header_key(column)
        guess = _closest(column, known) or _closest(probe, tuple(chinese))
        meant = chinese.get(guess or "", guess)
        is_typo = (
            guess is not None
            and min(edit_distance(column, guess), edit_distance(probe, guess)) <= 1
        )
        if is_typo and meant not in frame.columns and meant not in required:
            problems.append(
                Problem(
                    file,
                    1,
                    column,
                    None,
                    f"列名无法识别，是否应为“{guess}”？（不改正，这一列的数据会被忽略）",
                    f'unknown column: should it be "{guess}"? (else its data is ignored)',
                )
            )
            continue
        hint = f"，是否应为“{guess}”？" if guess else ""
        hint_en = f'; did you mean "{guess}"?' if guess else ""
        warnings.append(
            f"[{file}] 未知列“{column}”已忽略{hint}（见 docs/data-format.md）。 / unknown column "
            f'"{column}" ignored{hint_en}'
        )
    return problems, warnings


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance (insertions, deletions, substitutions).

    Example:
        >>> edit_distance("outcomes", "outcome"), edit_distance("科技创新", "科技创新发展")
        (1, 2)
    """
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, start=1):
        current = [i]
        for j, cb in enumerate(b, start=1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ca != cb)))
        previous = current
    return previous[-1]


def _closest(word: str, candidates: tuple[str, ...] | list[str]) -> str | None:
    """A candidate one edit away from ``word`` (or containing it / contained in it)."""
    for candidate in candidates:
        if candidate != word and (
            edit_distance(word, candidate) <= 1
            or (min(len(word), len(candidate)) >= 2 and (word in candidate or candidate in word))
        ):
            return candidate
    return None


def load_dataset(
    path: str | Path, *, execution_weight: float | None = None, parse: bool = True
) -> Dataset:
    """Load and validate a dataset in any layout jixiao reads.

    Args:
        path: a folder with ``department.yaml``, ``projects.csv`` and ``indicators.csv``; an
            ``.xlsx`` workbook with the sheets ``department``, ``projects`` and ``indicators``;
            or the standard 自评表 as ``.xlsx``, ``.xls`` or ``.docx`` (a file, or a folder of
            them with an optional ``department.yaml``).
        execution_weight: the points the budget execution rate carries for projects that do
            not state it; the dataset's template (10 unless it says otherwise) when None.
        parse: parse the targets and actuals now; False leaves that to
            :func:`parse_datasets`, which parses many datasets at once.

    Returns:
        The typed :class:`Dataset`; non-fatal findings are in ``Dataset.warnings``.

    Raises:
        DatasetError: listing every problem, each naming file, row or cell, column and value.
    """
    tables = read_source(path)
    return build_dataset(tables, Path(path), execution_weight=execution_weight, parse=parse)


def _validate_department(
    raw: dict[str, Any], file: str
) -> tuple[DepartmentInfo | None, list[Problem]]:
    """The department mapping as a model (template level labels canonical), or its problems."""
    raw_dept = dict(raw)
    template = raw_dept.get("template")
    if isinstance(template, dict) and isinstance(template.get("level_weights"), dict):
        template["level_weights"] = {
            canonical_level(k, LEVEL1_ALIASES): v for k, v in template["level_weights"].items()
        }
    problems = [
        Problem(
            file,
            None,
            key,
            value,
            "含有控制字符（如 ESC、NUL），请删除",
            "contains control characters; remove them",
        )
        for key, value in _flatten(raw_dept)
        if isinstance(value, str) and _CONTROL.search(value)
    ]
    try:
        department = DepartmentInfo.model_validate(raw_dept)
    except ValidationError as exc:
        return None, problems + _department_problems(exc, file)
    return (None if problems else department), problems


def _validate_tables(
    tables: SourceTables, projects_raw: pd.DataFrame, indicators_raw: pd.DataFrame
) -> tuple[list[Problem], list[str]]:
    """Normalise the text tables in place (texts, numbers, labels) and check the schemas.

    Returns:
        The problems (each naming file, row or cell, column and value) and the warnings.
    """
    names = tables.files
    problems: list[Problem] = []
    warnings: list[str] = []
    project_schema = FORM_PROJECTS_SCHEMA if tables.layout == "form" else PROJECTS_SCHEMA
    specs = (
        (projects_raw, PROJECT_COLUMNS, NUMBER_COLUMNS, project_schema, names["projects"]),
        (
            indicators_raw,
            INDICATOR_COLUMNS,
            INDICATOR_NUMBER_COLUMNS,
            INDICATORS_SCHEMA,
            names["indicators"],
        ),
    )
    as_written: dict[str, dict[tuple[str, int], str]] = {}  # by file: folded cells' text
    for frame, columns, numbers, _, file in specs:
        text_problems, text_warnings = _normalise_texts(frame, columns, file)
        problems += text_problems
        warnings += text_warnings
        warnings += _normalise_numbers(frame, numbers, file, as_written.setdefault(file, {}))
    for frame, file, zh, en in (
        (projects_raw, names["projects"], "没有任何项目", "the dataset has no project"),
        (indicators_raw, names["indicators"], "没有任何绩效指标", "the dataset has no indicator"),
    ):
        if not len(frame) and not problems:
            problems.append(Problem(file, None, None, None, zh, en))
    _canonical_labels(indicators_raw)
    for frame, columns, _, schema, file in specs:
        required = {name for name, column in schema.columns.items() if column.required}
        column_problems, column_warnings = _unknown_columns(frame, columns, file, required)
        problems += column_problems
        warnings += column_warnings
        checked = _as_text(frame[[c for c in frame.columns if c in columns]])
        if _surely_valid(checked, schema):
            continue
        try:
            schema.validate(checked, lazy=True)
        except pa.errors.SchemaErrors as exc:
            problems += _table_problems(exc, file, frame, as_written.get(file))
    return problems, warnings


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Every cell as text (``str`` columns, missing cells missing), as the schemas check them.

    Columns of text and missing cells only (nearly all) are built directly; any other column
    goes through ``astype("str")`` as a whole frame would.
    """
    out: dict[str, pd.Series] = {}
    for name in frame.columns:
        cells = frame[name].to_numpy(dtype=object)
        missing = pd.isna(cells)
        if all(isinstance(c, str) for c in cells[~missing].tolist()):
            text = cells.copy()
            text[missing] = None
            out[name] = pd.Series(text, index=frame.index, dtype="str")
        else:
            column = frame[name].astype(object)
            column = column.where(column.notna(), None)
            out[name] = column.astype("str").where(column.notna(), None)
    return pd.DataFrame(out, index=frame.index, columns=frame.columns)


def _surely_valid(frame: pd.DataFrame, schema: pa.DataFrameSchema) -> bool:
    """Whether ``schema`` passes ``frame``, by the schema's own column checks run directly.

    A table that passes (almost every one) is not run through pandera's validation, which
    costs several times as much for a table of a department; a table this finds anything
    wrong with is validated by pandera, whose failure cases name every problem. Conservative:
    anything it does not know how to check (an element-wise check, a check that does not
    skip missing values, schema-level checks) sends the table to pandera.
    """
    if schema.checks or schema.unique or schema.strict or schema.coerce:
        return False
    for name, column in schema.columns.items():
        if name not in frame:
            if column.required:
                return False
            continue
        if not _column_surely_valid(frame[name], column):
            return False
    return True


def _column_surely_valid(values: pd.Series, column: Any) -> bool:
    """One column against its schema column: type, missing values, uniqueness, checks."""
    from pandera.engines import pandas_engine

    if column.coerce or column.regex:
        return False
    if column.dtype is not None and not np.all(
        column.dtype.check(pandas_engine.Engine.dtype(values.dtype), values)
    ):
        return False
    cells = values.tolist()
    texts = [c for c in cells if isinstance(c, str)]  # the text view: text or missing
    if len(texts) < len(cells):
        if not column.nullable:
            return False
        values = values[values.notna().to_numpy()]
    if column.unique and len(set(texts)) < len(texts):
        return False
    return all(_column_check_passes(check, texts, values) for check in column.checks)


def _column_check_passes(check: Any, texts: list[str], values: pd.Series) -> bool:
    """One check of a column on its present ``texts`` (``values``: the same as a Series)."""
    if not check.ignore_na or check.element_wise or check.groupby is not None:
        return False
    quick = getattr(check, "quick", None)  # see helpers.schema._with_quick
    if quick is not None:
        return all(map(quick, texts))
    return bool(check(values).check_passed)


def _resolve_template(department: DepartmentInfo, execution_weight: float | None) -> Template:
    """The template in force: the dataset's, with an explicit execution weight overriding it."""
    stated = department.template or Template()
    if execution_weight is None:
        return stated
    return Template(execution_weight=execution_weight, level_weights=stated.level_weights)


def build_dataset(
    tables: SourceTables,
    source: Path,
    *,
    execution_weight: float | None = None,
    parse: bool = True,
) -> Dataset:
    """Validate the tables a reader returned and type them (see :func:`load_dataset`)."""
    names = tables.files
    department, problems = _validate_department(tables.department, names["department"])
    projects_raw = _prepare(tables.projects, PROJECT_COLUMNS)
    indicators_raw = _prepare(tables.indicators, INDICATOR_COLUMNS)
    table_problems, warnings = _validate_tables(tables, projects_raw, indicators_raw)
    problems += table_problems
    warnings = [*tables.notes, *warnings]
    if problems or department is None:
        raise DatasetError(problems)

    projects = _typed(projects_raw, PROJECT_COLUMNS, NUMBER_COLUMNS, names["projects"])
    indicators = _typed(
        indicators_raw, INDICATOR_COLUMNS, INDICATOR_NUMBER_COLUMNS, names["indicators"]
    )
    resolved = _resolve_template(department, execution_weight)
    if department.template is None and execution_weight is not None:
        department = department.model_copy(update={"template": resolved})
    problems = _orphan_problems(projects, indicators, names["indicators"])
    published = set(projects.loc[projects["stated_score"].notna(), "project_id"])
    published |= set(indicators.loc[indicators["stated_score"].notna(), "project_id"])
    for pid, problem in _weight_problems(projects, indicators, names["indicators"], resolved):
        if tables.layout == "form" or pid in published:
            # A published table (or its transcription, with the printed 得分) is read as
            # printed: its 分值 are what the grader used.
            warnings.append(f"{problem}（按表中分值计分）")
        else:
            problems.append(problem)
    if problems:
        raise DatasetError(problems)

    warnings += _collect_warnings(department, projects, indicators, names)
    dataset = Dataset(
        department, projects, indicators, source, warnings, tables.layout, files=dict(names)
    )
    if parse:
        parse_datasets([dataset])
    return dataset


def parse_datasets(datasets: Sequence[Dataset]) -> None:
    """Parse the targets and actuals of datasets not parsed yet, all at once per fiscal year.

    Each dataset gets its :attr:`Dataset.parsed` and, at the end of its warnings, one for every
    text the parser cannot read, exactly as loading it with ``parse=True`` gives. For batches:
    one parse of a year's texts instead of one per department.
    """
    by_year: dict[int, list[Dataset]] = {}
    for dataset in {id(d): d for d in datasets if not d.parsed}.values():  # each once
        by_year.setdefault(dataset.fiscal_year, []).append(dataset)
    for year, group in by_year.items():
        bounds = np.cumsum([0, *(len(d.indicators) for d in group)]).tolist()
        parses = {}
        for column in ("target", "actual"):
            texts = [d.indicators[column] for d in group]
            joined = texts[0] if len(group) == 1 else pd.concat(texts, ignore_index=True)
            parses[column] = _parse_coded(joined, year, PARSED_COLUMNS)
        for k, dataset in enumerate(group):  # both columns parsed: only now stored
            for column, (frame, codes, table) in parses.items():
                part = frame.iloc[bounds[k] : bounds[k + 1]].set_axis(dataset.indicators.index)
                dataset.parsed[column] = (part, codes[bounds[k] : bounds[k + 1]], table)
        for dataset in group:
            dataset.warnings += _unparsed_warnings(
                dataset.indicators, dataset.files, dataset.parsed
            )


def _typed(
    raw: pd.DataFrame, columns: tuple[str, ...], numbers: tuple[str, ...], file: str
) -> pd.DataFrame:
    index = raw.index
    out: dict[str, Any] = {}
    for column in columns:
        if column in numbers:
            values = raw[column] if column in raw else pd.Series(None, index=index, dtype=object)
            out[column] = _to_float(values)
        elif column in raw:
            # Text cells as text; anything else (a number typed in a text column) is missing.
            cells = raw[column].to_numpy(dtype=object)
            is_text = np.fromiter(map(isinstance, cells, repeat(str)), bool, len(cells))
            out[column] = pd.Series(np.where(is_text, cells, None), index=index, dtype="str")
        else:
            out[column] = pd.Series(None, index=index, dtype="str")
    out["line"] = raw["_line"].astype(int).to_numpy()
    where = raw[WHERE_COLUMN].tolist()
    out[SOURCE_COLUMN] = [
        f"{file} {w}" if isinstance(w, str) and not w.startswith(file) else (w or f"{file}")
        for w in where
    ]
    out["_cells"] = raw[CELLS_COLUMN].tolist()
    return pd.DataFrame(out, index=index)


def _orphan_problems(projects: pd.DataFrame, indicators: pd.DataFrame, file: str) -> list[Problem]:
    known = set(projects["project_id"])
    orphan = ~indicators["project_id"].isin(known)
    return [
        Problem(
            file,
            int(line),
            "project_id",
            pid,
            "项目不存在于 projects 表",
            "no such project in the projects table",
            (cells or {}).get("project_id"),
        )
        for pid, line, cells in zip(
            indicators.loc[orphan, "project_id"],
            indicators.loc[orphan, "line"],
            indicators.loc[orphan, "_cells"],
            strict=True,
        )
    ]


def project_execution_weights(projects: pd.DataFrame, template: Template) -> pd.Series:
    """Each project's execution weight: its own (the form's 分值), else the template's."""
    return projects["execution_weight"].fillna(template.execution_weight)


def _weight_problems(
    projects: pd.DataFrame, indicators: pd.DataFrame, file: str, template: Template
) -> list[tuple[str, Problem]]:
    """Explicit weights (分值) plus the execution weight must total 100."""
    execution = dict(
        zip(projects["project_id"], project_execution_weights(projects, template), strict=False)
    )
    by_project = indicators.groupby("project_id", sort=False)
    explicit_sum = by_project["weight"].sum(min_count=1)
    is_all_explicit = by_project["weight"].count() == by_project["weight"].size()
    first_line = by_project["line"].min()
    problems = []
    for pid, total in explicit_sum.dropna().items():
        execution_weight = float(execution.get(pid, template.execution_weight))
        budget = 100.0 - execution_weight
        total = round(float(total), 4)
        if (
            is_all_explicit[pid] and not math.isclose(total, budget, abs_tol=0.01)
        ) or total > budget + 0.01:
            problems.append(
                (
                    pid,
                    Problem(
                        file,
                        int(first_line[pid]),
                        "weight",
                        f"{pid}: {total:g}",
                        f"项目指标分值合计加预算执行率 {execution_weight:g} 分应为 100 分（现为 {total + execution_weight:g} 分）",
                        f"the project's weights plus {execution_weight:g} for the execution rate must total 100 "
                        f"(they total {total + execution_weight:g})",
                    ),
                )
            )
    return problems


def _label_warnings(values: list[str], what_zh: str, what_en: str, file: str) -> list[str]:
    """A warning for each pair of labels one edit apart (or one inside the other)."""
    distinct = list(dict.fromkeys(v for v in values if isinstance(v, str)))
    warnings = []
    for i, word in enumerate(distinct):
        for other in distinct[i + 1 :]:
            if _closest(word, [other]):
                warnings.append(
                    f"[{file}] {what_zh}“{word}”与“{other}”仅差一字或互相包含，是否为笔误？"
                    f' / {what_en} "{word}" and "{other}" differ by one edit: a typo?'
                )
    return warnings


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
    project_total = round(float(projects["budget_wan"].sum()), 4)  # 万元 to 4 decimals
    unit_total = round(float(department.budget_wan), 4)
    if 0 < unit_total < project_total:  # 0: a form that states no unit budget
        warnings.append(
            f"[{names['department']}] 单位全年预算 {format_wan(department.budget_wan)} 万元小于其"
            f"项目预算合计 {format_wan(project_total)} 万元，请核对（是否填成了某一项目的预算，"
            "或金额单位不一致）。 / the unit's budget is below the sum of its projects' budgets."
        )
    # Each selection only when it holds a row: a department's tables are small, and pandas'
    # selections cost more than the comparisons.
    over = (projects["spent_wan"] > projects["budget_wan"]).to_numpy()
    for row in projects[over].itertuples() if over.any() else ():
        warnings.append(
            f"[{row.source_location}] 项目“{row.name}”执行数 {format_wan(row.spent_wan)} 万元超过预算 "
            f"{format_wan(row.budget_wan)} 万元。 / row {row.line}: spending exceeds the budget."
        )
    high = (projects["stated_execution_rate_pct"] > 100).to_numpy()
    for row in projects[high].itertuples() if high.any() else ():
        warnings.append(
            f"[{row.source_location}] 项目“{row.name}”所述执行率 {row.stated_execution_rate_pct:g}% "
            f"超过 100%，按 100% 计分。 / a stated execution rate above 100 % is scored as 100 %."
        )
    counts = Counter(projects["name"].tolist())
    for name, count in sorted((n, c) for n, c in counts.items() if c > 1):
        warnings.append(
            f"[{names['projects']}] 项目名称“{name}”出现 {count} 次，报告中将难以区分。"
            f' / the project name "{name}" appears {count} times.'
        )
    declared = [c.name for c in department.categories]
    categories = projects["category"].tolist()
    if declared:
        for category in dict.fromkeys(categories):
            if category not in declared:
                guess = _closest(category, declared)
                hint = f"，是否应为“{guess}”？" if guess else ""
                warnings.append(
                    f"[{names['projects']}] 项目类别“{category}”不在 department.yaml 的 categories 中{hint}"
                    f' / category "{category}" is not declared in department.yaml'
                )
    else:
        warnings += _label_warnings(categories, "项目类别", "categories", names["projects"])
    level1 = [v for v in indicators["level1"].tolist() if v not in LEVEL1_VALUES]
    warnings += _label_warnings(level1, "一级指标", "level-1 labels", names["indicators"])
    return warnings


def _unparsed_warnings(
    indicators: pd.DataFrame, names: dict[str, str], parsed: dict[str, Any]
) -> list[str]:
    """A warning per target or actual text that the parser could not read."""
    warnings: list[str] = []
    for column in ("target", "actual"):
        values = parsed[column][0]
        unparsed = (
            values["kind"].eq(KIND_QUALITATIVE) & ~values["is_parsed"].astype(bool)
        ).to_numpy()
        if not unparsed.any():
            continue
        for where, line, text in zip(
            indicators.loc[unparsed, "_cells"],
            indicators.loc[unparsed, "line"],
            indicators.loc[unparsed, column],
            strict=True,
        ):
            place = (where or {}).get(column) or f"{names.get('indicators', '')} 第 {line} 行"
            warnings.append(
                f"[{place}，列 {column}] 无法判断“{text}”的完成情况，按定性指标处理。"
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
    from helpers.writers import write_tables_workbook

    return write_tables_workbook(dataset, target)


def dataset_tables_as_text(
    dataset: Dataset,
) -> tuple[list[tuple[str, Any]], pd.DataFrame, pd.DataFrame]:
    """The department pairs and the two tables as written (amounts as exact text, no helpers)."""
    dept = dataset.department.model_dump(mode="json", exclude_none=True)
    pairs = _flatten(dept)
    projects = dataset.projects.reindex(columns=list(PROJECT_COLUMNS))
    for col in AMOUNT_COLUMNS:  # keep the written precision: amounts as text, never float noise
        projects[col] = projects[col].map(
            lambda v: f"{v:.4f}".rstrip("0").rstrip("."), na_action="ignore"
        )
    indicators = dataset.indicators.reindex(columns=list(INDICATOR_COLUMNS))
    return pairs, projects, indicators
