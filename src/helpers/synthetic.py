"""A synthetic district: every department's self-evaluation data, realistic and reproducible.

A finance bureau receives one self-evaluation (自评) per department and year. This module makes
such a district out of thin air, for the shipped second example (``data/district``), for tests
and for benchmarks at scale: :func:`make_district` returns one :class:`DatasetSpec` per department
and year, :func:`write_district` writes them in jixiao's CSV folder layout
(``<folder>/<year>/<department>/department.yaml``, ``projects.csv``, ``indicators.csv``; see
docs/data-format.md). Everything is deterministic for a seed: the same arguments give the same
bytes.

What a district holds:

- **Units of every kind**, each of a county (明川县, 青岚县 … all invented): 局, 委, 镇人民政府,
  街道办事处, 中学, 小学, 供销合作社联合社, 中心. The first six of a county are always a 局, a 委,
  a 镇, a 中学, a 供销社 and a 街道. Each kind has its own projects, categories and indicators
  (产出: 数量 / 质量 / 时效 / 成本; 效益: 经济 / 社会 / 生态效益, 可持续影响; 满意度).
- **Targets and actuals written the ways real tables write them**: ``≥95%``, ``不低于90%``,
  ``2000人次以上``, ``12月底前``, ``2021年6月30日前``, ``零投诉``, ``≤50万元``, ``控制在2%以内``,
  ``≤5个工作日``, ``≥1.5亿元``, ``显著改善`` …; actuals ``2150人次``, ``2000余人次``, ``98.6%``,
  ``2021年11月``, ``按期完成``, ``未发生``, ``有所改善`` ….
- **Outcomes as real data have them**: most indicators met; some unmet or nearly met, most with a
  deviation reason (偏差原因), some without; count targets exceeded by 130 % or more; missing
  actuals and missing targets (a satisfaction survey without a target); execution rates mostly
  90–100 %, a few low ones with or without a reason (执行率偏低原因), one around 20 %.
- **Budgets in 万元** with up to 4 decimals (amounts are whole 元), in-year adjustments
  (年初预算 ≠ 全年预算) and department totals with basic expenditure (基本支出).
- **Printed self-scores**: some departments publish 分值 and 得分 as a 自评表 does (indicator
  weights and scores, execution score, project total), computed by the rules of
  :mod:`helpers.scoring` except a few projects scored higher than the rules give; one department
  scores every project 100.
- **Plants for the review of self-evaluations (自评复核)**: a deviation reason copied verbatim
  from another department, a 存在问题 paragraph copied from another department, a cost indicator
  written as ``≥``.
- **Years**: the earlier years hold the same departments with mostly the same projects (same
  project codes; a few renamed, a few new or dropped) and other values, for year-over-year views.
- **Layout variety**: a few departments with Chinese column headers, a 指标方向 column, only a
  stated execution rate, the 20-point execution template (云南 / 湖北), goals (年度总体目标),
  主管部门 / 实施单位.

Each spec records what was planted in :attr:`DatasetSpec.features` (and, in Chinese, in the
``notes`` of its ``department.yaml``), so tests and benchmarks can check the rules find them.

Example:
    >>> specs = make_district(3, (2, 3), seed=7, years=(2021,))
    >>> [(s.name, len(s.projects)) for s in specs]
    [('桐溪县供销合作社联合社', 3), ('桐溪县第三中学', 2), ('桐溪县马沟镇人民政府', 3)]
    >>> specs[0].projects[0]["name"], specs[0].projects[0]["budget_wan"]
    ('化肥淡季商业储备项目', '158')
    >>> specs == make_district(3, (2, 3), seed=7, years=(2021,))
    True
"""

from __future__ import annotations

import calendar
import csv
import dataclasses
import io
import json
import math
import random
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

from helpers import schema

__all__ = [
    "FEATURE_LABELS",
    "DatasetSpec",
    "DistrictOptions",
    "make_district",
    "write_dataset",
    "write_district",
]

_SALT = "jixiao-synthetic-district"
"""Salt of every random stream (a seed and a purpose make one stream)."""

# --------------------------------------------------------------------------------------------
# The catalogue: projects and indicators of each kind of unit
# --------------------------------------------------------------------------------------------

