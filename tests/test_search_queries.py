"""The search query set: a realistic set of recommendations and the queries officials type.

Checks that the expected items rank in the first five, and that search finds EVERY item whose
normalised text contains the normalised query, for the table's queries and for random
substrings of the items' texts, and nothing that neither contains the query nor has all its
words.
"""

import random

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from recommendations.models import Recommendation
from recommendations.search import normalize, order_by_rank, parse_query, search_queryset

CORPUS = {
    "talent_zone": (
        "深化AI人才国际化布局",
        "二是深化AI人才国际化布局。落实《海淀区建设人工智能人才特区的若干措施》,优化“海英计划”"
        "对国际顶尖人才的支持,将奖励向跨境创新人才倾斜。",
    ),
    "talent_fullwidth": (
        "引育ＡＩ人才",
        "一是引育ＡＩ人才。面向高校毕业生设立“青年ＡＩ工程师”岗位,给予住房和子女入学保障。",
    ),
    "talent_spaced": (
        "完善人才评价",
        "三是完善评价机制。对AI 领域的青年人才实行以成果论英雄,破除唯论文、唯帽子倾向。",
    ),
    "incubation": (
        "加大AI原生产业国际孵化力度",
        "一是加大AI原生产业国际孵化力度。深入实施“人工智能+”行动,推动校区、园区、社区“三区”"
        "融合,升级“中关村AI北纬社区”国际孵化功能,构建“实验室—孵化加速—成长”全周期培育体系。",
    ),
    "exchange": (
        "搭建AI高端国际交流平台",
        "三是搭建AI高端国际交流平台。借力北京智源大会、“创客北京”大赛等品牌活动,引入全球性AI竞赛"
        "与峰会,拓展与欧洲、中东及“一带一路”沿线国家的合作网络。",
    ),
    "agent_platform": (
        "赋能本土主体走出去",
        "一是赋能本土主体“走出去”。推动智能芯片、医疗智能等赛道企业出海,通过AI工具超市、Agent"
        "开发平台输出定制化方案,提升产品国际适配能力。",
    ),
    "bonded_zone": (
        "打造全球AI创新产业高地",
        "二是打造全球AI创新产业高地。升级中关村综合保税区数字化水平,打造AI产品跨境通关绿色通道,"
        "用人工智能优化报关、检验流程,提升跨境贸易效率。",
    ),
    "intl_standard": (
        "参与AI国际标准制定",
        "三是参与AI国际标准制定。鼓励企业、高校参与ISO、IEC等国际标准化组织活动,将大模型、具身智能"
        "领域的成果转化国际标准提案,搭建AI标准验证推广平台。",
    ),
    "open_source": (
        "构建国际AI技术社区",
        "发挥海淀大模型开源技术底座优势,构建国际AI技术社区,吸引全球开发者参与标准制定与技术创新。",
    ),
    "foreign_services": (
        "构建智能国际化服务场景",
        "一是在涉外服务领域,依托AI翻译、智能咨询技术,完善多语言政务平台,在重点区域增设多语言智能"
        "导视、AI语音翻译设备,构建“15分钟国际化生活圈”。",
    ),
    "business_env": (
        "以AI赋能国际一流营商环境",
        "二是在营商环境领域,深化“海淀服务”品牌建设,搭建营商环境大模型,强化企业信息、市场趋势、"
        "政策数据的智能联动分析,为企业精准决策提供支撑。",
    ),
    "compute_power": (
        "“算力”“电力”统筹部署",
        "一是“算力”“电力”统筹部署,选择周边电力优势区域,联合建设智算共享中心,为高性能AI算力集群"
        "建设奠定基础。",
    ),
    "architecture": (
        "推动架构创新与开源生态建设",
        "二是推动架构创新与开源生态建设,支持区内AI新型研发机构突破Transformer等现有架构,探索"
        "脑启发计算、量子混合模型等新路径。",
    ),
    "distillation": (
        "制定模型压缩与蒸馏的通用标准",
        "一是针对模型轻量化需求,支持区内相关主体制定模型压缩与蒸馏的通用标准,支持区内AI企业利用"
        "“模型蒸馏”技术开发“小而强”的模型。",
    ),
    "opc": (
        "发布OPC支持计划",
        "二是发布“OPC”支持计划,推动“一人创业公司”发展,加速催生一批AI原生的超级个体公司。",
    ),
    "agent_work": (
        "加强职业技能培训与组织变革",
        "三是加强职业技能培训与组织变革,支持区内AI企业推出生成式AI认证计划,促进建立适应智能体协同"
        "的工作模式和技能体系。",
    ),
    "agent_trend": (
        "智能体的自动化突破",
        "三是智能体的自动化突破。从“学习与搜索”到“自动感知、策划与执行”,智能体正承担更多复杂任务,"
        "企业级Agent将成为新的生产工具。",
    ),
    "multimodal": (
        "多模态融合与智能体进化",
        "三是多模态融合与智能体进化。文本、图像、声音的多模态交互能力,让AI更贴近人类认知方式。",
    ),
    "citizen_needs": (
        "锚定以居民为中心的转型战略",
        "融合线上12345热线、社群平台实时捕捉的高频诉求以及线下专项调研成果,每季度梳理生成《居民数智化"
        "需求优先级清单》。",
    ),
    "data_base": (
        "筑牢“数据底座”",
        "二、筑牢“数据底座”:让“沉睡数据”变成治理“活水源”。打通“数据壁垒”,构建“可用、可信、可控”"
        "的基层数据中台。",
    ),
    "data_portrait": (
        "用数据画像驱动精准服务",
        "通过分析辖区老人的就诊数据等信息,为高风险老人自动推送“定期上门巡访”等服务;通过企业租房、"
        "纳税等数据,识别“准倒闭”风险企业。",
    ),
    "complaints": (
        "“接诉即办”场景:从被动响应到主动治理",
        "“接诉即办”场景:构建“诉求智能研判系统”,运用自然语言处理(NLP)技术自动识别诉求标签、分派;"
        "对高频问题区域进行AI预测预警。",
    ),
    "community": (
        "“社区治理”场景",
        "在老旧小区试点“智慧社区平台”,通过AI摄像头识别高空抛物等行为,自动推送至管理人员。",
    ),
    "service_store": (
        "“民生服务”场景",
        "整合政务服务、便民资源,打造“街道服务旗舰店”;为企业提供可自动计算惠企补贴、税费减免的"
        "“政策计算器”“诉求直通车”。",
    ),
    "task_force": (
        "组建街道数智化专班",
        "组建由主要领导任组长的“街道数智化专班”,吸纳具备数字素养的年轻干部,培养数智化复合型人才"
        "队伍。",
    ),
    "tax_incentive": (
        "落实研发费用加计扣除",
        "其一,落实研发费用加计扣除和高新技术企业所得税优惠,对算法备案企业给予一次性奖励。",
    ),
    "compute_voucher": (
        "发放算力券",
        "第二,面向中小企业发放算力券,降低大模型训练和推理成本,支持企业使用国产芯片。",
    ),
    "data_platform_ocr": (
        "建设区级数据底座和数据中台",
        "1.统筹建设区级数据底座,推动政务数据、公共数据与社会数据融合;2.以数据中台支撑<script>"
        "类异常字符过滤。",
    ),
    "hotline": (
        "提升12345热线接诉即办质效",
        "一要提升12345热线接诉即办质效,运用大模型自动生成工单摘要,缩短响应时间。",
    ),
    "standard_national": (
        "开展国家标准验证试点",
        "依托区内国家标准验证试点资源,推动国产技术标准国际化认可,让海淀成为人工智能国际规则的重要"
        "参与者。",
    ),
}

