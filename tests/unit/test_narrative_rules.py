"""The narrative's rules on real tables of other units (issue 9, item 5).

Five datasets come in through the front door (``helpers.evaluation``): a 镇 and two schools from
the corpus of published 自评表, and two small invented CSV folders under
``tests/fixtures/narrative/`` — a 委 that spent 20 % of its budget with every indicator met, and a
供销社 at 82.81 % with paired deviation reasons, a low-execution reason and an unscored project.
Every generated sentence is checked: who speaks, what completion it claims, that reasons stay
with their indicators, and that no English, file path, ``nan`` or ``— 分`` reaches the text.
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

import pandas as pd
import pytest

from helpers import narrative
from helpers.evaluation import Evaluation, evaluate, evaluate_path
from helpers.format import format_score

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
CORPUS = FIXTURES / "corpus"
NARRATIVE = FIXTURES / "narrative"


def corpus_table(folder: str) -> Path:
    return next(p for p in (CORPUS / folder).iterdir() if p.suffix in (".xlsx", ".docx"))


LOADERS = {
    "town": lambda: evaluate_path(corpus_table("01_anhui_tangxi_town")),
    "school": lambda: evaluate_path(corpus_table("04_yunnan_yongde_minglang_school")),
    "school13": lambda: evaluate_path(corpus_table("13_ningxia_yinchuan_no6_school")),
    "low20": lambda: evaluate(2023, "示例县卫生健康委员会", NARRATIVE),
    "coop": lambda: evaluate(2022, "示例县供销合作社联合社", NARRATIVE),
}
SPEAKERS = {"town": "我镇", "school": "我校", "school13": "我校", "low20": "我委", "coop": "我社"}


@dataclass
class Texts:
    """Everything the narrative writes for one dataset."""

    evaluation: Evaluation
    opening: str
    totals: str
    paragraphs: dict[str, str]
    paragraphs_with_threshold: dict[str, str]
    problems: list[str]
    notes: list[str]

    @property
    def projects(self) -> pd.DataFrame:
        return self.evaluation.result.projects

    def project(self, project_id: str) -> pd.Series:
        return self.projects.set_index("project_id").loc[project_id]

    def sentences(self) -> list[str]:
        """The generated text, data notes apart (they may name the data's files)."""
        return [
            self.opening,
            self.totals,
            *self.paragraphs.values(),
            *self.paragraphs_with_threshold.values(),
            *self.problems,
        ]


def write_all(evaluation: Evaluation) -> Texts:
    result, department = evaluation.result, evaluation.dataset.department
    ind = result.indicators
    paragraphs, with_threshold = {}, {}
    for category in result.categories["category"]:
        members = result.projects[result.projects["category"] == category]
        for number, (_, project) in enumerate(members.iterrows(), start=1):
            rows = ind[ind["project_id"] == project["project_id"]]
            pid = project["project_id"]
            paragraphs[pid] = narrative.write_project_paragraph(project, rows, number)
            with_threshold[pid] = narrative.write_project_paragraph(
                project, rows, number, low_execution_pct=result.config.low_execution_pct
            )
    return Texts(
        evaluation,
        narrative.write_opening(department),
        narrative.write_totals_sentence(result, department),
        paragraphs,
        with_threshold,
        narrative.write_problem_items(result),
        narrative.write_data_notes(result),
    )


@pytest.fixture(scope="module")
def texts() -> dict[str, Texts]:
    return {key: write_all(load()) for key, load in LOADERS.items()}


def ascii_in_data(evaluation: Evaluation) -> list[str]:
    """Data values that themselves contain ASCII letters or a slash (allowed to be quoted)."""
    values: list[str] = []
    for frame in (evaluation.result.projects, evaluation.result.indicators):
        for column in ("name", "target", "actual", "outcome", "deviation_reason"):
            if column in frame:
                values += [
                    narrative.tidy(v)
                    for v in frame[column].dropna()
                    if re.search(r"[A-Za-z/]", str(v))
                ]
    department = evaluation.dataset.department
    values += [t for t in (department.name, department.display_name) if re.search(r"[A-Za-z/]", t)]
    return sorted(values, key=len, reverse=True)


# ----------------------------------------------------------------------------- rule 1


@pytest.mark.parametrize("key", sorted(LOADERS))
def test_the_unit_speaks_for_itself_never_as_the_seeds_bureau(texts, key):
    t = texts[key]
    speaker = SPEAKERS[key]
    assert speaker in t.opening and t.totals.startswith(
        f"{t.evaluation.dataset.fiscal_year}年{speaker}"
    )
    for sentence in [*t.sentences(), *t.notes]:
        assert "我局" not in sentence, sentence


def test_no_string_in_the_narrative_code_hard_codes_a_self_reference():
    source = Path(narrative.__file__).read_text("utf-8")
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.ClassDef))
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    literals = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant)
        and isinstance(node.value, str)
        and id(node) not in docstrings
    ]
    assert literals, "the module has string literals to check"
    for speaker in ("我局", "我委", "我镇", "我校", "本局"):
        assert not [s for s in literals if speaker in s], speaker


