"""The citizen's pages behind the receipt QR (issue 21): progress `/c/{case_no}` and rating `/r/{case_no}`.

Made for small phones, elderly users and WeChat's in-app browser: server-rendered HTML that works without
JavaScript (one small script only counts the characters left), one column that reflows down to 320 px and at
200 % text size, targets at least 60 px tall, system fonts only, `lang="zh-CN"`, landmarks and headings for a
phone's screen reader, and a 长辈 mode (`?mode=elder`: larger type, higher contrast). No personal data: the item,
the masked case number, dates and states only. Times are on the hall's clock (`central.halltime`).
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from app.protocol import is_case_no
from central import cases, ratings
from central.cases import mask_case_no
from central.halltime import DEFAULT, HallTime
from central.html import Safe, fmt, join
from central.web import _form, _one  # the platform's one form reader (size limit, NUL cleaning)

log = logging.getLogger("tongban.central.citizen")

router = APIRouter(include_in_schema=False)

DEFAULT_PHONE = "12345"  # 政务服务便民热线, when no hall phone is configured
ELDER = "elder"

#: The state in words a citizen understands, and what it means for them.
STATE_WORDS: dict[str, tuple[str, str]] = {
    "received": ("已收件", "窗口已收下您的材料，正在转交审批部门。"),
    "forwarded": ("审批部门办理中", "材料已交到审批部门，正在审核办理。"),
    "accepted": ("已受理，正在办理", "审批部门已正式受理，正在办理。"),
    "supplement": ("需要补充材料", "请按电话或短信通知补充材料，补齐后继续办理。"),
    "rejected": ("不予受理", "审批部门没有受理这次申请。"),
    "refused": ("未收件", "窗口没有收下这次申请，所缺材料见一次性告知书。"),
    "completed": ("已办结", "已经办好了。"),
    "delivered": ("已送达", "办理结果已经送到，本次办理结束。"),
}
#: What happens next, per state ("{due}" is the promised date where one is known).
NEXT_STEP: dict[str, str] = {
    "received": "审批部门办理，{due}办结后会通知您。",
    "forwarded": "审批部门办理，{due}办结后会通知您。",
    "accepted": "审批部门办理，{due}办结后会通知您。",
    "supplement": "补齐材料后继续办理，有疑问请拨打下面的电话。",
    "rejected": "本次办理已结束。有疑问请拨打下面的电话。",
    "refused": "备齐材料后，可以再到窗口办理。",
    "completed": "请按您选择的方式领取结果；到窗口领取请带上收件回执和身份证件。",
    "delivered": "本次办理已结束，感谢您的耐心。",
}
_OPEN_STATES = frozenset({"received", "forwarded", "accepted"})

#: The rating screen's faces (ui/rating/icons.py, drawn here as SVG; a test keeps the two equal).
FACE_COLOURS = {5: "#2e7d32", 4: "#558b2f", 3: "#f9a825", 2: "#ef6c00", 1: "#c62828"}
FACE_CURVES = {5: 0.34, 4: 0.18, 3: 0.0, 2: -0.16, 1: -0.3}
#: Where a reason may break onto a second line: between these words, never inside one ("多次跑动" stays whole).
REASON_WORDS: dict[str, tuple[str, ...]] = {
    "办事指南不清楚": ("办事指南", "不清楚"),
    "材料要求多、重复提交": ("材料要求多、", "重复提交"),
    "工作人员态度不好": ("工作人员", "态度不好"),
    "工作人员业务不熟": ("工作人员", "业务不熟"),
    "收费不合理": ("收费", "不合理"),
    "非常满意": ("非常", "满意"),
    "基本满意": ("基本", "满意"),
    "非常不满意": ("非常", "不满意"),
}

CSS = """
*,*::before,*::after{box-sizing:border-box}
html{font-size:112.5%;-webkit-text-size-adjust:100%;text-size-adjust:100%}
body{margin:0;font-family:system-ui,-apple-system,"PingFang SC","Noto Sans CJK SC","Microsoft YaHei",sans-serif;
line-height:1.6;color:#1f2329;background:#f5f6f7;overflow-wrap:break-word}
header{background:#b0102a;color:#fff;padding:4px 12px;display:flex;flex-wrap:wrap;align-items:center;
justify-content:space-between;gap:.25rem 1rem}
header p{margin:0;font-weight:bold}
main{display:block;max-width:40rem;margin:0 auto;padding:12px}
footer{max-width:40rem;margin:0 auto;padding:0 12px 24px;color:#4e5359;font-size:.9rem}
h1{font-size:1.6rem;line-height:1.3;margin:.5rem 0 1rem}
h2{font-size:1.2rem;margin:1.5rem 0 .5rem}
a{color:#0b57b0}
a:focus-visible,button:focus-visible,textarea:focus-visible{outline:4px solid #1f2329;outline-offset:2px}
.card{background:#fff;border:1px solid #d0d3d6;border-radius:12px;padding:12px;margin:0 0 16px}
.card h2{margin-top:0}
dl.facts dt{color:#4e5359;font-size:.9rem}dl.facts dd{margin:0 0 8px;font-weight:bold}
.state-word{font-size:1.5rem;font-weight:bold;margin:0;color:#0a5c2d}
.note{color:#4e5359;font-size:.9rem}
ol.steps{list-style:none;margin:0;padding:0}
ol.steps li{border-left:4px solid #0a5c2d;padding:4px 0 12px 12px;margin-left:4px}
ol.steps time{display:block;color:#4e5359}
.btn{display:flex;align-items:center;justify-content:center;min-height:64px;padding:8px 12px;border-radius:12px;
border:2px solid #0b57b0;background:#fff;color:#0b57b0;font:inherit;font-size:1.2rem;font-weight:bold;
text-decoration:none;text-align:center;width:100%;cursor:pointer}
.btn.primary{background:#0b57b0;color:#fff}
.mode{display:inline-flex;align-items:center;min-height:60px;padding:0 4px;color:#fff;font-weight:bold}
.done{font-size:1.3rem;font-weight:bold;color:#0a5c2d}
.error{background:#fdecee;border:2px solid #b0102a;color:#8a0c21;border-radius:12px;padding:12px;
font-weight:bold}
fieldset{border:0;margin:0 0 1rem;padding:0;min-width:0}
legend{padding:0;width:100%}
legend h2{margin-bottom:0}
.hint{display:block;color:#4e5359;font-size:.95rem;margin:.25rem 0 .5rem}
.choices{display:grid;gap:8px}
.choice{position:relative;display:flex}.choice label{flex:1}
.choice input{position:absolute;inset:0;width:100%;height:100%;margin:0;opacity:0;cursor:pointer}
.choice label{display:flex;align-items:center;gap:12px;min-height:64px;padding:8px 12px;background:#fff;
border:2px solid #8f959e;border-radius:12px;font-size:1.2rem;font-weight:bold}
.choice svg{flex:none;width:48px;height:48px}
.choice input:checked+label{border-color:#0b57b0;background:#e8f0fb;box-shadow:inset 0 0 0 2px #0b57b0}
.choice input:checked+label::after{content:"✓";margin-left:auto;color:#0b57b0;font-size:1.4rem}
.choice input:focus-visible+label{outline:4px solid #1f2329;outline-offset:2px}
.toggles{display:grid;grid-template-columns:repeat(auto-fill,minmax(min(9rem,100%),1fr));gap:8px}
.toggles .choice label{font-size:1.05rem;font-weight:normal;justify-content:center;align-content:center;
text-align:center;flex-wrap:wrap;gap:0}
.w{white-space:nowrap}
.given{display:flex;align-items:center;gap:1rem;font-size:1.2rem;font-weight:bold;margin:0 0 .5rem}
textarea{display:block;width:100%;min-height:8rem;font:inherit;font-size:1.1rem;padding:8px;border:2px solid #8f959e;
border-radius:12px}
.limit{margin:.25rem 0 1rem;color:#4e5359}
form:has(input[name=level][value="5"]:checked) .reasons,form:has(input[name=level][value="4"]:checked) .reasons,
form:has(input[name=level][value="3"]:checked) .tags,form:has(input[name=level][value="2"]:checked) .tags,
form:has(input[name=level][value="1"]:checked) .tags{display:none}
html.elder{font-size:140%}
.elder body{color:#000;background:#fff}
.elder .card,.elder .choice label,.elder textarea{border-color:#000;border-width:3px}
.elder .note,.elder .hint,.elder .limit,.elder dl.facts dt,.elder footer,.elder ol.steps time{color:#1f2329}
.elder main a,.elder .btn{color:#003d82;border-color:#003d82}.elder .btn.primary{background:#003d82;color:#fff}
@media (min-width:40rem){.choices.levels{grid-template-columns:1fr}}
"""

#: Progressive enhancement only: the page works the same without it.
COUNTER_JS = (
    "document.querySelectorAll('textarea[maxlength]').forEach(function(t){var o=document.getElementById("
    "t.getAttribute('aria-describedby'));if(!o)return;var m=+t.getAttribute('maxlength');function u(){"
    "o.textContent='还可输入 '+(m-t.value.length)+' 字（最多 '+m+' 字）';}t.addEventListener('input',u);u();});"
)


def _hall_time(request: Request) -> HallTime:
    ht: HallTime = getattr(request.app.state.tb, "hall_time", DEFAULT)
    return ht


def _phone(request: Request, hall_key: str) -> str:
    phones: dict[str, str] = getattr(request.app.state.tb, "hall_phones", {})
    return phones.get(hall_key) or phones.get("*") or DEFAULT_PHONE


def face_svg(level: int, size: int = 48) -> Safe:
    """The counter's face for `level` (same colours and mouth curves as ui/rating/icons.py), decorative."""
    line = 96 / 22
    curve = FACE_CURVES[level]
    brows = (
        '<path d="M23 25 L40.3 30.7 M73 25 L55.7 30.7"/>' if level == 1 else ""
    )  # 0.24/0.26→0.42/0.32 and mirrored, on a 96 grid
    return Safe(
        f'<svg viewBox="0 0 96 96" width="{size}" height="{size}" aria-hidden="true" focusable="false">'
        f'<g stroke="#1f2933" stroke-width="{line:.2f}" stroke-linecap="round">'
        f'<circle cx="48" cy="48" r="{48 - line:.2f}" fill="{FACE_COLOURS[level]}"/>'
        f'<circle cx="33.6" cy="38.4" r="3.36" fill="#1f2933"/><circle cx="62.4" cy="38.4" r="3.36" fill="#1f2933"/>'
        f"{brows}"
        f'<path d="M28.8 63.36 Q48 {96 * (0.66 + curve):.2f} 67.2 63.36" fill="none"/></g></svg>'
    )


def _mode_query(elder: bool) -> str:
    return f"?{urlencode({'mode': ELDER})}" if elder else ""


def _page(
    request: Request, title: str, body: Safe, *, elder: bool, status: int = 200, script: bool = False
) -> Response:
    switch = (  # relative links: the same page in the other mode
        fmt('<a class="mode" href="?mode=standard">标准模式</a>')
        if elder
        else fmt('<a class="mode" href="?mode=elder">长辈模式（大字）</a>')
    )
    html = fmt(
        '<!doctype html><html lang="zh-CN" class="{cls}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        '<meta name="referrer" content="no-referrer"><title>{title}</title><style>{css}</style></head>'
        '<body><header><p>全市通办 · 政务服务</p><nav aria-label="显示方式">{switch}</nav></header>'
        '<main id="main">{body}</main><footer><p>本页不显示姓名、证件号码、电话等个人信息。</p></footer>{script}'
        "</body></html>",
        title=title,
        css=Safe(CSS),
        cls=ELDER if elder else "",
        switch=switch,
        body=body,
        script=Safe(f"<script>{COUNTER_JS}</script>") if script else Safe(""),
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY", "Referrer-Policy": "no-referrer"},
    )


def _message_page(request: Request, title: str, heading: str, text: str, *, elder: bool, status: int) -> Response:
    return _page(request, title, fmt('<h1>{}</h1><p class="card">{}</p>', heading, text), elder=elder, status=status)


def _iso(ht: HallTime, stored: str) -> str:
    moment = ht.local(stored)
    return moment.isoformat(timespec="minutes") if moment else ""


def _case_facts(ht: HallTime, case: ratings.QrCase) -> Safe:
    received = ht.minute(case.received_at, "")
    return fmt(
        '<dl class="facts card"><dt>事项</dt><dd id="item">{item}</dd>'
        "<dt>办件编号</dt><dd>{number}</dd>{received}</dl>",
        item=case.item_name,
        number=mask_case_no(case.case_no),
        received=fmt(
            '<dt>收件时间</dt><dd><time datetime="{iso}" id="received">{at}</time> '
            '<span class="note w">{label}</span></dd>',
            iso=_iso(ht, case.received_at),
            at=received,
            label=ht.label,
        )
        if received
        else Safe(""),
    )


def _due_text(case: ratings.QrCase, *, ident: str = "due") -> Safe:
    """ "承诺在 2026年12月9日 前" (the date never split across lines); "预计" when the holiday table ran out.
    `ident`: the date's element id ("" for none: a page listing several members)."""
    try:
        day = dt.date.fromisoformat(case.expected_date)
    except ValueError:
        return Safe("")
    return fmt(
        '{}在 <span{}><span class="w">{}年</span><span class="w">{}月{}日</span></span> 前',
        "预计" if case.expected_is_estimate else "承诺",
        Safe(f' id="{ident}"') if ident else Safe(""),
        day.year,
        day.month,
        day.day,
    )


# --- progress ---------------------------------------------------------------------------------------------------


@router.get("/c/{case_no}")
def progress(request: Request, case_no: str, mode: str = "") -> Response:
    """The page the receipt QR opens: what stage the case is at, what comes next and by when, how to rate it."""
    elder = mode == ELDER
    if not is_case_no(case_no):
        return _message_page(request, "办件进度", "二维码无效", "请核对收件回执上的二维码。", elder=elder, status=404)
    engine = request.app.state.tb.engine
    status = cases.case_status(engine, case_no)
    case = ratings.qr_case(engine, case_no)
    if status is None and case is not None:  # a 一件事's own number: every member's progress
        return _bundle_progress(request, case_no, case, elder=elder)
    if status is None or case is None:
        return _message_page(
            request,
            "办件进度",
            "未找到该办件",
            "如刚刚办理，请稍后再试，或拨打 12345 咨询。",
            elder=elder,
            status=404,
        )
    ht = _hall_time(request)
    state = str(status["status"])
    word, meaning = STATE_WORDS.get(state, ("办理中", "正在办理。"))
    due = _due_text(case) if state in _OPEN_STATES else Safe("")
    next_step = fmt(NEXT_STEP.get(state, "办结后会通知您。"), due=fmt("{}，", due) if due else Safe(""))
    steps = join(
        fmt(
            '<li><strong>{word}</strong><time datetime="{iso}">{at}</time></li>',
            word=STATE_WORDS.get(str(entry["status"]), ("办理中", ""))[0],
            iso=_iso(ht, str(entry["at"])),
            at=ht.minute(str(entry["at"])),
        )
        for entry in status["history"]
    )
    phone = _phone(request, case.hall_key)
    rating = _rating_block(case_no, case, elder=elder)
    body = fmt(
        "<h1>办件进度</h1>{facts}"
        '<section class="card" aria-labelledby="now-h"><h2 id="now-h">现在到哪一步了</h2>'
        '<p class="state-word" id="status">{word}</p><p>{meaning}</p></section>'
        '<section class="card" aria-labelledby="next-h"><h2 id="next-h">接下来</h2><p id="next">{next}</p></section>'
        '<section aria-labelledby="steps-h"><h2 id="steps-h">办理过程</h2>'
        '<p class="note">时间为{label}</p><ol class="steps" id="steps">{steps}</ol></section>'
        '<section aria-labelledby="phone-h"><h2 id="phone-h">咨询电话</h2>'
        '<a class="btn" id="phone" href="tel:{tel}">拨打 {phone}</a></section>'
        "{members}"
        '<section aria-labelledby="rate-h"><h2 id="rate-h">服务评价</h2>{rating}</section>',
        facts=_case_facts(ht, case),
        word=word,
        meaning=meaning,
        next=next_step,
        label=ht.label,
        steps=steps,
        tel=phone.replace("-", "").replace(" ", ""),
        phone=phone,
        rating=rating,
        members=_members_section(
            cases.bundle_members(engine, case_no), case_no, cases.bundle_parent(engine, case_no), elder=elder
        ),
    )
    return _page(request, "办件进度", body, elder=elder)


def _rating_block(case_no: str, case: ratings.QrCase, *, elder: bool) -> Safe:
    if case.rated:
        return fmt(
            '<p class="done" id="rated">已评价{}</p>',
            f"：{ratings.LEVEL_LABELS.get(case.rated_level, '')}" if case.rated_level else "",
        )
    return fmt(
        '<p>办得怎么样？请告诉我们。</p><a class="btn primary" id="rate" href="/r/{}{}">评价本次服务</a>',
        case_no,
        _mode_query(elder),
    )


def _bundle_progress(request: Request, case_no: str, case: ratings.QrCase, *, elder: bool) -> Response:
    """`/c/{parent number}`: a 一件事 as a whole — each member department's stage and promised date, one rating
    for the bundle (一事一评). Numbers masked, no personal data."""
    engine = request.app.state.tb.engine
    ht = _hall_time(request)
    members = cases.bundle_members(engine, case_no)
    done = sum(1 for m in members if m["status"] in {"completed", "delivered"})
    rows = join(
        fmt(
            '<li><strong>{name}</strong><br><span class="note">{dept} · {number}</span><br>'
            '<strong class="member-state">{word}</strong>{due}</li>',
            name=m["item_name"] or m["item_code"],
            dept=m["department"],
            number=mask_case_no(str(m["case_no"])),
            word=STATE_WORDS.get(str(m["status"]), ("办理中", ""))[0],
            due=fmt(
                ' <span class="note member-due">{}</span>',
                _due_text(ratings.QrCase(m["case_no"], "", "", False, expected_date=m["expected_date"]), ident=""),
            )
            if m["status"] in _OPEN_STATES and m["expected_date"]
            else Safe(""),
        )
        for m in members
    )
    phone = _phone(request, case.hall_key)
    facts = fmt(
        '<dl class="facts card"><dt>一件事</dt><dd id="item">{item}</dd>'
        "<dt>一件事办件编号</dt><dd>{number}</dd><dt>收件时间</dt>"
        '<dd><time id="received">{received}</time> <span class="note w">{label}</span></dd></dl>',
        item=case.item_name,
        number=mask_case_no(case.case_no),
        received=ht.minute(case.received_at, ""),
        label=ht.label,
    )
    body = fmt(
        "<h1>一件事办理进度</h1>{facts}"
        '<section class="card" aria-labelledby="now-h"><h2 id="now-h">现在到哪一步了</h2>'
        '<p class="state-word" id="status">{summary}</p><p>各部门分别办理、分别办结，下面是每一项的进度。</p></section>'
        '<section class="card" aria-labelledby="members-h"><h2 id="members-h">各部门办理进度（{n}项）</h2>'
        '<ol class="steps" id="members">{rows}</ol></section>'
        '<section aria-labelledby="phone-h"><h2 id="phone-h">咨询电话</h2>'
        '<a class="btn" id="phone" href="tel:{tel}">拨打 {phone}</a></section>'
        '<section aria-labelledby="rate-h"><h2 id="rate-h">服务评价（一件事评价一次）</h2>{rating}</section>',
        facts=facts,
        summary=f"{len(members)}项中已办结{done}项" if members else "已收件",
        n=len(members),
        rows=rows,
        tel=phone.replace("-", "").replace(" ", ""),
        phone=phone,
        rating=_rating_block(case_no, case, elder=elder),
    )
    return _page(request, "一件事办理进度", body, elder=elder)


def _members_section(
    members: list[dict[str, Any]], case_no: str, parent: dict[str, Any] | None = None, *, elder: bool = False
) -> Safe:
    """一件事: every member's progress, this case marked (numbers masked; the item and the stage only), and the
    bundle's own number with a link to its page when it has one."""
    if len(members) < 2 and parent is None:
        return Safe("")
    rows = join(
        fmt(
            '<li{mark}><strong>{name}</strong> <span class="note">{number}</span>'
            ' <span class="member-state">{word}</span></li>',
            mark=Safe(' aria-current="true"') if m["case_no"] == case_no else Safe(""),
            name=m["item_name"] or m["item_code"],
            number=mask_case_no(str(m["case_no"])),
            word=STATE_WORDS.get(str(m["status"]), ("办理中", ""))[0],
        )
        for m in members
    )
    whole = (
        fmt(
            '<p id="parent">一件事办件编号 {number} <a class="btn" href="/c/{parent}{mode}">查看整件事的进度</a></p>',
            number=mask_case_no(str(parent["parent_case_no"])),
            parent=str(parent["parent_case_no"]),
            mode=_mode_query(elder),
        )
        if parent is not None
        else Safe("")
    )
    return fmt(
        '<section class="card" aria-labelledby="members-h"><h2 id="members-h">同一件事的全部办件（{n}项）</h2>'
        '{whole}<ol class="steps" id="members">{rows}</ol></section>',
        n=len(members),
        rows=rows,
        whole=whole,
    )


# --- rating -----------------------------------------------------------------------------------------------------


def _choice(kind: str, n: int, name: str, value: str, content: Safe, *, required: bool = False) -> Safe:
    return fmt(
        '<div class="choice"><input type="{kind}" id="{id}" name="{name}" value="{value}"{req}>'
        '<label for="{id}">{content}</label></div>',
        kind=kind,
        id=f"{name}-{n}",
        name=name,
        value=value,
        req=Safe(" required") if required else Safe(""),
        content=content,
    )


def _phrase(text: str) -> Safe:
    """A reason in unbreakable words: a line may end between two words, never inside one."""
    return join(fmt('<span class="w">{}</span>', word) for word in REASON_WORDS.get(text, (text,)))


def _already_rated(request: Request, case_no: str, case: ratings.QrCase, *, elder: bool) -> Response:
    body = fmt(
        '<h1>该办件已评价</h1><p class="card" id="done">每个办件只能评价一次。{level}感谢您的参与！</p>'
        '<a class="btn" href="/c/{case_no}{mode}">查看办件进度</a>',
        level=f"您的评价是“{ratings.LEVEL_LABELS[case.rated_level]}”。"
        if case.rated_level in ratings.LEVEL_LABELS
        else "",
        case_no=case_no,
        mode=_mode_query(elder),
    )
    return _page(request, "该办件已评价", body, elder=elder)


@router.get("/r/{case_no}")
def rate_form(request: Request, case_no: str, error: str = "", mode: str = "") -> Response:
    elder = mode == ELDER
    if not is_case_no(case_no):
        return _message_page(request, "评价", "二维码无效", "请核对收件回执上的二维码。", elder=elder, status=404)
    case = ratings.qr_case(request.app.state.tb.engine, case_no)
    if case is None:
        return _message_page(request, "评价", "未找到该办件", "如刚刚办理，请稍后再试。", elder=elder, status=404)
    if case.rated:
        return _already_rated(request, case_no, case, elder=elder)
    levels = join(
        _choice(
            "radio",
            level,
            "level",
            str(level),
            fmt("{}<span>{}</span>", face_svg(level), _phrase(label)),
            required=True,
        )
        for level, label in ratings.LEVEL_LABELS.items()
    )
    reasons = join(
        _choice("checkbox", n, "reasons", reason, _phrase(reason)) for n, reason in enumerate(ratings.REASONS, 1)
    )
    tags = join(_choice("checkbox", n, "tags", tag, _phrase(tag)) for n, tag in enumerate(ratings.TAGS, 1))
    message = ratings.QR_MESSAGES.get(error, "")
    body = fmt(
        "<h1>评价本次服务</h1>{facts}{error}"
        '<form method="post" action="/r/{case_no}">'
        '<input type="hidden" name="mode" value="{mode}">'
        '<fieldset><legend><h2>您对本次服务满意吗？</h2></legend><div class="choices levels">{levels}</div></fieldset>'
        '<fieldset class="reasons"><legend><h2>哪里不满意？</h2>'
        '<span class="hint">选“基本满意”及以下时，请至少选一项</span></legend>'
        '<div class="toggles">{reasons}</div></fieldset>'
        '<fieldset class="tags"><legend><h2>满意的地方</h2><span class="hint">可选，可多选</span></legend>'
        '<div class="toggles">{tags}</div></fieldset>'
        '<h2><label for="text">其他意见</label></h2>'
        '<textarea id="text" name="text" rows="4" maxlength="{max}" aria-describedby="text-limit"></textarea>'
        '<p class="limit" id="text-limit" aria-live="polite">可选，最多 {max} 字</p>'
        '<button class="btn primary" type="submit" id="submit">提交评价</button></form>',
        facts=_case_facts(_hall_time(request), case),
        error=fmt('<p class="error" role="alert" id="error">{}</p>', message) if message else Safe(""),
        case_no=case_no,
        mode=ELDER if elder else "",
        levels=levels,
        reasons=reasons,
        tags=tags,
        max=ratings.MAX_TEXT,
    )
    return _page(request, "评价本次服务", body, elder=elder, script=True)


@router.post("/r/{case_no}")
async def rate(request: Request, case_no: str) -> Response:
    form = await _form(request)
    elder = _one(form, "mode") == ELDER
    if not is_case_no(case_no):
        return _message_page(request, "评价", "二维码无效", "请核对收件回执上的二维码。", elder=elder, status=404)
    engine = request.app.state.tb.engine
    level_text = _one(form, "level")
    level = int(level_text) if level_text.isdigit() and len(level_text) == 1 else 0
    try:
        await run_in_threadpool(
            lambda: ratings.rate_by_qr(
                engine,
                case_no,
                level=level,
                reasons=form.get("reasons", []),
                tags=form.get("tags", []),
                text=_one(form, "text").strip(),
            )
        )
    except ratings.RatingRefusedError as exc:
        if exc.code == "already_rated":
            return RedirectResponse(f"/r/{case_no}{_mode_query(elder)}", status_code=303)
        if exc.code == "unknown_case":
            return _message_page(request, "评价", "未找到该办件", exc.message, elder=elder, status=404)
        query: dict[str, Any] = {"error": exc.code}
        if elder:
            query["mode"] = ELDER
        return RedirectResponse(f"/r/{case_no}?{urlencode(query)}", status_code=303)
    body = fmt(
        '<h1 id="thanks">感谢您的评价！</h1><div class="card"><p class="given">{face}<span>您的评价：{word}</span></p>'
        "<p>{follow}</p></div>"
        '<a class="btn" href="/c/{case_no}{mode}">查看办件进度</a>',
        face=face_svg(level),
        word=ratings.LEVEL_LABELS.get(level, ""),
        follow="您的意见我们会认真对待，尽快改进。" if level <= 3 else "我们会继续努力，把服务做得更好。",
        case_no=case_no,
        mode=_mode_query(elder),
    )
    return _page(request, "感谢您的评价", body, elder=elder)
