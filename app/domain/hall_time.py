"""Hall time: the one time zone every displayed, printed and reported time uses (issue 11).

The PC's own zone is not trusted: a counter PC set to UTC (or imaged abroad) showed 06:10 in 今日办件 for a case
whose receipt said 14:10. The configured `hall_timezone` (default Asia/Shanghai) decides every wall-clock time
shown or printed, what "today" is, the date in the case number, and the day boundaries of 今日办件 and the 日结.
Instants are stored in UTC as before; only their reading changes.

`configure(name)` is called once at start (from the config); the functions take an explicit `zone` for tests.
The zone database is read (and zoneinfo imported, ~5-10 ms) when a time is first converted, not at import or
configuration: `tongban status` and other commands that show no wall-clock time never pay for it (issue 13).
"""

from __future__ import annotations

import datetime as dt

DEFAULT_ZONE = "Asia/Shanghai"

#: Names of China's one zone: always valid here (from the zone database, or the fixed fallback below).
CHINA_NAMES = frozenset({DEFAULT_ZONE, "Asia/Chongqing", "Asia/Harbin", "PRC"})

#: China has had one zone without daylight saving since 1991: the fallback when no zone database is installed.
_CHINA = dt.timezone(dt.timedelta(hours=8), "CST")


def zone_named(name: str) -> dt.tzinfo:
    """The zone for an IANA name; raises ValueError (with the reason) for an unknown one."""
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    text = name.strip()
    if not text:
        raise ValueError("hall_timezone must be an IANA time zone name such as Asia/Shanghai")
    try:
        return ZoneInfo(text)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        if text in CHINA_NAMES:
            return _CHINA  # no zone database (a stripped-down PC): China's rule is simple enough
        raise ValueError(f"unknown time zone {text!r} (an IANA name such as Asia/Shanghai)") from exc


_zone_name = DEFAULT_ZONE
_zone: dt.tzinfo | None = None  # looked up by zone() on first use


def configure(name: str) -> None:
    """Use this zone from now on (the terminal's start and every CLI command call it with the config's value).

    Raises ValueError for an unknown name, as zone_named does; China's names (always valid) are looked up later.
    """
    global _zone, _zone_name  # one setting for the whole process, like the config it comes from
    text = name.strip()
    _zone, _zone_name = (None if text in CHINA_NAMES else zone_named(text)), text


def _configured() -> dt.tzinfo:
    global _zone  # noqa: PLW0603 -- the configured zone, looked up once
    if _zone is None:
        _zone = zone_named(_zone_name)
    return _zone


def zone() -> dt.tzinfo:
    return _configured()


def local(moment: dt.datetime, zone: dt.tzinfo | None = None) -> dt.datetime:
    """`moment` (aware; a naive one is taken as UTC) as wall-clock time in the hall."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(zone or _configured())


def today(now: dt.datetime, zone: dt.tzinfo | None = None) -> dt.date:
    """The hall's calendar day at instant `now`."""
    return local(now, zone).date()


def day_bounds(day: dt.date, zone: dt.tzinfo | None = None) -> tuple[dt.datetime, dt.datetime]:
    """[start, end) of the hall's calendar `day`, as aware datetimes in the hall zone."""
    tz = zone or _configured()
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    return start, end


def clock_text(moment: dt.datetime, fmt: str = "%H:%M", zone: dt.tzinfo | None = None) -> str:
    """A time for the screen or paper, in the hall zone (e.g. "14:10", or with fmt "%Y-%m-%d %H:%M")."""
    return local(moment, zone).strftime(fmt)
