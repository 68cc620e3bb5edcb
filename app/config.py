"""Settings: one typed, declarative schema, read from a TOML file plus environment overrides, checked at start.

Every key has its type, default and description here and nowhere else (STYLE.md lesson 9). Unknown or invalid
keys stop the start with a message naming the key. Environment overrides are `TONGBAN_<KEY>` for top-level keys
and `TONGBAN_<SECTION>__<KEY>` for keys of a section (e.g. `TONGBAN_PRINTER__KIND=pdf`).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

#: Environment variables that locate things rather than configure them; never treated as config keys.
LOCATION_ENV_VARS = frozenset({"TONGBAN_DATA_DIR", "TONGBAN_CONFIG", "TONGBAN_LOG_DIR", "TONGBAN_KEY_STORE"})
ENV_PREFIX = "TONGBAN_"


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


class _Section(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, validate_default=True)


class PrinterConfig(_Section):
    kind: PrinterKind = Field(PrinterKind.NONE, description="Where receipts print.")
    system_printer: str = Field("", description="System printer name; empty means the default printer.")
    pdf_dir: str = Field("", description="Folder for PDF receipts; empty means <data dir>/receipts.")
    paper_width_mm: int = Field(80, description="Thermal paper width: 80 or 58.")
    usb_vendor_id: int = Field(0, ge=0, le=0xFFFF, description="ESC/POS USB vendor id.")
    usb_product_id: int = Field(0, ge=0, le=0xFFFF, description="ESC/POS USB product id.")
    serial_port: str = Field("", description="ESC/POS serial device, e.g. /dev/ttyS0 or COM3.")
    serial_baudrate: int = Field(9600, gt=0, description="ESC/POS serial speed.")
    host: str = Field("", description="ESC/POS network printer host.")
    port: int = Field(9100, ge=1, le=65535, description="ESC/POS network printer port.")
    device_file: str = Field("", description="ESC/POS device file.")
    profile: str = Field("", description="python-escpos printer profile name; empty means a generic profile.")
    timeout_seconds: int = Field(15, ge=1, le=300, description="Give up on a print job after this long.")

    @field_validator("paper_width_mm")
    @classmethod
    def _paper_width(cls, value: int) -> int:
        if value not in (58, 80):
            raise ValueError("paper_width_mm must be 58 or 80")
        return value


class KioskConfig(_Section):
    idle_reset_seconds: int = Field(120, ge=15, le=3600, description="Kiosk returns to its home screen after this.")
    large_text: bool = Field(False, description="Start in 适老化 large-text mode.")
    voice: bool = Field(False, description="Start with voice guidance on.")


class RatingConfig(_Section):
    timeout_seconds: int = Field(
        90, ge=10, le=1800, description="A rating request unanswered this long is recorded as 未评价."
    )


class Config(_Section):
    division: str = Field("210800", description="Administrative division code of the hall (6 digits).")
    hall_code: str = Field("01", description="Hall code within the division (2 digits).")
    hall_name: str = Field("营口市政务服务中心", description="Hall name shown on screens and receipts.")
    window: str = Field("01", description="Window (counter) number (2 digits).")
    terminal_code: str = Field("001", description="Terminal code within the hall (3 digits), set at enrolment.")
    mode: Mode = Field(Mode.COUNTER, description="counter, kiosk or rating.")
    platform_url: str = Field("", description="Central platform base URL; empty means offline (no sync).")
    ca_bundle: str = Field("", description="CA bundle file for the platform's TLS; empty means the system store.")
    retention_days: int = Field(
        30,
        ge=1,
        le=3650,
        description="Days personal data is kept locally after the platform acknowledged it.",
    )
    unsynced_warning_minutes: int = Field(
        120, ge=1, le=100_000, description="Warn the clerk when records stay unsynced longer than this."
    )
    log_level: str = Field("INFO", description="DEBUG, INFO, WARNING or ERROR.")
    printer: PrinterConfig = Field(default_factory=PrinterConfig)
    kiosk: KioskConfig = Field(default_factory=KioskConfig)
    rating: RatingConfig = Field(default_factory=RatingConfig)

    @field_validator("division")
    @classmethod
    def _division(cls, value: str) -> str:
        return _digits(value, 6, "division")

    @field_validator("hall_code", "window")
    @classmethod
    def _two_digits(cls, value: str) -> str:
        return _digits(value, 2, "hall_code/window")

    @field_validator("terminal_code")
    @classmethod
    def _terminal(cls, value: str) -> str:
        return _digits(value, 3, "terminal_code")

    @field_validator("hall_name")
    @classmethod
    def _hall_name(cls, value: str) -> str:
        value = value.strip()
        if not 1 <= len(value) <= 60 or any(ord(c) < 32 for c in value):
            raise ValueError("hall_name must be 1 to 60 printable characters")
        return value

    @field_validator("platform_url")
    @classmethod
    def _platform_url(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith(("https://", "http://")):
            raise ValueError("platform_url must start with https:// (or http:// for a local test platform)")
        return value

    @field_validator("log_level")
    @classmethod
    def _log_level(cls, value: str) -> str:
        value = value.upper()
        if value not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("log_level must be DEBUG, INFO, WARNING or ERROR")
        return value

    @property
    def offline(self) -> bool:
        return not self.platform_url


def _digits(value: str, length: int, name: str) -> str:
    if len(value) != length or not value.isascii() or not value.isdigit():
        raise ValueError(f"{name} must be exactly {length} digits")
    return value


class ConfigError(Exception):
    """The configuration cannot be used; the message names the file and the key."""


def load_config(path: Path | None, environ: Mapping[str, str] | None = None) -> Config:
    """Read the TOML file at `path` (absent is fine: defaults) and apply environment overrides."""
    environ = os.environ if environ is None else environ
    data: dict[str, Any] = {}
    source = "默认设置"
    if path is not None and path.exists():
        source = str(path)
        try:
            data = tomllib.loads(path.read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"配置文件无法读取 {path}: {exc}") from exc
    _apply_env(data, environ)
    return config_from_dict(data, source=source)


def config_from_dict(data: Mapping[str, Any], *, source: str = "<dict>") -> Config:
    try:
        return Config.model_validate(dict(data))
    except ValidationError as exc:
        problems = []
        for error in exc.errors():
            key = ".".join(str(part) for part in error["loc"]) or "<root>"
            reason = "未知的配置项 (unknown key)" if error["type"] == "extra_forbidden" else error["msg"]
            problems.append(f"{key}: {reason}")
        raise ConfigError(f"配置有误 ({source}): " + "; ".join(problems)) from exc


def _apply_env(data: dict[str, Any], environ: Mapping[str, str]) -> None:
    for name, value in environ.items():
        if not name.startswith(ENV_PREFIX) or name in LOCATION_ENV_VARS:
            continue
        key = name[len(ENV_PREFIX) :].lower()
        if key.split("__", 1)[0] not in Config.model_fields:
            raise ConfigError(f"未知的环境变量 {name}: no config key '{key}' (unknown key)")
        if "__" in key:
            section, sub = key.split("__", 1)
            target = data.setdefault(section, {})
            if not isinstance(target, dict):
                raise ConfigError(f"环境变量 {name}: {section} is not a section")
            target[sub] = value
        else:
            data[key] = value


def describe_keys() -> list[tuple[str, str, Any]]:
    """(key, description, default) for every config key, for docs and `tongban config --help`."""
    rows: list[tuple[str, str, Any]] = []
    for name, info in Config.model_fields.items():
        annotation = info.annotation
        if isinstance(annotation, type) and issubclass(annotation, _Section):
            for sub, sub_info in annotation.model_fields.items():
                rows.append((f"{name}.{sub}", sub_info.description or "", sub_info.default))
        else:
            rows.append((name, info.description or "", info.default))
    return rows
