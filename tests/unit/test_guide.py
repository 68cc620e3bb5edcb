"""The 向导式 guide: answers → the exact materials, terms, or the next question — checked against a table written by
hand from the seed's guides, and exhaustively over every item with questions."""

from __future__ import annotations

import itertools
from collections.abc import Iterator

import pytest

from app.domain.catalogue import load_catalogue_file
from app.domain.models import ServiceItem
from app.services.errors import UserFacingError
from app.services.guide import GuideAnswerError, guide_for, parse_answer_args
from resources import resource_path

SEED = load_catalogue_file(resource_path("catalogue", "seed.json"))


def _item(code: str) -> ServiceItem:
    item = SEED.get(code)
    assert item is not None, code
    return item


#: (item code, answers, the materials the applicant brings — by name, in the guide's order). Written by hand.
TABLE: list[tuple[str, dict[str, str], list[str]]] = [
    # 住房公积金提取（偿还住房贷款）: the spouse question follows 已婚 only
    (
        "210800200310000",
        {"loan_type": "住房公积金贷款", "marital": "未婚"},
        ["申请人居民身份证", "本人银行卡"],
    ),
    (
        "210800200310000",
        {"loan_type": "商业银行贷款", "marital": "已婚", "spouse_withdraws": "否"},
        ["申请人居民身份证", "本人银行卡", "商业银行借款合同及还款明细", "结婚证"],
    ),
    (
        "210800200310000",
        {"loan_type": "住房公积金贷款", "marital": "已婚", "spouse_withdraws": "是"},
        ["申请人居民身份证", "本人银行卡", "结婚证", "配偶居民身份证", "配偶银行卡"],
    ),
    # 房屋所有权转移登记（赠与）: 房屋类型, 是否有抵押 → 抵押权人能否到场, 婚姻状况
    (
        "210800070413000",
        {"donee": "直系亲属", "house_type": "住宅", "mortgaged": "否", "marital": "未婚"},
        [
            "不动产登记申请书",
            "赠与双方居民身份证",
            "不动产权证书",
            "经公证的赠与合同",
            "契税完税凭证",
            "直系亲属关系证明",
        ],
    ),
    (
        "210800070413000",
        {
            "donee": "其他",
            "house_type": "非住宅",
            "mortgaged": "是",
            "mortgagee_consent": "否，需要公证",
            "marital": "已婚",
        },
        [
            "不动产登记申请书",
            "赠与双方居民身份证",
            "不动产权证书",
            "经公证的赠与合同",
            "契税完税凭证",
            "土地出让合同及出让金缴纳凭证",
            "抵押权人同意转移的书面意见",
            "抵押权人同意转移的公证意见",
            "结婚证",
        ],
    ),
    # 国有建设用地使用权及房屋所有权转移登记（二手房买卖）(hand-written seed item)
    (
        "210800070402000",
        {"marital": "离异", "agent": "代办"},
        [
            "不动产登记申请书",
            "买卖双方居民身份证",
            "不动产权证书",
            "存量房买卖合同",
            "契税完税凭证",
            "离婚证及离婚协议书或法院判决书",
            "代理人居民身份证",
            "经公证的授权委托书",
        ],
    ),
    # 企业社会保险登记: 单位类型
    (
        "210800200107000",
        {"enterprise_type": "民办非企业单位", "agent": "本人办理"},
        ["社会保险登记表", "民办非企业单位登记证书", "法定代表人居民身份证"],
    ),
    # 职工退休申请: 退休类型 × 视同缴费年限
    (
        "210800070108000",
        {"retire_type": "提前退休（特殊工种）", "deemed_years": "有"},
        [
            "申请人居民身份证",
            "职工退休申报表",
            "本人人事档案",
            "特殊工种名录及从事特殊工种工作记录",
            "视同缴费年限认定材料（招工、调动、工资审批表等）",
        ],
    ),
    # 灵活就业人员医疗保险参保登记: 是否首次参保
    ("210800200209000", {"first_time": "首次参保", "agent": "本人办理"}, ["申请人居民身份证"]),
    (
        "210800200209000",
        {"first_time": "曾参保，中断后续保", "agent": "代办"},
        ["申请人居民身份证", "原参保地参保凭证", "代办人居民身份证", "授权委托书"],
    ),
    # 不动产继承转移登记: 放弃继承 is asked only when all heirs apply together
    (
        "210800070411000",
        {"inherit_way": "全体继承人共同申请", "waiver": "有"},
        [
            "不动产登记申请书",
            "不动产权证书",
            "继承人居民身份证",
            "居民死亡医学证明（推断）书或死亡证明",
            "亲属关系证明",
            "放弃继承声明书",
        ],
    ),
    (
        "210800070411000",
        {"inherit_way": "公证继承"},
        [
            "不动产登记申请书",
            "不动产权证书",
            "继承人居民身份证",
            "居民死亡医学证明（推断）书或死亡证明",
            "继承权公证书",
        ],
    ),
    # 死亡人员户口注销
    (
        "210802070508000",
        {"death_place": "境外", "has_id_card": "已遗失"},
        ["逝者居民户口簿", "申报人居民身份证", "经认证的境外死亡证明"],
    ),
    # 食品经营许可
    (
        "210800010608000",
        {"food_scope": "含热食类食品制售", "entity": "个体工商户", "agent": "本人办理"},
        ["食品经营许可申请书", "营业执照", "食品安全管理制度", "经营场所平面图和设备布局图", "食品加工制作流程"],
    ),
    # 残疾人证新办
    (
        "210800070709000",
        {"disability": "精神", "on_site": "不能"},
        ["申请人居民身份证", "居民户口簿", "近期二寸免冠照片", "监护人居民身份证", "监护关系证明", "上门评定申请书"],
    ),
    # 道路运输证年度审验
    (
        "210804100811000",
        {"vehicle": "旅客运输车辆"},
        ["道路运输证", "机动车行驶证", "机动车综合性能检测报告", "卫星定位装置安装证明"],
    ),
]


