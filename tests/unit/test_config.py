"""Config: one typed schema; unknown or invalid keys stop the start with a message naming the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.config import ConfigError, Mode, PrinterKind, config_from_dict, describe_keys, load_config


def test_defaults_need_no_file(tmp_path: Path) -> None:
    config = load_config(tmp_path / "absent.toml", environ={})
    assert config.mode is Mode.COUNTER
    assert config.offline
    assert config.division == "210800"
    assert config.retention_days == 30


def test_file_and_environment_overrides(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('hall_name = "鲅鱼圈区政务服务中心"\nwindow = "07"\n[printer]\nkind = "pdf"\n', encoding="utf-8")
    config = load_config(path, environ={"TONGBAN_WINDOW": "08", "TONGBAN_KIOSK__LARGE_TEXT": "true"})
    assert config.hall_name == "鲅鱼圈区政务服务中心"
    assert config.window == "08"  # environment wins over the file
    assert config.printer.kind is PrinterKind.PDF
    assert config.kiosk.large_text is True


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"colour": "red"}, "colour"),
        ({"printer": {"papr_width_mm": 80}}, "printer.papr_width_mm"),
        ({"window": "7"}, "window"),
        ({"terminal_code": "1; DROP TABLE cases"}, "terminal_code"),
        ({"mode": "casino"}, "mode"),
        ({"platform_url": "ftp://x"}, "platform_url"),
        ({"retention_days": 0}, "retention_days"),
        ({"printer": {"paper_width_mm": 70}}, "printer.paper_width_mm"),
        ({"hall_name": "x" * 10_000_000}, "hall_name"),
        ({"hall_name": "大厅\x00"}, "hall_name"),
        ({"hall_address": "地址" * 50}, "hall_address"),
        ({"hall_phone": "0417\n2823456"}, "hall_phone"),
    ],
)
def test_bad_keys_are_named(data: dict[str, object], named: str) -> None:
    with pytest.raises(ConfigError) as info:
        config_from_dict(data)
    assert named in str(info.value)
    assert "配置有误" in str(info.value)


def test_unknown_environment_key_is_named() -> None:
    with pytest.raises(ConfigError, match="TONGBAN_PRINTR__KIND"):
        load_config(None, environ={"TONGBAN_PRINTR__KIND": "pdf"})


def test_broken_toml_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text("window = [unclosed", encoding="utf-8")
    with pytest.raises(ConfigError, match=r"config\.toml"):
        load_config(path, environ={})


def test_every_key_is_described() -> None:
    rows = describe_keys()
    keys = {key for key, _, _ in rows}
    assert {
        "division",
        "hall_code",
        "window",
        "terminal_code",
        "mode",
        "platform_url",
        "printer.kind",
        "hall_address",
        "hall_phone",
    } <= keys
    assert all(description for _, description, _ in rows)


def test_config_reads_without_a_model_framework() -> None:
    """Every start and every CLI command reads the config: it must not pull pydantic in (issue 13)."""
    import subprocess
    import sys

    code = "import sys, app.config as c; c.load_config(None, environ={}); print('pydantic' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_replace_validates_and_round_trips() -> None:
    config = config_from_dict({"printer": {"kind": "pdf"}, "kiosk": {"voice": "yes"}})
    assert config_from_dict(config.as_dict()) == config
    assert config.replace(window="09").window == "09"
    assert config.replace(window="09").printer.kind is PrinterKind.PDF
    with pytest.raises(ConfigError, match="window"):
        config.replace(window="9")
    with pytest.raises(AttributeError):
        config.window = "02"  # type: ignore[misc]
