"""The standard 项目支出绩效自评表 (财预〔2020〕10号 附件), read as it is published.

Offices publish one table per project, as a sheet each or several stacked in one sheet, in
``.xlsx``, ``.xls`` or Word. The layout is found from the printed header words, never from fixed
positions, so the common variants read without a flag:

- the standard form: 项目名称 / 主管部门 / 实施单位; 项目资金（万元） with 年初预算数, 全年预算数,
  全年执行数, 分值, 执行率, 得分 and the 其中 rows (本年财政拨款, 上年结转资金, 其他资金);
  年度总体目标 (预期目标 / 实际完成情况); the indicator block (一级/二级/三级指标, 年度指标值,
  实际完成值, 分值, 得分, 偏差原因分析及改进措施); 总分.
- Sichuan: 指标性质 (≥ ≤ =), 指标值 and 度量单位 in columns of their own; 调整后预算数.
- Chongqing: 年初目标值 and 调整后目标值 (the adjusted target is scored where it is given).
- a 计算符号 / 指标方向 column; 预算执行率 printed as an indicator row.

Every value keeps the cell it came from, so an error names ``自评表.xlsx 工作表「项目1」G12``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from helpers.readers.base import CELLS_COLUMN, WHERE_COLUMN
from helpers.readers.errors import Problem, ReadError
from helpers.readers.grid import Grid

_SPACE = re.compile(r"[\s\u3000]+")
_YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年\s*度?")
_YEAR_ALONE = re.compile(r"[（(]?(20\d{2})年度?[)）]?")
_LEVEL_POINTS = re.compile(r"[（(]\s*(\d+(?:\.\d+)?)\s*分?\s*[)）]\s*$")
_CODE_PREFIX = re.compile(r"^\s*[\dA-Za-z]{2,}[-—_\s]+(?=\D)")
_NUMBER = re.compile(r"^-?\d+(?:\.\d+)?$")


def _ref(grid: Grid, row: int, col: int | None = None) -> str:
    """A cell's full location, file included (``自评表.xlsx 工作表「项目1」C7``)."""
    return f"{grid.file} {grid.ref(row, col)}"


def norm_label(text: str | None) -> str:
    """A printed label without spaces, colons and stars, for matching header words.

    Example:
        >>> norm_label(" 项 目 名 称："), norm_label("年度资金总额:")
        ('项目名称', '年度资金总额')
    """
    if text is None:
        return ""
    if "\u2028" in text or "\u2029" in text:
        return text  # a line separator is not how a printed label breaks: never a label
    return _SPACE.sub("", text).strip("：:*＊")


def strip_code(text: str | None) -> str | None:
    """A unit name without the budget code printed before it.

    Example:
        >>> strip_code("219001-池州市贵池区棠溪镇人民政府"), strip_code("高新区科技局")
        ('池州市贵池区棠溪镇人民政府', '高新区科技局')
    """
    if text is None:
        return None
    return _CODE_PREFIX.sub("", text).strip() or text.strip()


def split_level_points(label: str | None) -> tuple[str | None, float | None]:
    """A 一级指标 label and the points printed with it (``产出指标(50分)``).

    Example:
        >>> split_level_points("产出指标(50分)"), split_level_points("效益指标")
        (('产出指标', 50.0), ('效益指标', None))
    """
    if label is None:
        return None, None
    match = _LEVEL_POINTS.search(label)
    if match is None:
        return label.strip(), None
    return label[: match.start()].strip(), float(match.group(1))


def is_form(grids: list[Grid]) -> bool:
    """Whether any grid holds a 自评表: a 项目名称 label and an indicator header."""
    return any(_find_rows(g, _is_name_label) and _find_header(g, 0, g.n_rows) for g in grids)


def _is_name_label(text: str) -> bool:
    label = norm_label(text)
    return label == "项目名称" or (label.startswith("项目名称") and len(label) > 4 and "：" in text)


def _find_rows(grid: Grid, predicate) -> list[int]:  # type: ignore[no-untyped-def]
    """Rows having a cell for which ``predicate(text)`` holds (each row once)."""
    return [r for r in range(grid.n_rows) if any(predicate(t) for _, t in grid.row_texts(r))]


