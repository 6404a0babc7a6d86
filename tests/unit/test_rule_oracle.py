"""The vectorised row scoring agrees with the plain row-by-row rules of ``rule_oracle``.

Random targets and actuals, written as analysts write them (≥ / ≤ / = numbers, percents, money in
万元 and 亿元, deadlines and time spans, qualitative words, zero targets, missing cells and
mismatched pairs), are parsed with the public :func:`helpers.parse.parse_indicator_values`;
:func:`helpers.scoring.score_rows` must give every row the oracle's fraction (NaN where the
oracle has NaN). Each seed is a fixed numpy ``Generator``, so a failure is reproducible.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from helpers.dataset import load_dataset
from helpers.parse import GRADE_MET, GRADE_PARTIAL, GRADE_UNMET, parse_indicator_values
from helpers.scoring import ScoringConfig, assign_weights, score_dataset, score_rows

from ..corpus.compare import published_file, table_dirs
from . import rule_oracle
from .conftest import SEED_DIR

FISCAL_YEAR = 2021
ROWS_PER_SEED = 3000
SEEDS = [1, 2, 3, 20210101, 987654321]

GE_WORDS = ["≥", "≥ ", "不低于", "不少于", "至少", "大于", ">", "达到", "", "="]
LE_WORDS = ["≤", "<=", "不超过", "不高于", "小于", "<", "控制在", "低于"]
COUNT_UNITS = ["个", "次", "人次", "家", "场", "项", "户", "件"]
NUMBERS = [0, 1, 2, 3, 5, 8, 10, 12, 20, 35, 50, 100, 120, 300, 1000, 5000]
FACTORS = [0, 0.25, 0.5, 0.8, 0.95, 1, 1, 1, 1.05, 1.2, 1.5, 1.99, 2, 2.5, 3]
PERCENTS = [0, 5, 50, 80, 85, 90, 95, 98, 100]
QUAL_TARGETS = ["显著改善", "有效提升", "达成预期指标", "合规", "及时", "是", "长期", "逐步完善"]
QUAL_ACTUALS = [
    "达成预期指标",
    "部分达成",
    "未达成",
    "基本完成",
    "未完成",
    "效果良好",
    "有效提升了服务水平",
    "一般",
    "是",
    "否",
    "无",
    "按时完成",
    "延迟完成",
    "未超预算",
    "详见附件",
    "按计划推进",
    "已开展",
]
MISSING = [None, np.nan, "", "  "]


def _num(x: float) -> str:
    """A number as analysts write it: no trailing zeros (``202.6``, ``3``)."""
    return f"{x:.4f}".rstrip("0").rstrip(".")


class Writer:
    """Random target and actual texts of one family each, from a seeded Generator."""

    def __init__(self, seed: int) -> None:
        self.rng = np.random.default_rng(seed)

    def pick(self, options):  # type: ignore[no-untyped-def]
        return options[int(self.rng.integers(len(options)))]

    def chance(self, p: float) -> bool:
        return bool(self.rng.random() < p)

    def actual_number(self, target: float) -> float:
        if self.chance(0.15):
            return float(self.pick(NUMBERS))  # unrelated to the target (0 included)
        return round(target * self.pick(FACTORS), 2)

    # -- families: each returns (target text, actual text)
    def count_ge(self) -> tuple[str, str]:
        n, unit = self.pick(NUMBERS), self.pick(COUNT_UNITS)
        target = f"{self.pick(GE_WORDS)}{n}{unit}"
        if self.chance(0.15):
            target = f"{n}{unit}以上"
        got = round(self.actual_number(n))
        actual = f"{got}{self.pick(['', '余', '多'])}{unit}"
        return target, actual

    def count_eq(self) -> tuple[str, str]:
        n, unit = self.pick(NUMBERS), self.pick(COUNT_UNITS)
        return f"{self.pick(['=', '等于', ''])}{n}{unit}", f"{round(self.actual_number(n))}{unit}"

    def upper_bound(self) -> tuple[str, str]:
        n = self.pick(NUMBERS)
        unit = self.pick(["个", "次", "%", "万元", ""])
        target = f"{self.pick(LE_WORDS)}{n}{unit}"
        if self.chance(0.15):
            target = f"{n}{unit}{self.pick(['以下', '以内'])}"
        return target, f"{_num(self.actual_number(n))}{unit}"

    def percent(self) -> tuple[str, str]:
        pct = self.pick(PERCENTS)
        op = self.pick([*GE_WORDS, "≤", "不高于"])
        target = f"{op}{pct}%" if not self.chance(0.1) else f"{pct}%以上"
        got = min(max(pct + float(self.rng.normal(0, 8)), 0), 100)
        actual = f"{_num(round(got, 1))}%"
        if self.chance(0.05):
            actual = "百分之九十"
        return target, actual

    def money(self) -> tuple[str, str]:
        yi = self.chance(0.4)
        amount = self.pick([0.5, 1, 1.2, 1.5, 3]) if yi else self.pick([0, 20, 50, 202.6, 1000])
        unit = "亿元" if yi else "万元"
        op = self.pick(GE_WORDS) if self.chance(0.5) else self.pick(LE_WORDS)
        target = f"{op}{_num(amount)}{unit}"
        got = self.actual_number(amount * (10000 if yi else 1))  # in 万元
        if self.chance(0.5) and got >= 10000:
            actual = f"{_num(got / 10000)}亿元"  # the other unit than the target's, sometimes
        else:
            actual = f"{_num(got)}万元"
        if self.chance(0.1):
            actual = self.pick(["未超预算", "超预算", "控制在预算内"])
        return target, actual

    def deadline(self) -> tuple[str, str]:
        month = int(self.rng.integers(1, 13))
        target = self.pick(
            [
                f"{FISCAL_YEAR}年{month}月前",
                f"{FISCAL_YEAR}年{month}月底前",
                f"{month}月前",
                f"{FISCAL_YEAR}年底前",
                f"{FISCAL_YEAR + 1}年底之前",
                f"{FISCAL_YEAR}年上半年",
                f"{FISCAL_YEAR}年第{self.pick(['一', '二', '三', '四'])}季度",
            ]
        )
        done = int(self.rng.integers(1, 13))
        year = FISCAL_YEAR + (1 if self.chance(0.1) else 0)
        actual = self.pick(
            [
                f"{year}年{done}月完成",
                f"{done}月前完成拨付",
                f"{year}年{done}月{int(self.rng.integers(1, 29))}日",
                self.pick(["按时完成", "已完成", "延迟完成", "滞后", "部分完成"]),
            ]
        )
        return target, actual

    def duration(self) -> tuple[str, str]:
        days = self.pick([5, 10, 30, 90, 360])
        unit = self.pick(["天", "个工作日", "日"])
        target = f"{self.pick(['不超过', '≤', '小于'])}{days}{unit}"
        if self.chance(0.2):
            target = f"{days}{unit}以内"
        actual = f"{round(self.actual_number(days))}{unit}"
        if self.chance(0.2):
            actual = f"未超过{days}{unit}"
        return target, actual

    def qualitative(self) -> tuple[str, str]:
        return self.pick(QUAL_TARGETS), self.pick(QUAL_ACTUALS)

    def zero_target(self) -> tuple[str, str]:
        target = self.pick(["零投诉", "无安全事故", "=0", "0起", "≤0", "≥0个", "0个", "无", "0%"])
        actual = self.pick(["0", "0起", "1起", "2次", "无", "未发生", "0%", "3%", "否", "-1"])
        return target, actual

    FAMILIES = (
        "count_ge",
        "count_eq",
        "upper_bound",
        "percent",
        "money",
        "deadline",
        "duration",
        "qualitative",
        "zero_target",
    )

    def row(self) -> tuple[object, object]:
        target, actual = getattr(self, self.pick(self.FAMILIES))()
        if self.chance(0.08):  # a target and an actual of different families
            actual = getattr(self, self.pick(self.FAMILIES))()[1]
        if self.chance(0.08):
            target = self.pick(MISSING)
        if self.chance(0.08):
            actual = self.pick(MISSING)
        return target, actual

    def rows(self, n: int) -> pd.DataFrame:
        pairs = [self.row() for _ in range(n)]
        return pd.DataFrame(pairs, columns=["target", "actual"], dtype=object)


def parsed(texts: pd.DataFrame) -> tuple[pd.DataFrame, pd.DataFrame]:
    return (
        parse_indicator_values(texts["target"], FISCAL_YEAR),
        parse_indicator_values(texts["actual"], FISCAL_YEAR),
    )


def assert_same_fractions(texts: pd.DataFrame, engine: pd.Series, oracle: pd.Series) -> None:
    e, o = engine.to_numpy(dtype=float), oracle.to_numpy(dtype=float)
    same = (np.isnan(e) & np.isnan(o)) | (np.abs(e - o) <= 1e-12)
    if not same.all():
        bad = texts[~same].assign(engine=e[~same], oracle=o[~same])
        raise AssertionError(
            f"engine and oracle disagree on {len(bad)} of {len(texts)} rows:\n"
            + bad.head(20).to_string()
        )


@pytest.mark.parametrize("seed", SEEDS)
def test_score_rows_agrees_with_the_oracle(seed: int) -> None:
    texts = Writer(seed).rows(ROWS_PER_SEED)
    target, actual = parsed(texts)
    engine = score_rows(target, actual)["fraction"]
    assert_same_fractions(texts, engine, rule_oracle.fractions(target, actual))


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_agreement_under_another_config(seed: int) -> None:
    config = ScoringConfig(
        grade_fractions={GRADE_MET: 0.9, GRADE_PARTIAL: 0.65, GRADE_UNMET: 0.2},
        missing_value_policy="zero",
    )
    texts = Writer(seed).rows(ROWS_PER_SEED)
    target, actual = parsed(texts)
    engine = score_rows(target, actual, config)["fraction"]
    assert_same_fractions(texts, engine, rule_oracle.fractions(target, actual, config))


def test_the_rows_cover_every_branch_of_the_rules() -> None:
    """The generator is not degenerate: each rule decides a good share of the rows."""
    texts = Writer(SEEDS[0]).rows(ROWS_PER_SEED)
    target, actual = parsed(texts)
    numeric = target["value"].notna() & actual["value"].notna()
    dated = ~numeric & target["deadline"].notna() & actual["deadline"].notna()
    ops = target["op"].where(numeric).fillna("=").where(numeric)
    fraction = rule_oracle.fractions(target, actual)
    counts = {
        "≥ / >": ops.isin(["≥", ">"]).sum(),
        "=": ops.eq("=").sum(),
        "≤ / <": ops.isin(["≤", "<"]).sum(),
        "target 0": (numeric & target["value"].eq(0)).sum(),
        "linear part of ≤": (ops.isin(["≤", "<"]) & fraction.between(0, 1, "neither")).sum(),
        "dates": dated.sum(),
        "grades": (~numeric & ~dated & actual["grade"].notna()).sum(),
        "missing": (target["kind"].eq("missing") | actual["kind"].eq("missing")).sum(),
        "unjudgeable (NaN)": (fraction.isna() & ~target["kind"].eq("missing")).sum(),
        "亿元": texts["target"].astype(str).str.contains("亿元").sum(),
    }
    for grade in (GRADE_MET, GRADE_PARTIAL, GRADE_UNMET):
        counts[grade] = (~numeric & ~dated & actual["grade"].eq(grade)).sum()
    thin = {k: int(v) for k, v in counts.items() if v < 20}
    assert not thin, f"too few rows for {thin} of {ROWS_PER_SEED}"


def test_table_rules_agree_with_score_dataset(seed_dataset) -> None:  # type: ignore[no-untyped-def]
    """The oracle's table level (direction, identical texts) on the shipped FY2021 table."""
    result = score_dataset(seed_dataset, ScoringConfig())
    ind = seed_dataset.indicators.reset_index(drop=True)
    oracle = rule_oracle.table_fractions(ind, seed_dataset.fiscal_year)
    assert_same_fractions(ind[["target", "actual"]], result.indicators["fraction"], oracle)


