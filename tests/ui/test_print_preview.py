"""The print preview dialog: shows the pages, prints through ReceiptService, and offers retry / PDF on failure."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.domain.models import Case
from app.services.receipts import NO_PRINTER_MESSAGE, ReceiptService
from offline_cache import Store, open_store
from tests.integration.receipts_support import person_case
from ui.dialogs.print_preview import PrintPreviewDialog


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "tb.db") as s:
        yield s


@pytest.fixture
def case(store: Store) -> Case:
    return store.save_case(dataclasses.replace(person_case(), case_no=""), actor="S0042").case


@pytest.fixture
def open_dialog(qtbot: QtBot, gui_app: QApplication, store: Store, case: Case, tmp_path: Path) -> Iterator[Any]:
    services: list[ReceiptService] = []

    def make(**printer: Any) -> tuple[PrintPreviewDialog, ReceiptService]:
        config = config_from_dict({"hall_name": "营口市政务服务中心", "printer": printer})
        service = ReceiptService(config=config, store=store, pdf_dir=tmp_path / "receipts")
        services.append(service)
        dialog = PrintPreviewDialog(service, case=case, staff_no="S0042")
        qtbot.add_widget(dialog)
        dialog.show()
        return dialog, service

    yield make
    for service in services:
        assert service.wait_for_idle(10_000)


def test_preview_shows_receipt_and_notice_and_saves_a_pdf(qtbot: QtBot, open_dialog: Any, tmp_path: Path) -> None:
    dialog, service = open_dialog(kind="pdf")
    assert len(dialog.page_labels) == 2  # 收件回执 and 一次性告知书, one A4 page each
    assert dialog.page_labels[0].pixmap().width() > 500
    with qtbot.wait_signal(service.printed, timeout=10_000):
        dialog.print_button.click()
    assert dialog.status.text().startswith("已保存为PDF：")
    assert len(list((tmp_path / "receipts").glob("*.pdf"))) == 1
    assert dialog.print_button.isEnabled()


@pytest.mark.expected_log
def test_failure_is_said_plainly_and_the_receipt_can_go_to_pdf(qtbot: QtBot, open_dialog: Any) -> None:
    dialog, service = open_dialog(kind="none")
    with qtbot.wait_signal(service.failed, timeout=5000):
        dialog.print_button.click()
    assert NO_PRINTER_MESSAGE in dialog.status.text()
    assert "办件已保存" in dialog.status.text()
    assert dialog.retry_button.isVisible()
    with qtbot.wait_signal(service.printed, timeout=10_000):
        dialog.pdf_button.click()
    assert dialog.status.text().startswith("已保存为PDF：")
    assert service.failed_jobs() == []


def test_thermal_preview_is_one_slip_as_wide_as_the_paper(open_dialog: Any) -> None:
    dialog, _service = open_dialog(kind="escpos_network", host="127.0.0.1", paper_width_mm=58)
    assert len(dialog.page_labels) == 1
    pixmap = dialog.page_labels[0].pixmap()
    assert pixmap.width() == 384 and pixmap.height() > 2000  # 58 mm paper: 384 dots, two documents on one roll