def _first_col(grid: Grid, row: int, predicate) -> int | None:  # type: ignore[no-untyped-def]
    return next((c for c, t in grid.row_texts(row) if predicate(norm_label(t))), None)


def _value_right_of(grid: Grid, row: int, label_col: int) -> tuple[str | None, int | None]:
    """The first text right of a label that is not the label itself (merged label cells)."""
    label = grid.get(row, label_col)
    for col in range(label_col + 1, grid.n_cols):
        text = grid.get(row, col)
        if text is not None and text != label:
            return text, col
    return None, None


def _labelled(grid: Grid, rows: range, word: str) -> tuple[str | None, str | None]:
    """Value and cell of the label ``word`` (``主管部门``) in ``rows``; ``word：value`` too."""
    for r in rows:
        for c, text in grid.row_texts(r):
            label = norm_label(text)
            if label == word:
                value, col = _value_right_of(grid, r, c)
                if value is not None and norm_label(value) in _KNOWN_LABELS:
                    return None, None
                return value, None if col is None else _ref(grid, r, col)
            if label.startswith(word) and re.match(rf"^{word}[：:]", _SPACE.sub("", text)):
                return re.split("[：:]", text, maxsplit=1)[1].strip() or None, _ref(grid, r, c)
    return None, None


_KNOWN_LABELS = {
    "项目名称",
    "主管部门",
    "实施单位",
    "项目资金（万元）",
    "项目资金(万元)",
    "年度资金总额",
}

# Money header words → our columns (first match wins; order matters).
_MONEY_HEADERS: tuple[tuple[str, str], ...] = (
    ("年初预算", "initial_budget_wan"),
    ("调整后预算", "budget_wan"),
    ("调整预算", "budget_wan"),
    ("全年预算", "budget_wan"),
    ("全年执行", "spent_wan"),
    ("执行数", "spent_wan"),
    ("实际支出", "spent_wan"),
    ("执行率", "stated_execution_rate_pct"),
    ("预算数", "budget_wan"),
    ("分值", "execution_weight"),
    ("得分", "stated_execution_score"),
)
_MONEY_ROWS: tuple[tuple[str, str], ...] = (
    ("年度资金总额", "total"),
    ("资金总额", "total"),
    ("本年财政拨款", "fiscal"),
    ("当年财政拨款", "fiscal"),
    ("财政拨款", "fiscal"),
    ("上年结转", "carryover"),
    ("结转", "carryover"),
    ("其他资金", "other"),
)

# Indicator header words → our columns. Checked in order; the first column that matches wins.
_INDICATOR_HEADERS: tuple[tuple[str, str], ...] = (
    ("一级指标", "level1"),
    ("二级指标", "level2"),
    ("三级指标", "name"),
    ("指标性质", "direction"),
    ("计算符号", "direction"),
    ("指标方向", "direction"),
    ("度量单位", "unit"),
    ("计量单位", "unit"),
    ("调整后目标值", "target_adjusted"),
    ("调整后指标值", "target_adjusted"),
    ("年初目标值", "target"),
    ("年初指标值", "target"),
    ("年度指标值", "target"),
    ("全年指标值", "target"),
    ("预期指标值", "target"),
    ("目标值", "target"),
    ("指标值", "target"),
    ("实际完成值", "actual"),
    ("全年实际值", "actual"),
    ("完成值", "actual"),
    ("实际值", "actual"),
    ("分值", "weight"),
    ("权重", "weight"),
    ("得分", "stated_score"),
    ("偏差原因", "deviation_reason"),
    ("原因分析", "deviation_reason"),
    ("未完成原因", "deviation_reason"),
    ("改进措施", "deviation_reason"),
)
_END_WORDS = (
    "其他需要说明",
    "备注",
    "说明",
    "注：",
    "注:",
    "填报人",
    "联系电话",
    "审核人",
    "填表人",
)
_TOTAL_WORDS = ("总分", "合计", "综合得分", "自评得分")