_CATALOGUE_TEXT = """
# One block per kind of unit. "@" declares a category (name, code, heading); "+" a project
# (category|name|beneficiary|effect, optionally |name in earlier years); indented lines its
# indicators (level2|name|kind|arguments).
[agri]
@农业生产 NS 农业生产发展方面
@乡村建设 XC 乡村建设方面
@农民培训 PX 农民教育培训方面
+农业生产|高标准农田建设项目|项目区农户|提升了项目区耕地质量和粮食综合生产能力|高标准农田建设工程项目
 数量|新建高标准农田面积|n|亩|3000|20000
 质量|工程验收合格率|pct|95
 成本|亩均建设成本|ucost|元/亩|1500|3000
 经济效益|项目区粮食亩均增产|n|公斤|30|80
 可持续影响|工程设计使用年限|n|年|10|15
+农业生产|农作物病虫害统防统治项目|种植户|有效控制了重大病虫害发生蔓延
 数量|统防统治面积|n|万亩|2|20
 质量|重大病虫害防治处置率|pct|90
 时效|防治作业完成时间|date
 经济效益|病虫害危害损失率|pctle|5
+乡村建设|农村人居环境整治项目|农村群众|明显改善了村庄环境面貌
 数量|改造农村户厕|n|座|200|1500
 数量|整治提升村庄|n|个|5|30
 质量|户厕改造验收合格率|pct|95
 生态效益|村庄环境卫生状况|q|明显改善
+农民培训|高素质农民培育项目|参训农民|提高了农民生产经营能力
 数量|培育高素质农民|n|人|100|600
 质量|培训考核合格率|pct|90
 社会效益|农民种养技术水平|q|有效提升
+农业生产|耕地地力保护补贴发放项目|种粮农户|保障了种粮农民收益|耕地地力保护补贴项目
 数量|补贴发放面积|n|万亩|5|40
 质量|补贴资金发放准确率|pct|100
 时效|补贴资金发放时间|date
 社会效益|农民种粮积极性|q|进一步提高
+乡村建设|畜禽粪污资源化利用项目|规模养殖场户|推动了畜禽粪污资源化利用
 数量|建设粪污处理设施|n|处|10|60
 生态效益|畜禽粪污综合利用率|pct|80
 可持续影响|设施长效运行管护机制|q|逐步完善
[edu]
@学生资助 ZZ 学生资助方面
@教育发展 JF 教育事业发展方面
@体育事业 TY 全民健身和体育事业方面
+学生资助|家庭经济困难学生资助项目|受助学生家长|保障了家庭经济困难学生顺利就学
 数量|资助学生人次|n|人次|1000|8000
 质量|资助对象识别准确率|pct|100
 时效|资助资金发放时间|date
 社会效益|因贫失学辍学学生|zero|0人|0人
+教育发展|中小学校舍维修改造项目|学校师生|改善了学校办学条件
 数量|维修改造校舍面积|n|平方米|2000|20000
 质量|工程验收合格率|pct|95
 时效|工程完工时间|date
 可持续影响|办学条件|q|持续改善
+教育发展|中小学教师培训项目|参训教师|提高了教师教育教学能力|教师继续教育培训项目
 数量|培训教师人次|n|人次|300|3000
 质量|培训合格率|pct|95
 社会效益|教师教育教学能力|q|明显提高
+体育事业|全民健身设施建设项目|健身群众|方便了群众就近健身
 数量|新建更新健身路径|n|套|10|60
 质量|器材安装验收合格率|pct|100
 社会效益|群众健身参与度|q|进一步提高
+教育发展|学前教育发展补助项目|幼儿家长|扩大了普惠性学前教育资源
 数量|补助普惠性幼儿园|n|所|5|30
 社会效益|学前三年毛入园率|pct|90
 可持续影响|普惠性学前教育保障机制|q|逐步完善
[civil]
@社会救助 JZ 社会救助方面
@养老服务 YL 养老服务方面
@社会事务 SW 社会事务方面
+社会救助|城乡最低生活保障项目|低保对象|保障了困难群众基本生活
 数量|保障城乡低保对象|n|人|2000|15000
 质量|低保对象认定准确率|pct|98
 时效|低保资金发放时间|date
 社会效益|困难群众基本生活|q|有效保障
+社会救助|特困人员救助供养项目|特困供养人员|保障了特困人员基本生活|特困人员供养项目
 数量|救助供养特困人员|n|人|200|2000
 质量|集中供养机构安全事故|zero|无安全事故/零事故|未发生/0起
 社会效益|特困人员生活质量|q|明显提高
+养老服务|居家和社区养老服务项目|服务老人|提升了居家和社区养老服务水平
 数量|建设社区养老服务站|n|个|3|20
 数量|提供上门服务|n|人次|2000|20000
 质量|服务规范达标率|pct|90
 可持续影响|养老服务体系|q|逐步健全
+社会事务|困难残疾人生活补贴和重度残疾人护理补贴项目|受补贴残疾人|减轻了残疾人家庭负担
 数量|发放补贴人次|n|人次|3000|20000
 质量|补贴发放准确率|pct|100
 时效|补贴资金发放时间|date
 社会效益|残疾人基本生活|q|有效保障
+社会事务|惠民殡葬项目|办理丧事群众|推动了殡葬移风易俗
 数量|享受惠民殡葬减免|n|人次|300|3000
 质量|火化率|pct|90
 社会效益|群众殡葬负担|q|明显减轻
[culture]
@公共文化 GW 公共文化服务方面
@文物保护 WB 文物保护方面
@文化旅游 LY 文化旅游发展方面
+公共文化|送戏下乡文化惠民项目|观看群众|丰富了基层群众文化生活
 数量|送戏下乡演出场次|n|场|30|200
 数量|惠及群众|n|人次|5000|50000
 质量|演出节目审查合格率|pct|100
 社会效益|群众文化生活|q|明显丰富
+公共文化|公共文化场馆免费开放项目|场馆读者和观众|保障了公共文化场馆免费开放
 数量|场馆接待群众|n|人次|10000|150000
 数量|举办公益讲座和展览|n|场|10|80
 时效|场馆每周开放时间|n|小时|42|56
 社会效益|公共文化服务效能|q|有效提升
+文物保护|文物保护单位维修保护项目|周边群众|改善了文物保护单位的保存状况
 数量|维修文物保护单位|n|处|1|6
 质量|维修工程验收合格率|pct|100
 时效|工程完工时间|date
 可持续影响|文物安全状况|q|持续改善
+文化旅游|旅游宣传推介项目|游客|提升了本地旅游知名度
 数量|参加旅游推介活动|n|场|3|20
 数量|新媒体宣传推送|n|条|100|1000
 经济效益|接待游客人次增长率|pct|8
 社会效益|旅游品牌影响力|q|明显提升
+公共文化|农家书屋出版物补充更新项目|农村读者|丰富了农村群众精神文化生活
 数量|补充更新出版物|n|册|5000|40000
 数量|覆盖农家书屋|n|个|50|300
 社会效益|农村群众阅读条件|q|有效改善
[housing]
@城市建设 CS 城市建设方面
@住房保障 ZF 住房保障方面
@村镇建设 CZ 村镇建设方面
+城市建设|城镇老旧小区改造项目|小区居民|改善了老旧小区居住条件
 数量|改造老旧小区|n|个|5|40
 数量|惠及居民|n|户|500|6000
 质量|工程验收合格率|pct|100
 时效|工程完工时间|date
 社会效益|居民居住环境|q|明显改善
+住房保障|公租房维修和运营管理项目|公租房住户|保障了住房困难群众住房需求
 数量|维修公租房|n|套|50|600
 质量|住户入住率|pct|90
 社会效益|住房困难群众居住条件|q|有效改善
+村镇建设|农村危房改造项目|改造农户|保障了农村低收入群体住房安全
 数量|完成农村危房改造|n|户|30|300
 质量|改造后房屋安全鉴定合格率|pct|100
 时效|改造任务完成时间|date
 社会效益|农村低收入群体住房安全|q|有效保障
+城市建设|市政道路和照明设施维护项目|城区居民|保障了市政设施正常运行|市政设施维护项目
 数量|维修市政道路|n|平方米|5000|60000
 数量|维修更换路灯|n|盏|100|1500
 质量|路灯亮灯率|pct|98
 社会效益|城市运行安全|q|有效保障
+城市建设|城镇燃气安全隐患排查整治项目|燃气用户|消除了燃气安全隐患
 数量|排查燃气用户|n|户|5000|60000
 质量|隐患整改完成率|pct|100
 社会效益|燃气安全事故|zero|无燃气安全事故/零事故|未发生/0起
[transport]
@公路养护 GY 公路养护方面
@运输服务 YS 运输服务方面
+公路养护|农村公路养护项目|沿线群众|保障了农村公路安全畅通
 数量|养护农村公路里程|n|公里|100|900
 质量|公路优良中等路率|pct|80
 社会效益|群众出行条件|q|明显改善
+公路养护|危桥改造项目|沿线群众|消除了桥梁安全隐患
 数量|改造危桥|n|座|2|12
 质量|工程交工验收合格率|pct|100
 时效|改造工程完工时间|date
 社会效益|道路交通安全事故|zero|无安全事故/零事故|未发生/0起
+运输服务|城乡客运补贴项目|乘车群众|保障了城乡客运稳定运行
 数量|补贴客运车辆|n|辆|30|300
 质量|建制村通客车率|pct|100
 社会效益|城乡群众出行便捷度|q|明显提高
+运输服务|公交车辆更新项目|乘车群众|提升了公交服务水平
 数量|更新新能源公交车|n|辆|5|40
 质量|车辆验收合格率|pct|100
 生态效益|公交车辆新能源化比例|pct|60
[water]
@水利工程 GC 水利工程建设方面
@农村供水 GS 农村供水保障方面
@河湖管护 HH 河湖管护方面
+水利工程|中小河流治理项目|沿河群众|提高了河道防洪能力
 数量|治理河道长度|n|公里|3|30
 质量|工程验收合格率|pct|100
 时效|主体工程完工时间|date
 社会效益|防洪保护人口|n|人|5000|60000
+农村供水|农村饮水安全巩固提升项目|受益群众|保障了农村群众饮水安全
 数量|改造提升供水工程|n|处|5|40
 数量|受益人口|n|人|3000|50000
 质量|农村自来水普及率|pct|90
 社会效益|农村供水保障水平|q|明显提升
+水利工程|小型水库除险加固项目|下游群众|消除了水库安全隐患
 数量|除险加固小型水库|n|座|1|8
 质量|工程验收合格率|pct|100
 可持续影响|水库安全运行|q|有效保障
+河湖管护|河湖长制工作经费项目|沿河群众|改善了河湖水环境
 数量|开展河湖巡查|n|次|200|2000
 数量|清理河道垃圾|n|吨|50|600
 生态效益|河湖水质达标率|pct|85
[hr]
@就业创业 JY 就业创业方面
@职业培训 ZP 职业技能培训方面
@劳动保障 LB 劳动保障方面
+职业培训|职业技能提升培训项目|参训人员|提高了劳动者就业技能|职业技能培训补贴项目
 数量|开展职业技能培训|n|人次|500|6000
 质量|培训取证率|pct|80
 社会效益|培训后就业率|pct|60
+就业创业|就业创业补贴项目|补贴对象|促进了重点群体就业创业
 数量|发放就业创业补贴|n|人次|200|3000
 数量|新增城镇就业|n|人|1000|8000
 质量|补贴发放准确率|pct|100
 经济效益|城镇登记失业率|pctle|4
+劳动保障|根治欠薪专项行动项目|农民工|维护了农民工合法权益
 数量|检查用人单位|n|户|100|1000
 质量|欠薪案件结案率|pct|95
 社会效益|因欠薪引发的群体性事件|zero|无群体性事件/零事件|未发生/0起
+就业创业|公益性岗位补贴项目|公益性岗位人员|帮助了就业困难人员稳定就业
 数量|开发公益性岗位|n|个|50|600
 质量|岗位人员在岗率|pct|95
 社会效益|就业困难人员就业|q|有效保障
[market]
@食品安全 SP 食品药品安全方面
@质量监管 ZL 质量安全监管方面
@市场秩序 SC 市场秩序方面
+食品安全|食品安全抽检监测项目|消费者|守住了食品安全底线
 数量|完成食品安全抽检|n|批次|500|4000
 质量|抽检不合格食品核查处置率|pct|100
 社会效益|食品安全事故|zero|无重大食品安全事故/零事故|未发生/0起
+质量监管|特种设备安全监察项目|设备使用单位|保障了特种设备安全运行
 数量|检查特种设备|n|台|300|3000
 质量|特种设备定期检验率|pct|98
 社会效益|特种设备安全事故|zero|无特种设备安全事故/零事故|未发生/0起
+市场秩序|消费者权益保护项目|消费者|维护了消费者合法权益
 数量|受理消费者投诉举报|n|件|300|3000
 质量|投诉举报按时办结率|pct|95
 时效|投诉处理时限|days|7|天
 经济效益|为消费者挽回经济损失|money|20|200
+质量监管|知识产权培育项目|企业|提升了企业知识产权创造运用能力
 数量|新增发明专利|n|件|20|200
 数量|培育知识产权优势企业|n|家|3|20
 经济效益|专利质押融资金额|money|500|5000
[emergency]
@安全生产 AQ 安全生产方面
@应急救援 YJ 应急救援保障方面
+安全生产|安全生产监督检查项目|企业|压实了企业安全生产主体责任
 数量|检查生产经营单位|n|家|200|2000
 质量|重大隐患整改率|pct|100
 社会效益|较大以上生产安全事故|zero|无较大以上安全事故/零事故|未发生/0起
+应急救援|应急物资储备项目|受灾群众|提高了应急物资保障能力
 数量|储备救灾物资|n|件|2000|20000
 质量|物资入库验收合格率|pct|100
 时效|物资调拨到位时间|days|24|小时
 社会效益|应急保障能力|q|明显增强
+应急救援|防汛抗旱应急演练项目|参演人员和群众|提升了防汛抗旱应急处置能力
 数量|组织应急演练|n|次|3|20
 数量|参演人员|n|人次|200|2000
 社会效益|群众防灾避险意识|q|明显提高
+安全生产|安全生产宣传培训项目|企业从业人员|增强了从业人员安全意识
 数量|培训企业从业人员|n|人次|500|5000
 数量|发放宣传资料|n|份|5000|40000
 社会效益|从业人员安全知识知晓率|pct|85
[land]
@国土空间 GT 国土空间规划方面
@自然资源 ZY 自然资源管理方面
+国土空间|国土空间总体规划编制项目|规划使用单位|为国土空间开发保护提供了依据
 数量|完成规划成果|n|项|1|5
 质量|规划成果专家评审通过率|pct|100
 时效|规划成果提交时间|date
 可持续影响|国土空间开发保护格局|q|逐步优化
+自然资源|地质灾害防治项目|隐患点周边群众|保障了人民群众生命财产安全
 数量|排查地质灾害隐患点|n|处|50|500
 数量|安装监测预警设备|n|台|10|80
 社会效益|地质灾害造成人员伤亡|zero|无人员伤亡/零伤亡|未发生/0人
+自然资源|不动产登记信息化建设项目|办事群众|提高了不动产登记效率
 数量|数字化整理登记档案|n|卷|5000|50000
 时效|一般登记业务办理时限|days|5|个工作日
 社会效益|登记办理效率|q|明显提高
+自然资源|耕地保护动态巡查项目|农村集体经济组织|守住了耕地保护红线
 数量|开展动态巡查|n|次|100|800
 质量|违法占用耕地案件查处率|pct|100
 可持续影响|耕地保护目标任务|q|全面完成
[science]
@科技创新 KC 科技创新发展方面
@科技服务 KF 科技服务方面
+科技创新|高新技术企业认定奖励项目|受奖企业|培育壮大了创新主体
 数量|新认定高新技术企业|n|家|10|120
 质量|奖励资金兑现率|pct|100
 经济效益|高新技术产业增加值增长率|pct|8
+科技创新|科技型中小企业研发费用补助项目|受补助企业|激发了企业研发投入积极性
 数量|补助科技型中小企业|n|家|20|200
 经济效益|带动企业研发投入|money|1000|20000
 可持续影响|企业自主创新能力|q|明显增强
+科技服务|科技特派员农村科技服务项目|服务对象农户|推广了农业实用新技术
 数量|选派科技特派员|n|人|20|120
 数量|推广新技术新品种|n|项|10|60
 经济效益|带动农民增收|money|50|800
+科技服务|科普宣传活动项目|参与群众|提高了公民科学素质
 数量|举办科普活动|n|场|10|80
 数量|参与群众|n|人次|3000|30000
 社会效益|公民具备科学素质比例|pct|10
[justice]
@公共法律服务 FL 公共法律服务方面
@普法宣传 PF 普法宣传方面
+公共法律服务|法律援助项目|受援群众|维护了困难群众合法权益
 数量|办理法律援助案件|n|件|100|1200
 质量|法律援助案件质量合格率|pct|95
 时效|法律援助申请审查时限|days|7|个工作日
 社会效益|困难群众合法权益|q|有效维护
+普法宣传|八五普法宣传教育项目|普法对象|增强了群众法治意识
 数量|开展普法宣传活动|n|场|30|300
 数量|发放普法资料|n|份|5000|50000
 社会效益|群众法治意识|q|明显增强
+公共法律服务|人民调解工作经费项目|调解当事人|化解了基层矛盾纠纷
 数量|调解矛盾纠纷|n|件|300|3000
 质量|调解成功率|pct|95
 社会效益|因调解不当引发的民转刑案件|zero|无民转刑案件/零事件|未发生/0起
[forestry]
@生态保护 SB 生态保护修复方面
@森林防火 FH 森林防灭火方面
+生态保护|国土绿化造林项目|林区群众|增加了森林资源总量
 数量|完成人工造林面积|n|亩|1000|12000
 质量|造林成活率|pct|85
 生态效益|森林覆盖率|pct|40
 可持续影响|生态环境|q|持续改善
+森林防火|森林防灭火项目|林区群众|保障了森林资源安全
 数量|开展防火巡查|n|次|300|3000
 数量|配备防火物资|n|件|500|5000
 社会效益|重特大森林火灾|zero|无重特大森林火灾/零火灾|未发生/0起
+生态保护|林业有害生物防治项目|林农|控制了林业有害生物危害
 数量|防治林业有害生物面积|n|亩|2000|30000
 质量|林业有害生物成灾率|pctle|3
 生态效益|森林健康状况|q|明显改善
+生态保护|公益林生态效益补偿项目|管护人员和林农|调动了林农管护积极性
 数量|补偿公益林面积|n|万亩|5|50
 质量|补偿资金兑付准确率|pct|100
 经济效益|林农人均增收|n|元|300|2000
[medins]
@医疗保障 YB 医疗保障方面
@基金监管 JG 医保基金监管方面
+医疗保障|城乡居民医疗救助项目|救助对象|减轻了困难群众医疗负担
 数量|医疗救助人次|n|人次|1000|12000
 质量|救助对象政策范围内住院费用救助比例|pct|70
 社会效益|因病致贫返贫情况|q|有效遏制
+基金监管|医保基金监管专项检查项目|参保群众|维护了医保基金安全
 数量|检查定点医药机构|n|家|50|400
 质量|检查覆盖率|pct|100
 经济效益|追回违规使用医保基金|money|20|500
+医疗保障|医保经办服务能力提升项目|参保群众|提高了医保经办服务效率
 数量|建设医保服务站点|n|个|10|80
 时效|医保报销结算时限|days|10|个工作日
 社会效益|医保服务便捷度|q|明显提升
[veterans]
@优抚安置 YF 优抚安置方面
@褒扬纪念 BY 褒扬纪念方面
+优抚安置|重点优抚对象补助项目|优抚对象|保障了优抚对象生活
 数量|发放抚恤补助|n|人次|1000|10000
 质量|补助发放准确率|pct|100
 时效|补助资金发放时间|date
 社会效益|优抚对象生活水平|q|稳步提高
+褒扬纪念|烈士纪念设施维护项目|瞻仰群众|改善了烈士纪念设施面貌
 数量|维修烈士纪念设施|n|处|2|20
 质量|维修工程验收合格率|pct|100
 社会效益|崇尚英烈社会氛围|q|进一步增强
+优抚安置|退役军人就业创业培训项目|参训退役军人|提升了退役军人就业创业能力
 数量|培训退役军人|n|人次|50|600
 质量|培训合格率|pct|90
 社会效益|参训退役军人就业率|pct|70
[eco]
@污染防治 WR 污染防治方面
@生态监测 JC 生态环境监测方面
+污染防治|大气污染防治项目|城区群众|改善了城区空气质量
 数量|整治涉气企业|n|家|20|200
 数量|淘汰老旧车辆|n|辆|100|1500
 生态效益|空气质量优良天数比例|pct|85
+生态监测|地表水水质自动监测站运维项目|沿河群众|保障了水质监测数据准确
 数量|运维水质自动监测站|n|个|2|12
 质量|监测数据有效率|pct|90
 生态效益|国省控断面水质达标率|pct|90
+污染防治|农村生活污水治理项目|农村群众|改善了农村水环境
 数量|治理行政村|n|个|5|40
 质量|污水处理设施正常运行率|pct|90
 生态效益|农村生活污水治理率|pct|40
[commerce]
@商贸流通 SM 商贸流通方面
@外经外贸 WM 外经外贸方面
+商贸流通|县域商业体系建设项目|商户和消费者|完善了县域商业网点布局
 数量|改造提升乡镇商贸中心|n|个|3|20
 数量|建设村级便民网点|n|个|20|150
 经济效益|带动社会消费品零售额增长|pct|6
+商贸流通|促进消费活动项目|消费者|激发了消费市场活力
 数量|举办促消费活动|n|场|5|40
 经济效益|带动销售额|money|1000|20000
 社会效益|消费市场活力|q|明显增强
+外经外贸|外贸企业参展补助项目|参展企业|帮助了外贸企业开拓市场
 数量|补助参展企业|n|家|10|80
 经济效益|意向成交额|money|500|8000
 可持续影响|企业国际市场开拓能力|q|有效提升
[health]
@公共卫生 GG 公共卫生服务方面
@医疗服务 YL 医疗服务能力方面
@人口家庭 RK 人口家庭方面
+公共卫生|基本公共卫生服务项目|辖区居民|提高了基本公共卫生服务均等化水平
 数量|建立居民电子健康档案|n|份|50000|400000
 数量|老年人健康管理|n|人|5000|40000
 质量|高血压患者规范管理率|pct|60
 社会效益|居民健康素养水平|pct|20
+医疗服务|家庭医生签约服务项目|签约居民|方便了群众就近就医
 数量|签约服务人数|n|人|10000|100000
 质量|重点人群签约服务覆盖率|pct|60
 社会效益|基层就诊率|pct|60
+医疗服务|基层医疗卫生机构设备购置项目|就诊群众|提升了基层医疗机构诊疗能力
 数量|购置医疗设备|n|台|20|200
 质量|设备验收合格率|pct|100
 时效|设备采购完成时间|date
 社会效益|基层医疗服务能力|q|明显提升
+人口家庭|计划生育家庭奖励扶助项目|奖扶对象|落实了计划生育家庭奖励扶助政策|计划生育奖励扶助项目
 数量|发放奖励扶助金|n|人|1000|12000
 质量|资金发放准确率|pct|100
 时效|资金发放时间|date
 社会效益|计划生育家庭生活|q|有效保障
+公共卫生|妇幼健康服务项目|孕产妇和儿童|保障了母婴安全
 数量|孕产妇系统管理|n|人|1000|8000
 质量|孕产妇系统管理率|pct|90
 社会效益|孕产妇死亡率|pctle|0.02
[dev]
@重点项目 ZD 重点项目推进方面
@粮食储备 LS 粮食和物资储备方面
@价格监测 JG 价格监测方面
+重点项目|重点项目前期工作经费项目|项目单位|加快了重点项目前期工作进度
 数量|完成项目可研编制|n|个|5|40
 数量|争取中央预算内投资|money|2000|30000
 时效|前期工作完成时间|date
 经济效益|带动固定资产投资|money|10000|200000
+粮食储备|地方储备粮管理费用补贴项目|储粮企业|保障了区域粮食安全
 数量|储备粮油|n|吨|2000|20000
 质量|储备粮质量达标率|pct|100
 社会效益|储粮安全事故|zero|无储粮安全事故/零事故|未发生/0起
+价格监测|价格监测和成本调查项目|价格主管部门和群众|为价格调控提供了依据
 数量|采集价格数据|n|条|5000|40000
 质量|数据报送准确率|pct|98
 时效|监测报告报送时间|date
 社会效益|价格调控决策|q|有效支撑
+重点项目|以工代赈项目|务工群众|带动了农村劳动力就地就近就业
 数量|实施以工代赈项目|n|个|2|12
 数量|带动务工群众|n|人|100|1200
 经济效益|发放劳务报酬|money|50|600
[media]
@新闻宣传 XW 新闻宣传方面
@平台建设 PT 融媒体平台建设方面
+新闻宣传|新闻采编与宣传项目|受众|营造了良好的舆论氛围
 数量|采编播发稿件|n|条|2000|12000
 数量|在上级媒体刊播稿件|n|篇|100|800
 质量|重大宣传报道差错|zero|零差错/无重大差错|未发生/0起
 社会效益|主流舆论影响力|q|持续增强
+平台建设|融媒体中心技术平台运维项目|用户|保障了平台安全稳定运行
 数量|运维播出和采编系统|n|套|3|12
 质量|安全播出率|pct|99.9
 社会效益|网络安全事件|zero|无网络安全事件/零事故|未发生/0起
+新闻宣传|应急广播体系建设项目|农村群众|打通了应急信息传播最后一公里
 数量|建设应急广播终端|n|个|100|1000
 质量|终端在线率|pct|95
 社会效益|应急信息覆盖|q|有效覆盖
[govsvc]
@政务服务 ZW 政务服务方面
@数据管理 SJ 数据管理方面
+政务服务|政务服务大厅运行保障项目|办事群众和企业|提升了政务服务便利度
 数量|办理政务服务事项|n|件|20000|200000
 质量|办件按时办结率|pct|99
 时效|即办件办理时限|days|1|个工作日
 社会效益|营商环境|q|持续优化
+数据管理|一网通办平台运维项目|网上办事群众|推动了政务服务网上办理
 数量|网上可办事项|n|项|500|2000
 质量|事项网上可办率|pct|90
 社会效益|群众办事跑动次数|q|明显减少
+政务服务|12345政务服务便民热线项目|来电群众|畅通了群众诉求渠道
 数量|受理群众诉求|n|件|10000|100000
 质量|诉求按时办结率|pct|95
 时效|诉求首次响应时限|days|2|小时
 社会效益|群众诉求解决情况|q|有效改善
[cdc]
@疾病防控 JK 疾病预防控制方面
@检验检测 JY 检验检测方面
+疾病防控|免疫规划项目|适龄儿童家长|巩固了免疫屏障
 数量|接种免疫规划疫苗|n|剂次|20000|150000
 质量|适龄儿童免疫规划疫苗接种率|pct|95
 社会效益|疫苗针对传染病流行|q|有效控制
+疾病防控|重大传染病防控项目|辖区居民|有效控制了重大传染病流行
 数量|开展传染病监测采样|n|份|2000|20000
 质量|传染病报告及时率|pct|98
 社会效益|群众防病意识|q|明显提高
+检验检测|检验检测能力建设项目|送检单位|提高了检验检测能力
 数量|新增检测项目|n|项|5|40
 质量|实验室间比对合格率|pct|100
 时效|常规检测报告出具时限|days|5|个工作日
 社会效益|公共卫生技术支撑能力|q|明显增强
[agritech]
@技术推广 TG 农业技术推广方面
@土壤肥料 TF 土壤肥料方面
+技术推广|基层农技推广体系改革与建设项目|示范户|推广了农业主推技术
 数量|培育农业科技示范户|n|户|100|800
 数量|建设农业科技示范基地|n|个|3|15
 社会效益|主推技术到位率|pct|95
+土壤肥料|测土配方施肥项目|种植户|减少了不合理施肥
 数量|采集化验土壤样品|n|个|500|3000
 数量|推广测土配方施肥面积|n|万亩|5|50
 生态效益|化肥使用量|q|明显减少
+技术推广|绿色高产高效示范项目|示范区农户|提高了示范区单产水平
 数量|建设示范片|n|个|2|12
 经济效益|示范区亩均增产|n|公斤|20|60
 可持续影响|绿色生产技术应用水平|q|稳步提高
[town]
@农业农村 NY 农业农村发展方面
@基础设施 JS 基础设施建设方面
@社会事业 SH 社会事业方面
@环境整治 HJ 环境整治方面
+基础设施|村组道路硬化项目|沿线村民|改善了群众出行条件|通村通组道路硬化项目
 数量|硬化村组道路|n|公里|2|20
 质量|道路工程验收合格率|pct|100
 时效|工程完工时间|date
 社会效益|村民出行条件|q|明显改善
+环境整治|农村人居环境整治提升项目|村民|改善了村容村貌
 数量|清理农村生活垃圾|n|吨|200|3000
 数量|新建改造农村户厕|n|座|50|500
 生态效益|村庄环境卫生状况|q|明显改善
+农业农村|乡村振兴示范村建设项目|示范村村民|带动了示范村产业发展
 数量|建设乡村振兴示范村|n|个|1|5
 数量|发展特色种植|n|亩|200|3000
 经济效益|带动村集体经济增收|money|5|60
 可持续影响|乡村振兴示范带动作用|q|逐步增强
+农业农村|高标准农田管护项目|种植户|保障了农田设施正常使用
 数量|管护高标准农田面积|n|亩|2000|20000
 质量|设施完好率|pct|90
 经济效益|粮食总产量|n|吨|3000|30000
+社会事业|防汛抗旱工作经费项目|辖区群众|保障了群众生命财产安全
 数量|开展汛期隐患排查|n|次|10|80
 数量|储备防汛物资|n|件|300|3000
 社会效益|因灾人员伤亡|zero|零伤亡/无人员伤亡|未发生/0人
+社会事业|村级公益事业一事一议财政奖补项目|受益村民|改善了村级公益设施条件
 数量|实施一事一议项目|n|个|3|20
 质量|项目验收合格率|pct|100
 社会效益|受益群众|n|人|2000|20000
+环境整治|镇区环境卫生保洁项目|镇区居民|保持了镇区环境整洁
 数量|保洁面积|n|平方米|50000|400000
 质量|垃圾日产日清率|pct|100
 生态效益|镇区环境面貌|q|明显改善
[street]
@社区治理 SQ 社区治理方面
@民生服务 MS 民生服务方面
@城市管理 CG 城市管理方面
+社区治理|社区网格化服务管理项目|社区居民|提升了基层治理精细化水平
 数量|划分网格|n|个|30|200
 数量|配备专职网格员|n|人|30|200
 质量|网格事件按时办结率|pct|95
 社会效益|基层治理能力|q|明显提升
+民生服务|社区居家养老服务项目|社区老人|满足了老年人就近养老需求
 数量|运营社区日间照料中心|n|个|2|10
 数量|提供助餐服务|n|人次|5000|50000
 社会效益|老年人生活质量|q|明显提高
+城市管理|生活垃圾分类项目|辖区居民|提高了生活垃圾分类水平
 数量|设置分类投放点|n|个|50|400
 质量|居民垃圾分类知晓率|pct|90
 生态效益|生活垃圾回收利用率|pct|35
+社区治理|平安社区建设项目|社区居民|提升了群众安全感
 数量|安装视频监控|n|个|50|500
 数量|开展平安宣传|n|场|10|60
 社会效益|群众安全感|q|明显增强
+民生服务|社区文化活动项目|参与居民|丰富了居民文化生活
 数量|开展社区文化活动|n|场|10|80
 数量|参与居民|n|人次|1000|10000
 社会效益|社区凝聚力|q|进一步增强
+城市管理|老旧小区物业管理补助项目|小区居民|改善了老旧小区管理服务
 数量|补助物业管理小区|n|个|5|40
 质量|小区物业服务覆盖率|pct|80
 社会效益|小区居住环境|q|明显改善
[school_mid]
@教育教学 JX 教育教学方面
@学生资助 ZZ 学生资助方面
@校园建设 XY 校园建设与安全方面
+学生资助|普通高中国家助学金项目|受助学生|减轻了家庭经济困难学生就学负担
 数量|资助学生|n|人次|200|1500
 质量|资助对象认定准确率|pct|100
 时效|助学金发放时间|date
 社会效益|因贫辍学学生|zero|0人|0人
+教育教学|教学仪器设备购置项目|学校师生|改善了实验教学条件
 数量|购置教学仪器设备|n|台|20|300
 质量|设备验收合格率|pct|100
 社会效益|实验开出率|pct|95
+校园建设|校园安全设施建设项目|学校师生|提升了校园安全防范能力
 数量|安装校园监控设备|n|个|20|200
 数量|开展安全演练|n|次|2|12
 社会效益|校园安全责任事故|zero|无安全责任事故/零事故|未发生/0起
+教育教学|教师校本培训项目|参训教师|提升了教师专业素养
 数量|开展校本培训|n|场|5|40
 数量|参训教师|n|人次|100|800
 社会效益|教师教学能力|q|有效提升
+校园建设|学生宿舍和食堂维修项目|住校学生|改善了学生住宿就餐条件|学生宿舍维修项目
 数量|维修宿舍和食堂面积|n|平方米|500|6000
 质量|工程验收合格率|pct|100
 时效|维修完工时间|date
 社会效益|学生生活条件|q|明显改善
+教育教学|图书资料购置项目|学校师生|丰富了学校图书资源
 数量|购置图书|n|册|2000|20000
 社会效益|生均图书|n|册|30|50
 可持续影响|师生阅读氛围|q|逐步形成
[school_pri]
@教育教学 JX 教育教学方面
@学生资助 ZZ 学生资助方面
@校园建设 XY 校园建设与安全方面
+学生资助|农村义务教育学生营养改善计划项目|学生家长|改善了农村学生营养状况|营养改善计划项目
 数量|受益学生|n|人|300|3000
 质量|食品安全事故|zero|无食品安全事故/零事故|未发生/0起
 时效|营养餐供应天数|n|天|180|200
 社会效益|学生营养健康状况|q|明显改善
+学生资助|义务教育家庭经济困难学生生活补助项目|受助学生家长|保障了困难学生顺利就学
 数量|资助寄宿生|n|人次|100|1200
 质量|资助对象认定准确率|pct|100
 时效|补助资金发放时间|date
 社会效益|困难学生就学保障|q|有效保障
+教育教学|教学设备和图书购置项目|学校师生|改善了学校办学条件
 数量|购置教学设备|n|台|10|120
 数量|购置图书|n|册|1000|10000
 质量|设备验收合格率|pct|100
 社会效益|教育教学条件|q|明显改善
+校园建设|校舍维修项目|学校师生|消除了校舍安全隐患
 数量|维修校舍面积|n|平方米|300|5000
 质量|工程验收合格率|pct|100
 时效|维修完工时间|date
 社会效益|校舍安全状况|q|明显改善
+教育教学|课后服务项目|学生家长|减轻了家长接送负担
 数量|参加课后服务学生|n|人|200|2000
 质量|课后服务覆盖率|pct|90
 社会效益|学生综合素质|q|有效提升
[coop]
@为农服务 WN 为农服务方面
@流通服务 LT 农产品流通方面
@基层组织 JC 基层组织建设方面
+流通服务|农村电子商务服务体系建设项目|农户和网商|拓宽了农产品销售渠道|农村电商服务站建设项目
 数量|建设村级电商服务站|n|个|10|60
 数量|开展电商培训|n|人次|100|1000
 经济效益|带动农产品网络销售额|money|200|3000
+为农服务|化肥淡季商业储备项目|种植户|保障了春耕用肥供应
 数量|储备化肥数量|n|吨|1000|8000
 质量|储备化肥质量合格率|pct|100
 时效|储备任务完成时间|date
 社会效益|春耕生产用肥|q|有效保障
+基层组织|基层供销社网点改造项目|农村群众|完善了基层为农服务网络
 数量|改造基层社网点|n|个|3|20
 质量|改造工程验收合格率|pct|100
 可持续影响|为农服务能力|q|明显增强
+为农服务|农业社会化服务项目|服务对象农户|提高了农业生产托管服务水平
 数量|开展土地托管服务面积|n|亩|2000|30000
 经济效益|服务农户节本增效|money|20|300
 社会效益|小农户与现代农业有机衔接|q|逐步增强
+流通服务|农产品展示展销活动项目|参展农户和企业|提高了本地农产品知名度
 数量|举办和参加展销活动|n|场|2|12
 数量|组织参展企业|n|家|10|80
 经济效益|现场销售和签约金额|money|50|1000
[generic]
@综合保障 ZH 综合保障方面
+综合保障|信息化系统运行维护项目|系统使用人员|保障了业务系统安全稳定运行
 数量|运维信息系统|n|个|2|8
 质量|系统正常运行率|pct|98
 社会效益|网络安全事件|zero|无网络安全事件/零事故|未发生/0起
+综合保障|干部职工业务能力培训项目|参训干部职工|提升了干部职工业务能力
 数量|培训干部职工|n|人次|50|500
 质量|培训出勤率|pct|95
 社会效益|干部职工业务能力|q|有效提升
+综合保障|政策宣传项目|辖区群众|提高了政策知晓度
 数量|发放宣传资料|n|份|2000|20000
 数量|开展宣传活动|n|场|5|40
 社会效益|政策知晓率|pct|85
+综合保障|办公设备购置项目|干部职工|改善了办公条件
 数量|购置办公设备|n|台|10|80
 质量|设备验收合格率|pct|100
 可持续影响|设备使用年限|n|年|5|8
+综合保障|档案数字化项目|查档群众|提高了档案查阅利用效率
 数量|数字化档案|n|卷|2000|30000
 质量|数字化成果验收合格率|pct|99
 社会效益|档案利用效率|q|明显提高
"""