@pytest.mark.parametrize("seed", SEEDS[:2])
def test_the_row_by_row_reference_agrees_with_the_oracle(seed: int) -> None:
    """The benchmark's reference (one cell parsed at a time, apply over rows) is the oracle."""
    texts = Writer(seed).rows(ROWS_PER_SEED)
    names = ["投诉率", "培训人次", "群众满意度（≥90%）", "单位成本", "覆盖率"]
    texts["name"] = [names[i % len(names)] for i in range(len(texts))]
    texts["direction"] = [None if i % 7 else "≤(反向)" for i in range(len(texts))]
    reference = rule_oracle.row_by_row_fractions(texts, FISCAL_YEAR)
    assert_same_fractions(texts, reference, rule_oracle.table_fractions(texts, FISCAL_YEAR))


def test_the_row_by_row_reference_agrees_with_score_dataset(seed_dataset) -> None:  # type: ignore[no-untyped-def]
    result = score_dataset(seed_dataset, ScoringConfig())
    ind = seed_dataset.indicators.reset_index(drop=True)
    reference = rule_oracle.row_by_row_fractions(ind, seed_dataset.fiscal_year)
    assert_same_fractions(ind[["target", "actual"]], result.indicators["fraction"], reference)


# --------------------------------------------------------------------------------------------
# Weights (分值) and row scores: the engine against the plain per-project rules
# --------------------------------------------------------------------------------------------

