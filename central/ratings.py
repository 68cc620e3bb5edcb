"""好评/差评 on the platform: ratings from terminals and from the receipt QR page, and the 差评 follow-up workflow
(DOMAIN.md: new → assigned → called_back (回访) → rectified (整改) → fed_back (反馈); `appealed` branch).
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, and_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from app.domain.workdays import HolidayCalendar, load_holiday_calendar
from central import halltime, schema
from central.changelog import append_change
from central.db import iso, lock_change_log, now_utc, read, write

log = logging.getLogger("tongban.central.ratings")

LEVEL_LABELS = {5: "非常满意", 4: "满意", 3: "基本满意", 2: "不满意", 1: "非常不满意"}
#: Same lists as DOMAIN.md / app.domain.models (a test keeps them equal; central imports only app.domain.workdays).
REASONS = (
    "办事指南不清楚",
    "材料要求多、重复提交",
    "等候时间长",
    "办理超时",
    "多次跑动",
    "工作人员态度不好",
    "工作人员业务不熟",
    "系统故障",
    "收费不合理",
    "其他",
)
TAGS = ("服务热情", "办事高效", "指南清晰", "一次办成")
MAX_TEXT = 500

FOLLOW_UP_STATES = ("new", "assigned", "called_back", "rectified", "fed_back", "appealed")
STATE_LABELS = {
    "new": "待分派",
    "assigned": "已分派",
    "called_back": "已回访",
    "rectified": "已整改",
    "fed_back": "已反馈",
    "appealed": "申诉复核",
}
#: action → (allowed from, new state)
ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "assign": (frozenset({"new", "assigned"}), "assigned"),
    "call_back": (frozenset({"assigned"}), "called_back"),
    "rectify": (frozenset({"called_back"}), "rectified"),
    "feed_back": (frozenset({"rectified"}), "fed_back"),
    "appeal": (frozenset({"new", "assigned", "called_back"}), "appealed"),
}


class RatingRefusedError(Exception):
    """The QR page cannot take this rating; `message` is Chinese for the citizen (QR_MESSAGES[code])."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(code)
        self.code = code
        self.message = message


class FollowUpError(ValueError):
    pass


def _deadline_days() -> tuple[int, int]:
    """Working days to call back and to feed back (DOMAIN.md defaults 1 and 15; platform configuration)."""
    return (
        int(os.environ.get("TB_CENTRAL_CALLBACK_DAYS", "1")),
        int(os.environ.get("TB_CENTRAL_FEEDBACK_DAYS", "15")),
    )


@functools.lru_cache(maxsize=1)
def _calendar() -> HolidayCalendar:
    """The terminal's holiday table (resources/holidays/cn.json, or the file in TB_CENTRAL_HOLIDAYS), read once."""
    path = os.environ.get("TB_CENTRAL_HOLIDAYS")
    return load_holiday_calendar(Path(path) if path else None)


def add_working_days(start: dt.date, days: int) -> dt.date:
    """`days` working days after `start`, counted as the terminal counts them (app.domain.workdays): weekends and
    statutory holidays off, make-up working days (调休) on; a year missing from the table counts Monday-Friday."""
    return _calendar().add_working_days(start, days).date


def _insert(conn: Connection, table: Any) -> Any:
    module: Any = postgresql if conn.dialect.name == "postgresql" else sqlite
    return module.insert(table)


