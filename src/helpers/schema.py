"""Table schemas, declared once.

Tables are read as text and checked with pandera *before* any value becomes a number, so that a
bad amount (``-3``, ``1,234``, ``12.34567``) is reported with the exact text the analyst typed.
Each check's ``error`` is a key of :data:`EXPECTED`, which holds what was expected in Chinese
and English; :mod:`helpers.dataset` turns pandera's failure cases into bilingual messages.

The department file is nested YAML and is described by the pydantic model
:class:`DepartmentInfo`.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Sequence
from typing import Annotated

import pandera.pandas as pa
from pandera import Check
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,4})?$"
NUMBER_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,12})?$"
DEPARTMENT_AMOUNT_PATTERN = r"^[0-9]{1,12}(\.[0-9]{1,6})?$"
"""Department totals may be sums of amounts printed in 元 with 分: up to 6 decimals of 万元."""

LEVEL1_VALUES = ("产出", "效益", "满意度", "成本", "决策", "过程")
LEVEL2_VALUES = (
    "数量",
    "质量",
    "时效",
    "成本",
    "经济成本",
    "社会成本",
    "生态环境成本",
    "经济效益",
    "社会效益",
    "生态效益",
    "可持续影响",
    "服务对象满意度",
    # 决策 and 过程 of the 绩效评价 common framework (some provinces' 自评表 use it)
    "项目立项",
    "绩效目标",
    "资金投入",
    "资金管理",
    "组织实施",
)

# Labels as real tables print them → the canonical label. A trailing 指标 is dropped first
# (产出指标 → 产出), then these synonyms apply.
LEVEL1_ALIASES: dict[str, str] = {
    "效果": "效益",
    "产出效益": "效益",
    "成本效益": "成本",
    "服务对象满意度": "满意度",
    "社会满意度": "满意度",
    "满意": "满意度",
    "项目决策": "决策",
    "项目管理": "过程",
    "管理": "过程",
    "项目过程": "过程",
    "项目产出": "产出",
    "项目效益": "效益",
}
LEVEL2_ALIASES: dict[str, str] = {
    "进度": "时效",
    "时间": "时效",
    "时效性": "时效",
    "满意度": "服务对象满意度",
    "服务满意度": "服务对象满意度",
    "社会公众满意度": "服务对象满意度",
    "群众满意度": "服务对象满意度",
    "可持续影响力": "可持续影响",
    "可持续发展": "可持续影响",
    "生态环境效益": "生态效益",
    "生态成本": "生态环境成本",
    "项目目标": "绩效目标",
    "投入管理": "资金投入",
    "财务管理": "资金管理",
    "项目实施": "组织实施",
    "业务管理": "组织实施",
}


def canonical_level(label: object, aliases: dict[str, str]) -> object:
    """A printed 一级/二级指标 label as the canonical one (others are returned as they are).

    Example:
        >>> canonical_level("产出指标", LEVEL1_ALIASES), canonical_level("进度指标", LEVEL2_ALIASES)
        ('产出', '时效')
        >>> canonical_level(" 满意度指标 ", LEVEL2_ALIASES), canonical_level("经济成本指标", LEVEL2_ALIASES)
        ('服务对象满意度', '经济成本')
    """
    if not isinstance(label, str):
        return label
    text = "".join(label.split()).removesuffix("等")
    text = re.sub(r"[（(]\d+(?:\.\d+)?分?[)）]$", "", text)  # 产出指标(50分)
    for suffix in ("指标",):
        if text.endswith(suffix) and len(text) > len(suffix):
            text = text[: -len(suffix)]
    return aliases.get(text, text)


PROJECT_COLUMNS = (
    "project_id",
    "category",
    "name",
    "initial_budget_wan",
    "budget_wan",
    "spent_wan",
    "stated_execution_rate_pct",
    "execution_weight",
    "stated_execution_score",
    "stated_score",
    "outcome",
    "low_execution_reason",
    "supervising_department",
    "implementing_unit",
    "goal_target",
    "goal_actual",
    "note",
)
"""Every column of ``projects.csv``, in the order jixiao writes them."""

INDICATOR_COLUMNS = (
    "project_id",
    "level1",
    "level2",
    "name",
    "target",
    "actual",
    "weight",
    "stated_score",
    "direction",
    "deviation_reason",
    "note",
)
"""Every column of ``indicators.csv``, in the order jixiao writes them."""

COLUMN_LABELS_ZH: dict[str, str] = {
    "project_id": "项目编号",
    "category": "项目类别",
    "name": "名称",
    "initial_budget_wan": "年初预算数（万元）",
    "budget_wan": "全年预算数（万元）",
    "spent_wan": "全年执行数（万元）",
    "stated_execution_rate_pct": "执行率（%）",
    "execution_weight": "执行率分值",
    "stated_execution_score": "执行率得分（自评）",
    "stated_score": "得分（自评）",
    "outcome": "成效",
    "low_execution_reason": "执行率偏低原因",
    "supervising_department": "主管部门",
    "implementing_unit": "实施单位",
    "goal_target": "年度总体目标（预期）",
    "goal_actual": "年度总体目标（实际完成）",
    "note": "备注",
    "level1": "一级指标",
    "level2": "二级指标",
    "target": "年度指标值",
    "actual": "实际完成值",
    "weight": "分值",
    "direction": "指标方向",
    "deviation_reason": "偏差原因分析及改进措施",
    "field": "字段",
    "value": "值",
}
"""Chinese column headers jixiao writes in workbooks (English names are accepted on read)."""

_EXTRA_ALIASES = {
    "项目名称": "name",
    "三级指标": "name",
    "指标名称": "name",
    "类别": "category",
    "项目编码": "project_id",
    "年初预算数": "initial_budget_wan",
    "全年预算数": "budget_wan",
    "全年执行数": "spent_wan",
    "执行率": "stated_execution_rate_pct",
    "指标值": "target",
    "目标值": "target",
    "完成值": "actual",
    "偏差原因": "deviation_reason",
    "得分": "stated_score",
    "自评得分": "stated_score",
    "指标性质": "direction",
    "计算符号": "direction",
}


def header_key(text: str) -> str:
    """A header as compared: no white space, half-width brackets as full-width."""
    return "".join(text.split()).replace("(", "（").replace(")", "）")


COLUMN_ALIASES: dict[str, str] = {header_key(zh): en for en, zh in COLUMN_LABELS_ZH.items()} | {
    header_key(zh): en for zh, en in _EXTRA_ALIASES.items()
}
"""Header text (spaces removed, half-width brackets as full-width) → column name."""

SHEET_ALIASES: dict[str, str] = {"部门": "department", "项目": "projects", "指标": "indicators"}
"""Chinese sheet names jixiao writes → the table they hold."""


def canonical_column(header: str) -> str:
    """The column name for a header as written (English, or Chinese as jixiao writes it).

    Example:
        >>> canonical_column(" budget_wan "), canonical_column("全年预算数(万元)"), canonical_column("一级指标")
        ('budget_wan', 'budget_wan', 'level1')
    """
    bare = header.strip().lstrip("\ufeff")
    return COLUMN_ALIASES.get(header_key(bare), bare)


EXPECTED: dict[str, tuple[str, str]] = {
    "amount": (
        "应为不小于 0 的金额（万元，最多 4 位小数，不带千分位逗号）",
        "expected a non-negative amount in 万元 with at most 4 decimals and no thousands separator",
    ),
    "amount_form": (
        "应为不小于 0 的金额（万元，最多 6 位小数）",
        "expected a non-negative amount in 万元 with at most 6 decimals",
    ),
    "percent": ("应为 0 到 100 之间的数字", "expected a number from 0 to 100"),
    "rate": (
        "应为不小于 0 的百分数（如 98.5 或 98.5%）",
        "expected a non-negative percentage (98.5 or 98.5%)",
    ),
    "score": ("应为 0 到 100 之间的分数", "expected a score from 0 to 100"),
    "weight": ("应为 0 到 100 之间的分值", "expected a weight from 0 to 100"),
    "total": ("应为不小于 0 的总分", "expected a non-negative total score"),
    "not_blank": ("不能为空", "must not be empty"),
    "unique_id": ("项目编号必须唯一", "expected a unique project id"),
    "level1": (
        f"应为 {' / '.join(LEVEL1_VALUES)} 之一",
        f"expected one of {', '.join(LEVEL1_VALUES)}",
    ),
    "level2": (
        f"应为 {' / '.join(LEVEL2_VALUES)} 之一",
        f"expected one of {', '.join(LEVEL2_VALUES)}",
    ),
    "column_in_dataframe": ("缺少此列", "the column is missing"),
    "not_nullable": ("不能为空", "must not be empty"),
    "field_uniqueness": ("项目编号必须唯一", "expected a unique project id"),
    "dtype": ("类型不符", "wrong type"),
}


def _with_quick(check: Check, quick: Callable[[str], bool]) -> Check:
    """``check`` with the same test for one text, as ``check.quick``.

    The loader's fast path (:func:`helpers.dataset._surely_valid`) runs ``quick`` over a small
    table's texts; pandera runs ``check`` whenever anything fails, for its messages. A test
    holds the two to the same answers.
    """
    check.quick = quick  # type: ignore[attr-defined]
    return check


def _number_in(low: float, high: float, name: str) -> Check:
    """A check that text is a plain number within [low, high]."""
    number = re.compile(NUMBER_PATTERN)

    def check(texts):  # type: ignore[no-untyped-def]
        numbers = texts.str.fullmatch(NUMBER_PATTERN)
        values = texts.where(numbers).astype("float64")
        return numbers & values.between(low, high)

    def quick(text: str) -> bool:
        return number.fullmatch(text) is not None and low <= float(text) <= high

    return _with_quick(Check(check, element_wise=False, error=name), quick)


_NOT_BLANK = _with_quick(
    Check(lambda s: s.str.strip().str.len() > 0, error="not_blank"), lambda text: bool(text.strip())
)


def _matching(pattern: str, name: str) -> Check:
    """``Check.str_matches``: text that ``pattern`` matches from its start."""
    match = re.compile(pattern).match
    return _with_quick(Check.str_matches(pattern, error=name), lambda t: match(t) is not None)


def _one_of(values: Sequence[str], name: str) -> Check:
    """``Check.isin``: text that is one of ``values``."""
    return _with_quick(Check.isin(values, error=name), frozenset(values).__contains__)


_AMOUNT = _matching(AMOUNT_PATTERN, "amount")

PROJECTS_SCHEMA = pa.DataFrameSchema(
    {
        "project_id": pa.Column(str, _NOT_BLANK, unique=True, report_duplicates="exclude_first"),
        "category": pa.Column(str, _NOT_BLANK),
        "name": pa.Column(str, _NOT_BLANK),
        "initial_budget_wan": pa.Column(str, _AMOUNT, nullable=True, required=False),
        "budget_wan": pa.Column(str, _AMOUNT, nullable=True, required=False),
        "spent_wan": pa.Column(str, _AMOUNT, nullable=True, required=False),
        "stated_execution_rate_pct": pa.Column(
            str, _number_in(0, 1000, "rate"), nullable=True, required=False
        ),
        "execution_weight": pa.Column(
            str, _number_in(0, 100, "weight"), nullable=True, required=False
        ),
        "stated_execution_score": pa.Column(
            str, _number_in(0, 100, "score"), nullable=True, required=False
        ),
        # A published table whose 分值 total more than 100 prints a 总分 above 100: kept as printed.
        "stated_score": pa.Column(str, _number_in(0, 1000, "total"), nullable=True, required=False),
        **{
            col: pa.Column(str, nullable=True, required=False)
            for col in (
                "outcome",
                "low_execution_reason",
                "supervising_department",
                "implementing_unit",
                "goal_target",
                "goal_actual",
                "note",
            )
        },
    },
    name="projects",
)
"""``projects.csv``: one row per project; see docs/data-format.md."""

INDICATORS_SCHEMA = pa.DataFrameSchema(
    {
        "project_id": pa.Column(str, _NOT_BLANK),
        "level1": pa.Column(str, _one_of(LEVEL1_VALUES, "level1")),
        "level2": pa.Column(str, _one_of(LEVEL2_VALUES, "level2")),
        "name": pa.Column(str, _NOT_BLANK),
        # Cells may be blank (flagged, not scored); the columns may not be missing: without them
        # nothing could be scored, and a misspelt header would pass as "every target missing".
        "target": pa.Column(str, nullable=True),
        "actual": pa.Column(str, nullable=True),
        "weight": pa.Column(str, _number_in(0, 100, "weight"), nullable=True, required=False),
        "stated_score": pa.Column(str, _number_in(0, 100, "score"), nullable=True, required=False),
        "direction": pa.Column(str, nullable=True, required=False),
        "deviation_reason": pa.Column(str, nullable=True, required=False),
        "note": pa.Column(str, nullable=True, required=False),
    },
    name="indicators",
)
"""``indicators.csv``: one row per 三级指标; see docs/data-format.md."""

AMOUNT_COLUMNS = ("initial_budget_wan", "budget_wan", "spent_wan")

_FORM_AMOUNT = _matching(r"^[0-9]{1,12}(\.[0-9]{1,6})?$", "amount_form")
FORM_PROJECTS_SCHEMA = PROJECTS_SCHEMA.update_columns(
    {col: {"checks": [_FORM_AMOUNT]} for col in AMOUNT_COLUMNS}
)
"""Projects read from a published 自评表: amounts printed in 元 (with 分) become 万元 with up to
6 decimals, kept exactly; otherwise as :data:`PROJECTS_SCHEMA`."""
NUMBER_COLUMNS = (
    *AMOUNT_COLUMNS,
    "stated_execution_rate_pct",
    "execution_weight",
    "stated_execution_score",
    "stated_score",
)
INDICATOR_NUMBER_COLUMNS = ("weight", "stated_score")


def _amount_text(value: object) -> object:
    """Check a YAML amount against :data:`AMOUNT_PATTERN` before it becomes a float."""
    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(DEPARTMENT_AMOUNT_PATTERN, text):
        raise ValueError("amount")
    return float(text)


AmountWan = Annotated[float, BeforeValidator(_amount_text)]


class BasisDocument(BaseModel):
    """A document the evaluation is based on (依据)."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    issuer: str | None = None
    title: str
    number: str | None = None