WEIGHT_CONFIGS = {
    "default": ScoringConfig(),
    "execution 20, 40/40/20 of 80": ScoringConfig(
        execution_weight=20, level_weights={"产出": 32, "效益": 32, "满意度": 16}
    ),
    "zero policy, no execution": ScoringConfig(
        execution_weight=0,
        level_weights={"产出": 50, "效益": 30, "满意度": 20},
        missing_value_policy="zero",
    ),
}
LEVELS_DRAWN = ["产出", "产出", "成本", "效益", "效益", "满意度", "其他"]


def random_weight_rows(seed: int, n_projects: int = 400) -> pd.DataFrame:
    """Projects of 1–12 rows: levels (some missing, 成本, an unknown one), no / some / every
    分值 published (totals below, at and above the points), rows that cannot be scored, and a
    project's own execution 分值 now and then."""
    rng = np.random.default_rng(seed)
    rows = []
    for p in range(n_projects):
        n = int(rng.integers(1, 13))
        published = rng.choice(["none", "some", "all"], p=[0.5, 0.3, 0.2])
        execution = float(rng.choice([10.0, 20.0, 0.0])) if rng.random() < 0.2 else np.nan
        for _ in range(n):
            has_weight = published == "all" or (published == "some" and rng.random() < 0.5)
            rows.append(
                {
                    "project_id": f"P{p:04d}",
                    "level1": LEVELS_DRAWN[int(rng.integers(len(LEVELS_DRAWN)))],
                    "weight": float(rng.choice([2, 5, 7.5, 10, 15, 20, 33.3]))
                    if has_weight
                    else np.nan,
                    "is_scorable": bool(rng.random() < 0.8),
                    "execution_weight": execution,
                }
            )
    return pd.DataFrame(rows)