_LEVEL1_OF = {
    "数量": "产出",
    "质量": "产出",
    "时效": "产出",
    "成本": "产出",
    "经济效益": "效益",
    "社会效益": "效益",
    "生态效益": "效益",
    "可持续影响": "效益",
    "服务对象满意度": "满意度",
}
_LEVEL2_ORDER = tuple(_LEVEL1_OF)
_GE_KINDS = frozenset({"n", "money", "pct", "sat"})
_LE_KINDS = frozenset({"pctle", "ucost", "days", "cost"})


@dataclass(frozen=True)
class _Indicator:
    """An indicator of a project template: ``level2|name|kind|arguments`` in the catalogue."""

    level2: str
    name: str
    kind: str
    args: tuple[str, ...] = ()

    @property
    def level1(self) -> str:
        return _LEVEL1_OF[self.level2]


@dataclass(frozen=True)
class _ProjectTemplate:
    category: str
    name: str
    beneficiary: str
    effect: str
    old_name: str | None
    indicators: tuple[_Indicator, ...]


@dataclass(frozen=True)
class _Catalogue:
    categories: dict[str, tuple[str, str]]
    """Category → (project code prefix, section heading)."""
    projects: tuple[_ProjectTemplate, ...]


def _parse_block(body: str) -> _Catalogue:
    """One ``[kind]`` block of the catalogue text."""
    categories: dict[str, tuple[str, str]] = {}
    heads: list[list[str]] = []
    rows: list[list[_Indicator]] = []
    for line in body.splitlines():
        if line.startswith("@"):
            name, code, heading = line[1:].split()
            categories[name] = (code, heading)
        elif line.startswith("+"):
            heads.append(line[1:].split("|"))
            rows.append([])
        elif line.startswith(" "):
            level2, name, kind, *args = line.strip().split("|")
            rows[-1].append(_Indicator(level2, name, kind, tuple(args)))
    projects = tuple(
        _ProjectTemplate(h[0], h[1], h[2], h[3], h[4] if len(h) > 4 else None, tuple(r))
        for h, r in zip(heads, rows, strict=True)
    )
    return _Catalogue(categories, projects)


def _parse_catalogues(text: str) -> dict[str, _Catalogue]:
    """The catalogue text as one :class:`_Catalogue` per kind of unit."""
    blocks = re.findall(r"^\[(\w+)\]\n(.*?)(?=^\[|\Z)", text, flags=re.MULTILINE | re.DOTALL)
    return {key: _parse_block(body) for key, body in blocks}


_CATALOGUES = _parse_catalogues(_CATALOGUE_TEXT)

# Extra indicators a project gets when its template has none of that kind.
_TIME_INDICATORS = (
    _Indicator("时效", "资金拨付及时率", "pct", ("100",)),
    _Indicator("时效", "项目完成时间", "date"),
    _Indicator("时效", "资金支付完成时间", "date"),
)
_COST_NAMES = ("项目总成本", "项目成本控制", "项目支出成本")

# --------------------------------------------------------------------------------------------
# Units: counties, kinds, names
# --------------------------------------------------------------------------------------------

_COUNTIES = (
    "明川县",
    "青岚县",
    "梧川县",
    "松汀县",
    "桐溪县",
    "杉桥县",
    "柏源县",
    "榆宁县",
    "澄川县",
    "棠川县",
    "芸溪县",
    "苇塘县",
)
_COUNTY_FIRST = "明青梧松桐杉柏榆澄棠芸苇槐岫枫栎"
_COUNTY_SECOND = "川岚汀桥源宁塘溪原陂"
_TOWN_FIRST = "青白柳石龙凤金马黄红桃杏梨松竹兰新太永安长平双三"
_TOWN_SECOND = "石河桥岭坪沟湾塘店集铺庄坝溪源口"
_STREETS = (
    "城关",
    "东城",
    "西城",
    "南城",
    "北城",
    "城东",
    "城西",
    "滨河",
    "新华",
    "东湖",
    "朝阳",
    "向阳",
)
_MIDDLE_SCHOOLS = ("第一中学", "第二中学", "第三中学", "实验中学", "城关中学")
_PRIMARY_SCHOOLS = ("实验小学", "第一小学", "第二小学", "城关小学")
_BUREAUS = (
    ("农业农村局", "agri"),
    ("教育体育局", "edu"),
    ("民政局", "civil"),
    ("文化广电和旅游局", "culture"),
    ("住房和城乡建设局", "housing"),
    ("交通运输局", "transport"),
    ("水利局", "water"),
    ("人力资源和社会保障局", "hr"),
    ("市场监督管理局", "market"),
    ("应急管理局", "emergency"),
    ("自然资源和规划局", "land"),
    ("科学技术局", "science"),
    ("司法局", "justice"),
    ("林业局", "forestry"),
    ("医疗保障局", "medins"),
    ("退役军人事务局", "veterans"),
    ("生态环境分局", "eco"),
    ("商务局", "commerce"),
)
_COMMISSIONS = (("卫生健康委员会", "health"), ("发展和改革委员会", "dev"))
_CENTRES = (
    ("融媒体中心", "media", "中共{county}委宣传部"),
    ("政务服务中心", "govsvc", "{county}人民政府办公室"),
    ("疾病预防控制中心", "cdc", "{county}卫生健康委员会"),
    ("农业技术推广中心", "agritech", "{county}农业农村局"),
)

# How each kind of unit speaks of its offices (组织开展情况), and its project budgets (万元).
_OFFICES = {
    "局": ("局办公室", "财务股", "各股室及下属单位"),
    "委": ("委办公室", "财务科", "各科室及直属单位"),
    "镇": ("镇党政办公室", "镇财政所", "各站所和各村（社区）"),
    "街道": ("街道党政办公室", "街道财政所", "各科室和各社区"),
    "中学": ("学校办公室", "总务处", "各处室和各年级组"),
    "小学": ("学校办公室", "总务处", "各处室和各年级组"),
    "供销社": ("社办公室", "财务科", "各科室和各基层社"),
    "中心": ("中心办公室", "财务室", "各部室"),
}
_BUDGET_RANGE = {
    "局": (20, 1500),
    "委": (30, 2000),
    "镇": (10, 600),
    "街道": (10, 400),
    "中学": (5, 200),
    "小学": (3, 120),
    "供销社": (10, 300),
    "中心": (10, 400),
}
_CORE_KINDS = ("局", "委", "镇", "中学", "供销社", "街道")


@dataclass(frozen=True)
class _UnitSeed:
    kind: str
    name: str
    catalogue: str
    supervisor: str
    title_name: str | None
    county: str


def _county_names(count: int, rng: random.Random) -> list[str]:
    """``count`` distinct invented county names, the curated ones first."""
    names = list(_COUNTIES)
    rng.shuffle(names)
    if count > len(names):
        stems = {name[:2] for name in names}
        more = [a + b for a in _COUNTY_FIRST for b in _COUNTY_SECOND if a + b not in stems]
        rng.shuffle(more)
        names += [stem + rng.choice("县区") for stem in more]
    names += [f"{_COUNTIES[0][:2]}{i}县" for i in range(1, count - len(names) + 1)]
    return names[:count]


