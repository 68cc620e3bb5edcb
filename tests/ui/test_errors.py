"""Unexpected exceptions: logged, shown in plain Chinese on the GUI thread, and the session goes on."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QObject, QTimer, Slot
from PySide6.QtWidgets import QApplication, QPushButton
from pytestqt.qtbot import QtBot

from app.config import Config, Mode
from app.services.errors import Cancelled, ErrorRouter, UserFacingError
from tests.ui.helpers import Counters, make_window
from ui.app import install_error_handling
from ui.counter_window import CounterWindow
from ui.error_dialog import ErrorPresenter

BUG_TEXT = "程序出现了意外错误，已记录到日志。您可以继续办理业务；如果反复出现，请联系管理员。"


class Faulty(QObject):
    """A slot with a bug in it, as a page of the window might have."""

    def __init__(self, parent: QObject, make_exc: Callable[[], Exception]) -> None:
        super().__init__(parent)
        self.make_exc = make_exc
        self.calls = 0

    @Slot()
    def act(self) -> None:
        self.calls += 1
        raise self.make_exc()


class Wiring:
    def __init__(self, window: CounterWindow, router: ErrorRouter, presenter: ErrorPresenter) -> None:
        self.window = window
        self.router = router
        self.presenter = presenter


def _wire(qtbot: QtBot, config: Config, *, mode: Mode) -> Iterator[Wiring]:
    window, _status = make_window(qtbot, config, Counters())
    router, presenter = install_error_handling(window, mode=mode, window=window)
    try:
        yield Wiring(window, router, presenter)
    finally:
        router.uninstall()
        if presenter.dialog is not None:
            presenter.dialog.close()


@pytest.fixture
def counter(gui_app: QApplication, qtbot: QtBot, hall_config: Config) -> Iterator[Wiring]:
    yield from _wire(qtbot, hall_config, mode=Mode.COUNTER)


@pytest.fixture
def kiosk(gui_app: QApplication, qtbot: QtBot, hall_config: Config) -> Iterator[Wiring]:
    yield from _wire(qtbot, hall_config, mode=Mode.KIOSK)


def _dialog_text(wiring: Wiring) -> str:
    assert wiring.presenter.dialog is not None
    return wiring.presenter.dialog.text()


@pytest.mark.qt_no_exception_capture  # the router, not pytest-qt, must see the exception
def test_bug_in_a_button_slot_is_logged_and_shown_and_the_window_stays_open(
    counter: Wiring, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    faulty = Faulty(counter.window, lambda: RuntimeError("boom in the intake page"))
    button = QPushButton("办理", counter.window)
    button.clicked.connect(faulty.act)
    with caplog.at_level(logging.ERROR, logger="tongban.ui"):
        with qtbot.wait_signal(counter.router.error_reported):
            button.click()
        qtbot.wait_until(lambda: counter.presenter.dialog is not None and counter.presenter.dialog.isVisible())
    assert _dialog_text(counter) == BUG_TEXT
    assert counter.presenter.dialog is not None
    assert counter.presenter.dialog.windowTitle() == "出错了"
    assert "RuntimeError: boom in the intake page" in counter.presenter.dialog.detailedText()
    errors = [r for r in caplog.records if r.name == "tongban.ui" and r.levelno == logging.ERROR]
    assert len(errors) == 1
    assert "RuntimeError: boom in the intake page" in errors[0].getMessage()
    assert counter.window.isVisible()
    # The session goes on: the same button works again (and the same bug is logged, not shown twice).
    counter.presenter.dialog.close()
    with caplog.at_level(logging.ERROR, logger="tongban.ui"), qtbot.wait_signal(counter.router.error_reported):
        button.click()
    assert faulty.calls == 2
    assert not counter.presenter.dialog.isVisible()
    assert sum(r.name == "tongban.ui" for r in caplog.records) == 2


@pytest.mark.qt_no_exception_capture
def test_bug_in_a_timer_slot_reaches_the_dialog(
    counter: Wiring, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    faulty = Faulty(counter.window, lambda: KeyError("missing"))
    timer = QTimer(counter.window)
    timer.setObjectName("faulty_timer")
    timer.setSingleShot(True)
    timer.timeout.connect(faulty.act)
    with qtbot.wait_signal(counter.router.error_reported, timeout=2000):
        timer.start(0)
    qtbot.wait_until(lambda: counter.presenter.dialog is not None and counter.presenter.dialog.isVisible())
    assert _dialog_text(counter) == BUG_TEXT
    assert any("KeyError" in r.getMessage() for r in caplog.records)
    assert counter.window.isVisible()


class ThreadRecorder(QObject):
    """Records which thread a report is delivered in (a bound slot of a GUI-thread QObject, as the presenter)."""

    def __init__(self, parent: QObject) -> None:
        super().__init__(parent)
        self.threads: list[str] = []

    @Slot(object)
    def record(self, _report: object) -> None:
        self.threads.append(threading.current_thread().name)


def test_bug_in_a_worker_thread_is_shown_on_the_gui_thread(
    counter: Wiring, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    recorder = ThreadRecorder(counter.window)
    counter.router.error_reported.connect(recorder.record)

    def fail() -> None:
        raise ValueError("worker failed")

    worker = threading.Thread(target=fail, name="sync-worker")
    worker.start()
    worker.join()
    qtbot.wait_until(lambda: counter.presenter.dialog is not None and counter.presenter.dialog.isVisible())
    assert recorder.threads == [threading.main_thread().name]
    assert _dialog_text(counter) == BUG_TEXT
    assert any("ValueError: worker failed" in r.getMessage() for r in caplog.records)


def test_environment_error_shows_its_own_plain_message(
    counter: Wiring, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    exc = UserFacingError("打印机未连接，请检查打印机电源和数据线。")
    counter.router.handle(UserFacingError, exc, None)
    qtbot.wait_until(lambda: counter.presenter.dialog is not None and counter.presenter.dialog.isVisible())
    assert _dialog_text(counter) == "打印机未连接，请检查打印机电源和数据线。"
    assert [r.levelname for r in caplog.records if r.name == "tongban.ui"] == ["WARNING"]


def test_os_error_without_a_message_gets_a_generic_chinese_one(
    counter: Wiring, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    counter.router.handle(OSError, OSError(28, "No space left on device"), None)
    qtbot.wait_until(lambda: counter.presenter.dialog is not None and counter.presenter.dialog.isVisible())
    assert _dialog_text(counter).startswith("操作未能完成：这台电脑或网络出现了问题")
    assert any("No space left" in r.getMessage() for r in caplog.records)


def test_cancellation_is_silent(counter: Wiring, qtbot: QtBot) -> None:
    with qtbot.assert_not_emitted(counter.router.error_reported):
        counter.router.handle(Cancelled, Cancelled(), None)
    assert counter.presenter.dialog is None


@pytest.mark.qt_no_exception_capture
def test_kiosk_never_shows_a_traceback(kiosk: Wiring, qtbot: QtBot, caplog: pytest.LogCaptureFixture) -> None:
    faulty = Faulty(kiosk.window, lambda: RuntimeError("secret internals"))
    button = QPushButton("开始", kiosk.window)
    button.clicked.connect(faulty.act)
    with qtbot.wait_signal(kiosk.router.error_reported):
        button.click()
    qtbot.wait_until(lambda: kiosk.presenter.dialog is not None and kiosk.presenter.dialog.isVisible())
    assert kiosk.presenter.dialog is not None
    assert kiosk.presenter.dialog.detailedText() == ""
    assert "Traceback" not in _dialog_text(kiosk)
    assert "secret internals" not in _dialog_text(kiosk)
    assert any("secret internals" in r.getMessage() for r in caplog.records)  # it is still logged


def test_personal_data_in_an_exception_is_redacted_from_log_and_details(
    counter: Wiring, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    id_number = "210802199001011234"
    try:
        raise ValueError(f"bad applicant {id_number}")
    except ValueError as exc:
        counter.router.handle(ValueError, exc, exc.__traceback__)
    qtbot.wait_until(lambda: counter.presenter.dialog is not None and counter.presenter.dialog.isVisible())
    assert counter.presenter.dialog is not None
    assert id_number not in counter.presenter.dialog.detailedText()
    assert all(id_number not in r.getMessage() for r in caplog.records)


def test_an_environment_error_logs_no_file_name(qapp: QApplication, caplog: pytest.LogCaptureFixture) -> None:
    """Scans are often saved under the applicant's name; an OSError's text carries that path."""
    router = ErrorRouter(show_details=False)
    exc = FileNotFoundError(2, "No such file or directory", "/home/clerk/扫描/王秀英身份证.pdf")
    with caplog.at_level(logging.WARNING, logger="tongban"):
        router.handle(FileNotFoundError, exc, None)
    logged = "\n".join(r.getMessage() for r in caplog.records)
    assert "FileNotFoundError" in logged and "No such file or directory" in logged
    assert "王秀英" not in logged and "扫描" not in logged
