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
from helpers.readers.grid import Grid

_SPACE = re.compile(r"[\s\u3000]+")
_YEAR_IN_TITLE = re.compile(r"(20\d{2})\s*年\s*度?")
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


def fiscal_year_of(grid: Grid, before_row: int) -> int | None:
    """The year printed in the title nearest above a row (``（2022年度）``), else anywhere."""
    candidates = []
    for r in range(grid.n_rows):
        for _, text in grid.row_texts(r):
            if "年度" in text or "自评表" in text:
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


def _money(block: _Block, project: dict[str, Any], cells: dict[str, str]) -> None:
    """Read the 项目资金 rows into ``project`` (amounts, execution 分值, 执行率, 得分)."""
    grid = block.grid
    header = next(
        (
            r
            for r in range(block.start, block.stop)
            if {"initial_budget_wan", "spent_wan"} <= set(_header_columns(grid, r, _MONEY_HEADERS))
            or {"budget_wan", "spent_wan"} <= set(_header_columns(grid, r, _MONEY_HEADERS))
        ),
        None,
    )
    if header is None:
        block.notes.append(
            f"{_ref(grid, block.start)}：未找到项目资金表头（年初预算数/全年预算数/全年执行数）。"
            " / no 项目资金 header found."
        )
        return
    columns = _header_columns(grid, header, _MONEY_HEADERS)
    first_money = min(columns.values())
    money_label = "".join(
        _SPACE.sub("", t)
        for r in range(header, min(header + 2, block.stop))
        for c, t in grid.row_texts(r)
        if c < first_money and "资金" in t
    )
    in_yuan = "元" in money_label and "万元" not in money_label
    if "execution_weight" not in columns:
        # Yunnan: 预算执行情况（万元）(20分) / 得分(20分*执行率) carry the execution 分值.
        header_text = money_label + "".join(_SPACE.sub("", t) for _, t in grid.row_texts(header))
        points = re.search(r"[（(](\d+(?:\.\d+)?)分", header_text)
        if points:
            project["execution_weight"] = points.group(1)
            cells["execution_weight"] = _ref(grid, header)
    rows: dict[str, dict[str, tuple[str | None, str]]] = {}
    for r in range(header + 1, block.stop):
        label = "".join(norm_label(t) for c, t in grid.row_texts(r) if c < first_money)
        if "总体目标" in label or _find_header(grid, r, r + 1) is not None:
            break
        kind = next((k for word, k in _MONEY_ROWS if word in label), None)
        if kind is None or kind in rows:
            continue
        rows[kind] = {name: (grid.get(r, col), _ref(grid, r, col)) for name, col in columns.items()}
    if in_yuan:
        for values in rows.values():
            for name in ("initial_budget_wan", "budget_wan", "spent_wan"):
                amount = _to_decimal(values.get(name, (None, ""))[0])
                if amount is not None:
                    values[name] = (format((amount / 10000).normalize(), "f"), values[name][1])
        block.notes.append(
            f"{_ref(grid, header)}：项目资金以元为单位，已换算为万元。 / amounts in 元 converted to 万元."
        )
    total = rows.get("total", {})
    for name, (text, ref) in total.items():
        project[name] = text
        cells[name] = ref
    parts = [rows[k] for k in ("fiscal", "carryover", "other") if k in rows]
    for name in ("initial_budget_wan", "budget_wan", "spent_wan"):
        stated = _to_decimal(total.get(name, (None, ""))[0])
        values = [_to_decimal(p.get(name, (None, ""))[0]) for p in parts]
        known = [v for v in values if v is not None]
        if known and (stated is None or stated == 0) and sum(known) != 0:
            summed = sum(known, Decimal(0))
            project[name] = format(summed.normalize(), "f")
            cells[name] = parts[0][name][1]
            block.notes.append(
                f"{total.get(name, (None, _ref(grid, header)))[1]}：年度资金总额为"
                f"{'空' if stated is None else '0'}，按其中各项合计 {project[name]} 万元计算。"
                f" / the total was {'empty' if stated is None else '0'}; "
                f"the sum of its parts ({project[name]}) is used."
            )
    if "execution_weight" not in project or project.get("execution_weight") is None:
        for part in parts:
            if part.get("execution_weight", (None,))[0] is not None:
                for name in (
                    "execution_weight",
                    "stated_execution_rate_pct",
                    "stated_execution_score",
                ):
                    if name in part and project.get(name) is None:
                        project[name], cells[name] = part[name]
                break


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
                if actual != target:
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