def _town_names(rng: random.Random, count: int) -> list[str]:
    names: list[str] = []
    while len(names) < count:
        name = rng.choice(_TOWN_FIRST) + rng.choice(_TOWN_SECOND)
        if name not in names and name[0] != name[1]:
            names.append(name)
    return names


def _county_units(county: str, rng: random.Random) -> list[_UnitSeed]:
    """Every unit of a county, its six core kinds first (a 局, 委, 镇, 中学, 供销社, 街道)."""
    towns = _town_names(rng, rng.randint(6, 10))
    streets = rng.sample(_STREETS, rng.randint(2, 4))
    by_kind: dict[str, list[_UnitSeed]] = {
        "局": [_UnitSeed("局", county + b, key, county + b, b, county) for b, key in _BUREAUS],
        "委": [_UnitSeed("委", county + c, key, county + c, c, county) for c, key in _COMMISSIONS],
        "镇": [
            _UnitSeed(
                "镇", f"{county}{t}镇人民政府", "town", f"{county}{t}镇人民政府", f"{t}镇", county
            )
            for t in towns
        ],
        "街道": [
            _UnitSeed(
                "街道",
                f"{county}{s}街道办事处",
                "street",
                f"{county}{s}街道办事处",
                f"{s}街道",
                county,
            )
            for s in streets
        ],
        "中学": [
            _UnitSeed("中学", county + m, "school_mid", f"{county}教育体育局", None, county)
            for m in rng.sample(_MIDDLE_SCHOOLS, 3)
        ],
        "小学": [
            _UnitSeed("小学", county + p, "school_pri", f"{county}教育体育局", None, county)
            for p in [*_PRIMARY_SCHOOLS[:3], *(f"{t}镇中心小学" for t in towns[:3])]
        ],
        "供销社": [
            _UnitSeed(
                "供销社",
                f"{county}供销合作社联合社",
                "coop",
                f"{county}供销合作社联合社",
                None,
                county,
            )
        ],
        "中心": [
            _UnitSeed("中心", county + c, key, boss.format(county=county), None, county)
            for c, key, boss in _CENTRES
        ],
    }
    core = [rng.choice(by_kind[kind]) for kind in _CORE_KINDS]
    rest = [unit for units in by_kind.values() for unit in units if unit not in core]
    rng.shuffle(core)
    rng.shuffle(rest)
    return core + rest


def _roster(n_departments: int, seed: int) -> list[_UnitSeed]:
    """The district's units: whole counties, one after another, until there are enough."""
    rng = random.Random(f"{_SALT}/{seed}/roster")
    units: list[_UnitSeed] = []
    counties = _county_names(max(1, math.ceil(n_departments / 40)) + 1, rng)
    for county in counties:
        units += _county_units(county, rng)
        if len(units) >= n_departments:
            break
    return units[:n_departments]


# --------------------------------------------------------------------------------------------
# Options, styles and the plan of each unit (what stays the same from year to year)
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DistrictOptions:
    """Knobs of a synthetic district (shares are of the departments; defaults as real districts).

    Attributes:
        printed_share: departments printing 分值 and 得分 as a 自评表 does (with ``plants``,
            at least one in a district of two departments, two from five).
        execution_20_share: departments on the 20-point execution template (产出 40, 效益 30,
            满意度 10), as Yunnan and Hubei use; the others give execution 10.
        chinese_header_share: departments whose CSV files have Chinese column headers.
        direction_column_share: departments with a 指标方向 column (bare targets and a sign).
        rate_only_share: departments giving the execution rate only (no 全年执行数).
        plants: plant the findings of the review (one department self-scoring every project
            100, a deviation reason and a 存在问题 paragraph copied from another department, a
            cost indicator written as ``≥``, one project around 20 % execution).
    """

    printed_share: float = 0.35
    execution_20_share: float = 0.2
    chinese_header_share: float = 0.15
    direction_column_share: float = 0.1
    rate_only_share: float = 0.08
    plants: bool = True


@dataclass(frozen=True)
class _Style:
    """How one department writes its tables (the same every year)."""

    printed: bool
    execution_weight: int
    chinese_headers: bool
    direction_words: tuple[str, str] | None
    states_rate: bool
    rate_only: bool
    has_initial: bool
    has_goals: bool
    all_100: bool = False


@dataclass
class _PlanProject:
    """A project of a department over the years: its code, template and indicators."""

    code: str
    template: _ProjectTemplate
    indicators: tuple[_Indicator, ...]
    years: tuple[int, ...]
    renamed_before: int | None
    budget: int
    """全年预算数 of the last year, in 元 (1 元 = 0.0001 万元)."""
    bases: tuple[Any, ...]
    """Per indicator, what its targets start from (a number, a month, or nothing)."""

    def name_in(self, year: int) -> str:
        """The project's name in a year (an older name before it was renamed)."""
        if self.renamed_before is not None and year < self.renamed_before:
            return self.template.old_name or _older_name(self.template.name)
        return self.template.name


@dataclass
class _Unit:
    index: int
    seed: _UnitSeed
    style: _Style
    projects: list[_PlanProject]

    @property
    def name(self) -> str:
        return self.seed.name

    @property
    def kind(self) -> str:
        return self.seed.kind


def _older_name(name: str) -> str:
    """How the project was called before (``…整治项目`` → ``…整治专项资金``).

    Example:
        >>> _older_name("农村人居环境整治提升项目")
        '农村人居环境整治提升专项资金'
    """
    stem = name.removesuffix("项目")
    return f"{stem}专项资金" if not stem.endswith("专项") else f"{stem}资金"


def _style(rng: random.Random, options: DistrictOptions, forced_printed: bool) -> _Style:
    printed = forced_printed or rng.random() < options.printed_share
    direction = rng.random() < options.direction_column_share
    rate_only = rng.random() < options.rate_only_share
    return _Style(
        printed=printed,
        execution_weight=20 if rng.random() < options.execution_20_share else 10,
        chinese_headers=rng.random() < options.chinese_header_share,
        direction_words=rng.choice((("正向", "反向"), ("≥", "≤"))) if direction else None,
        states_rate=rate_only or rng.random() < 0.3,
        rate_only=rate_only,
        has_initial=rng.random() < 0.5,
        has_goals=printed or rng.random() < 0.3,
    )


def _nice(value: float, digits: int = 2, decimals: int = 0) -> Decimal:
    """``value`` rounded to ``digits`` significant digits, at most ``decimals`` decimals, not 0.

    Example:
        >>> _nice(12345.6), _nice(3.77, decimals=1), _nice(0.4)
        (Decimal('12000'), Decimal('3.8'), Decimal('1'))
    """
    exponent = max(math.floor(math.log10(value)) - digits + 1, -decimals) if value > 0 else 0
    if exponent >= 0:
        step = 10**exponent
        return Decimal(max(round(value / step), 1) * step)
    quantum = Decimal(1).scaleb(exponent)
    return max(Decimal(repr(value)).quantize(quantum), quantum)


def _decimals_of(ind: _Indicator) -> int:
    """Decimals a count may have: 万亩 and 公里 take one, money two, others none."""
    if ind.kind == "money":
        return 2
    unit = ind.args[0] if ind.args else ""
    return 1 if unit.startswith("万") or unit in ("公里",) else 0


def _log_uniform(rng: random.Random, low: float, high: float) -> float:
    return math.exp(rng.uniform(math.log(low), math.log(high)))


def _base_of(ind: _Indicator, rng: random.Random) -> Any:
    """What an indicator's targets start from: a count, an amount, a month or a percentage."""
    if ind.kind in ("n", "ucost"):
        low, high = float(ind.args[1]), float(ind.args[2])
        return _nice(_log_uniform(rng, low, high), decimals=_decimals_of(ind))
    if ind.kind == "money":
        return _nice(_log_uniform(rng, float(ind.args[0]), float(ind.args[1])), decimals=2)
    if ind.kind == "date":
        return rng.choices((12, 11, 10, 9, 6), weights=(50, 15, 10, 10, 15))[0]
    if ind.kind == "sat":
        return rng.choices((90, 85, 95, 80), weights=(60, 20, 15, 5))[0]
    return None


def _indicators_for(template: _ProjectTemplate, rng: random.Random) -> tuple[_Indicator, ...]:
    """A template's indicators plus a 时效, a 成本 (sometimes) and a 满意度 row, in level order."""
    rows = list(template.indicators)
    if not any(i.level2 == "时效" for i in rows):
        rows.append(rng.choice(_TIME_INDICATORS))
    if not any(i.level2 == "成本" for i in rows) and rng.random() < 0.45:
        rows.append(_Indicator("成本", rng.choice(_COST_NAMES), "cost"))
    rows.append(_Indicator("服务对象满意度", f"{template.beneficiary}满意度", "sat"))
    return tuple(sorted(rows, key=lambda i: _LEVEL2_ORDER.index(i.level2)))


def _budget_yuan(rng: random.Random, kind: str) -> int:
    """A project budget in 元: whole 万元 mostly, some to the 百元, some to the 元."""
    low, high = _BUDGET_RANGE[kind]
    wan = _log_uniform(rng, low, high)
    style = rng.random()
    if style < 0.55:
        return int(_nice(wan, 2 if wan < 100 else 3)) * 10_000
    if style < 0.85:
        return round(wan * 100) * 100
    return round(wan * 10_000)


def _project_pool(unit: _UnitSeed, rng: random.Random) -> list[_ProjectTemplate]:
    """The unit's catalogue in a random order, then the projects any unit may have."""
    own = list(_CATALOGUES[unit.catalogue].projects)
    generic = list(_CATALOGUES["generic"].projects)
    rng.shuffle(own)
    rng.shuffle(generic)
    return own + generic


def _plan_projects(
    unit: _UnitSeed, size: tuple[int, int], years: tuple[int, ...], rng: random.Random
) -> list[_PlanProject]:
    """The unit's projects over the years: most every year, a few new or dropped or renamed."""
    last, earlier = years[-1], years[:-1]
    pool = _project_pool(unit, rng)
    count = min(rng.randint(*size), len(pool))
    new = earlier and count >= 2 and rng.random() < 0.4
    dropped = earlier and count < len(pool) and rng.random() < 0.35
    chosen = pool[: count + int(bool(dropped))]
    plans: list[_PlanProject] = []
    counters: dict[str, int] = {}
    categories = _CATALOGUES[unit.catalogue].categories | _CATALOGUES["generic"].categories
    for position, template in enumerate(chosen):
        prefix = categories[template.category][0]
        counters[prefix] = counters.get(prefix, 0) + 1
        in_years = years
        if new and position == count - 1:
            in_years = (last,)
        elif dropped and position == count:
            in_years = earlier
        renamed = last if earlier and len(in_years) > 1 and rng.random() < 0.08 else None
        indicators = _indicators_for(template, rng)
        plans.append(
            _PlanProject(
                code=f"{prefix}{counters[prefix]:02d}",
                template=template,
                indicators=indicators,
                years=tuple(in_years),
                renamed_before=renamed,
                budget=_budget_yuan(rng, unit.kind),
                bases=tuple(_base_of(i, rng) for i in indicators),
            )
        )
    return plans


def _plan_units(
    n_departments: int,
    size: tuple[int, int],
    seed: int,
    years: tuple[int, ...],
    options: DistrictOptions,
) -> list[_Unit]:
    """Every unit of the district with its style and projects (the same every year)."""
    units = []
    for index, seed_unit in enumerate(_roster(n_departments, seed)):
        rng = random.Random(f"{_SALT}/{seed}/plan/{index}")
        style = _style(rng, options, forced_printed=False)
        units.append(_Unit(index, seed_unit, style, _plan_projects(seed_unit, size, years, rng)))
    wanted = 0 if n_departments < 2 or not options.plants else 1 if n_departments < 5 else 2
    for unit in units[: max(0, wanted - sum(u.style.printed for u in units))]:
        unit.style = dataclasses.replace(unit.style, printed=True, has_goals=True)
    if options.plants and n_departments >= 3:
        candidates = [u for u in units if not u.style.printed] or units
        rng = random.Random(f"{_SALT}/{seed}/all100")
        chosen = rng.choice(candidates)
        chosen.style = dataclasses.replace(chosen.style, all_100=True, printed=False)
    return units


# --------------------------------------------------------------------------------------------
# One year's values: amounts, targets and actuals as written, and their fractions by the rules
# --------------------------------------------------------------------------------------------


