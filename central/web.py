"""Server-rendered pages: the supervisor's dashboard with 差评 follow-up (the citizen's pages behind the receipt QR
are in `central.citizen`). Every value shown is escaped (`central.html`); personal data is never shown. Times are
shown on the hall's clock (`central.halltime`); stored times stay UTC.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Annotated, Any
from urllib.parse import parse_qs, urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import Engine
from starlette.concurrency import run_in_threadpool

from app.protocol import clean_text
from central import admin_auth, devices, licences, ratings, reports
from central.halltime import DEFAULT, HallTime
from central.html import Safe, fmt, join, page
from central.ratelimit import FailureThrottle

log = logging.getLogger("tongban.central.web")

COOKIE = "tb_admin"
MAX_FORM_BYTES = 16 * 1024
router = APIRouter(include_in_schema=False)


def _engine(request: Request) -> Engine:
    engine: Engine = request.app.state.tb.engine
    return engine


EngineDep = Annotated[Engine, Depends(_engine)]


def _hall_time(request: Request) -> HallTime:
    ht: HallTime = getattr(request.app.state.tb, "hall_time", DEFAULT)
    return ht


HallTimeDep = Annotated[HallTime, Depends(_hall_time)]


#: Five failed logins per client address lock login for ten minutes.
_throttle = FailureThrottle(5, 600)


async def _form(request: Request) -> dict[str, list[str]]:
    body = await request.body()
    if len(body) > MAX_FORM_BYTES:
        return {}
    try:
        form = parse_qs(body.decode("utf-8", "replace"), keep_blank_values=True, max_num_fields=100)
    except ValueError:  # more than 100 fields
        return {}
    # The same text rule as record bodies: a typed or forged NUL (%00) never reaches either database.
    return {clean_text(key): [clean_text(v) for v in values] for key, values in form.items()}


def _one(form: dict[str, list[str]], key: str) -> str:
    values = form.get(key)
    return values[0] if values else ""


def _html(body: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(body, status_code=status, headers={"Cache-Control": "no-store", "X-Frame-Options": "DENY"})


def _header(csrf: str) -> Safe:
    return fmt(
        '<header><strong>通办终端 · 监管平台</strong> &nbsp; <a href="/admin">总览</a>'
        '<form class="inline" method="post" action="/admin/logout" style="float:right">'
        '<input type="hidden" name="csrf" value="{}"><button>退出</button></form></header>',
        csrf,
    )


# --- login ------------------------------------------------------------------------------------------------------


def _login_page(error: str = "", status: int = 200) -> HTMLResponse:
    body = fmt(
        "<h1>监管平台登录</h1>{error}"
        '<form method="post" action="/admin/login"><label>管理员密码 '
        '<input type="password" name="password" autofocus required></label> <button>登录</button></form>',
        error=fmt('<p class="error">{}</p>', error) if error else Safe(""),
    )
    return _html(page("登录", body), status)


@router.get("/admin/login")
def login_form() -> HTMLResponse:
    return _login_page()


@router.post("/admin/login")
async def login(request: Request, engine: EngineDep) -> Response:
    who = request.client.host if request.client else "?"  # the proxy's client only from a trusted proxy (cli)
    if _throttle.blocked(who) is not None:
        return _login_page("尝试次数过多，请十分钟后再试", 429)
    password = _one(await _form(request), "password")
    if not await run_in_threadpool(admin_auth.check_password, engine, password):
        _throttle.failed(who)
        log.warning("supervisor login failed from %s", who)
        return _login_page("密码错误", 401)
    response = RedirectResponse("/admin", status_code=303)
    response.set_cookie(
        COOKIE,
        admin_auth.new_session(engine),
        max_age=admin_auth.SESSION_TTL_S,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/admin/logout")
async def logout(request: Request, engine: EngineDep) -> Response:
    form = await _form(request)
    cookie = request.cookies.get(COOKIE)
    response = RedirectResponse("/admin/login", status_code=303)
    if admin_auth.csrf_valid(engine, cookie, _one(form, "csrf")):
        response.delete_cookie(COOKIE, path="/")
    return response


@router.get("/admin/setup")
def setup_form(engine: EngineDep, token: str = "") -> HTMLResponse:
    if not admin_auth.setup_token_valid(engine, token):
        return _html(page("设置密码", fmt("<p>设置链接无效或已使用。</p>")), 403)
    body = fmt(
        "<h1>设置管理员密码</h1>"
        '<form method="post" action="/admin/setup"><input type="hidden" name="token" value="{}">'
        '<label>新密码（至少{}位） <input type="password" name="password" required></label>'
        "<button>保存</button></form>",
        token,
        admin_auth.MIN_PASSWORD_CHARS,
    )
    return _html(page("设置密码", body))


@router.post("/admin/setup")
async def setup(request: Request, engine: EngineDep) -> Response:
    form = await _form(request)
    if not admin_auth.setup_token_valid(engine, _one(form, "token")):
        return _html(page("设置密码", fmt("<p>设置链接无效或已使用。</p>")), 403)
    try:
        admin_auth.set_password(engine, _one(form, "password"))
    except ValueError:
        return _html(page("设置密码", fmt("<p class='error'>密码至少{}位。</p>", admin_auth.MIN_PASSWORD_CHARS)), 400)
    log.info("supervisor password set through the setup link")
    return RedirectResponse("/admin/login", status_code=303)


def _session(request: Request, engine: Engine) -> str | None:
    cookie = request.cookies.get(COOKIE)
    return cookie if admin_auth.session_valid(engine, cookie) else None


# --- dashboard --------------------------------------------------------------------------------------------------


def _period(start: str, end: str, ht: HallTime) -> reports.Period:
    today = ht.today()
    try:
        lo = dt.date.fromisoformat(start) if start else today
        hi = dt.date.fromisoformat(end) if end else lo
    except ValueError:
        lo = hi = today
    if hi < lo:
        lo, hi = hi, lo
    return reports.Period(lo, min(hi, lo + dt.timedelta(days=366)), ht.zone)


def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@router.get("/admin")
def dashboard(request: Request, engine: EngineDep, ht: HallTimeDep, start: str = "", end: str = "") -> Response:
    cookie = _session(request, engine)
    if cookie is None:
        return RedirectResponse("/admin/login", status_code=303)
    period = _period(start, end, ht)
    today = ht.today()
    sections = [
        _period_form(period),
        fmt('<p class="muted" id="zone-note">日期和时间均为{}。</p>', ht.label),
        _intake_section("今日收件", reports.intake(engine, reports.Period(today, today, ht.zone))),
        _intake_section(f"期间收件（{period.start} 至 {period.end}）", reports.intake(engine, period)),
        _bundle_section(reports.bundles(engine, period)),
        _ratings_section(reports.ratings_summary(engine, period)),
        _follow_up_section(reports.follow_up_list(engine, period, today)),
        _devices_section(devices.list_devices(engine), reports.device_lag(engine), ht),
        _online_section(reports.online_filing(engine, period), period),
        _sijian_section(reports.sijian(engine, period), period),
        _licence_section(licences.recent_access(engine, 50), licences.access_counts(engine), ht),
    ]
    csrf = admin_auth.csrf_token(engine, cookie)
    return _html(page("监管平台", join(sections), header=_header(csrf)))


def _period_form(period: reports.Period) -> Safe:
    return fmt(
        '<form method="get" action="/admin"><label>开始 <input type="date" name="start" value="{}"></label>'
        '<label>结束 <input type="date" name="end" value="{}"></label><button>查询</button></form>',
        period.start.isoformat(),
        period.end.isoformat(),
    )


def _table(headers: list[str], rows: list[Safe], empty: str = "暂无数据") -> Safe:
    head = join(fmt("<th>{}</th>", h) for h in headers)
    if not rows:
        return fmt('<p class="muted">{}</p>', empty)
    return fmt("<table><tr>{}</tr>{}</table>", head, join(rows))


def _intake_section(title: str, rows: list[dict[str, Any]]) -> Safe:
    body = [
        fmt(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r["hall"],
            r["item_code"],
            r["item_name"],
            r["count"],
        )
        for r in rows
    ]
    total = sum(r["count"] for r in rows)
    return fmt("<h2>{} · 共{}件</h2>{}", title, total, _table(["大厅", "事项编码", "事项名称", "件数"], body))


def _bundle_section(counts: dict[str, int]) -> Safe:
    return fmt(
        '<h2>期间一件事一次办</h2><p id="bundle-count">一件事 {} 件，含成员办件 {} 件（各部门分别办理）</p>',
        counts["bundles"],
        counts["cases"],
    )


def _ratings_section(summary: dict[str, Any]) -> Safe:
    levels = [
        fmt("<tr><td>{}</td><td>{}</td></tr>", ratings.LEVEL_LABELS[level], count)
        for level, count in summary["by_level"].items()
    ]
    levels.append(fmt("<tr><td>未评价</td><td>{}</td></tr>", summary["unrated"]))
    clerks = [
        fmt(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            c["hall"],
            c["staff_no"],
            c["rated"],
            c["good"],
            c["bad"],
            _percent(c["good_rate"]),
        )
        for c in summary["clerks"]
    ]
    return fmt(
        '<h2>好差评 · 好评率 <span id="good-rate">{}</span>（已评价{}次）</h2>{}<h3>按工作人员</h3>{}',
        _percent(summary["good_rate"]),
        summary["rated"],
        _table(["评价等级", "次数"], levels),
        _table(["大厅", "工号", "评价数", "好评", "差评", "好评率"], clerks),
    )


def _follow_up_section(items: list[dict[str, Any]]) -> Safe:
    rows = [
        fmt(
            '<tr class="{cls}"><td><a href="/admin/followups/{key}">{case}</a></td><td>{level}</td><td>{channel}</td>'
            "<td>{staff}</td><td>{reasons}</td><td>{text}</td><td>{state}</td><td>{assignee}</td>"
            "<td>{callback}</td><td>{feedback}{flag}</td></tr>",
            cls="overdue" if i["overdue"] else "",
            key=i["rating_key"],
            case=i["case_no"] or "（咨询）",
            level=ratings.LEVEL_LABELS.get(i["level"], ""),
            channel=i["channel"],
            staff=i["staff_no"] or "—",
            reasons="、".join(i["reasons"]),
            text=i["text"],
            state=ratings.STATE_LABELS[i["state"]],
            assignee=i["assignee"] or "—",
            callback=i["callback_due"],
            feedback=i["feedback_due"],
            flag=Safe(' <span class="overdue-label">逾期</span>') if i["overdue"] else Safe(""),
        )
        for i in items
    ]
    headers = ["办件", "评价", "渠道", "工号", "原因", "意见", "状态", "负责人", "回访期限", "反馈期限"]
    return fmt('<h2>差评整改</h2><div id="follow-ups">{}</div>', _table(headers, rows, "暂无差评"))


def _devices_section(rows: list[dict[str, Any]], lag: dict[str, tuple[str, float | None]], ht: HallTime) -> Safe:
    body = []
    for d in rows:
        last, seconds = lag.get(d["device_id"], ("", None))
        body.append(
            fmt(
                "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                f"{d['division']}-{d['hall']}-{d['terminal']}",
                d["window"],
                ht.minute(d["last_seen_at"], "从未"),
                ht.minute(last),
                "—" if seconds is None else f"{seconds:.0f} 秒",
                "已吊销" if d["revoked_at"] else "正常",
            )
        )
    return fmt(
        "<h2>终端设备</h2>{}",
        _table(
            ["终端", "窗口", f"最近联系（{ht.label}）", f"最近上传（{ht.label}）", "队列延迟", "状态"], body, "暂无设备"
        ),
    )


_CHART_METRICS = (
    ("减材料（件）", ("licence_materials", "shared_materials")),
    ("减跑动（次）", ("mail_trips", "forwarded_trips")),
    ("减时间（工作日）", ("days_saved",)),
    ("帮办网上提交（件）", ("assisted_online",)),
)


def _sijian_chart(rows: list[dict[str, Any]]) -> Safe:
    """A server-rendered SVG: one panel per 四减 measure, one bar per hall and month (values written on the bars)."""
    if not rows:
        return Safe("")
    bar, gap, panel_w, top = 28, 14, 0, 28
    panel_w = max(220, len(rows) * (bar + gap) + gap)
    height = 180
    panels = []
    for index, (title, fields) in enumerate(_CHART_METRICS):
        values = [sum(int(r[f]) for f in fields) for r in rows]
        peak = max(values) or 1
        x0 = index * (panel_w + 20)
        bars = []
        for j, (r, value) in enumerate(zip(rows, values, strict=True)):
            h = round((height - top - 40) * value / peak)
            x = x0 + gap + j * (bar + gap)
            y = height - 30 - h
            bars.append(
                fmt(
                    '<rect x="{}" y="{}" width="{}" height="{}" fill="#c8102e"><title>{} {} {}</title></rect>'
                    '<text x="{}" y="{}" font-size="12" text-anchor="middle">{}</text>'
                    '<text x="{}" y="{}" font-size="10" text-anchor="middle">{}</text>',
                    x,
                    y,
                    bar,
                    h,
                    r["hall"],
                    r["month"],
                    value,
                    x + bar // 2,
                    y - 4,
                    value,
                    x + bar // 2,
                    height - 14,
                    f"{r['hall'][-2:]}·{r['month'][5:]}",
                )
            )
        panels.append(
            fmt(
                '<g><text x="{}" y="16" font-size="14" font-weight="bold">{}</text>'
                '<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="#646a73"/>{}</g>',
                x0,
                title,
                x0,
                height - 30,
                x0 + panel_w,
                height - 30,
                join(bars),
            )
        )
    width = len(_CHART_METRICS) * (panel_w + 20)
    return fmt(
        '<svg id="sijian-chart" role="img" aria-label="四减按大厅和月份" xmlns="http://www.w3.org/2000/svg" '
        'width="{}" height="{}" viewBox="0 0 {} {}">{}</svg>',
        width,
        height,
        width,
        height,
        join(panels),
    )


def _sijian_section(rows: list[dict[str, Any]], period: reports.Period) -> Safe:
    """四减 by hall and month (issue 18): a table and a chart."""
    body = [
        fmt(
            "<tr><td>{}</td><td>{}</td>" + "<td>{}</td>" * len(reports.SIJIAN_FIELDS) + "</tr>",
            r["hall"],
            r["month"],
            *(r[f] for f, _label in reports.SIJIAN_FIELDS),
        )
        for r in rows
    ]
    headers = ["大厅", "月份", *(label for _f, label in reports.SIJIAN_FIELDS)]
    return fmt(
        '<h2>四减 · 按大厅和月份（{} 至 {}）</h2>{}<div id="sijian">{}</div>',
        period.start,
        period.end,
        _sijian_chart(rows),
        _table(headers, body, "暂无数据"),
    )


def _online_section(rows: list[dict[str, Any]], period: reports.Period) -> Safe:
    """帮办 of online filing by hall, with 网上实办率 (issue 18)."""
    body = [
        fmt(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            r["hall"],
            r["submitted"],
            r["incomplete"],
            r["failed"],
            r["counter"],
            _percent(r["online_rate"]),
        )
        for r in rows
    ]
    headers = ["大厅", "帮办网上提交", "未完成", "失败", "窗口收件", "网上实办率"]
    return fmt(
        '<h2>网上办 · 帮办（{} 至 {}）</h2><div id="online-filing">{}</div>',
        period.start,
        period.end,
        _table(headers, body, "暂无帮办记录"),
    )


def _licence_section(rows: list[dict[str, Any]], counts: dict[str, int], ht: HallTime) -> Safe:
    """电子证照 access audit: who (clerk, terminal, window), which case, when, what; never the holder's number."""
    body = [
        fmt(
            "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
            ht.minute(r["at"]),
            r["terminal_key"],
            r["window"],
            r["staff_no"],
            r["case_ref"],
            licences.ACTION_LABELS.get(r["action"], r["action"]),
            r["licence_type"] or "—",
            licences.mask_licence_no(r["licence_no"]) if r["licence_no"] else "—",
            licences.outcome_label(r["outcome"]),
        )
        for r in rows
    ]
    totals = "，".join(f"{label}{counts.get(action, 0)}次" for action, label in licences.ACTION_LABELS.items())
    headers = [f"时间（{ht.label}）", "终端", "窗口", "工号", "办件", "操作", "证照类型", "证照编号", "结果"]
    return fmt(
        '<h2>电子证照调取记录</h2><p class="muted">累计：{}</p><div id="licence-access">{}</div>',
        totals,
        _table(headers, body, "暂无调取记录"),
    )


