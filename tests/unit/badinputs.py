"""A generated corpus of bad inputs: every way a dataset can arrive broken, with its exact outcome.

Each :class:`Case` builds one dataset in a temporary folder (a folder of CSV files, our ``.xlsx``
workbook, or a standard 自评表) from a small valid base with **one** fault injected, and states
what :func:`helpers.dataset.load_dataset` must do with it (:class:`Expected`): refuse it with a
:class:`~helpers.readers.errors.Problem` naming the file (its base name), the row or cell, the
column and part of the Chinese message; or accept it, with the normalised value and part of the
warning. The cases are produced by loops (columns × faults × layouts), not written one by one:
:func:`all_cases` is the corpus. A case whose ``gap`` is set states the outcome the rules ask for
and says why the current code gives another (a traceback, silence, or a less precise problem);
``test_bad_inputs.py`` runs it as a strict xfail.
"""

from __future__ import annotations

import codecs
import copy
import csv
import dataclasses
import io
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import openpyxl
from openpyxl.utils import get_column_letter

from .formbuilder import sample_project, write_form_xlsx

# --- the valid base ------------------------------------------------------------------------------

PROJECT_COLUMNS = [
    "project_id",
    "category",
    "name",
    "initial_budget_wan",
    "budget_wan",
    "spent_wan",
    "stated_execution_rate_pct",
    "outcome",
    "stated_score",
    "note",
]
INDICATOR_COLUMNS = [
    "project_id",
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "weight",
    "deviation_reason",
    "note",
]
REQUIRED = {
    "projects": ("project_id", "category", "name"),
    "indicators": ("project_id", "level1", "level2", "name", "target", "actual"),
}
"""Columns that may not be left out (docs/data-format.md: "The optional columns may be left out
altogether")."""

BASE_DEPARTMENT: dict[str, Any] = {
    "name": "测试局",
    "fiscal_year": 2021,
    "budget_wan": 200,
    "spent_wan": 180,
}
BASE_PROJECTS: list[dict[str, Any]] = [
    {
        "project_id": "P1",
        "category": "测试类别",
        "name": "测试项目甲",
        "initial_budget_wan": "100",
        "budget_wan": "100",
        "spent_wan": "90",
        "stated_execution_rate_pct": "90",
        "outcome": "成效良好",
    },
    {
        "project_id": "P2",
        "category": "测试类别",
        "name": "测试项目乙",
        "initial_budget_wan": "100",
        "budget_wan": "100",
        "spent_wan": "90",
    },
]
BASE_INDICATORS: list[dict[str, Any]] = [
    {
        "project_id": "P1",
        "level1": "产出",
        "level2": "数量",
        "name": "培训人次",
        "target": "≥10个",
        "actual": "12个",
    },
    {
        "project_id": "P1",
        "level1": "满意度",
        "level2": "服务对象满意度",
        "name": "群众满意度",
        "target": "≥90%",
        "actual": "95%",
    },
    {
        "project_id": "P2",
        "level1": "产出",
        "level2": "数量",
        "name": "建设数量",
        "target": "≥5个",
        "actual": "5个",
    },
]
FORM_YEAR = 2022


@dataclass
class Spec:
    """One dataset before it is written: the department mapping and the two tables."""

    department: dict[str, Any] = field(default_factory=lambda: dict(BASE_DEPARTMENT))
    projects: list[dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(BASE_PROJECTS))
    indicators: list[dict[str, Any]] = field(default_factory=lambda: copy.deepcopy(BASE_INDICATORS))
    project_columns: list[str] = field(default_factory=lambda: list(PROJECT_COLUMNS))
    indicator_columns: list[str] = field(default_factory=lambda: list(INDICATOR_COLUMNS))

    def table(self, name: str) -> tuple[list[str], list[dict[str, Any]]]:
        if name == "projects":
            return self.project_columns, self.projects
        return self.indicator_columns, self.indicators

    def put(self, table: str, column: str, value: Any, index: int = 0) -> Spec:
        columns, rows = self.table(table)
        if column not in columns:
            columns.append(column)
        rows[index][column] = value
        return self


def yaml_text(department: dict[str, Any]) -> str:
    """The department mapping as YAML (flat keys and plain scalars only; enough for the base)."""
    return "".join(f"{key}: {value}\n" for key, value in department.items())


def csv_text(columns: list[str], rows: list[dict[str, Any]], delimiter: str = ",") -> str:
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator="\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow(["" if row.get(c) is None else row.get(c) for c in columns])
    return out.getvalue()


def write_folder(
    spec: Spec,
    folder: Path,
    *,
    department_text: str | None = None,
    raw: dict[str, bytes] | None = None,
) -> Path:
    """Layout (a): ``department.yaml``, ``projects.csv``, ``indicators.csv`` (UTF-8), then
    ``raw`` files written over them byte for byte."""
    folder.mkdir(parents=True)
    text = yaml_text(spec.department) if department_text is None else department_text
    (folder / "department.yaml").write_text(text, encoding="utf-8")
    for name in ("projects", "indicators"):
        columns, rows = spec.table(name)
        (folder / f"{name}.csv").write_text(csv_text(columns, rows), encoding="utf-8")
    for name, data in (raw or {}).items():
        (folder / name).write_bytes(data)
    return folder