# ----------------------------------------------------------------------------- rules 7 and 8


@pytest.mark.parametrize("key", sorted(LOADERS))
def test_no_english_no_paths_no_nan_no_dash_scores(texts, key):
    t = texts[key]
    allowed = ascii_in_data(t.evaluation)
    for sentence in t.sentences():
        assert "— 分" not in sentence and "—分" not in sentence, sentence
        assert "nan" not in sentence.lower() and "None" not in sentence, sentence
        bare = sentence
        for value in allowed:
            bare = bare.replace(value, "")
        assert not re.search(r"[A-Za-z]", bare), sentence
        assert "/" not in bare and "\\" not in bare, sentence


@pytest.mark.parametrize("key", sorted(LOADERS))
def test_scores_are_stated_only_where_there_is_one(texts, key):
    t = texts[key]
    for pid, paragraph in t.paragraphs.items():
        score = t.project(pid)["score"]
        if pd.isna(score):
            assert "自评得分" not in paragraph and "等级" not in paragraph, paragraph
            assert "未计算得分" in paragraph
        else:
            assert f"自评得分{format_score(score)}分" in paragraph


def test_an_unscored_project_reads_naturally(texts):
    t = texts["coop"]
    gx03 = t.paragraphs["GX03"]
    assert pd.isna(t.project("GX03")["score"])
    assert "该项目未设置可评分的绩效指标，未计算得分。" in gx03
    assert "维修网点数量预期≥3个，未填报实际完成值" in gx03
    assert "全部完成" not in gx03
    assert "基层社网点维修项目：未设置可评分的绩效指标，未计算得分。" in t.problems


def test_a_project_without_execution_data_says_why_it_has_no_score(seed_result):
    projects = seed_result.projects
    jg01 = projects[projects["project_id"] == "JG01"].iloc[0]
    assert pd.isna(jg01["score"]) and pd.isna(jg01["execution_rate_pct"])
    ind = seed_result.indicators
    text = narrative.write_project_paragraph(jg01, ind[ind["project_id"] == "JG01"], 1)
    assert "因缺少预算执行数据，未计算得分。" in text and "— 分" not in text


# ----------------------------------------------------------------------------- rule 2

CLAIMS = ("全部完成", "基本完成", "均已完成", "圆满完成")


