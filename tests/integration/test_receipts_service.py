"""ReceiptService end to end: real SQLite store, real PDF files, a real TCP "printer" on loopback port that answers
like an ESC/POS network printer (or refuses, runs out of paper, or hangs)."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from pytestqt.qtbot import QtBot

from app.config import Config, config_from_dict
from app.domain.models import Case, ReceiptKind, ReceiptOutput
from app.printing.backends import DLE_EOT_PAPER
from app.printing.thermal import CHINESE_MODE, INIT
from app.services.receipts import NO_PRINTER_MESSAGE, ReceiptService
from offline_cache import Store, open_store
from tests import pii_samples
from tests.integration.receipts_support import pdf_text, person_case, squash


class FakePrinter:
    """An ESC/POS network printer on 127.0.0.1: answers DLE EOT 4 with its paper status and keeps what it got.

    `mode`: "ok", "paper_out" (status says roll paper end) or "silent" (accepts, reads, never answers).
    """

    def __init__(self) -> None:
        self.mode = "ok"
        self.jobs: list[bytes] = []
        self._server = socket.create_server(("127.0.0.1", 0))
        self._server.settimeout(0.2)
        self.port = self._server.getsockname()[1]
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._server.accept()
            except TimeoutError:
                continue
            with conn:
                conn.settimeout(5)
                data = bytearray()
                try:
                    while chunk := conn.recv(65536):
                        data += chunk
                        if chunk.endswith(DLE_EOT_PAPER) and self.mode != "silent":
                            conn.sendall(b"\x72" if self.mode == "paper_out" else b"\x12")
                except OSError:
                    pass
                self.jobs.append(bytes(data))

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._server.close()


@pytest.fixture
def printer() -> Iterator[FakePrinter]:
    fake = FakePrinter()
    yield fake
    fake.close()


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    with open_store(tmp_path / "tb.db") as s:
        yield s


@pytest.fixture
def saved_case(store: Store) -> Case:
    return store.save_case(dataclasses.replace(person_case(), case_no=""), actor="S0042").case


def _config(**printer: Any) -> Config:
    return config_from_dict({"hall_name": "营口市政务服务中心", "printer": printer})


@pytest.fixture
def make_service(qtbot: QtBot, store: Store, tmp_path: Path) -> Iterator[Any]:
    services: list[ReceiptService] = []

    def make(config: Config) -> ReceiptService:
        service = ReceiptService(config=config, store=store, pdf_dir=tmp_path / "receipts")
        services.append(service)
        return service

    yield make
    for service in services:
        assert service.wait_for_idle(10_000)


def _print(qtbot: QtBot, service: ReceiptService, case: Case, *, ok: bool = True, timeout: int = 10_000) -> list[Any]:
    ok_signal, bad_signal = (service.printed, service.failed) if ok else (service.failed, service.printed)
    with qtbot.assert_not_emitted(bad_signal), qtbot.wait_signal(ok_signal, timeout=timeout) as blocker:
        service.print_case(case=case, staff_no="S0042")
    assert blocker.args is not None
    return list(blocker.args)


def test_pdf_receipt_is_written_and_logged_with_its_outbox_entries(
    qtbot: QtBot, make_service: Any, store: Store, saved_case: Case
) -> None:
    service = make_service(_config(kind="pdf"))
    depth = store.outbox.depth()
    _job, case_no, where = _print(qtbot, service, saved_case)
    assert case_no == saved_case.case_no
    text = squash(pdf_text(Path(where)))
    assert "收件回执" in text and "一次性告知书" in text
    assert Path(where).name.startswith(saved_case.case_no)  # the file is named by case number only
    assert pii_samples.ID_NUMBER not in text and pii_samples.PHONE not in text
    records = store.receipts.for_case(saved_case.case_no)
    assert [(r.kind, r.output, r.success, r.reprint) for r in records] == [
        (ReceiptKind.INTAKE_RECEIPT, ReceiptOutput.PDF, True, False),
        (ReceiptKind.ONE_TIME_NOTICE, ReceiptOutput.PDF, True, False),
    ]
    assert store.outbox.depth() == depth + 2  # synced as `receipt` records
    assert service.failed_jobs() == []


def test_second_print_is_a_reprint_marked_bu_da(
    qtbot: QtBot, make_service: Any, store: Store, saved_case: Case, printer: FakePrinter
) -> None:
    service = make_service(
        _config(kind="escpos_network", host="127.0.0.1", port=printer.port, timeout_seconds=5, profile="TM-T20II")
    )
    # A PDF export first: the citizen has no paper yet, so it does not count as printing the original.
    with qtbot.wait_signal(service.printed, timeout=10_000) as exported:
        service.print_case(case=saved_case, staff_no="S0042", output=ReceiptOutput.PDF)
    assert exported.args is not None and "补打" not in pdf_text(Path(exported.args[2]))
    _print(qtbot, service, saved_case)  # the first paper print: the original
    qtbot.wait_until(lambda: len(printer.jobs) == 1, timeout=5000)
    assert "补打".encode("gb18030") not in printer.jobs[0]
    assert "打印时间".encode("gb18030") in printer.jobs[0]  # the original carries its print time too
    with qtbot.wait_signal(service.printed, timeout=10_000):
        service.reprint(case_no=saved_case.case_no, staff_no="S0099")
    qtbot.wait_until(lambda: len(printer.jobs) == 2, timeout=5000)
    assert "补打".encode("gb18030") in printer.jobs[1]
    last = store.receipts.for_case(saved_case.case_no)[-2:]
    assert all(r.reprint and r.staff_no == "S0099" for r in last)
    # After paper, a PDF copy is a 补打 as well.
    with qtbot.wait_signal(service.printed, timeout=10_000) as copy:
        service.print_case(case=saved_case, staff_no="S0042", output=ReceiptOutput.PDF)
    assert copy.args is not None and "补打" in pdf_text(Path(copy.args[2]))


def test_thermal_receipt_reaches_the_network_printer(
    qtbot: QtBot, make_service: Any, printer: FakePrinter, saved_case: Case
) -> None:
    service = make_service(
        _config(kind="escpos_network", host="127.0.0.1", port=printer.port, timeout_seconds=5, profile="TM-T20II")
    )
    _print(qtbot, service, saved_case)
    qtbot.wait_until(lambda: len(printer.jobs) == 1, timeout=5000)
    job = printer.jobs[0]
    assert job.startswith(DLE_EOT_PAPER + INIT + CHINESE_MODE)
    assert "收件回执".encode("gb18030") in job and job.endswith(b"\x1dV\x00")
    assert saved_case.case_no.encode() in job  # in the QR command


@pytest.mark.expected_log
def test_paper_out_keeps_the_job_and_retry_prints_it(
    qtbot: QtBot, make_service: Any, printer: FakePrinter, store: Store, saved_case: Case
) -> None:
    printer.mode = "paper_out"
    service = make_service(_config(kind="escpos_network", host="127.0.0.1", port=printer.port, timeout_seconds=5))
    job_id, _case_no, message = _print(qtbot, service, saved_case, ok=False)
    assert "缺纸" in message
    assert [j.job_id for j in service.failed_jobs()] == [job_id]
    assert store.cases.get_by_no(saved_case.case_no) is not None  # the case is untouched
    printer.mode = "ok"
    with qtbot.wait_signal(service.printed, timeout=10_000), qtbot.wait_signal(service.queue_changed):
        service.retry(job_id=job_id)
    assert service.failed_jobs() == []
    results = [(r.success, r.reprint) for r in store.receipts.for_case(saved_case.case_no)]
    assert results == [(False, False), (False, False), (True, False), (True, False)]  # a retry is no reprint


@pytest.mark.expected_log
def test_a_failed_print_is_still_listed_after_a_restart(
    qtbot: QtBot, make_service: Any, printer: FakePrinter, saved_case: Case, tmp_path: Path
) -> None:
    printer.mode = "paper_out"
    config = _config(kind="escpos_network", host="127.0.0.1", port=printer.port, timeout_seconds=5)
    first = make_service(config)
    job_id, _case_no, _message = _print(qtbot, first, saved_case, ok=False)
    assert first.wait_for_idle(10_000)
    # The program restarts: a new store connection, a new service.
    with open_store(tmp_path / "tb.db") as reopened:
        second = ReceiptService(config=config, store=reopened, pdf_dir=tmp_path / "receipts")
        waiting = second.failed_jobs()
        assert [(j.job_id, j.case_no) for j in waiting] == [(job_id, saved_case.case_no)]
        assert "缺纸" in waiting[0].error
        printer.mode = "ok"
        with qtbot.wait_signal(second.printed, timeout=10_000):
            second.retry(job_id=job_id)
        qtbot.wait_until(lambda: len(printer.jobs) == 2, timeout=5000)
        assert "补打".encode("gb18030") not in printer.jobs[-1]  # the first paper that came out: the original
        assert second.failed_jobs() == []
        # A dismissed failure is gone after a restart too.
        printer.mode = "paper_out"
        with qtbot.wait_signal(second.failed, timeout=10_000) as failed:
            second.print_case(case=saved_case, staff_no="S0042")
        assert failed.args is not None
        second.dismiss(job_id=failed.args[0])
        assert second.wait_for_idle(10_000)
    with open_store(tmp_path / "tb.db") as again:
        assert ReceiptService(config=config, store=again, pdf_dir=tmp_path / "receipts").failed_jobs() == []


@pytest.mark.expected_log
def test_refused_connection_fails_plainly_and_can_go_to_pdf(
    qtbot: QtBot, make_service: Any, store: Store, saved_case: Case
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    service = make_service(_config(kind="escpos_network", host="127.0.0.1", port=port, timeout_seconds=5))
    job_id, _case_no, message = _print(qtbot, service, saved_case, ok=False)
    assert "拒绝连接" in message
    with qtbot.wait_signal(service.printed, timeout=10_000) as blocker:
        service.redirect_to_pdf(job_id=job_id)
    assert blocker.args is not None and Path(blocker.args[2]).exists()
    assert store.receipts.for_case(saved_case.case_no)[-1].output is ReceiptOutput.PDF


class _WatchedConnect:
    """Wraps socket.create_connection: records which thread opened the printer connection and with what timeout.

    With `wait_for_gui`, the device thread then holds the connection (a printer that does not answer) until the
    GUI thread has handled a timer event, so a GUI blocked on the print job would leave `gui_answered` unset.
    """

    def __init__(self, monkeypatch: pytest.MonkeyPatch, *, wait_for_gui: bool = False) -> None:
        self.calls: list[tuple[int, object]] = []
        self.waiting = threading.Event()
        self.gui_tick = threading.Event()
        self.gui_answered: bool | None = None
        self._wait_for_gui = wait_for_gui
        self._real = socket.create_connection
        monkeypatch.setattr(socket, "create_connection", self)

    def __call__(self, address: Any, timeout: Any = None, *args: Any, **kwargs: Any) -> socket.socket:
        self.calls.append((threading.get_ident(), timeout))
        conn = self._real(address, timeout, *args, **kwargs)
        if self._wait_for_gui:
            self.waiting.set()
            self.gui_answered = self.gui_tick.wait(25)
        return conn

    def on_gui_tick(self) -> None:
        if self.waiting.is_set():
            self.gui_tick.set()


@pytest.mark.expected_log
def test_hung_printer_fails_with_the_configured_timeout_and_keeps_the_job(
    qtbot: QtBot, make_service: Any, printer: FakePrinter, saved_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    printer.mode = "silent"
    service = make_service(_config(kind="escpos_network", host="127.0.0.1", port=printer.port, timeout_seconds=1))
    connect = _WatchedConnect(monkeypatch)
    outcome: list[str] = []
    service.failed.connect(lambda *_args: outcome.append("failed"))

    with qtbot.wait_signal(service.failed, timeout=30_000) as failed:
        service.print_case(case=saved_case, staff_no="S0042")
        outcome.append("print_case returned")

    assert outcome == ["print_case returned", "failed"]  # the click returned at once; the failure came later
    assert failed.args is not None
    message = failed.args[2]
    assert "1秒内无响应" in message or "超时" in message  # the configured 1 s timeout ended the wait
    # One connection, opened off the GUI thread with the configured timeout (bench/receipts.py times the wait).
    assert [(ident != threading.get_ident(), timeout) for ident, timeout in connect.calls] == [(True, 1.0)]
    assert len(service.failed_jobs()) == 1


def test_the_gui_keeps_handling_events_while_the_printer_hangs(
    qtbot: QtBot, make_service: Any, printer: FakePrinter, saved_case: Case, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A generous timeout: the hang ends only when the GUI thread has shown it is alive (no race with the clock).
    service = make_service(_config(kind="escpos_network", host="127.0.0.1", port=printer.port, timeout_seconds=30))
    connect = _WatchedConnect(monkeypatch, wait_for_gui=True)
    timer = QTimer(service)
    timer.setInterval(20)
    timer.timeout.connect(connect.on_gui_tick)
    timer.start()

    _print(qtbot, service, saved_case, timeout=30_000)
    timer.stop()

    # The GUI's timer fired while the printer connection was held open by the device thread, so a clerk's
    # clicks are handled while a printer hangs (bench/receipts.py prints the GUI's timer gaps during a hang).
    assert connect.gui_answered is True
    assert len(printer.jobs) == 1


@pytest.mark.expected_log
def test_no_printer_configured_says_so_and_keeps_the_job(
    qtbot: QtBot, make_service: Any, store: Store, saved_case: Case
) -> None:
    service = make_service(_config(kind="none"))
    with qtbot.wait_signal(service.queue_changed):
        job_id, _case_no, message = _print(qtbot, service, saved_case, ok=False)
    assert message == NO_PRINTER_MESSAGE
    assert store.receipts.for_case(saved_case.case_no)[0].success is False
    with qtbot.wait_signal(service.printed, timeout=10_000):
        service.redirect_to_pdf(job_id=job_id)
    with qtbot.assert_not_emitted(service.queue_changed):
        service.dismiss(job_id=job_id)  # already done: nothing left to dismiss


def test_thermal_receipt_to_a_device_file(qtbot: QtBot, make_service: Any, saved_case: Case, tmp_path: Path) -> None:
    device = tmp_path / "lp0"
    device.write_bytes(b"")
    service = make_service(_config(kind="escpos_file", device_file=str(device), paper_width_mm=58, profile="POS-5890"))
    _print(qtbot, service, saved_case)
    data = device.read_bytes()
    assert data.startswith(INIT + CHINESE_MODE)
    assert "一次性告知书".encode("gb18030") in data
    assert b"\x1d(k" not in data and b"\x1dv0" in data  # no native QR on this printer: raster image instead


@pytest.mark.expected_log
def test_missing_device_file_fails_plainly(qtbot: QtBot, make_service: Any, saved_case: Case, tmp_path: Path) -> None:
    service = make_service(_config(kind="escpos_file", device_file=str(tmp_path / "no" / "lp0")))
    _job, _case_no, message = _print(qtbot, service, saved_case, ok=False)
    assert message == "未找到打印机，请检查打印机连接线和电源。"


@pytest.mark.expected_log
def test_a_receipt_that_cannot_be_built_never_loses_the_case_and_can_be_retried(
    qtbot: QtBot, store: Store, saved_case: Case, tmp_path: Path
) -> None:
    broken = [True]

    def lookup(code: str) -> None:
        if broken[0]:
            raise RuntimeError("catalogue unavailable")

    service = ReceiptService(config=_config(kind="pdf"), store=store, pdf_dir=tmp_path / "r", item_lookup=lookup)
    with qtbot.wait_signal(service.failed) as blocker:
        job_id = service.print_case(case=saved_case, staff_no="S0042")  # does not raise into intake's submit
    assert blocker.args is not None and blocker.args[0] == job_id and "办件已保存" in blocker.args[2]
    assert store.cases.get_by_no(saved_case.case_no) is not None
    assert [r.success for r in store.receipts.for_case(saved_case.case_no)] == [False]
    broken[0] = False
    with qtbot.wait_signal(service.printed, timeout=10_000):
        service.retry(job_id=job_id)
    assert service.wait_for_idle(10_000)
    assert [r.kind for r in store.receipts.for_case(saved_case.case_no)][1:] == [
        ReceiptKind.INTAKE_RECEIPT,
        ReceiptKind.ONE_TIME_NOTICE,
    ]