class Category(BaseModel):
    """A project category and its section heading."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str
    heading: str | None = None


class Sections(BaseModel):
    """The free-text parts of the report."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    preamble: str | None = None
    organization: str | None = None
    conclusion: str | None = None
    problems: str | None = None
    next_steps: str | None = None


_SPEAKERS: tuple[tuple[tuple[str, ...], str], ...] = (
    (("局",), "我局"),
    (("委员会", "委"), "我委"),
    (("镇人民政府", "镇政府", "镇"), "我镇"),
    (("乡人民政府", "乡政府", "乡"), "我乡"),
    (("街道办事处", "街道"), "我街道"),
    (("学校", "中学", "小学", "学院", "大学", "幼儿园", "校"), "我校"),
    (("合作社联合社", "联合社", "合作社", "社"), "我社"),
    (("医院", "院"), "我院"),
    (("中心",), "我中心"),
    (("办公室", "办"), "我办"),
    (("厅",), "我厅"),
    (("所",), "我所"),
)


def speaker_for(name: str) -> str:
    """The self-reference a unit's report uses, from the end of its name (我局, 我镇, 我校 …).

    Example:
        >>> speaker_for("市财政局"), speaker_for("某街道办事处"), speaker_for("市档案馆")
        ('我局', '我街道', '我单位')
    """
    bare = name.strip()
    for endings, speaker in _SPEAKERS:
        if bare.endswith(endings):
            return speaker
    return "我单位"