def record_rating(conn: Connection, values: dict[str, Any]) -> bool:
    """Store one rating (and open a follow-up for a 差评) inside the caller's transaction; False if held."""
    inserted = conn.execute(
        _insert(conn, schema.ratings).values(**values).on_conflict_do_nothing().returning(schema.ratings.c.rating_key)
    ).first()
    if inserted is None:
        return False
    if values["outcome"] == "rated" and values["level"] is not None and values["level"] <= 2:
        # Working days count from the day it arrived on the hall's clock (not the UTC date: before 08:00 in
        # Beijing that is still yesterday).
        arrived = halltime.configured().local(values["received_at"])
        received = arrived.date() if arrived else dt.datetime.fromisoformat(values["received_at"]).date()
        callback, feedback = _deadline_days()
        conn.execute(
            schema.follow_ups.insert().values(
                rating_key=values["rating_key"],
                state="new",
                assignee="",
                callback_due=add_working_days(received, callback).isoformat(),
                feedback_due=add_working_days(received, feedback).isoformat(),
                updated_at=values["received_at"],
            )
        )
        conn.execute(
            schema.follow_up_events.insert().values(
                rating_key=values["rating_key"], state="new", note="", at=values["received_at"]
            )
        )
    return True


def rating_values_from_body(
    rating_key: str, body: dict[str, Any], hall_key: str, window: str, received_at: str
) -> dict[str, Any]:
    """Columns for a terminal's rating record (body already validated by app.protocol)."""

    def text(key: str, limit: int) -> str:
        value = body.get(key)
        return value[:limit] if isinstance(value, str) else ""

    def strings(key: str) -> list[str]:
        value = body.get(key)
        return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []

    return {
        "rating_key": rating_key,
        "case_no": body.get("case_no"),
        "hall_key": hall_key,
        "window": text("window", 16) or window,
        "staff_no": text("staff_no", 32),
        "item_code": text("item_code", 64),
        "channel": body["channel"],
        "outcome": body["outcome"],
        "level": body["level"],
        "reasons": json.dumps(strings("reasons"), ensure_ascii=False),
        "tags": json.dumps(strings("tags"), ensure_ascii=False),
        "text": text("text", MAX_TEXT),
        "callback_consent": 1 if body.get("callback_consent") is True else 0,
        "rated_at": text("rated_at", 40) or None,
        "received_at": received_at,
    }


@dataclass(frozen=True)
class QrCase:
    case_no: str
    item_name: str
    intake_date: str  # UTC date of the first history entry (pages show `received_at` on the hall's clock)
    rated: bool
    hall_key: str = ""
    received_at: str = ""  # UTC ISO
    expected_date: str = ""  # the promised completion date from the case record ("" if none, e.g. refused)
    expected_is_estimate: bool = False
    rated_level: int = 0


def same_matter(conn: Connection, case_no: str) -> list[str]:
    """The case numbers of one matter (事): every member of the case's 一件事 bundle and the bundle's own (parent)
    number when it has one, or the case alone. `case_no` may be a member's or the parent's."""
    b, p = schema.bundle_members.c, schema.bundles.c
    bundle_id = conn.execute(select(b.bundle_id).where(b.case_no == case_no)).scalar()
    if bundle_id is None:
        bundle_id = conn.execute(select(p.bundle_id).where(p.parent_case_no == case_no)).scalar()
    if bundle_id is None:
        return [case_no]
    numbers = [str(n) for n in conn.execute(select(b.case_no).where(b.bundle_id == bundle_id)).scalars()]
    numbers += [str(n) for n in conn.execute(select(p.parent_case_no).where(p.bundle_id == bundle_id)).scalars()]
    return numbers