def test_twenty_percent_execution_is_never_completion(texts):
    t = texts["low20"]
    result = t.evaluation.result
    assert result.department["execution_rate_pct"] == 20.0
    assert result.department["n_unmet"] == 0  # every indicator is met
    assert t.evaluation.dataset.department.sections.conclusion == "年初既定绩效目标基本完成"
    assert "预算执行率仅为20%" in t.totals and "未能如期完成" in t.totals
    # Every indicator is met: said, with the money unspent, never as completion of the goals.
    assert "各项绩效指标虽均已完成，但资金未按计划支出，年初既定绩效目标未能如期完成" in t.totals
    for claim in ("全部完成", "基本完成", "达到20%"):
        assert claim not in t.totals, t.totals
    for pid, paragraph in t.paragraphs.items():
        assert "预期绩效目标全部完成" not in paragraph and "基本完成" not in paragraph
        assert "预算执行率为20%" in paragraph and "达到20%" not in paragraph
        assert "绩效指标均已完成，但预算执行率偏低" in paragraph, pid
        assert "预算执行率低于90%" in t.paragraphs_with_threshold[pid]


def test_the_stated_conclusion_is_kept_when_the_data_support_it(seed_result, seed_dataset):
    department = seed_dataset.department
    assert department.sections.conclusion == "年初既定绩效目标基本完成"
    assert narrative.write_totals_sentence(seed_result, department).endswith(
        "预算执行率达到99.97%，年初既定绩效目标基本完成。"
    )
    claims_all = department.model_copy(
        update={
            "sections": department.sections.model_copy(update={"conclusion": "圆满完成全部目标"})
        }
    )
    # 2 unmet indicators: "全部完成" is more than the results support
    assert narrative.overall_conclusion(seed_result, claims_all) == "年初既定绩效目标基本完成"


def test_no_actual_values_is_said_not_claimed(make_dataset):
    from helpers.scoring import score_dataset

    department = "name: 某某街道办事处\nfiscal_year: 2022\nbudget_wan: 100\nspent_wan: 100\n"
    dataset = make_dataset(
        [{}],
        [{"target": "≥5个", "actual": ""}, {"target": "≥90%", "actual": "", "level1": "满意度"}],
        department=department,
    )
    result = score_dataset(dataset)
    totals = narrative.write_totals_sentence(result, dataset.department)
    assert "我街道" in totals and "未填报实际完成值" in totals
    paragraph = narrative.write_project_paragraph(result.projects.iloc[0], result.indicators, 1)
    assert "各项指标均未填报实际完成值，无法判断绩效目标完成情况。" in paragraph
    for text in (totals, paragraph):
        assert not any(claim in text for claim in CLAIMS), text


def test_some_actual_values_missing_limits_the_claim(make_dataset):
    from helpers.scoring import score_dataset

    dataset = make_dataset(
        [{}], [{"target": "≥5个", "actual": "6个"}, {"target": "≥3次", "actual": ""}]
    )
    result = score_dataset(dataset)
    totals = narrative.write_totals_sentence(result, dataset.department)
    assert "年初既定绩效目标全部完成" not in totals and "另有1项指标未填报实际完成值" in totals
    paragraph = narrative.write_project_paragraph(result.projects.iloc[0], result.indicators, 1)
    assert "指标2预期≥3次，未填报实际完成值" in paragraph
    assert "其余预期绩效目标全部完成。" in paragraph


@pytest.mark.parametrize("key", sorted(LOADERS))
def test_every_completion_claim_is_backed_by_the_data(texts, key):
    t = texts[key]
    result = t.evaluation.result
    threshold = result.config.low_execution_pct
    dept = result.department
    stated = t.totals.replace("各项绩效指标虽均已完成，但", "")  # indicators met, goals not
    if any(claim in stated for claim in CLAIMS):
        judged = dept["n_met"] + dept["n_near_met"] + dept["n_unmet"]
        assert dept["execution_rate_pct"] >= threshold and dept["n_unmet"] * 3 <= judged
    if "年初既定绩效目标全部完成" in t.totals:
        assert dept["n_unmet"] == 0 and dept["n_near_met"] == 0
    ind = result.indicators
    for pid, paragraph in t.paragraphs.items():
        project = t.project(pid)
        rows = ind[ind["project_id"] == pid]
        if "预期绩效目标全部完成" in paragraph:
            assert project["n_unmet"] == 0 and project["n_near_met"] == 0
            assert not project["is_low_execution"]
            no_actual = rows["actual"].isna() & rows["target"].notna()
            assert not no_actual.any() or "其余预期绩效目标全部完成" in paragraph
        if project["is_low_execution"]:
            assert (
                "全部完成" not in paragraph
                and "达到" + f"{project['execution_rate_pct']:g}%" not in paragraph
            )