@pytest.mark.parametrize(("code", "answers", "expected"), TABLE)
def test_the_guide_lists_exactly_the_materials_of_the_situation(
    code: str, answers: dict[str, str], expected: list[str]
) -> None:
    guide = guide_for(_item(code), answers)

    assert guide.complete
    assert [m.name for m in guide.materials] == expected


def test_the_table_covers_at_least_ten_items() -> None:
    assert len({code for code, _, _ in TABLE}) >= 10


def test_the_next_question_comes_in_order_and_follow_ups_only_when_they_apply() -> None:
    item = _item("210800070413000")

    assert guide_for(item, {}).next_question is not None
    assert guide_for(item, {}).next_question.id == "donee"  # type: ignore[union-attr]
    after_mortgage = guide_for(item, {"donee": "其他", "house_type": "住宅", "mortgaged": "是"})
    assert after_mortgage.next_question is not None and after_mortgage.next_question.id == "mortgagee_consent"
    no_mortgage = guide_for(item, {"donee": "其他", "house_type": "住宅", "mortgaged": "否"})
    assert no_mortgage.next_question is not None and no_mortgage.next_question.id == "marital"


def test_a_moot_follow_up_answer_is_dropped_not_counted() -> None:
    """The applicant said 已婚 and 配偶同时提取, then corrected to 未婚: no spouse papers, and the answer is gone."""
    guide = guide_for(
        _item("210800200310000"), {"loan_type": "住房公积金贷款", "marital": "未婚", "spouse_withdraws": "是"}
    )

    assert guide.complete
    assert "spouse_withdraws" not in guide.answers
    assert all("配偶" not in m.name for m in guide.materials)


def test_terms_come_with_the_materials() -> None:
    data = guide_for(
        _item("210800070413000"), {"donee": "其他", "house_type": "住宅", "mortgaged": "否", "marital": "未婚"}
    ).as_json()

    assert data["complete"] is True
    assert (data["legal_days"], data["promised_days"], data["immediate"]) == (30, 5, False)
    assert data["fee_fen"] == 8000
    assert data["delivery_methods"] == ["window_pickup", "mail", "e_licence"]
    lines = guide_for(
        _item("210800070413000"), {"donee": "其他", "house_type": "住宅", "mortgaged": "否", "marital": "未婚"}
    ).as_lines()
    assert "法定时限：30 个工作日" in lines and "承诺时限：5 个工作日" in lines
    assert any(line.startswith("收费：80 元") for line in lines)
    assert "送达方式：窗口领取、邮寄送达、电子证照" in lines


@pytest.mark.parametrize(
    ("answers", "message"),
    [({"house": "住宅"}, "没有情形问题 house"), ({"mortgaged": "有"}, "“房屋是否有抵押？”的回答应为以下之一：是、否")],
)
def test_a_bad_answer_is_refused_in_chinese(answers: dict[str, str], message: str) -> None:
    with pytest.raises(GuideAnswerError) as info:
        guide_for(_item("210800070413000"), answers)
    assert message in str(info.value)


def test_answer_arguments_are_parsed_or_refused() -> None:
    assert parse_answer_args(["marital=已婚", " agent = 代办 "]) == {"marital": "已婚", "agent": "代办"}
    with pytest.raises(UserFacingError):
        parse_answer_args(["marital"])


