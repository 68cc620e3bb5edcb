"""Printer backends fail plainly and in time, whatever the device does (no hardware needed)."""

from __future__ import annotations

import threading

import pytest

from app.config import PrinterConfig, config_from_dict
from app.printing.backends import PrintError, run_with_timeout, send_escpos


def _printer(**values: object) -> PrinterConfig:
    return config_from_dict({"printer": values}).printer


@pytest.mark.parametrize(
    ("printer", "message"),
    [
        ({"kind": "escpos_usb", "usb_vendor_id": 0x0416, "usb_product_id": 0x5011}, "未找到打印机"),
        ({"kind": "escpos_serial", "serial_port": "/dev/tongban-no-such-tty"}, "未找到打印机"),
        ({"kind": "escpos_usb"}, "未设置USB打印机"),
        ({"kind": "escpos_serial"}, "未设置串口打印机端口"),
        ({"kind": "escpos_network"}, "未设置网络打印机地址"),
        ({"kind": "escpos_file"}, "未设置打印机设备文件"),
        ({"kind": "pdf"}, "不是小票打印机"),
    ],
)
def test_unusable_printer_configuration_gives_a_plain_message(printer: dict[str, object], message: str) -> None:
    with pytest.raises(PrintError) as caught:
        send_escpos(b"\x1b@", _printer(timeout_seconds=2, **printer))
    assert message in caught.value.message_zh


def test_a_device_call_that_never_returns_is_abandoned_after_the_timeout() -> None:
    release = threading.Event()
    returned = threading.Event()

    def wedged() -> None:
        release.wait(30)
        returned.set()

    with pytest.raises(PrintError) as caught:
        run_with_timeout(wedged, 0.3, "wedged device")
    abandoned_while_running = not returned.is_set()  # the caller gave up on the clock, not on the call's end
    release.set()
    assert abandoned_while_running
    assert "0.3秒内无响应" in caught.value.message_zh


def test_device_errors_keep_their_plain_message() -> None:
    def refuse() -> None:
        raise ConnectionRefusedError(111, "Connection refused")

    with pytest.raises(PrintError, match="ConnectionRefusedError") as caught:
        run_with_timeout(refuse, 1, "network printer")
    assert caught.value.message_zh == "打印机拒绝连接，请检查打印机是否开机并已连接网络。"