# Query → items that must be among the first five results.
EXPECTED_TOP5 = {
    "人才": {"talent_zone", "talent_fullwidth", "talent_spaced"},
    "数据底座": {"data_base", "data_platform_ocr"},
    "智能体": {"agent_work", "agent_trend", "multimodal"},
    "国际标准": {"intl_standard"},
    "税": {"bonded_zone", "data_portrait", "service_store", "tax_incentive"},
    "AI人才": {"talent_zone", "talent_fullwidth", "talent_spaced"},
    "OPC": {"opc"},
    "opc": {"opc"},
    "Agent": {"agent_platform", "agent_trend"},
    "ＡＩ人才": {"talent_zone", "talent_fullwidth"},
    "算力": {"compute_power", "compute_voucher"},
    "接诉即办": {"complaints", "hotline"},
    "大模型": {"business_env", "compute_voucher", "hotline"},
    "数智化": {"task_force", "citizen_needs"},
    "12345": {"citizen_needs", "hotline"},
    "标准 验证": {"intl_standard", "standard_national"},
    "人才国际化": {"talent_zone"},
    "模型蒸馏": {"distillation"},
    "NLP": {"complaints"},
    "海淀 人才": {"talent_zone"},
}

# Query → the item that must come first.
EXPECTED_FIRST = {
    "OPC": "opc",
    "国际标准": "intl_standard",
    "模型蒸馏": "distillation",
    "接诉即办": "complaints",
    "算力": "compute_power",
}


