"""The kiosk on a real X screen, moved from page to page on command, for the AT-SPI walk (same protocol as
counter_driver.py: one page name per line on stdin, one JSON line back with title, marker and scope)."""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication

from app.config import config_from_dict
from app.domain.models import RatingLevel
from app.paths import AppPaths
from app.services.terminal import Terminal, open_terminal
from tests.ui.kiosk.support import put_card, save_case
from ui.app import prepare_application
from ui.kiosk.window import KioskWindow


class Driver:
    def __init__(self, app: QApplication, root: Path) -> None:
        self.app = app
        paths = AppPaths(data_dir=root / "data", config_file=root / "c.toml", log_dir=root / "logs")
        config = config_from_dict({"mode": "kiosk", "printer": {"kind": "pdf", "pdf_dir": str(root / "pdf")}})
        self.terminal: Terminal = open_terminal(config=config, paths=paths)
        put_card(self.terminal)
        self.case = save_case(self.terminal)
        self.window = KioskWindow(terminal=self.terminal, voice_engine="mock")
        self.window.place()
        self.window.start()
        w = self.window
        self.pages: dict[str, Callable[[], tuple[str, str]]] = {
            "home": lambda: (w.home.tiles["progress"].text(), "kiosk_home"),
            "progress": self.progress,
            "progress_result": self.progress_result,
            "guide": self.guide,
            "guide_detail": self.guide_detail,
            "guide_keyboard": self.guide_keyboard,
            "rating_levels": self.rating_levels,
            "rating_reasons": self.rating_reasons,
            "reprint": self.reprint,
            "admin": self.admin,
            "error": self.error,
            "idle_countdown": self.idle_countdown,
            "home_elder": self.home_elder,
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

    def guide(self) -> tuple[str, str]:
        self.window.go_home()
        self.window.home.tiles["guide"].click()
        return self.window.guide.departments.buttons[0].text(), "kiosk_guide"

    def guide_detail(self) -> tuple[str, str]:
        self.guide()
        self.window.guide.departments.buttons[0].click()
        self.window.guide.items.buttons[0].click()
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

    def show(self, name: str) -> dict[str, str]:
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