def _qr_bundle(conn: Connection, case_no: str) -> QrCase | None:
    """The QR pages' view of a 一件事 by its own number: its name, when its first member was received, the latest
    promised date of its members, whether the bundle is rated (一事一评)."""
    p, b, r, h = schema.bundles.c, schema.bundle_members.c, schema.ratings.c, schema.case_history.c
    parent = conn.execute(select(schema.bundles).where(p.parent_case_no == case_no)).first()
    if parent is None:
        return None
    members = [str(n) for n in conn.execute(select(b.case_no).where(b.bundle_id == parent.bundle_id)).scalars()]
    rated = conn.execute(
        select(r.level).where(and_(r.case_no.in_([*members, case_no]), r.outcome == "rated")).limit(1)
    ).first()
    received = conn.execute(select(h.at).where(h.case_no.in_(members)).order_by(h.at).limit(1)).scalar()
    expected, estimate = "", False
    bodies = conn.execute(
        select(schema.records.c.body)
        .join(schema.cases, schema.cases.c.record_id == schema.records.c.record_id)
        .where(schema.cases.c.case_no.in_(members))
    ).scalars()
    for text in bodies:
        try:
            body = json.loads(text) if text else {}
        except ValueError:
            continue
        value = body.get("expected_date") if isinstance(body, dict) else None
        if isinstance(value, str) and len(value) == 10 and value > expected:
            expected, estimate = value, body.get("expected_is_estimate") is True
    received = received or parent.created_at
    return QrCase(
        case_no,
        parent.bundle_name or "一件事",
        received[:10],
        rated is not None,
        hall_key=parent.hall_key,
        received_at=received,
        expected_date=expected,
        expected_is_estimate=estimate,
        rated_level=int(rated.level) if rated is not None and rated.level is not None else 0,
    )


def qr_case(engine: Engine, case_no: str) -> QrCase | None:
    """What the QR pages may show: the item, when it was received, the promised date, whether it is rated.

    Reads only these fields of the case record's body (which also holds personal data: never shown)."""
    c, r = schema.cases.c, schema.ratings.c
    with read(engine) as conn:
        row = conn.execute(
            select(c.case_no, c.item_name, c.item_code, c.hall_key, c.record_id).where(c.case_no == case_no)
        ).first()
        if row is None:
            return _qr_bundle(conn, case_no)  # a 一件事's own number, or nothing known
        matter = same_matter(conn, case_no)
        rated = conn.execute(select(r.level).where(and_(r.case_no.in_(matter), r.outcome == "rated")).limit(1)).first()
        received = conn.execute(
            select(schema.case_history.c.at)
            .where(schema.case_history.c.case_no == case_no)
            .order_by(schema.case_history.c.id)
            .limit(1)
        ).scalar()
        body_text = conn.execute(
            select(schema.records.c.body).where(schema.records.c.record_id == row.record_id)
        ).scalar()
    expected, estimate = "", False
    try:
        body = json.loads(body_text) if body_text else {}
    except ValueError:
        body = {}
    if isinstance(body, dict):
        value = body.get("expected_date")
        if isinstance(value, str) and len(value) == 10:
            expected, estimate = value, body.get("expected_is_estimate") is True
    return QrCase(
        row.case_no,
        row.item_name or row.item_code,
        (received or "")[:10],
        rated is not None,
        hall_key=row.hall_key,
        received_at=received or "",
        expected_date=expected,
        expected_is_estimate=estimate,
        rated_level=int(rated.level) if rated is not None and rated.level is not None else 0,
    )


@dataclass(frozen=True)
class _BundleSubject:
    hall_key: str
    item_code: str


#: What the rating page may say after a refused post: `/r/{case_no}?error=CODE` shows only these, by code, so a
#: link cannot make the page show text of its own (issue 16: fake notices).
QR_MESSAGES = {
    "bad_level": "请选择评价等级",
    "bad_choice": "请从列表中选择",
    "reasons_needed": "请至少选择一项不满意的原因",
    "text_too_long": f"意见请不超过{MAX_TEXT}字",
}