def _num(value: Decimal | int) -> str:
    """A number as plain text without trailing zeros.

    Example:
        >>> _num(Decimal("12000")), _num(Decimal("98.50")), _num(7)
        ('12000', '98.5', '7')
    """
    text = format(Decimal(value), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def _wan(yuan: int) -> str:
    """An amount in 元 as 万元 text with up to 4 decimals (``6815307`` → ``681.5307``)."""
    return _num(Decimal(yuan).scaleb(-4))


def _money(value: Decimal) -> str:
    """An amount of 万元 as a table writes it: 亿元 from 1 亿, else 万元."""
    if value >= 10_000 and value.scaleb(-4) == value.scaleb(-4).quantize(Decimal("0.0001")):
        return f"{_num(value.scaleb(-4))}亿元"
    return f"{_num(value)}万元"


_WAN_COUNT_UNITS = frozenset({"人次", "人", "户", "份", "册", "条", "件"})


def _count_text(value: Decimal, unit: str, rng: random.Random) -> str:
    """A count with its unit; large round ones sometimes in 万 (``1.2万人次``)."""
    if unit in _WAN_COUNT_UNITS and value >= 10_000 and value % 100 == 0 and rng.random() < 0.3:
        return f"{_num(value.scaleb(-4))}万{unit}"
    return f"{_num(value)}{unit}"


def _fraction(value: Decimal) -> Fraction:
    return Fraction(value)


def _round2(value: Fraction) -> Decimal:
    """Round half up to 2 decimals, exactly (as finance systems and the scoring engine do)."""
    cents = math.floor(value * 100 + Fraction(1, 2))
    return Decimal(cents).scaleb(-2)


@dataclass(frozen=True)
class _Value:
    target: str | None
    actual: str | None
    fraction: Fraction | None
    ratio: Fraction | None = None
    """actual / target of a ``≥`` number (its completion, uncapped)."""
    direction: str | None = None


@dataclass
class _Context:
    """What a project's rows are written against: the year, the amounts, the table's habits."""

    year: int
    budget: int
    spent: int
    direction_words: tuple[str, str] | None


_Styles = tuple[tuple[str, int], ...]
_GE_STYLES: _Styles = (
    ("≥{x}", 36),
    ("不少于{x}", 18),
    ("{x}以上", 18),
    ("{x}", 18),
    ("不低于{x}", 10),
)
_PERCENT_STYLES: _Styles = (
    ("≥{x}", 40),
    ("不低于{x}", 20),
    ("{x}以上", 15),
    ("达到{x}以上", 10),
    ("{x}", 15),
)
_LE_STYLES: _Styles = (
    ("≤{x}", 40),
    ("不超过{x}", 25),
    ("控制在{x}以内", 15),
    ("{x}以内", 10),
    ("不高于{x}", 10),
)
_SPAN_STYLES: _Styles = (("≤{x}", 50), ("不超过{x}", 30), ("{x}内", 20))


def _pick(rng: random.Random, styles: Sequence[tuple[str, int]]) -> str:
    return rng.choices([s for s, _ in styles], weights=[w for _, w in styles])[0]


def _bound(
    rng: random.Random, ctx: _Context, ge: bool, text: str, styles: Sequence[tuple[str, int]]
) -> tuple[str, str | None]:
    """A target written with its operator; bare with a 指标方向 when the table has that column."""
    if ctx.direction_words:
        return text, ctx.direction_words[0 if ge else 1]
    return _pick(rng, styles).format(x=text), None


def _scaled(rng: random.Random, target: Decimal, status: str, decimals: int) -> Decimal:
    """An actual for a ``≥`` target: met (often exactly), exceeded, nearly met, or unmet.

    Exceeded is by 30 % or more, nearly met 95–99 % of the target, unmet 50–90 %.
    """
    low, high, rounding = {
        "met": (1.0, 1.25, ROUND_CEILING),
        "over": (1.3, 2.0, ROUND_CEILING),
        "near": (0.95, 0.99, ROUND_FLOOR),
    }.get(status, (0.5, 0.9, ROUND_FLOOR))
    if status == "met" and rng.random() < 0.4:
        return target
    factor = Decimal(repr(round(rng.uniform(low, high), 4)))
    return (target * factor).quantize(Decimal(1).scaleb(-decimals), rounding=rounding)


def _ge_value(target: Decimal, actual: Decimal) -> tuple[Fraction, Fraction]:
    ratio = _fraction(actual) / _fraction(target)
    return min(ratio, Fraction(1)), ratio


def _le_fraction(target: Decimal, actual: Decimal) -> Fraction:
    if actual <= target:
        return Fraction(1)
    over = (_fraction(actual) - _fraction(target)) / _fraction(target)
    return max(Fraction(0), 1 - over)


def _count(
    rng: random.Random, ind: _Indicator, base: Decimal, status: str, ctx: _Context
) -> _Value:
    """A count (``≥2000人次``) or an amount (``不低于200万元``, ``≥1.5亿元``) to reach."""
    decimals = _decimals_of(ind)
    actual = _scaled(rng, base, status, decimals)
    if ind.kind == "money":
        target_text, actual_text = _money(base), _money(actual)
    else:
        unit = ind.args[0]
        target_text, actual_text = _count_text(base, unit, rng), _count_text(actual, unit, rng)
        if status in ("met", "over") and actual >= 100 and actual % 10 == 0:
            actual_text = rng.choices([actual_text, f"{_num(actual)}余{unit}"], [90, 10])[0]
    target, direction = _bound(rng, ctx, True, target_text, _GE_STYLES)
    fraction, ratio = _ge_value(base, actual)
    return _Value(target, actual_text, fraction, ratio, direction)


def _percent_actual(rng: random.Random, base: Decimal, status: str) -> Decimal:
    """An actual rate for a ``≥`` rate target: at or a little above it, or below it."""
    tenth = Decimal("0.1")
    if status in ("met", "over"):
        if base == 100 or (base >= 95 and rng.random() < 0.3):
            return Decimal(100)
        spread = min(100 - float(base), float(base) * 0.1 + 2)
        value = base + Decimal(repr(round(rng.uniform(0, spread), 3)))
        value = value.quantize(Decimal(1) if rng.random() < 0.3 else tenth, rounding=ROUND_FLOOR)
        return min(max(value, base), Decimal(100))
    low, high = (0.95, 0.99) if status == "near" else (0.75, 0.94)
    factor = Decimal(repr(round(rng.uniform(low, high), 4)))
    return (base * factor).quantize(tenth, rounding=ROUND_FLOOR)


def _percent(rng: random.Random, ind: _Indicator, base: Any, status: str, ctx: _Context) -> _Value:
    """A rate to reach (``≥95%``, ``不低于90%``, ``100%``); satisfaction (``≥90%``) too."""
    target = Decimal(ind.args[0]) if ind.kind == "pct" else Decimal(base)
    actual = _percent_actual(rng, target, status)
    if ind.kind == "pct" and target == 100 and not ctx.direction_words:
        target_text, direction = "100%", None
    else:
        styles = _PERCENT_STYLES if ind.kind == "pct" else _PERCENT_STYLES[:4]
        target_text, direction = _bound(rng, ctx, True, f"{_num(target)}%", styles)
    fraction, ratio = _ge_value(target, actual)
    return _Value(target_text, f"{_num(actual)}%", fraction, ratio, direction)


def _upper(rng: random.Random, ind: _Indicator, base: Any, status: str, ctx: _Context) -> _Value:
    """A bound not to exceed: a rate (``≤2%``), a unit cost (``≤3000元/亩``), a time span.

    Time spans are written ``≤5个工作日``, ``不超过7天``, ``24小时内``.
    """
    if ind.kind == "pctle":
        target, unit, styles = Decimal(ind.args[0]), "%", _LE_STYLES
    elif ind.kind == "ucost":
        # "2300元/亩以内" is read as "=" (a word after a per-unit amount): words before it.
        target, unit, styles = Decimal(base), ind.args[0], _LE_STYLES[:3] + _LE_STYLES[4:]
    else:
        target, unit, styles = (
            Decimal(ind.args[0]),
            (ind.args[1:] or ("个工作日",))[0],
            _SPAN_STYLES,
        )
    decimals = max(-int(target.as_tuple().exponent), 0) + (1 if ind.kind == "pctle" else 0)
    quantum = Decimal(1).scaleb(-decimals)
    if status == "met":
        low, high = (0.2, 0.95) if ind.kind != "ucost" else (0.8, 1.0)
        value = (target * Decimal(repr(round(rng.uniform(low, high), 4)))).quantize(quantum)
        actual = min(max(value, quantum), target)
    else:
        value = target * Decimal(repr(round(rng.uniform(1.1, 1.6), 4)))
        actual = max(value.quantize(quantum, rounding=ROUND_CEILING), target + quantum)
    target_text, direction = _bound(rng, ctx, False, f"{_num(target)}{unit}", styles)
    return _Value(
        target_text, f"{_num(actual)}{unit}", _le_fraction(target, actual), None, direction
    )


def _cost(rng: random.Random, ind: _Indicator, base: Any, status: str, ctx: _Context) -> _Value:
    """The project's cost against its budget: ``≤{budget}万元``, the actual what was spent.

    ``base == "ge"`` writes it the wrong way round (``≥``), as some tables do.
    """
    budget, spent = Decimal(ctx.budget).scaleb(-4), Decimal(ctx.spent).scaleb(-4)
    if base == "ge":
        target, direction = _bound(rng, ctx, True, f"{_wan(ctx.budget)}万元", _GE_STYLES[:1])
        fraction, ratio = _ge_value(budget, spent)
        return _Value(target, f"{_wan(ctx.spent)}万元", fraction, ratio, direction)
    target, direction = _bound(rng, ctx, False, f"{_wan(ctx.budget)}万元", _LE_STYLES)
    return _Value(target, f"{_wan(ctx.spent)}万元", _le_fraction(budget, spent), None, direction)


def _zero(rng: random.Random, ind: _Indicator, base: Any, status: str, ctx: _Context) -> _Value:
    """Nothing bad may happen (``无安全事故``, ``零投诉``, ``0人``); the actual ``未发生``."""
    target = rng.choice(ind.args[0].split("/"))
    direction = ctx.direction_words[1] if ctx.direction_words else None
    if status == "met":
        return _Value(target, rng.choice(ind.args[1].split("/")), Fraction(1), None, direction)
    unit = "人" if "人" in ind.args[1] else "起"
    return _Value(target, f"{rng.randint(1, 2)}{unit}", Fraction(0), None, direction)


def _month_end(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]


def _deadline(rng: random.Random, ind: _Indicator, base: int, status: str, ctx: _Context) -> _Value:
    """A date to keep (``12月底前``, ``2021年6月30日前``, ``第三季度前``) and when it was done."""
    year, month = ctx.year, base
    styles = [
        f"{year}年{month}月底前",
        f"{month}月底前",
        f"{year}年{month}月{_month_end(year, month)}日前",
        f"{month}月前",
    ]
    styles += {12: [f"{year}年底前"], 9: ["第三季度前"], 6: [f"{year}年上半年"]}.get(month, [])
    target = rng.choice(styles)
    if status == "met":
        done = rng.randint(max(1, month - 3), month)
        day = rng.randint(1, _month_end(year, done))
        actual = rng.choice(
            [f"{year}年{done}月", f"{done}月底", f"{year}年{done}月{day}日", "按期完成", "按时完成"]
        )
        return _Value(target, actual, Fraction(1))
    late = rng.randint(1, 4)
    actual = rng.choice([f"{year + 1}年{late}月", f"次年{late}月", f"{year + 1}年{late}月完成"])
    return _Value(target, actual, Fraction(3, 10))


_PARTIAL_WORDS = (
    ("改善", "有所改善"),
    ("提高", "有所提高"),
    ("提升", "有所提升"),
    ("增强", "有所增强"),
    ("减", "有所减少"),
)


def _qualitative(
    rng: random.Random, ind: _Indicator, base: Any, status: str, ctx: _Context
) -> _Value:
    """A qualitative target (``明显改善``): met as written, partly (``有所改善``) or not."""
    target = ind.args[0]
    if status == "met":
        actual = (
            target if rng.random() < 0.7 else rng.choice(("效果明显", "成效显著", "达到预期效果"))
        )
        return _Value(target, actual, Fraction(1))
    if status == "partial":
        partial = next((p for word, p in _PARTIAL_WORDS if word in target), "基本达成")
        return _Value(target, partial, Fraction(7, 10))
    return _Value(target, rng.choice(("未达到预期", "进度滞后")), Fraction(3, 10))


_Realiser = Callable[[random.Random, _Indicator, Any, str, _Context], _Value]
_REALISERS: dict[str, _Realiser] = {
    "n": _count,
    "money": _count,
    "pct": _percent,
    "sat": _percent,
    "pctle": _upper,
    "ucost": _upper,
    "days": _upper,
    "cost": _cost,
    "zero": _zero,
    "date": _deadline,
    "q": _qualitative,
}
_OUTCOMES: dict[str, tuple[tuple[str, int], ...]] = {
    "n": (("met", 72), ("over", 17), ("near", 3), ("unmet", 8)),
    "money": (("met", 70), ("over", 20), ("near", 3), ("unmet", 7)),
    "pct": (("met", 90), ("near", 4), ("unmet", 6)),
    "sat": (("met", 96), ("unmet", 4)),
    "pctle": (("met", 93), ("unmet", 7)),
    "ucost": (("met", 93), ("unmet", 7)),
    "days": (("met", 94), ("unmet", 6)),
    "cost": (("met", 1),),
    "zero": (("met", 97), ("unmet", 3)),
    "date": (("met", 93), ("unmet", 7)),
    "q": (("met", 88), ("partial", 9), ("unmet", 3)),
}
_MISSING_TARGET = {"sat": 0.12, "q": 0.03, "n": 0.02}


_OVER = Fraction(13, 10)
"""Completion from which a ``≥`` row is over-achieved (the rules' 130 %)."""
_NEAR = Fraction(95, 100)
"""Completion from which an unmet row is nearly met (the rules' 95 %)."""


@dataclass
class _Row:
    """One indicator row of one year, with its fraction by the rules."""

    ind: _Indicator
    base: Any
    value: _Value
    reason: str | None = None
    reason_policy: str = "natural"
    """``natural`` (a deducted row gets a reason most of the time), ``always`` or ``never``."""
    weight: int | None = None
    stated: Decimal | None = None

    @property
    def status(self) -> str:
        """``met``, ``over`` (≥ 130 %), ``near`` (95–99 %), ``unmet`` or ``missing_…``."""
        value = self.value
        if value.fraction is None:
            return "missing_target" if value.target is None else "missing_actual"
        completion = value.ratio if value.ratio is not None else value.fraction
        if value.fraction >= 1:
            return "over" if completion >= _OVER else "met"
        return "near" if completion >= _NEAR else "unmet"

    @property
    def deducted(self) -> bool:
        """Scored below its full weight."""
        return self.value.fraction is not None and self.value.fraction < 1


def _realise(rng: random.Random, ind: _Indicator, base: Any, status: str, ctx: _Context) -> _Value:
    """The row's target and actual as written for a wanted outcome (``missing_…`` included)."""
    value = _REALISERS[ind.kind](
        rng, ind, base, "met" if status.startswith("missing") else status, ctx
    )
    if status == "missing_actual":
        return dataclasses.replace(value, actual=None, fraction=None, ratio=None)
    if status == "missing_target":
        return dataclasses.replace(value, target=None, fraction=None, ratio=None, direction=None)
    return value


def _natural_status(rng: random.Random, ind: _Indicator, printed: bool) -> str:
    """An outcome as real tables have them: most met, some exceeded, few unmet or missing."""
    if not printed and ind.kind != "cost":
        if rng.random() < 0.03:
            return "missing_actual"
        if rng.random() < _MISSING_TARGET.get(ind.kind, 0.0):
            return "missing_target"
    outcomes = _OUTCOMES[ind.kind]
    return rng.choices([o for o, _ in outcomes], weights=[w for _, w in outcomes])[0]


@dataclass
class _Project:
    """A project of one year."""

    plan: _PlanProject
    name: str
    ctx: _Context
    initial: int | None
    rows: list[_Row]
    low_reason: str | None = None
    low_reason_policy: str = "natural"
    outcome: str = ""
    goal_target: str | None = None
    goal_actual: str | None = None
    stated_score: Decimal | None = None
    stated_execution: Decimal | None = None
    inflated: bool = False

    @property
    def code(self) -> str:
        return self.plan.code

    @property
    def rate(self) -> Fraction:
        """Execution rate, 0–1."""
        return Fraction(self.ctx.spent, self.ctx.budget)

    @property
    def rate_pct(self) -> Decimal:
        """The execution rate in %, rounded half up to 2 decimals (as stated and scored)."""
        return _round2(self.rate * 100)

    def set_spent(self, spent: int) -> None:
        """Change what was spent; cost rows follow (their actual is the amount spent)."""
        self.ctx.spent = spent
        for row in self.rows:
            if row.ind.kind == "cost":
                row.value = _cost(
                    random.Random(f"{self.code}/{spent}"), row.ind, row.base, "met", self.ctx
                )


def _year_base(rng: random.Random, ind: _Indicator, base: Any, year: int, last: int) -> Any:
    """An indicator's base in an earlier year: counts and amounts a little lower."""
    if year == last or not isinstance(base, Decimal) or ind.kind == "ucost":
        return base
    return _nice(float(base) * rng.uniform(0.8, 1.0), decimals=_decimals_of(ind))


def _year_budget(rng: random.Random, budget: int, year: int, last: int) -> int:
    """A project budget in an earlier year, written with the same precision."""
    if year == last:
        return budget
    value = budget * rng.uniform(0.75, 1.2)
    step = 10_000 if budget % 10_000 == 0 else 100 if budget % 100 == 0 else 1
    return max(round(value / step), 1) * step


def _natural_spent(rng: random.Random, budget: int) -> int:
    """Mostly 90–100 % of the budget; four in ten projects spend it all."""
    if rng.random() < 0.4:
        return budget
    return math.floor(budget * rng.uniform(0.9, 0.9995))


def _realise_project(
    unit: _Unit, plan: _PlanProject, year: int, last: int, rng: random.Random
) -> _Project:
    budget = _year_budget(rng, plan.budget, year, last)
    ctx = _Context(year, budget, _natural_spent(rng, budget), unit.style.direction_words)
    initial = None
    if unit.style.has_initial:
        initial = budget
        if rng.random() < 0.2:
            initial = max(round(budget * rng.uniform(0.6, 1.4) / 10_000), 1) * 10_000
    rows = []
    for ind, plan_base in zip(plan.indicators, plan.bases, strict=True):
        base = _year_base(rng, ind, plan_base, year, last)
        status = _natural_status(rng, ind, unit.style.printed)
        rows.append(_Row(ind, base, _realise(rng, ind, base, status, ctx)))
    return _Project(plan, plan.name_in(year), ctx, initial, rows)


# --------------------------------------------------------------------------------------------
# A district's year: natural values, then the plants, reasons, printed scores and texts
# --------------------------------------------------------------------------------------------


@dataclass
class _UnitYear:
    """One department's year while it is being made."""

    unit: _Unit
    year: int
    projects: list[_Project]
    sections: dict[str, str] = field(default_factory=dict)
    features: dict[str, list[str]] = field(default_factory=dict)
    planted: bool = False
    """A plant of the review is in this department (the next plants go elsewhere if they can)."""

    @property
    def printed(self) -> bool:
        return self.unit.style.printed

    def note(self, feature: str, *where: str) -> None:
        """Record a planted or natural feature (tests and notes read them)."""
        self.features.setdefault(feature, []).extend(where)


def _realise_unit(unit: _Unit, year: int, years: tuple[int, ...], seed: int) -> _UnitYear:
    """A department's year with natural values (most targets met, execution 90–100 %)."""
    rng = random.Random(f"{_SALT}/{seed}/{year}/{unit.index}")
    plans = [plan for plan in unit.projects if year in plan.years]
    projects = [_realise_project(unit, plan, year, years[-1], rng) for plan in plans]
    order = [*_CATALOGUES[unit.seed.catalogue].categories, "综合保障"]
    projects.sort(key=lambda p: (order.index(p.plan.template.category), p.code))
    return _UnitYear(unit, year, projects)


_RowAt = tuple[_UnitYear, _Project, _Row]


def _rows(units: Iterable[_UnitYear]) -> list[_RowAt]:
    return [(uy, p, r) for uy in units for p in uy.projects for r in p.rows]


def _force(at: _RowAt, status: str, rng: random.Random) -> None:
    _, project, row = at
    row.value = _realise(rng, row.ind, row.base, status, project.ctx)


_UNMET_KINDS = ("n", "pct", "q", "date", "money", "sat")


def _unmet_row(uy: _UnitYear, rng: random.Random) -> _RowAt | None:
    """An unmet row of the department: one it has, else one made unmet."""
    rows = _rows([uy])
    unmet = [at for at in rows if at[2].status == "unmet"]
    if unmet:
        return rng.choice(unmet)
    candidates = [at for at in rows if at[2].ind.kind in _UNMET_KINDS and at[2].status == "met"]
    if not candidates:
        return None
    at = rng.choice(candidates)
    _force(at, "unmet", rng)
    return at


def _ensure(units: list[_UnitYear], rng: random.Random, status: str, kinds: Sequence[str]) -> None:
    """At least one row of ``status`` in the year (in a department not printing scores)."""
    rows = [at for at in _rows(units) if not at[0].printed]
    if any(at[2].status == status for at in rows):
        return
    candidates = [at for at in rows if at[2].ind.kind in kinds and at[2].status == "met"]
    if candidates:
        _force(rng.choice(candidates), status, rng)


def _plant_low_execution(
    units: list[_UnitYear], rng: random.Random, plants: bool, last: bool
) -> None:
    """One project around 20 % execution; about one department in five with one at 55–88 %."""
    projects = [(uy, p) for uy in units for p in uy.projects]
    if plants and projects:
        chosen = rng.choice(_fresh(units))
        chosen.planted = True
        project = rng.choice(chosen.projects)
        project.set_spent(math.floor(project.ctx.budget * rng.uniform(0.18, 0.22)))
        project.low_reason_policy = "always" if last or rng.random() < 0.5 else "never"
    others = [(uy, p) for uy, p in projects if p.rate >= Fraction(9, 10)]
    count = min(max(2, round(len(units) * 0.2)), len(others))
    for i, (_, project) in enumerate(rng.sample(others, count)):
        project.set_spent(math.floor(project.ctx.budget * rng.uniform(0.55, 0.88)))
        project.low_reason_policy = "always" if i % 2 == 0 else "never"


def _fresh(units: list[_UnitYear]) -> list[_UnitYear]:
    """The departments no plant is in yet (all of them when every one has one)."""
    return [uy for uy in units if not uy.planted] or units


def _plant_cost_ge(units: list[_UnitYear], rng: random.Random) -> None:
    """A cost indicator written as ``≥`` its budget, as some tables have it."""
    rows = [at for at in _rows(units) if at[2].ind.kind == "cost" and not at[0].printed]
    fresh = [at for at in rows if not at[0].planted]
    underspent = [at for at in fresh or rows if at[1].ctx.spent < at[1].ctx.budget]
    if rows:
        uy, project, row = rng.choice(underspent or fresh or rows)
        uy.planted = True
        row.base = "ge"
        row.value = _cost(rng, row.ind, row.base, "met", project.ctx)
        uy.note("cost_written_ge", f"{project.code}/{row.ind.name}")


def _plant_copied_reason(
    units: list[_UnitYear], rng: random.Random
) -> tuple[_RowAt, _RowAt] | None:
    """Two departments' unmet rows, the second to get the first's deviation reason verbatim."""
    if len(units) < 2:
        return None
    source = rng.choice(_fresh(units))
    others = [uy for uy in _fresh(units) if uy is not source] or [
        uy for uy in units if uy is not source
    ]
    same_kind = [uy for uy in others if uy.unit.kind == source.unit.kind]
    copier = rng.choice(same_kind or others)
    source.planted = copier.planted = True
    first, second = _unmet_row(source, rng), _unmet_row(copier, rng)
    if first is None or second is None:
        return None
    first[2].reason_policy = second[2].reason_policy = "always"
    return first, second


def _plant(
    units: list[_UnitYear], rng: random.Random, options: DistrictOptions, last: bool
) -> tuple[_RowAt, _RowAt] | None:
    """Make sure the year has what the review looks for; returns the copied-reason pair."""
    for uy in units:
        if uy.unit.style.all_100:
            uy.planted = options.plants
            _unmet_row(uy, rng)
    _plant_low_execution(units, rng, options.plants, last)
    _ensure(units, rng, "over", ("n", "money"))
    _ensure(units, rng, "unmet", _UNMET_KINDS)
    _ensure(units, rng, "near", ("n", "pct"))
    _ensure(units, rng, "missing_actual", ("n", "pct", "q", "date"))
    _ensure(units, rng, "missing_target", ("sat",))
    if not options.plants:
        return None
    _plant_cost_ge(units, rng)
    return _plant_copied_reason(units, rng)


# --------------------------------------------------------------------------------------------
# Reasons (偏差原因, 执行率偏低原因), each written once in the district
# --------------------------------------------------------------------------------------------

# Causes of a deviation by what the indicator is about, so that a reason fits its row.
_CAUSES: dict[str, tuple[str, ...]] = {
    "build": (
        "汛期持续降雨，施工有效工期缩短",
        "项目选址调整，用地手续办理时间较长",
        "设计方案调整后需重新履行审批程序",
        "工程招标时间较长，开工时间推迟",
        "施工单位组织不力，现场进度滞后",
    ),
    "buy": (
        "部分设备到货延迟，安装调试未能按期完成",
        "政府采购程序耗时较长，合同签订推迟",
        "供应商供货不及时，部分物资分批到货",
        "首次招标流标后重新组织采购",
    ),
    "event": (
        "受疫情防控政策影响，部分集中性活动暂停或延期",
        "部分群众参与意愿不强，动员工作难度较大",
        "活动场地调整，部分场次推迟举办",
        "同期工作任务集中，部分活动未能如期组织",
    ),
    "people": (
        "实际申报对象少于年初预计",
        "部分对象资格复核未通过，受益人数减少",
        "年初设定目标时对实际情况预估不足",
        "政策调整后补助对象范围缩小",
    ),
    "money": (
        "上级资金下达时间较晚，项目启动推迟",
        "配套资金未能及时到位",
        "资金拨付审批流程较长",
        "部分资金待项目验收后才能支付",
    ),
    "satisfaction": (
        "部分服务对象对服务时间安排和服务内容有不同意见",
        "政策宣传解释不够到位，部分群众对政策了解不足",
        "服务响应不够及时，部分群众诉求未能当场解决",
    ),
    "general": (
        "承担单位人员变动，工作衔接不够顺畅",
        "年初设定目标时对实际情况预估不足",
        "项目实施过程中的跟踪督导不够及时",
        "相关部门协同配合不够紧密",
    ),
}
_CAUSE_WORDS = (
    (
        "build",
        ("工程", "施工", "改造", "维修", "建设", "硬化", "治理", "除险", "危房", "道路", "造林"),
    ),
    ("buy", ("购置", "设备", "采购", "物资", "图书", "器材", "车辆")),
    ("event", ("培训", "活动", "宣传", "讲座", "演练", "演出", "展销", "推介", "出勤", "参训")),
    ("people", ("人", "户", "补贴", "资助", "救助", "对象", "签约", "就业", "学生")),
    ("money", ("资金", "拨付", "兑现", "发放")),
)
_KIND_CAUSES = {
    "中学": ("部分学生转学、升学，受益人数较计划减少",),
    "小学": ("部分学生随父母外出就读，受益人数较计划减少",),
    "镇": ("村（社区）“两委”换届期间部分工作推进放缓",),
    "街道": ("部分社区人员调整，工作推进放缓",),
    "供销社": ("农资市场价格波动，部分经营主体观望",),
}


def _causes_for(row: _Row, project: _Project, kind: str) -> tuple[str, ...]:
    """Causes that fit the row: by its own words first, then by the project's."""
    if row.ind.level2 == "服务对象满意度":
        return _CAUSES["satisfaction"]
    texts = (row.ind.name,) if row.ind.level1 == "效益" else (row.ind.name, project.name)
    for text in texts:
        for group, words in _CAUSE_WORDS:
            if any(word in text for word in words):
                extra = _KIND_CAUSES.get(kind, ()) if group == "people" else ()
                return _CAUSES[group] + extra
    return _CAUSES["general"] + _KIND_CAUSES.get(kind, ())


_MEASURES = (
    "加强项目前期论证，科学合理设定绩效目标",
    "加快项目实施进度，督促承担单位按期完成",
    "加强与相关部门的沟通协调，提前做好准备工作",
    "完善项目管理制度，强化绩效运行监控",
    "加大宣传动员力度，提高群众参与积极性",
    "优化采购流程，压缩前期工作时间",
    "建立工作台账，实行清单化管理",
    "实行周调度、月通报，压实责任",
    "加强对承担单位的督导检查",
    "及时调整实施计划，合理安排工作节点",
)
_REASON_TEMPLATES = (
    "{cause}，{name}实际为{actual}，未达到“{target}”的年度目标。下一步将{measure}。",
    "{cause}，{name}未达到年度目标（目标{target}，实际{actual}）。下一步将{measure}。",
    "{cause}。下一步将{measure}，确保{name}达到年度目标。",
    "偏差原因：{cause}。改进措施：{measure}，力争{next_year}年{month}月前完成{name}目标任务。",
)
_LOW_REASONS = (
    "{project}于{year}年{month}月才完成招标，工程尚未竣工验收，尾款{rest}万元未支付",
    "上级资金于{year}年{month}月下达，{project}未能在年内拨付完毕，{rest}万元结转下年使用",
    "受疫情影响，{project}部分内容未能按计划实施，{rest}万元未支出",
    "{project}合同签订较晚，{rest}万元需验收合格后支付",
    "{project}实施方案调整，资金使用计划相应推迟，{rest}万元结转下年使用",
    "{project}按合同约定分期付款，剩余{rest}万元将于{next_year}年{month2}月支付",
    "{project}部分资金为{year}年{month}月追加，当年未能完成支付",
)


def _unique(make: Callable[[], str], used: set[str]) -> str:
    """A text not written before in the district (the review looks for copies)."""
    text = make()
    for attempt in range(2, 100):
        if text not in used:
            break
        text = make() if attempt < 50 else f"{make()}（{attempt}）"
    used.add(text)
    return text


def _deviation_reason(
    rng: random.Random, uy: _UnitYear, at: tuple[_Project, _Row], used: set[str]
) -> str:
    project, row = at
    causes = _causes_for(row, project, uy.unit.kind)

    def make() -> str:
        return rng.choice(_REASON_TEMPLATES).format(
            cause=rng.choice(causes),
            measure=rng.choice(_MEASURES),
            name=row.ind.name,
            target=row.value.target,
            actual=row.value.actual,
            next_year=project.ctx.year + 1,
            month=rng.randint(3, 9),
        )

    return _unique(make, used)


def _generic_reason(rng: random.Random) -> str:
    """A reason naming no indicator and no number: the kind that gets copied."""
    cause = rng.choice(_CAUSES["general"] + _CAUSES["money"])
    return f"{cause}，导致部分指标未达到年初目标。下一步将{rng.choice(_MEASURES)}。"


def _low_reason(rng: random.Random, project: _Project, used: set[str]) -> str:
    rest = _wan(project.ctx.budget - project.ctx.spent)

    def make() -> str:
        return rng.choice(_LOW_REASONS).format(
            project=project.name,
            year=project.ctx.year,
            next_year=project.ctx.year + 1,
            month=rng.randint(9, 12),
            month2=rng.randint(3, 6),
            rest=rest,
        )

    return _unique(make, used)


def _write_reasons(
    units: list[_UnitYear], rng: random.Random, copied: tuple[_RowAt, _RowAt] | None
) -> None:
    """Deviation reasons for most deducted rows, low-execution reasons for about half."""
    used: set[str] = set()
    deducted = [at for at in _rows(units) if at[2].deducted]
    for uy, project, row in deducted:
        policy = row.reason_policy
        if policy == "always" or (policy == "natural" and rng.random() < 0.8):
            row.reason = _deviation_reason(rng, uy, (project, row), used)
    natural = [at for at in deducted if at[2].reason_policy == "natural"]
    unmet = [at for at in natural if at[2].status == "unmet"]
    if unmet and all(at[2].reason for at in unmet) and len(deducted) >= 2:
        rng.choice(unmet)[2].reason = None
    for uy in units:
        for project in uy.projects:
            policy = project.low_reason_policy
            give = policy == "always" or (policy == "natural" and rng.random() < 0.5)
            if project.rate < Fraction(9, 10) and give:
                project.low_reason = _low_reason(rng, project, used)
    if copied:
        (source, sp, sr), (copier, cp, cr) = copied
        sr.reason = cr.reason = _unique(lambda: _generic_reason(rng), used)
        copier.note("copied_reason", f"{cp.code}/{cr.ind.name}")
        copier.note("copied_reason_from", f"{source.unit.name} {sp.code}/{sr.ind.name}")


# --------------------------------------------------------------------------------------------
# Printed scores (分值, 得分) as a 自评表 gives them
# --------------------------------------------------------------------------------------------

_LEVEL_POINTS = {
    10: {"产出": 50, "效益": 30, "满意度": 10},
    20: {"产出": 40, "效益": 30, "满意度": 10},
}


def _assign_weights(project: _Project, execution_weight: int) -> None:
    """Whole-number 分值 per row: each level's points split evenly, the first rows 1 more."""
    by_level: dict[str, list[_Row]] = {}
    for row in project.rows:
        by_level.setdefault(row.ind.level1, []).append(row)
    for level, rows in by_level.items():
        share, extra = divmod(_LEVEL_POINTS[execution_weight][level], len(rows))
        for i, row in enumerate(rows):
            row.weight = share + (1 if i < extra else 0)


def _execution_score(project: _Project, weight: int) -> Decimal:
    """min(rate, 100 %) × weight, from the rate rounded to 2 decimals, as the rules score it."""
    return _round2(min(Fraction(project.rate_pct) / 100, Fraction(1)) * weight)


def _print_scores(uy: _UnitYear, rng: random.Random) -> list[_Project]:
    """分值 and 得分 by the rules on every row and project; returns the projects with deductions."""
    weight = uy.unit.style.execution_weight
    deducted = []
    for project in uy.projects:
        _assign_weights(project, weight)
        for row in project.rows:
            row.stated = _round2((row.value.fraction or Fraction(0)) * (row.weight or 0))
        project.stated_execution = _execution_score(project, weight)
        project.stated_score = sum(
            (r.stated or Decimal(0) for r in project.rows), project.stated_execution
        )
        if project.stated_score < 100:
            deducted.append(project)
    return deducted


def _inflate(project: _Project, rng: random.Random, execution_weight: int) -> None:
    """Score a project higher than the rules: a deducted row or the execution at full marks."""
    rows = [row for row in project.rows if row.deducted]
    if rows:
        row = rng.choice(rows)
        row.stated = Decimal(row.weight or 0)
    else:
        project.stated_execution = Decimal(execution_weight)
    project.stated_score = sum(
        (r.stated or Decimal(0) for r in project.rows), project.stated_execution or Decimal(0)
    )
    project.inflated = True


def _state_scores(units: list[_UnitYear], rng: random.Random) -> None:
    """Printed scores where departments print them, a few higher than the rules give.

    The department that scores everything 100 gets 100 on every project.
    """
    candidates: list[tuple[_UnitYear, _Project]] = []
    for uy in units:
        if uy.unit.style.all_100:
            for project in uy.projects:
                project.stated_score = Decimal(100)
            uy.note("stated_all_100", *(p.code for p in uy.projects))
        if uy.printed:
            candidates += [(uy, p) for p in _print_scores(uy, rng)]
            uy.note("printed_scores", *(p.code for p in uy.projects))
    chosen = [(uy, p) for uy, p in candidates if rng.random() < 0.3]
    for index in dict.fromkeys(uy.unit.index for uy, _ in candidates):
        if len(chosen) >= 2:
            break
        if all(c.unit.index != index for c, _ in chosen):
            chosen.append(rng.choice([(u, p) for u, p in candidates if u.unit.index == index]))
    for uy, project in chosen:
        _inflate(project, rng, uy.unit.style.execution_weight)
        uy.note("stated_higher", project.code)


# --------------------------------------------------------------------------------------------
# Texts: outcomes, goals, the report's sections
# --------------------------------------------------------------------------------------------
# Every paragraph is put together from several slots with a few wordings each and the
# department's own projects, indicators and numbers, so that two departments rarely write the
# same paragraph (the review flags text copied between departments; only the plants should be).

_SPEAKER = {
    "局": "我局",
    "委": "我委",
    "镇": "我镇",
    "街道": "我街道",
    "中学": "我校",
    "小学": "我校",
    "供销社": "我社",
    "中心": "我中心",
}
_MEETINGS = {
    "局": "局党组会",
    "委": "委党组会",
    "镇": "镇党委会",
    "街道": "街道党工委会",
    "中学": "校务会",
    "小学": "校务会",
    "供销社": "社务会",
    "中心": "中心主任办公会",
}
_PREAMBLES = (
    "为深化预算管理制度改革，全面实施预算绩效管理，提高财政资金使用效益",
    "为进一步加强财政支出管理，强化支出责任，提高财政资源配置效率和使用效益",
    "为贯彻落实全面实施预算绩效管理的要求，规范项目支出绩效自评工作",
)
_ORGANIZATION = (
    (
        "为做好{year}年度项目支出绩效自评工作",
        "按照{issuer}关于开展{year}年度预算绩效自评工作的通知要求",
        "根据全面实施预算绩效管理的有关规定",
        "{next_year}年初收到{issuer}的自评通知后",
        "为客观评价{year}年度财政资金使用效益",
    ),
    (
        "{speaker}及时召开{meeting}研究部署",
        "{speaker}主要负责同志专门作出安排",
        "{speaker}第一时间进行了动员部署",
        "{speaker}将自评工作列为一季度重点工作",
        "{speaker}把绩效自评与年度工作总结结合起来",
    ),
    (
        "成立了由主要负责同志任组长、分管负责同志任副组长、{subunits}负责人为成员的绩效自评工作领导小组。",
        "组建了由{office}、{finance}和业务骨干组成的自评工作专班。",
        "成立了以分管负责同志为组长的绩效自评工作小组。",
        "明确由分管负责同志牵头、{office}具体组织实施。",
    ),
    (
        "日常协调工作由{office}负责。",
        "{finance}负责资金数据的核对，{subunits}负责本条线项目的自评。",
        "对{n}个项目逐一明确了责任科室和责任人。",
        "制定了自评工作方案，明确了时间节点和报送要求。",
    ),
    (
        "{date}召开了自评工作布置会，对自评表填报和佐证资料收集进行了培训。",
        "{date}印发了自评工作通知，对填报口径作了统一说明。",
        "组织{k}名业务骨干参加了{issuer}举办的绩效管理业务培训。",
        "",
        "",
    ),
)
_PROCESS = (
    ("{start}至{end}，", "{start}起，", "自{start}开始，历时{days}天，", "{end}前，"),
    (
        "{subunits}对照年初绩效目标逐项开展自评。",
        "{speaker}对{year}年度实施的项目开展了自评。",
        "各项目责任科室按照“谁使用、谁自评”的原则开展自评。",
        "{office}组织各项目负责人分别填报了项目支出绩效自评表。",
    ),
    (
        "自评范围包括{cats}等{k_cats}类{n}个项目，涉及资金{amount}万元；",
        "共涉及{cats}等方面的{n}个项目、资金{amount}万元；",
        "自评覆盖{cats}等{n}个项目（资金{amount}万元），",
    ),
    (
        "采取查阅资料、实地查看、问卷调查等方式核实了项目实施情况。",
        "通过核对会计凭证、查阅项目档案、走访服务对象等方式核实了绩效目标完成情况。",
        "结合项目实施方案、验收资料和资金支付记录逐项核对了产出和效益指标。",
        "对照绩效目标申报表逐项核对了指标完成值。",
        "重点核查了资金拨付、政府采购和项目验收等环节。",
    ),
    (
        "共发放满意度调查问卷{q}份，收回有效问卷{q2}份。",
        "通过电话回访了解服务对象满意度{q}户次。",
        "通过线上问卷开展服务对象满意度调查，收回有效问卷{q2}份。",
        "",
        "",
    ),
    (
        "{finance}对自评结果进行了复核。",
        "自评结果经{meeting}审定后报送{issuer}。",
        "{office}汇总各项目自评表形成了本报告。",
        "对自评中发现的问题当即进行了整改。",
    ),
)
_PROBLEM_THEMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "low": (
        ("部分项目预算执行进度偏慢", "个别项目资金支出进度滞后", "预算执行不够均衡"),
        (
            "{projects}预算执行率分别为{rates}，资金支出进度与项目实施进度衔接不够",
            "{projects}预算执行率低于90%，项目前期准备不充分、招标采购耗时较长",
            "{projects}年底仍有资金未支出，部分资金下达较晚",
        ),
    ),
    "unmet": (
        ("个别绩效目标未完成", "部分绩效指标未达到年初目标", "少数指标完成情况不理想"),
        (
            "{indicators}等指标未达到年初目标值，绩效目标的约束作用有待加强",
            "{indicators}等指标实际完成值低于年度指标值，过程管控不够到位",
            "{indicators}等指标存在偏差，对实施中的困难预判不足",
        ),
    ),
    "missing": (
        ("绩效指标填报不够完整", "部分指标缺少数据支撑", "绩效目标编报质量有待提高"),
        (
            "{missing}等指标未填写目标值或完成值",
            "{missing}等指标的目标值或完成值空缺，无法据以评价",
            "{missing}等指标数据缺失，佐证资料收集不及时",
        ),
    ),
    "targets": (
        ("绩效目标设置的科学性有待提高", "绩效指标设置不够精准", "部分绩效目标设定偏保守"),
        (
            "部分指标偏重数量、时效等产出指标，效益指标量化不足",
            "{cat}类项目的效益指标多为定性表述",
            "{over}等指标完成值大幅超过目标值，目标设定偏低",
        ),
    ),
    "staff": (
        ("绩效管理专业力量不足", "绩效管理人员业务能力有待提升", "绩效管理责任落实不够"),
        (
            "工作人员对绩效评价方法和标准掌握不够",
            "{subunits}参与绩效管理的主动性不强",
            "绩效管理工作主要依靠{finance}推动",
        ),
    ),
    "use": (
        ("绩效自评结果运用不够充分", "自评结果与预算安排衔接不紧", "问题整改跟踪不够"),
        (
            "自评结果在{next_year}年预算安排中体现不够",
            "上年自评发现的问题整改跟踪不够",
            "对{cat}类项目的评价结论尚未用于优化支出结构",
        ),
    ),
    "files": (
        ("佐证资料收集整理不够规范", "项目档案管理有待加强", "基础资料不够完整"),
        (
            "{cat}类项目的验收资料和影像资料归档不完整",
            "部分项目资金支付凭证与实施进度资料未能一一对应",
            "{project}等项目的过程资料较为零散",
        ),
    ),
}
_STEP_THEMES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "low": (
        ("加快预算执行进度", "强化预算执行管理", "提高资金使用效率"),
        (
            "对{projects}等项目建立支出进度台账，按月调度",
            "督促{subunits}加快{projects}实施，结转资金力争{next_year}年上半年支付完毕",
            "对执行缓慢的{projects}等项目及时督促、通报",
        ),
    ),
    "unmet": (
        ("抓好未完成指标的整改", "强化绩效目标的约束作用", "加强绩效运行监控"),
        (
            "对{indicators}等未完成指标逐项分析原因、制定整改措施",
            "将{indicators}等指标的完成情况纳入{next_year}年绩效监控重点",
            "定期对照{indicators}等指标检查进度，发现偏差及时纠正",
        ),
    ),
    "missing": (
        ("规范绩效数据填报", "完善绩效指标数据采集", "夯实绩效管理基础"),
        (
            "补齐{missing}等指标的目标值和完成值",
            "明确{missing}等指标的数据来源和采集责任人",
            "建立指标数据台账，避免{missing}等指标再出现空缺",
        ),
    ),
    "targets": (
        ("科学设定绩效目标", "提高绩效目标编制质量", "细化量化绩效指标"),
        (
            "在编制{next_year}年预算时，对{cat}等项目逐项细化量化绩效指标",
            "组织{subunits}对照{next_year}年工作任务重新梳理产出和效益指标",
            "参考{year}年实际完成情况合理确定{next_year}年指标值",
        ),
    ),
    "staff": (
        ("加强业务培训", "充实绩效管理力量", "压实绩效管理责任"),
        (
            "{next_year}年组织{subunits}开展绩效管理专题培训",
            "选派业务骨干参加{issuer}组织的绩效管理培训",
            "将绩效管理纳入{subunits}年度考核内容",
        ),
    ),
    "use": (
        ("强化结果运用", "推动自评结果与预算安排挂钩", "建立问题整改机制"),
        (
            "将自评结果作为{next_year}年预算安排和政策调整的重要依据",
            "对自评得分较低的{cat}类项目压减或调整{next_year}年预算",
            "建立问题清单，逐项跟踪整改落实情况",
        ),
    ),
    "files": (
        ("规范资料管理", "完善项目档案", "加强基础管理"),
        (
            "完善{cat}类项目档案，确保自评数据真实、准确、完整",
            "按项目建立绩效资料档案，资料随项目进度同步归档",
            "明确{office}负责绩效资料的收集和归档",
        ),
    ),
}
_STEP_OPENINGS = (
    "针对上述问题，{speaker}将重点做好以下工作：",
    "下一步，{speaker}将从以下几个方面加以改进：",
    "{next_year}年，{speaker}将着力做好以下工作：",
    "为进一步提升预算绩效管理水平，{speaker}将：",
)
_ORDINALS = "一二三四五六七八九十"


