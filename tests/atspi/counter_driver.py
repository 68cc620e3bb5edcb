"""The counter program on a real X screen, moved from page to page on command, for the AT-SPI walk.

Run by the project's venv Python with `QT_QPA_PLATFORM=xcb` on the display and session bus of
`tests/atspi/session.py`. Reads one page name per line on stdin; for each, arranges that page (or opens that
dialog) over a real terminal (store, services, a clerk, a card in the reader) and answers with one JSON line:
{"page": name, "title": top-level window title, "marker": a node name the walker waits for, "scope": the
accessible-id segment of the part of the window that is the page ("" = the whole window)}.
An unknown page or a failure answers {"page": name, "error": text}. With ATSPI_SHOTS=<folder> each page is also
saved as a PNG there.
"""

from __future__ import annotations

import json
import os
import sys
import tempfile
import traceback
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication, QDialog, QFileDialog, QWidget

from app.config import Mode, config_from_dict
from app.domain.models import Case, DeliveryMethod, OriginalsHandling, RatingLevel
from app.paths import AppPaths
from app.services.terminal import Terminal, open_terminal
from tests import pii_samples
from tests.integration.intake_support import STAFF_NO, STAFF_PIN, fill_person, receive_all
from ui.app import prepare_application
from ui.counter_window import CounterWindow
from ui.dialogs.print_preview import PrintPreviewDialog
from ui.pages.counter_flow import CounterFlow
from ui.pages.daily_report import DailyReportDialog
from ui.rating.window import RatingWindow
from ui.rating.wiring import open_rating_windows

ITEM = "210882070405000"  # 不动产权证书补证: agent question, mail delivery allowed