def test_a_near_miss_is_not_full_completion(texts):
    t = texts["school"]
    assert t.evaluation.result.department["n_near_met"] == 1
    assert "年初既定绩效目标基本完成" in t.totals
    (paragraph,) = t.paragraphs.values()
    assert "政策知晓率（目标100%，实际98%）接近目标但未完全达到，其余目标均已完成。" in paragraph
    assert "预期绩效目标全部完成" not in paragraph
    assert any(
        i.startswith("义务教育营养改善计划专项资金：政策知晓率接近目标但未完全达到")
        for i in t.problems
    )


def test_unjudgeable_indicators_are_named_not_counted_as_done(texts):
    t = texts["school13"]
    (paragraph,) = t.paragraphs.values()
    assert "完整性：目标明确、内容细化、目标量化" in paragraph  # a dash target is no target
    assert "预期目标—" not in paragraph and "预期目标-" not in paragraph
    assert "无法按规则判断完成情况，其分值未计入得分，其余预期绩效目标全部完成。" in paragraph
    assert "自评得分71分（满分90分），等级为“中”。" in paragraph
    assert "另有6项指标无法按规则评价" in t.totals


def test_points_below_100_are_stated_with_the_score(texts):
    t = texts["town"]
    assert "自评得分90分（满分90分），等级为“优”。" in t.paragraphs["P01"]
    assert "自评得分80分（满分80分），等级为“良”。" in t.paragraphs["P02"]


# ----------------------------------------------------------------------------- rule 3

REASONS = {
    "新建村级电商服务站": "两个行政村选址调整，用地审批尚未完成",
    "培训农民人次": "受汛期影响，两期培训延至次年举办",
}


def test_each_deviation_reason_stays_with_its_indicator_in_the_paragraph(texts):
    paragraph = texts["coop"].paragraphs["GX01"]
    (first, first_reason), (second, second_reason) = REASONS.items()
    for reason in REASONS.values():
        assert paragraph.count(reason) == 1, paragraph
    # name, its reason, the next name, its reason: each reason follows its own indicator
    start = paragraph.index("预期绩效目标中")
    assert (
        paragraph.index(first, start)
        < paragraph.index(first_reason)
        < paragraph.index(second, paragraph.index(first_reason))
        < paragraph.index(second_reason)
    )
    assert f"{first}（目标≥10个，实际6个）未完成，原因是{first_reason}；" in paragraph
    assert f"{second}（目标≥500人次，实际300人次）未完成，原因是{second_reason}。" in paragraph
    assert "原因均为" not in paragraph


def test_each_deviation_reason_stays_with_its_indicator_in_the_problems(texts):
    problems = texts["coop"].problems
    for name, reason in REASONS.items():
        (item,) = [i for i in problems if f"：{name}未完成" in i]
        assert item.endswith(f"偏差原因：{reason}。")
        assert all(other not in item for other in REASONS.values() if other != reason)


def test_a_shared_reason_is_said_once_and_a_missing_one_is_not_borrowed(score_project):
    result = score_project(
        [
            {"target": "≥10个", "actual": "5个", "deviation_reason": "资金到位较晚"},
            {"target": "≥10次", "actual": "4次", "deviation_reason": "资金到位较晚"},
            {"target": "≥10人", "actual": "3人"},
        ]
    )
    text = narrative.write_project_paragraph(result.projects.iloc[0], result.indicators, 1)
    assert (
        "指标1（目标≥10个，实际5个）、指标2（目标≥10次，实际4次）未完成，原因均为资金到位较晚"
        in text
    )
    assert "指标3（目标≥10人，实际3人）未完成，未说明原因。" in text
    items = narrative.write_problem_items(result)
    assert [i for i in items if "指标3" in i] == [
        "测试项目：指标3未完成，目标≥10人，实际3人，未说明偏差原因。"
    ]


