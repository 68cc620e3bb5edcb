"""Settings: one typed, declarative schema, read from a TOML file plus environment overrides, checked at start.

Every key has its type, default and description here and nowhere else (STYLE.md lesson 9), one key per line:

    name = setting(type, default, "Description.", ge=..., le=..., gt=..., check=validator)

`type` is str, int, float, bool, a StrEnum or a section class; `check` takes the coerced value and returns it
(possibly normalised) or raises ValueError with a message. Unknown or invalid keys stop the start with a message
naming the key. Environment overrides are `TONGBAN_<KEY>` for top-level keys and `TONGBAN_<SECTION>__<KEY>` for
keys of a section (e.g. `TONGBAN_PRINTER__KIND=pdf`).

The schema is a few dozen lines of our own rather than a model framework: the config is read on every start and
by every CLI command, and pydantic alone cost about 200 ms there (issue 13, docs/decisions.md).
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from enum import Enum, StrEnum
from pathlib import Path
from typing import Any, ClassVar, Generic, Self, TypeVar, overload

#: Environment variables that locate things rather than configure them; never treated as config keys.
LOCATION_ENV_VARS = frozenset({"TONGBAN_DATA_DIR", "TONGBAN_CONFIG", "TONGBAN_LOG_DIR", "TONGBAN_KEY_STORE"})
ENV_PREFIX = "TONGBAN_"

T = TypeVar("T")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


class Mode(StrEnum):
    COUNTER = "counter"  # staffed counter: clerk window + citizen-facing rating screen
    KIOSK = "kiosk"  # self-service kiosk, full screen
    RATING = "rating"  # a separate 评价器 PC or tablet showing only the rating screen


class PrinterKind(StrEnum):
    NONE = "none"
    SYSTEM = "system"  # A4 through the system printer (CUPS / Windows spooler)
    PDF = "pdf"  # A4 to a PDF file in pdf_dir
    ESCPOS_USB = "escpos_usb"
    ESCPOS_SERIAL = "escpos_serial"
    ESCPOS_NETWORK = "escpos_network"  # raw TCP, port 9100
    ESCPOS_FILE = "escpos_file"  # a device file such as /dev/usb/lp0


# ---------------------------------------------------------------------------------------------------------------
# The schema machinery: a Setting per key, collected by each _Section subclass.
# ---------------------------------------------------------------------------------------------------------------

_TRUE = frozenset({"1", "true", "t", "yes", "y", "on"})
_FALSE = frozenset({"0", "false", "f", "no", "n", "off"})


class _ValueProblemError(ValueError):
    """One key's value is wrong; the message is the reason (pydantic's wording, which the docs and admins know)."""


class Setting(Generic[T]):
    """One config key: its type, default, description and validators. Reads as the value on an instance."""

    __slots__ = ("check", "default", "description", "ge", "gt", "le", "name", "type_")

    def __init__(
        self,
        type_: type[T],
        default: T | None,
        description: str,
        *,
        ge: float | None,
        le: float | None,
        gt: float | None,
        check: Callable[[T], T] | None,
    ) -> None:
        self.type_ = type_
        self.default = default
        self.description = description
        self.ge, self.le, self.gt = ge, le, gt
        self.check = check
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, obj: None, owner: type) -> Setting[T]: ...
    @overload
    def __get__(self, obj: _Section, owner: type) -> T: ...
    def __get__(self, obj: _Section | None, owner: type) -> Setting[T] | T:
        # Instances keep their values in __dict__, which shadows this (non-data) descriptor: only class access and
        # a half-built instance get here.
        if obj is None:
            return self
        raise AttributeError(self.name)

    @property
    def is_section(self) -> bool:
        return isinstance(self.type_, type) and issubclass(self.type_, _Section)

    def coerce(self, value: Any, key: str, problems: list[tuple[str, str]]) -> Any:
        """The value converted to this key's type and checked; on failure a (key, reason) is added to problems."""
        if self.is_section:
            section: type[_Section] = self.type_  # type: ignore[assignment]
            if isinstance(value, section):
                return value
            if not isinstance(value, Mapping):
                problems.append((key, f"Input should be a valid dictionary or instance of {section.__name__}"))
                return None
            return section._build(value, f"{key}.", problems)
        try:
            result = _coerce_scalar(self.type_, value)
            if self.gt is not None and not result > self.gt:
                raise _ValueProblemError(f"Input should be greater than {self.gt}")
            if self.ge is not None and not result >= self.ge:
                raise _ValueProblemError(f"Input should be greater than or equal to {self.ge}")
            if self.le is not None and not result <= self.le:
                raise _ValueProblemError(f"Input should be less than or equal to {self.le}")
            if self.check is not None:
                try:
                    result = self.check(result)
                except _ValueProblemError:
                    raise
                except ValueError as exc:
                    raise _ValueProblemError(f"Value error, {exc}") from exc
        except _ValueProblemError as exc:
            problems.append((key, str(exc)))
            return None
        return result