def write_workbook(spec: Spec, path: Path, *, sheets: tuple[str, ...] | None = None) -> Path:
    """Layout (b): sheets ``department`` (field/value), ``projects``, ``indicators``.

    A value may be ``(value, number_format)``; a text starting with ``=`` is a formula (openpyxl
    saves it without a computed value, as a program that never opened Excel does).
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    book = openpyxl.Workbook()
    book.remove(book.active)
    wanted = sheets or ("department", "projects", "indicators")

    def put(sheet: Any, row: int, col: int, value: Any) -> None:
        fmt = None
        if isinstance(value, tuple):
            value, fmt = value
        cell = sheet.cell(row=row, column=col, value=value)
        if fmt:
            cell.number_format = fmt

    if "department" in wanted:
        sheet = book.create_sheet("department")
        sheet.append(["field", "value"])
        for key, value in spec.department.items():
            sheet.append([key])
            put(sheet, sheet.max_row, 2, value)
    for name in ("projects", "indicators"):
        if name not in wanted:
            continue
        sheet = book.create_sheet(name)
        columns, rows = spec.table(name)
        sheet.append(columns)
        for r, row in enumerate(rows, start=2):
            for c, column in enumerate(columns, start=1):
                if row.get(column) is not None:
                    put(sheet, r, c, row[column])
    book.save(path)
    return path


def workbook_cell(path_name: str, spec: Spec, table: str, column: str, index: int) -> str:
    """Where :func:`write_workbook` put a value (``wb.xlsx 工作表「projects」C2``)."""
    columns, _ = spec.table(table)
    return f"{path_name} 工作表「{table}」{get_column_letter(columns.index(column) + 1)}{index + 2}"


# The standard form as tests/unit/formbuilder.py lays it out (one project per sheet 项目1):
# C3 项目名称; row 6 年度资金总额 with C 年初预算数, D 全年预算数, E 全年执行数; the first
# indicator row is 13 with D 三级指标, E 年度指标值, F 实际完成值, G 分值.
FORM_PROJECT_CELLS = {
    "name": "C3",
    "initial_budget_wan": "C6",
    "budget_wan": "D6",
    "spent_wan": "E6",
}
FORM_PROJECT_FIELDS = {
    "name": "name",
    "initial_budget_wan": "initial",
    "budget_wan": "budget",
    "spent_wan": "spent",
}
FORM_INDICATOR_CELLS = {"name": "D13", "target": "E13", "actual": "F13", "weight": "G13"}
FORM_INDICATOR_FIELDS = {"name": "name", "target": "target", "actual": "actual", "weight": "weight"}


def write_form(
    path: Path,
    *,
    project: dict[str, Any] | None = None,
    indicator: dict[str, Any] | None = None,
    side_yaml: str | None = None,
) -> Path:
    """A standard 自评表 (``formbuilder.sample_project``) with one project field or one field of
    its first indicator replaced; ``side_yaml`` is written as ``<stem>.yaml`` beside it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    overrides = {FORM_PROJECT_FIELDS[k]: v for k, v in (project or {}).items()}
    form_project = sample_project(**overrides)
    if indicator:
        first = form_project.indicators[0]
        values = {FORM_INDICATOR_FIELDS[k]: v for k, v in indicator.items()}
        form_project.indicators[0] = dataclasses.replace(first, **values)
    write_form_xlsx(path, [form_project], FORM_YEAR)
    if side_yaml is not None:
        path.with_suffix(".yaml").write_text(side_yaml, encoding="utf-8")
    return path


def form_cell(path_name: str, ref: str) -> str:
    return f"{path_name} 工作表「项目1」{ref}"


# --- expected outcomes ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Expected:
    """The exact outcome of loading a case.

    Refused (``error=True``): some problem has ``Path(file).name == file``, ``row``, ``column``
    and ``cell`` exactly as given (None meaning the problem names none), and ``zh`` within its
    ``expected_zh``. Accepted: ``value`` at ``table``/``column``/``index`` of the dataset (the
    department's attribute when ``table == "department"``), and ``warning`` within one of
    ``Dataset.warnings`` when given.
    """

    error: bool
    file: str | None = None
    row: int | None = None
    column: str | None = None
    cell: str | None = None
    zh: str = ""
    table: str | None = None
    index: int = 0
    value: Any = None
    warning: str | None = None


def refused(
    file: str,
    zh: str,
    *,
    row: int | None = None,
    column: str | None = None,
    cell: str | None = None,
) -> Expected:
    return Expected(True, file=file, row=row, column=column, cell=cell, zh=zh)


def accepted(
    table: str, column: str, value: Any, *, index: int = 0, warning: str | None = None
) -> Expected:
    return Expected(False, table=table, column=column, index=index, value=value, warning=warning)


@dataclass(frozen=True)
class Case:
    """One bad input: ``build(tmp_path)`` writes it and returns the path to load."""

    id: str
    kind: str
    build: Callable[[Path], Path]
    expect: Expected
    gap: str | None = None
    """Why the current code does not give ``expect`` (the case is a strict xfail), else None."""


# Messages (substrings of expected_zh) as docs/data-format.md states them.
ZH_AMOUNT = "应为不小于 0 的金额"
ZH_CONTROL = "控制字符"
ZH_LONG = "文本超过 5000 字"
ZH_MISSING_COLUMN = "缺少此列"
ZH_BLANK = "不能为空"
ZH_UNKNOWN_FIELD = "未知字段"
W_FULL_WIDTH = "全角字符"
W_ZERO_WIDTH = "零宽字符"
W_GB18030 = "GB18030"
W_UTF16 = "UTF-16"
ZH_UNREADABLE = "无法识别文件编码|空字符"
"""Bytes that are no text: the encoding message or the NUL one (``|`` separates alternatives)."""


# --- generators, one per class -------------------------------------------------------------------


def _folder_case(
    case_id: str,
    kind: str,
    expect: Expected,
    spec: Spec | None = None,
    *,
    department_text: str | None = None,
    raw: Callable[[Spec], dict[str, bytes]] | None = None,
    gap: str | None = None,
) -> Case:
    spec = spec or Spec()

    def build(tmp: Path) -> Path:
        return write_folder(
            spec,
            tmp / "ds",
            department_text=department_text,
            raw=raw(spec) if raw else None,
        )

    return Case(case_id, kind, build, expect, gap)


def _workbook_case(
    case_id: str, kind: str, expect: Expected, spec: Spec | None = None, gap: str | None = None
) -> Case:
    spec = spec or Spec()
    return Case(case_id, kind, lambda tmp: write_workbook(spec, tmp / "wb.xlsx"), expect, gap)


def _line(index: int) -> int:
    """The CSV line (header = 1), and the sheet row, of the table row at ``index``."""
    return index + 2


