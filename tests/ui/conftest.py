"""Fixtures for widget tests: the application prepared as `run_gui` prepares it (language, font, theme)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtWidgets import QApplication

from app.config import Config, config_from_dict
from ui.app import prepare_application


@pytest.fixture(scope="session")
def gui_app(qapp: QApplication) -> Iterator[QApplication]:
    """The session's QApplication with the zh_CN translators, the shipped font and the QSS theme installed."""
    family = prepare_application(qapp)
    assert family == "Tongban Sans"
    yield qapp


@pytest.fixture
def hall_config() -> Config:
    """A terminal that is not the default one, so the test sees that the window shows *its* identity."""
    return config_from_dict(
        {
            "division": "210804",
            "hall_code": "02",
            "hall_name": "鲅鱼圈区政务服务中心",
            "window": "07",
            "terminal_code": "015",
        }
    )
