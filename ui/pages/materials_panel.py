"""The item's materials checklist: per material received original/copy with count, or missing (with a note for
the 一次性告知书), conditional ones explained; scans attached from a file or the document camera."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QFileDialog,
    QFormLayout,
    QGridLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import MaterialRequirement, MaterialStatus, ServiceItem
from app.services.intake_form import MAX_COUNT, IntakeDraft, MaterialInput
from ui.widgets.accessible import ask_file, file_dialog, tie_label
from ui.widgets.item_guide import FORM_ZH


class MaterialRow(QWidget):
    """Signals:
    changed(): status, count or note changed.
    attach_file_requested(str) / scan_requested(str): material code.
    """

    changed = Signal()
    attach_file_requested = Signal(str)
    scan_requested = Signal(str)

    def __init__(  # noqa: PLR0915 - builds the widget tree
        self, req: MaterialRequirement, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.code = req.code
        self.setObjectName(f"material_{req.code}")
        self._material: MaterialInput | None = None
        self._saving = 0  # scans of this material being saved on the intake service's worker
        self.licence_type = req.licence_type
        grid = QGridLayout(self)
        grid.setContentsMargins(0, 4, 0, 4)
        text = f"{req.name}（{FORM_ZH[req.form]} {req.copies}份）"
        self.name = QLabel(text.replace("&", "&&"), self)  # a buddy label reads & as a mnemonic
        self.name.setWordWrap(True)
        self.condition = QLabel(self)
        self.condition.setProperty("role", "hint")
        self.condition.setWordWrap(True)
        if not req.required:
            self.condition.setText(self.tr("Conditional: {condition}").format(condition=req.condition_text or "—"))
        self.condition.setVisible(not req.required)
        self.status = QComboBox(self)
        self.status.setObjectName(f"status_{req.code}")
        # The material's name is the drop-down's label: Orca says "申请人居民身份证 的状态：缺".
        tie_label(self.name, self.status, self.tr("Status of {name}:").format(name=req.name))
        self.name.setAccessibleDescription(text)
        for label, status in (
            (self.tr("Original received"), MaterialStatus.ORIGINAL),
            (self.tr("Copy received"), MaterialStatus.COPY),
            (self.tr("Missing"), MaterialStatus.MISSING),
            (self.tr("Not applicable"), MaterialStatus.NOT_APPLICABLE),
        ):
            self.status.addItem(label, status.value)
        self.count = QSpinBox(self)
        self.count.setObjectName(f"count_{req.code}")
        self.count.setAccessibleName(self.tr("Number of copies of {name}").format(name=req.name))
        self.count.setRange(0, MAX_COUNT)
        self.default_count = req.copies
        self.note = QLineEdit(self)
        self.note.setObjectName(f"note_{req.code}")
        self.note.setPlaceholderText(self.tr("Note (why missing or defective)"))
        self.note.setAccessibleName(self.tr("Note on {name}").format(name=req.name))
        self.note.setMaxLength(100)
        self.attach = QPushButton(self.tr("File…"), self)
        self.attach.setObjectName(f"attach_{req.code}")
        self.attach.setAccessibleName(self.tr("Attach a scan of {name} from a file").format(name=req.name))
        self.scan = QPushButton(self.tr("Scan"), self)
        self.scan.setObjectName(f"scan_{req.code}")
        self.scan.setAccessibleName(self.tr("Scan {name} with the document camera").format(name=req.name))
        self.attachments = QLabel(self)
        self.attachments.setObjectName(f"attachments_{req.code}")
        self.attachments.setProperty("role", "hint")
        self.error = QLabel(self)
        self.error.setProperty("role", "error")
        self.error.hide()
        grid.addWidget(self.name, 0, 0, 1, 5)
        grid.addWidget(self.condition, 1, 0, 1, 5)
        grid.addWidget(self.status, 2, 0)
        grid.addWidget(self.count, 2, 1)
        grid.addWidget(self.note, 2, 2)
        grid.addWidget(self.attach, 2, 3)
        grid.addWidget(self.scan, 2, 4)
        grid.addWidget(self.attachments, 3, 0, 1, 5)
        grid.addWidget(self.error, 4, 0, 1, 5)
        grid.setColumnStretch(2, 1)
        self.status.currentIndexChanged.connect(self._on_status)
        self.count.valueChanged.connect(self._on_count)
        self.note.textEdited.connect(self._on_note)
        self.attach.clicked.connect(lambda: self.attach_file_requested.emit(self.code))
        self.scan.clicked.connect(lambda: self.scan_requested.emit(self.code))

    def load(self, material: MaterialInput) -> None:
        self._material = None
        # 电子证照 is offered only once a licence was fetched for this material (it needs the licence's number).
        licence_index = self.status.findData(MaterialStatus.E_LICENCE.value)
        if material.licence_no and licence_index < 0:
            self.status.addItem(self.tr("E-licence fetched"), MaterialStatus.E_LICENCE.value)
        elif not material.licence_no and licence_index >= 0:
            self.status.removeItem(licence_index)
        self.status.setCurrentIndex(self.status.findData(material.status.value))
        self.count.setValue(material.count)
        self.note.setText(material.note)
        self.show_attachments(material)
        self._enable(material.status)
        self._material = material

    def set_saving(self, saving: bool) -> None:
        """A scan of this material is being saved (read, checked, encrypted, written): say so, and take no
        second one meanwhile; the rest of the form stays usable."""
        self._saving = max(0, self._saving + (1 if saving else -1))
        busy = self._saving > 0
        self.attach.setEnabled(not busy and self.status.currentData() != MaterialStatus.E_LICENCE.value)
        self.scan.setEnabled(self.attach.isEnabled())
        if busy:
            self.show_error(None)
            self.attachments.setText(self.tr("Saving scan…"))
            self.attachments.setVisible(True)
        elif self._material is not None:
            self.show_attachments(self._material)

    def reset_saving(self, material: MaterialInput | None) -> None:
        """Nothing of this row is being saved (a new draft was loaded into reused rows)."""
        if self._saving:
            self._saving = 1
            self.set_saving(False)
            if material is not None:
                self.show_attachments(material)

    @property
    def saving(self) -> bool:
        return self._saving > 0

    def show_attachments(self, material: MaterialInput) -> None:
        if self._saving:
            return  # the saving line stays until the scan is saved
        if material.status is MaterialStatus.E_LICENCE:
            self.attachments.setText(
                self.tr("E-licence fetched: {number} (no paper, no scan)").format(number=material.licence_no)
            )
            self.attachments.setVisible(True)
            return
        names = [f"{a.filename}（{max(1, a.size // 1024)} KB）" for a in material.attachments]
        self.attachments.setText(self.tr("Scans: {names}").format(names="；".join(names)) if names else "")
        self.attachments.setVisible(bool(names))

    def show_error(self, message: str | None) -> None:
        self.error.setText(message or "")
        self.error.setVisible(bool(message))

    def _enable(self, status: MaterialStatus) -> None:
        received = status in (MaterialStatus.ORIGINAL, MaterialStatus.COPY)
        self.count.setEnabled(received)
        self.note.setEnabled(status is MaterialStatus.MISSING)
        paperless = status is MaterialStatus.E_LICENCE
        self.attach.setEnabled(not paperless and not self._saving)
        self.scan.setEnabled(not paperless and not self._saving)

    @Slot(int)
    def _on_status(self, _index: int) -> None:
        status = MaterialStatus(self.status.currentData())
        self._enable(status)
        if self._material is None:
            return
        self._material.status = status
        self.show_attachments(self._material)
        if status in (MaterialStatus.ORIGINAL, MaterialStatus.COPY) and self.count.value() == 0:
            self.count.setValue(self.default_count)  # updates the material through _on_count
        self.show_error(None)
        self.changed.emit()

    @Slot(int)
    def _on_count(self, value: int) -> None:
        if self._material is not None:
            self._material.count = value
            self.changed.emit()

    @Slot(str)
    def _on_note(self, text: str) -> None:
        if self._material is not None:
            self._material.note = text
            self.changed.emit()


class MaterialsPanel(QWidget):
    """Signals:
    changed(): a material changed (autosave).
    answers_changed(): a 情形 answer changed (which conditional materials apply must be recomputed).
    attach_file(str, str): material code and the file path the clerk chose.
    scan_requested(str): material code.
    licences_requested(bool): 调取电子证照 pressed; whether the applicant's consent is ticked.
    """

    changed = Signal()
    answers_changed = Signal()
    attach_file = Signal(str, str)
    scan_requested = Signal(str)
    licences_requested = Signal(bool)  # the applicant's consent as ticked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("materials_panel")
        self._draft: IntakeDraft | None = None
        self._built_for = ""
        self._consent_for = ""
        self.rows: dict[str, MaterialRow] = {}
        self.questions: dict[str, QComboBox] = {}
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("Materials"), self)
        title.setProperty("role", "section")
        self.message = QLabel(self)
        self.message.setObjectName("attach_message")
        self.message.setProperty("role", "error")
        self.message.setWordWrap(True)
        self.message.hide()
        self.question_form = QFormLayout()
        self.rows_box = QVBoxLayout()
        self.licence_box = QWidget(self)
        self.licence_box.setObjectName("licence_box")
        licence_row = QGridLayout(self.licence_box)
        licence_row.setContentsMargins(0, 0, 0, 0)
        self.licence_consent = QCheckBox(self.tr("Applicant consents to fetching e-licences"), self.licence_box)
        self.licence_consent.setObjectName("licence_consent")
        self.licence_fetch = QPushButton(self.tr("Fetch e-licences"), self.licence_box)
        self.licence_fetch.setObjectName("licence_fetch")
        self.licence_message = QLabel(self.licence_box)
        self.licence_message.setObjectName("licence_message")
        self.licence_message.setProperty("role", "hint")
        self.licence_message.setWordWrap(True)
        licence_row.addWidget(self.licence_consent, 0, 0)
        licence_row.addWidget(self.licence_fetch, 0, 1)
        licence_row.addWidget(self.licence_message, 1, 0, 1, 2)
        licence_row.setColumnStretch(0, 1)
        self.licence_box.hide()
        self.licence_fetch.clicked.connect(lambda: self.licences_requested.emit(self.licence_consent.isChecked()))
        layout.addWidget(title)
        layout.addWidget(self.licence_box)
        layout.addLayout(self.question_form)
        layout.addLayout(self.rows_box)
        layout.addWidget(self.message)

    def build(self, item: ServiceItem) -> None:
        """Rows for the item's checklist and combo boxes for its 情形 questions (the agent one follows the form).

        The rows of the item built last are reused (the next case is often the same item).
        """
        if item.code == self._built_for:
            return
        self._built_for = item.code
        self.licence_box.setVisible(any(req.licence_type for req in item.materials))
        for row in self.rows.values():
            row.setParent(None)
            row.deleteLater()
        for box in self.questions.values():
            self.question_form.removeRow(box)
        self.rows.clear()
        self.questions.clear()
        for q in item.questions:
            if q.id == "agent":
                continue
            box = QComboBox(self)
            box.setObjectName(f"question_{q.id}")
            box.setAccessibleName(q.text)
            box.addItems(list(q.options))
            box.currentTextChanged.connect(lambda text, qid=q.id: self._on_answer(qid, text))
            self.question_form.addRow(q.text, box)
            self.questions[q.id] = box
        for req in item.materials:
            row = MaterialRow(req, self)
            row.changed.connect(self.changed)
            row.attach_file_requested.connect(self._choose_file)
            row.scan_requested.connect(self.scan_requested)
            self.rows_box.addWidget(row)
            row.show()  # added to a shown panel: show now, not on the next event loop pass
            self.rows[req.code] = row

    def load(self, draft: IntakeDraft) -> None:
        self._draft = None
        for qid, box in self.questions.items():
            if qid in draft.answers:
                box.setCurrentText(draft.answers[qid])
        for m in draft.materials:
            if m.code in self.rows:
                self.rows[m.code].load(m)
        self.message.hide()
        if self._consent_for != draft.draft_id:
            self._consent_for = draft.draft_id
            self.licence_consent.setChecked(False)  # consent is given per case, never carried over
            self.show_licence_message("")
        self._draft = draft

    def show_licence_message(self, text: str) -> None:
        self.licence_message.setText(text)
        self.licence_message.setVisible(bool(text))

    def show_message(self, text: str) -> None:
        self.message.setText(text)
        self.message.setVisible(bool(text))

    def _on_answer(self, qid: str, text: str) -> None:
        if self._draft is not None:
            self._draft.answers[qid] = text
            self.answers_changed.emit()

    def file_dialog(self) -> QFileDialog:
        """The dialog the 文件… button opens (the AT-SPI check opens it too)."""
        return file_dialog(
            self, self.tr("Attach a scan"), str(Path.home()), self.tr("Scans (*.pdf *.jpg *.jpeg *.png);;All files (*)")
        )

    @Slot(str)
    def _choose_file(self, code: str) -> None:
        path = ask_file(self.file_dialog())
        if path:
            self.attach_file.emit(code, path)
