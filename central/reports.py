"""Figures for the supervisor page: intake by hall and item, ratings by level and by clerk, 差评 follow-ups."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Engine, and_, case, func, or_, select

from central import schema
from central.db import read

#: Halls work in China Standard Time (no DST); day boundaries for reports are local.
CST = dt.timezone(dt.timedelta(hours=8))


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date  # inclusive
    zone: dt.tzinfo = CST  # the halls' zone (central.halltime; the server passes the configured one)

    @property
    def bounds(self) -> tuple[str, str]:
        """UTC ISO bounds [start 00:00, end+1 00:00) on the hall's clock, comparable with stored timestamps."""
        lo = dt.datetime.combine(self.start, dt.time(), self.zone).astimezone(dt.UTC)
        hi = dt.datetime.combine(self.end + dt.timedelta(days=1), dt.time(), self.zone).astimezone(dt.UTC)
        return lo.isoformat(timespec="microseconds"), hi.isoformat(timespec="microseconds")


def today_cst() -> dt.date:
    return dt.datetime.now(CST).date()


def intake(engine: Engine, period: Period) -> list[dict[str, Any]]:
    r, c = schema.records.c, schema.cases.c
    lo, hi = period.bounds
    with read(engine) as conn:
        rows = conn.execute(
            select(c.hall_key, c.item_code, c.item_name, func.count())
            .select_from(schema.records.join(schema.cases, c.record_id == r.record_id))
            .where(and_(r.kind == "case", r.received_at >= lo, r.received_at < hi))
            .group_by(c.hall_key, c.item_code, c.item_name)
            .order_by(c.hall_key, func.count().desc())
        ).all()
    return [{"hall": row[0], "item_code": row[1], "item_name": row[2], "count": int(row[3])} for row in rows]


def bundles(engine: Engine, period: Period) -> dict[str, int]:
    """一件事 taken in during the period: how many bundles, and how many member cases they hold."""
    b = schema.bundle_members.c
    lo, hi = period.bounds
    with read(engine) as conn:
        row = conn.execute(
            select(func.count(func.distinct(b.bundle_id)), func.count()).where(
                and_(b.created_at >= lo, b.created_at < hi)
            )
        ).one()
    return {"bundles": int(row[0]), "cases": int(row[1])}


def ratings_summary(engine: Engine, period: Period) -> dict[str, Any]:
    t = schema.ratings.c
    lo, hi = period.bounds
    in_period = and_(t.received_at >= lo, t.received_at < hi)
    with read(engine) as conn:
        by_level: dict[int, int] = {
            int(level): int(count)
            for level, count in conn.execute(
                select(t.level, func.count()).where(and_(in_period, t.outcome == "rated")).group_by(t.level)
            ).all()
        }
        unrated = conn.execute(select(func.count()).where(and_(in_period, t.outcome == "unrated"))).scalar() or 0
        clerks = conn.execute(
            select(
                t.hall_key,
                t.staff_no,
                func.count(),
                func.sum(case((t.level >= 4, 1), else_=0)),
                func.sum(case((t.level <= 2, 1), else_=0)),
            )
            .where(and_(in_period, t.outcome == "rated"))
            .group_by(t.hall_key, t.staff_no)
            .order_by(t.hall_key, t.staff_no)
        ).all()
    rated = sum(by_level.values())
    good = by_level.get(5, 0) + by_level.get(4, 0)
    return {
        "by_level": {level: by_level.get(level, 0) for level in (5, 4, 3, 2, 1)},
        "rated": rated,
        "unrated": int(unrated),
        "good_rate": (good / rated) if rated else None,
        "clerks": [
            {
                "hall": row[0],
                "staff_no": row[1] or "—",
                "rated": int(row[2]),
                "good": int(row[3] or 0),
                "bad": int(row[4] or 0),
                "good_rate": (int(row[3] or 0) / int(row[2])) if row[2] else None,
            }
            for row in clerks
        ],
    }