def _to_str(value: Any) -> str:
    if not isinstance(value, str):
        raise _ValueProblemError("Input should be a valid string")
    return value


def _to_bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _ValueProblemError("Input should be a valid boolean, unable to interpret input")


def _to_int(value: Any) -> int:
    if isinstance(value, float) and not value.is_integer():
        raise _ValueProblemError("Input should be a valid integer, got a number with a fractional part")
    if isinstance(value, str):
        try:
            return int(value.strip())
        except ValueError:
            raise _ValueProblemError("Input should be a valid integer, unable to parse string as an integer") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _ValueProblemError("Input should be a valid integer")
    return int(value)


def _to_float(value: Any) -> float:
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            raise _ValueProblemError("Input should be a valid number, unable to parse string as a number") from None
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _ValueProblemError("Input should be a valid number")
    return float(value)


_SCALARS: dict[type, Callable[[Any], Any]] = {str: _to_str, bool: _to_bool, int: _to_int, float: _to_float}


def _coerce_scalar(type_: type[Any], value: Any) -> Any:
    if type_ in _SCALARS:
        return _SCALARS[type_](value)
    if not issubclass(type_, Enum):
        raise TypeError(f"config settings of type {type_!r} are not supported")  # a schema bug, not bad input
    if isinstance(value, type_):
        return value
    for member in type_:
        if member.value == value:
            return member
    names = [repr(member.value) for member in type_]
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
    raise _ValueProblemError(f"Input should be {listed}")


def setting(
    type_: type[T],
    default: T,
    description: str,
    *,
    ge: float | None = None,
    le: float | None = None,
    gt: float | None = None,
    check: Callable[[T], T] | None = None,
) -> Setting[T]:
    """Declare a key: type, default, description, then its validators (bounds and/or a check function)."""
    return Setting(type_, default, description, ge=ge, le=le, gt=gt, check=check)


def section(type_: type[T], description: str) -> Setting[T]:
    """Declare a [section] of keys, itself a _Section subclass; its default is the section's defaults."""
    return Setting(type_, None, description, ge=None, le=None, gt=None, check=None)


class _Section:
    """A frozen group of settings. `Section(**values)` validates; unknown or invalid keys raise ConfigError."""

    _settings: ClassVar[dict[str, Setting[Any]]] = {}

    def __init_subclass__(cls) -> None:
        super().__init_subclass__()
        cls._settings = {name: value for name, value in vars(cls).items() if isinstance(value, Setting)}

    def __init__(self, **values: Any) -> None:
        problems: list[tuple[str, str]] = []
        self._fill(values, "", problems)
        if problems:
            raise ConfigError(_describe(problems, "<arguments>"))

    @classmethod
    def _build(cls, data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]) -> Self:
        instance = cls.__new__(cls)
        instance._fill(data, prefix, problems)
        return instance

    def _fill(self, data: Mapping[str, Any], prefix: str, problems: list[tuple[str, str]]) -> None:
        for key in data:
            if key not in self._settings:
                problems.append((f"{prefix}{key}", "未知的配置项 (unknown key)"))
        for name, spec in self._settings.items():
            if name in data:
                value = data[name]
            elif spec.is_section:
                value = {}
            else:
                value = spec.default
            self.__dict__[name] = spec.coerce(value, f"{prefix}{name}", problems)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"{type(self).__name__} is read-only; use replace()")

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.__dict__ == self.__dict__

    def __hash__(self) -> int:
        return hash(tuple(self.__dict__.values()))

    def __repr__(self) -> str:
        inner = ", ".join(f"{name}={self.__dict__[name]!r}" for name in self._settings)
        return f"{type(self).__name__}({inner})"

    def as_dict(self) -> dict[str, Any]:
        """Plain values (enums as their strings, sections as dicts): JSON-ready, and valid input again."""
        result: dict[str, Any] = {}
        for name in self._settings:
            value = self.__dict__[name]
            if isinstance(value, _Section):
                value = value.as_dict()
            elif isinstance(value, Enum):
                value = value.value
            result[name] = value
        return result

    def replace(self, **changes: Any) -> Self:
        """A copy with some keys changed, validated like a file (ConfigError names a bad key)."""
        data = self.as_dict()
        data.update(changes)
        problems: list[tuple[str, str]] = []
        instance = self._build(data, "", problems)
        if problems:
            raise ConfigError(_describe(problems, "<replace>"))
        return instance


