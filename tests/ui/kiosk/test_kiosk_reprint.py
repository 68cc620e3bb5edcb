"""补打回执 at the kiosk: the ID card reader (simulator) confirms the applicant, the receipt prints again (marked
补打); a failed slip says why and prints again; without a printer or a reader the tile says so and is disabled."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from app.services.terminal import Terminal
from tests import pii_samples
from tests.ui.kiosk.support import (
    Kiosk,
    answer_guide,
    kiosk_at,
    open_kiosk_terminal,
    put_card,
    python_strings,
    save_case,
    visible_texts,
)

TAIL = pii_samples.ID_NUMBER[-4:]


def _terminal(tmp_path: Path, **config: object) -> Iterator[Terminal]:
    term = open_kiosk_terminal(tmp_path, **config)
    yield term
    term.receipts.wait_for_idle()
    QApplication.processEvents()
    term.close()


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from _terminal(tmp_path, printer={"kind": "pdf", "pdf_dir": str(tmp_path / "slips")})


@pytest.fixture
def kiosk(gui_app: QApplication, qtbot: QtBot, terminal: Terminal) -> Iterator[Kiosk]:
    yield from kiosk_at(qtbot, terminal)


def _read_card(kiosk: Kiosk, qtbot: QtBot) -> None:
    with qtbot.wait_signal(kiosk.terminal.kiosk.own_cases_found, timeout=10_000):
        kiosk.tap(kiosk.window.reprint.read_button)


def test_reprint_after_the_card_confirms_the_applicant(
    kiosk: Kiosk, terminal: Terminal, qtbot: QtBot, tmp_path: Path
) -> None:
    case = save_case(terminal)
    w = kiosk.window
    assert not w.home.tiles["reprint"].isEnabled()  # no reader yet
    put_card(terminal)  # the reader (simulator) is plugged in
    w.go_home()
    assert w.home.tiles["reprint"].isEnabled()
    kiosk.tap(w.home.tiles["reprint"])
    _read_card(kiosk, qtbot)
    assert w.reprint.views.currentWidget() is w.reprint.cases
    assert case.item_name in w.reprint.cases.buttons[0].text()
    assert pii_samples.NAME not in w.reprint.cases.buttons[0].text()
    kiosk.shot("reprint_cases_portrait")
    with qtbot.wait_signal(terminal.kiosk.reprint_printed, timeout=30_000):
        kiosk.tap(w.reprint.cases.buttons[0])
    assert "已打印" in w.reprint.result_text.text()
    slips = list((tmp_path / "slips").glob("*.pdf"))
    assert slips, "the receipt went to the (PDF) printer"
    printed = terminal.store.receipts.for_case(case.case_no)
    assert printed and all(r.success and r.staff_no == "KIOSK" for r in printed)
    text = subprocess.run(["pdftotext", str(slips[0]), "-"], capture_output=True, text=True, check=True).stdout
    assert case.item_name in text and pii_samples.ID_NUMBER not in text  # masked on paper too


def test_someone_elses_card_prints_nothing(kiosk: Kiosk, terminal: Terminal, qtbot: QtBot) -> None:
    save_case(terminal)
    put_card(terminal, name=pii_samples.NAME_2, id_number=pii_samples.ID_NUMBER_2)
    w = kiosk.window
    w.go_home()
    kiosk.tap(w.home.tiles["reprint"])
    _read_card(kiosk, qtbot)
    assert w.reprint.views.currentWidget() is w.reprint.card
    assert "没有查到您的办件" in w.reprint.card_message.text()
    # From a progress result the card must belong to that case's applicant.
    case = save_case(terminal)
    w.go_home()
    kiosk.tap(w.home.tiles["progress"])
    kiosk.tap_keys(w.progress.pad, case.case_no)
    kiosk.tap(w.progress.tail_field)
    kiosk.tap_keys(w.progress.pad, TAIL)
    kiosk.tap(w.progress.query_button)
    kiosk.tap(w.progress.reprint_button)
    _read_card(kiosk, qtbot)
    assert "不符" in w.reprint.card_message.text()
    assert terminal.store.receipts.for_case(case.case_no) == []


@pytest.mark.expected_log  # the failed print job is logged as a warning
def test_a_failed_slip_is_reported_and_prints_again(gui_app: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    blocked = tmp_path / "slips"
    blocked.write_text("a file where the printer's folder should be", encoding="utf-8")  # the printer is "down"
    for terminal in _terminal(tmp_path, printer={"kind": "pdf", "pdf_dir": str(blocked)}):
        case = save_case(terminal)
        put_card(terminal)
        for kiosk in kiosk_at(qtbot, terminal):
            w = kiosk.window
            kiosk.tap(w.home.tiles["progress"])
            kiosk.tap_keys(w.progress.pad, case.case_no)
            kiosk.tap(w.progress.tail_field)
            kiosk.tap_keys(w.progress.pad, TAIL)
            kiosk.tap(w.progress.query_button)
            with qtbot.wait_signal(terminal.kiosk.own_cases_found, timeout=10_000):
                kiosk.tap(w.progress.reprint_button)
                kiosk.tap(w.reprint.read_button)
            qtbot.wait_until(w.reprint.retry_button.isVisible, timeout=30_000)
            assert "没有成功" in w.reprint.result_text.text()
            kiosk.shot("reprint_failed_portrait")
            blocked.unlink()
            blocked.mkdir()  # the printer is back
            with qtbot.wait_signal(terminal.kiosk.reprint_printed, timeout=30_000):
                kiosk.tap(w.reprint.retry_button)
            assert "已打印" in w.reprint.result_text.text()
            assert list(blocked.glob("*.pdf"))


def test_without_printer_or_reader_the_tiles_say_so(gui_app: QApplication, qtbot: QtBot, tmp_path: Path) -> None:
    for terminal in _terminal(tmp_path):  # no printer configured, no card reader folder
        for kiosk in kiosk_at(qtbot, terminal):
            w = kiosk.window
            tile = w.home.tiles["reprint"]
            assert not tile.isEnabled() and "打印机" in tile.text()
            assert "暂不可用" in tile.accessibleDescription()
            kiosk.shot("home_no_printer_portrait")
    for terminal in _terminal(tmp_path / "2", printer={"kind": "pdf"}):  # a printer, but no reader
        for kiosk in kiosk_at(qtbot, terminal):
            tile = kiosk.window.home.tiles["reprint"]
            assert not tile.isEnabled() and "读卡器" in tile.text()


def test_the_idle_wipe_leaves_nothing_of_the_card(kiosk: Kiosk, terminal: Terminal, qtbot: QtBot) -> None:
    save_case(terminal)
    put_card(terminal)
    w = kiosk.window
    w.go_home()
    kiosk.tap(w.home.tiles["reprint"])
    _read_card(kiosk, qtbot)
    assert w.reprint.views.currentWidget() is w.reprint.cases
    kiosk.mono.advance(w.idle.idle_seconds + 1)
    w.idle.tick()
    assert w.current_page() is w.home
    held = "\n".join(
        visible_texts(w) + python_strings(w, w.voice, w.idle, w.wedge, terminal.kiosk, terminal.devices, w.all_pages)
    )
    for secret in (pii_samples.NAME, pii_samples.ID_NUMBER, pii_samples.ADDRESS):
        assert secret not in held
    assert terminal.kiosk._own == set()  # no case is "proved" for the next citizen


def test_the_guide_prints_an_items_materials_list(
    kiosk: Kiosk, terminal: Terminal, qtbot: QtBot, tmp_path: Path
) -> None:
    w = kiosk.window
    kiosk.tap(w.home.tiles["guide"])
    kiosk.tap(w.guide.departments.buttons[0])
    kiosk.tap(w.guide.items.buttons[0])
    answer_guide(kiosk)
    item = terminal.catalogue.search(w.guide.detail_name.text(), limit=1)[0]
    assert w.guide.print_button.isEnabled()
    with qtbot.wait_signal(terminal.kiosk.guide_printed, timeout=30_000):
        kiosk.tap(w.guide.print_button)
    assert "已打印" in w.guide.print_message.text()
    [pdf] = (tmp_path / "slips").glob("办事指南-*.pdf")
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True, check=True).stdout
    assert item.name in text and item.materials[0].name in text
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1", str(pdf), str(tmp_path / "page")], check=True
    )
    [png] = tmp_path.glob("page*.png")
    qr = subprocess.run(["zbarimg", "-q", "--raw", str(png)], capture_output=True, text=True, check=False).stdout
    assert qr.strip() == terminal.kiosk.guide_url(item.code, w.guide.answers)  # the same QR as on the screen