_PLACEHOLDER = re.compile(r"^(?:指标\s*\d+\s*[:：]?|[.…。·]+|-+|—+)$")
_NAME_PREFIX = re.compile(r"^指标\s*\d+\s*[:：]\s*")
_LEVEL1_OF_LEVEL2 = {
    "数量": "产出指标",
    "质量": "产出指标",
    "时效": "产出指标",
    "进度": "产出指标",
    "成本": "产出指标",
    "经济效益": "效益指标",
    "社会效益": "效益指标",
    "生态效益": "效益指标",
    "可持续影响": "效益指标",
    "服务对象满意度": "满意度指标",
    "满意度": "满意度指标",
}


def strip_placeholder(name: str | None) -> str | None:
    """An indicator name without the form's ``指标1：`` prefix; None for a bare placeholder.

    Example:
        >>> strip_placeholder("指标1：完成项目数量"), strip_placeholder("指标2："), strip_placeholder("……")
        ('完成项目数量', None, None)
    """
    if name is None:
        return None
    text = name.strip()
    if _PLACEHOLDER.match(text):
        return None
    return _NAME_PREFIX.sub("", text) or None


def level1_of(level2: str | None) -> str | None:
    """The 一级指标 a printed 二级指标 belongs to (``社会效益指标`` → ``效益指标``).

    Example:
        >>> level1_of("社会效益 指标"), level1_of("数量指标"), level1_of("其他")
        ('效益指标', '产出指标', None)
    """
    if not level2:
        return None
    key = _SPACE.sub("", level2).removesuffix("指标")
    return _LEVEL1_OF_LEVEL2.get(key)


def _is_banner(texts: list[str]) -> bool:
    """A row that is one merged title (``项目支出绩效自评表``, ``（2022年度）``)."""
    distinct = set(texts)
    if len(distinct) != 1:
        return False
    text = norm_label(texts[0])
    return "自评表" in text or bool(re.fullmatch(r"[（(]?20\d{2}年度?[)）]?", text))


def _header_columns(grid: Grid, row: int, words: tuple[tuple[str, str], ...]) -> dict[str, int]:
    """Our column name → grid column, from the header words of ``row`` (leftmost cell wins)."""
    found: dict[str, int] = {}
    for col, text in grid.row_texts(row):
        label = norm_label(text)
        for word, name in words:
            if word in label:
                if name not in found:
                    found[name] = col
                break
    return found


def _find_header(grid: Grid, start: int, stop: int) -> int | None:
    for r in range(start, stop):
        labels = {norm_label(t) for _, t in grid.row_texts(r)}
        if any("一级指标" in x for x in labels) and any("三级指标" in x for x in labels):
            return r
    return None


@dataclass
class _Block:
    """One project's table inside a grid: rows [start, stop)."""

    grid: Grid
    start: int
    stop: int
    notes: list[str] = field(default_factory=list)


def _blocks(grid: Grid) -> list[_Block]:
    starts = _find_rows(grid, _is_name_label)
    blocks = []
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else grid.n_rows
        if _find_header(grid, start, stop) is not None:
            # The title rows above the first block belong to it (年度 in the title).
            blocks.append(_Block(grid, start, stop))
    return blocks


# Labels only a project's own table has (a list of projects has 项目名称 but none of these).
_PROJECT_TABLE_WORDS = ("主管部门", "实施单位", "项目资金", "年度总体目标", "总体目标", "绩效指标")
_HEADER_HINT = "“一级指标”“二级指标”“三级指标”“指标值”“实际完成值”"


def _is_header_row(grid: Grid, row: int) -> bool:
    """Whether a row is an indicator header: 一级指标 and 三级指标 as short labels.

    Not a footnote such as ``注：1.一级指标分值统一设置…三级指标…``.
    """
    labels = [norm_label(t) for _, t in grid.row_texts(row)]
    short = [x for x in labels if len(x) <= 10]
    return any("一级指标" in x for x in short) and any("三级指标" in x for x in short)


def _header_rows(grid: Grid) -> list[int]:
    """Rows holding an indicator header (a header spread over two merged rows counts once)."""
    rows = [r for r in range(grid.n_rows) if _is_header_row(grid, r)]
    return [r for n, r in enumerate(rows) if n == 0 or rows[n - 1] != r - 1]


def _problem_at(grid: Grid, row: int, zh: str, en: str, value: str | None = None) -> Problem:
    """A problem of a form's layout, at the first cell of ``row``."""
    return Problem(grid.file, None, None, value, zh, en, cell=_ref(grid, row))


