"""`tongban receipt CASE_NO --format pdf|escpos --out FILE`: the handler against a real store in the data dir."""

from __future__ import annotations

import dataclasses
import uuid
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from stdnum.iso7064 import mod_97_10

from app.config import config_from_dict
from app.domain.case_number import format_grouped
from app.domain.models import CaseState, ReceiptKind, ReceiptOutput
from app.paths import AppPaths, resolve_paths
from app.printing.thermal import CHINESE_MODE, INIT
from app.protocol import is_uuid
from app.services.errors import UserFacingError
from app.services.receipts import receipt_command
from offline_cache import open_store
from tests import pii_samples
from tests.integration.receipts_support import decode_qr, pdf_text, pdf_to_pngs, person_case, squash

CONFIG = config_from_dict({"hall_name": "营口市政务服务中心", "platform_url": "https://tb.example.cn"})
CONFIG_HALL = config_from_dict(
    {
        "hall_name": "营口市政务服务中心",
        "hall_address": "营口市站前区渤海大街西82号",
        "hall_phone": "0417-2823456",
        "platform_url": "https://tb.example.cn",
    }
)


@pytest.fixture
def paths(qapp: QApplication) -> AppPaths:
    return resolve_paths().ensure()


@pytest.fixture
def case_no(paths: AppPaths) -> str:
    with open_store(paths.database) as store:
        return store.save_case(dataclasses.replace(person_case(), case_no=""), actor="S0042").case.case_no


def test_pdf_from_the_command_line_and_reprint_rules(paths: AppPaths, case_no: str, tmp_path: Path) -> None:
    out = tmp_path / "r.pdf"
    assert receipt_command(config=CONFIG, paths=paths, case_no=format_grouped(case_no), fmt="pdf", out=out) == 0
    text = squash(pdf_text(out))
    assert "收件回执" in text and "一次性告知书" in text and "补打" not in text
    assert pii_samples.ID_NUMBER not in text and pii_samples.PHONE not in text
    assert decode_qr(pdf_to_pngs(out, dpi=100)[0]) == [f"https://tb.example.cn/c/{case_no}"]
    # A PDF export is not the citizen's paper: exporting again, and the first paper print after it, are originals.
    again = tmp_path / "again.pdf"
    assert receipt_command(config=CONFIG, paths=paths, case_no=case_no, fmt="pdf", out=again) == 0
    assert "补打" not in pdf_text(again)
    paper = tmp_path / "paper.bin"
    assert receipt_command(config=CONFIG, paths=paths, case_no=case_no, fmt="escpos", out=paper) == 0
    assert "补打".encode("gb18030") not in paper.read_bytes()
    assert receipt_command(config=CONFIG, paths=paths, case_no=case_no, fmt="escpos", out=paper) == 0
    assert "补打".encode("gb18030") in paper.read_bytes()
    after_paper = tmp_path / "after.pdf"
    assert receipt_command(config=CONFIG, paths=paths, case_no=case_no, fmt="pdf", out=after_paper) == 0
    assert "补打" in pdf_text(after_paper)
    with open_store(paths.database) as store:
        records = store.receipts.for_case(case_no)
    assert [(r.output, r.reprint) for r in records] == (
        [(ReceiptOutput.PDF, False)] * 4
        + [(ReceiptOutput.THERMAL, False)] * 2
        + [(ReceiptOutput.THERMAL, True)] * 2
        + [(ReceiptOutput.PDF, True)] * 2
    )
    # Each print is logged under an id the platform's wire check accepts (a lowercase canonical UUID), never twice.
    assert all(is_uuid(r.record_id) and uuid.UUID(r.record_id).version == 4 for r in records)
    assert len({r.record_id for r in records}) == len(records)


def test_a_refused_case_gets_a_refusal_notice_not_a_receipt(paths: AppPaths, tmp_path: Path) -> None:
    with open_store(paths.database) as store:
        store.staff.add("S0042", "李晓红", "123456", actor="test")
        refused = dataclasses.replace(
            person_case(), case_no="", state=CaseState.REFUSED, refusal_reason="申请人未携带不动产权证书原件"
        )
        case_no = store.save_case(refused, actor="S0042").case.case_no
    out = tmp_path / "refusal.pdf"
    assert receipt_command(config=CONFIG_HALL, paths=paths, case_no=case_no, fmt="pdf", out=out) == 0
    text = squash(pdf_text(out))
    assert text.count("不予收件告知书") >= 1 and "收件回执" not in text and "一次性告知书" not in text
    assert "申请人未携带不动产权证书原件" in text  # the reason
    assert "城乡居民养老保险参保登记" in text  # the item
    assert "李晓红（工号S0042）" in text  # the clerk, by name and number
    assert "营口市政务服务中心" in text and "渤海大街西82号" in text and "12345" in text  # where, and whom to call
    assert "告知日期：2026年11月24日" in text
    assert "110***********002X" in text and pii_samples.ID_NUMBER not in text and pii_samples.PHONE not in text
    assert "预计办结" not in text and "承诺时限" not in text and "已收材料" not in text  # nothing was taken in
    slip = tmp_path / "refusal.bin"
    assert receipt_command(config=CONFIG_HALL, paths=paths, case_no=case_no, fmt="escpos", out=slip) == 0
    data = slip.read_bytes()
    assert "不予收件告知书".encode("gb18030") in data and "收件回执".encode("gb18030") not in data
    assert "申请人未携带不动产权证书原件".encode("gb18030") in data
    with open_store(paths.database) as store:
        kinds = {r.kind for r in store.receipts.for_case(case_no)}
    assert kinds == {ReceiptKind.REFUSAL_NOTICE}


def test_escpos_from_the_command_line(paths: AppPaths, case_no: str, tmp_path: Path) -> None:
    out = tmp_path / "r.bin"
    assert receipt_command(config=CONFIG, paths=paths, case_no=case_no, fmt="escpos", out=out) == 0
    data = out.read_bytes()
    assert data.startswith(INIT + CHINESE_MODE) and data.endswith(b"\x1dV\x00")
    assert "收件回执".encode("gb18030") in data


def test_unknown_or_mistyped_case_number_is_a_plain_error(paths: AppPaths, case_no: str, tmp_path: Path) -> None:
    mistyped = case_no[:-3] + str((int(case_no[-3]) + 1) % 10) + case_no[-2:]
    with pytest.raises(UserFacingError, match="校验"):
        receipt_command(config=CONFIG, paths=paths, case_no=mistyped, fmt="pdf", out=tmp_path / "x.pdf")
    other = case_no[:19] + "99999"
    other += mod_97_10.calc_check_digits(other)
    with pytest.raises(UserFacingError, match="未找到办件"):
        receipt_command(config=CONFIG, paths=paths, case_no=other, fmt="escpos", out=tmp_path / "x.bin")
    assert not (tmp_path / "x.bin").exists()