# ----------------------------------------------------------------------------- rule 4


def test_low_execution_with_a_reason(texts):
    t = texts["coop"]
    assert t.project("GX01")["execution_rate_pct"] == 82.81
    reason = "部分站点装修工程尚未竣工验收，尾款未支付"
    paragraph = t.paragraphs_with_threshold["GX01"]
    assert "实际支出165.62万元，预算执行率为82.81%" in paragraph
    assert f"预算执行率低于90%，原因是{reason}。" in paragraph
    assert f"预算执行率偏低，原因是{reason}。" in t.paragraphs["GX01"]
    assert f"农村电商服务体系建设项目：预算执行率82.81%，低于90%，原因是{reason}。" in t.problems


def test_low_execution_without_a_reason_is_not_a_full_success(texts):
    t = texts["coop"]
    gx02 = t.paragraphs["GX02"]
    assert t.project("GX02")["n_unmet"] == 0 and t.project("GX02")["execution_rate_pct"] == 82.81
    assert "预算执行率为82.81%" in gx02 and "达到82.81%" not in gx02
    assert "各项绩效指标均已完成，但预算执行率偏低，未说明原因。" in gx02
    assert "全部完成" not in gx02
    assert "化肥淡季储备项目：预算执行率82.81%，低于90%，未说明原因。" in t.problems
    assert "预算执行率为82.81%，未达到90%，年初既定绩效目标部分完成。" in t.totals
    low20 = texts["low20"]
    assert "家庭医生签约服务项目：预算执行率20%，低于90%，未说明原因。" in low20.problems
    assert any(
        i.startswith("基层医疗机构设备购置项目：预算执行率20%，低于90%，原因是设备采购招标")
        for i in low20.problems
    )


# ----------------------------------------------------------------------------- rule 5


@pytest.mark.parametrize(
    ("title", "word"),
    [
        ("三、存在问题及原因", "问题"),
        ("problems", "问题"),
        ("四、下步工作思路和工作建议", "建议"),
        ("next_steps", "建议"),
        ("二、工作进展成效", "项目"),
        ("progress", "项目"),
        ("一、组织开展情况", "组织"),
        ("附件1 风险提示", "风险"),
        ("附件2 项目支出绩效自评表", "自评表"),
        ("其他事项", "暂无"),
    ],
)
def test_an_empty_section_gets_a_sentence_that_says_so(title, word):
    sentence = narrative.write_empty_section(title)
    assert word in sentence and sentence.endswith("。")
    assert not re.search(r"[A-Za-z<>/]", sentence)


def test_the_empty_problems_section_sentence():
    assert narrative.write_empty_section("三、存在问题及原因") == (
        "经对照绩效目标逐项检查，本年度未发现需要说明的问题。"
    )
    kinds = [
        "三、存在问题及原因",
        "四、下步工作思路和工作建议",
        "二、工作进展成效",
        "一、组织开展情况",
    ]
    assert len({narrative.write_empty_section(k) for k in kinds}) == len(kinds)


# ----------------------------------------------------------------------------- rule 6

FILE_NAME = re.compile(r"[^\s，：；“”「」]+\.(?:xlsx|xlsm|xls|docx|csv|yaml)")
QUOTED = re.compile(r"“[^”]*”")


def assert_chinese_notes(notes: list[str]) -> None:
    for note in notes:
        assert "/" not in note and "\\" not in note, note
        bare = QUOTED.sub("", FILE_NAME.sub("", note))
        assert not re.search(r"[A-Za-z]{2,}", bare), note
        assert "Warning" not in note and "Traceback" not in note and "row " not in note
        assert note.endswith(("。", "？")), note


