"""Send rendered receipts to the configured printer, always within a timeout, failing with a plain message.

ESC/POS bytes go through python-escpos's device classes (USB, serial, network port 9100, device file). A network
printer is asked for its paper status (DLE EOT 4) before the job: a printer that accepts the connection but never
answers (hung, or a port that is not a printer) fails within the timeout instead of swallowing the receipt, and
one reporting "paper end" fails with 缺纸. A4 goes through Qt's `QPrinter` to CUPS / the Windows spooler.
Every call blocks, so callers run it off the GUI thread (ReceiptService does).
"""

from __future__ import annotations

import logging
import socket
import threading
from collections.abc import Callable, Sequence
from typing import Any

from app.config import PrinterConfig, PrinterKind
from app.printing.document import ReceiptDocument

log = logging.getLogger("tongban.printing")

DLE_EOT_PAPER = b"\x10\x04\x04"  # DLE EOT 4: transmit roll paper sensor status
PAPER_END_BITS = 0x60  # bits 5 and 6: roll paper end detected

ESCPOS_KINDS = frozenset(
    {PrinterKind.ESCPOS_USB, PrinterKind.ESCPOS_SERIAL, PrinterKind.ESCPOS_NETWORK, PrinterKind.ESCPOS_FILE}
)


class PrintError(Exception):
    """A print that did not happen. `message_zh` is for the clerk (plain Chinese), `str()` for the log."""

    def __init__(self, message_zh: str, detail: str = "") -> None:
        super().__init__(detail or message_zh)
        self.message_zh = message_zh


def run_with_timeout(work: Callable[[], None], timeout: float, what: str) -> None:
    """Run blocking device I/O in a daemon thread and give up after `timeout` seconds.

    A driver call that ignores its own timeout (a USB or device-file write to a wedged printer) cannot be
    interrupted from Python; the thread is abandoned, and the job is reported failed so it can be retried.
    """
    errors: list[BaseException] = []

    def target() -> None:
        try:
            work()
        except BaseException as exc:
            errors.append(exc)

    thread = threading.Thread(target=target, name="printer-io", daemon=True)
    thread.start()
    thread.join(timeout)
    if thread.is_alive():
        raise PrintError(
            f"打印机{timeout:g}秒内无响应，请检查打印机是否开机、缺纸或卡纸。", f"{what}: timed out after {timeout:g}s"
        )
    if errors:
        exc = errors[0]
        if isinstance(exc, PrintError):
            raise exc
        raise PrintError(_message_for(exc), f"{what}: {type(exc).__name__}: {exc}") from exc


def _message_for(exc: BaseException) -> str:
    name = type(exc).__name__
    if isinstance(exc, ConnectionRefusedError) or "refused" in str(exc).lower():
        return "打印机拒绝连接，请检查打印机是否开机并已连接网络。"
    if isinstance(exc, TimeoutError) or "timed out" in str(exc).lower():
        return "连接打印机超时，请检查打印机是否开机、缺纸或卡纸。"
    if name in {"DeviceNotFoundError", "USBNotFoundError", "FileNotFoundError"}:
        return "未找到打印机，请检查打印机连接线和电源。"
    if isinstance(exc, PermissionError):
        return "没有使用打印机的权限，请联系管理员。"
    return "打印失败，请检查打印机后重试。"