def _quoted(names: Sequence[str], count: int = 3) -> str:
    return "、".join(f"“{name}”" for name in list(dict.fromkeys(names))[:count])


def _numbered(items: Sequence[str]) -> str:
    """``一是…；二是…；三是…。`` in one paragraph."""
    return "；".join(f"{_ORDINALS[i]}是{item}" for i, item in enumerate(items)) + "。"


def _clauses(rows: Sequence[_Row], text: Callable[[_Row], str | None]) -> str:
    """``name value`` of the rows that have a value, joined by ``、``."""
    return "、".join(f"{row.ind.name}{text(row)}" for row in rows if text(row))


_OUTCOMES_TEXT = (
    "{done}，{effect}。",
    "通过项目实施，{effect}，{done}。",
    "{effect}：{done}。",
    "项目全年{done}，{effect}，达到了预期目的。",
)
_GOAL_RESULTS = (
    "{prefix}{done}；{status}",
    "{status}：{done}",
    "{done}，{effect}；{status}",
)
_ALL_MET = (
    "年度绩效目标全部完成",
    "各项指标均达到年初目标",
    "完成了年初设定的绩效目标",
    "全面完成年度任务",
)


def _write_project_texts(project: _Project, goals: bool, rng: random.Random) -> None:
    """The outcome sentence (成效) and, for form-like tables, the year's goal and result."""
    effect = project.plan.template.effect
    shown = [r for r in project.rows if r.ind.level2 in ("数量", "质量") or r.ind.level1 == "效益"]
    shown = [r for r in shown if r.value.actual]
    done = _clauses(rng.sample(shown, min(len(shown), 2)), lambda r: r.value.actual)
    if rng.random() < 0.85:
        template = rng.choice(_OUTCOMES_TEXT) if done else "{effect}。"
        project.outcome = template.format(done=done, effect=effect)
    if not goals:
        return
    counted = [r for r in project.rows if r.ind.level2 in ("数量", "质量")]
    aim = effect.replace("了", "", 1)
    planned = _clauses(counted, lambda r: r.value.target)
    project.goal_target = f"{planned}，{aim}" if planned else aim
    unmet = [row.ind.name for row in project.rows if row.status in ("unmet", "near")]
    status = f"{'、'.join(unmet)}未完成年度目标" if unmet else rng.choice(_ALL_MET)
    rng.shuffle(counted)
    project.goal_actual = rng.choice(_GOAL_RESULTS).format(
        prefix=rng.choice(("全年", "年内", "截至年底", "实际")),
        done=_clauses(counted, lambda r: r.value.actual),
        effect=effect,
        status=status,
    )