def encoding_cases() -> Iterator[Case]:
    """CSV and YAML bytes in every encoding Excel and editors save, and bytes that are no text."""
    checked = {
        "department.yaml": ("department", "name", "测试局"),
        "projects.csv": ("projects", "name", "测试项目甲"),
        "indicators.csv": ("indicators", "name", "培训人次"),
    }
    beyond_gbk = "㐀"  # CJK extension A: in GB18030, not in GBK
    encoders: dict[str, tuple[Callable[[str], bytes], str | None]] = {
        "gbk": (lambda t: t.encode("gbk"), W_GB18030),
        "gb18030-beyond-gbk": (lambda t: t.encode("gb18030"), W_GB18030),
        "utf8-bom": (lambda t: codecs.BOM_UTF8 + t.encode("utf-8"), None),
        "utf16-le-bom": (lambda t: codecs.BOM_UTF16_LE + t.encode("utf-16-le"), W_UTF16),
        "utf16-be-bom": (lambda t: codecs.BOM_UTF16_BE + t.encode("utf-16-be"), W_UTF16),
    }
    for name, (table, column, value) in checked.items():

        def text_of(spec: Spec, table: str = table) -> str:
            if table == "department":
                return yaml_text(spec.department)
            return csv_text(*spec.table(table))

        for key, (encode, warning) in encoders.items():
            marked = value + beyond_gbk if key == "gb18030-beyond-gbk" else value
            gap = None
            yield _folder_case(
                f"encoding-{key}-{name}",
                "encoding",
                accepted(table, column, marked, warning=warning),
                raw=lambda spec, encode=encode, name=name, text_of=text_of, marked=marked, value=value: {
                    name: encode(text_of(spec).replace(value, marked))
                },
                gap=gap,
            )
        # Bytes that are not text in any encoding jixiao reads: refused as a whole file.
        not_text: dict[str, tuple[Callable[[Spec], bytes], str, str | None]] = {
            "utf16-le-no-bom": (
                lambda spec, text_of=text_of: text_of(spec).encode("utf-16-le"),
                ZH_UNREADABLE,
                None,
            ),
            "binary-garbage": (lambda spec: bytes(range(256)) * 8, ZH_UNREADABLE, None),
            "invalid-gb18030": (
                lambda spec: b"project_id\n\xff\xfe\xff\x80\x80\xff\n",
                "无法识别文件编码",
                None,
            ),
            "nul-bytes": (
                lambda spec, text_of=text_of: text_of(spec).encode() + b"\x00" * 4096 + b"\n",
                "空字符",
                None,
            ),
        }
        for key, (make, zh, gap) in not_text.items():
            yield _folder_case(
                f"encoding-{key}-{name}",
                "encoding",
                refused(name, zh),
                raw=lambda spec, make=make, name=name: {name: make(spec)},
                gap=gap,
            )
    for name in ("projects.csv", "indicators.csv"):
        for key, data in (("empty-file", b""), ("bom-only", codecs.BOM_UTF8)):
            yield _folder_case(
                f"encoding-{key}-{name}",
                "encoding",
                refused(name, "文件为空"),
                raw=lambda spec, name=name, data=data: {name: data},
            )
    yield _folder_case(
        "encoding-empty-file-department.yaml",
        "encoding",
        refused("department.yaml", "缺少此字段", column="name"),
        raw=lambda spec: {"department.yaml": b""},
    )


def _with_warning(expect: Expected, warning: str) -> Expected:
    return Expected(**{**expect.__dict__, "warning": warning})


def separator_cases() -> Iterator[Case]:
    """A CSV saved with another separator is one column: every required column is missing.

    Tabs are read (Excel's 另存为“Unicode 文本” separates by tabs), with a warning.
    """
    for name, table in (("projects.csv", "projects"), ("indicators.csv", "indicators")):
        for key, delimiter in (("semicolon", ";"), ("tab", "\t"), ("pipe", "|")):
            first = Spec().table(table)[1][0]["name"]
            yield _folder_case(
                f"separator-{key}-{name}",
                "separator",
                accepted(table, "name", first, warning="以制表符分隔")
                if key == "tab"
                else refused(name, ZH_MISSING_COLUMN, row=1, column="project_id"),
                raw=lambda spec, table=table, name=name, delimiter=delimiter: {
                    name: csv_text(*spec.table(table), delimiter=delimiter).encode("utf-8")
                },
            )
        # Chinese full-width commas (，) typed as separators.
        yield _folder_case(
            f"separator-fullwidth-comma-{name}",
            "separator",
            refused(name, ZH_MISSING_COLUMN, row=1, column="project_id"),
            raw=lambda spec, table=table, name=name: {
                name: csv_text(*spec.table(table)).replace(",", "，").encode("utf-8")
            },
        )


def malformed_row_cases() -> Iterator[Case]:
    """Rows the csv module splits differently from what the analyst meant."""
    for name, table, column in (
        ("projects.csv", "projects", "name"),
        ("projects.csv", "projects", "outcome"),
        ("indicators.csv", "indicators", "name"),
        ("indicators.csv", "indicators", "actual"),
    ):
        for index in (0, 1):

            def raw(spec: Spec, table=table, name=name, column=column, index=index):
                columns, rows = spec.table(table)
                lines = csv_text(columns, rows).splitlines()
                cells = next(csv.reader([lines[index + 1]]))
                cells[columns.index(column)] += ",另一段"  # an unquoted comma
                lines[index + 1] = ",".join(cells)
                return {name: ("\n".join(lines) + "\n").encode("utf-8")}

            yield _folder_case(
                f"malformed-unquoted-comma-{table}-{column}-row{index}",
                "malformed-row",
                refused(name, "个字段", row=_line(index)),
                raw=raw,
            )
    for name, table in (("projects.csv", "projects"), ("indicators.csv", "indicators")):
        # A quote opened and never closed swallows the rest of the file into one cell.

        def unclosed(spec: Spec, table=table, name=name) -> dict[str, bytes]:
            columns, rows = spec.table(table)
            lines = csv_text(columns, rows).splitlines()
            cells = lines[1].split(",")
            cells[columns.index("name")] = '"' + cells[columns.index("name")]
            lines[1] = ",".join(cells)
            return {name: ("\n".join(lines) + "\n").encode("utf-8")}

        yield _folder_case(
            f"malformed-unclosed-quote-{name}",
            "malformed-row",
            refused(name, "引号", row=2),
            raw=unclosed,
            gap=None,
        )