def _structure_problems(grid: Grid) -> list[Problem]:
    """Project tables whose indicator header or 项目名称 label cannot be read (likely misspelt).

    Without these checks such a project, or its indicators, would be left out in silence.
    """
    problems: list[Problem] = []
    starts = _find_rows(grid, _is_name_label)
    headers = _header_rows(grid)
    orphan = (
        "这张指标表上方没有“项目名称”行（可能写错了），这些指标无法归入项目",
        "an indicator table without a 项目名称 row above it (it may be misspelt)",
    )
    for i, start in enumerate(starts):
        stop = starts[i + 1] if i + 1 < len(starts) else grid.n_rows
        inside = [h for h in headers if start <= h < stop]
        labels = {norm_label(t) for r in range(start, stop) for _, t in grid.row_texts(r)}
        is_project_table = any(w in label for label in labels for w in _PROJECT_TABLE_WORDS)
        if not inside and is_project_table:
            problems.append(
                _problem_at(
                    grid,
                    start,
                    f"这个项目的表中找不到指标表头（应有一行写着{_HEADER_HINT}等，可能有表头写错了），"
                    "整个项目无法读取",
                    "no indicator header in this project's table (a row with 一级指标, 二级指标, "
                    "三级指标 …; one may be misspelt): the project cannot be read",
                    _labelled(grid, range(start, stop), "项目名称")[0],
                )
            )
        problems += [_problem_at(grid, extra, *orphan) for extra in inside[1:]]
        found = _find_header(grid, start, stop)
        columns = _header_layout(grid, found, stop)[0] if found is not None else {}
        for column, zh, en in (
            ("target", "“年度指标值”或“目标值”", "年度指标值 or 目标值"),
            ("actual", "“实际完成值”", "实际完成值"),
        ):
            if found is not None and column not in columns:
                problems.append(
                    _problem_at(
                        grid,
                        found,
                        f"指标表头中找不到{zh}列（表头可能写错了）",
                        f"the indicator header has no {en} column (it may be misspelt)",
                    )
                )
    problems += [_problem_at(grid, h, *orphan) for h in headers if not starts or h < starts[0]]
    return problems


def fiscal_year_of(grid: Grid, before_row: int) -> int | None:
    """The year printed in the title nearest above a row (``（2022年度）``), else anywhere."""
    candidates = []
    # A Word table's title is a paragraph above it: read as rows above the table's first.
    lines = [(-1, text) for text in grid.preamble]
    lines += [(r, text) for r in range(grid.n_rows) for _, text in grid.row_texts(r)]
    for r, text in lines:
        if alone := _YEAR_ALONE.fullmatch(_SPACE.sub("", text)):  # a title line （2021年）
            candidates.append((r, int(alone.group(1))))
        elif "年度" in text or "自评表" in text:
            match = _YEAR_IN_TITLE.search(text)
            if match and ("年度" in text[match.start() : match.end() + 1] or "自评" in text):
                candidates.append((r, int(match.group(1))))
    above = [year for r, year in candidates if r <= before_row]
    if above:
        return above[-1]
    return candidates[0][1] if candidates else None


def year_in_name(file: str) -> int | None:
    """The fiscal year in a file name (``明朗中学2022年度项目支出绩效自评表.docx`` → 2022).

    Example:
        >>> year_in_name("明朗中学2022年度项目支出绩效自评表.docx"), year_in_name("自评表.xlsx")
        (2022, None)
    """
    match = re.search(r"(20\d{2})\s*年", file)
    return int(match.group(1)) if match else None


def unit_in_name(file: str) -> str | None:
    """The unit a file name starts with (``鄂州市行政审批局2021年度项目支出绩效自评表.xlsx``).

    Example:
        >>> unit_in_name("鄂州市行政审批局2021年度项目支出绩效自评表.xlsx")
        '鄂州市行政审批局'
    """
    stem = re.sub(r"\.[A-Za-z]+$", "", file)
    stem = re.split(r"20\d{2}|项目支出|绩效|自评|[(（]", stem)[0].strip(" -_")
    return stem or None


