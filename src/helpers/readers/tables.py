"""jixiao's own layout (a folder of CSV files, or one workbook), and folders of 自评表 files.

CSV files are decoded as UTF-8 (with or without BOM), else GB18030 (what Excel on Chinese
Windows saves; the notes say so), else UTF-16 when a BOM says so. Rows are split with Python's
``csv`` module so that a row with more fields than the header (an unquoted comma) is reported
with its line number instead of shifting every later cell. Workbook cells are read with their
number formats (:func:`helpers.readers.cells.cell_text`). Column headers may be English
(``budget_wan``) or Chinese (``全年预算数（万元）``), see :data:`helpers.schema.COLUMN_ALIASES`.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from helpers import paths
from helpers.readers.base import CELLS_COLUMN, WHERE_COLUMN, SourceTables, text_frame
from helpers.readers.errors import Problem, ReadError
from helpers.readers.form import is_form, read_form
from helpers.readers.grid import GRID_SUFFIXES, Grid, GridReadError, read_grids
from helpers.readers.limits import check_file_size
from helpers.readers.safeyaml import MAX_YAML_BYTES, YamlProblem, load_yaml_text
from helpers.schema import (
    INDICATOR_COLUMNS,
    PROJECT_COLUMNS,
    SHEET_ALIASES,
    canonical_column,
)

TABLE_FILES = {
    "department": paths.DEPARTMENT_FILE,
    "projects": paths.PROJECTS_FILE,
    "indicators": paths.INDICATORS_FILE,
}


def decode_text(data: bytes, file: str) -> tuple[str, str | None]:
    """Text of a CSV/YAML file and, when it was not UTF-8, a note naming the encoding assumed.

    Example:
        >>> decode_text("项目".encode("gb18030"), "p.csv")[1].split("（")[0]
        'p.csv 不是 UTF-8 编码，已按 GB18030'
    """
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16"), f"{file} 按 UTF-16 编码读取。 / read as UTF-16."
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8"), None
    except UnicodeDecodeError:
        pass
    try:
        text = data.decode("gb18030")
    except UnicodeDecodeError as exc:
        raise ReadError.about(
            file,
            f"无法识别文件编码（第 {exc.start} 字节起既不是 UTF-8 也不是 GB18030），请另存为“CSV UTF-8”",
            "the file is neither UTF-8 nor GB18030; save it as CSV UTF-8",
        ) from exc
    return text, (
        f"{file} 不是 UTF-8 编码，已按 GB18030（简体中文 Windows 版 Excel 的默认编码）读取。"
        f" / {file} is not UTF-8; read as GB18030."
    )


def read_csv_rows(path: Path) -> tuple[list[dict[str, Any]], list[str], list[str]]:
    """Rows of a CSV file as dicts of text (None for empty), its columns, and notes.

    Raises:
        ReadError: undecodable bytes, a NUL byte, or rows with more fields than the header.
    """
    file = str(path)
    check_file_size(path)
    text, note = decode_text(path.read_bytes(), file)
    notes = [note] if note else []
    if text.count("\x00") * 10 > len(text):
        # Mostly NUL bytes: UTF-16 without a BOM, or binary. A stray NUL in one cell is left
        # for the text check, which names its row and column.
        raise ReadError.about(
            file,
            "文件含有大量空字符（NUL），不是文本 CSV（UTF-16 请另存为“CSV UTF-8”）",
            "the file is mostly NUL bytes; not a text CSV (save UTF-16 as CSV UTF-8)",
        )
    first_line = text.split("\n", 1)[0]
    delimiter = "\t" if "\t" in first_line and "," not in first_line else ","
    if delimiter == "\t":  # Excel's 另存为“Unicode 文本”: UTF-16, tab-separated
        notes.append(f"{file} 以制表符分隔，已按制表符读取。 / {file} is tab-separated; read so.")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    problems: list[Problem] = []
    try:
        header = next(reader, None)
    except csv.Error as exc:
        raise ReadError.about(
            file, f"CSV 格式错误（{exc}）", f"malformed CSV ({exc})", row=1
        ) from exc
    if header is None:
        raise ReadError.about(
            file, "文件为空，应有表头行", "the file is empty; expected a header row"
        )
    columns = _header(header, file, 1, problems)
    rows: list[dict[str, Any]] = []
    record_start = reader.line_num + 1
    try:
        for fields in reader:
            line = record_start
            record_start = reader.line_num + 1
            if not any(f.strip() for f in fields):
                continue
            if len(fields) > len(columns):
                problems.append(
                    Problem(
                        file,
                        line,
                        None,
                        ",".join(fields),
                        f"本行有 {len(fields)} 个字段，表头只有 {len(columns)} 列（含逗号的文本须加英文双引号）",
                        f"the row has {len(fields)} fields but the header {len(columns)} (quote text that contains commas)",
                    )
                )
                continue
            fields = fields + [""] * (len(columns) - len(fields))
            row: dict[str, Any] = {
                col: (value.strip() or None) for col, value in zip(columns, fields, strict=True)
            }
            row[WHERE_COLUMN] = f"第 {line} 行"
            row["_line"] = line
            rows.append(row)
    except csv.Error as exc:
        problems.append(
            Problem(
                file,
                record_start,
                None,
                None,
                f"CSV 格式错误（{exc}）：从本行开始的引号没有闭合，或引号后还有文字",
                f"malformed CSV ({exc}): a quote opened on this line is not closed, or text follows it",
            )
        )
    if problems:
        raise ReadError(problems)
    return rows, columns, notes


def _header(names: list[Any], file: str, row: int, problems: list[Problem]) -> list[str]:
    """Canonical column names of a header row; duplicates are problems."""
    columns = [canonical_column(str(n) if n is not None else "") for n in names]
    seen: dict[str, int] = {}
    for i, col in enumerate(columns):
        if not col:
            columns[i] = f"_unnamed_{i}"
            continue
        if col in seen:
            problems.append(
                Problem(
                    file,
                    row,
                    col,
                    names[i],
                    f"表头重复（第 {seen[col] + 1} 列与第 {i + 1} 列）",
                    "duplicated column header",
                )
            )
        seen[col] = i
    return columns


def load_yaml(path: Path, notes: list[str] | None = None) -> dict[str, Any]:
    """A YAML mapping from a file, or a :class:`ReadError` naming the file and line.

    When the file is not UTF-8, the note naming the encoding assumed goes to ``notes``.
    """
    file = str(path)
    check_file_size(path, MAX_YAML_BYTES)
    text, note = decode_text(path.read_bytes(), file)
    if note and notes is not None:
        notes.append(note)
    try:
        value = load_yaml_text(text)
    except YamlProblem as exc:
        raise ReadError.about(file, exc.zh, exc.en, row=exc.line) from exc
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise ReadError.about(file, "应为键值映射", "expected a mapping")
    return value


def _frame(rows: list[dict[str, Any]], columns: list[str] | tuple[str, ...]) -> Any:
    frame = text_frame(rows, list(columns))
    if CELLS_COLUMN not in frame:
        frame[CELLS_COLUMN] = [{} for _ in range(len(frame))]
    if WHERE_COLUMN not in frame:
        frame[WHERE_COLUMN] = None
    return frame


def read_folder(source: Path) -> SourceTables:
    """A dataset folder: our three files, or 自评表 workbooks/documents (+ department.yaml)."""
    if not source.exists():
        raise ReadError.about(str(source), "找不到数据集", "dataset not found")
    if not source.is_dir():
        raise ReadError.about(
            str(source),
            "不是数据集：应为文件夹、.xlsx/.xls 工作簿或 .docx 文档",
            "not a dataset: expected a folder, a workbook or a .docx",
        )
    names = {key: str(source / name) for key, name in TABLE_FILES.items()}
    has_tables = (source / paths.PROJECTS_FILE).is_file() or (
        source / paths.INDICATORS_FILE
    ).is_file()
    forms = sorted(
        p
        for p in source.iterdir()
        if p.suffix.lower() in GRID_SUFFIXES and p.is_file() and not p.name.startswith(("~$", "."))
    )
    if not has_tables and paths.is_year_name(source.name):
        raise ReadError.about(
            str(source),
            f"这是年度文件夹，不是一个单位的数据：请校验其中的单位（{source}/<单位>），"
            f"或用 jixiao score --year {source.name} 一次评分全部单位",
            "a year folder, not one unit's data: give a unit in it, or run jixiao score --year",
        )
    if not has_tables and forms:
        return read_form_files(forms, source)
    missing = [
        Problem(names[key], None, None, None, "找不到文件", "file not found")
        for key, name in TABLE_FILES.items()
        if not (source / name).is_file()
    ]
    if missing:
        raise ReadError(missing)
    notes: list[str] = []
    department = load_yaml(source / paths.DEPARTMENT_FILE, notes)
    problems: list[Problem] = []
    tables = {}
    for key in ("projects", "indicators"):
        try:
            rows, columns, table_notes = read_csv_rows(source / TABLE_FILES[key])
        except ReadError as exc:
            problems += exc.problems
            continue
        notes += table_notes
        tables[key] = (rows, columns)
    if problems:
        raise ReadError(problems)
    return SourceTables(
        "folder",
        names,
        department,
        _frame(*tables["projects"]),
        _frame(*tables["indicators"]),
        notes,
    )


def _sheet_rows(
    grid: Grid, file: str, problems: list[Problem]
) -> tuple[list[dict[str, Any]], list[str]]:
    """Rows of a sheet whose first non-empty row is the header, and its columns."""
    start = next((r for r in range(grid.n_rows) if any(True for _ in grid.row_texts(r))), None)
    if start is None:
        return [], []
    header = [grid.get(start, c) for c in range(grid.n_cols)]
    columns = _header(header, file, start + 1, problems)
    rows = []
    for r in range(start + 1, grid.n_rows):
        values = [grid.get(r, c) for c in range(len(columns))]
        if all(v is None for v in values):
            continue
        row: dict[str, Any] = dict(zip(columns, values, strict=True))
        row[WHERE_COLUMN] = f"第 {r + 1} 行"
        row["_line"] = r + 1
        row[CELLS_COLUMN] = {col: f"{grid.file} {grid.ref(r, c)}" for c, col in enumerate(columns)}
        for fr, fc in grid.formula_cells:
            if fr == r:
                problems.append(
                    Problem(
                        file,
                        r + 1,
                        columns[fc] if fc < len(columns) else None,
                        None,
                        "单元格是没有保存计算结果的公式，请在 Excel 中打开并保存后再读取",
                        "a formula without a saved value; open and save the workbook in Excel",
                        f"{grid.file} {grid.ref(r, fc)}",
                    )
                )
        rows.append(row)
    return rows, columns


class FieldError(ValueError):
    """A ``field`` of the department sheet that cannot be placed: ``field``, zh, en."""

    def __init__(self, field: str, zh: str, en: str):
        """Remember the field and the two messages."""
        self.field, self.zh, self.en = field, zh, en
        super().__init__(f"{field}: {zh} / {en}")


_MAX_LIST_INDEX = 999


def _unflatten(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    """Turn ``field``/``value`` rows with dotted keys into nested dicts and lists.

    Raises:
        FieldError: a field given twice, a list index at the top or above 999, or a field
            that is both a value and a section (``sections`` and ``sections.problems``).

    Example:
        >>> _unflatten([("name", "科技局"), ("sections.problems", "疫情"),
        ...             ("basis_documents.0.title", "通知")])
        {'name': '科技局', 'sections': {'problems': '疫情'}, 'basis_documents': [{'title': '通知'}]}
    """
    root: dict[str, Any] = {}
    seen: set[str] = set()
    for key, value in pairs:
        field = str(key).strip()
        if field in seen:
            raise FieldError(field, "字段重复", "the field is given twice")
        seen.add(field)
        parts = field.split(".")
        if parts[0].isdigit():
            raise FieldError(field, "字段名不能以序号开头", "a field cannot start with an index")
        if any(p.isdigit() and int(p) > _MAX_LIST_INDEX for p in parts):
            raise FieldError(
                field, f"列表序号不能超过 {_MAX_LIST_INDEX}", f"list index above {_MAX_LIST_INDEX}"
            )
        try:
            _place(root, parts, value)
        except (TypeError, AttributeError, KeyError, IndexError) as exc:
            raise FieldError(
                field,
                "与其他字段冲突（同一名称既是值又是分组）",
                "conflicts with another field (a value and a group of the same name)",
            ) from exc
    return root


def _place(root: dict[str, Any], parts: list[str], value: Any) -> None:
    """Put ``value`` at the dotted path ``parts`` in ``root`` (lists grow as needed)."""
    node: Any = root
    for part, nxt in zip(parts, [*parts[1:], None], strict=True):
        is_index = part.isdigit()
        slot: Any = int(part) if is_index else part
        if is_index and not isinstance(node, list):
            raise TypeError("an index into a mapping")
        if not is_index and not isinstance(node, dict):
            raise TypeError("a key into a list or value")
        if is_index:
            node.extend([None] * (slot + 1 - len(node)))
        if nxt is None:
            if isinstance(node[slot] if is_index else node.get(slot), (dict, list)):
                raise TypeError("a value over a group")
            node[slot] = value
            return
        child_default: Any = [] if nxt.isdigit() else {}
        if is_index:
            if node[slot] is None:
                node[slot] = child_default
            node = node[slot]
        else:
            node = node.setdefault(part, child_default)


def read_workbook(source: Path) -> SourceTables:
    """An ``.xlsx`` in our layout (sheets department/projects/indicators) or a 自评表 workbook."""
    if not source.is_file():
        raise ReadError.about(str(source), "找不到文件", "file not found")
    try:
        grids = read_grids(source)
    except GridReadError as exc:
        raise ReadError.about(
            str(source), f"无法读取工作簿（{exc}）", "cannot read the workbook"
        ) from exc
    by_name = {SHEET_ALIASES.get(g.sheet.strip(), g.sheet.strip()): g for g in grids}
    if not ({"projects", "indicators"} <= set(by_name)) and is_form(grids):
        return read_form_files([source], source, grids={source: grids})
    names = {key: f"{source.name}[{key}]" for key in TABLE_FILES}
    missing = [
        Problem(
            str(source),
            None,
            None,
            key,
            "缺少工作表（或不是标准自评表）",
            "the sheet is missing (nor is it a standard 自评表)",
        )
        for key in TABLE_FILES
        if key not in by_name
    ]
    if missing:
        raise ReadError(missing)
    problems: list[Problem] = []
    dept_rows, _ = _sheet_rows(by_name["department"], names["department"], problems)
    if dept_rows and not {"field", "value"} <= set(dept_rows[0]):
        problems.append(
            Problem(
                names["department"],
                1,
                "field/value",
                None,
                "应有 field 和 value 两列",
                "expected the columns field and value",
            )
        )
    pairs = [(str(r["field"]), r.get("value")) for r in dept_rows if r.get("field")]
    try:
        department = _unflatten(pairs)
    except FieldError as exc:
        problems.append(Problem(names["department"], None, exc.field, None, exc.zh, exc.en))
        department = {}
    projects = _sheet_rows(by_name["projects"], names["projects"], problems)
    indicators = _sheet_rows(by_name["indicators"], names["indicators"], problems)
    if problems:
        raise ReadError(problems)
    return SourceTables(
        "workbook",
        names,
        department,
        _frame(*projects),
        _frame(*indicators),
    )


def _side_yaml(source: Path) -> Path | None:
    """The department file beside a form: ``<stem>.yaml`` or the folder's department.yaml."""
    if source.is_dir():
        candidate = source / paths.DEPARTMENT_FILE
        return candidate if candidate.is_file() else None
    for name in (f"{source.stem}.yaml", f"{source.stem}.department.yaml"):
        candidate = source.with_name(name)
        if candidate.is_file():
            return candidate
    return None