def _escpos_device(cfg: PrinterConfig, timeout: float) -> Any:
    """The python-escpos device for `cfg` (imported lazily: USB and serial need optional libraries)."""
    profile = cfg.profile or None
    if cfg.kind is PrinterKind.ESCPOS_NETWORK:
        if not cfg.host:
            raise PrintError("未设置网络打印机地址，请联系管理员配置 printer.host。", "printer.host empty")
        from escpos.printer import Network

        return Network(cfg.host, port=cfg.port, timeout=timeout, profile=profile)
    if cfg.kind is PrinterKind.ESCPOS_FILE:
        if not cfg.device_file:
            raise PrintError("未设置打印机设备文件，请联系管理员配置 printer.device_file。", "device_file empty")
        from escpos.printer import File

        return File(cfg.device_file, profile=profile)
    if cfg.kind is PrinterKind.ESCPOS_SERIAL:
        if not cfg.serial_port:
            raise PrintError("未设置串口打印机端口，请联系管理员配置 printer.serial_port。", "serial_port empty")
        from escpos.printer import Serial

        return Serial(cfg.serial_port, baudrate=cfg.serial_baudrate, timeout=timeout, profile=profile)
    if cfg.kind is PrinterKind.ESCPOS_USB:
        if not cfg.usb_vendor_id or not cfg.usb_product_id:
            raise PrintError("未设置USB打印机的厂商和产品编号，请联系管理员配置。", "usb ids not set")
        from escpos.printer import Usb

        return Usb(cfg.usb_vendor_id, cfg.usb_product_id, timeout=int(timeout * 1000), profile=profile)
    raise PrintError("当前打印机不是小票打印机。", f"not an ESC/POS kind: {cfg.kind}")


def _check_network_status(device: Any) -> None:
    """Ask the printer for its paper status; no answer within the socket timeout raises TimeoutError."""
    device._raw(DLE_EOT_PAPER)
    status = device._read()
    if not status:
        raise PrintError("打印机无应答，请检查打印机。", "no status byte")
    if status[0] & PAPER_END_BITS:
        raise PrintError("打印机缺纸，请装纸后重试。", f"paper end status {status[0]:#04x}")


def send_escpos(data: bytes, cfg: PrinterConfig, *, timeout: float | None = None) -> None:
    """Deliver ESC/POS bytes to the configured thermal printer; raises PrintError on any failure."""
    limit = float(timeout if timeout is not None else cfg.timeout_seconds)
    device = _escpos_device(cfg, limit)

    def work() -> None:
        try:
            if cfg.kind is PrinterKind.ESCPOS_NETWORK:
                # WORKAROUND for python-escpos 3.1 Network.open(): when connect() fails it drops the socket
                # without closing it. create_connection closes it; the device class then only writes and reads.
                device.device = socket.create_connection((cfg.host, cfg.port), timeout=limit)
                _check_network_status(device)
            else:
                device.open()
            device._raw(data)
        finally:
            try:
                device.close()
            except Exception:  # closing a broken connection must not hide the real error
                log.debug("closing the printer connection failed", exc_info=True)

    run_with_timeout(work, limit, f"escpos {cfg.kind.value}")
    log.info("sent %d bytes to the %s printer", len(data), cfg.kind.value)


def print_a4(docs: Sequence[ReceiptDocument], cfg: PrinterConfig, *, timeout: float | None = None) -> str:
    """Print on the configured (or default) system printer through QPrinter; returns the printer's name.

    Needs a QGuiApplication. The job counts as done once the spooler accepted it.
    """
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    from app.printing.pdf import paint_documents, setup_a4

    info = QPrinterInfo.printerInfo(cfg.system_printer) if cfg.system_printer else QPrinterInfo.defaultPrinter()
    if info.isNull():
        which = f"“{cfg.system_printer}”" if cfg.system_printer else "默认打印机"
        raise PrintError(f"未找到{which}，请检查打印机设置。", f"no system printer {cfg.system_printer!r}")
    limit = float(timeout if timeout is not None else cfg.timeout_seconds)
    name = info.printerName()
    printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
    printer.setFullPage(True)
    printer.setDocName(f"{docs[0].title} {docs[0].case_no}" if docs else "receipt")
    setup_a4(printer)

    def work() -> None:
        paint_documents(docs, printer)
        if printer.printerState() == QPrinter.PrinterState.Error:
            raise PrintError("打印机报告错误，请检查打印机。", "QPrinter state Error")

    run_with_timeout(work, limit, "system printer")
    log.info("spooled %d document(s) to the system printer", len(docs))
    return name