class Driver:
    def __init__(self, app: QApplication, root: Path) -> None:
        self.app = app
        paths = AppPaths(data_dir=root / "data", config_file=root / "c.toml", log_dir=root / "logs")
        config = config_from_dict(
            {"window": "07", "terminal_code": "003", "printer": {"kind": "pdf", "pdf_dir": str(root / "pdf")}}
        )
        self.terminal: Terminal = open_terminal(config=config, paths=paths)
        self.terminal.staff.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="atspi")
        cards = paths.data_dir / "devices" / "id_card"
        cards.mkdir(parents=True)
        card = {"name": pii_samples.NAME, "id_number": pii_samples.ID_NUMBER, "address": pii_samples.ADDRESS}
        (cards / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
        self.window = CounterWindow(config=config, status=self.terminal.status, terminal=self.terminal)
        self.window.show()
        self.extras = open_rating_windows(self.window, mode=Mode.COUNTER, config=config, terminal=self.terminal)
        assert self.window.flow is not None
        self.flow: CounterFlow = self.window.flow
        self.dialogs: list[QWidget] = []
        self.case: Case | None = None
        self.pages: dict[str, Callable[[], tuple[QWidget, str, str]]] = {
            "sign_in": self.sign_in,
            "item_picker": self.item_picker,
            "intake_form": self.intake_form,
            "intake_agent": self.intake_agent,
            "intake_enterprise": self.intake_enterprise,
            "materials": self.materials,
            "delivery": self.delivery,
            "submit_result": self.submit_result,
            "today_cases": self.today_cases,
            "daily_report": self.daily_report,
            "admin_auth": self.admin_auth,
            "platform_settings": self.platform_settings,
            "dead_letters": self.dead_letters,
            "print_preview": self.print_preview,
            "attach_file_dialog": self.attach_file_dialog,
            "citizen_levels": self.citizen_levels,
            "citizen_reasons": self.citizen_reasons,
        }

    # --- pages: each returns (top-level window, marker node name, scope id segment) ---------------------------

    def _signed_in(self) -> None:
        if self.terminal.staff.clerk is None:
            self.terminal.staff.sign_in(staff_no=STAFF_NO, pin=STAFF_PIN)

    def _form(self, *, agent: bool = False, enterprise: bool = False) -> None:
        self._signed_in()
        self.flow.choose_item(ITEM)
        form = self.flow.session.form
        form.applicant.enterprise.setChecked(enterprise)
        form.applicant.person.setChecked(not enterprise)
        form.applicant.has_agent.setChecked(agent)
        d = form.delivery  # the delivery page sets mail; the others show the defaults
        d.originals.setCurrentIndex(d.originals.findData(OriginalsHandling.ELECTRONIC_ONLY.value))
        d.method.setCurrentIndex(0)

    def sign_in(self) -> tuple[QWidget, str, str]:
        if self.terminal.staff.clerk is not None:
            self.terminal.staff.sign_out(reason="manual")
        page = self.flow.sign_in
        page.staff_no.setText(STAFF_NO)
        return self.window, page.staff_no.accessibleName(), ""  # the whole window: menus, status bar, dock too

    def item_picker(self) -> tuple[QWidget, str, str]:
        self._signed_in()
        self.flow.new_case()
        picker = self.flow.session.picker
        picker.search.setText("bdc")  # text in the field: its clear button shows
        return self.window, picker.search.accessibleName(), "item_picker"

    def intake_form(self) -> tuple[QWidget, str, str]:
        self._form()
        return self.window, self.flow.session.form.submit_button.accessibleName(), "intake_form_page"

    def intake_agent(self) -> tuple[QWidget, str, str]:
        self._form(agent=True)
        a = self.flow.session.form.applicant
        return self.window, a.read_agent_card.accessibleName() or a.read_agent_card.text(), "applicant_form"

    def intake_enterprise(self) -> tuple[QWidget, str, str]:
        self._form(enterprise=True)
        f = self.flow.session.form.applicant.fields["applicant.credit_code"]
        return self.window, f.edit.accessibleName(), "applicant_form"

    def materials(self) -> tuple[QWidget, str, str]:
        self._form()
        form = self.flow.session.form
        form.scroll_area.ensureWidgetVisible(form.materials)
        first = next(iter(form.materials.rows.values()))
        return self.window, first.note.accessibleName(), "materials_panel"

    def delivery(self) -> tuple[QWidget, str, str]:
        self._form()
        d = self.flow.session.form.delivery
        d.originals.setCurrentIndex(d.originals.findData(OriginalsHandling.MAIL_ORIGINALS.value))
        d.method.setCurrentIndex(d.method.findData(DeliveryMethod.MAIL.value))
        self.flow.session.form.scroll_area.ensureWidgetVisible(d)
        return self.window, d.fields["delivery.postcode"].edit.accessibleName(), "delivery_panel"

    def _submitted(self) -> Case:
        if self.case is None:
            self._form()
            form = self.flow.session.form
            assert form.draft is not None
            draft = receive_all(fill_person(form.draft))
            form.load(draft)
            self.case = form.submit()
            assert self.case is not None, form.errors.text()
        return self.case

    def submit_result(self) -> tuple[QWidget, str, str]:
        self._signed_in()
        case = self._submitted()
        result = self.flow.session.result
        result.show_case(case, printing=False)
        self.flow.session.views.setCurrentWidget(result)
        return self.window, result.new_case.accessibleName() or result.new_case.text(), "submit_result_page"

    def today_cases(self) -> tuple[QWidget, str, str]:
        self._signed_in()
        self._submitted()
        self.flow.show_today()
        page = self.flow.session.today_page
        page.search.setText("2108")  # text in the field: its clear button shows
        return self.window, page.search.accessibleName(), "today_cases_page"

    def _dialog(self, dialog: QDialog) -> QDialog:
        self.dialogs.append(dialog)
        dialog.open()
        return dialog

    def daily_report(self) -> tuple[QWidget, str, str]:
        self._signed_in()
        dialog = self._dialog(DailyReportDialog(service=self.terminal.reports, parent=self.window))
        return dialog, dialog.print_button.text(), ""

    def admin_auth(self) -> tuple[QWidget, str, str]:
        """A clerk (not an admin) asks for the platform settings: the administrator's number + PIN first."""
        self._signed_in()
        assert self.window.sync_ui is not None
        self.window.sync_ui.request_platform_settings()
        dialog = self.window.sync_ui.admin_dialog
        assert dialog is not None
        self.dialogs.append(dialog)
        return dialog, dialog.pin_edit.accessibleName(), ""

    def platform_settings(self) -> tuple[QWidget, str, str]:
        assert self.window.sync_ui is not None
        dialog = self.window.sync_ui.open_platform_settings()
        self.dialogs.append(dialog)
        return dialog, dialog.url_edit.accessibleName(), ""

    def dead_letters(self) -> tuple[QWidget, str, str]:
        assert self.window.sync_ui is not None
        dialog = self.window.sync_ui.open_dead_letters()
        self.dialogs.append(dialog)
        return dialog, dialog.table.accessibleName(), ""

    def print_preview(self) -> tuple[QWidget, str, str]:
        self._signed_in()
        case = self._submitted()
        dialog = PrintPreviewDialog(self.terminal.receipts, case=case, staff_no=STAFF_NO, parent=self.window)
        self._dialog(dialog)
        return dialog, dialog.print_button.text(), ""

    def attach_file_dialog(self) -> tuple[QWidget, str, str]:
        """Qt's own file dialog as the 文件… button opens it (its strings come from qtbase_zh_CN.qm)."""
        self._form()
        dialog = self.flow.session.form.materials.file_dialog()
        dialog.setOption(QFileDialog.Option.DontUseNativeDialog)  # Qt's own, as on a Linux counter
        self._dialog(dialog)
        return dialog, "", ""

    def _citizen(self) -> RatingWindow:
        """The citizen's rating screen beside the counter, asked for a rating of a consultation."""
        self._signed_in()
        [citizen] = [w for w in self.extras if isinstance(w, RatingWindow)]
        citizen.show()
        if citizen.pages.currentWidget() is citizen.idle_page:
            self.terminal.ratings.request_rating(case_no=None, item_code=None, staff_no=STAFF_NO)
        return citizen

    def citizen_levels(self) -> tuple[QWidget, str, str]:
        citizen = self._citizen()
        button = citizen.level_page.buttons[RatingLevel.VERY_SATISFIED]
        return citizen, button.accessibleName() or button.text(), "rating_level_page"

    def citizen_reasons(self) -> tuple[QWidget, str, str]:
        citizen = self._citizen()
        if citizen.pages.currentWidget() is not citizen.reasons_page:
            citizen.level_page.buttons[RatingLevel.DISSATISFIED].click()  # as after a tap on 不满意
        submit = citizen.reasons_page.submit_button
        return citizen, submit.accessibleName() or submit.text(), "rating_reasons_page"

    # --- protocol ------------------------------------------------------------------------------------------

    def show(self, name: str) -> dict[str, str]:
        for dialog in self.dialogs:
            dialog.close()
        self.dialogs.clear()
        page = self.pages.get(name)
        if page is None:
            return {"page": name, "error": f"unknown page {name!r}"}
        top, marker, scope = page()
        top.raise_()
        top.activateWindow()
        self.app.processEvents()
        shots = os.environ.get("ATSPI_SHOTS")  # a folder: each page as the clerk sees it, to look at
        if shots:
            Path(shots).mkdir(parents=True, exist_ok=True)
            top.grab().save(str(Path(shots) / f"{name}.png"))
        return {"page": name, "title": top.windowTitle(), "marker": marker, "scope": scope}

    def close(self) -> None:
        for dialog in self.dialogs:
            dialog.close()
        for extra in self.extras:
            extra.close()
        self.window.close()
        self.terminal.receipts.wait_for_idle()
        self.app.processEvents()
        self.terminal.close()


def main() -> int:
    app = QApplication(sys.argv[:1])
    prepare_application(app)
    with tempfile.TemporaryDirectory(prefix="tongban-atspi-") as root:
        driver = Driver(app, Path(root))
        notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)

        def on_line() -> None:
            line = sys.stdin.readline()
            if not line or line.strip() == "quit":
                notifier.setEnabled(False)
                app.quit()
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
