"""Both windows at once (pytest-qt): the clerk asks, the citizen screen rates, the clerk sees the stored result.

Real services over a real SQLite file; clicks go to the widgets a person would touch.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QCheckBox, QToolButton, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import RATING_REASONS, RatingLevel, RatingOutcome
from app.services.ratings import RatingRefusedError, RatingService
from app.services.report import ReportService
from app.services.status import StatusService
from offline_cache import Store
from tests.integration.rating_support import Clock, make_service, open_test_store, save_case, terminal_config
from ui.counter_window import CounterWindow
from ui.pages.daily_report import DailyReportDialog
from ui.pages.ratings_panel import RatingsPanel, attach_ratings_panel
from ui.rating.pages import TOUCH_MIN_PX
from ui.rating.window import RatingWindow, citizen_screen, place_full_screen


def tap(widget: QWidget) -> None:
    """A finger on the touch screen: press and release over the widget (a check box: on its box)."""
    if isinstance(widget, QCheckBox):
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton, pos=QPoint(20, widget.height() // 2))
    else:
        QTest.mouseClick(widget, Qt.MouseButton.LeftButton)


class Desk:
    """The counter: the clerk's window with its ratings panel, and the citizen's rating window."""

    def __init__(
        self, qtbot: QtBot, store: Store, clock: Clock, service: RatingService, *, thanks_ms: int = 4000
    ) -> None:
        self.store = store
        self.clock = clock
        self.service = service
        config = terminal_config()
        status = StatusService(queue_depth=store.outbox.depth, dead_letters=lambda: 0, platform_configured=False)
        self.counter = CounterWindow(config=config, status=status)
        status.setParent(self.counter)
        qtbot.add_widget(self.counter)
        self.panel: RatingsPanel = attach_ratings_panel(
            self.counter,
            ratings=service,
            reports=ReportService(store=store, config=config, clock=clock, parent=self.counter),
            staff_no=lambda: "S0042",
        )
        self.rating = RatingWindow(service=service, config=config, thanks_ms=thanks_ms)
        qtbot.add_widget(self.rating)
        self.counter.show()
        self.rating.show()
        qtbot.wait_exposed(self.rating)

    def ask_for_case(self) -> str:
        case = save_case(self.store, self.clock)
        self.service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042", initiator=self.panel)
        return case.case_no


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def store(tmp_path: Path, clock: Clock) -> Iterator[Store]:
    with open_test_store(tmp_path, clock) as s:
        yield s


@pytest.fixture
def desk(qtbot: QtBot, gui_app: QApplication, store: Store, clock: Clock) -> Desk:
    return Desk(qtbot, store, clock, make_service(store, clock))


def test_idle_screen_shows_hall_window_and_clerk(desk: Desk) -> None:
    idle = desk.rating.idle_page
    assert desk.rating.pages.currentWidget() is idle
    assert idle.hall_label.text() == "鲅鱼圈区政务服务中心"
    assert idle.window_label.text() == "7号窗口"
    desk.rating.set_clerk(staff_no="S0042", name="李明")
    assert (idle.clerk_name.text(), idle.clerk_no.text()) == ("李明", "工号 S0042")


@pytest.mark.parametrize("level", [RatingLevel.VERY_SATISFIED, RatingLevel.SATISFIED])
def test_a_good_rating_is_one_tap(desk: Desk, qtbot: QtBot, level: RatingLevel) -> None:
    case_no = desk.ask_for_case()
    assert desk.rating.pages.currentWidget() is desk.rating.level_page
    assert "城乡居民养老保险参保登记" in desk.rating.level_page.context.text()
    assert desk.panel.state_label.text().startswith("等待群众评价")
    with qtbot.wait_signal(desk.service.rating_saved):
        tap(desk.rating.level_page.buttons[level])
    [rating] = desk.store.ratings.for_case(case_no)
    assert rating.level is level and rating.staff_no == "S0042" and rating.window == "07"
    assert desk.rating.pages.currentWidget() is desk.rating.thanks_page
    assert desk.panel.state_label.text() == f"已评价：{desk.rating.level_page.buttons[level].text()}"
    assert desk.panel.today_label.text().startswith("今日已评价 1 次，好评率 100%")


@pytest.mark.parametrize(
    "level", [RatingLevel.BASICALLY_SATISFIED, RatingLevel.DISSATISFIED, RatingLevel.VERY_DISSATISFIED]
)
def test_below_satisfied_asks_reasons_text_and_consent(desk: Desk, qtbot: QtBot, level: RatingLevel) -> None:
    case_no = desk.ask_for_case()
    tap(desk.rating.level_page.buttons[level])
    page = desk.rating.reasons_page
    assert desk.rating.pages.currentWidget() is page
    # the clerk sees nothing of the choice until it is stored
    assert desk.panel.state_label.text().startswith("等待群众评价")
    assert page.consent.isVisibleTo(desk.rating) and "138****1234" in page.consent.text()
    tap(page.reason_buttons["等候时间长"])
    tap(page.reason_buttons["系统故障"])
    tap(page.keyboard_button)
    for char in "ok1":
        tap(page.keyboard.keys[char])
    tap(page.consent)
    with qtbot.wait_signal(desk.service.rating_saved):
        tap(page.submit_button)
    [rating] = desk.store.ratings.for_case(case_no)
    assert rating.level is level
    assert rating.reasons == ("等候时间长", "系统故障") and rating.text == "ok1" and rating.callback_consent
    assert desk.rating.pages.currentWidget() is desk.rating.thanks_page
    assert desk.panel.notice_label.isVisibleTo(desk.counter) is level.is_bad


def test_a_poor_rating_cannot_be_submitted_without_a_reason(desk: Desk, qtbot: QtBot) -> None:
    case_no = desk.ask_for_case()
    tap(desk.rating.level_page.buttons[RatingLevel.VERY_DISSATISFIED])
    page = desk.rating.reasons_page
    assert not page.submit_button.isEnabled()
    tap(page.submit_button)
    page.submitted.emit()  # even if the signal fired anyway, the service refuses
    assert desk.store.ratings.for_case(case_no) == []
    assert page.message.text() == "请至少选择一项不满意的原因。"
    tap(page.reason_buttons[RATING_REASONS[0]])
    assert page.submit_button.isEnabled()
    with qtbot.wait_signal(desk.service.bad_rating_reported):
        tap(page.submit_button)
    assert len(desk.store.ratings.for_case(case_no)) == 1
    assert "差评" in desk.panel.notice_label.text() and "办事指南不清楚" in desk.panel.notice_label.text()


def test_twenty_taps_in_a_second_store_one_rating(desk: Desk, qtbot: QtBot) -> None:
    case_no = desk.ask_for_case()
    buttons = desk.rating.level_page.buttons
    for n in range(20):
        tap(buttons[RatingLevel.VERY_SATISFIED if n % 2 else RatingLevel.SATISFIED])
    ratings = desk.store.ratings.for_case(case_no)
    assert [r.level for r in ratings] == [RatingLevel.SATISFIED]  # the first tap, and only it


def test_thank_you_then_idle_and_ready_for_the_next_citizen(
    qtbot: QtBot, gui_app: QApplication, store: Store, clock: Clock
) -> None:
    desk = Desk(qtbot, store, clock, make_service(store, clock), thanks_ms=50)  # a real screen waits 4 s
    desk.ask_for_case()
    tap(desk.rating.level_page.buttons[RatingLevel.VERY_SATISFIED])
    assert desk.rating.pages.currentWidget() is desk.rating.thanks_page
    qtbot.wait_until(lambda: desk.rating.pages.currentWidget() is desk.rating.idle_page)
    second = desk.ask_for_case()
    assert all(b.isEnabled() for b in desk.rating.level_page.buttons.values())
    tap(desk.rating.level_page.buttons[RatingLevel.SATISFIED])
    assert [r.level for r in store.ratings.for_case(second)] == [RatingLevel.SATISFIED]


def test_timeout_records_unrated_and_the_screen_goes_idle(
    qtbot: QtBot, gui_app: QApplication, store: Store, clock: Clock
) -> None:
    desk = Desk(qtbot, store, clock, make_service(store, clock, timeout=dt.timedelta(milliseconds=100)))
    case_no = desk.ask_for_case()
    clock.advance(1)
    with qtbot.wait_signal(desk.service.rating_saved, timeout=3000):
        pass
    [rating] = store.ratings.for_case(case_no)
    assert rating.outcome is RatingOutcome.UNRATED and rating.level is None
    assert desk.rating.pages.currentWidget() is desk.rating.idle_page
    assert desk.panel.state_label.text().startswith("未评价")
    assert "未评价 1 次" in desk.panel.today_label.text()


def test_one_case_cannot_be_rated_twice_and_the_clerk_window_has_no_rating_buttons(desk: Desk, qtbot: QtBot) -> None:
    case_no = desk.ask_for_case()
    tap(desk.rating.level_page.buttons[RatingLevel.SATISFIED])
    with pytest.raises(RatingRefusedError, match="一事一评"):
        desk.service.request_rating(case_no=case_no, item_code=None, staff_no="S0042")
    assert desk.rating.pages.currentWidget() is desk.rating.thanks_page  # no second prompt appeared
    clerk_buttons = [b for b in desk.counter.findChildren(QToolButton) if b.property("level") is not None]
    assert clerk_buttons == []


def test_the_clerk_asks_for_a_visit_without_a_case(desk: Desk, qtbot: QtBot) -> None:
    with qtbot.wait_signal(desk.service.rating_requested):
        tap(desk.panel.request_button)
    prompt = desk.rating.prompt
    assert prompt is not None and prompt.case_no is None
    tap(desk.rating.level_page.buttons[RatingLevel.BASICALLY_SATISFIED])
    assert not desk.rating.reasons_page.consent.isVisibleTo(desk.rating)  # no case: no call-back
    tap(desk.rating.reasons_page.submit_button)  # reasons are optional at 基本满意
    [rating] = desk.store.ratings.for_service_act(prompt.service_act_id)
    assert rating.case_no is None and rating.level is RatingLevel.BASICALLY_SATISFIED


def test_free_text_is_limited_on_screen(desk: Desk, qtbot: QtBot) -> None:
    case_no = desk.ask_for_case()
    tap(desk.rating.level_page.buttons[RatingLevel.DISSATISFIED])
    page = desk.rating.reasons_page
    page.text_edit.insert("慢" * 10_000)
    assert len(page.text_edit.text()) == 200
    page.text_edit.setText("<b>粗</b>\x01\x7f")
    tap(page.reason_buttons["其他"])
    tap(page.submit_button)
    [rating] = desk.store.ratings.for_case(case_no)
    assert rating.text == "<b>粗</b>"


def test_a_request_open_at_a_crash_is_asked_again(
    qtbot: QtBot, gui_app: QApplication, tmp_path: Path, clock: Clock
) -> None:
    with open_test_store(tmp_path, clock) as store:
        case = save_case(store, clock)
        make_service(store, clock).request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    clock.advance(5)
    with open_test_store(tmp_path, clock) as store:
        window = RatingWindow(service=make_service(store, clock), config=terminal_config())
        qtbot.add_widget(window)
        assert window.pages.currentWidget() is window.level_page
        assert window.prompt is not None and window.prompt.case_no == case.case_no
        tap(window.level_page.buttons[RatingLevel.VERY_SATISFIED])
        assert [r.level for r in store.ratings.for_case(case.case_no)] == [RatingLevel.VERY_SATISFIED]


def test_touch_targets_are_at_least_60_px(desk: Desk) -> None:
    desk.ask_for_case()
    for button in desk.rating.level_page.buttons.values():
        assert button.width() >= TOUCH_MIN_PX and button.height() >= TOUCH_MIN_PX
        assert button.text() and not button.icon().isNull()  # words and a face, not colour alone
    for button in desk.rating.reasons_page.reason_buttons.values():
        assert button.minimumHeight() >= TOUCH_MIN_PX


def test_the_window_goes_full_screen_on_the_citizen_screen(qtbot: QtBot, gui_app: QApplication, desk: Desk) -> None:
    screen = place_full_screen(desk.rating)
    assert screen is citizen_screen()
    if len(QGuiApplication.screens()) == 1:
        assert screen is QGuiApplication.primaryScreen()
    qtbot.wait_until(desk.rating.isFullScreen)
    assert desk.rating.screen() is screen


def test_daily_report_dialog_shows_and_exports(desk: Desk, qtbot: QtBot, tmp_path: Path) -> None:
    desk.ask_for_case()
    tap(desk.rating.level_page.buttons[RatingLevel.VERY_DISSATISFIED])
    tap(desk.rating.reasons_page.reason_buttons["其他"])
    desk.rating.reasons_page.text_edit.setText("<script>alert(1)</script>")
    tap(desk.rating.reasons_page.submit_button)
    dialog = DailyReportDialog(service=ReportService(store=desk.store, config=terminal_config(), clock=desk.clock))
    qtbot.add_widget(dialog)
    dialog.date_edit.setDate(dialog.date_edit.date().addDays(0))
    shown = dialog.view.toPlainText()
    assert "好评率 0.0%" in shown and "<script>alert(1)</script>" in shown
    assert dialog.export_to(tmp_path / "r.csv", "csv")
    assert (tmp_path / "r.csv").exists() and "r.csv" in dialog.message.text()
    assert not dialog.export_to(tmp_path / "r.xlsx", "xlsx")
    assert "未知的格式" in dialog.message.text()
    assert not dialog.print_report()  # the test terminal has no A4 printer
    assert dialog.message.text() == "未配置A4系统打印机，请导出PDF后打印。"


@pytest.mark.skipif(not os.environ.get("RATING_SCREENSHOTS"), reason="set RATING_SCREENSHOTS=<dir> to render")
def test_render_screens(desk: Desk, qtbot: QtBot) -> None:
    """Renders every screen to PNG for a person to look at (not run by default)."""
    out = Path(os.environ["RATING_SCREENSHOTS"])
    out.mkdir(parents=True, exist_ok=True)
    desk.rating.resize(1280, 800)
    desk.rating.set_clerk(staff_no="S0042", name="李明")
    desk.rating.grab().save(str(out / "1-idle.png"))
    desk.ask_for_case()
    desk.rating.grab().save(str(out / "2-levels.png"))
    tap(desk.rating.level_page.buttons[RatingLevel.DISSATISFIED])
    tap(desk.rating.reasons_page.reason_buttons["等候时间长"])
    desk.rating.grab().save(str(out / "3-reasons.png"))
    tap(desk.rating.reasons_page.keyboard_button)
    desk.rating.grab().save(str(out / "3b-keyboard.png"))
    tap(desk.rating.reasons_page.submit_button)
    desk.rating.grab().save(str(out / "4-thanks.png"))
    desk.counter.grab().save(str(out / "5-counter.png"))
    dialog = DailyReportDialog(service=ReportService(store=desk.store, config=terminal_config(), clock=desk.clock))
    qtbot.add_widget(dialog)
    dialog.grab().save(str(out / "6-report.png"))


def test_a_tap_after_another_rating_screen_answered_is_thanked_and_stores_nothing(
    desk: Desk, qtbot: QtBot, tmp_path: Path, clock: Clock
) -> None:
    """Issue 11: a second rating screen (a `--mode rating` process) on the same data answered first."""
    case_no = desk.ask_for_case()
    with open_test_store(tmp_path, clock) as other_store:  # the other process's own connection
        other = make_service(other_store, clock)
        prompt = other.resume_pending()
        assert prompt is not None and prompt.case_no == case_no
        other.submit(device=other.register_citizen_screen(), service_act_id=prompt.service_act_id, level=5)
    tap(desk.rating.level_page.buttons[RatingLevel.SATISFIED])
    assert desk.rating.pages.currentWidget() is desk.rating.thanks_page
    assert desk.rating.thanks_page.title.text() == "已评价，谢谢"
    assert [r.level for r in desk.store.ratings.for_case(case_no)] == [RatingLevel.VERY_SATISFIED]
    QApplication.processEvents()
    assert desk.rating.grab().save(str(tmp_path / "rating_already_rated.png"))