def _to_decimal(text: str | None) -> Decimal | None:
    if text is None:
        return None
    bare = text.replace(",", "").replace("，", "").strip()
    if not _NUMBER.match(bare):
        return None
    try:
        return Decimal(bare)
    except InvalidOperation:  # pragma: no cover - the pattern admits only numbers
        return None


_AMOUNTS = ("initial_budget_wan", "budget_wan", "spent_wan")
MoneyRows = dict[str, dict[str, tuple[str | None, str]]]
"""Per 项目资金 row kind (total, fiscal, carryover, other): our column → (text, cell)."""


def _money_header(block: _Block) -> int | None:
    """The row of 年初预算数 / 全年预算数 / 全年执行数 (or 预算数 / 执行数)."""
    for r in range(block.start, block.stop):
        found = set(_header_columns(block.grid, r, _MONEY_HEADERS))
        if "spent_wan" in found and found & {"initial_budget_wan", "budget_wan"}:
            return r
    return None


def _money_label(grid: Grid, header: int, stop: int, first_money: int) -> str:
    """The printed label of the money block (``项目资金（万元）``, ``预算执行情况(万元)(20分)``)."""
    return "".join(
        _SPACE.sub("", t)
        for r in range(header, min(header + 2, stop))
        for c, t in grid.row_texts(r)
        if c < first_money and "资金" in t
    )


def _money_rows(block: _Block, header: int, columns: dict[str, int]) -> MoneyRows:
    """The 年度资金总额 row and its 其中 rows, by kind."""
    grid = block.grid
    first_money = min(columns.values())
    rows: MoneyRows = {}
    for r in range(header + 1, block.stop):
        label = "".join(norm_label(t) for c, t in grid.row_texts(r) if c < first_money)
        if "总体目标" in label or _find_header(grid, r, r + 1) is not None:
            break
        kind = next((k for word, k in _MONEY_ROWS if word in label), None)
        if kind is not None and kind not in rows:
            rows[kind] = {n: (grid.get(r, col), _ref(grid, r, col)) for n, col in columns.items()}
    return rows


def _yuan_to_wan(rows: MoneyRows) -> None:
    """Amounts printed in 元 as 万元, exactly (Decimal)."""
    for values in rows.values():
        for name in _AMOUNTS:
            amount = _to_decimal(values.get(name, (None, ""))[0])
            if amount is not None:
                values[name] = (format((amount / 10000).normalize(), "f"), values[name][1])


def _recompute_totals(
    block: _Block, rows: MoneyRows, project: dict[str, Any], cells: dict[str, str], header: int
) -> None:
    """A 年度资金总额 left empty or 0 while its 其中 rows hold money: the sum of its parts."""
    total = rows.get("total", {})
    parts = [rows[k] for k in ("fiscal", "carryover", "other") if k in rows]
    for name in _AMOUNTS:
        written = total.get(name, (None, ""))[0]
        stated = _to_decimal(written)
        if written is not None and stated is None:
            continue  # text such as 150万 or a typo: kept for the validator to read or report
        known = [v for p in parts if (v := _to_decimal(p.get(name, (None, ""))[0])) is not None]
        if not known or (stated is not None and stated != 0) or sum(known) == 0:
            continue
        project[name] = format(sum(known, Decimal(0)).normalize(), "f")
        cells[name] = parts[0][name][1]
        was = "空" if stated is None else "0"
        block.notes.append(
            f"{total.get(name, (None, _ref(block.grid, header)))[1]}：年度资金总额为{was}，"
            f"按其中各项合计 {project[name]} 万元计算。 / the total was "
            f"{'empty' if stated is None else '0'}; the sum of its parts ({project[name]}) is used."
        )


def _execution_from_parts(rows: MoneyRows, project: dict[str, Any], cells: dict[str, str]) -> None:
    """分值 / 执行率 / 得分 printed on a 其中 row instead of the total row."""
    if project.get("execution_weight") is not None:
        return
    for kind in ("fiscal", "carryover", "other"):
        part = rows.get(kind, {})
        if part.get("execution_weight", (None,))[0] is None:
            continue
        for name in ("execution_weight", "stated_execution_rate_pct", "stated_execution_score"):
            if name in part and project.get(name) is None:
                project[name], cells[name] = part[name]
        return