# --- 差评 follow-up ------------------------------------------------------------------------------------------------

_ACTION_LABELS = {
    "assign": "分派",
    "call_back": "记录回访",
    "rectify": "记录整改",
    "feed_back": "反馈群众",
    "appeal": "申诉复核",
}


@router.get("/admin/followups/{rating_key}")
def follow_up(request: Request, rating_key: str, engine: EngineDep, ht: HallTimeDep, error: str = "") -> Response:
    cookie = _session(request, engine)
    if cookie is None:
        return RedirectResponse("/admin/login", status_code=303)
    detail = reports.follow_up_detail(engine, rating_key)
    if detail is None:
        return _html(page("未找到", fmt("<p>没有这条差评。</p>")), 404)
    csrf = admin_auth.csrf_token(engine, cookie)
    events = [
        fmt(
            "<tr><td>{}</td><td>{}</td><td>{}</td></tr>",
            ht.second(e["at"]),
            ratings.STATE_LABELS[e["state"]],
            e["note"],
        )
        for e in detail["events"]
    ]
    options = join(
        fmt('<option value="{}">{}</option>', action, label)
        for action, label in _ACTION_LABELS.items()
        if detail["state"] in ratings.ACTIONS[action][0]
    )
    form = (
        fmt(
            '<form method="post" action="/admin/followups/{key}"><input type="hidden" name="csrf" value="{csrf}">'
            '<label>操作 <select name="action">{options}</select></label>'
            '<label>负责人 <input name="assignee" value="{assignee}"></label><br>'
            '<label>记录（回访记录 / 整改说明 / 反馈内容） <textarea name="note" rows="3" cols="60"></textarea></label>'
            "<button>提交</button></form>",
            key=rating_key,
            csrf=csrf,
            options=options,
            assignee=detail["assignee"],
        )
        if options
        else fmt('<p class="muted">流程已结束。</p>')
    )
    body = fmt(
        "<h1>差评处理</h1>{error}<p>办件 {case} · {level} · 渠道 {channel} · 工号 {staff} · 收到 {received}</p>"
        "<p>原因：{reasons}</p><p>意见：{text}</p><p>状态：<strong id='state'>{state}</strong> · 负责人 {assignee}"
        " · 回访期限 {callback} · 反馈期限 {feedback}</p><h2>处理记录</h2>{events}{form}",
        error=fmt('<p class="error">{}</p>', error) if error else Safe(""),
        case=detail["case_no"] or "（咨询）",
        level=ratings.LEVEL_LABELS.get(detail["level"], ""),
        channel=detail["channel"],
        staff=detail["staff_no"] or "—",
        received=f"{ht.second(detail['received_at'])}（{ht.label}）",
        reasons="、".join(detail["reasons"]) or "—",
        text=detail["text"] or "—",
        state=ratings.STATE_LABELS[detail["state"]],
        assignee=detail["assignee"] or "—",
        callback=detail["callback_due"],
        feedback=detail["feedback_due"],
        events=_table([f"时间（{ht.label}）", "状态", "记录"], events),
        form=form,
    )
    return _html(page("差评处理", body, header=_header(csrf)))


@router.post("/admin/followups/{rating_key}")
async def follow_up_action(request: Request, rating_key: str, engine: EngineDep) -> Response:
    cookie = _session(request, engine)
    if cookie is None:
        return RedirectResponse("/admin/login", status_code=303)
    form = await _form(request)
    if not admin_auth.csrf_valid(engine, cookie, _one(form, "csrf")):
        return _html(page("请求无效", fmt("<p>页面已过期，请刷新后重试。</p>")), 403)
    try:
        await run_in_threadpool(
            ratings.advance,
            engine,
            rating_key,
            _one(form, "action"),
            assignee=_one(form, "assignee"),
            note=_one(form, "note"),
        )
    except ratings.FollowUpError as exc:
        return RedirectResponse(f"/admin/followups/{rating_key}?{urlencode({'error': str(exc)})}", status_code=303)
    return RedirectResponse(f"/admin/followups/{rating_key}", status_code=303)
