"""Shared helpers for the widget tests."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from app.config import Config
from app.services.status import StatusService
from ui.counter_window import CounterWindow


class Counters:
    """Stand-in for the store's counters: plain numbers the test changes."""

    def __init__(self) -> None:
        self.depth = 0
        self.dead = 0
        self.reads = 0
        self.error: Exception | None = None  # raised by the next read, as a locked database would

    def queue_depth(self) -> int:
        self.reads += 1
        if self.error is not None:
            raise self.error
        return self.depth

    def dead_letters(self) -> int:
        return self.dead


def make_window(
    qtbot: QtBot, config: Config, counters: Counters, *, platform_configured: bool = False
) -> tuple[CounterWindow, StatusService]:
    status = StatusService(
        queue_depth=counters.queue_depth,
        dead_letters=counters.dead_letters,
        platform_configured=platform_configured,
    )
    window = CounterWindow(config=config, status=status)
    qtbot.add_widget(window)
    status.setParent(window)
    window.show()
    qtbot.wait_exposed(window)
    return window, status