SYNTHETIC_WARNINGS = [
    "/home/analyst/数据/2022/某镇/department.yaml 不是 UTF-8 编码，已按 GB18030（简体中文 Windows 版 Excel "
    "的默认编码）读取。 / /home/analyst/数据/2022/某镇/department.yaml is not UTF-8; read as GB18030.",
    "[/home/analyst/数据/2022/某镇/indicators.csv 第 7 行，列 weight] 值 “P01: 80”：项目指标分值合计加预算执行率 "
    "10 分应为 100 分（现为 90 分）。 / [/home/analyst/数据/2022/某镇/indicators.csv row 7, column weight] "
    'value "P01: 80": the project\'s weights plus 10 for the execution rate must total 100 (they total '
    "90).（按表中分值计分）",
    r"C:\Users\analyst\Desktop\自评表\某镇2022年度自评表.xlsx 工作表「项目1」C7：年度资金总额为0，按其中各项合计 90 万元"
    "计算。 / the total was 0; the sum of its parts (90) is used.",
    "某镇2022年度自评表.xlsx 工作表「项目2」A3：未找到项目资金表头（年初预算数/全年预算数/全年执行数）。 / no 项目资金 "
    "header found.",
    "[/srv/data/2022/某镇/projects.csv] 项目类别“农业”不在 department.yaml 的 categories 中 / category "
    '"农业" is not declared in department.yaml',
    "/usr/lib/python3/dist-packages/openpyxl/reader/excel.py:123: UserWarning: Data Validation "
    "extension is not supported and will be removed",
    "DeprecationWarning: datetime.utcnow() is deprecated",
    "[/srv/data/2022/某镇/projects.csv] 未知列“执行进度”已忽略，是否应为“spent_wan”？（见 docs/data-format.md）。"
    ' / unknown column "执行进度" ignored; did you mean "spent_wan"?',
]


def test_data_notes_are_chinese_without_paths_or_python_warnings():
    notes = narrative.write_data_notes(SimpleNamespace(warnings=SYNTHETIC_WARNINGS * 2))
    assert_chinese_notes(notes)
    assert len(notes) == 6  # the two Python warnings dropped, duplicates said once
    encoding, weight, total, header, category, column = notes
    assert encoding.startswith("部门信息表不是通用文本编码")
    assert weight.startswith("指标表第7行，“分值”列，值“P01: 80”")
    assert weight.endswith("应为100分（现为90分），按表中分值计分。")
    assert (
        total
        == "某镇2022年度自评表.xlsx 工作表「项目1」C7：年度资金总额为0，按其中各项合计90万元计算。"
    )
    assert "（年初预算数、全年预算数、全年执行数）" in header
    assert category == "项目表：项目类别“农业”不在部门信息表的项目类别清单中。"
    assert "是否应为“全年执行数（万元）”" in column and "（见数据格式说明）" in column
    assert narrative.write_data_notes(SimpleNamespace(warnings=[])) == []


@pytest.mark.parametrize("key", sorted(LOADERS))
def test_data_notes_of_real_tables(texts, key):
    t = texts[key]
    assert len(t.notes) == len(set(t.notes))
    assert_chinese_notes(t.notes)
    if t.evaluation.result.warnings:
        assert t.notes


def test_data_notes_from_warnings_that_name_absolute_paths(write_folder):
    folder = write_folder(
        [{"spent_wan": "120"}],
        [{"target": "≥1个", "actual": "1个"}],
        department="name: 某某镇人民政府\nfiscal_year: 2022\nbudget_wan: 100\nspent_wan: 120\n",
    )
    yaml_file = folder / "department.yaml"
    yaml_file.write_bytes(yaml_file.read_text("utf-8").encode("gb18030"))
    evaluation = evaluate_path(folder)
    warnings = evaluation.result.warnings
    assert any(str(folder) in w for w in warnings) and any(" / " in w for w in warnings)
    notes = narrative.write_data_notes(evaluation.result)
    assert_chinese_notes(notes)
    assert len(notes) == len(warnings)
    assert any("超过预算" in n for n in notes) and any("简体中文编码" in n for n in notes)