class Template(BaseModel):
    """The scoring template a dataset follows: how many points execution and each level carry.

    财预〔2020〕10号 gives 10 points to the budget execution rate and 90 to the indicators
    (产出 50, 效益 30, 满意度 10 by common practice); Hubei and Yunnan give execution 20,
    Ningxia 0 with 产出 40 / 效益 40 / 满意度 20. Explicit 分值 in the data always win; the
    template weighs the rows that have none and checks the totals.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    execution_weight: float = Field(default=10.0, ge=0, le=100)
    level_weights: dict[str, float] | None = None


class DepartmentInfo(BaseModel):
    """``department.yaml``: one department's fiscal year, with the report's free text."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)
    name: str = Field(min_length=1)
    title_name: str | None = None
    self_reference: str | None = None
    fiscal_year: int = Field(ge=2000, le=2100)
    budget_wan: AmountWan
    spent_wan: AmountWan
    stated_execution_rate_pct: float | None = Field(default=None, ge=0, le=100)
    report_date: dt.date | None = None
    signer: str | None = None
    basis_documents: list[BasisDocument] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    sections: Sections = Field(default_factory=Sections)
    template: Template | None = None
    notes: str | None = None

    @property
    def speaker(self) -> str:
        """How the report refers to the unit: ``self_reference``, else from its name.

        Example:
            >>> base = {"fiscal_year": 2022, "budget_wan": 1, "spent_wan": 1}
            >>> [DepartmentInfo(name=n, **base).speaker for n in
            ...  ["高新区科技局", "某某镇人民政府", "永德县明朗中学", "昌宁县供销合作社联合社", "卫健委"]]
            ['我局', '我镇', '我校', '我社', '我委']
        """
        if self.self_reference:
            return self.self_reference
        return speaker_for(self.name)

    @property
    def display_name(self) -> str:
        """The name used in the report title."""
        return self.title_name or self.name

    def heading_for(self, category: str) -> str:
        """The section heading of a category (``科技创新发展方面``)."""
        for item in self.categories:
            if item.name == category and item.heading:
                return item.heading
        return f"{category}方面"