def _sum_text(values: list[Any]) -> str | None:
    total = Decimal(0)
    seen = False
    for value in values:
        if value is None:
            continue
        try:
            total += Decimal(str(value).replace(",", ""))
            seen = True
        except InvalidOperation:
            return None
    return format(total.normalize(), "f") if seen else None


def _form_grids(files: list[Path], grids: dict[Path, list[Grid]] | None) -> list[Grid]:
    """Every sheet or Word table of the files, each file checked to hold a 自评表."""
    problems: list[Problem] = []
    all_grids: list[Grid] = []
    for file in files:
        try:
            file_grids = (grids or {}).get(file) or read_grids(file)
        except GridReadError as exc:
            problems.append(
                Problem(
                    str(file), None, None, None, f"无法读取文件（{exc}）", "cannot read the file"
                )
            )
            continue
        if not is_form(file_grids):
            problems.append(
                Problem(
                    str(file),
                    None,
                    None,
                    None,
                    "未找到自评表（应有“项目名称”和“一级指标/三级指标”表头）",
                    "no 自评表 found (expected 项目名称 and the 一级指标/三级指标 header)",
                )
            )
            continue
        all_grids += file_grids
    if problems:
        raise ReadError(problems)
    return all_grids


def _year_of_folder(source: Path, department: dict[str, Any], notes: list[str]) -> None:
    """Take the year of the folder a form is filed under when nothing else says it.

    Neither the form nor a file beside it gives the year: ``data/2022/某镇.xlsx`` and
    ``data/2022/某镇/自评表.xlsx`` are 2022, and a note says so.
    """
    if "fiscal_year" in department:
        return
    base = source if source.is_dir() else source.parent
    folder_year = next(
        (p.name for p in (base, base.parent) if re.fullmatch(r"20\d{2}", p.name)), None
    )
    if folder_year is not None:
        department["fiscal_year"] = int(folder_year)
        notes.append(
            f"{source.name}：表中未写明预算年度，按所在文件夹 {folder_year} 年处理。"
            f" / no year printed; the folder's year {folder_year} is used."
        )