def _describe(problems: list[tuple[str, str]], source: str) -> str:
    return f"配置有误 ({source}): " + "; ".join(f"{key}: {reason}" for key, reason in problems)


# ---------------------------------------------------------------------------------------------------------------
# Validators
# ---------------------------------------------------------------------------------------------------------------


def _digits(length: int, name: str) -> Callable[[str], str]:
    def check(value: str) -> str:
        if len(value) != length or not value.isascii() or not value.isdigit():
            raise ValueError(f"{name} must be exactly {length} digits")
        return value

    return check


def _digits_or_empty(length: int, name: str) -> Callable[[str], str]:
    digits = _digits(length, name)

    def check(value: str) -> str:
        return value if value == "" else digits(value)

    return check


def _time_zone(value: str) -> str:
    from app.domain.hall_time import CHINA_NAMES, zone_named  # zoneinfo only when another zone is checked

    if value.strip() not in CHINA_NAMES:  # China's names are always valid (hall_time has a fallback for them)
        zone_named(value)  # ValueError names the problem
    return value.strip()


def _paper_width(value: int) -> int:
    if value not in (58, 80):
        raise ValueError("paper_width_mm must be 58 or 80")
    return value


def _hall_name(value: str) -> str:
    value = value.strip()
    if not 1 <= len(value) <= 60 or any(ord(c) < 32 for c in value):
        raise ValueError("hall_name must be 1 to 60 printable characters")
    return value


def _hall_contact(value: str) -> str:
    value = value.strip()
    if len(value) > 80 or any(ord(c) < 32 for c in value):
        raise ValueError("hall_address/hall_phone must be at most 80 printable characters")
    return value


def _platform_url(value: str) -> str:
    value = value.strip().rstrip("/")
    if value and not value.startswith(("https://", "http://")):
        raise ValueError("platform_url must start with https:// (or http:// for a local test platform)")
    return value


def _log_level(value: str) -> str:
    value = value.upper()
    if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
        raise ValueError("log_level must be DEBUG, INFO, WARNING or ERROR")
    return value


# ---------------------------------------------------------------------------------------------------------------
# The schema
# ---------------------------------------------------------------------------------------------------------------


class PrinterConfig(_Section):
    kind = setting(PrinterKind, PrinterKind.NONE, "Where receipts print.")
    system_printer = setting(str, "", "System printer name; empty means the default printer.")
    pdf_dir = setting(str, "", "Folder for PDF receipts; empty means <data dir>/receipts.")
    paper_width_mm = setting(int, 80, "Thermal paper width: 80 or 58.", check=_paper_width)
    usb_vendor_id = setting(int, 0, "ESC/POS USB vendor id.", ge=0, le=0xFFFF)
    usb_product_id = setting(int, 0, "ESC/POS USB product id.", ge=0, le=0xFFFF)
    serial_port = setting(str, "", "ESC/POS serial device, e.g. /dev/ttyS0 or COM3.")
    serial_baudrate = setting(int, 9600, "ESC/POS serial speed.", gt=0)
    host = setting(str, "", "ESC/POS network printer host.")
    port = setting(int, 9100, "ESC/POS network printer port.", ge=1, le=65535)
    device_file = setting(str, "", "ESC/POS device file.")
    profile = setting(str, "", "python-escpos printer profile name; empty means a generic profile.")
    timeout_seconds = setting(int, 15, "Give up on a print job after this long.", ge=1, le=300)


class KioskConfig(_Section):
    idle_reset_seconds = setting(int, 60, "Kiosk wipes the session and goes home after this.", ge=15, le=3600)
    countdown_seconds = setting(int, 15, "Kiosk shows a 继续 countdown this long before the wipe.", ge=5, le=60)
    elder_timeout_factor = setting(float, 2.0, "长辈模式 multiplies the idle time by this.", ge=1.0, le=5.0)
    large_text = setting(bool, False, "Start in 适老化 large-text mode (长辈模式).")
    voice = setting(bool, False, "Start with voice guidance on.")
    autostart = setting(bool, False, "Packaged installs: start the kiosk full screen at desktop login.")
    screen = setting(int, 0, "Kiosk full screen on this screen (0 = the primary screen).", ge=0, le=16)
    scanner_key_gap_ms = setting(int, 35, "Keys closer than this, ending in Enter, are a scan.", ge=5, le=500)


