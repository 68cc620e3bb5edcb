"""A real print path: Qt's QPrinter → CUPS → the cups-pdf virtual printer, and the PDF that comes out checked.

The fixture starts a private cupsd (its own config, spool and socket under the test's tmp dir, so the machine's
CUPS is left alone) with a cups-pdf queue. It needs root (cupsd, and cups-pdf's per-queue config lives in
/etc/cups) and Debian's `cups` + `printer-driver-cups-pdf`; otherwise the test is skipped with the reason.
"""

from __future__ import annotations

import dataclasses
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.domain.models import ReceiptOutput
from app.services.receipts import ReceiptService
from offline_cache import open_store
from tests.integration.receipts_support import decode_qr, pdf_pages, pdf_to_pngs, person_case

PPD = Path("/usr/share/ppd/cups-pdf/CUPS-PDF_opt.ppd")
BACKEND = Path("/usr/lib/cups/backend/cups-pdf")

CUPSD_CONF = """Listen {socket}
LogLevel warn
WebInterface No
Browsing No
DefaultAuthType None
<Location />
  Order allow,deny
  Allow all
</Location>
<Policy default>
  <Limit All>
    Order deny,allow
  </Limit>
</Policy>
"""
CUPS_FILES_CONF = """ServerRoot {root}/etc
StateDir {root}/state
CacheDir {root}/cache
RequestRoot {root}/spool
TempDir {root}/tmp
AccessLog {root}/log/access_log
ErrorLog {root}/log/error_log
PageLog {root}/log/page_log
Sandboxing Relaxed
"""


@dataclass(frozen=True)
class CupsPdfQueue:
    name: str
    out_dir: Path
    socket: Path


def _why_no_cups() -> str:
    if os.geteuid() != 0:
        return "starting a private cupsd with cups-pdf needs root"
    for tool in ("cupsd", "lpadmin", "lpstat"):
        if shutil.which(tool) is None:
            return f"{tool} not installed (apt-get install cups printer-driver-cups-pdf)"
    if not PPD.exists() or not BACKEND.exists():
        return "cups-pdf not installed (apt-get install printer-driver-cups-pdf)"
    return ""


@pytest.fixture(scope="module")
def cups_pdf() -> Iterator[CupsPdfQueue]:
    reason = _why_no_cups()
    if reason:
        pytest.skip(reason)
    # Not under pytest's tmp dir: that is 0700 for root, and the filters cupsd starts as user lp must get in.
    root = Path(tempfile.mkdtemp(prefix="tongban-cups-"))
    for sub in ("etc", "state", "cache", "spool", "tmp", "log", "out"):
        (root / sub).mkdir()
    # cupsd runs filters as user lp: they must reach their temp dir; cups-pdf writes as root.
    root.chmod(0o755)
    for sub in root.iterdir():
        sub.chmod(0o1777 if sub.name == "tmp" else 0o755)
    socket = root / "cups.sock"
    (root / "cupsd.conf").write_text(CUPSD_CONF.format(socket=socket))
    (root / "cups-files.conf").write_text(CUPS_FILES_CONF.format(root=root))
    queue = f"tongban-test-{os.getpid()}"
    pdf_conf = Path(f"/etc/cups/cups-pdf-{queue}.conf")  # cups-pdf reads the config named after the queue
    pdf_conf.write_text(f"Out {root / 'out'}\nAnonDirName {root / 'out'}\nLabel 0\nGrp root\n")
    cupsd = subprocess.Popen(
        ["cupsd", "-f", "-c", str(root / "cupsd.conf"), "-s", str(root / "cups-files.conf")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    env = {**os.environ, "CUPS_SERVER": str(socket)}
    try:
        deadline = time.monotonic() + 15
        while subprocess.run(["lpstat", "-r"], env=env, capture_output=True, check=False).returncode != 0:
            if time.monotonic() > deadline or cupsd.poll() is not None:
                pytest.skip("private cupsd did not start")
            time.sleep(0.1)
        # cupsd can answer `lpstat -r` a moment before it accepts admin requests: retry lpadmin briefly.
        for attempt in range(50):
            added = subprocess.run(
                ["lpadmin", "-p", queue, "-E", "-v", f"cups-pdf:/{queue}", "-P", str(PPD)],
                env=env,
                capture_output=True,
                text=True,
                check=False,
            )
            if added.returncode == 0:
                break
            if attempt == 49:
                raise AssertionError(f"lpadmin failed: {added.stderr.strip()}")
            time.sleep(0.1)
        yield CupsPdfQueue(queue, root / "out", socket)
    finally:
        cupsd.terminate()
        cupsd.wait(10)
        pdf_conf.unlink(missing_ok=True)
        shutil.rmtree(root, ignore_errors=True)


def test_receipt_printed_through_qprinter_and_cups_comes_out_as_a_scannable_pdf(
    qtbot: QtBot, cups_pdf: CupsPdfQueue, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CUPS_SERVER", str(cups_pdf.socket))  # libcups (inside Qt) reads it per thread
    config = config_from_dict(
        {
            "hall_name": "营口市政务服务中心",
            "printer": {"kind": "system", "system_printer": cups_pdf.name, "timeout_seconds": 30},
        }
    )
    with open_store(tmp_path / "tb.db") as store:
        case = store.save_case(dataclasses.replace(person_case(), case_no=""), actor="S0042").case
        service = ReceiptService(config=config, store=store, pdf_dir=tmp_path / "receipts")
        with qtbot.assert_not_emitted(service.failed), qtbot.wait_signal(service.printed, timeout=30_000) as done:
            service.print_case(case=case, staff_no="S0042")
        assert done.args is not None and done.args[2] == cups_pdf.name
        assert service.wait_for_idle(10_000)
        records = store.receipts.for_case(case.case_no)
    assert {(r.output, r.success) for r in records} == {(ReceiptOutput.PRINTER, True)}

    deadline = time.monotonic() + 60
    while not (pdfs := sorted(cups_pdf.out_dir.glob("*.pdf"))):
        assert time.monotonic() < deadline, "cups-pdf wrote no PDF"
        time.sleep(0.2)
    time.sleep(0.5)  # cups-pdf writes the file in one go, but give it a moment to close it
    pdf = pdfs[-1]
    assert pdf_pages(pdf) == 2  # 收件回执 and 一次性告知书, one A4 page each
    # cups-pdf re-renders through PostScript and Ghostscript, which turns the text into Type 3 glyphs without a
    # Unicode map, so pdftotext cannot read it back; the QR code (drawn as vector modules) must still scan.
    url = f"https://zwfw.yingkou.gov.cn/tb/c/{case.case_no}"
    assert [decode_qr(page) for page in pdf_to_pngs(pdf, dpi=150)] == [[url], [url]]
