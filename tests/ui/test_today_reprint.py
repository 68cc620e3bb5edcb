"""今日办件 (F3): 预览 and 补打 of the selected case on the printer the clerk picks, and prints that failed — listed
with retry / PDF / dismiss, still there after a restart (issue 11 item 4)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.models import Case, ReceiptOutput
from app.services.receipts import ReceiptService
from app.services.terminal import Terminal
from tests.integration.receipts_support import pdf_text, person_case, squash
from tests.ui.test_intake_flow import open_window, shot, sign_in, terminal_at
from ui.dialogs.print_preview import PrintPreviewDialog
from ui.pages.today_cases import TodayCasesPage


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def _stored_today(terminal: Terminal) -> Case:
    case = dataclasses.replace(person_case(), case_no="", created_at=dt.datetime.now(dt.UTC))
    return terminal.store.save_case(case, actor="S0042").case


def _choose(page: TodayCasesPage, output: ReceiptOutput | None) -> None:
    page.output.setCurrentIndex(page.output.findData(output.value if output else None))


def _today_page(qtbot: QtBot, terminal: Terminal, case: Case) -> tuple[QWidget, TodayCasesPage]:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    flow.show_today()
    page = flow.session.today_page
    qtbot.wait_until(lambda: any(row.case_no == case.case_no for row in page.rows))
    page.table.selectRow(next(i for i, row in enumerate(page.rows) if row.case_no == case.case_no))
    assert page.reprint_button.isEnabled() and page.preview_button.isEnabled()
    return window, page


@pytest.mark.expected_log
def test_reprint_and_preview_from_todays_cases(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> None:
    case = _stored_today(terminal)
    _window, page = _today_page(qtbot, terminal, case)
    receipts = terminal.receipts

    # 补打 to PDF: both documents; a PDF export is not the citizen's paper, so nothing says 补打 yet.
    _choose(page, ReceiptOutput.PDF)
    with qtbot.wait_signal(receipts.printed, timeout=30_000) as printed:
        page.reprint_button.click()
    text = squash(pdf_text(Path(printed.args[2])))
    assert "收件回执" in text and "一次性告知书" in text and "补打" not in text
    qtbot.wait_until(lambda: "已打印" in page.print_message.text())
    # The clerk reads the PDF's file name, not the folder it went to.
    pdf = Path(printed.args[2])
    assert pdf.name in page.print_message.text() and str(pdf.parent) not in page.print_message.text()

    # 预览 on the chosen printer: the pages as they would print, with 打印 / 输出PDF.
    page.preview_button.click()
    dialog = page.preview_dialog
    assert isinstance(dialog, PrintPreviewDialog)
    qtbot.wait_until(dialog.isVisible)
    assert len(dialog.page_labels) >= 2  # the receipt and the notice
    shot(dialog, "12_today_preview")
    dialog.close()

    # A print to a printer this terminal does not have fails: it is listed under the table with what to do.
    _choose(page, ReceiptOutput.PRINTER)
    with qtbot.wait_signal(receipts.failed, timeout=30_000):
        page.reprint_button.click()
    qtbot.wait_until(page.failed_box.isVisible)
    assert page.failed_list.count() == 1 and "未配置打印机" in page.failed_list.item(0).text()
    assert "打印失败" in page.failed_title.text()
    shot(page, "13_today_failed_print")

    # After a restart (a new receipt service on the same store) the failure is still listed, and can go to PDF.
    assert receipts.wait_for_idle(10_000)
    restarted = ReceiptService(config=terminal.config, store=terminal.store, pdf_dir=terminal.paths.data_dir / "r2")
    again = TodayCasesPage(terminal.case_list, terminal.intake, terminal.staff, receipts=restarted)
    qtbot.add_widget(again)
    again.show()
    qtbot.wait_until(again.failed_box.isVisible)
    assert again.failed_list.count() == 1
    with qtbot.wait_signal(restarted.printed, timeout=30_000):
        again.to_pdf_button.click()
    qtbot.wait_until(lambda: not again.failed_box.isVisible())
    assert restarted.wait_for_idle(10_000)