def follow_up_list(engine: Engine, period: Period, today: dt.date) -> list[dict[str, Any]]:
    """差评 received in the period plus every one still open, overdue first."""
    t, f = schema.ratings.c, schema.follow_ups.c
    lo, hi = period.bounds
    with read(engine) as conn:
        rows = conn.execute(
            select(
                t.rating_key,
                t.case_no,
                t.hall_key,
                t.window,
                t.staff_no,
                t.level,
                t.channel,
                t.reasons,
                t.text,
                t.received_at,
                f.state,
                f.assignee,
                f.callback_due,
                f.feedback_due,
            )
            .select_from(schema.follow_ups.join(schema.ratings, f.rating_key == t.rating_key))
            .where(or_(and_(t.received_at >= lo, t.received_at < hi), f.state.not_in(["fed_back", "appealed"])))
            .order_by(t.received_at.desc())
        ).all()
    items = [dict(row._mapping) for row in rows]
    for item in items:
        item["reasons"] = json.loads(item["reasons"])
        item["overdue"] = is_overdue(item["state"], item["callback_due"], item["feedback_due"], today)
    items.sort(key=lambda i: (not i["overdue"], i["received_at"]), reverse=False)
    return items


def is_overdue(state: str, callback_due: str, feedback_due: str, today: dt.date) -> bool:
    if state in ("fed_back", "appealed"):
        return False
    if state in ("new", "assigned") and today > dt.date.fromisoformat(callback_due):
        return True
    return today > dt.date.fromisoformat(feedback_due)


def follow_up_detail(engine: Engine, rating_key: str) -> dict[str, Any] | None:
    t, f, e = schema.ratings.c, schema.follow_ups.c, schema.follow_up_events.c
    with read(engine) as conn:
        row = conn.execute(
            select(schema.ratings, f.state, f.assignee, f.callback_due, f.feedback_due)
            .select_from(schema.follow_ups.join(schema.ratings, f.rating_key == t.rating_key))
            .where(t.rating_key == rating_key)
        ).first()
        if row is None:
            return None
        events = conn.execute(select(e.state, e.note, e.at).where(e.rating_key == rating_key).order_by(e.id)).all()
    detail = dict(row._mapping)
    detail["reasons"] = json.loads(detail["reasons"])
    detail["tags"] = json.loads(detail["tags"])
    detail["events"] = [dict(ev._mapping) for ev in events]
    return detail


def device_lag(engine: Engine) -> dict[str, tuple[str, float | None]]:
    """Per device: when its newest record arrived and how long after its creation (the terminal's queue lag)."""
    r = schema.records.c
    latest = select(r.device_id, func.max(r.received_at).label("last_received")).group_by(r.device_id).subquery()
    with read(engine) as conn:
        rows = conn.execute(
            select(r.device_id, r.received_at, r.created_at).join(
                latest, and_(r.device_id == latest.c.device_id, r.received_at == latest.c.last_received)
            )
        ).all()
    lag: dict[str, tuple[str, float | None]] = {}
    for device_id, received_at, created_at in rows:
        try:
            seconds: float | None = (
                dt.datetime.fromisoformat(received_at) - dt.datetime.fromisoformat(created_at)
            ).total_seconds()
        except ValueError:
            seconds = None
        lag[device_id] = (received_at, seconds)
    return lag


def online_filing(engine: Engine, period: Period) -> list[dict[str, Any]]:
    """帮办 of online filing per hall (issue 18) next to the counter's received cases, with 网上实办率.

    网上实办率 here = online filings a clerk helped submit ÷ (those + cases received at the counter) in the period:
    what share of the hall's applications went through the online portal rather than paper.
    """
    a, r, c = schema.assists.c, schema.records.c, schema.cases.c
    lo, hi = period.bounds
    with read(engine) as conn:
        assisted = conn.execute(
            select(a.hall_key, a.outcome, func.count())
            .where(and_(a.assisted_at >= lo, a.assisted_at < hi))
            .group_by(a.hall_key, a.outcome)
        ).all()
        counter = conn.execute(
            select(c.hall_key, func.count())
            .select_from(schema.records.join(schema.cases, c.record_id == r.record_id))
            .where(and_(r.kind == "case", r.received_at >= lo, r.received_at < hi, c.status != "refused"))
            .group_by(c.hall_key)
        ).all()
    halls: dict[str, dict[str, Any]] = {}

    def hall(key: str) -> dict[str, Any]:
        return halls.setdefault(
            key, {"hall": key, "submitted": 0, "incomplete": 0, "failed": 0, "counter": 0, "online_rate": None}
        )

    for key, outcome, count in assisted:
        hall(key)[outcome] = int(count)
    for key, count in counter:
        hall(key)["counter"] = int(count)
    for row in halls.values():
        total = row["submitted"] + row["counter"]
        row["online_rate"] = row["submitted"] / total if total else None
    return [halls[k] for k in sorted(halls)]


