"""The clerk's print preview: the case's receipts as they will print, with 打印 / 输出PDF, and retry when it fails.

The dialog talks to `ReceiptService` only. Printing runs on the service's worker; the dialog follows its own job
through the `printed` / `failed` signals, so the window stays responsive while a printer is slow or offline.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Slot
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import Case, ReceiptOutput
from app.services.receipts import ReceiptService

#: Preview width on screen; pages are scaled to it.
PREVIEW_WIDTH = 640


class PrintPreviewDialog(QDialog):
    """Preview and print one case's 收件回执 (and 一次性告知书)."""

    def __init__(
        self,
        service: ReceiptService,
        *,
        case: Case,
        staff_no: str,
        output: ReceiptOutput | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("print_preview")
        self.setWindowTitle(self.tr("打印预览"))
        self._service = service
        self._case = case
        self._staff_no = staff_no
        self._output = output
        self._job = ""

        self.pages = QWidget()
        pages_layout = QVBoxLayout(self.pages)
        self.page_labels: list[QLabel] = []
        for image in service.preview(case=case, output=output):
            label = QLabel()
            label.setPixmap(
                QPixmap.fromImage(image).scaledToWidth(
                    min(PREVIEW_WIDTH, image.width()), Qt.TransformationMode.SmoothTransformation
                )
            )
            label.setAlignment(Qt.AlignmentFlag.AlignHCenter)
            pages_layout.addWidget(label)
            self.page_labels.append(label)
        scroll = QScrollArea()
        scroll.setWidget(self.pages)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName(self.tr("收件回执预览"))

        self.status = QLabel(self.tr("共 %n 页", "", len(self.page_labels)))
        self.status.setObjectName("print_status")
        self.status.setWordWrap(True)
        self.print_button = QPushButton(self.tr("打印"))
        self.pdf_button = QPushButton(self.tr("输出PDF"))
        self.retry_button = QPushButton(self.tr("重试"))
        self.retry_button.setVisible(False)
        close_button = QPushButton(self.tr("关闭"))
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self._print)
        self.pdf_button.clicked.connect(self._to_pdf)
        self.retry_button.clicked.connect(self._retry)
        close_button.clicked.connect(self.accept)

        buttons = QHBoxLayout()
        buttons.addStretch(1)
        for button in (self.retry_button, self.pdf_button, self.print_button, close_button):
            buttons.addWidget(button)
        layout = QVBoxLayout(self)
        layout.addWidget(scroll, 1)
        layout.addWidget(self.status)
        layout.addLayout(buttons)
        self.resize(PREVIEW_WIDTH + 80, 820)

        service.printed.connect(self._on_printed)
        service.failed.connect(self._on_failed)

    # --- actions -----------------------------------------------------------------------------------------

    @Slot()
    def _print(self) -> None:
        self._start(self._service.print_case(case=self._case, staff_no=self._staff_no, output=self._output))

    @Slot()
    def _to_pdf(self) -> None:
        job = self._service.job(self._job) if self._job else None
        if job is not None and self.retry_button.isVisible():
            self._service.redirect_to_pdf(job_id=self._job)
            self._start(self._job)
        else:
            self._start(self._service.print_case(case=self._case, staff_no=self._staff_no, output=ReceiptOutput.PDF))

    @Slot()
    def _retry(self) -> None:
        self._service.retry(job_id=self._job)
        self._start(self._job)

    def _start(self, job_id: str) -> None:
        self._job = job_id
        self.status.setText(self.tr("正在打印…"))
        self.retry_button.setVisible(False)
        for button in (self.print_button, self.pdf_button):
            button.setEnabled(False)

    # --- service signals ---------------------------------------------------------------------------------

    @Slot(str, str, str)
    def _on_printed(self, job_id: str, _case_no: str, destination: str) -> None:
        if job_id != self._job:
            return
        if destination.endswith(".pdf"):
            self.status.setText(self.tr("已保存为PDF：%1").replace("%1", destination))
        else:
            self.status.setText(self.tr("已打印"))
        for button in (self.print_button, self.pdf_button):
            button.setEnabled(True)

    @Slot(str, str, str)
    def _on_failed(self, job_id: str, _case_no: str, message: str) -> None:
        if job_id != self._job:
            return
        self.status.setText(self.tr("打印失败：%1 办件已保存，可重试或输出PDF。").replace("%1", message))
        self.retry_button.setVisible(True)
        for button in (self.print_button, self.pdf_button):
            button.setEnabled(True)