def _money(block: _Block, project: dict[str, Any], cells: dict[str, str]) -> None:
    """Read the 项目资金 rows into ``project`` (amounts, execution 分值, 执行率, 得分)."""
    grid = block.grid
    header = _money_header(block)
    if header is None:
        block.notes.append(
            f"{_ref(grid, block.start)}：未找到项目资金表头（年初预算数/全年预算数/全年执行数）。"
            " / no 项目资金 header found."
        )
        return
    columns = _header_columns(grid, header, _MONEY_HEADERS)
    label = _money_label(grid, header, block.stop, min(columns.values()))
    if "execution_weight" not in columns:
        # Yunnan: 预算执行情况（万元）(20分) / 得分(20分*执行率) carry the execution 分值.
        header_text = label + "".join(_SPACE.sub("", t) for _, t in grid.row_texts(header))
        points = re.search(r"[（(](\d+(?:\.\d+)?)分", header_text)
        if points:
            project["execution_weight"] = points.group(1)
            cells["execution_weight"] = _ref(grid, header)
    rows = _money_rows(block, header, columns)
    if "元" in label and "万元" not in label:
        _yuan_to_wan(rows)
        block.notes.append(
            f"{_ref(grid, header)}：项目资金以元为单位，已换算为万元。 / amounts in 元 converted to 万元."
        )
    for name, (text, ref) in rows.get("total", {}).items():
        project[name] = text
        cells[name] = ref
    _recompute_totals(block, rows, project, cells, header)
    _execution_from_parts(rows, project, cells)


def _goal(block: _Block, project: dict[str, Any], cells: dict[str, str]) -> None:
    grid = block.grid
    for r in range(block.start, block.stop):
        expected = _first_col(grid, r, lambda x: x.startswith("预期目标"))
        achieved = _first_col(grid, r, lambda x: x.startswith("实际完成"))
        if expected is None or achieved is None:
            continue
        for rr in range(r + 1, min(r + 4, block.stop)):
            target = grid.get(rr, expected)
            if target is not None and norm_label(target) not in ("年度总体目标", "总体目标"):
                project["goal_target"], cells["goal_target"] = target, _ref(grid, rr, expected)
                actual = grid.get(rr, achieved)
                if actual != target or not grid.is_copy(rr, achieved):  # one merged cell: no
                    project["goal_actual"], cells["goal_actual"] = actual, _ref(grid, rr, achieved)
                return
        return


def _header_layout(grid: Grid, header: int, stop: int) -> tuple[dict[str, int], int]:
    """Indicator columns and the first data row; a second header row (年初/调整后) is merged in."""
    columns = _header_columns(grid, header, _INDICATOR_HEADERS)
    first = header + 1
    if first < stop:
        sub = _header_columns(grid, first, _INDICATOR_HEADERS)
        sub_labels = [norm_label(t) for _, t in grid.row_texts(first)]
        is_sub_header = bool(sub) and not any(
            t in ("产出指标", "产出", "效益指标", "满意度指标") for t in sub_labels
        )
        if is_sub_header:
            for name, col in sub.items():
                if name not in ("level1", "level2", "name"):
                    columns[name] = col
            for col, text in grid.row_texts(first):
                label = norm_label(text)
                if label.startswith("年初") and "target" not in sub:
                    columns.setdefault("target", col)
                if label.startswith("调整"):
                    columns["target_adjusted"] = col
            first += 1
    return columns, first


def _compose(value: str | None, unit: str | None, direction: str | None) -> str | None:
    """Sichuan's split target: 指标性质 ``≥`` + 指标值 ``50`` + 度量单位 ``个`` → ``≥50个``."""
    if value is None:
        return None
    text = value
    if unit and _NUMBER.match(value.replace(",", "")) and unit not in text:
        text = text + unit
    if direction and _NUMBER.match(value.replace(",", "")):
        sign = direction.strip()
        if sign in ("≥", "≤", ">", "<", "=", ">=", "<=", "＝", "≧", "≦"):
            text = ("" if sign in ("=", "＝") else sign) + text
    return text