# --- 四减 by hall and month (issue 18) ------------------------------------------------------------------------------

#: The figures, in the order the page shows them (the same definitions as the terminal's 日结, docs/intake.md).
SIJIAN_FIELDS = (
    ("cases", "收件"),
    ("licence_materials", "电子证照免交"),
    ("shared_materials", "一件事共享免交"),
    ("mail_trips", "邮寄送达"),
    ("forwarded_trips", "收受分离转办"),
    ("promised_days", "承诺时限合计"),
    ("legal_days", "法定时限合计"),
    ("days_saved", "压缩工作日"),
    ("assisted_online", "帮办网上提交"),
)


def _item_days(engine: Engine) -> dict[str, tuple[int, int]]:
    """item code -> (promised, legal) working days from the imported catalogue (empty without one)."""
    from central.catalogue import current_catalogue

    current = current_catalogue(engine)
    if current is None:
        return {}
    items = json.loads(current[1]).get("items", [])
    return {
        str(i.get("code")): (int(i.get("promised_days", 0)), int(i.get("legal_days", 0)))
        for i in items
        if isinstance(i, dict)
    }


def _utc(stamp: str) -> str:
    """An RFC 3339 time as the UTC ISO text the period bounds are compared in."""
    return dt.datetime.fromisoformat(stamp).astimezone(dt.UTC).isoformat(timespec="microseconds")


def sijian(engine: Engine, period: Period) -> list[dict[str, Any]]:
    """四减 per hall and month (on the halls' clock) for the cases received and 帮办 recorded in the period.

    Computed from the case records' bodies exactly as the terminal's 日结 computes them (`app.services.report`),
    so a hall's month is the sum of its terminals' days.
    """
    r, a = schema.records.c, schema.assists.c
    lo, hi = period.bounds
    days = _item_days(engine)
    with read(engine) as conn:
        # A case counts on the day it was received at the counter (its body's created_at); it reaches the platform
        # at or after that, so every case of the period arrived after the period began.
        records = conn.execute(
            select(r.terminal_key, r.body)
            .where(and_(r.kind == "case", r.received_at >= lo))
            .order_by(r.terminal_key, r.terminal_seq)
        ).all()
        assisted = conn.execute(
            select(a.hall_key, a.assisted_at).where(
                and_(a.assisted_at >= lo, a.assisted_at < hi, a.outcome == "submitted")
            )
        ).all()
    rows: dict[tuple[str, str], dict[str, Any]] = {}

    def month_of(stamp: str) -> str:
        return dt.datetime.fromisoformat(stamp).astimezone(period.zone).strftime("%Y-%m")

    def row(hall: str, month: str) -> dict[str, Any]:
        return rows.setdefault((hall, month), {"hall": hall, "month": month, **{f: 0 for f, _ in SIJIAN_FIELDS}})

    seen: set[tuple[str, str]] = set()
    for terminal_key, text in records:
        body = json.loads(text)
        created_at = body.get("created_at")
        if body.get("state") == "refused" or not isinstance(created_at, str) or not lo <= _utc(created_at) < hi:
            continue
        out = row(str(terminal_key)[:8], month_of(created_at))
        out["cases"] += 1
        materials = [m for m in body.get("materials") or [] if isinstance(m, dict)]
        out["licence_materials"] += sum(1 for m in materials if m.get("status") == "e_licence")
        bundle = body.get("bundle_id")
        if isinstance(bundle, str) and bundle:
            for m in materials:
                if m.get("status") in ("original", "copy"):
                    key = (bundle, str(m.get("name", "")))
                    out["shared_materials"] += int(key in seen)
                    seen.add(key)
        out["mail_trips"] += int(body.get("delivery_method") in ("mail", "e_licence"))
        out["forwarded_trips"] += int(body.get("jurisdiction") != body.get("division"))
        promised, legal = days.get(str(body.get("item_code")), (0, 0))
        out["promised_days"] += promised
        out["legal_days"] += legal
        out["days_saved"] += legal - promised
    for hall_key, assisted_at in assisted:
        row(str(hall_key), month_of(assisted_at))["assisted_online"] += 1
    return [rows[k] for k in sorted(rows)]