AMOUNT_FAULTS: dict[str, tuple[Any, Any, str | None]] = {
    # fault: (cell text, normalised value when accepted or None when refused, warning)
    "400-digits": ("9" * 400, None, None),
    "inf": ("inf", None, None),
    "nan": ("nan", None, None),
    "1e308": ("1e308", None, None),
    "negative": ("-3", None, None),
    "5-decimals": ("12.34567", None, None),
    "thousands-separator": ("1,234.5", None, None),
    "fullwidth-digits": ("３１０", 310.0, W_FULL_WIDTH),
    "wan-suffix": ("150万", 150.0, None),
    "wanyuan-suffix": ("150万元", 150.0, None),
    "superscript-digit": ("10²", None, None),
    "circled-digit": ("①0", None, None),
}
AMOUNT_GAPS: dict[str, str] = {}
FORM_AMOUNT_GAPS: dict[str, str] = {}


def amount_cases() -> Iterator[Case]:
    """Every amount column × every amount fault × folder, workbook and form."""
    for column in ("initial_budget_wan", "budget_wan", "spent_wan"):
        for fault, (text, value, warning) in AMOUNT_FAULTS.items():
            spec = Spec().put("projects", column, text)
            if value is None:
                folder_expect = refused("projects.csv", ZH_AMOUNT, row=_line(0), column=column)
                book_expect = refused(
                    "wb.xlsx[projects]",
                    ZH_AMOUNT,
                    row=2,
                    column=column,
                    cell=workbook_cell("wb.xlsx", spec, "projects", column, 0),
                )
            else:
                folder_expect = book_expect = accepted("projects", column, value, warning=warning)
            gap = AMOUNT_GAPS.get(fault)
            yield _folder_case(
                f"amount-{fault}-{column}-folder", "amount", folder_expect, spec, gap=gap
            )
            yield _workbook_case(
                f"amount-{fault}-{column}-workbook", "amount", book_expect, spec, gap
            )
            # The form: amounts may have 6 decimals there, so 7 are the fault.
            form_text = "12.3456789" if fault == "5-decimals" else text
            if value is None:
                form_expect = refused(
                    "form.xlsx",
                    ZH_AMOUNT,
                    row=1,
                    column=column,
                    cell=form_cell("form.xlsx", FORM_PROJECT_CELLS[column]),
                )
            else:
                form_expect = accepted("projects", column, value, warning=warning)
            yield Case(
                f"amount-{fault}-{column}-form",
                "amount",
                lambda tmp, column=column, form_text=form_text: write_form(
                    tmp / "form.xlsx", project={column: form_text}
                ),
                form_expect,
                FORM_AMOUNT_GAPS.get(fault),
            )
    # Numbers typed as numbers in Excel: 1e308 shows as a 309-digit amount.
    spec = Spec().put("projects", "budget_wan", (1e308, "General"))
    yield _workbook_case(
        "amount-1e308-number-cell-budget_wan-workbook",
        "amount",
        refused(
            "wb.xlsx[projects]",
            ZH_AMOUNT,
            row=2,
            column="budget_wan",
            cell=workbook_cell("wb.xlsx", spec, "projects", "budget_wan", 0),
        ),
        spec,
        None,
    )


RATE_LIKE = {
    # (table, column): (zh of its check, the unit the column drops)
    ("projects", "stated_execution_rate_pct"): ("百分数", "%"),
    ("projects", "stated_score"): ("总分", "分"),
    ("indicators", "weight"): ("分值", "分"),
}


def number_cases() -> Iterator[Case]:
    """Rates, 分值 and 得分 × faults × folder and workbook."""
    for (table, column), (zh, unit) in RATE_LIKE.items():
        file = f"{table}.csv"
        faults: dict[str, tuple[str, Any, str | None, str | None]] = {
            "inf": ("inf", None, None, None),
            "nan": ("nan", None, None, None),
            "negative": ("-5", None, None, None),
            "400-digits": ("9" * 400, None, None, None),
            "decimal-comma": ("9,5", None, None, None),
            "words": ("十", None, None, None),
            "fullwidth": ("１０", 10.0, W_FULL_WIDTH, None),
            "unit": (f"10{unit}", 10.0, None, None),
            "too-large": ("1001", None, None, None),
        }
        for fault, (text, value, warning, gap) in faults.items():
            spec = Spec().put(table, column, text)
            if value is None:
                folder_expect = refused(file, zh, row=2, column=column)
                book_expect = refused(
                    f"wb.xlsx[{table}]",
                    zh,
                    row=2,
                    column=column,
                    cell=workbook_cell("wb.xlsx", spec, table, column, 0),
                )
            else:
                folder_expect = book_expect = accepted(table, column, value, warning=warning)
            yield _folder_case(
                f"number-{fault}-{column}-folder", "number", folder_expect, spec, gap=gap
            )
            yield _workbook_case(
                f"number-{fault}-{column}-workbook", "number", book_expect, spec, gap
            )
    # A stated rate above 100 % is kept and said (scored as 100 %).
    spec = Spec().put("projects", "stated_execution_rate_pct", "120")
    yield _folder_case(
        "number-rate-120-folder",
        "number",
        accepted("projects", "stated_execution_rate_pct", 120.0, warning="超过 100%"),
        spec,
    )
    spec = Spec().put("projects", "stated_execution_rate_pct", (1.2, "0%"))
    yield _workbook_case(
        "number-rate-120-percent-cell-workbook",
        "number",
        accepted("projects", "stated_execution_rate_pct", 120.0, warning="超过 100%"),
        spec,
    )
    spec = Spec().put("projects", "spent_wan", "150")
    yield _folder_case(
        "number-spent-above-budget-folder",
        "number",
        accepted("projects", "spent_wan", 150.0, warning="超过预算"),
        spec,
    )


TEXT_FAULTS: dict[str, tuple[str, Any, str | None]] = {
    # fault: (text, normalised value when accepted or None when refused, warning)
    "esc": ("项目\x1b名称", None, None),
    "ansi-escape": ("\x1b[31m项目\x1b[0m", None, None),
    "vertical-tab": ("项目\x0b名称", None, None),
    "nul": ("项目\x00名称", None, None),
    "backspace": ("项目\x08名称", None, None),
    "c1-csi": ("项目\x9b2J名称", None, None),
    "line-separator": ("项目\u2028名称", None, None),
    "zero-width-space": ("项目\u200b名称", "项目名称", W_ZERO_WIDTH),
    "zero-width-joiner": ("项目\u200d名称", "项目名称", W_ZERO_WIDTH),
    "inner-bom": ("\ufeff项目名称", "项目名称", W_ZERO_WIDTH),
    "6000-chars": ("长" * 6000, None, None),
    "rich-markup": ("[/red]项目[bold]名称", "[/red]项目[bold]名称", None),
}
XLSX_WRITABLE = (
    "c1-csi",
    "line-separator",
    "zero-width-space",
    "inner-bom",
    "6000-chars",
    "rich-markup",
)
"""Faults openpyxl can store in a cell (it refuses C0 control characters)."""
FORM_TEXT_GAPS: dict[tuple[str, str, str], str] = {}
TEXT_COLUMNS = (
    ("projects", "name"),
    ("projects", "category"),
    ("projects", "outcome"),
    ("indicators", "name"),
    ("indicators", "target"),
    ("indicators", "deviation_reason"),
)