def oracle_weights(rows: pd.DataFrame, config: ScoringConfig) -> list[float]:
    out: list[float] = []
    for _, project in rows.groupby("project_id", sort=False):
        out += rule_oracle.project_weights(
            project["level1"].tolist(),
            project["weight"].tolist(),
            project["is_scorable"].tolist(),
            float(project["execution_weight"].iloc[0]),
            config,
        )
    return out


def assert_same_values(what: str, engine: pd.Series, oracle: list[float] | pd.Series) -> None:
    mine, theirs = engine.to_numpy(float), np.asarray(oracle, dtype=float)
    same = (np.isnan(mine) & np.isnan(theirs)) | (np.abs(mine - theirs) < 1e-9)
    bad = np.flatnonzero(~same)[:5].tolist()
    assert same.all(), f"{what}: rows {bad}: engine {mine[bad]}, oracle {theirs[bad]}"


@pytest.mark.parametrize("config_name", list(WEIGHT_CONFIGS))
@pytest.mark.parametrize("seed", SEEDS[:3])
def test_assign_weights_agrees_with_the_per_project_rules(seed: int, config_name: str) -> None:
    config = WEIGHT_CONFIGS[config_name]
    rows = random_weight_rows(seed)
    engine = assign_weights(rows, config)["weight_used"]
    assert_same_values("weight_used", engine, oracle_weights(rows, config))