def rate_by_qr(engine: Engine, case_no: str, *, level: int, reasons: list[str], tags: list[str], text: str) -> str:
    """One rating per case from the receipt QR; refused when the counter (or an earlier QR) already rated it."""
    if level not in LEVEL_LABELS:
        raise RatingRefusedError("bad_level", "请选择评价等级")
    if any(r not in REASONS for r in reasons) or any(t not in TAGS for t in tags):
        raise RatingRefusedError("bad_choice", "请从列表中选择")
    if level <= 3 and not reasons:
        raise RatingRefusedError("reasons_needed", "请至少选择一项不满意的原因")
    if level <= 3:
        tags = []
    else:
        reasons = []
    if len(text) > MAX_TEXT:
        raise RatingRefusedError("text_too_long", f"意见请不超过{MAX_TEXT}字")
    now = iso(now_utc())
    rating_key = f"qr-{uuid.uuid4()}"
    c, r = schema.cases.c, schema.ratings.c
    with write(engine) as conn:
        lock_change_log(conn)
        case: Any = conn.execute(select(c.hall_key, c.item_code).where(c.case_no == case_no)).first()
        if case is None:  # a 一件事's own number: the bundle is rated, under that number (item: the bundle code)
            p = schema.bundles.c
            parent = conn.execute(select(p.hall_key, p.bundle_id).where(p.parent_case_no == case_no)).first()
            if parent is not None:
                case = _BundleSubject(parent.hall_key, str(parent.bundle_id).rsplit("-", 1)[0][:64])
        if case is None:
            raise RatingRefusedError("unknown_case", "未找到该办件")
        earlier = conn.execute(  # 一事一评: one rating for a whole 一件事, whichever member's QR is used
            select(r.rating_key).where(and_(r.case_no.in_(same_matter(conn, case_no)), r.outcome == "rated")).limit(1)
        ).first()
        if earlier is not None:
            raise RatingRefusedError("already_rated", "该办件已评价，感谢您的参与")
        stored = record_rating(
            conn,
            {
                "rating_key": rating_key,
                "case_no": case_no,
                "hall_key": case.hall_key,
                "window": "",
                "staff_no": "",
                "item_code": case.item_code,
                "channel": "receipt_qr",
                "outcome": "rated",
                "level": level,
                "reasons": json.dumps(reasons, ensure_ascii=False),
                "tags": json.dumps(tags, ensure_ascii=False),
                "text": text,
                "callback_consent": 0,
                "rated_at": now,
                "received_at": now,
            },
        )
        if not stored:
            raise RatingRefusedError("already_rated", "该办件已评价，感谢您的参与")
        append_change(
            conn,
            case.hall_key,
            case_no,
            "rating",
            {
                "rating_id": rating_key,
                "channel": "receipt_qr",
                "level": level,
                "reasons": reasons,
                "tags": tags,
                "rated_at": now,
            },
        )
    log.info("QR rating %s stored for case %s", rating_key, case_no)
    return rating_key


def advance(engine: Engine, rating_key: str, action: str, *, assignee: str = "", note: str = "") -> str:
    """Apply one follow-up action; returns the new state. The update is conditional on the state it read."""
    if action not in ACTIONS:
        raise FollowUpError("unknown action")
    allowed, new_state = ACTIONS[action]
    assignee, note = assignee.strip()[:64], note.strip()[:2000]
    if action == "assign" and not assignee:
        raise FollowUpError("请填写负责人")
    if action != "assign" and not note:
        raise FollowUpError("请填写记录")
    f = schema.follow_ups.c
    now = iso(now_utc())
    with write(engine) as conn:
        state = conn.execute(select(f.state).where(f.rating_key == rating_key)).scalar()
        if state is None:
            raise FollowUpError("没有这条差评")
        if state not in allowed:
            raise FollowUpError(f"当前状态（{STATE_LABELS[state]}）不能执行此操作")
        values: dict[str, Any] = {"state": new_state, "updated_at": now}
        if action == "assign":
            values["assignee"] = assignee
        changed = conn.execute(
            update(schema.follow_ups).where(and_(f.rating_key == rating_key, f.state == state)).values(**values)
        )
        if changed.rowcount != 1:
            raise FollowUpError("已被他人处理，请刷新")
        conn.execute(
            schema.follow_up_events.insert().values(
                rating_key=rating_key, state=new_state, note=note or f"负责人：{assignee}", at=now
            )
        )
    log.info("follow-up %s: %s -> %s", rating_key, state, new_state)
    return new_state
