"""Add the sample items (and 一件事 bundles) of issue 17 to the shipped seed catalogue.

The seed's first 48 items were written by hand; this script appends 60 more so the seed has the city's 108 全市通办
items, with 情形 questions where the materials depend on the applicant's situation (房屋类型, 是否有抵押, 婚姻状况,
是否首次申领, 企业类型 …) and follow-up questions where the guide reads that way. Names, departments, time limits,
fees and materials are modelled on published Liaoning guides but are SAMPLE DATA (the header says `"sample": true`);
the platform's catalogue replaces them.

Run from the repository root: `python scripts/gen_seed_items.py` (idempotent: items with the codes below are
replaced; the hand-written ones are kept as they are). The JSON is what ships; this script only writes it. Then
regenerate the shipped pinyin forms: `python scripts/build_pinyin_forms.py resources/catalogue/seed.json`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SEED = Path(__file__).resolve().parent.parent / "resources" / "catalogue" / "seed.json"

#: The seed's version after this script: a terminal that stored the older seed sees a newer one.
VERSION = "2026.12.02.1"
PUBLISHED = "2026-12-02"

_KIND_CODE = {"licensing": "01", "payment": "05", "confirmation": "07", "other": "10", "public_service": "20"}
_CATEGORY_CODE = {
    "社保": "01",
    "医保": "02",
    "公积金": "03",
    "不动产": "04",
    "户籍": "05",
    "市场主体登记": "06",
    "民政": "07",
    "交通": "08",
}

#: A material: (name, form) required; (name, form, question_id, [answers], condition text) conditional.
Mat = tuple[Any, ...]
#: A question: (id, text, [options]) or (id, text, [options], (question_id, [answers])) for a follow-up.
Q = tuple[Any, ...]

AGENT = "agent"
_AGENT_Q: Q = ("agent", "本人办理还是代办？", ["本人办理", "代办"])
_AGENT_MATS: list[Mat] = [
    ("代办人居民身份证", "original", "agent", ["代办"], "委托他人代办时提供"),
    ("授权委托书", "original", "agent", ["代办"], "委托他人代办时提供"),
]

ID = ("申请人居民身份证", "original")
ID_COPY = ("申请人居民身份证", "original_and_copy")
LICENCE = ("营业执照", "original_and_copy")


def item(  # noqa: PLR0917 - six positional fields read like a table row
    category: str,
    seq: int,
    jurisdiction: str,
    kind: str,
    name: str,
    department: str,
    *,
    days: tuple[int, int],
    fee: tuple[int, str] = (0, "不收费"),
    delivery: tuple[str, ...] = ("window_pickup",),
    materials: list[Mat | str],
    questions: list[Q | str] = (),  # type: ignore[assignment]
    guide: str,
    kiosk: bool = False,
    originals: bool = False,
    extra: dict[str, Any] | None = None,
) -> dict[str, Any]:
    promised, legal = days
    code = f"{jurisdiction}{_KIND_CODE[kind]}{_CATEGORY_CODE[category]}{seq:02d}000"
    mats: list[Mat] = []
    for m in materials:
        mats.extend(_AGENT_MATS if m == AGENT else [m])  # type: ignore[list-item]
    qs: list[Q] = []
    for q in questions:
        qs.append(_AGENT_Q if q == AGENT else q)  # type: ignore[arg-type]
    out_materials = []
    for index, m in enumerate(mats, start=1):
        entry: dict[str, Any] = {"code": f"M{index:02d}", "name": m[0], "form": m[1], "copies": 1, "required": True}
        if len(m) > 2:
            entry["required"] = False
            entry["condition_text"] = m[4]
            entry["condition"] = {"question_id": m[2], "answers": list(m[3])}
        out_materials.append(entry)
    out_questions = []
    for q in qs:
        entry = {"id": q[0], "text": q[1], "options": list(q[2])}
        if len(q) > 3:
            entry["condition"] = {"question_id": q[3][0], "answers": list(q[3][1])}
        out_questions.append(entry)
    result: dict[str, Any] = {
        "code": code,
        "name": name,
        "category": category,
        "department": department,
        "jurisdiction": jurisdiction,
        "kind": kind,
        "immediate": promised == 0,
        "promised_days": promised,
        "legal_days": legal,
        "fee_fen": fee[0],
        "fee_note": fee[1],
        "materials": out_materials,
        "questions": out_questions,
        "delivery_methods": list(delivery),
        "citywide": True,
        "kiosk_allowed": kiosk,
        "originals_required": originals,
        "guide": guide,
    }
    result.update(extra or {})
    return result


SB = "营口市社会保险事业服务中心"
YB = "营口市医疗保障事务服务中心"
GJJ = "营口市住房公积金管理中心"
BDC = "营口市不动产登记中心"
SJ = "营口市市场监督管理局"
MZ = "营口市民政局"
JT = "营口市交通运输局"
JTS = "营口市交通运输事务服务中心"
WIN_MAIL = ("window_pickup", "mail")
ALL3 = ("window_pickup", "mail", "e_licence")
WIN_E = ("window_pickup", "e_licence")

ENTERPRISE_Q: Q = ("enterprise_type", "单位类型？", ["企业", "个体工商户", "民办非企业单位", "机关事业单位"])
ENTERPRISE_MATS: list[Mat] = [
    ("营业执照", "original_and_copy", "enterprise_type", ["企业", "个体工商户"], "企业、个体工商户提供"),
    ("民办非企业单位登记证书", "original_and_copy", "enterprise_type", ["民办非企业单位"], "民办非企业单位提供"),
    ("事业单位法人证书或机关设立批准文件", "copy", "enterprise_type", ["机关事业单位"], "机关事业单位提供"),
]
MARITAL_Q: Q = ("marital", "申请人婚姻状况？", ["未婚", "已婚", "离异", "丧偶"])
HEIR_Q: Q = ("relation", "领取人与逝者的关系？", ["配偶", "子女", "父母", "其他继承人"])
HEIR_MATS: list[Mat] = [
    ("结婚证", "copy", "relation", ["配偶"], "配偶领取时提供"),
    ("居民户口簿或亲属关系证明", "original_and_copy", "relation", ["子女", "父母"], "子女、父母领取时提供"),
    ("继承权公证书或法院生效判决书", "original", "relation", ["其他继承人"], "其他继承人领取时提供"),
]
DEATH_MAT: Mat = ("居民死亡医学证明（推断）书或死亡证明", "original_and_copy")

NEW_ITEMS: list[dict[str, Any]] = [
    # --- 社保 -------------------------------------------------------------------------------------------------
    item(
        "社保",
        7,
        "210800",
        "public_service",
        "企业社会保险登记",
        SB,
        days=(0, 15),
        materials=[("社会保险登记表", "original"), *ENTERPRISE_MATS, ("法定代表人居民身份证", "copy"), AGENT],
        questions=[ENTERPRISE_Q, AGENT],
        kiosk=True,
        guide="用人单位自成立之日起30日内办理社会保险登记。企业开办时可与设立登记一并办理（企业开办一件事）。",
    ),
    item(
        "社保",
        8,
        "210800",
        "confirmation",
        "职工退休申请（基本养老保险待遇核定）",
        SB,
        days=(10, 20),
        delivery=WIN_MAIL,
        materials=[
            ID_COPY,
            ("职工退休申报表", "original"),
            ("本人人事档案", "original"),
            (
                "特殊工种名录及从事特殊工种工作记录",
                "original",
                "retire_type",
                ["提前退休（特殊工种）"],
                "特殊工种提前退休时提供",
            ),
            (
                "劳动能力鉴定结论书",
                "original",
                "retire_type",
                ["因病或非因工致残提前退休"],
                "因病或非因工致残提前退休时提供",
            ),
            (
                "视同缴费年限认定材料（招工、调动、工资审批表等）",
                "original_and_copy",
                "deemed_years",
                ["有"],
                "有1992年以前视同缴费年限时提供",
            ),
        ],
        questions=[
            ("retire_type", "退休类型？", ["正常退休", "提前退休（特殊工种）", "因病或非因工致残提前退休"]),
            ("deemed_years", "是否有视同缴费年限？", ["有", "无"]),
        ],
        originals=True,
        guide="达到法定退休年龄的参保职工由单位或本人申请，审核后按月发放基本养老金。可与公积金、医保退休业务一并办理（退休一件事）。",
    ),
    item(
        "社保",
        9,
        "210800",
        "payment",
        "丧葬补助金和抚恤金申领",
        SB,
        days=(10, 20),
        delivery=WIN_MAIL,
        materials=[
            DEATH_MAT,
            ("领取人居民身份证", "original_and_copy"),
            ("领取人社会保障卡或银行卡", "copy"),
            *HEIR_MATS,
            ("逝者生前所在单位出具的证明", "original", "deceased_status", ["在职职工"], "逝者为在职职工时提供"),
        ],
        questions=[("deceased_status", "逝者生前是在职职工还是退休人员？", ["在职职工", "退休人员"]), HEIR_Q],
        guide="参保人员因病或非因工死亡的，其遗属可申领丧葬补助金和抚恤金。可与户口注销、公积金提取一并办理（身后一件事）。",
    ),
    item(
        "社保",
        10,
        "210800",
        "confirmation",
        "工伤认定申请",
        "营口市人力资源和社会保障局",
        days=(20, 60),
        delivery=WIN_MAIL,
        materials=[
            ("工伤认定申请表", "original"),
            ID_COPY,
            ("劳动关系证明（劳动合同等）", "copy"),
            ("医疗诊断证明", "original_and_copy"),
            ("交通事故认定书", "copy", "injury", ["上下班途中交通事故"], "上下班途中交通事故时提供"),
            ("职业病诊断证明书", "original_and_copy", "injury", ["职业病"], "职业病时提供"),
            ("近亲属关系证明", "original_and_copy", "applicant_role", ["职工近亲属"], "由近亲属申请时提供"),
        ],
        questions=[
            ("injury", "受伤情形？", ["工作时间工作场所内受伤", "上下班途中交通事故", "职业病"]),
            ("applicant_role", "申请人是？", ["用人单位", "职工本人", "职工近亲属"]),
        ],
        guide="用人单位应在事故发生之日起30日内提出工伤认定申请；单位未申请的，职工或近亲属可在1年内申请。",
    ),
    item(
        "社保",
        11,
        "210800",
        "public_service",
        "社会保障卡补换",
        SB,
        days=(5, 10),
        delivery=WIN_MAIL,
        materials=[
            ID,
            ("原社会保障卡", "original", "card_reason", ["损坏", "信息变更"], "损坏或信息变更换卡时交回"),
            ("户籍或身份信息变更证明", "copy", "card_reason", ["信息变更"], "信息变更换卡时提供"),
            AGENT,
        ],
        questions=[("card_reason", "补换原因？", ["遗失", "损坏", "信息变更"]), AGENT],
        kiosk=True,
        guide="遗失的先办理挂失；补换期间可申领电子社保卡。新卡可邮寄送达。",
    ),
    item(
        "社保",
        12,
        "210800",
        "public_service",
        "企业社会保险注销登记",
        SB,
        days=(0, 15),
        materials=[
            ("社会保险注销登记表", "original"),
            ("市场主体注销登记通知书", "copy", "close_reason", ["企业注销"], "企业注销时提供"),
            ("迁出地社会保险关系转移证明", "original", "close_reason", ["迁出本市"], "迁出本市时提供"),
            ("合并、分立决议", "copy", "close_reason", ["合并或分立"], "合并或分立时提供"),
            AGENT,
        ],
        questions=[("close_reason", "注销原因？", ["企业注销", "迁出本市", "合并或分立"]), AGENT],
        guide="办理前应结清应缴社会保险费、滞纳金和罚款。可与公司注销一并办理（企业注销一件事）。",
    ),
    item(
        "社保",
        13,
        "210800",
        "payment",
        "城乡居民养老保险待遇申领",
        SB,
        days=(10, 20),
        delivery=WIN_MAIL,
        materials=[
            ID_COPY,
            ("居民户口簿", "original_and_copy"),
            ("银行卡或社会保障卡", "copy"),
            (
                "职工养老保险缴费凭证及转移接续材料",
                "original_and_copy",
                "worker_record",
                ["有"],
                "曾参加职工养老保险时提供",
            ),
            AGENT,
        ],
        questions=[("worker_record", "是否曾参加职工养老保险？", ["有", "没有"]), AGENT],
        kiosk=True,
        guide="年满60周岁、累计缴费满15年的城乡居民养老保险参保人可申领。",
    ),
    item(
        "社保",
        14,
        "210800",
        "public_service",
        "就业失业登记",
        "营口市公共就业和人才服务中心",
        days=(0, 5),
        materials=[
            ID,
            ("劳动合同或用工证明", "copy", "register_type", ["就业登记"], "办理就业登记时提供"),
            ("解除或终止劳动合同证明", "original_and_copy", "register_type", ["失业登记"], "办理失业登记时提供"),
        ],
        questions=[("register_type", "办理哪项登记？", ["就业登记", "失业登记"])],
        kiosk=True,
        guide="失业登记后可享受免费职业介绍、职业培训等服务，并作为申领失业保险金的依据。",
    ),
    # --- 医保 -------------------------------------------------------------------------------------------------
    item(
        "医保",
        7,
        "210800",
        "public_service",
        "职工基本医疗保险单位参保登记",
        YB,
        days=(0, 15),
        materials=[("医疗保险单位参保登记表", "original"), *ENTERPRISE_MATS, AGENT],
        questions=[ENTERPRISE_Q, AGENT],
        guide="新设立单位应在成立之日起30日内办理医保参保登记（企业开办一件事可一并办理）。",
    ),
    item(
        "医保",
        8,
        "210800",
        "confirmation",
        "退休人员医疗保险待遇核定",
        YB,
        days=(10, 20),
        delivery=WIN_MAIL,
        materials=[
            ID_COPY,
            ("退休审批表", "copy"),
            (
                "一次性补缴医疗保险费申请表",
                "original",
                "med_years",
                ["不足，需一次性补缴"],
                "缴费年限不足需一次性补缴时提供",
            ),
        ],
        questions=[("med_years", "医疗保险缴费年限是否已满？", ["已满", "不足，需一次性补缴"])],
        guide="职工退休时医保累计缴费年限男满25年、女满20年的，退休后不再缴费享受退休人员医保待遇。",
    ),
    item(
        "医保",
        9,
        "210800",
        "public_service",
        "灵活就业人员医疗保险参保登记",
        YB,
        days=(0, 15),
        materials=[
            ID,
            ("原参保地参保凭证", "original", "first_time", ["曾参保，中断后续保"], "中断后续保时提供"),
            AGENT,
        ],
        questions=[("first_time", "是否首次参保？", ["首次参保", "曾参保，中断后续保"]), AGENT],
        kiosk=True,
        guide="无雇工的个体工商户、未在用人单位参保的非全日制从业人员等灵活就业人员可参保。",
    ),
    item(
        "医保",
        10,
        "210800",
        "payment",
        "医保个人账户一次性支取（参保人死亡）",
        YB,
        days=(10, 20),
        delivery=WIN_MAIL,
        materials=[DEATH_MAT, ("领取人居民身份证", "original_and_copy"), ("领取人银行卡", "copy"), *HEIR_MATS],
        questions=[HEIR_Q],
        guide="参保人员死亡后，其医保个人账户余额可由继承人依法继承。",
    ),
    item(
        "医保",
        11,
        "210800",
        "payment",
        "医疗救助申请",
        YB,
        days=(15, 30),
        delivery=WIN_MAIL,
        materials=[
            ID_COPY,
            ("医疗费用发票及费用清单", "original"),
            ("低收入家庭认定证明", "copy", "aid_type", ["低收入家庭成员"], "低收入家庭成员提供"),
            ("家庭经济状况核对授权书", "original", "aid_type", ["因病致贫重病患者"], "因病致贫重病患者提供"),
            AGENT,
        ],
        questions=[
            ("aid_type", "救助对象类型？", ["低保对象", "特困人员", "低收入家庭成员", "因病致贫重病患者"]),
            AGENT,
        ],
        guide="低保、特困人员经基本医保、大病保险报销后的政策范围内个人自付费用按比例救助。",
    ),
    item(
        "医保",
        12,
        "210800",
        "public_service",
        "医保参保信息变更",
        YB,
        days=(0, 5),
        materials=[
            ID,
            ("公安机关户籍变更证明", "copy", "change_item", ["姓名或身份证号码"], "变更姓名或身份证号码时提供"),
            ("本人银行卡", "copy", "change_item", ["银行账户"], "变更银行账户时提供"),
        ],
        questions=[("change_item", "变更内容？", ["姓名或身份证号码", "银行账户", "联系电话或地址"])],
        kiosk=True,
        guide="联系电话、地址可在自助终端或网上直接变更。",
    ),
    item(
        "医保",
        13,
        "210800",
        "public_service",
        "职工基本医疗保险单位注销登记",
        YB,
        days=(0, 15),
        materials=[
            ("医疗保险单位注销登记表", "original"),
            ("市场主体注销登记通知书", "copy", "close_reason", ["企业注销"], "企业注销时提供"),
            ("迁出证明", "original", "close_reason", ["迁出本市"], "迁出本市时提供"),
            AGENT,
        ],
        questions=[("close_reason", "注销原因？", ["企业注销", "迁出本市"]), AGENT],
        guide="办理前应结清欠缴的医疗保险费。",
    ),
    item(
        "医保",
        14,
        "210800",
        "payment",
        "长期护理保险待遇申请",
        YB,
        days=(15, 30),
        delivery=WIN_MAIL,
        materials=[
            ID_COPY,
            ("长期护理保险待遇申请表", "original"),
            ("失能等级评估报告", "original", "assessed", ["已有评估报告"], "已有评估报告时提供"),
            ("失能评估申请书", "original", "assessed", ["需要评估"], "需要评估时提供"),
            ("护理机构入住证明", "original", "care_mode", ["机构护理"], "机构护理时提供"),
            AGENT,
        ],
        questions=[
            ("care_mode", "护理方式？", ["居家护理", "机构护理"]),
            ("assessed", "是否已有失能评估报告？", ["已有评估报告", "需要评估"]),
            AGENT,
        ],
        guide="经评估达到重度失能的参保人员可申请长期护理保险待遇。",
    ),
    # --- 公积金 -----------------------------------------------------------------------------------------------
    item(
        "公积金",
        7,
        "210800",
        "public_service",
        "住房公积金单位缴存登记",
        GJJ,
        days=(0, 3),
        materials=[("住房公积金单位登记表", "original"), *ENTERPRISE_MATS, ("经办人居民身份证", "original")],
        questions=[ENTERPRISE_Q],
        guide="新设立单位应在成立之日起30日内办理缴存登记（企业开办一件事可一并办理）。",
    ),
    item(
        "公积金",
        8,
        "210800",
        "public_service",
        "住房公积金提取（死亡或宣告死亡）",
        GJJ,
        days=(2, 5),
        delivery=WIN_MAIL,
        materials=[DEATH_MAT, ("提取人居民身份证", "original_and_copy"), ("提取人银行卡", "copy"), *HEIR_MATS],
        questions=[HEIR_Q],
        guide="职工死亡或被宣告死亡的，其继承人、受遗赠人可提取职工住房公积金账户余额（身后一件事）。",
    ),
    item(
        "公积金",
        9,
        "210800",
        "public_service",
        "住房公积金提取（失业）",
        GJJ,
        days=(1, 3),
        materials=[
            ID,
            ("本人银行卡", "copy"),
            ("失业保险金领取证明", "original", "unemployment_benefit", ["是"], "正在领取失业保险金时提供"),
            ("失业登记证明", "original", "unemployment_benefit", ["否"], "未领取失业保险金时提供"),
        ],
        questions=[("unemployment_benefit", "是否正在领取失业保险金？", ["是", "否"])],
        kiosk=True,
        guide="与单位终止劳动关系未再就业、账户封存满半年的职工可提取。",
    ),
    item(
        "公积金",
        10,
        "210800",
        "public_service",
        "住房公积金提取（偿还住房贷款）",
        GJJ,
        days=(1, 3),
        delivery=("window_pickup", "e_licence"),
        materials=[
            ID,
            ("本人银行卡", "copy"),
            ("商业银行借款合同及还款明细", "original_and_copy", "loan_type", ["商业银行贷款"], "商业银行贷款时提供"),
            ("结婚证", "original_and_copy", "marital", ["已婚"], "已婚时提供"),
            ("配偶居民身份证", "original_and_copy", "spouse_withdraws", ["是"], "配偶同时提取时提供"),
            ("配偶银行卡", "copy", "spouse_withdraws", ["是"], "配偶同时提取时提供"),
        ],
        questions=[
            ("loan_type", "贷款类型？", ["住房公积金贷款", "商业银行贷款"]),
            ("marital", "申请人婚姻状况？", ["未婚", "已婚", "离异或丧偶"]),
            ("spouse_withdraws", "配偶是否同时提取？", ["是", "否"], ("marital", ["已婚"])),
        ],
        guide="偿还本市自住住房贷款本息可按年提取；公积金贷款可签约按月冲还。",
    ),
    item(
        "公积金",
        11,
        "210800",
        "public_service",
        "灵活就业人员住房公积金缴存登记",
        GJJ,
        days=(0, 3),
        materials=[
            ID,
            ("本人银行卡", "copy"),
            ("营业执照", "original_and_copy", "work_form", ["个体工商户"], "个体工商户提供"),
        ],
        questions=[("work_form", "就业形式？", ["个体工商户", "自由职业者", "新就业形态劳动者"])],
        kiosk=True,
        guide="年满16周岁、未达退休年龄的灵活就业人员可自愿缴存。",
    ),
    item(
        "公积金",
        12,
        "210800",
        "public_service",
        "住房公积金单位缴存信息变更",
        GJJ,
        days=(0, 3),
        materials=[
            ("单位信息变更登记表", "original"),
            ("变更后的营业执照", "copy", "unit_change", ["单位名称", "法定代表人"], "变更名称或法定代表人时提供"),
            ("职工代表大会或工会讨论意见", "original", "unit_change", ["缴存比例"], "调整缴存比例时提供"),
            ("经办人居民身份证", "original"),
        ],
        questions=[("unit_change", "变更事项？", ["单位名称", "法定代表人", "缴存比例"])],
        guide="单位信息变更应自发生之日起30日内办理。",
    ),
    item(
        "公积金",
        13,
        "210800",
        "public_service",
        "住房公积金贷款提前还款",
        GJJ,
        days=(0, 3),
        materials=[
            ID,
            ("借款合同", "original"),
            ("提前还款冲还申请书", "original", "use_balance", ["是"], "使用公积金账户余额冲还时提供"),
            ("抵押权注销登记申请书", "original", "repay_mode", ["全部结清"], "全部结清时提供"),
        ],
        questions=[
            ("repay_mode", "还款方式？", ["部分提前还款", "全部结清"]),
            ("use_balance", "是否使用公积金账户余额冲还？", ["是", "否"]),
        ],
        guide="全部结清后可一并申请不动产抵押权注销登记。",
    ),
    item(
        "公积金",
        14,
        "210800",
        "public_service",
        "住房公积金单位缴存注销",
        GJJ,
        days=(0, 3),
        materials=[
            ("单位注销登记表", "original"),
            ("市场主体注销登记通知书", "copy", "close_reason", ["企业注销"], "企业注销时提供"),
            ("迁出证明", "original", "close_reason", ["迁出本市"], "迁出本市时提供"),
            ("合并、分立决议", "copy", "close_reason", ["合并或分立"], "合并或分立时提供"),
            ("经办人居民身份证", "original"),
        ],
        questions=[("close_reason", "注销原因？", ["企业注销", "迁出本市", "合并或分立"])],
        guide="注销前应为职工办理账户转移或封存（企业注销一件事可一并办理）。",
    ),
    # --- 不动产（含水电气联动过户）--------------------------------------------------------------------------------
    item(
        "不动产",
        7,
        "210800",
        "public_service",
        "供水过户",
        "营口市水务集团有限公司",
        days=(0, 5),
        materials=[
            ID,
            ("用水户号或最近一期水费单", "copy"),
            ("不动产权证书", "copy", "with_transfer", ["否"], "未与不动产转移登记一并办理时提供"),
            AGENT,
        ],
        questions=[("with_transfer", "是否与不动产转移登记一并办理？", ["是", "否"]), AGENT],
        guide="与二手房转移登记一并办理的，登记信息由不动产登记中心推送，无需另交权属证明（水电气联动过户）。",
    ),
    item(
        "不动产",
        8,
        "210800",
        "public_service",
        "供电过户",
        "营口市供电服务中心",
        days=(0, 5),
        materials=[
            ID,
            ("电费户号", "copy"),
            ("不动产权证书", "copy", "with_transfer", ["否"], "未与不动产转移登记一并办理时提供"),
            ("营业执照", "copy", "power_use", ["经营性用电"], "经营性用电时提供"),
            AGENT,
        ],
        questions=[
            ("with_transfer", "是否与不动产转移登记一并办理？", ["是", "否"]),
            ("power_use", "用电类别？", ["居民生活用电", "经营性用电"]),
            AGENT,
        ],
        guide="过户前应结清电费。居民生活用电可在网上国网App办理。",
    ),
    item(
        "不动产",
        9,
        "210800",
        "public_service",
        "燃气过户",
        "营口市燃气有限公司",
        days=(0, 5),
        materials=[
            ID,
            ("燃气用户卡或缴费凭证", "copy"),
            ("不动产权证书", "copy", "with_transfer", ["否"], "未与不动产转移登记一并办理时提供"),
            ("原燃气IC卡", "original", "meter", ["IC卡表"], "使用IC卡表时交回"),
            AGENT,
        ],
        questions=[
            ("with_transfer", "是否与不动产转移登记一并办理？", ["是", "否"]),
            ("meter", "燃气表类型？", ["IC卡表", "物联网表"]),
            AGENT,
        ],
        guide="过户前应结清燃气费；过户后预约入户安全检查。",
    ),
    item(
        "不动产",
        10,
        "210800",
        "confirmation",
        "国有建设用地使用权及房屋所有权转移登记（新建商品房）",
        BDC,
        days=(3, 30),
        fee=(8000, "住宅每件80元（含第一本证书工本费）"),
        delivery=ALL3,
        materials=[
            ("不动产登记申请书", "original"),
            ID_COPY,
            ("商品房买卖合同", "original"),
            ("契税完税凭证", "original"),
            ("抵押合同及主债权合同", "original", "purchase", ["商业贷款", "住房公积金贷款"], "贷款购房时提供"),
            ("结婚证", "original_and_copy", "marital", ["已婚"], "已婚时提供"),
            ("离婚协议书或法院判决书", "original_and_copy", "marital", ["离异"], "离异时提供"),
            AGENT,
        ],
        questions=[("purchase", "付款方式？", ["全款", "商业贷款", "住房公积金贷款"]), MARITAL_Q, AGENT],
        originals=True,
        guide="开发企业已办理首次登记的新建商品房，买受人可申请转移登记；贷款购房的转移登记与抵押登记一并办理。",
    ),
    item(
        "不动产",
        11,
        "210800",
        "confirmation",
        "不动产继承转移登记",
        BDC,
        days=(10, 30),
        fee=(8000, "住宅每件80元（含第一本证书工本费）"),
        delivery=ALL3,
        materials=[
            ("不动产登记申请书", "original"),
            ("不动产权证书", "original"),
            ("继承人居民身份证", "original_and_copy"),
            DEATH_MAT,
            ("继承权公证书", "original", "inherit_way", ["公证继承"], "公证继承时提供"),
            ("法院生效判决书或调解书", "original", "inherit_way", ["法院判决"], "法院判决时提供"),
            ("亲属关系证明", "original", "inherit_way", ["全体继承人共同申请"], "全体继承人共同申请时提供"),
            ("放弃继承声明书", "original", "waiver", ["有"], "有继承人放弃继承时提供"),
        ],
        questions=[
            ("inherit_way", "继承方式？", ["公证继承", "法院判决", "全体继承人共同申请"]),
            ("waiver", "是否有继承人放弃继承？", ["有", "没有"], ("inherit_way", ["全体继承人共同申请"])),
        ],
        originals=True,
        guide="全体继承人共同到场申请的，登记机构进行查验并公示15个工作日后登簿（身后一件事）。",
    ),
    item(
        "不动产",
        12,
        "210882",
        "confirmation",
        "不动产更正登记",
        "大石桥市不动产登记中心",
        days=(5, 30),
        delivery=WIN_MAIL,
        materials=[
            ("不动产登记申请书", "original"),
            ID_COPY,
            ("不动产权证书", "original"),
            ("证明登记确有错误的材料", "original_and_copy", "correction", ["登记信息错误"], "登记信息错误时提供"),
            (
                "公安机关出具的身份信息变更证明",
                "original",
                "correction",
                ["权利人身份信息变更"],
                "权利人身份信息变更时提供",
            ),
        ],
        questions=[("correction", "更正原因？", ["登记信息错误", "权利人身份信息变更"])],
        guide="权利人认为不动产登记簿记载的事项错误的，可申请更正登记。",
    ),
    item(
        "不动产",
        13,
        "210800",
        "confirmation",
        "房屋所有权转移登记（赠与）",
        BDC,
        days=(5, 30),
        fee=(8000, "住宅每件80元（含第一本证书工本费）；非住宅每件550元"),
        delivery=ALL3,
        materials=[
            ("不动产登记申请书", "original"),
            ("赠与双方居民身份证", "original_and_copy"),
            ("不动产权证书", "original"),
            ("经公证的赠与合同", "original"),
            ("契税完税凭证", "original"),
            ("直系亲属关系证明", "original", "donee", ["直系亲属"], "受赠人为直系亲属时提供（可免征个人所得税）"),
            ("土地出让合同及出让金缴纳凭证", "copy", "house_type", ["非住宅"], "非住宅时提供"),
            ("抵押权人同意转移的书面意见", "original", "mortgaged", ["是"], "房屋有抵押时提供"),
            (
                "抵押权人同意转移的公证意见",
                "original",
                "mortgagee_consent",
                ["否，需要公证"],
                "抵押权人不能到场、需公证时提供",
            ),
            ("结婚证", "original_and_copy", "marital", ["已婚"], "赠与人已婚时提供，配偶需同意赠与"),
        ],
        questions=[
            ("donee", "受赠人与赠与人的关系？", ["直系亲属", "其他"]),
            ("house_type", "房屋类型？", ["住宅", "非住宅"]),
            ("mortgaged", "房屋是否有抵押？", ["是", "否"]),
            ("mortgagee_consent", "抵押权人能否到场签署同意意见？", ["能到场", "否，需要公证"], ("mortgaged", ["是"])),
            MARITAL_Q,
        ],
        originals=True,
        guide="房屋有抵押的，须经抵押权人书面同意方可转移（《民法典》第四百零六条）。",
    ),
    item(
        "不动产",
        14,
        "210881",
        "confirmation",
        "不动产变更登记（权利人姓名、证件或地址变更）",
        "盖州市不动产登记中心",
        days=(3, 30),
        delivery=WIN_MAIL,
        materials=[
            ("不动产登记申请书", "original"),
            ID_COPY,
            ("不动产权证书", "original"),
            (
                "公安机关出具的姓名或证件号码变更证明",
                "original",
                "change_item",
                ["姓名或证件号码"],
                "变更姓名或证件号码时提供",
            ),
            ("地名管理部门出具的门牌变更证明", "original", "change_item", ["坐落地址（门牌）"], "变更坐落地址时提供"),
        ],
        questions=[("change_item", "变更内容？", ["姓名或证件号码", "坐落地址（门牌）"])],
        guide="变更登记不收取登记费；换发新证书的，收取证书工本费。",
    ),
    # --- 户籍 -------------------------------------------------------------------------------------------------
    item(
        "户籍",
        7,
        "210800",
        "public_service",
        "出生医学证明首次签发",
        "营口市卫生健康委员会",
        days=(0, 5),
        materials=[
            ("母亲居民身份证", "original"),
            ("父亲居民身份证", "original"),
            ("分娩医疗机构出具的出生记录", "original"),
            ("亲子鉴定证明", "original", "birth_place", ["医疗机构外"], "在医疗机构外分娩时提供"),
            ("未到场一方的授权委托书", "original", "both_parents", ["否"], "父母一方不能到场时提供"),
        ],
        questions=[
            ("birth_place", "分娩地点？", ["医疗机构内", "医疗机构外"]),
            ("both_parents", "父母双方是否均能到场？", ["是", "否"]),
        ],
        guide="在本市助产机构出生的新生儿由出生医院签发；可与出生登记、医保参保、社保卡申领一并办理（新生儿出生一件事）。",
    ),
    item(
        "户籍",
        8,
        "210802",
        "confirmation",
        "死亡人员户口注销",
        "营口市公安局站前分局",
        days=(0, 5),
        materials=[
            ("逝者居民户口簿", "original"),
            ("申报人居民身份证", "original"),
            ("居民死亡医学证明（推断）书", "original", "death_place", ["医疗机构内"], "在医疗机构内死亡时提供"),
            ("公安机关出具的死亡证明", "original", "death_place", ["医疗机构外"], "在医疗机构外死亡时提供"),
            ("经认证的境外死亡证明", "original_and_copy", "death_place", ["境外"], "在境外死亡时提供"),
            ("逝者居民身份证", "original", "has_id_card", ["能交回"], "能交回时提供"),
        ],
        questions=[
            ("death_place", "死亡地点？", ["医疗机构内", "医疗机构外", "境外"]),
            ("has_id_card", "逝者居民身份证能否交回？", ["能交回", "已遗失"]),
        ],
        guide="公民死亡后一个月内由户主、亲属等申报注销户口（身后一件事）。",
    ),
    item(
        "户籍",
        9,
        "210804",
        "confirmation",
        "户口迁入（投靠亲属）",
        "营口市公安局鲅鱼圈分局",
        days=(10, 20),
        materials=[
            ID,
            ("投靠人居民户口簿", "original"),
            ("结婚证", "original_and_copy", "join_type", ["夫妻投靠"], "夫妻投靠时提供"),
            ("出生医学证明或亲属关系证明", "original_and_copy", "join_type", ["子女投靠父母"], "子女投靠父母时提供"),
            ("被投靠子女的居民户口簿", "original", "join_type", ["父母投靠子女"], "父母投靠子女时提供"),
            ("房屋所有权人同意落户的书面意见", "original", "home", ["借住亲属房屋"], "借住亲属房屋时提供"),
        ],
        questions=[
            ("join_type", "投靠类型？", ["夫妻投靠", "子女投靠父母", "父母投靠子女"]),
            ("home", "落户住所？", ["被投靠人自有住房", "借住亲属房屋"]),
        ],
        guide="符合投靠条件的，可将户口迁入被投靠人户内。",
    ),
    item(
        "户籍",
        10,
        "210803",
        "confirmation",
        "户口登记项目变更更正",
        "营口市公安局西市分局",
        days=(10, 20),
        materials=[
            ID,
            ("居民户口簿", "original"),
            ("出生医学证明或档案记载的出生日期证明", "original", "change_item", ["出生日期"], "更正出生日期时提供"),
            ("父母双方民族证明", "original", "change_item", ["民族"], "变更民族时提供"),
            ("改名理由说明", "original", "change_item", ["姓名"], "变更姓名时提供"),
        ],
        questions=[("change_item", "变更更正项目？", ["姓名", "出生日期", "民族"])],
        guide="18周岁以上公民变更姓名的，须有正当理由。",
    ),
    item(
        "户籍",
        11,
        "210802",
        "public_service",
        "居住证申领",
        "营口市公安局站前分局",
        days=(10, 15),
        delivery=WIN_MAIL,
        materials=[
            ID,
            ("近期免冠照片", "original"),
            ("房屋租赁合同", "original_and_copy", "residence", ["租房"], "租房居住时提供"),
            ("不动产权证书", "copy", "residence", ["自有住房"], "在自有住房居住时提供"),
            ("单位出具的住宿证明", "original", "residence", ["单位宿舍"], "住单位宿舍时提供"),
            ("劳动合同或营业执照", "copy", "purpose", ["就业"], "因就业申领时提供"),
            ("学校出具的就读证明", "original", "purpose", ["就学"], "因就学申领时提供"),
        ],
        questions=[
            ("residence", "居住类型？", ["租房", "自有住房", "单位宿舍"]),
            ("purpose", "申领事由？", ["就业", "就学", "其他"]),
        ],
        guide="在本市居住半年以上，有合法稳定就业、合法稳定住所、连续就读条件之一的，可申领居住证。",
    ),
    item(
        "户籍",
        12,
        "210881",
        "other",
        "居民户口簿换领补领",
        "盖州市公安局",
        days=(3, 10),
        materials=[
            ID,
            ("户主居民身份证", "original"),
            ("原居民户口簿", "original", "book_reason", ["损坏", "户主变更"], "损坏或户主变更时交回"),
        ],
        questions=[("book_reason", "换领补领原因？", ["遗失", "损坏", "户主变更"])],
        guide="户口簿遗失的，由户主或户内成年人申请补领。",
    ),
    item(
        "户籍",
        13,
        "210800",
        "public_service",
        "无犯罪记录证明开具",
        "营口市公安局",
        days=(0, 3),
        delivery=("window_pickup", "e_licence"),
        materials=[ID, ("护照或出入境证件", "copy", "use", ["出国（境）"], "用于出国（境）时提供"), AGENT],
        questions=[("use", "证明用途？", ["就业", "出国（境）", "其他"]), AGENT],
        kiosk=True,
        guide="可在网上申请电子证明；窗口当场出具纸质证明。",
    ),
    # --- 市场主体登记 -------------------------------------------------------------------------------------------
    item(
        "市场主体登记",
        7,
        "210800",
        "other",
        "公章刻制备案",
        "营口市公安局",
        days=(0, 1),
        materials=[
            ("营业执照", "copy"),
            ("法定代表人（负责人）居民身份证", "copy"),
            ("合伙人会议决定", "original", "entity", ["合伙企业"], "合伙企业提供"),
            AGENT,
        ],
        questions=[("entity", "市场主体类型？", ["有限责任公司", "个人独资企业", "合伙企业", "个体工商户"]), AGENT],
        guide="新设立企业首套印章免费刻制（企业开办一件事）；印章由刻章企业制作后寄递或到窗口领取。",
    ),
    item(
        "市场主体登记",
        8,
        "210800",
        "licensing",
        "食品经营许可",
        SJ,
        days=(10, 20),
        delivery=ALL3,
        materials=[
            ("食品经营许可申请书", "original"),
            LICENCE,
            ("食品安全管理制度", "original"),
            ("经营场所平面图和设备布局图", "original", "food_scope", ["含热食类食品制售"], "从事热食类食品制售时提供"),
            ("食品加工制作流程", "original", "food_scope", ["含热食类食品制售"], "从事热食类食品制售时提供"),
            ("食品安全管理人员培训合格证明", "copy", "entity", ["企业"], "企业提供"),
            AGENT,
        ],
        questions=[
            ("food_scope", "经营项目？", ["仅销售预包装食品", "含热食类食品制售"]),
            ("entity", "申请人类型？", ["企业", "个体工商户"]),
            AGENT,
        ],
        guide="仅销售预包装食品的实行备案管理；开办餐馆可与个体工商户设立一并办理（开餐馆一件事）。",
    ),
    item(
        "市场主体登记",
        9,
        "210802",
        "licensing",
        "个人独资企业设立登记",
        "营口市站前区市场监督管理局",
        days=(1, 15),
        delivery=ALL3,
        materials=[
            ("个人独资企业设立登记申请书", "original"),
            ("投资人居民身份证", "copy"),
            ("住所使用证明（不动产权证书）", "copy", "premises", ["自有房产"], "使用自有房产时提供"),
            ("房屋租赁合同及出租方产权证明", "copy", "premises", ["租赁房产"], "租赁房产时提供"),
            AGENT,
        ],
        questions=[("premises", "住所类型？", ["自有房产", "租赁房产"]), AGENT],
        guide="一日办结；营业执照可邮寄或领取电子营业执照。",
    ),
    item(
        "市场主体登记",
        10,
        "210800",
        "licensing",
        "合伙企业设立登记",
        SJ,
        days=(1, 15),
        delivery=ALL3,
        materials=[
            ("合伙企业设立登记申请书", "original"),
            ("全体合伙人签署的合伙协议", "original"),
            ("全体合伙人身份证明", "copy"),
            (
                "法人或其他组织合伙人的主体资格证明",
                "copy",
                "partners",
                ["含法人或其他组织"],
                "合伙人含法人或其他组织时提供",
            ),
            ("全体合伙人对非货币出资的作价确认书", "original", "capital", ["含非货币出资"], "含非货币出资时提供"),
            AGENT,
        ],
        questions=[
            ("partners", "合伙人构成？", ["均为自然人", "含法人或其他组织"]),
            ("capital", "出资方式？", ["仅货币出资", "含非货币出资"]),
            AGENT,
        ],
        guide="普通合伙人以外的有限合伙人不得以劳务出资。",
    ),
    item(
        "市场主体登记",
        11,
        "210803",
        "licensing",
        "营业执照遗失补领或损坏换领",
        "营口市西市区市场监督管理局",
        days=(0, 15),
        delivery=ALL3,
        materials=[
            ("营业执照补领换领申请书", "original"),
            ("原营业执照", "original", "lost_reason", ["损坏换领"], "损坏换领时交回"),
            ("遗失声明", "original", "lost_reason", ["遗失补领"], "遗失补领时提供（可在国家企业信用信息公示系统公示）"),
            AGENT,
        ],
        questions=[("lost_reason", "补领还是换领？", ["遗失补领", "损坏换领"]), AGENT],
        guide="当场办结；可同时领取电子营业执照。",
    ),
    item(
        "市场主体登记",
        12,
        "210881",
        "licensing",
        "农民专业合作社设立登记",
        "盖州市市场监督管理局",
        days=(3, 15),
        delivery=ALL3,
        materials=[
            ("农民专业合作社登记申请书", "original"),
            ("合作社章程", "original"),
            ("成员名册及出资清单", "original"),
            ("法定代表人居民身份证", "copy"),
            ("法人成员的主体资格证明", "copy", "legal_member", ["有"], "有企业、事业单位等法人成员时提供"),
        ],
        questions=[("legal_member", "是否有法人成员？", ["有", "没有"])],
        guide="农民成员应占成员总数的80%以上。",
    ),
    item(
        "市场主体登记",
        13,
        "210800",
        "licensing",
        "股权出质设立登记",
        SJ,
        days=(3, 15),
        delivery=WIN_MAIL,
        materials=[
            ("股权出质设立登记申请书", "original"),
            ("质押合同", "original"),
            ("出质人居民身份证", "copy", "pledgor", ["自然人"], "出质人为自然人时提供"),
            ("出质人营业执照", "copy", "pledgor", ["法人"], "出质人为法人时提供"),
            ("出质人股东会决议", "original", "pledgor", ["法人"], "出质人为法人时提供"),
        ],
        questions=[("pledgor", "出质人类型？", ["自然人", "法人"])],
        guide="以持有的有限责任公司、股份有限公司股权出质的，办理出质登记后质权设立。",
    ),
    # --- 民政 -------------------------------------------------------------------------------------------------
    item(
        "民政",
        7,
        "210800",
        "confirmation",
        "补领结婚证",
        MZ,
        days=(0, 1),
        fee=(900, "结婚证工本费每本9元"),
        materials=[
            ("双方居民身份证", "original"),
            ("双方居民户口簿", "original"),
            ("双方近期半身免冠合影照片", "original"),
            (
                "原婚姻登记机关出具的婚姻登记档案证明",
                "original",
                "registry",
                ["外市婚姻登记机关"],
                "原登记机关在外市且档案未联网时提供",
            ),
        ],
        questions=[("registry", "原结婚登记机关？", ["本市婚姻登记机关", "外市婚姻登记机关"])],
        guide="双方须共同到场；全省婚姻登记档案已联网的可直接补领。",
    ),
    item(
        "民政",
        8,
        "210800",
        "payment",
        "基本殡葬服务补贴申领",
        MZ,
        days=(10, 20),
        delivery=WIN_MAIL,
        materials=[
            DEATH_MAT,
            ("火化证明", "original_and_copy"),
            ("申领人居民身份证", "original_and_copy"),
            ("申领人银行卡", "copy"),
            ("逝者居住证", "copy", "hukou", ["外地户籍"], "逝者为外地户籍、在本市居住时提供"),
        ],
        questions=[("hukou", "逝者户籍？", ["本市户籍", "外地户籍"])],
        guide="本市户籍居民及在本市居住的外地户籍人员去世后，遗体火化的减免基本殡葬服务费用（身后一件事）。",
    ),
    item(
        "民政",
        9,
        "210800",
        "confirmation",
        "残疾人证新办",
        "营口市残疾人联合会",
        days=(15, 30),
        delivery=WIN_MAIL,
        materials=[
            ID_COPY,
            ("居民户口簿", "copy"),
            ("近期二寸免冠照片", "original"),
            (
                "监护人居民身份证",
                "original_and_copy",
                "disability",
                ["智力", "精神"],
                "智力、精神残疾由监护人申请时提供",
            ),
            ("监护关系证明", "original", "disability", ["智力", "精神"], "智力、精神残疾由监护人申请时提供"),
            ("上门评定申请书", "original", "on_site", ["不能"], "行动不便需上门评定时提供"),
        ],
        questions=[
            ("disability", "残疾类别？", ["视力", "听力", "言语", "肢体", "智力", "精神", "多重"]),
            ("on_site", "本人能否到指定医院评定？", ["能", "不能"]),
        ],
        guide="经指定医疗机构评定后核发第三代智能化残疾人证。",
    ),
    item(
        "民政",
        10,
        "210803",
        "payment",
        "孤儿基本生活费申领",
        "营口市西市区民政局",
        days=(20, 30),
        delivery=WIN_MAIL,
        materials=[
            ("儿童居民户口簿", "original_and_copy"),
            ("父母死亡证明或宣告死亡、失踪判决书", "original_and_copy"),
            ("监护人居民身份证", "original_and_copy", "care", ["亲属抚养"], "亲属抚养时提供"),
            ("监护关系证明", "original", "care", ["亲属抚养"], "亲属抚养时提供"),
            ("儿童福利机构收养证明", "original", "care", ["机构集中养育"], "机构集中养育时提供"),
        ],
        questions=[("care", "抚养方式？", ["机构集中养育", "亲属抚养"])],
        guide="经审核确认的孤儿按月发放基本生活费。",
    ),
    item(
        "民政",
        11,
        "210811",
        "payment",
        "经济困难老年人养老服务补贴申领",
        "营口市老边区民政局",
        days=(15, 20),
        delivery=WIN_MAIL,
        materials=[
            ID_COPY,
            ("居民户口簿", "copy"),
            ("本人银行卡", "copy"),
            ("家庭经济状况核对授权书", "original", "family", ["低收入家庭"], "低收入家庭老年人提供"),
            ("能力评估报告", "original", "self_care", ["失能或半失能"], "失能或半失能老年人提供"),
            AGENT,
        ],
        questions=[
            ("family", "家庭类型？", ["低保家庭", "特困供养", "低收入家庭"]),
            ("self_care", "生活能否自理？", ["能自理", "失能或半失能"]),
            AGENT,
        ],
        guide="60周岁以上经济困难的失能、半失能老年人按月发放养老服务补贴。",
    ),
    item(
        "民政",
        12,
        "210800",
        "licensing",
        "社会团体成立登记",
        MZ,
        days=(20, 60),
        delivery=WIN_MAIL,
        materials=[
            ("社会团体成立登记申请书", "original"),
            ("章程草案", "original"),
            ("验资报告", "original"),
            ("住所使用证明", "copy"),
            ("拟任负责人居民身份证", "copy"),
            ("业务主管单位批准文件", "original", "sponsor", ["有"], "有业务主管单位时提供"),
        ],
        questions=[("sponsor", "是否有业务主管单位？", ["有", "无（直接登记）"])],
        guide="行业协会商会类、科技类、公益慈善类、城乡社区服务类社会组织可直接登记。",
    ),
    item(
        "民政",
        13,
        "210804",
        "public_service",
        "居民家庭经济状况核对",
        "营口市鲅鱼圈区民政局",
        days=(10, 15),
        materials=[
            ("家庭成员居民身份证", "copy"),
            ("家庭经济状况核对授权书", "original"),
            ("住房保障申请表", "original", "purpose", ["公共租赁住房"], "申请公共租赁住房时提供"),
            ("医疗费用票据", "copy", "purpose", ["医疗救助"], "申请医疗救助时提供"),
        ],
        questions=[("purpose", "核对用途？", ["最低生活保障", "医疗救助", "公共租赁住房"])],
        guide="核对结果作为社会救助、住房保障等事项的审核依据。",
    ),
    # --- 交通 -------------------------------------------------------------------------------------------------
    item(
        "交通",
        7,
        "210800",
        "licensing",
        "道路旅客运输经营许可",
        JT,
        days=(10, 20),
        delivery=ALL3,
        materials=[
            ("道路旅客运输经营申请表", "original"),
            LICENCE,
            ("安全生产管理制度", "original"),
            ("拟投入车辆承诺书", "original"),
            ("班车线路及站点方案", "original", "scope", ["班车客运"], "申请班车客运时提供"),
            ("包车客运经营方案", "original", "scope", ["包车客运"], "申请包车客运时提供"),
            AGENT,
        ],
        questions=[("scope", "经营范围？", ["班车客运", "包车客运"]), AGENT],
        originals=True,
        guide="许可后按承诺配备车辆，领取道路运输证。",
    ),
    item(
        "交通",
        8,
        "210800",
        "other",
        "机动车驾驶员培训经营备案",
        JT,
        days=(3, 5),
        materials=[
            ("机动车驾驶员培训备案表", "original"),
            LICENCE,
            ("教练场地使用证明", "copy"),
            (
                "危险货物运输驾驶员专用培训场地证明",
                "copy",
                "training",
                ["危险货物运输驾驶员"],
                "开展危险货物运输驾驶员培训时提供",
            ),
        ],
        questions=[("training", "培训类型？", ["普通机动车驾驶员", "道路运输驾驶员", "危险货物运输驾驶员"])],
        guide="备案材料齐全的，5个工作日内予以备案并向社会公布。",
    ),
    item(
        "交通",
        9,
        "210800",
        "other",
        "道路运输从业资格证注销",
        JTS,
        days=(0, 10),
        materials=[
            ("从业资格证注销申请表", "original"),
            ("道路运输从业资格证", "original"),
            ("持证人居民身份证", "original", "cancel_reason", ["本人申请"], "本人申请时提供"),
            ("居民死亡医学证明（推断）书或死亡证明", "original", "cancel_reason", ["持证人死亡"], "持证人死亡时提供"),
            ("亲属关系证明", "original", "cancel_reason", ["持证人死亡"], "持证人死亡时由亲属提供"),
        ],
        questions=[("cancel_reason", "注销原因？", ["本人申请", "持证人死亡"])],
        guide="持证人死亡的，由其亲属申请注销（身后一件事）。",
    ),
    item(
        "交通",
        10,
        "210800",
        "licensing",
        "巡游出租汽车经营许可",
        JT,
        days=(10, 20),
        delivery=WIN_MAIL,
        materials=[
            ("巡游出租汽车经营申请表", "original"),
            ("经营管理制度", "original"),
            ("营业执照", "original_and_copy", "operator", ["企业"], "企业申请时提供"),
            ("申请人居民身份证", "original_and_copy", "operator", ["个人"], "个人申请时提供"),
            ("出租汽车驾驶员从业资格证", "copy", "operator", ["个人"], "个人申请时提供"),
        ],
        questions=[("operator", "申请人类型？", ["企业", "个人"])],
        originals=True,
        guide="经营权按城市出租汽车总量规划配置。",
    ),
    item(
        "交通",
        11,
        "210804",
        "other",
        "道路运输证年度审验",
        "营口市鲅鱼圈区交通运输局",
        days=(0, 10),
        materials=[
            ("道路运输证", "original"),
            ("机动车行驶证", "copy"),
            ("机动车综合性能检测报告", "original"),
            ("罐体检验合格报告", "original", "vehicle", ["危险货物运输车辆"], "危险货物运输车辆提供"),
            (
                "卫星定位装置安装证明",
                "copy",
                "vehicle",
                ["危险货物运输车辆", "旅客运输车辆"],
                "危险货物运输、旅客运输车辆提供",
            ),
        ],
        questions=[("vehicle", "车辆类型？", ["普通货运车辆", "危险货物运输车辆", "旅客运输车辆"])],
        guide="普通货运车辆（4.5吨及以下）已取消年审；其他车辆按年度审验。",
    ),
    item(
        "交通",
        12,
        "210882",
        "other",
        "道路运输证注销",
        "大石桥市交通运输局",
        days=(0, 10),
        materials=[
            ("道路运输证", "original"),
            LICENCE,
            ("机动车报废证明", "original", "cancel_reason", ["车辆报废"], "车辆报废时提供"),
            ("机动车转籍或过户证明", "copy", "cancel_reason", ["转籍或过户"], "转籍或过户时提供"),
        ],
        questions=[("cancel_reason", "注销原因？", ["车辆报废", "转籍或过户", "停止经营"])],
        guide="车辆报废、转籍、过户或停止经营的，应及时注销道路运输证。",
    ),
    item(
        "交通",
        13,
        "210800",
        "confirmation",
        "网络预约出租汽车驾驶员证申领",
        JTS,
        days=(5, 20),
        delivery=("window_pickup", "e_licence"),
        materials=[
            ID_COPY,
            ("机动车驾驶证", "original_and_copy"),
            ("无犯罪记录证明", "original"),
            ("考试合格证明", "copy"),
            ("居住证", "copy", "hukou", ["外地户籍"], "外地户籍时提供"),
        ],
        questions=[("hukou", "户籍所在地？", ["本市户籍", "外地户籍"])],
        guide="取得驾驶证3年以上、无交通肇事犯罪等记录，经考试合格后申领。",
    ),
]


def bundle(
    seq: int,
    name: str,
    members: list[str | tuple[str, str, list[str]]],
    *,
    shared: list[tuple[str, str, list[tuple[str, str]]]],
    questions: list[Q] = (),  # type: ignore[assignment]
    guide: str,
) -> dict[str, Any]:
    """A 一件事 bundle: members are item codes, or (item code, question id, [answers]) for a member a question
    chooses; shared materials are (name, form, [(item code, material code), ...]) collected once."""
    out_members: list[dict[str, Any]] = []
    for m in members:
        if isinstance(m, str):
            out_members.append({"item_code": m})
        else:
            out_members.append({"item_code": m[0], "condition": {"question_id": m[1], "answers": list(m[2])}})
    result: dict[str, Any] = {"code": f"210800YJS{seq:03d}", "name": name, "members": out_members}
    if questions:
        result["questions"] = [
            {"id": q[0], "text": q[1], "options": list(q[2])}
            | ({"condition": {"question_id": q[3][0], "answers": list(q[3][1])}} if len(q) > 3 else {})
            for q in questions
        ]
    result["shared_materials"] = [
        {
            "code": f"S{i:02d}",
            "name": n,
            "form": form,
            "covers": [{"item_code": item, "material_code": code} for item, code in covers],
        }
        for i, (n, form, covers) in enumerate(shared, start=1)
    ]
    result["guide"] = guide
    return result


BIRTH_CERT, BIRTH_REG, RESIDENT_MED, SOCIAL_CARD = (
    "210800200507000",
    "210811070505000",
    "210800200202000",
    "210800200104000",
)
COMPANY, SEAL, UNIT_SB, UNIT_GJJ, UNIT_YB = (
    "210800010604000",
    "210800100607000",
    "210800200107000",
    "210800200307000",
    "210800200207000",
)
DEATH_HUKOU, FUNERAL_SB, DEATH_GJJ, DEATH_YB, FUNERAL_MZ, INHERIT = (
    "210802070508000",
    "210800050109000",
    "210800200308000",
    "210800050210000",
    "210800050708000",
    "210800070411000",
)

BUNDLES: list[dict[str, Any]] = [
    bundle(
        1,
        "新生儿出生一件事",
        [BIRTH_CERT, BIRTH_REG, RESIDENT_MED, (SOCIAL_CARD, "social_card", ["是"])],
        questions=[("social_card", "是否同时为新生儿申领社会保障卡？", ["是", "否"])],
        shared=[
            ("父母双方居民身份证", "original", [(BIRTH_CERT, "M01"), (BIRTH_REG, "M03")]),
            ("居民户口簿", "original_and_copy", [(BIRTH_REG, "M02"), (RESIDENT_MED, "M02")]),
            ("出生医学证明", "original_and_copy", [(BIRTH_REG, "M01"), (RESIDENT_MED, "M01"), (SOCIAL_CARD, "M01")]),
        ],
        guide="出生医学证明、户口登记、城乡居民医保参保、社会保障卡申领一次办理；出生医学证明签发后其余事项自动流转。",
    ),
    bundle(
        2,
        "企业开办一件事",
        [COMPANY, SEAL, UNIT_SB, UNIT_YB, (UNIT_GJJ, "gjj", ["是"])],
        questions=[("gjj", "是否同时办理住房公积金单位缴存登记？", ["是", "否"])],
        shared=[
            (
                "营业执照（设立后自动共享）",
                "electronic",
                [(SEAL, "M01"), (UNIT_SB, "M02"), (UNIT_YB, "M02"), (UNIT_GJJ, "M02")],
            ),
            ("法定代表人居民身份证", "copy", [(COMPANY, "M04"), (SEAL, "M02"), (UNIT_SB, "M05")]),
        ],
        guide="设立登记、公章刻制、社保登记、医保登记、公积金缴存登记一表申请、一窗受理，一日办结。",
    ),
    bundle(
        3,
        "二手房转移登记及水电气联动过户一件事",
        [
            "210800070402000",
            ("210800200407000", "water", ["是"]),
            ("210800200408000", "power", ["是"]),
            ("210800200409000", "gas", ["是"]),
        ],
        questions=[
            ("water", "是否同时办理供水过户？", ["是", "否"]),
            ("power", "是否同时办理供电过户？", ["是", "否"]),
            ("gas", "是否同时办理燃气过户？", ["是", "否"]),
        ],
        shared=[
            (
                "买受人居民身份证",
                "original_and_copy",
                [
                    ("210800070402000", "M02"),
                    ("210800200407000", "M01"),
                    ("210800200408000", "M01"),
                    ("210800200409000", "M01"),
                ],
            ),
            (
                "不动产权证书",
                "original",
                [
                    ("210800070402000", "M03"),
                    ("210800200407000", "M03"),
                    ("210800200408000", "M03"),
                    ("210800200409000", "M03"),
                ],
            ),
        ],
        guide="不动产转移登记完成后，登记信息推送供水、供电、燃气企业同步过户。",
    ),
    bundle(
        4,
        "退休一件事",
        ["210800070108000", "210800070208000", ("210800200303000", "gjj", ["是"])],
        questions=[("gjj", "是否同时提取住房公积金？", ["是", "否"])],
        shared=[
            (
                "申请人居民身份证",
                "original_and_copy",
                [("210800070108000", "M01"), ("210800070208000", "M01"), ("210800200303000", "M01")],
            )
        ],
        guide="养老保险待遇核定、退休人员医保待遇核定、公积金退休提取一次办理。",
    ),
    bundle(
        5,
        "身后一件事",
        [
            DEATH_HUKOU,
            FUNERAL_MZ,
            (FUNERAL_SB, "insured", ["是"]),
            (DEATH_YB, "insured", ["是"]),
            (DEATH_GJJ, "has_gjj", ["是"]),
            (INHERIT, "has_house", ["是"]),
            ("210800100809000", "has_licence", ["是"]),
        ],
        questions=[
            ("insured", "逝者生前是否参加职工社会保险？", ["是", "否"]),
            ("has_gjj", "逝者是否有住房公积金？", ["是", "否"]),
            ("has_house", "是否需要办理房产继承？", ["是", "否"]),
            ("has_licence", "逝者是否持有道路运输从业资格证？", ["是", "否"]),
        ],
        shared=[
            (
                "居民死亡医学证明（推断）书或死亡证明",
                "original_and_copy",
                [
                    (DEATH_HUKOU, "M03"),
                    (FUNERAL_MZ, "M01"),
                    (FUNERAL_SB, "M01"),
                    (DEATH_YB, "M01"),
                    (DEATH_GJJ, "M01"),
                    (INHERIT, "M04"),
                    ("210800100809000", "M04"),
                ],
            ),
            (
                "亲属居民身份证",
                "original_and_copy",
                [(DEATH_HUKOU, "M02"), (FUNERAL_MZ, "M03"), (FUNERAL_SB, "M02"), (DEATH_YB, "M02"), (DEATH_GJJ, "M02")],
            ),
        ],
        guide="户口注销、殡葬补贴、丧葬补助金、医保个人账户、公积金提取和不动产继承一次告知、一次办理。",
    ),
    bundle(
        6,
        "开餐馆一件事",
        ["210803010601000", "210800010608000"],
        shared=[("经营者居民身份证", "original_and_copy", [("210803010601000", "M02"), ("210800010608000", "M07")])],
        guide="个体工商户设立登记与食品经营许可一并申请，执照与许可证同步发放。",
    ),
    bundle(
        7,
        "企业注销一件事",
        ["210800010606000", "210800200112000", "210800200213000", ("210800200314000", "gjj", ["是"])],
        questions=[("gjj", "是否办理过住房公积金单位缴存登记？", ["是", "否"])],
        shared=[
            (
                "市场主体注销登记通知书",
                "copy",
                [("210800200112000", "M02"), ("210800200213000", "M02"), ("210800200314000", "M02")],
            )
        ],
        guide="简易注销、社保注销、医保注销、公积金缴存注销一次申请。",
    ),
    bundle(
        8,
        "灵活就业一件事",
        ["210800200106000", "210800200209000", ("210800200311000", "gjj", ["是"])],
        questions=[("gjj", "是否自愿缴存住房公积金？", ["是", "否"])],
        shared=[
            (
                "申请人居民身份证",
                "original",
                [("210800200106000", "M01"), ("210800200209000", "M01"), ("210800200311000", "M01")],
            )
        ],
        guide="养老保险、医疗保险参保和公积金缴存登记一次办理。",
    ),
    bundle(
        9,
        "失业一件事",
        ["210800200114000", "210800050105000", ("210800200309000", "gjj", ["是"])],
        questions=[("gjj", "是否同时提取住房公积金？", ["是", "否"])],
        shared=[
            ("解除或终止劳动合同证明", "original_and_copy", [("210800200114000", "M03"), ("210800050105000", "M02")]),
            (
                "申请人居民身份证",
                "original",
                [("210800200114000", "M01"), ("210800050105000", "M01"), ("210800200309000", "M01")],
            ),
        ],
        guide="失业登记、失业保险金申领和公积金提取一次办理。",
    ),
    bundle(
        10,
        "网约车从业一件事",
        ["210800200513000", "210800070813000", ("210800010806000", "own_car", ["是"])],
        questions=[("own_car", "是否同时为本人车辆申请网约车运输证？", ["是", "否"])],
        shared=[
            (
                "申请人居民身份证",
                "original_and_copy",
                [("210800200513000", "M01"), ("210800070813000", "M01"), ("210800010806000", "M03")],
            )
        ],
        guide="无犯罪记录证明由公安机关在线核查，网约车驾驶员证与车辆运输证一并申请。",
    ),
    bundle(
        11,
        "残疾人服务一件事",
        ["210800070709000", ("210800050706000", "subsidy", ["是"])],
        questions=[("subsidy", "是否申请残疾人两项补贴？", ["是", "否"])],
        shared=[("申请人居民身份证", "original_and_copy", [("210800070709000", "M01"), ("210800050706000", "M01")])],
        guide="残疾人证新办与两项补贴申请一次办理，证件核发后补贴自动审核。",
    ),
    bundle(
        12,
        "结婚落户一件事",
        ["210800070704000", ("210804070504000", "move", ["是"])],
        questions=[("move", "婚后是否办理户口迁移？", ["是", "否"])],
        shared=[
            ("居民户口簿", "original", [("210800070704000", "M01"), ("210804070504000", "M01")]),
            ("居民身份证", "original", [("210800070704000", "M02"), ("210804070504000", "M02")]),
        ],
        guide="结婚登记后可在同一窗口申请市内户口迁移。",
    ),
]


def main() -> None:
    doc = json.loads(SEED.read_text(encoding="utf-8"))
    new_codes = {i["code"] for i in NEW_ITEMS}
    kept = [i for i in doc["items"] if i["code"] not in new_codes]
    header = {k: v for k, v in doc.items() if k not in ("items", "sample", "bundles")}
    header.update(version=VERSION, published=PUBLISHED)
    doc = {
        **header,
        "sample": True,
        "items": kept + NEW_ITEMS,
        "bundles": BUNDLES,
    }
    SEED.write_text(json.dumps(doc, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    print(f"{SEED.name}: {len(kept)} hand-written + {len(NEW_ITEMS)} generated items, {len(BUNDLES)} bundles")


if __name__ == "__main__":
    main()