def test_the_random_projects_cover_every_weight_rule() -> None:
    """The generated projects reach each branch of the rules (else the agreement means little)."""
    rows = random_weight_rows(SEEDS[0])
    by_project = rows.groupby("project_id", sort=False)
    published = by_project["weight"].agg(lambda w: w.notna().mean())
    assert (published == 0).any() and (published == 1).any()
    assert ((published > 0) & (published < 1)).any()
    assert (by_project["is_scorable"].agg("sum") == 0).any()  # nothing to score
    levels = by_project["level1"].agg(set)
    assert levels.map(lambda s: "满意度" not in s).any()  # a level missing
    assert levels.map(lambda s: "其他" in s).any()  # a level the template does not weigh
    assert rows["execution_weight"].notna().any() and rows["execution_weight"].isna().any()
    weights = oracle_weights(rows, ScoringConfig())
    cents = np.asarray(weights) * 100
    cents = cents[~np.isnan(cents)]  # a project with nothing to score weighs nothing
    assert (np.abs(cents - np.round(cents)) < 1e-6).all()  # whole cents
    assert len({round(w, 2) for w in weights if w % 1}) > 10  # and many uneven shares


def _execution_weights(dataset) -> dict[str, float]:  # type: ignore[no-untyped-def]
    projects = dataset.projects
    if "execution_weight" not in projects:
        return {}
    own = projects.dropna(subset=["execution_weight"]).drop_duplicates("project_id")
    return dict(zip(own["project_id"], own["execution_weight"].astype(float), strict=True))


SCORED_DATASETS = [
    ("seed FY2021", lambda: SEED_DIR),
    *((folder.name, lambda folder=folder: published_file(folder)) for folder in table_dirs()),
]


@pytest.mark.parametrize("config_name", ["template", "zero policy, no execution"])
@pytest.mark.parametrize("where", SCORED_DATASETS, ids=[name for name, _ in SCORED_DATASETS])
def test_the_row_by_row_scores_agree_with_score_dataset(where, config_name: str) -> None:  # type: ignore[no-untyped-def]
    """The benchmark's reference gives every row the engine's fraction, weight and score, on the
    shipped table and on every published table of the corpus (their printed 分值, execution 20
    or 0, other level weights)."""
    dataset = load_dataset(where[1]())
    config = WEIGHT_CONFIGS.get(config_name) or ScoringConfig.for_template(dataset.template)
    result = score_dataset(dataset, config)
    ind = dataset.indicators.reset_index(drop=True)
    reference = rule_oracle.row_by_row_scores(
        ind, dataset.fiscal_year, config, _execution_weights(dataset)
    )
    for column in ("fraction", "weight_used", "score"):
        assert_same_values(column, result.indicators[column], reference[column])


def test_the_score_benchmark_runs_and_agrees_with_its_references(capsys) -> None:  # type: ignore[no-untyped-def]
    """``bench/score_bench.py`` on a small table: it runs, and every value of every reference
    agrees with the engine (its speed figures are printed, never asserted)."""
    import importlib.util

    from helpers.paths import REPO_ROOT

    spec = importlib.util.spec_from_file_location(
        "score_bench", REPO_ROOT / "bench" / "score_bench.py"
    )
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    bench.main(["--rows", "4000", "--sample", "1000", "--repeats", "1", "--no-csv"])
    out = capsys.readouterr().out
    assert "row fractions, weights, row scores agree with the engine on 100.000%" in out
    assert "PASS: every value identical to the references' (100.000%, 100.000%, 100.000%)" in out
