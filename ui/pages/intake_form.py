"""The case form: applicant and agent, materials, routing and delivery, the decision, submit.

Owns the draft being worked on; every change goes to `IntakeService.autosave` (debounced). Submit is refused
with the fields listed and focus on the first one to fix.
"""

from __future__ import annotations

import itertools
from pathlib import Path

from PySide6.QtCore import Qt, Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.config import Config
from app.domain.models import ApplicantKind, Case, MaterialStatus
from app.services.attachments import AttachmentError
from app.services.devices import DeviceService, IdCardData
from app.services.errors import UserFacingError
from app.services.intake import Decision, IntakeService, SubmitRefusedError
from app.services.intake_form import FieldError, IntakeDraft, applies
from app.services.licences import LicenceLookup, LicenceService
from app.services.licences import apply as apply_licences
from app.services.scan_jobs import AttachOutcome
from app.services.staff import StaffService
from ui.pages.applicant_form import ApplicantForm
from ui.pages.delivery_panel import DeliveryPanel
from ui.pages.materials_panel import MaterialsPanel


class IntakeFormPage(QWidget):
    """Signals:
    submitted(object): the committed `Case`.
    """

    submitted = Signal(object)

    def __init__(  # noqa: PLR0915 - builds the widget tree
        self,
        *,
        intake: IntakeService,
        staff: StaffService,
        devices: DeviceService,
        config: Config,
        licences: LicenceService | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("intake_form_page")
        self._intake = intake
        self._staff = staff
        self._devices = devices
        self._config = config
        self._card_target = "applicant"
        self._card_id = ""  # the ID number on the applicant's card read for this form, if any
        self._licences = licences
        self._scan_target = ""
        self.draft: IntakeDraft | None = None
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.heading = QLabel(self)
        self.heading.setObjectName("form_heading")
        self.heading.setProperty("role", "section")
        self.banner = QLabel(self)
        self.banner.setObjectName("banner")
        self.banner.setWordWrap(True)
        self.banner.hide()
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        scroll.setAccessibleName(self.tr("Case form"))
        body = QWidget(scroll)
        layout = QVBoxLayout(body)
        checker = self._check_field
        self.applicant = ApplicantForm(checker, body)
        self.materials = MaterialsPanel(body)
        self.delivery = DeliveryPanel(checker, body)
        layout.addWidget(self.applicant)
        layout.addWidget(self.materials)
        layout.addWidget(self.delivery)
        layout.addWidget(self._decision_box(body))
        layout.addStretch(1)
        scroll.setWidget(body)
        self.scroll_area = scroll
        self.errors = QLabel(self)
        self.errors.setObjectName("submit_errors")
        self.errors.setProperty("role", "error")
        self.errors.setWordWrap(True)
        self.errors.hide()
        bar = QHBoxLayout()
        self.discard = QPushButton(self.tr("Discard draft"), self)
        self.discard.setObjectName("discard_draft")
        self.submit_button = QPushButton(self.tr("Submit (Ctrl+Enter)"), self)
        self.submit_button.setObjectName("primary")
        self.submit_button.setAccessibleName(self.tr("Submit the case"))
        bar.addWidget(self.discard)
        bar.addStretch(1)
        bar.addWidget(self.submit_button)
        outer.addWidget(self.heading)
        outer.addWidget(self.banner)
        outer.addWidget(scroll, 1)
        outer.addWidget(self.errors)
        outer.addLayout(bar)

        self.applicant.changed.connect(self._on_applicant_changed)
        self.applicant.read_card_requested.connect(self.read_card)
        self.materials.changed.connect(self._on_changed)
        self.materials.answers_changed.connect(self._on_answers)
        self.materials.attach_file.connect(self._on_attach_file)
        self.materials.scan_requested.connect(self._on_scan_requested)
        self.materials.licences_requested.connect(self.fetch_licences)
        if licences is not None:
            licences.lookup_done.connect(self._on_licences)
        self.delivery.changed.connect(self._on_changed)
        self.submit_button.clicked.connect(self.submit)
        devices.card_read.connect(self._on_card)
        devices.card_failed.connect(self.applicant.show_card_error)
        devices.page_scanned.connect(self._on_page)
        devices.scan_failed.connect(self._on_scan_failed)
        intake.draft_save_failed.connect(self._on_save_failed)
        intake.attach_finished.connect(self._on_attach_finished)

    def _decision_box(self, parent: QWidget) -> QWidget:
        box = QWidget(parent)
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("Decision"), box)
        title.setProperty("role", "section")
        self.missing = QLabel(box)
        self.missing.setObjectName("missing_summary")
        self.missing.setWordWrap(True)
        self.receive = QRadioButton(box)
        self.receive.setObjectName("decision_receive")
        self.refuse = QRadioButton(self.tr("Refuse (不予收件) with a reason"), box)
        self.refuse.setObjectName("decision_refuse")
        group = QButtonGroup(box)
        group.addButton(self.receive)
        group.addButton(self.refuse)
        self.receive.setChecked(True)
        self.reason = QLineEdit(box)
        self.reason.setObjectName("refusal_reason")
        self.reason.setAccessibleName(self.tr("Reason for refusing"))
        self.reason.setPlaceholderText(self.tr("Reason for refusing"))
        self.reason.setMaxLength(200)
        self.reason.setEnabled(False)
        self.refuse.toggled.connect(self.reason.setEnabled)
        self.reason.returnPressed.connect(self.submit)
        for w in (title, self.missing, self.receive, self.refuse, self.reason):
            layout.addWidget(w)
        return box

    # --- loading -------------------------------------------------------------------------------------------

    def load(self, draft: IntakeDraft, *, banner: str = "") -> None:
        item = self._intake.item(draft.item_code)
        if item is None:
            return
        self.draft = None
        self.heading.setText(f"{item.name}（{item.code}）")
        self.banner.setText(banner)
        self.banner.setVisible(bool(banner))
        self.materials.build(item)
        self.delivery.build(item, hall=self._config.hall_name, window=str(int(self._config.window)))
        self.applicant.load(draft)
        self.materials.load(draft)
        self.delivery.load(draft)
        self.receive.setChecked(True)
        self.reason.clear()
        self.errors.hide()
        self.draft = draft
        if not self._intake.attaching(draft):  # no row of this draft is being saved (rows are reused)
            for row in self.materials.rows.values():
                row.reset_saving(draft.material(row.code))
        self._show_attaching()
        self._update_missing()
        self._set_tab_order()
        first = self.applicant.field("applicant.name")
        if first is not None:
            first.edit.setFocus()

    def _set_tab_order(self) -> None:
        """Tab follows the form top to bottom (rows built later would otherwise come last); hidden ones are
        skipped by Qt."""
        a = self.applicant
        chain: list[QWidget] = [a.person, a.enterprise, a.read_card]
        chain += [f.edit for f in a.fields.values()]
        chain += [a.has_agent, *(f.edit for f in a.agent_fields.values()), a.read_agent_card]
        chain += list(self.materials.questions.values())
        for row in self.materials.rows.values():
            chain += [row.status, row.count, row.note, row.attach, row.scan]
        d = self.delivery
        chain += [d.originals, d.method, *(f.edit for f in d.fields.values())]
        chain += [self.receive, self.refuse, self.reason, self.submit_button, self.discard]
        for first, second in itertools.pairwise(chain):
            QWidget.setTabOrder(first, second)

    # --- changes -------------------------------------------------------------------------------------------

    def _check_field(self, path: str, value: str) -> str | None:
        return self._intake.check_field(path=path, value=value)

    @Slot()
    def _on_changed(self) -> None:
        if self.draft is not None:
            self._intake.autosave(draft=self.draft)
            self._update_missing()

    @Slot()
    def _on_applicant_changed(self) -> None:
        """The agent switch changes which materials apply (本人办理/代办)."""
        if self.draft is not None:
            self._intake.refresh(draft=self.draft)
            self.materials.load(self.draft)
            self._update_missing()

    @Slot()
    def _on_answers(self) -> None:
        if self.draft is not None:
            self._intake.refresh(draft=self.draft)
            self.materials.load(self.draft)
            self._update_missing()

    def _update_missing(self) -> None:
        draft = self.draft
        item = self._intake.item(draft.item_code) if draft else None
        if draft is None or item is None:
            return
        names = [
            req.name
            for req in item.materials
            if (m := draft.material(req.code)) is not None
            and m.status is MaterialStatus.MISSING
            and applies(req, draft.answers, item) is not False
        ]
        if names:
            self.missing.setText(self.tr("Missing: {names}").format(names="、".join(names)))
            self.receive.setText(self.tr("Receive with a one-time notice (一次性告知书) of what is missing"))
        else:
            self.missing.setText(self.tr("All required materials received."))
            self.receive.setText(self.tr("Receive (收件)"))

    # --- devices -------------------------------------------------------------------------------------------

    @Slot(str)
    def read_card(self, target: str = "applicant") -> None:
        self._card_target = target
        self._devices.read_id_card()

    @Slot(object)
    def _on_card(self, card: object) -> None:
        if isinstance(card, IdCardData) and self.draft is not None:
            self.applicant.fill_from_card(self._card_target, card)
            if self._card_target == "applicant":
                self._card_id = card.id_number.strip().upper()

    @Slot(bool)
    def fetch_licences(self, consent: bool) -> None:
        """调取电子证照: the service asks the platform off this thread; the answer arrives in `_on_licences`."""
        draft = self.draft
        item = self._intake.item(draft.item_code) if draft is not None else None
        if draft is None or item is None or self._licences is None:
            return
        clerk = self._staff.clerk
        person = draft.applicant.kind is ApplicantKind.PERSON
        # A person's consent needs their ID card read at this counter as well (the reader is the counter's).
        card_read = person and bool(self._card_id) and self._card_id == draft.applicant.id_number.strip().upper()
        if consent and person and not card_read:
            self.materials.show_licence_message(self.tr("Read the applicant's ID card first, then fetch again."))
            return
        asked = self._licences.lookup(
            draft=draft,
            item=item,
            staff_no=clerk.staff_no if clerk is not None else "",
            consent=consent,
            card_reader=person,
            card_read=card_read,
        )
        if asked:
            self.materials.licence_fetch.setEnabled(False)
            self.materials.show_licence_message(self.tr("Fetching e-licences… (collect paper meanwhile if needed)"))

    @Slot(object)
    def _on_licences(self, lookup: object) -> None:
        if not isinstance(lookup, LicenceLookup):
            return
        self.materials.licence_fetch.setEnabled(True)
        draft = self.draft
        if draft is None or lookup.draft_id != draft.draft_id:
            return  # an answer for a form that has moved on
        item = self._intake.item(draft.item_code)
        if item is None:
            return
        changed = apply_licences(draft, item, lookup)
        self.materials.show_licence_message(lookup.message_zh)
        if changed:
            self.materials.load(draft)
            self._intake.autosave(draft=draft)

    @Slot(str)
    def _on_scan_requested(self, code: str) -> None:
        if self._devices.scan_page():  # a scan already running keeps its own target
            self._scan_target = code

    @Slot(bytes, str)
    def _on_page(self, data: bytes, filename: str) -> None:
        code, self._scan_target = self._scan_target, ""  # one page per request (the 一件事 page shares the camera)
        if self.draft is None or not code:
            return
        self._attach(
            code,
            lambda d: self._intake.start_attach_scan(draft=d, material_code=code, data=data, filename=filename),
        )

    @Slot(str, str)
    def _on_attach_file(self, code: str, path: str) -> None:
        self.attach_file(code, Path(path))

    def attach_file(self, code: str, path: Path) -> None:
        """Attach a file to a material (the file dialog's result; tests call it directly). The scan is saved on
        the intake service's worker; the row says 正在保存扫描件… until `attach_finished` comes."""
        self._attach(code, lambda d: self._intake.start_attach_file(draft=d, material_code=code, path=path))

    def _attach(self, code: str, action: object) -> None:
        draft = self.draft
        if draft is None or not callable(action):
            return
        try:
            action(draft)
        except (AttachmentError, UserFacingError) as exc:
            self._row_message(code, exc.message)
            return
        row = self.materials.rows.get(code)
        if row is not None:
            row.set_saving(True)
        self._show_attaching()

    @Slot(object)
    def _on_attach_finished(self, outcome: object) -> None:
        if not isinstance(outcome, AttachOutcome):
            return
        draft = self.draft
        if draft is None or outcome.draft_id != draft.draft_id:
            self._show_attaching()
            return  # a form that has moved on (submitted, discarded, signed out)
        row = self.materials.rows.get(outcome.material_code)
        if row is not None and row.saving:
            row.set_saving(False)
        self._row_message(outcome.material_code, outcome.message or None)
        material = draft.material(outcome.material_code)
        if row is not None and material is not None:
            row.show_attachments(material)
        self._show_attaching()

    def _show_attaching(self) -> None:
        """Submit waits while a scan of this draft is being saved (it must be on the case)."""
        attaching = self.draft is not None and self._intake.attaching(self.draft)
        self.submit_button.setEnabled(not attaching)
        self.submit_button.setToolTip(self.tr("Waiting for the scan to be saved") if attaching else "")

    def _row_message(self, code: str, message: str | None) -> None:
        """A scan problem shows under the material it was for (the panel's line when the row is gone)."""
        row = self.materials.rows.get(code)
        if row is not None:
            row.show_error(message)
        else:
            self.materials.show_message(message or "")

    @Slot(str)
    def _on_scan_failed(self, message: str) -> None:
        if self._scan_target:  # this form's scan (not the 一件事 page's)
            self._row_message(self._scan_target, message)
            self._scan_target = ""

    @Slot(str)
    def _on_save_failed(self, message: str) -> None:
        self.banner.setText(self.tr("Draft not saved: {reason}").format(reason=message))
        self.banner.show()

    # --- submit --------------------------------------------------------------------------------------------

    @Slot()
    def submit(self) -> Case | None:
        draft = self.draft
        if draft is None:
            return None
        decision = Decision.REFUSE if self.refuse.isChecked() else Decision.RECEIVE
        try:
            result = self._intake.submit(
                draft=draft, staff_no=self._staff.staff_no, decision=decision, refusal_reason=self.reason.text()
            )
        except SubmitRefusedError as exc:
            self._show_errors(exc.errors)
            return None
        except UserFacingError as exc:
            self.errors.setText(self.tr("Not saved: {reason} Everything entered is kept.").format(reason=exc.message))
            self.errors.show()
            return None
        self.draft = None
        self.errors.hide()
        self.submitted.emit(result.case)
        return result.case

    def _show_errors(self, errors: list[FieldError]) -> None:
        lines = [f"{e.label}：{e.message}" for e in errors]
        self.errors.setText(self.tr("Please fix before submitting:") + "\n" + "\n".join(lines))
        self.errors.show()
        first_widget: QWidget | None = None
        for e in errors:
            widget: QWidget | None = None
            if e.path.startswith("materials."):
                row = self.materials.rows.get(e.path.split(".", 1)[1])
                if row is not None:
                    row.show_error(e.message)
                    widget = row.status
            elif e.path == "refusal_reason":
                widget = self.reason
            else:
                field = self.applicant.field(e.path) or self.delivery.fields.get(e.path)
                if field is not None:
                    field.show_error(e.message)
                    widget = field.edit
            if first_widget is None and widget is not None:
                first_widget = widget
        if first_widget is not None:
            self.scroll_area.ensureWidgetVisible(first_widget)
            first_widget.setFocus(Qt.FocusReason.OtherFocusReason)