def _form_department(
    derived: dict[str, Any], projects: list[dict[str, Any]], side: Path | None, notes: list[str]
) -> dict[str, Any]:
    """What the forms say of the department, totals summed, overridden by the file beside."""
    department: dict[str, Any] = dict(derived)
    level_points = department.pop("level_points", None)
    department.setdefault("budget_wan", _sum_text([p.get("budget_wan") for p in projects]))
    department.setdefault("spent_wan", _sum_text([p.get("spent_wan") for p in projects]))
    if level_points:
        department["template"] = {"level_weights": level_points}
    if side is not None:
        department.update(load_yaml(side, notes))
    return department


def read_form_files(
    files: list[Path], source: Path, grids: dict[Path, list[Grid]] | None = None
) -> SourceTables:
    """One dataset from 自评表 files (one or many; ``.xlsx``, ``.xls``, ``.docx``)."""
    projects, indicators, derived, notes = read_form(_form_grids(files, grids))
    if not projects:
        raise ReadError.about(str(source), "未找到任何项目表", "no project table found")
    side = _side_yaml(source)
    department = _form_department(derived, projects, side, notes)
    _year_of_folder(source, department, notes)
    for key in ("budget_wan", "spent_wan"):
        if department.get(key) is None:
            department[key] = "0"
    categories = department.pop("project_categories", None) or {}
    for project in projects:
        project["category"] = categories.get(project.get("name")) or "项目支出"
    shown = files[0].name if len(files) == 1 else str(source)
    files_shown = {
        "department": str(side) if side else shown,
        "projects": shown,
        "indicators": shown,
    }
    return SourceTables(
        "form",
        files_shown,
        department,
        _frame(projects, PROJECT_COLUMNS),
        _frame(indicators, INDICATOR_COLUMNS),
        notes,
    )
