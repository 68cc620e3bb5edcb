"""Card reader and scanner simulators through DeviceService: off the GUI thread, timeouts, clear errors."""

from __future__ import annotations

import json
import threading
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.devices.id_card import IdCardData, IdCardErrorKind, SimulatedIdCardReader
from app.devices.scanner import ScannerErrorKind, SimulatedScanner, blank_page_png
from app.services.attachments import check_content
from app.services.devices import DeviceService
from tests import pii_samples


class _HangingReader:
    """A vendor SDK that ignores its timeout."""

    def __init__(self) -> None:
        self.release = threading.Event()

    def read(self, *, timeout: float) -> IdCardData:
        self.release.wait(10)
        raise RuntimeError("too late")


def _service(reader: object, scanner: object | None = None, timeout: float = 1.0) -> DeviceService:
    return DeviceService(
        id_card=reader,  # type: ignore[arg-type]
        scanner=scanner or SimulatedScanner(),  # type: ignore[arg-type]
        card_timeout=timeout,
        scan_timeout=timeout,
    )


def test_card_from_folder_is_read_off_the_gui_thread(qtbot: QtBot, tmp_path: Path) -> None:
    folder = tmp_path / "cards"
    folder.mkdir()
    card = {"name": pii_samples.NAME, "id_number": pii_samples.ID_NUMBER, "address": pii_samples.ADDRESS}
    (folder / "card.json").write_text(json.dumps(card, ensure_ascii=False), encoding="utf-8")
    service = _service(SimulatedIdCardReader(folder=folder))
    with qtbot.wait_signal(service.card_read, timeout=3000) as blocker:
        assert service.read_id_card()
        assert not service.read_id_card()  # one read at a time
    assert blocker.args[0].id_number == pii_samples.ID_NUMBER


@pytest.mark.parametrize(
    ("reader", "expected"),
    [
        (SimulatedIdCardReader(folder=Path("/nonexistent")), "未连接身份证读卡器"),
        (SimulatedIdCardReader(error=IdCardErrorKind.NO_CARD), "未检测到身份证"),
        (SimulatedIdCardReader(error=IdCardErrorKind.READ_FAILED), "读卡失败"),
        (SimulatedIdCardReader(delay=5.0), "读卡超时"),
    ],
)
def test_card_errors_are_plain_messages(qtbot: QtBot, reader: SimulatedIdCardReader, expected: str) -> None:
    service = _service(reader, timeout=0.2)
    with qtbot.wait_signal(service.card_failed, timeout=3000) as blocker:
        service.read_id_card()
    assert expected in blocker.args[0]


@pytest.mark.expected_log
def test_a_hung_reader_times_out_and_the_window_stays_free(qtbot: QtBot) -> None:
    reader = _HangingReader()
    service = _service(reader, timeout=0.05)
    try:
        with qtbot.wait_signal(service.card_failed, timeout=5000) as blocker:
            service.read_id_card()
        assert "读卡超时" in blocker.args[0]
        assert service.read_id_card()  # a new read may start; the hung one is abandoned
    finally:
        reader.release.set()
        # The abandoned thread answers late; that answer is ignored (and must not outlive the test).
        qtbot.wait_until(lambda: not any(t.name == "id_card_runner-1" for t in threading.enumerate()), timeout=5000)


def test_scanner_simulator_gives_a_valid_png(qtbot: QtBot) -> None:
    service = _service(SimulatedIdCardReader(), SimulatedScanner())
    with qtbot.wait_signal(service.page_scanned, timeout=3000) as blocker:
        service.scan_page()
    assert check_content(blocker.args[0]) == "image/png"
    assert blocker.args[0] == blank_page_png()


def test_scanner_absent(qtbot: QtBot) -> None:
    service = _service(SimulatedIdCardReader(), SimulatedScanner(error=ScannerErrorKind.ABSENT))
    with qtbot.wait_signal(service.scan_failed, timeout=3000) as blocker:
        service.scan_page()
    assert "未连接高拍仪" in blocker.args[0]
