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
from typing import Annotated

import pandera.pandas as pa
from pandera import Check
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

AMOUNT_PATTERN = r"^\d+(\.\d{1,4})?$"
NUMBER_PATTERN = r"^\d+(\.\d+)?$"

LEVEL1_VALUES = ("产出", "效益", "满意度", "成本")
LEVEL2_VALUES = (
    "数量",
    "质量",
    "时效",
    "成本",
    "经济效益",
    "社会效益",
    "生态效益",
    "可持续影响",
    "服务对象满意度",
)

EXPECTED: dict[str, tuple[str, str]] = {
    "amount": (
        "应为不小于 0 的金额（万元，最多 4 位小数，不带千分位逗号）",
        "expected a non-negative amount in 万元 with at most 4 decimals and no thousands separator",
    ),
    "percent": ("应为 0 到 100 之间的数字", "expected a number from 0 to 100"),
    "score": ("应为 0 到 100 之间的分数", "expected a score from 0 to 100"),
    "weight": ("应为 0 到 100 之间的分值", "expected a weight from 0 to 100"),
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


def _number_in(low: float, high: float, name: str) -> Check:
    """A check that text is a plain number within [low, high]."""

    def check(texts):  # type: ignore[no-untyped-def]
        numbers = texts.str.fullmatch(NUMBER_PATTERN)
        values = texts.where(numbers).astype("float64")
        return numbers & values.between(low, high)

    return Check(check, element_wise=False, error=name)


_NOT_BLANK = Check(lambda s: s.str.strip().str.len() > 0, error="not_blank")
_AMOUNT = Check.str_matches(AMOUNT_PATTERN, error="amount")

PROJECTS_SCHEMA = pa.DataFrameSchema(
    {
        "project_id": pa.Column(str, _NOT_BLANK, unique=True, report_duplicates="exclude_first"),
        "category": pa.Column(str, _NOT_BLANK),
        "name": pa.Column(str, _NOT_BLANK),
        "initial_budget_wan": pa.Column(str, _AMOUNT, nullable=True),
        "budget_wan": pa.Column(str, _AMOUNT, nullable=True),
        "spent_wan": pa.Column(str, _AMOUNT, nullable=True),
        "stated_execution_rate_pct": pa.Column(str, _number_in(0, 100, "percent"), nullable=True),
        "outcome": pa.Column(str, nullable=True, required=False),
        "stated_score": pa.Column(str, _number_in(0, 100, "score"), nullable=True, required=False),
        "note": pa.Column(str, nullable=True, required=False),
    },
    name="projects",
)
"""``projects.csv``: one row per project; see docs/data-format.md."""

INDICATORS_SCHEMA = pa.DataFrameSchema(
    {
        "project_id": pa.Column(str, _NOT_BLANK),
        "level1": pa.Column(str, Check.isin(LEVEL1_VALUES, error="level1")),
        "level2": pa.Column(str, Check.isin(LEVEL2_VALUES, error="level2")),
        "name": pa.Column(str, _NOT_BLANK),
        "target": pa.Column(str, nullable=True),
        "actual": pa.Column(str, nullable=True),
        "weight": pa.Column(str, _number_in(0, 100, "weight"), nullable=True),
        "deviation_reason": pa.Column(str, nullable=True),
        "note": pa.Column(str, nullable=True, required=False),
    },
    name="indicators",
)
"""``indicators.csv``: one row per 三级指标; see docs/data-format.md."""

AMOUNT_COLUMNS = ("initial_budget_wan", "budget_wan", "spent_wan")
NUMBER_COLUMNS = (*AMOUNT_COLUMNS, "stated_execution_rate_pct", "stated_score")


def _amount_text(value: object) -> object:
    """Check a YAML amount against :data:`AMOUNT_PATTERN` before it becomes a float."""
    import re

    text = str(value).strip()
    if isinstance(value, bool) or not re.fullmatch(AMOUNT_PATTERN, text):
        raise ValueError("amount")
    return float(text)


AmountWan = Annotated[float, BeforeValidator(_amount_text)]


class BasisDocument(BaseModel):
    """A document the evaluation is based on (依据)."""

    model_config = ConfigDict(extra="forbid")
    issuer: str | None = None
    title: str
    number: str | None = None


class Category(BaseModel):
    """A project category and its section heading."""

    model_config = ConfigDict(extra="forbid")
    name: str
    heading: str | None = None


class Sections(BaseModel):
    """The free-text parts of the report."""

    model_config = ConfigDict(extra="forbid")
    preamble: str | None = None
    organization: str | None = None
    conclusion: str | None = None
    problems: str | None = None
    next_steps: str | None = None


class DepartmentInfo(BaseModel):
    """``department.yaml``: one department's fiscal year, with the report's free text."""

    model_config = ConfigDict(extra="forbid")
    name: str = Field(min_length=1)
    title_name: str | None = None
    fiscal_year: int = Field(ge=2000, le=2100)
    budget_wan: AmountWan
    spent_wan: AmountWan
    stated_execution_rate_pct: float | None = Field(default=None, ge=0, le=100)
    report_date: dt.date | None = None
    signer: str | None = None
    basis_documents: list[BasisDocument] = Field(default_factory=list)
    categories: list[Category] = Field(default_factory=list)
    sections: Sections = Field(default_factory=Sections)
    notes: str | None = None

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