def _text_values(uy: _UnitYear, rng: random.Random) -> dict[str, Any]:
    """What the sections' wordings are filled with: the department's own names and numbers."""
    office, finance, subunits = _OFFICES[uy.unit.kind]
    projects = uy.projects
    low = [p for p in projects if p.rate < Fraction(9, 10)]
    rows = [(p, r) for p in projects for r in p.rows]
    categories = list(dict.fromkeys(p.plan.template.category for p in projects))
    month, start_day = rng.randint(2, 3), rng.randint(1, 15)
    end_month = month + rng.randint(0, 1)
    end_day = rng.randint(start_day + 7 if end_month == month else 1, 28)
    surveys = rng.randint(3, 30) * 10
    return {
        "year": uy.year,
        "next_year": uy.year + 1,
        "speaker": _SPEAKER[uy.unit.kind],
        "meeting": _MEETINGS[uy.unit.kind],
        "office": office,
        "finance": finance,
        "subunits": subunits,
        "issuer": f"{uy.unit.seed.county}财政局",
        "date": f"{uy.year + 1}年{month}月{max(start_day - rng.randint(1, 5), 1)}日",
        "start": f"{uy.year + 1}年{month}月{start_day}日",
        "end": f"{end_month}月{end_day}日",
        "days": (end_month - month) * 30 + end_day - start_day,
        "n": len(projects),
        "k": rng.randint(2, 6),
        "amount": _wan(sum(p.ctx.budget for p in projects)),
        "cats": "、".join(categories[:3]),
        "k_cats": len(categories),
        "cat": rng.choice(categories),
        "project": f"“{rng.choice(projects).name}”",
        "q": surveys,
        "q2": surveys - rng.randint(0, 9),
        "projects": _quoted([p.name for p in low]),
        "rates": "、".join(f"{_num(p.rate_pct)}%" for p in low[:3]),
        "indicators": _quoted([r.ind.name for _, r in rows if r.status == "unmet"]),
        "missing": _quoted([r.ind.name for _, r in rows if r.status.startswith("missing")]),
        "over": _quoted([r.ind.name for _, r in rows if r.status == "over"], 2),
    }


def _themes(values: dict[str, Any], rng: random.Random) -> list[str]:
    """The problems to write about: what the data show, then one or two general ones."""
    themes = [t for t in ("low", "unmet", "missing") if values[_THEME_KEYS[t]]]
    general = ["targets", "staff", "use", "files"]
    rng.shuffle(general)
    return themes + general[: max(1, 3 - len(themes))]


_THEME_KEYS = {"low": "projects", "unmet": "indicators", "missing": "missing"}


def _themed(
    catalogue: dict[str, tuple[tuple[str, ...], tuple[str, ...]]],
    theme: str,
    values: dict[str, Any],
    rng: random.Random,
) -> str:
    heads, details = catalogue[theme]
    usable = [d for d in details if "{over}" not in d or values["over"]]
    return f"{rng.choice(heads)}，{rng.choice(usable)}".format(**values)


def _write_sections(uy: _UnitYear, rng: random.Random) -> None:
    values = _text_values(uy, rng)
    if rng.random() < 0.3:
        uy.sections["preamble"] = rng.choice(_PREAMBLES)
    first = "，".join(rng.choice(slot) for slot in _ORGANIZATION[:2]) + "，"
    first += "".join(rng.choice(slot) for slot in _ORGANIZATION[2:])
    process = [rng.choice(slot) for slot in _PROCESS]
    if rng.random() < 0.5:  # what was checked before how, or after
        process[2], process[3] = process[3].replace("。", "；"), process[2].replace("；", "。")
    second = "".join(process)
    second = second.replace("；。", "。").replace("，。", "。")
    uy.sections["organization"] = f"{first}\n\n{second}".format(**values)
    themes = _themes(values, rng)
    uy.sections["problems"] = _numbered([_themed(_PROBLEM_THEMES, t, values, rng) for t in themes])
    steps = [_themed(_STEP_THEMES, t, values, rng) for t in themes]
    opening = rng.choice(_STEP_OPENINGS).format(**values)
    uy.sections["next_steps"] = opening + _numbered(steps)