@dataclass
class _Row:
    """One row of the indicator block, read through the header's columns."""

    grid: Grid
    row: int
    columns: dict[str, int]

    def at(self, name: str) -> str | None:
        """The text under the header ``name`` (our column name) in this row."""
        col = self.columns.get(name)
        return None if col is None else self.grid.get(self.row, col)

    def ref(self, name: str | None = None) -> str:
        """The cell under ``name`` (or the whole row) with its file."""
        return _ref(self.grid, self.row, None if name is None else self.columns[name])


_CELL_SOURCES: tuple[str, ...] = ("level1", "level2", "name", "actual", "weight")
_CELL_SOURCES += ("stated_score", "deviation_reason", "direction")


def _read_total(
    row: _Row, texts: list[str], project: dict[str, Any], cells: dict[str, str]
) -> None:
    """The 总分 row: the 得分 column, else (text there, or no such column) its last number."""
    total = row.at("stated_score")
    if _to_decimal(total) is None and ("stated_score" not in row.columns or total is not None):
        numbers = [t for t in texts if _to_decimal(t) is not None]
        total = numbers[-1] if numbers else None
    if total is not None:
        project["stated_score"] = total
        cells["stated_score"] = row.ref()


def _read_execution_row(row: _Row, project: dict[str, Any], cells: dict[str, str]) -> None:
    """预算执行率 printed as an indicator row: it is the project's execution score."""
    for ours, theirs in (
        ("execution_weight", "weight"),
        ("stated_execution_score", "stated_score"),
    ):
        if row.at(theirs) is not None:
            project[ours], cells[ours] = row.at(theirs), row.ref(theirs)
    if row.at("actual") is not None and project.get("stated_execution_rate_pct") is None:
        project["stated_execution_rate_pct"] = row.at("actual")
        cells["stated_execution_rate_pct"] = row.ref("actual")


def _indicator_record(
    row: _Row, project_id: str, level1: str | None, level2: str | None
) -> dict[str, Any]:
    """One indicator as our columns, with the cell each value came from."""
    name = strip_placeholder(row.at("name"))
    unit, direction = row.at("unit"), row.at("direction")
    has_adjusted = row.at("target_adjusted") is not None
    record: dict[str, Any] = {
        "project_id": project_id,
        "level1": level1,
        "level2": level2,
        "name": name or level2,
        "target": _compose(row.at("target_adjusted") or row.at("target"), unit, direction),
        "actual": _compose(row.at("actual"), unit, None),
        "weight": row.at("weight"),
        "stated_score": row.at("stated_score"),
        "deviation_reason": row.at("deviation_reason"),
        "direction": direction,
    }
    cells = {key: row.ref(key) for key in _CELL_SOURCES if key in row.columns}
    target_source = "target_adjusted" if has_adjusted else "target"
    if target_source in row.columns:
        cells["target"] = row.ref(target_source)
    record[WHERE_COLUMN] = row.ref()
    record[CELLS_COLUMN] = cells
    return record


def _is_empty_indicator(row: _Row, name: str | None, levels: tuple[str | None, str | None]) -> bool:
    """A row with nothing to score: a bare 二级指标, ``指标2：``, ``……``."""
    no_values = row.at("target_adjusted") is None and row.at("target") is None
    no_values = no_values and row.at("actual") is None
    if name is not None and name in levels and no_values:
        return True
    return name is None and no_values and row.at("weight") is None