def text_cases() -> Iterator[Case]:
    """Text columns × control, invisible, over-long and markup text × folder, workbook, form."""
    for table, column in TEXT_COLUMNS:
        file = f"{table}.csv"
        for fault, (text, value, warning) in TEXT_FAULTS.items():
            zh = ZH_LONG if fault == "6000-chars" else ZH_CONTROL
            spec = Spec().put(table, column, text)
            if value is None:
                folder_expect = refused(file, zh, row=2, column=column)
            else:
                folder_expect = accepted(table, column, value, warning=warning)
            gap = None
            yield _folder_case(
                f"text-{fault}-{table}-{column}-folder", "text", folder_expect, spec, gap=gap
            )
            if fault in XLSX_WRITABLE and column in ("name", "target"):
                cell = workbook_cell("wb.xlsx", spec, table, column, 0)
                book_expect = (
                    refused(f"wb.xlsx[{table}]", zh, row=2, column=column, cell=cell)
                    if value is None
                    else folder_expect
                )
                yield _workbook_case(
                    f"text-{fault}-{table}-{column}-workbook", "text", book_expect, spec
                )
                ref = (FORM_PROJECT_CELLS if table == "projects" else FORM_INDICATOR_CELLS)[column]
                if value is None:
                    form_expect = refused(
                        "form.xlsx", zh, row=1, column=column, cell=form_cell("form.xlsx", ref)
                    )
                else:
                    form_expect = accepted(table, column, value, warning=warning)
                where = (
                    {"project": {column: text}}
                    if table == "projects"
                    else {"indicator": {column: text}}
                )
                yield Case(
                    f"text-{fault}-{table}-{column}-form",
                    "text",
                    lambda tmp, where=where: write_form(tmp / "form.xlsx", **where),
                    form_expect,
                    FORM_TEXT_GAPS.get((fault, table, column)),
                )


BOMB = "a: &a [x, x, x, x, x, x, x, x, x]\n" + "".join(
    f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, "
    f"*{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}, *{chr(97 + i)}]\n"
    for i in range(20)
)


def _yaml_faults(file: str) -> list[tuple[str, Callable[[str], str], Expected, str | None]]:
    """YAML faults: (id, the file text as a function of the base text, expected, gap)."""
    n = len(yaml_text(BASE_DEPARTMENT).splitlines())  # the base's lines; appended ones follow
    wrong, syntax = "不符合要求", "YAML 格式错误"

    def replace(key: str, value: str) -> Callable[[str], str]:
        return lambda text: "".join(
            f"{key}: {value}\n" if line.startswith(f"{key}:") else line + "\n"
            for line in text.splitlines()
        )

    def append(extra: str) -> Callable[[str], str]:
        return lambda text: text + extra

    def whole(content: str) -> Callable[[str], str]:
        return lambda text: content

    def at(zh: str, row: int | None = None, column: str | None = None) -> Expected:
        return refused(file, zh, row=row, column=column)

    nested = "notes: " + "[" * 5000 + "]" * 5000 + "\n"
    faults = [
        ("invalid-syntax", append("sections: [unclosed\n"), at(syntax, row=n + 2)),
        ("tab-indent", append("sections:\n\tproblems: x\n"), at(syntax, row=n + 2)),
        ("duplicate-key", append("name: 另一个局\n"), at("重复", row=n + 1)),
        ("alias-bomb", append(BOMB), at("别名", row=n + 13)),
        ("python-tag", append("notes: !!python/object/apply:os.system [ls]\n"), at(syntax, n + 1)),
        ("unhashable-key", append("? [a, b]\n: c\n"), at(syntax, row=n + 1)),
        ("deep-nesting", append(nested), at("嵌套", row=n + 1)),
        ("top-level-list", whole("- a\n- b\n"), at("应为键值映射")),
        ("top-level-scalar", whole("科技局\n"), at("应为键值映射")),
        ("impossible-date", append("report_date: 2021-02-30\n"), at("日期", row=n + 1)),
        ("report-date-text", append("report_date: 去年\n"), at(wrong, column="report_date")),
        ("fiscal-year-words", replace("fiscal_year", "二〇二一"), at(wrong, column="fiscal_year")),
        ("fiscal-year-fraction", replace("fiscal_year", "2021.5"), at(wrong, column="fiscal_year")),
        ("fiscal-year-1800", replace("fiscal_year", "1800"), at(wrong, column="fiscal_year")),
        ("fiscal-year-list", replace("fiscal_year", "[2021]"), at(wrong, column="fiscal_year")),
        ("fiscal-year-bool", replace("fiscal_year", "true"), at(wrong, column="fiscal_year")),
        (
            "fiscal-year-missing",
            lambda t: t.replace("fiscal_year: 2021\n", ""),
            at("缺少此字段", column="fiscal_year"),
        ),
        ("budget-words", replace("budget_wan", "一百万"), at(ZH_AMOUNT, column="budget_wan")),
        ("budget-negative", replace("budget_wan", "-5"), at(ZH_AMOUNT, column="budget_wan")),
        ("budget-thousands", replace("budget_wan", "1,234"), at(ZH_AMOUNT, column="budget_wan")),
        ("budget-inf", replace("budget_wan", ".inf"), at(ZH_AMOUNT, column="budget_wan")),
        ("budget-nan", replace("budget_wan", ".nan"), at(ZH_AMOUNT, column="budget_wan")),
        ("budget-1e308", replace("budget_wan", "1.0e+308"), at(ZH_AMOUNT, column="budget_wan")),
        ("budget-400-digits", replace("budget_wan", "9" * 400), at(ZH_AMOUNT, column="budget_wan")),
        (
            "budget-7-decimals",
            replace("budget_wan", "1.1234567"),
            at(ZH_AMOUNT, column="budget_wan"),
        ),
        ("budget-bool", replace("budget_wan", "yes"), at(ZH_AMOUNT, column="budget_wan")),
        ("budget-list", replace("budget_wan", "[1, 2]"), at(ZH_AMOUNT, column="budget_wan")),
        ("name-number", replace("name", "123"), at(wrong, column="name")),
        ("name-empty", replace("name", '""'), at(wrong, column="name")),
        ("name-escape", replace("name", '"测试\\e[2J局"'), at(ZH_CONTROL, column="name")),
        ("unknown-key", append("budget: 100\n"), at(ZH_UNKNOWN_FIELD, column="budget")),
        (
            "unknown-nested-key",
            append("sections:\n  problem: 错字\n"),
            at(ZH_UNKNOWN_FIELD, column="sections.problem"),
        ),
        ("sections-not-mapping", append("sections: 文字\n"), at(wrong, column="sections")),
        ("categories-not-list", append("categories: 科技\n"), at(wrong, column="categories")),
        (
            "rate-above-100",
            append("stated_execution_rate_pct: 120\n"),
            at(wrong, column="stated_execution_rate_pct"),
        ),
        (
            "execution-weight-150",
            append("template:\n  execution_weight: 150\n"),
            at(wrong, column="template.execution_weight"),
        ),
        (
            "level-weight-words",
            append("template:\n  level_weights: {产出: 很多}\n"),
            at(wrong, column="template.level_weights.产出"),
        ),
        (
            "level-weights-list",
            append("template:\n  level_weights: [50, 30]\n"),
            at(wrong, column="template.level_weights"),
        ),
    ]
    return [(key, make, expect, YAML_GAPS.get(key)) for key, make, expect in faults]


