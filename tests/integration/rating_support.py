"""Shared helpers of the rating and daily-report tests: a real store file, a settable clock, saved cases."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

from app.config import Config, config_from_dict
from app.domain.models import Case
from app.services.ratings import RatingService
from offline_cache import Store, open_store
from offline_cache.samples import sample_case

#: 10:00 in Yingkou (UTC+8) on 2026-11-25.
T0 = dt.datetime(2026, 11, 25, 2, 0, tzinfo=dt.UTC)


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, now: dt.datetime = T0) -> None:
        self.now = now

    def __call__(self) -> dt.datetime:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += dt.timedelta(seconds=seconds)


def terminal_config() -> Config:
    return config_from_dict(
        {
            "division": "210804",
            "hall_code": "02",
            "hall_name": "鲅鱼圈区政务服务中心",
            "window": "07",
            "terminal_code": "015",
            "rating": {"timeout_seconds": 60},
        }
    )


def open_test_store(path: Path, clock: Clock) -> Store:
    return open_store(path / "tongban.db", clock=clock)


def save_case(store: Store, clock: Clock, *, item_code: str = "210800-SB-0012", item_name: str = "") -> Case:
    case = sample_case(created_at=clock())
    if item_code != case.item_code or item_name:
        case = dataclasses.replace(case, item_code=item_code, item_name=item_name or case.item_name)
    return store.save_case(case, actor="S0042").case


def make_service(store: Store, clock: Clock, config: Config | None = None, **kwargs: object) -> RatingService:
    return RatingService(
        store=store,
        config=config or terminal_config(),
        clock=clock,
        staff_names=lambda staff_no: {"S0042": "李明"}.get(staff_no, ""),
        **kwargs,  # type: ignore[arg-type]
    )