def _indicators(
    block: _Block, project_id: str, project: dict[str, Any], cells: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    """The indicator rows of a block, the points printed with each 一级指标, the 总分."""
    grid = block.grid
    header = _find_header(grid, block.start, block.stop)
    assert header is not None  # _blocks keeps only blocks with a header
    columns, first = _header_layout(grid, header, block.stop)
    records: list[dict[str, Any]] = []
    level_points: dict[str, float] = {}
    previous_level1: str | None = None
    for r in range(first, block.stop):
        texts = [t for _, t in grid.row_texts(r)]
        if not texts:
            continue
        lead = norm_label(texts[0])
        if _is_banner(texts) or any(lead.startswith(w) for w in _END_WORDS):
            break  # the next stacked table's title, or notes and signatures under this one
        row = _Row(grid, r, columns)
        if any(lead.startswith(w) for w in _TOTAL_WORDS):
            _read_total(row, texts, project, cells)
            break
        level1, points = split_level_points(row.at("level1"))
        level2, _ = split_level_points(row.at("level2"))
        name = strip_placeholder(row.at("name"))
        if _is_empty_indicator(row, name, (level1, level2)):
            continue
        # Printed only as (50分), or blank under a merge not kept: the 二级指标 says which.
        level1 = level1 or level1_of(level2) or previous_level1
        previous_level1 = level1
        label = name or level1 or ""
        if "执行率" in norm_label(label) and "预算" in label:
            _read_execution_row(row, project, cells)
            continue
        if level1 and points is not None:
            level_points.setdefault(level1, points)
        records.append(_indicator_record(row, project_id, level1, level2))
    return records, level_points


def _project_head(block: _Block, project_id: str) -> tuple[dict[str, Any], dict[str, str], str]:
    """项目名称, 主管部门 and 实施单位 of a block, their cells, and the unit that filed it."""
    grid = block.grid
    rows = range(block.start, block.stop)
    project: dict[str, Any] = {"project_id": project_id}
    cells: dict[str, str] = {}
    name, name_cell = _labelled(grid, rows, "项目名称")
    project["name"], cells["name"] = name, name_cell or _ref(grid, block.start)
    for word, column in (("主管部门", "supervising_department"), ("实施单位", "implementing_unit")):
        project[column], cell = _labelled(grid, rows, word)
        if cell:
            cells[column] = cell
    named_unit = _labelled(grid, range(max(block.start - 3, 0), block.start + 1), "单位名称")[0]
    filed_by = named_unit or project["implementing_unit"] or project["supervising_department"]
    return project, cells, strip_code(filed_by) or unit_in_name(grid.file) or ""


def _department_of(departments: list[str], years: list[int], notes: list[str]) -> dict[str, Any]:
    """The most printed unit and year of all the tables (a note when the years differ)."""
    department: dict[str, Any] = {}
    if departments:
        department["name"] = max(set(departments), key=departments.count)
    if years:
        department["fiscal_year"] = max(set(years), key=years.count)
        if len(set(years)) > 1:
            notes.append(
                f"表格标题中的年度不一致（{'、'.join(map(str, sorted(set(years))))}），"
                f"按 {department['fiscal_year']} 年处理。 / the titles print several years."
            )
    return department


def read_form(
    grids: list[Grid], first_id: int = 1
) -> tuple[list[dict[str, Any]], list[dict[str, Any]], dict[str, Any], list[str]]:
    """Read every project table of the grids.

    Args:
        grids: the sheets or Word tables of one or more files.
        first_id: the number of the first project (ids are ``P01``, ``P02``, … unless the form
            prints a 项目编码).

    Returns:
        Project rows, indicator rows (text cells, with :data:`WHERE_COLUMN` and
        :data:`CELLS_COLUMN`), what the forms say about the department (``name``,
        ``fiscal_year``, ``level_points``) and notes.
    """
    projects: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    notes: list[str] = []
    years: list[int] = []
    departments: list[str] = []
    level_points: dict[str, float] = {}
    problems = [p for grid in grids for p in _structure_problems(grid)]
    if problems:
        raise ReadError(problems)
    blocks = [block for grid in grids for block in _blocks(grid)]
    for number, block in enumerate(blocks, start=first_id):
        grid, rows = block.grid, range(block.start, block.stop)
        code = _labelled(grid, rows, "项目编码")[0] or _labelled(grid, rows, "项目代码")[0]
        project, cells, filed_by = _project_head(block, code or f"P{number:02d}")
        _money(block, project, cells)
        _goal(block, project, cells)
        records, points = _indicators(block, project["project_id"], project, cells)
        for key, value in points.items():
            level_points.setdefault(key, value)
        indicators += records
        year = fiscal_year_of(grid, block.start) or year_in_name(grid.file)
        if year is not None:
            years.append(year)
        departments.append(filed_by)
        project[WHERE_COLUMN] = f"{_ref(grid, block.start)}起"
        project[CELLS_COLUMN] = cells
        projects.append(project)
        notes += block.notes
    department = _department_of(departments, years, notes)
    if level_points:
        department["level_points"] = level_points
    return projects, indicators, department, notes
