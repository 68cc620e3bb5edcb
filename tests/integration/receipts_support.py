"""Shared helpers of the receipt tests: sample cases with the run's personal sample data, and the real tools
(pdftotext, pdftoppm, zbarimg) that read what was printed."""

from __future__ import annotations

import datetime as dt
import re
import shutil
import subprocess
import uuid
from pathlib import Path

import pytest
from PIL import Image

from app.domain.case_number import make_case_number
from app.domain.models import (
    Agent,
    Case,
    CaseState,
    DeliveryMethod,
    MaterialStatus,
    PersonApplicant,
    ReceivedMaterial,
    ResultDelivery,
    Routing,
)
from tests import pii_samples

ROUTING = Routing(
    division="210800",
    hall="01",
    window="07",
    terminal="003",
    staff_no="S0042",
    department="营口市人力资源和社会保障局",
    jurisdiction="210800",
)
INTAKE_AT = dt.datetime(2026, 11, 24, 1, 30, tzinfo=dt.UTC)  # 09:30 in Yingkou
CASE_NO = make_case_number("210800", "01", "003", dt.date(2026, 11, 24), 17)


def person_case(
    *,
    case_no: str = CASE_NO,
    item_code: str = "210800-SB-0012",
    item_name: str = "城乡居民养老保险参保登记",
    materials: tuple[ReceivedMaterial, ...] | None = None,
    name: str = pii_samples.NAME,
    address: str = pii_samples.ADDRESS,
    created_at: dt.datetime = INTAKE_AT,
    expected_date: dt.date | None = None,
    delivery: DeliveryMethod = DeliveryMethod.MAIL,
) -> Case:
    """A person's case carrying the run's personal sample values (ID, phone, address, agent)."""
    return Case(
        record_id=str(uuid.uuid4()),
        case_no=case_no,
        item_code=item_code,
        item_name=item_name,
        state=CaseState.RECEIVED,
        applicant=PersonApplicant(name=name, id_number=pii_samples.ID_NUMBER, phone=pii_samples.PHONE, address=address),
        routing=ROUTING,
        delivery=ResultDelivery(method=delivery, address=address, postcode="115000", recipient_phone=pii_samples.PHONE),
        materials=materials
        if materials is not None
        else (
            ReceivedMaterial("M01", "居民身份证", MaterialStatus.ORIGINAL, 1),
            ReceivedMaterial("M02", "户口簿", MaterialStatus.COPY, 2),
            ReceivedMaterial("M03", "近期一寸免冠照片", MaterialStatus.MISSING, 0, note="照片不符合要求（需白底）"),
        ),
        agent=Agent(pii_samples.NAME_2, pii_samples.ID_NUMBER_2, pii_samples.PHONE_2),
        created_at=created_at,
        expected_date=expected_date,
    )


def need_tool(name: str) -> str:
    path = shutil.which(name)
    if path is None:
        pytest.skip(f"{name} is not installed (Debian: zbar-tools / poppler-utils)")
    return path


def pdf_text(pdf: Path) -> str:
    """The PDF's text in content order (`pdftotext -raw`)."""
    result = subprocess.run(
        [need_tool("pdftotext"), "-raw", "-enc", "UTF-8", str(pdf), "-"], capture_output=True, check=True
    )
    return result.stdout.decode("utf-8")


def squash(text: str) -> str:
    """Whitespace removed: wrapped lines join up again, so a field's whole value can be searched for."""
    return re.sub(r"\s+", "", text)


def pdf_pages(pdf: Path) -> int:
    result = subprocess.run([need_tool("pdfinfo"), str(pdf)], capture_output=True, check=True, text=True)
    match = re.search(r"^Pages:\s+(\d+)", result.stdout, re.MULTILINE)
    assert match, result.stdout
    return int(match.group(1))


def pdf_to_pngs(pdf: Path, *, dpi: int = 150) -> list[Path]:
    prefix = pdf.with_suffix("")
    subprocess.run(
        [need_tool("pdftoppm"), "-r", str(dpi), "-png", str(pdf), str(prefix)], capture_output=True, check=True
    )
    return sorted(pdf.parent.glob(f"{prefix.name}-*.png"))


def decode_qr(png: Path) -> list[str]:
    """Every QR symbol zbarimg finds in the image (an empty list when none)."""
    # zbarimg exits 4 when it finds no symbol: that is an answer (no QR), not an error.
    result = subprocess.run([need_tool("zbarimg"), "--raw", "-q", str(png)], check=False, capture_output=True)
    return [line for line in result.stdout.decode("utf-8").splitlines() if line]


def save_png(image: Image.Image, path: Path) -> Path:
    image.save(path)
    return path
