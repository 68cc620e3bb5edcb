"""一件事一次办 at the counter in the real window (offscreen): choose 新生儿出生一件事, enter the applicant once, answer
once, mark the shared documents once, take in every member at once, print the one receipt, ask the one rating.

Screenshots go to tests.shots.shot_dir("bundle_shots")."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from app.domain.case_number import format_grouped
from app.domain.models import MaterialStatus
from app.services.terminal import Terminal
from tests import pii_samples
from tests.integration.receipts_support import pdf_text, squash
from tests.shots import shot_dir
from tests.ui.test_intake_flow import open_window, sign_in, terminal_at, type_text

SHOTS = shot_dir("bundle_shots")


def shot(widget: QWidget, name: str) -> None:
    SHOTS.mkdir(exist_ok=True)
    QApplication.processEvents()
    assert widget.window().grab().save(str(SHOTS / f"{name}.png"))


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[Terminal]:
    yield from terminal_at(tmp_path)


def test_a_bundle_is_taken_in_once_with_one_receipt_and_one_rating(
    gui_app: QApplication, qtbot: QtBot, terminal: Terminal, tmp_path: Path
) -> None:
    window, flow = open_window(qtbot, terminal)
    sign_in(qtbot, flow)
    s = flow.session
    QTest.mouseClick(s.picker.bundle_button, Qt.MouseButton.LeftButton)
    page = s.bundle_page
    assert s.views.currentWidget() is page
    assert page.chooser.currentText() == "新生儿出生一件事"
    assert "本次办理 4 项" in page.members_label.text()

    # 是否同时申领社会保障卡? 否 drops a member; 是 brings it back.
    page.question_boxes["social_card"].setCurrentText("否")
    qtbot.wait_until(lambda: "本次办理 3 项" in page.members_label.text())
    page.question_boxes["social_card"].setCurrentText("是")
    qtbot.wait_until(lambda: "本次办理 4 项" in page.members_label.text())

    fields = page.applicant.fields
    type_text(qtbot, fields["applicant.name"].edit, pii_samples.NAME)
    QTest.keyClicks(fields["applicant.id_number"].edit, pii_samples.ID_NUMBER)
    QTest.keyClicks(fields["applicant.phone"].edit, pii_samples.PHONE)
    for key in ("S01", "S02", "S03"):  # each shared document once
        box = page.material_boxes[key]
        box.setCurrentIndex(box.findData(MaterialStatus.ORIGINAL.value))
    assert all(
        "/" not in key or not key.endswith(("/M01",)) or key.startswith("210800200507000")
        for key in page.material_boxes
    )
    shot(window, "01_bundle_form")

    QTest.mouseClick(page.submit_button, Qt.MouseButton.LeftButton)
    outcome = page.outcome
    assert outcome is not None, page.message.text()
    assert [name for _c, name, _n in outcome.members] == [
        "出生医学证明首次签发",
        "出生登记",
        "城乡居民基本医疗保险参保登记",
        "社会保障卡申领",
    ]
    # The bundle's own number first, then each member's.
    assert page.message.text().startswith(
        f"已收件：新生儿出生一件事，一件事办件编号 {format_grouped(outcome.parent_case_no)}"
    )
    assert terminal.store.bundles.get(outcome.parent_case_no) is not None
    for _code, _name, number in outcome.members:
        assert format_grouped(number) in page.message.text()
        stored = terminal.store.cases.get_by_no(number)
        assert stored is not None and stored.case.bundle_id == outcome.bundle_id
    shot(window, "02_bundle_received")

    QTest.mouseClick(page.print_button, Qt.MouseButton.LeftButton)
    [pdf] = sorted((tmp_path / "pdf").glob("bundle-*.pdf"))
    printed = squash(pdf_text(pdf))
    assert "一件事收件回执" in printed and "新生儿出生一件事" in printed
    assert all(squash(format_grouped(n)) in printed for _c, _n2, n in outcome.members)
    assert squash(format_grouped(outcome.parent_case_no)) in printed

    with qtbot.wait_signal(terminal.ratings.rating_requested) as asked:
        QTest.mouseClick(page.rate_button, Qt.MouseButton.LeftButton)
    assert asked.args[0].case_no == outcome.parent_case_no  # 一事一评 under the bundle's own number
    assert asked.args[0].item_name == "新生儿出生一件事"
    QTest.mouseClick(page.close_button, Qt.MouseButton.LeftButton)
    assert s.views.currentWidget() is s.intake_view
