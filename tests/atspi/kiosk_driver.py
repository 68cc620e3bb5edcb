"""The kiosk on a real X screen, moved from page to page on command, for the AT-SPI walk (same protocol as
counter_driver.py: one page name per line on stdin, one JSON line back with title, marker and scope)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QEventLoop, QSocketNotifier
from PySide6.QtWidgets import QApplication

from app.config import config_from_dict
from app.domain.models import MaterialStatus, RatingLevel
from app.paths import AppPaths
from app.services.terminal import Terminal, open_terminal
from tests import pii_samples
from tests.ui.kiosk.support import put_card, save_bundle, save_case
from ui.app import prepare_application
from ui.kiosk.window import KioskWindow

#: 就业失业登记: self-service, one 情形 question, window pickup only (as in tests/ui/kiosk/test_kiosk_intake.py).
INTAKE_ITEM = "210800200114000"


class Driver:
    def __init__(self, app: QApplication, root: Path) -> None:
        self.app = app
        paths = AppPaths(data_dir=root / "data", config_file=root / "c.toml", log_dir=root / "logs")
        printer = {"kind": "pdf", "pdf_dir": str(root / "pdf")}
        # A terminal code of its own: the kiosk may take cases in (自助收件).
        config = config_from_dict({"mode": "kiosk", "terminal_code": "009", "printer": printer})
        self.terminal: Terminal = open_terminal(config=config, paths=paths)
        put_card(self.terminal)
        self.case = save_case(self.terminal)
        self.bundle: Any = None  # a 一件事, saved when its page is first asked for
        self.window = KioskWindow(terminal=self.terminal, voice_engine="mock")
        self.window.place()
        self.window.start()
        w = self.window
        self.pages: dict[str, Callable[[], tuple[str, str]]] = {
            "home": lambda: (w.home.tiles["progress"].text(), "kiosk_home"),
            "progress": self.progress,
            "progress_result": self.progress_result,
            "progress_bundle": self.progress_bundle,
            "guide": self.guide,
            "guide_question": self.guide_question,
            "guide_detail": self.guide_detail,
            "guide_keyboard": self.guide_keyboard,
            "rating_levels": self.rating_levels,
            "rating_reasons": self.rating_reasons,
            "reprint": self.reprint,
            "admin": self.admin,
            "error": self.error,
            "idle_countdown": self.idle_countdown,
            "home_elder": self.home_elder,
            "intake_items": self.intake_items,
            "intake_question": self.intake_question,
            "intake_card": self.intake_card,
            "intake_phone": self.intake_phone,
            "intake_materials": self.intake_materials,
            "intake_delivery": self.intake_delivery,
            "intake_confirm": self.intake_confirm,
            "intake_result": self.intake_result,
            "intake_typed_id": self.intake_typed_id,
            "intake_typed_name": self.intake_typed_name,
        }

    def progress(self) -> tuple[str, str]:
        self.window.go_home()
        self.window.home.tiles["progress"].click()
        return "查询", "kiosk_progress"

    def progress_result(self) -> tuple[str, str]:
        self.progress()
        self.case = save_case(self.terminal)  # a fresh case: leaving a rating records 未评价 (rated once)
        self.window.progress.case_field.setText(self.case.case_no)
        self.window.progress.tail_field.setText(self.case.applicant.id_number[-4:])  # type: ignore[union-attr]
        self.window.progress.query_button.click()
        return "评价此办件", "kiosk_progress"

    def progress_bundle(self) -> tuple[str, str]:
        """A 一件事's own number: one block per member department, 上一页/下一页."""
        self.progress()
        if self.bundle is None:
            self.bundle = save_bundle(self.terminal)
        self.window.progress.case_field.setText(self.bundle.parent.case_no)
        self.window.progress.tail_field.setText(pii_samples.ID_NUMBER[-4:])
        self.window.progress.query_button.click()
        return "评价这件事", "kiosk_progress"

    def guide(self) -> tuple[str, str]:
        self.window.go_home()
        self.window.home.tiles["guide"].click()
        return self.window.guide.departments.buttons[0].text(), "kiosk_guide"

    def guide_question(self) -> tuple[str, str]:
        """An item's first 情形 question: its options are the focusable choices."""
        self.guide()
        self.window.guide.departments.buttons[0].click()
        self.window.guide.items.buttons[0].click()
        return self.window.guide.options.buttons[0].text(), "kiosk_guide"

    def guide_detail(self) -> tuple[str, str]:
        self.guide()
        self.window.guide.departments.buttons[0].click()
        self.window.guide.items.buttons[0].click()
        guide = self.window.guide
        while guide.views.currentWidget() is guide.question_view:  # its 情形 questions first
            guide.options.buttons[0].click()
        return "打印材料清单", "kiosk_guide"

    def guide_keyboard(self) -> tuple[str, str]:
        self.guide()
        self.window.guide.keyboard_button.click()
        return "删除", "kiosk_guide"

    def rating_levels(self) -> tuple[str, str]:
        self.progress_result()
        self.window.progress.rate_button.click()
        return "非常满意", "kiosk_rating"

    def rating_reasons(self) -> tuple[str, str]:
        self.rating_levels()
        self.window.rating.level_page.buttons[RatingLevel.DISSATISFIED].click()
        self.window.rating.reasons_page.keyboard_button.click()
        return "提交评价", "kiosk_rating"

    def reprint(self) -> tuple[str, str]:
        self.window.go_home()
        self.window.home.tiles["reprint"].click()
        return "读取身份证", "kiosk_reprint"

    def admin(self) -> tuple[str, str]:
        self.window.open_admin()
        return "确认", "kiosk_admin"

    def error(self) -> tuple[str, str]:
        self.window.go_home()
        self.window._show(self.window.error_page)
        return "返回首页", "kiosk_error"

    def idle_countdown(self) -> tuple[str, str]:
        self.progress()
        self.window.overlay.show_seconds(12)
        return "继续", "idle_overlay"

    def home_elder(self) -> tuple[str, str]:
        self.window.go_home()
        self.window.set_elder(True)
        return "长辈模式", "kiosk_home"  # a toggle button: its name stays, its checked state changes

    # --- 自助收件 (INTAKE_ITEM: one 情形 question, window pickup) -------------------------------------------------

    def _wait(self, done: Callable[[], bool], what: str) -> None:
        """Run the event loop until `done()` (a card read or a print on its worker)."""
        deadline = time.monotonic() + 60
        while not done():
            if time.monotonic() > deadline:
                raise TimeoutError(what)
            self.app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 100)

    def intake_items(self) -> tuple[str, str]:
        self.window.go_home()
        self.window.home.tiles["intake"].click()
        page = self.window.intake
        while INTAKE_ITEM not in page.items.visible_keys():
            page.items.next_button.click()
        return self.intake_item_name(), "kiosk_intake"

    def intake_item_name(self) -> str:
        item = self.terminal.catalogue.get(INTAKE_ITEM)
        assert item is not None
        return item.name

    def intake_question(self) -> tuple[str, str]:
        self.intake_items()
        page = self.window.intake
        page.items.buttons[page.items.visible_keys().index(INTAKE_ITEM)].click()
        return page.options.buttons[0].text(), "kiosk_intake"

    def intake_card(self) -> tuple[str, str]:
        self.intake_question()
        page = self.window.intake
        while page.views.currentWidget() is page.question_view:
            page.options.buttons[0].click()
        return "读取身份证", "kiosk_intake"

    def intake_phone(self) -> tuple[str, str]:
        self.intake_card()
        page = self.window.intake
        page.read_button.click()
        self._wait(lambda: page.views.currentWidget() is page.phone_view, "the card was not read")
        return "联系电话", "kiosk_intake"

    def intake_materials(self) -> tuple[str, str]:
        self.intake_phone()
        page = self.window.intake
        page.phone_field.setText(pii_samples.PHONE)
        page.pad.enter_key.click()
        return "下一步", "kiosk_intake"

    def intake_delivery(self) -> tuple[str, str]:
        self.intake_materials()
        self.window.intake.materials_next.click()
        return "窗口领取", "kiosk_intake"

    def intake_confirm(self) -> tuple[str, str]:
        self.intake_delivery()
        self.window.intake.delivery.buttons[0].click()
        return "确认提交", "kiosk_intake"

    def intake_result(self) -> tuple[str, str]:
        self.intake_confirm()
        page = self.window.intake
        page.submit_button.click()
        self._wait(page.rate_button.isVisible, "the receipt was not printed")
        return "评价本次服务", "kiosk_intake"

    def _without_reader(self, step: Callable[[], tuple[str, str]]) -> tuple[str, str]:
        """A kiosk without a card reader (the simulator's folder absent): the ID number and name are typed."""
        cards = self.terminal.paths.data_dir / "devices" / "id_card"
        aside = cards.with_name("id_card.aside")
        cards.rename(aside)
        try:
            return step()
        finally:
            aside.rename(cards)

    def intake_typed_id(self) -> tuple[str, str]:
        self._without_reader(self.intake_card)
        return "身份证号码", "kiosk_intake"

    def intake_typed_name(self) -> tuple[str, str]:
        self.intake_typed_id()
        page = self.window.intake
        page.id_field.setText(pii_samples.ID_NUMBER)
        page.id_pad.enter_key.click()
        return "姓名", "kiosk_intake"

    def newest_kiosk_case(self) -> dict[str, str]:
        """The case the kiosk received last: what an AT-SPI-driven intake left in the store."""
        case_no = self.window.intake.case_no
        stored = self.terminal.store.cases.get_by_no(case_no) if case_no else None
        if stored is None:
            return {"page": "newest_kiosk_case", "case_no": ""}
        case = stored.case
        return {
            "page": "newest_kiosk_case",
            "case_no": case.case_no,
            "item_code": case.item_code,
            "state": case.state.value,
            "staff_no": case.routing.staff_no,
            "printed": str(self.window.intake.rate_button.isVisible()),
            "missing": str(sum(1 for m in case.materials if m.status is MaterialStatus.MISSING)),
        }

    def show(self, name: str) -> dict[str, str]:
        if name == "newest_kiosk_case":
            return self.newest_kiosk_case()
        page = self.pages.get(name)
        if page is None:
            return {"page": name, "error": f"unknown page {name!r}"}
        if name != "home_elder" and self.window.elder:
            self.window.set_elder(False)
        marker, scope = page()
        self.window.raise_()
        self.window.activateWindow()
        self.app.processEvents()
        shots = os.environ.get("ATSPI_SHOTS")
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            self.window.grab().save(str(Path(shots) / f"{name}.png"))
        return {"page": name, "title": self.window.windowTitle(), "marker": marker, "scope": scope}

    def close(self) -> None:
        self.window.stop()
        self.window._may_close = True
        self.window.close()
        self.terminal.receipts.wait_for_idle()
        self.app.processEvents()
        self.terminal.close()


def main() -> int:
    app = QApplication(sys.argv[:1])
    prepare_application(app)
    with tempfile.TemporaryDirectory(prefix="tongban-atspi-kiosk-") as root:
        driver = Driver(app, Path(root))
        notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)

        def on_line() -> None:
            line = sys.stdin.readline()
            if not line or line.strip() == "quit":
                notifier.setEnabled(False)
                app.exit(0)  # quit() would ask the locked kiosk window to close first, and it refuses
                return
            try:
                answer = driver.show(line.strip())
            except Exception:
                answer = {"page": line.strip(), "error": traceback.format_exc()}
            sys.stdout.write(json.dumps(answer, ensure_ascii=False) + "\n")
            sys.stdout.flush()

        notifier.activated.connect(on_line)
        sys.stdout.write(json.dumps({"page": "", "title": driver.window.windowTitle()}, ensure_ascii=False) + "\n")
        sys.stdout.flush()
        code = app.exec()
        driver.close()
    return code


if __name__ == "__main__":
    sys.exit(main())