def _indicators(
    block: _Block, project_id: str, project: dict[str, Any], cells: dict[str, str]
) -> tuple[list[dict[str, Any]], dict[str, float]]:
    grid = block.grid
    header = _find_header(grid, block.start, block.stop)
    assert header is not None  # _blocks keeps only blocks with a header
    columns, first = _header_layout(grid, header, block.stop)
    rows: list[dict[str, Any]] = []
    level_points: dict[str, float] = {}
    previous_level1: str | None = None
    for r in range(first, block.stop):
        texts = [t for _, t in grid.row_texts(r)]
        if not texts:
            continue
        if _is_banner(texts):
            break  # the title of the next table stacked below
        lead = norm_label(texts[0])
        if any(lead.startswith(w) for w in _END_WORDS):
            break  # notes, signatures and contacts printed under the table
        if any(lead.startswith(w) for w in _TOTAL_WORDS):
            score_col = columns.get("stated_score")
            total = grid.get(r, score_col) if score_col is not None else None
            if _to_decimal(total) is None and (score_col is None or total is not None):
                # No 得分 column, or text there (自评等级 优): the row's last number is the total.
                numbers = [t for t in texts if _to_decimal(t) is not None]
                total = numbers[-1] if numbers else None
            if total is not None:
                project["stated_score"] = total
                cells["stated_score"] = _ref(grid, r)
            break

        def at(name: str, row: int = r) -> str | None:
            col = columns.get(name)
            return None if col is None else grid.get(row, col)

        level1, points = split_level_points(at("level1"))
        level2, _ = split_level_points(at("level2"))
        name = strip_placeholder(at("name"))
        target = at("target_adjusted") or at("target")
        actual = at("actual")
        weight = at("weight")
        if name is not None and name in (level1, level2) and target is None and actual is None:
            continue
        if name is None and target is None and actual is None and weight is None:
            continue  # an empty row: 经济效益指标 with nothing under it, 指标2：, ……
        if not level1:
            # Printed only as (50分), or left blank under a merge that was not kept: the
            # second level says which first level it belongs to.
            level1 = level1_of(level2) or previous_level1
        previous_level1 = level1
        if "执行率" in norm_label(name or level1 or "") and "预算" in (name or level1 or ""):
            # 预算执行率 printed as an indicator row: it is the project's execution score.
            for ours, theirs in (
                ("execution_weight", "weight"),
                ("stated_execution_score", "stated_score"),
            ):
                if at(theirs) is not None:
                    project[ours], cells[ours] = at(theirs), _ref(grid, r, columns[theirs])
            if actual is not None and project.get("stated_execution_rate_pct") is None:
                project["stated_execution_rate_pct"] = actual
                cells["stated_execution_rate_pct"] = _ref(grid, r, columns["actual"])
            continue
        if level1 and points is not None:
            level_points.setdefault(level1, points)
        unit, direction = at("unit"), at("direction")
        row: dict[str, Any] = {
            "project_id": project_id,
            "level1": level1,
            "level2": level2,
            "name": name or level2,
            "target": _compose(target, unit, direction),
            "actual": _compose(actual, unit, None),
            "weight": weight,
            "stated_score": at("stated_score"),
            "deviation_reason": at("deviation_reason"),
            "direction": direction,
        }
        target_col = (
            columns.get("target_adjusted") if at("target_adjusted") else columns.get("target")
        )
        row_cells = {
            key: _ref(grid, r, columns[src])
            for key, src in (
                ("level1", "level1"),
                ("level2", "level2"),
                ("name", "name"),
                ("actual", "actual"),
                ("weight", "weight"),
                ("stated_score", "stated_score"),
                ("deviation_reason", "deviation_reason"),
                ("direction", "direction"),
            )
            if src in columns
        }
        if target_col is not None:
            row_cells["target"] = _ref(grid, r, target_col)
        row[WHERE_COLUMN] = _ref(grid, r)
        row[CELLS_COLUMN] = row_cells
        rows.append(row)
    return rows, level_points


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
        ``fiscal_year``, ``template``) and notes.
    """
    projects: list[dict[str, Any]] = []
    indicators: list[dict[str, Any]] = []
    notes: list[str] = []
    years: list[int] = []
    departments: list[str] = []
    level_points: dict[str, float] = {}
    number = first_id
    for grid in grids:
        for block in _blocks(grid):
            project: dict[str, Any] = {}
            cells: dict[str, str] = {}
            rows = range(block.start, block.stop)
            code = _labelled(grid, rows, "项目编码")[0] or _labelled(grid, rows, "项目代码")[0]
            project_id = code or f"P{number:02d}"
            number += 1
            project["project_id"] = project_id
            name, name_cell = _labelled(grid, rows, "项目名称")
            project["name"], cells["name"] = name, name_cell or _ref(grid, block.start)
            named_unit = _labelled(
                grid, range(max(block.start - 3, 0), block.start + 1), "单位名称"
            )[0]
            supervisor, cell = _labelled(grid, rows, "主管部门")
            project["supervising_department"] = supervisor
            if cell:
                cells["supervising_department"] = cell
            unit, cell = _labelled(grid, rows, "实施单位")
            project["implementing_unit"] = unit
            if cell:
                cells["implementing_unit"] = cell
            _money(block, project, cells)
            _goal(block, project, cells)
            rows_, points = _indicators(block, project_id, project, cells)
            for key, value in points.items():
                level_points.setdefault(key, value)
            indicators += rows_
            year = fiscal_year_of(grid, block.start) or year_in_name(grid.file)
            if year is not None:
                years.append(year)
            departments.append(
                strip_code(named_unit or unit or supervisor) or unit_in_name(grid.file) or ""
            )
            project[WHERE_COLUMN] = f"{_ref(grid, block.start)}起"
            project[CELLS_COLUMN] = cells
            projects.append(project)
            notes += block.notes
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
    if level_points:
        department["level_points"] = level_points
    return projects, indicators, department, notes