def _write_texts(units: list[_UnitYear], rng: random.Random, plants: bool) -> None:
    for uy in units:
        for project in uy.projects:
            _write_project_texts(project, uy.unit.style.has_goals, rng)
        _write_sections(uy, rng)
    if plants and len(units) >= 2:
        fresh = _fresh(units)
        source, copier = rng.sample(fresh if len(fresh) >= 2 else units, 2)
        copier.sections["problems"] = source.sections["problems"]
        copier.note("copied_paragraph", "sections.problems")
        copier.note("copied_paragraph_from", source.unit.name)


# --------------------------------------------------------------------------------------------
# Specs and files
# --------------------------------------------------------------------------------------------

# Every column jixiao writes, except the free ``note`` the generator never fills.
_PROJECT_COLUMNS = tuple(c for c in schema.PROJECT_COLUMNS if c != "note")
_INDICATOR_COLUMNS = tuple(c for c in schema.INDICATOR_COLUMNS if c != "note")
_REQUIRED = frozenset({"project_id", "category", "name", "level1", "level2", "budget_wan"})
_FEATURE_LABELS = {
    "execution_about_20": "预算执行率约 20%",
    "low_execution_with_reason": "预算执行率低于 90%，已说明原因",
    "low_execution_without_reason": "预算执行率低于 90%，未说明原因",
    "unmet_with_reason": "指标未完成，已说明偏差原因",
    "unmet_without_reason": "指标未完成，未说明偏差原因",
    "near_met": "指标接近但未完全达到目标",
    "over_achieved": "指标超额完成 130% 以上",
    "missing_actual": "缺少实际完成值",
    "missing_target": "缺少目标值",
    "budget_adjusted": "年中预算调整",
    "printed_scores": "填报了分值和自评得分",
    "stated_higher": "自评得分高于按规则计算的得分",
    "stated_all_100": "所有项目自评均为 100 分",
    "copied_reason": "偏差原因与另一单位逐字相同",
    "copied_reason_from": "偏差原因抄自",
    "copied_paragraph": "存在问题一节与另一单位逐字相同",
    "copied_paragraph_from": "存在问题一节抄自",
    "cost_written_ge": "成本指标写成“≥”",
    "renamed": "项目更名（编号不变）",
    "new_projects": "本年新增项目",
    "dropped_projects": "上年有、本年无的项目",
}


@dataclass
class DatasetSpec:
    """One department's fiscal year as it will be written (see :func:`write_dataset`).

    Attributes:
        fiscal_year: 预算年度.
        name: the department's name, also its folder name.
        kind: 局, 委, 镇, 街道, 中学, 小学, 供销社 or 中心.
        department: the content of ``department.yaml``.
        projects: rows of ``projects.csv`` (column → text; empty cells left out).
        indicators: rows of ``indicators.csv``.
        layout: how the tables are written: ``printed`` (分值 and 得分), ``all_100``,
            ``execution_20``, ``chinese_headers``, ``direction_column``, ``rate_only``,
            ``initial_budget``, ``goals``.
        features: what the data hold for the rules to find, by kind (``execution_about_20``,
            ``unmet_without_reason``, ``stated_higher``, ``copied_reason`` …; labels in
            :data:`FEATURE_LABELS`): project codes, or ``code/indicator`` for indicator rows.
    """

    fiscal_year: int
    name: str
    kind: str
    department: dict[str, Any]
    projects: list[dict[str, str]]
    indicators: list[dict[str, str]]
    layout: tuple[str, ...]
    features: dict[str, list[str]]

    def files(self) -> dict[str, str]:
        """The text of each file of the dataset folder, by file name."""
        zh = "chinese_headers" in self.layout
        return {
            "department.yaml": "\n".join(_yaml_lines(self.department)) + "\n",
            "projects.csv": _csv_text(self.projects, _PROJECT_COLUMNS, zh, "项目名称"),
            "indicators.csv": _csv_text(self.indicators, _INDICATOR_COLUMNS, zh, "三级指标"),
        }


FEATURE_LABELS = _FEATURE_LABELS
"""Chinese labels of :attr:`DatasetSpec.features` (as the ``notes`` of department.yaml say)."""


def _csv_text(rows: list[dict[str, str]], columns: Sequence[str], zh: bool, name_zh: str) -> str:
    """CSV text: the required columns and every optional one that has a value somewhere."""
    used = [c for c in columns if c in _REQUIRED or c == "name" or any(r.get(c) for r in rows)]
    # Chinese headers as jixiao writes them (and analysts' own tables have them); ``name`` is
    # 项目名称 in projects.csv and 三级指标 in indicators.csv.
    labels = {**schema.COLUMN_LABELS_ZH, "name": name_zh} if zh else {}
    headers = [labels.get(c, c) for c in used]
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(headers)
    writer.writerows([row.get(c, "") for c in used] for row in rows)
    return buffer.getvalue()


class _Raw(str):
    """A YAML scalar written as it is (a date)."""


_PLAIN = re.compile(r"[^\s\-?:,\[\]{}#&*!|>'\"%@`0-9.+~=<≥≤][^\n]*")


def _yaml_scalar(value: Any) -> str:
    if isinstance(value, _Raw):
        return str(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, Decimal)):
        return _num(value)
    text = str(value)
    plain = _PLAIN.fullmatch(text) and ": " not in text and " #" not in text
    return (
        text
        if plain and text == text.strip() and not text.endswith(":")
        else json.dumps(text, ensure_ascii=False)
    )


def _yaml_lines(value: dict[str, Any], indent: int = 0) -> list[str]:
    """A mapping as block YAML: nested mappings, lists of mappings, multi-line text as ``|``."""
    pad = " " * indent
    lines: list[str] = []
    for key, item in value.items():
        if isinstance(item, dict):
            lines += [f"{pad}{key}:", *_yaml_lines(item, indent + 2)]
        elif isinstance(item, list):
            lines.append(f"{pad}{key}:")
            for entry in item:
                inner = _yaml_lines(entry, indent + 4)
                lines += [f"{pad}  - {inner[0].lstrip()}", *inner[1:]]
        elif isinstance(item, str) and "\n" in item:
            lines.append(f"{pad}{key}: |")
            lines += [f"{pad}  {line}" if line else "" for line in item.strip("\n").split("\n")]
        else:
            lines.append(f"{pad}{key}: {_yaml_scalar(item)}")
    return lines


def _project_row(uy: _UnitYear, project: _Project) -> dict[str, str]:
    style = uy.unit.style
    row = {
        "project_id": project.code,
        "category": project.plan.template.category,
        "name": project.name,
        "initial_budget_wan": _wan(project.initial) if project.initial is not None else "",
        "budget_wan": _wan(project.ctx.budget),
        "spent_wan": "" if style.rate_only else _wan(project.ctx.spent),
        "stated_execution_rate_pct": _num(project.rate_pct) if style.states_rate else "",
        "outcome": project.outcome,
        "low_execution_reason": project.low_reason or "",
        "goal_target": project.goal_target or "",
        "goal_actual": project.goal_actual or "",
    }
    if style.has_goals:
        row["supervising_department"] = uy.unit.seed.supervisor
        row["implementing_unit"] = uy.unit.name
    if style.printed:
        row["execution_weight"] = str(style.execution_weight)
        row["stated_execution_score"] = _num(project.stated_execution or Decimal(0))
    if project.stated_score is not None:
        row["stated_score"] = _num(project.stated_score)
    return row


def _indicator_row(project: _Project, row: _Row) -> dict[str, str]:
    return {
        "project_id": project.code,
        "level1": row.ind.level1,
        "level2": row.ind.level2,
        "name": row.ind.name,
        "target": row.value.target or "",
        "actual": row.value.actual or "",
        "weight": "" if row.weight is None else str(row.weight),
        "stated_score": "" if row.stated is None else _num(row.stated),
        "direction": row.value.direction or "",
        "deviation_reason": row.reason or "",
    }


_STATUS_FEATURES = {
    "over": "over_achieved",
    "near": "near_met",
    "missing_actual": "missing_actual",
    "missing_target": "missing_target",
}


def _observe(uy: _UnitYear, previous: _UnitYear | None) -> None:
    """Record what the data hold (as the rules will see it) in the year's features."""
    for project in uy.projects:
        rate = project.rate_pct
        if rate < 90:
            uy.note(
                "low_execution_with_reason"
                if project.low_reason
                else "low_execution_without_reason",
                project.code,
            )
        if 15 <= rate <= 25:
            uy.note("execution_about_20", project.code)
        if project.initial is not None and project.initial != project.ctx.budget:
            uy.note("budget_adjusted", project.code)
        for row in project.rows:
            key = _STATUS_FEATURES.get(row.status)
            if row.status == "unmet":
                key = "unmet_with_reason" if row.reason else "unmet_without_reason"
            if key:
                uy.note(key, f"{project.code}/{row.ind.name}")
    if previous is not None:
        before = {p.code: p.name for p in previous.projects}
        now = {p.code: p.name for p in uy.projects}
        uy.note("renamed", *(c for c, n in now.items() if c in before and before[c] != n))
        uy.note("new_projects", *(c for c in now if c not in before))
        uy.note("dropped_projects", *(c for c in before if c not in now))


def _notes(uy: _UnitYear, seed: int) -> str:
    lines = [
        f"合成数据：由 helpers.synthetic 生成（种子 {seed}），单位、项目与数值均为虚构。",
        "本年度数据中的情况（供检验评分与复核规则）：",
    ]
    for key, label in _FEATURE_LABELS.items():
        where = uy.features.get(key)
        if where:
            lines.append(f"- {label}：{'；'.join(where)}")
    return "\n".join(lines)


def _department(uy: _UnitYear, seed: int) -> dict[str, Any]:
    """The content of department.yaml: totals with basic expenditure, documents, sections."""
    rng = random.Random(f"{_SALT}/{seed}/{uy.year}/{uy.unit.index}/department")
    budget = sum(p.ctx.budget for p in uy.projects)
    spent = sum(p.ctx.spent for p in uy.projects)
    basic = round(budget * rng.uniform(0.3, 1.5) / 100) * 100
    budget, spent = budget + basic, spent + math.floor(basic * rng.uniform(0.97, 1.0))
    seed_unit, style = uy.unit.seed, uy.unit.style
    categories = list(dict.fromkeys(p.plan.template.category for p in uy.projects))
    headings = _CATALOGUES[seed_unit.catalogue].categories | _CATALOGUES["generic"].categories
    info: dict[str, Any] = {"name": uy.unit.name}
    if seed_unit.title_name:
        info["title_name"] = seed_unit.title_name
    info |= {
        "fiscal_year": uy.year,
        "budget_wan": Decimal(budget).scaleb(-4),
        "spent_wan": Decimal(spent).scaleb(-4),
        "stated_execution_rate_pct": _round2(Fraction(spent, budget) * 100),
        "report_date": _Raw(f"{uy.year + 1}-{rng.randint(3, 4):02d}-{rng.randint(1, 28):02d}"),
        "signer": uy.unit.name,
        "basis_documents": [
            {"issuer": "财政部", "title": "项目支出绩效评价管理办法", "number": "财预〔2020〕10号"},
            {
                "issuer": f"{seed_unit.county}财政局",
                "title": f"关于开展{uy.year}年度预算绩效自评工作的通知",
                "number": f"{seed_unit.county[:1]}财绩〔{uy.year + 1}〕{rng.randint(1, 12)}号",
            },
        ],
        "categories": [{"name": c, "heading": headings[c][1]} for c in categories],
        "sections": uy.sections,
    }
    if style.execution_weight != 10:
        info["template"] = {
            "execution_weight": style.execution_weight,
            "level_weights": _LEVEL_POINTS[style.execution_weight],
        }
    info["notes"] = _notes(uy, seed)
    return info


def _layout(style: _Style) -> tuple[str, ...]:
    tags = {
        "printed": style.printed,
        "all_100": style.all_100,
        "execution_20": style.execution_weight == 20,
        "chinese_headers": style.chinese_headers,
        "direction_column": style.direction_words is not None,
        "rate_only": style.rate_only,
        "initial_budget": style.has_initial,
        "goals": style.has_goals,
    }
    return tuple(tag for tag, on in tags.items() if on)


def _spec(uy: _UnitYear, seed: int) -> DatasetSpec:
    return DatasetSpec(
        fiscal_year=uy.year,
        name=uy.unit.name,
        kind=uy.unit.kind,
        department=_department(uy, seed),
        projects=[_project_row(uy, p) for p in uy.projects],
        indicators=[_indicator_row(p, r) for p in uy.projects for r in p.rows],
        layout=_layout(uy.unit.style),
        features={k: v for k, v in uy.features.items() if v},
    )


# --------------------------------------------------------------------------------------------
# The public functions
# --------------------------------------------------------------------------------------------


def _district_year(
    units: list[_Unit], year: int, years: tuple[int, ...], seed: int, options: DistrictOptions
) -> list[_UnitYear]:
    rng = random.Random(f"{_SALT}/{seed}/{year}/district")
    year_units = [_realise_unit(unit, year, years, seed) for unit in units]
    copied = _plant(year_units, rng, options, last=year == years[-1])
    _write_reasons(year_units, rng, copied)
    _state_scores(year_units, rng)
    _write_texts(year_units, rng, options.plants)
    return year_units


def _checked_years(years: Iterable[int]) -> tuple[int, ...]:
    result = tuple(sorted(set(years)))
    if not result or any(not 2000 <= y <= 2099 for y in result):
        raise ValueError(f"years must be fiscal years from 2000 to 2099, not {years!r}")
    return result


def make_district(
    n_departments: int,
    projects_per_department: tuple[int, int] = (3, 8),
    seed: int = 0,
    years: Iterable[int] = (2020, 2021),
    *,
    options: DistrictOptions | None = None,
) -> list[DatasetSpec]:
    """A synthetic district: every department's dataset for every year, deterministic for a seed.

    Args:
        n_departments: how many departments (whole counties of about 45 units are used one after
            another; the first six of a county are a 局, a 委, a 镇, a 中学, a 供销社 and a 街道).
        projects_per_department: the fewest and most projects of a department in the last year
            (earlier years may have one more or one fewer: projects are new or dropped).
        seed: the same seed gives the same district.
        years: the fiscal years; the last is the one the plants are made for first (the ~20 %
            execution with a reason), earlier ones have the same departments and project codes.
        options: the knobs of :class:`DistrictOptions`.

    Returns:
        One :class:`DatasetSpec` per year and department, by year, then in the district's order.

    Raises:
        ValueError: for a non-positive number of departments or projects, or a bad year.
    """
    low, high = projects_per_department
    if n_departments < 1 or not 1 <= low <= high:
        raise ValueError("need at least one department and 1 ≤ min ≤ max projects")
    year_list = _checked_years(years)
    options = options or DistrictOptions()
    units = _plan_units(n_departments, (low, high), seed, year_list, options)
    specs: list[DatasetSpec] = []
    previous: list[_UnitYear] | None = None
    for year in year_list:
        current = _district_year(units, year, year_list, seed, options)
        for i, uy in enumerate(current):
            _observe(uy, previous[i] if previous else None)
        specs += [_spec(uy, seed) for uy in current]
        previous = current
    return specs


def write_dataset(spec: DatasetSpec, folder: str | Path) -> Path:
    """Write one dataset as ``<folder>/<year>/<department>/`` in jixiao's CSV layout.

    CSV files are UTF-8 with a BOM (as jixiao writes them, so Excel opens them), YAML plain UTF-8.
    The three files are replaced; anything else in the folder is left alone.

    Returns:
        The dataset folder.
    """
    target = Path(folder) / str(spec.fiscal_year) / spec.name
    target.mkdir(parents=True, exist_ok=True)
    for name, text in spec.files().items():
        encoding = "utf-8-sig" if name.endswith(".csv") else "utf-8"
        (target / name).write_bytes(text.encode(encoding))
    return target


def write_district(
    folder: str | Path,
    n_departments: int,
    projects_per_department: tuple[int, int] = (3, 8),
    seed: int = 0,
    years: Iterable[int] = (2020, 2021),
    *,
    options: DistrictOptions | None = None,
) -> list[Path]:
    """Make a district (:func:`make_district`) and write it under ``folder``.

    Returns:
        The dataset folders written (``<folder>/<year>/<department>``), by year.
    """
    specs = make_district(n_departments, projects_per_department, seed, years, options=options)
    return [write_dataset(spec, folder) for spec in specs]
