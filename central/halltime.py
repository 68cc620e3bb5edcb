"""The hall's time zone for everything the platform shows (issue 21): stored times stay UTC ISO strings; pages
show them in the zone of the halls (configured; default Asia/Shanghai), labelled where they could be misread.

`TB_CENTRAL_HALL_TZ` (or `serve --hall-timezone`) names an IANA zone; an unknown name stops the start.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

DEFAULT_ZONE = "Asia/Shanghai"
ENV_ZONE = "TB_CENTRAL_HALL_TZ"
#: Zones whose clock is Beijing time (UTC+8 all year): shown as 北京时间; any other zone is shown by its name.
_BEIJING = frozenset({"Asia/Shanghai", "Asia/Chongqing", "Asia/Chungking", "Asia/Harbin", "PRC"})


def load_zone(name: str) -> ZoneInfo:
    """The zone called `name`; ValueError with a plain message when there is none of that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(f"unknown time zone {name!r} (an IANA name such as {DEFAULT_ZONE})") from exc


def zone_from_env(environ: dict[str, str] | None = None) -> ZoneInfo:
    env = os.environ if environ is None else environ
    return load_zone(env.get(ENV_ZONE, "").strip() or DEFAULT_ZONE)


@dataclass(frozen=True)
class HallTime:
    """Converts stored UTC ISO timestamps to the hall's wall clock."""

    zone: ZoneInfo

    @property
    def label(self) -> str:
        return "北京时间" if self.zone.key in _BEIJING else self.zone.key

    def local(self, stored: str | None) -> dt.datetime | None:
        """`stored` (UTC ISO; a naive one is read as UTC) on the hall's clock; None when empty or unreadable."""
        if not stored:
            return None
        try:
            moment = dt.datetime.fromisoformat(str(stored))
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=dt.UTC)
        return moment.astimezone(self.zone)

    def minute(self, stored: str | None, empty: str = "—") -> str:
        """ "2026-11-24 14:44" on the hall's clock."""
        moment = self.local(stored)
        return moment.strftime("%Y-%m-%d %H:%M") if moment else empty

    def second(self, stored: str | None, empty: str = "—") -> str:
        moment = self.local(stored)
        return moment.strftime("%Y-%m-%d %H:%M:%S") if moment else empty

    def day(self, stored: str | None, empty: str = "") -> str:
        moment = self.local(stored)
        return moment.date().isoformat() if moment else empty

    def today(self) -> dt.date:
        return dt.datetime.now(self.zone).date()


DEFAULT = HallTime(load_zone(DEFAULT_ZONE))
_configured: list[HallTime] = [DEFAULT]


def configure(hall_time: HallTime) -> None:
    """Make `hall_time` the platform's clock for code without a request at hand (e.g. a 差评's deadlines, counted
    from the day it arrived in the hall). `central.api.create_app` calls it."""
    _configured[0] = hall_time


def configured() -> HallTime:
    return _configured[0]