YAML_GAPS: dict[str, str] = {}


def yaml_cases() -> Iterator[Case]:
    """department.yaml faults in a folder; the same YAML beside a form for a sample."""
    base = yaml_text(BASE_DEPARTMENT)
    for key, text, expect, gap in _yaml_faults("department.yaml"):
        content = text(base)
        yield _folder_case(f"yaml-{key}-folder", "yaml", expect, department_text=content, gap=gap)
    beside = ("invalid-syntax", "duplicate-key", "alias-bomb", "fiscal-year-words", "unknown-key")
    for key, text, expect, gap in _yaml_faults("form.yaml"):
        if key not in beside:
            continue
        content = text(base)
        yield Case(
            f"yaml-{key}-beside-form",
            "yaml",
            lambda tmp, content=content: write_form(tmp / "form.xlsx", side_yaml=content),
            expect,
            gap,
        )
    # The department sheet of a workbook: the same keys as field/value rows.
    sheet_faults: dict[str, tuple[dict[str, Any], Expected, str | None]] = {
        "fiscal-year-words": (
            {"fiscal_year": "二〇二一"},
            refused("wb.xlsx[department]", "不符合要求", column="fiscal_year"),
            None,
        ),
        "budget-thousands": (
            {"budget_wan": "1,234"},
            refused("wb.xlsx[department]", ZH_AMOUNT, column="budget_wan"),
            None,
        ),
        "unknown-field": (
            {"budget": "1"},
            refused("wb.xlsx[department]", ZH_UNKNOWN_FIELD, column="budget"),
            None,
        ),
        "impossible-date": (
            {"report_date": "2021-02-30"},
            refused("wb.xlsx[department]", "不符合要求", column="report_date"),
            None,
        ),
        "scalar-then-nested": (
            {"sections": "文字", "sections.problems": "问题"},
            refused("wb.xlsx[department]", "与其他字段冲突", column="sections.problems"),
            None,
        ),
        "index-field": (
            {"0": "x"},
            refused("wb.xlsx[department]", "字段名不能以序号开头", column="0"),
            None,
        ),
        "huge-list-index": (
            {"basis_documents.1000000000000.title": "通知"},
            refused(
                "wb.xlsx[department]",
                "列表序号不能超过",
                column="basis_documents.1000000000000.title",
            ),
            None,
        ),
        "duplicate-field": (
            {"name.": None},  # replaced below: the sheet names `name` twice
            refused("wb.xlsx[department]", "重复", column="name"),
            None,
        ),
    }
    for key, (values, expect, gap) in sheet_faults.items():
        spec = Spec()
        if key == "duplicate-field":
            spec.department = {**spec.department}
            spec.department["name "] = "另一个局"  # a second `name` row (the space is stripped)
        else:
            spec.department = {**spec.department, **values}
        yield _workbook_case(f"yaml-{key}-department-sheet", "yaml", expect, spec, gap)