class CitizenScreen(StrEnum):
    SECOND_SCREEN = "second_screen"  # full screen on a second monitor; with one monitor, beside the clerk's window
    WINDOW = "window"  # an ordinary window (on the second monitor when there is one, else beside the clerk's)
    OFF = "off"  # no citizen window at this PC (a separate `--mode rating` device rates)


class RatingConfig(_Section):
    timeout_seconds = setting(int, 90, "A rating request unanswered this long is recorded as 未评价.", ge=10, le=1800)
    citizen_screen = setting(CitizenScreen, CitizenScreen.SECOND_SCREEN, "Citizen window: second_screen|window|off.")


class Config(_Section):
    division = setting(
        str, "210800", "Administrative division code of the hall (6 digits).", check=_digits(6, "division")
    )
    hall_code = setting(str, "01", "Hall code within the division (2 digits).", check=_digits(2, "hall_code/window"))
    hall_name = setting(str, "营口市政务服务中心", "Hall name shown on screens and receipts.", check=_hall_name)
    hall_address = setting(str, "", "Hall address printed on receipts; empty prints none.", check=_hall_contact)
    hall_phone = setting(str, "", "Hall service phone printed on receipts; empty prints none.", check=_hall_contact)
    window = setting(str, "01", "Window (counter) number (2 digits).", check=_digits(2, "hall_code/window"))
    terminal_code = setting(
        str,
        "",
        "Terminal code within the hall (3 digits), assigned by the platform at enrolment; empty until then, and"
        " intake is refused while it is empty (case numbers must be unique city-wide).",
        check=_digits_or_empty(3, "terminal_code"),
    )
    hall_timezone = setting(
        str,
        "Asia/Shanghai",
        "IANA time zone of the hall: every time shown, printed or reported, 'today', the date in the case number"
        " and the daily report's day boundaries (never the PC's own zone).",
        check=_time_zone,
    )
    mode = setting(Mode, Mode.COUNTER, "counter, kiosk or rating.")
    platform_url = setting(str, "", "Central platform base URL; empty means offline (no sync).", check=_platform_url)
    ca_bundle = setting(str, "", "CA bundle file for the platform's TLS; empty means the system store.")
    retention_days = setting(
        int, 30, "Days personal data is kept locally after the platform acknowledged it.", ge=1, le=3650
    )
    unsynced_warning_minutes = setting(
        int, 120, "Warn the clerk when records stay unsynced longer than this.", ge=1, le=100_000
    )
    log_level = setting(str, "INFO", "DEBUG, INFO, WARNING or ERROR.", check=_log_level)
    data_dir = setting(str, "", "Data folder (e.g. /var/lib/tongban); empty: the user's data dir.")
    printer = section(PrinterConfig, "Receipt printer.")
    kiosk = section(KioskConfig, "Self-service kiosk.")
    rating = section(RatingConfig, "Rating screen.")

    @property
    def offline(self) -> bool:
        return not self.platform_url


def load_config(path: Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the TOML file at `path` (absent is fine: defaults) and apply environment overrides."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    source = "默认设置"
    if path is not None and path.exists():
        import tomllib  # only when there is a file: ~10 ms of every CLI command without one (issue 13)

        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"配置文件无法读取 {path}: {exc}") from exc
    _apply_env(data, environ)
    return config_from_dict(data, source=source)


def config_from_dict(data: Mapping[str, Any], *, source: str = "<dict>") -> Config:
    problems: list[tuple[str, str]] = []
    config = Config._build(dict(data), "", problems)
    if problems:
        raise ConfigError(_describe(problems, source))
    return config


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name in LOCATION_ENV_VARS:
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key.split("__", 1)[0] not in Config._settings:
            raise ConfigError(f"未知的环境变量 {name}: no config key '{key}' (unknown key)")
        if "__" in key:
            section_name, sub = key.split("__", 1)
            target = data.setdefault(section_name, {})
            if not isinstance(target, dict):
                raise ConfigError(f"环境变量 {name}: {section_name} is not a section")
            target[sub] = value
        else:
            data[key] = value


def describe_keys() -> list[tuple[str, str, Any]]:
    """(key, description, default) for every config key, for docs and `tongban config --help`."""
    rows: list[tuple[str, str, Any]] = []
    for name, spec in Config._settings.items():
        if spec.is_section:
            for sub, sub_spec in spec.type_._settings.items():
                rows.append((f"{name}.{sub}", sub_spec.description, sub_spec.default))
        else:
            rows.append((name, spec.description, spec.default))
    return rows