@pytest.fixture
def corpus(article):
    items = {}
    for order, (key, (heading, text)) in enumerate(CORPUS.items(), start=1):
        items[key] = Recommendation.objects.create(
            article=article,
            number=str(order),
            order=order,
            depth=2,
            place=f"一、{order}",
            heading=heading,
            text=text,
        )
    return items


def ranked_keys(corpus, query):
    by_pk = {item.pk: key for key, item in corpus.items()}
    results = order_by_rank(search_queryset(Recommendation.objects.all(), query))
    return [by_pk[pk] for pk in results.values_list("pk", flat=True)]


def expected_matches(corpus, query):
    """Items containing every run of the query, or holding every query word as a word."""
    parsed = parse_query(query)
    found = set()
    for key, item in corpus.items():
        text = normalize(f"{item.heading}\n{item.text}")
        item_words = set(item.search_words.split())
        if all(run in text for run in parsed.runs) or set(parsed.words) <= item_words:
            found.add(key)
    return found


def containing(corpus, query):
    needle = normalize(query).strip()
    return {
        key
        for key, item in corpus.items()
        if needle in normalize(item.heading) or needle in normalize(item.text)
    }


@pytest.mark.parametrize("query", sorted(EXPECTED_TOP5))
def test_expected_items_rank_in_the_first_five(corpus, query):
    top5 = ranked_keys(corpus, query)[:5]
    assert EXPECTED_TOP5[query] <= set(top5), top5


@pytest.mark.parametrize("query", sorted(EXPECTED_FIRST))
def test_the_best_item_comes_first(corpus, query):
    assert ranked_keys(corpus, query)[0] == EXPECTED_FIRST[query]


@pytest.mark.parametrize("query", [*sorted(EXPECTED_TOP5), "ＡＩ", "Ｏｐｃ", "AI", "工作模式"])
def test_it_finds_exactly_the_items_that_contain_the_query_or_all_its_words(corpus, query):
    found = set(ranked_keys(corpus, query))
    assert containing(corpus, query) <= found
    assert found == expected_matches(corpus, query)


def test_full_width_query_finds_the_same_items_as_half_width(corpus):
    assert ranked_keys(corpus, "ＡＩ") == ranked_keys(corpus, "ai")
    assert "talent_fullwidth" in ranked_keys(corpus, "AI")


def test_words_in_another_order_still_match(corpus):
    # talent_zone says 人才国际化 and 国际顶尖人才, never 国际化人才.
    keys = ranked_keys(corpus, "国际化人才")
    assert "talent_zone" in keys
    assert "国际化人才" not in normalize(CORPUS["talent_zone"][1])


def test_every_substring_of_every_item_finds_its_item(corpus):
    rng = random.Random(20251104)
    for key, item in corpus.items():
        text = normalize(item.text)
        for _ in range(4):
            length = rng.randint(1, 4)
            start = rng.randrange(0, max(1, len(text) - length))
            needle = text[start : start + length]
            if parse_query(needle) is None:
                continue  # only punctuation: a blank query leaves the list unfiltered
            found = set(ranked_keys(corpus, needle))
            assert containing(corpus, needle) <= found, needle
            assert key in found, needle


@settings(
    max_examples=40,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_hypothesis_substrings_are_found_exactly(corpus, data):
    key = data.draw(st.sampled_from(sorted(CORPUS)))
    text = normalize(f"{CORPUS[key][0]}\n{CORPUS[key][1]}")
    length = data.draw(st.integers(min_value=1, max_value=4))
    start = data.draw(st.integers(min_value=0, max_value=len(text) - length))
    needle = text[start : start + length]
    if parse_query(needle) is None:
        assert search_queryset(Recommendation.objects.all(), needle).count() == len(corpus)
        return
    found = set(ranked_keys(corpus, needle))
    assert key in found
    assert containing(corpus, needle) <= found
    assert found == expected_matches(corpus, needle)