def header_cases() -> Iterator[Case]:
    """Column headers: duplicated, misspelled, missing; English or Chinese, folder and workbook."""
    for table in ("projects", "indicators"):
        file = f"{table}.csv"
        base = Spec()
        columns = base.table(table)[0]
        # Leave each column out.
        for column in columns:
            spec = Spec()
            spec.table(table)[0].remove(column)
            if column in REQUIRED[table]:
                folder_expect = refused(file, ZH_MISSING_COLUMN, row=1, column=column)
                book_expect = refused(f"wb.xlsx[{table}]", ZH_MISSING_COLUMN, row=1, column=column)
                gap = None
            else:
                folder_expect = book_expect = accepted(
                    table, "name", spec.table(table)[1][0]["name"]
                )
                gap = None
            yield _folder_case(
                f"header-missing-{column}-{table}-folder", "header", folder_expect, spec, gap=gap
            )
            yield _workbook_case(
                f"header-missing-{column}-{table}-workbook", "header", book_expect, spec, gap
            )
        # A column named twice (the same name, or English and its Chinese alias).
        for key, twice in (
            ("same", "name"),
            ("alias", "名称" if table == "indicators" else "项目名称"),
        ):
            spec = Spec()
            columns, rows = spec.table(table)
            columns.append(twice if key == "alias" else "name ")
            yield _folder_case(
                f"header-duplicate-{key}-{table}-folder",
                "header",
                refused(file, "表头重复", row=1, column="name"),
                spec,
            )
            yield _workbook_case(
                f"header-duplicate-{key}-{table}-workbook",
                "header",
                refused(f"wb.xlsx[{table}]", "表头重复", row=1, column="name"),
                spec,
            )
    # A misspelled optional column is refused, naming the right one (ignoring it lost its data:
    # no budget left every project unscored, no deviation reasons made every unmet row a
    # finding); a column only like a known one is the analyst's own, ignored with a hint.
    for table, typo, right in (
        ("projects", "outcomes", "outcome"),
        ("projects", "notes", "note"),
        ("indicators", "deviation_reasons", "deviation_reason"),
        ("indicators", "direktion", "direction"),
    ):
        spec = Spec()
        columns, rows = spec.table(table)
        if right in columns:
            columns[columns.index(right)] = typo
        else:
            columns.append(typo)
        for row in rows:
            row[typo] = row.pop(right, None) or "x"
        yield _folder_case(
            f"header-misspelled-{typo}-folder",
            "header",
            refused(
                f"{table}.csv",
                f"列名无法识别，是否应为“{right}”？（不改正，这一列的数据会被忽略）",
                row=1,
                column=typo,
            ),
            spec,
        )
    spec = Spec()
    columns, rows = spec.table("projects")
    columns.append("执行进度说明")
    for row in rows:
        row["执行进度说明"] = "按计划推进"
    yield _folder_case(
        "header-own-column-folder",
        "header",
        accepted("projects", "name", rows[0]["name"], warning="未知列“执行进度说明”已忽略"),
        spec,
    )
    # Chinese headers as printed, with half-width brackets and spaces.
    spec = Spec()
    spec.project_columns = [
        {"budget_wan": "全年预算数 (万元)", "name": "项目名称"}.get(c, c)
        for c in spec.project_columns
    ]
    for row in spec.projects:
        row["全年预算数 (万元)"] = row.pop("budget_wan")
        row["项目名称"] = row.pop("name")
    yield _folder_case(
        "header-chinese-half-width-brackets-folder",
        "header",
        accepted("projects", "budget_wan", 100.0),
        spec,
    )


def row_cases() -> Iterator[Case]:
    """Rows that contradict each other: ids, orphans, names, empty tables, blank values."""
    spec = Spec().put("projects", "project_id", "P1", index=1)
    yield _folder_case(
        "rows-duplicate-project-id-folder",
        "rows",
        refused("projects.csv", "项目编号必须唯一", row=3, column="project_id"),
        spec,
    )
    yield _workbook_case(
        "rows-duplicate-project-id-workbook",
        "rows",
        refused(
            "wb.xlsx[projects]",
            "项目编号必须唯一",
            row=3,
            column="project_id",
            cell=workbook_cell("wb.xlsx", spec, "projects", "project_id", 1),
        ),
        spec,
    )
    for index in range(len(BASE_INDICATORS)):
        spec = Spec().put("indicators", "project_id", "P9", index=index)
        yield _folder_case(
            f"rows-orphan-indicator-row{index}-folder",
            "rows",
            refused(
                "indicators.csv", "项目不存在于 projects 表", row=index + 2, column="project_id"
            ),
            spec,
        )
    spec = Spec().put("indicators", "project_id", "p1", index=0)
    yield _workbook_case(
        "rows-orphan-indicator-case-differs-workbook",
        "rows",
        refused(
            "wb.xlsx[indicators]",
            "项目不存在于 projects 表",
            row=2,
            column="project_id",
            cell=workbook_cell("wb.xlsx", spec, "indicators", "project_id", 0),
        ),
        spec,
    )
    spec = Spec().put("projects", "name", "测试项目甲", index=1)
    for layout in ("folder", "workbook"):
        make = _folder_case if layout == "folder" else _workbook_case
        yield make(
            f"rows-duplicate-project-name-{layout}",
            "rows",
            accepted("projects", "name", "测试项目甲", index=1, warning="出现 2 次"),
            spec,
        )
    spec = Spec()
    spec.projects, spec.indicators = [], []
    yield _folder_case(
        "rows-no-project-folder", "rows", refused("projects.csv", "没有任何项目"), spec
    )
    for layout in ("folder", "workbook"):  # projects, but a header-only indicators table
        spec = Spec()
        spec.indicators = []
        file = "indicators.csv" if layout == "folder" else "wb.xlsx[indicators]"
        make = _folder_case if layout == "folder" else _workbook_case
        yield make(f"rows-no-indicator-{layout}", "rows", refused(file, "没有任何绩效指标"), spec)
    for table, column in (
        ("projects", "project_id"),
        ("projects", "category"),
        ("projects", "name"),
        ("indicators", "project_id"),
        ("indicators", "name"),
    ):
        for key, blank in (("empty", None), ("spaces", "   "), ("fullwidth-space", "\u3000")):
            yield _folder_case(
                f"rows-blank-{key}-{table}-{column}-folder",
                "rows",
                refused(f"{table}.csv", ZH_BLANK, row=2, column=column),
                Spec().put(table, column, blank),
            )
    # Empty lines between rows are skipped; rows with fewer fields are padded.
    yield _folder_case(
        "rows-blank-lines-folder",
        "rows",
        accepted("projects", "name", "测试项目乙", index=1),
        raw=lambda spec: {
            "projects.csv": csv_text(*spec.table("projects")).replace("\n", "\n\n").encode()
        },
    )


def label_cases() -> Iterator[Case]:
    """一级/二级 labels: unknown ones refused naming the cell, printed ones canonicalised."""
    unknown = {
        "level1": ["产处", "输出", "Output", "效益指标1"],
        "level2": ["数目", "质量指数", "满意"],
    }
    for column, labels in unknown.items():
        zh = "应为 产出" if column == "level1" else "应为 数量"
        for i, label in enumerate(labels):
            spec = Spec().put("indicators", column, label)
            yield _folder_case(
                f"labels-unknown-{column}-{i}-folder",
                "labels",
                refused("indicators.csv", zh, row=2, column=column),
                spec,
            )
            yield _workbook_case(
                f"labels-unknown-{column}-{i}-workbook",
                "labels",
                refused(
                    "wb.xlsx[indicators]",
                    zh,
                    row=2,
                    column=column,
                    cell=workbook_cell("wb.xlsx", spec, "indicators", column, 0),
                ),
                spec,
            )
    printed = {
        ("level1", "产出指标"): "产出",
        ("level1", " 产出 指标 "): "产出",
        ("level1", "项目产出"): "产出",
        ("level1", "产出指标(50分)"): "产出",
        ("level2", "进度指标"): "时效",
        ("level2", "数量指标"): "数量",
        ("level2", "时效性"): "时效",
    }
    for i, ((column, label), value) in enumerate(printed.items()):
        spec = Spec().put("indicators", column, label)
        gap = None
        yield _folder_case(
            f"labels-printed-{column}-{i}-folder",
            "labels",
            accepted("indicators", column, value),
            spec,
            gap=gap,
        )