def _all_situations(item: ServiceItem) -> Iterator[dict[str, str]]:
    """Every complete set of answers the guide can reach, by walking its questions."""
    pending = [dict[str, str]()]
    while pending:
        answers = pending.pop()
        guide = guide_for(item, answers)
        if guide.next_question is None:
            yield dict(guide.answers)
            continue
        pending.extend({**answers, guide.next_question.id: option} for option in guide.next_question.options)


@pytest.mark.parametrize("item", [i for i in SEED.items if i.questions], ids=lambda i: i.code)
def test_every_situation_of_every_item_ends_with_a_list(item: ServiceItem) -> None:
    """For every item with questions: every path ends, required materials are always listed, and every conditional
    material is listed in some situation (none is unreachable)."""
    seen: set[str] = set()
    situations = list(itertools.islice(_all_situations(item), 5000))
    assert situations
    for answers in situations:
        guide = guide_for(item, answers)
        assert guide.complete
        names = {m.code for m in guide.materials}
        assert {m.code for m in item.materials if m.required} <= names
        seen |= names
    assert seen == {m.code for m in item.materials}


# --- 一件事 ---------------------------------------------------------------------------------------------------------


def test_a_bundle_guide_asks_its_own_question_first_then_each_member_question_once() -> None:
    from app.services.guide import bundle_guide_for

    bundle = SEED.bundle("210800YJS001")  # 新生儿出生一件事
    assert bundle is not None

    first = bundle_guide_for(bundle, SEED.get, {})
    assert first.next_question is not None and first.next_question.id == "social_card"
    asked: list[str] = []
    answers = {"social_card": "是"}
    while (guide := bundle_guide_for(bundle, SEED.get, answers)).next_question is not None:
        question = guide.next_question
        assert question.id not in asked  # 本人办理还是代办 is asked once for 医保 and 社保卡 alike
        asked.append(question.id)
        answers[question.id] = question.options[0]
    assert asked.count("agent") == 1

    shared = {s.name: names for s, names in guide.shared}
    assert shared["出生医学证明"] == ("出生登记", "城乡居民基本医疗保险参保登记", "社会保障卡申领")
    own = {g.item.name: [m.name for m in materials] for g, materials in guide.members}
    assert "出生医学证明" not in own["出生登记"]  # given once, as a shared document
    assert set(own) == {"出生医学证明首次签发", "出生登记", "城乡居民基本医疗保险参保登记", "社会保障卡申领"}


def test_a_bundle_question_drops_a_member_and_a_bad_answer_is_refused() -> None:
    from app.services.guide import bundle_guide_for

    bundle = SEED.bundle("210800YJS001")
    assert bundle is not None

    without_card = bundle_guide_for(bundle, SEED.get, {"social_card": "否"})
    assert "社会保障卡申领" not in [g.item.name for g, _ in without_card.members]
    with pytest.raises(GuideAnswerError):
        bundle_guide_for(bundle, SEED.get, {"social_card": "也许"})
    with pytest.raises(GuideAnswerError):
        bundle_guide_for(bundle, SEED.get, {"twins": "是"})


def test_a_shared_question_worded_otherwise_by_a_member_takes_the_option_in_the_same_place() -> None:
    """企业开办一件事: 有限责任公司设立登记 asks 本人办理/委托代理人, the other members 本人办理/代办 under the same
    id. One answer (委托代理人) serves every member: each lists its own agent papers (hand-written from the
    catalogue)."""
    from app.services.guide import bundle_guide_for

    bundle = SEED.bundle("210800YJS002")
    assert bundle is not None
    answers = {"gjj": "否", "agent": "委托代理人", "entity": "有限责任公司", "enterprise_type": "企业"}
    guide = bundle_guide_for(bundle, SEED.get, answers)
    assert guide.complete
    assert [q for q, _a in guide.situation] == [
        "是否同时办理住房公积金单位缴存登记？",
        "法定代表人（负责人）本人办理还是委托代理人办理？",
        "市场主体类型？",
        "单位类型？",
    ]
    own = {g.item.name: [m.name for m in materials] for g, materials in guide.members}
    assert "委托代理人身份证件" in own["有限责任公司设立登记"]
    assert own["公章刻制备案"] == ["代办人居民身份证", "授权委托书"]
    assert guide.answers["agent"] == "委托代理人"
    alone = bundle_guide_for(bundle, SEED.get, {**answers, "agent": "本人办理"})
    assert all("代办人居民身份证" not in [m.name for m in materials] for _g, materials in alone.members)