def weight_cases() -> Iterator[Case]:
    """分值 that do not total 100 with the execution weight (10 by default)."""
    totals = {
        "all-explicit-short": (["40", "40"], "合计"),
        "all-explicit-over": (["60", "40"], "合计"),
        "partial-over": (["95", None], "合计"),
    }
    for key, (weights, zh) in totals.items():
        spec = Spec()
        for i, weight in enumerate(weights):
            spec.put("indicators", "weight", weight, index=i)
        spec.indicators[2]["weight"] = "90"
        yield _folder_case(
            f"weights-{key}-folder",
            "weights",
            refused("indicators.csv", zh, row=2, column="weight"),
            spec,
        )
        yield _workbook_case(
            f"weights-{key}-workbook",
            "weights",
            refused("wb.xlsx[indicators]", zh, row=2, column="weight"),
            spec,
        )
    spec = Spec()
    spec.put("indicators", "weight", "45", index=0).put("indicators", "weight", "45", index=1)
    spec.indicators[2]["weight"] = "90"
    yield _folder_case(
        "weights-total-100-folder", "weights", accepted("indicators", "weight", 45.0), spec
    )


def workbook_cases() -> Iterator[Case]:
    """Workbooks that are broken as files: formulas, sheets, not a zip, not a form."""
    spec = Spec().put("projects", "budget_wan", "=100*1")
    yield _workbook_case(
        "workbook-formula-without-value-budget",
        "workbook",
        refused(
            "wb.xlsx[projects]",
            "公式",
            row=2,
            column="budget_wan",
            cell=workbook_cell("wb.xlsx", spec, "projects", "budget_wan", 0),
        ),
        spec,
    )
    spec = Spec().put("indicators", "actual", "=B2")
    yield _workbook_case(
        "workbook-formula-without-value-actual",
        "workbook",
        refused(
            "wb.xlsx[indicators]",
            "公式",
            row=2,
            column="actual",
            cell=workbook_cell("wb.xlsx", spec, "indicators", "actual", 0),
        ),
        spec,
    )
    for missing in ("department", "projects", "indicators"):
        sheets = tuple(s for s in ("department", "projects", "indicators") if s != missing)
        yield Case(
            f"workbook-missing-sheet-{missing}",
            "workbook",
            lambda tmp, sheets=sheets: write_workbook(Spec(), tmp / "wb.xlsx", sheets=sheets),
            refused("wb.xlsx", "缺少工作表"),
        )

    def valid_bytes(tmp: Path) -> bytes:
        return write_workbook(Spec(), tmp / "valid" / "v.xlsx").read_bytes()

    broken: dict[str, Callable[[Path], bytes]] = {
        "text-file": lambda tmp: b"project_id,name\nP1,x\n",
        "empty-file": lambda tmp: b"",
        "truncated-zip": lambda tmp: valid_bytes(tmp)[:2000],
        "zip-of-other-things": lambda tmp: _zip_bytes({"readme.txt": b"hello"}),
        "zip-with-broken-xml": lambda tmp: _zip_bytes(
            {
                "[Content_Types].xml": b"<Types",
                "xl/workbook.xml": b"<<<",
            }
        ),
    }
    for key, make in broken.items():
        for suffix in (".xlsx", ".xls", ".docx"):
            zh = "无法读取工作簿" if suffix == ".xlsx" else "无法读取文件"

            def build(tmp: Path, make=make, suffix=suffix) -> Path:
                path = tmp / f"bad{suffix}"
                data = make(tmp)
                path.write_bytes(data)
                return path

            yield Case(f"workbook-{key}{suffix}", "workbook", build, refused(f"bad{suffix}", zh))

    def docx_not_form(tmp: Path) -> Path:
        import docx

        document = docx.Document()
        document.add_paragraph("关于2022年度绩效自评的说明")
        table = document.add_table(rows=2, cols=2)
        table.cell(0, 0).text = "姓名"
        table.cell(1, 0).text = "张三"
        path = tmp / "说明.docx"
        document.save(path)
        return path

    yield Case(
        "workbook-docx-not-a-form", "workbook", docx_not_form, refused("说明.docx", "未找到自评表")
    )

    def xlsx_not_form(tmp: Path) -> Path:
        book = openpyxl.Workbook()
        book.active.append(["姓名", "电话"])
        path = tmp / "名单.xlsx"
        book.save(path)
        return path

    yield Case(
        "workbook-xlsx-neither-layout",
        "workbook",
        xlsx_not_form,
        refused("名单.xlsx", "缺少工作表"),
    )

    def form_without_year(tmp: Path) -> Path:
        path = write_form(tmp / "form.xlsx")
        book = openpyxl.load_workbook(path)
        book["项目1"]["A2"] = None
        book.save(path)
        return path

    yield Case(
        "workbook-form-without-year",
        "workbook",
        form_without_year,
        refused("form.xlsx", "未写明预算年度", column="fiscal_year"),
    )


def _zip_bytes(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in members.items():
            archive.writestr(name, data)
    return out.getvalue()


GENERATORS = (
    encoding_cases,
    separator_cases,
    malformed_row_cases,
    amount_cases,
    number_cases,
    text_cases,
    yaml_cases,
    header_cases,
    row_cases,
    label_cases,
    weight_cases,
    workbook_cases,
)


def all_cases() -> list[Case]:
    """The whole corpus, ids unique."""
    cases = [case for generate in GENERATORS for case in generate()]
    ids = [c.id for c in cases]
    duplicates = {i for i in ids if ids.count(i) > 1}
    assert not duplicates, f"duplicate case ids: {duplicates}"
    return cases
