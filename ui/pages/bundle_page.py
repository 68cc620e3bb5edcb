"""一件事一次办 at the counter (issue 17): choose a bundle, enter the applicant once, answer each question once, mark
each shared document once and each member's own documents, then take in every member at once: one case per member
department (own number, time limit, routing), one receipt listing them all, one rating for the whole matter.

The intake logic is the scripted intake's (`app.services.intake_cli.take_in_bundle`): the page builds the same
record a script would, so the counter and `tongban intake` refuse and store alike.

Scans (文件… / 扫描 on each document's row) are saved by the intake service's scan worker, as on the item form, onto
a draft this page holds (`IntakeService.hold`: never autosaved); a shared document's scan goes onto every member
case that receives that document.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QTimer, Signal, Slot
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from app.domain.case_number import format_grouped
from app.domain.models import Bundle, MaterialStatus
from app.domain.scenarios import chosen_members, effective_answers, material_applies
from app.services.attachments import AttachmentError
from app.services.errors import UserFacingError
from app.services.intake_cli import RecordOutcome, take_in_bundle
from app.services.intake_form import AgentInput, IntakeDraft, MaterialInput, agent_answer, draft_to_json
from app.services.receipts import pdf_dir_for, print_bundle_receipt
from app.services.scan_jobs import AttachOutcome
from app.services.terminal import Terminal
from ui.pages.applicant_form import ApplicantForm
from ui.widgets.accessible import ask_file, file_dialog

_STATUSES = (
    (MaterialStatus.MISSING, "缺"),
    (MaterialStatus.ORIGINAL, "收原件"),
    (MaterialStatus.COPY, "收复印件"),
)


class BundlePage(QWidget):
    """Signals:
    closed(): back to the item list.
    """

    closed = Signal()

    def __init__(  # noqa: PLR0915 - builds the widget tree
        self, terminal: Terminal, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("bundle_page")
        self._terminal = terminal
        self.bundle: Bundle | None = None
        self.outcome: RecordOutcome | None = None
        self.carrier = IntakeDraft(item_code="")  # the applicant and agent, entered once for every member
        outer = QVBoxLayout(self)
        top = QHBoxLayout()
        self.chooser = QComboBox(self)
        self.chooser.setObjectName("bundle_chooser")
        self.chooser.setAccessibleName(self.tr("One-stop bundle (一件事)"))
        for bundle in terminal.catalogue.catalogue.bundles:
            self.chooser.addItem(bundle.name, bundle.code)
        self.chooser.currentIndexChanged.connect(self._on_bundle)
        top.addWidget(QLabel(self.tr("One-stop bundle (一件事)"), self))
        top.addWidget(self.chooser, 1)
        outer.addLayout(top)
        self.members_label = QLabel(self)
        self.members_label.setObjectName("bundle_members")
        self.members_label.setWordWrap(True)
        outer.addWidget(self.members_label)
        scroll = QScrollArea(self)
        scroll.setWidgetResizable(True)
        body = QWidget(scroll)
        self.body_layout = QVBoxLayout(body)
        self.applicant = ApplicantForm(self._check_field, body)
        self.applicant.changed.connect(self._on_applicant)
        self.body_layout.addWidget(self.applicant)
        self.questions_box = QFormLayout()
        self.body_layout.addLayout(self.questions_box)
        self.materials_box = QFormLayout()
        self.body_layout.addLayout(self.materials_box)
        self.delivery = QComboBox(body)
        self.delivery.setObjectName("bundle_delivery")
        self.delivery.setAccessibleName(self.tr("How the result returns"))
        self.body_layout.addWidget(self.delivery)
        self.body_layout.addStretch(1)
        scroll.setWidget(body)
        outer.addWidget(scroll, 1)
        self.message = QLabel(self)
        self.message.setObjectName("bundle_message")
        self.message.setWordWrap(True)
        outer.addWidget(self.message)
        buttons = QHBoxLayout()
        self.submit_button = QPushButton(self.tr("Take in once (every member item)"), self)
        self.submit_button.setObjectName("bundle_submit")
        self.submit_button.clicked.connect(self.submit)
        self.print_button = QPushButton(self.tr("Print the bundle's receipt"), self)
        self.print_button.setObjectName("bundle_print")
        self.print_button.clicked.connect(self.print_receipt)
        self.rate_button = QPushButton(self.tr("Ask the applicant to rate (one rating for the bundle)"), self)
        self.rate_button.setObjectName("bundle_rate")
        self.rate_button.clicked.connect(self.ask_rating)
        self.close_button = QPushButton(self.tr("Back to the item list"), self)
        self.close_button.setObjectName("bundle_close")
        self.close_button.clicked.connect(self.closed)
        for button in (self.submit_button, self.print_button, self.rate_button, self.close_button):
            buttons.addWidget(button)
        outer.addLayout(buttons)
        self.question_boxes: dict[str, QComboBox] = {}
        self.material_boxes: dict[str, QComboBox] = {}  # "S01" or "<item code>/<material code>"
        self._carried: dict[str, str] = {}  # the guide's answers while `start` builds the questions
        # The scans of this bundle: one material per document row ("S01" or "<item code>/<material code>").
        self.scans = IntakeDraft(item_code="")
        self.scan_labels: dict[str, QLabel] = {}
        self.scan_buttons: dict[str, tuple[QPushButton, QPushButton]] = {}  # (文件…, 扫描) per row
        self._scan_target = ""
        terminal.intake.attach_finished.connect(self._on_attach_finished)
        terminal.devices.page_scanned.connect(self._on_page)
        terminal.devices.scan_failed.connect(self._on_scan_failed)

    def _check_field(self, path: str, value: str) -> str | None:
        return self._terminal.intake.check_field(path=path, value=value)

    # --- building --------------------------------------------------------------------------------------------

    def start(self, code: str | None = None, *, answers: dict[str, str] | None = None) -> None:
        """A fresh bundle intake (the first bundle, or `code`); `answers` from the 向导式 guide fill its questions
        (the guide's 本人/代办 answer sets the agent switch)."""
        self.carrier = IntakeDraft(item_code="")
        self._terminal.intake.release(self.scans)
        self.scans = IntakeDraft(item_code="")
        self._terminal.intake.hold(self.scans)
        self.material_boxes = {}  # the new bundle's rows start from nothing
        if answers and answers.get("agent", "本人办理") != "本人办理":
            self.carrier.agent = AgentInput()
        self.applicant.load(self.carrier)
        self.outcome = None
        self.message.clear()
        self._carried = dict(answers or {})
        _clear(self.questions_box)
        self.question_boxes = {}
        index = self.chooser.findData(code) if code else 0
        self.chooser.blockSignals(True)  # one rebuild below, with the carried answers
        self.chooser.setCurrentIndex(max(index, 0))
        self.chooser.blockSignals(False)
        self._on_bundle()
        self._carried = {}

    @Slot()
    def _on_bundle(self) -> None:
        catalogue = self._terminal.catalogue.catalogue
        self.bundle = catalogue.bundle(str(self.chooser.currentData()))
        self._rebuild_questions()

    def _answers(self) -> dict[str, str]:
        return {qid: box.currentText() for qid, box in self.question_boxes.items()}

    def _rebuild_questions(self) -> None:
        kept = {**self._carried, **self._answers()}
        _clear(self.questions_box)
        self.question_boxes = {}
        bundle = self.bundle
        if bundle is None:
            return
        questions = list(bundle.questions)
        for member in chosen_members(bundle, kept):
            item = self._terminal.catalogue.get(member.item_code)
            for q in item.questions if item else ():
                if q.id != "agent" and all(q.id != other.id for other in questions):
                    questions.append(q)
        for q in questions:
            box = QComboBox(self)
            box.setObjectName(f"bundle_q_{q.id}")
            box.setAccessibleName(q.text)
            box.addItems(list(q.options))
            if kept.get(q.id) in q.options:
                box.setCurrentText(kept[q.id])
            box.currentIndexChanged.connect(self._on_answer)
            self.questions_box.addRow(q.text, box)
            self.question_boxes[q.id] = box
        self._rebuild_materials()

    @Slot()
    def _on_answer(self) -> None:
        # A bundle question may add or drop members (and their questions). Rebuilt after this signal returns: the
        # combo box that sent it is one of the rows rebuilt.
        QTimer.singleShot(0, self._rebuild_questions)

    @Slot()
    def _on_applicant(self) -> None:
        if self.bundle is not None:
            self._rebuild_materials()  # the agent switch brings or drops the agent's papers

    def _rebuild_materials(self) -> None:
        kept = {k: box.currentData() for k, box in self.material_boxes.items()}
        _clear(self.materials_box)
        self.material_boxes = {}
        self.scan_labels = {}
        self.scan_buttons = {}
        bundle = self.bundle
        assert bundle is not None
        answers = self._answers()
        chosen = chosen_members(bundle, answers)
        names = []
        covered: set[tuple[str, str]] = set()
        chosen_codes = {m.item_code for m in chosen}
        for shared in bundle.shared_materials:
            if any(item in chosen_codes for item, _ in shared.covers):
                self._material_row(shared.code, f"【共享】{shared.name}", kept)
                covered |= set(shared.covers)
        methods: set[str] | None = None
        for member in chosen:
            item = self._terminal.catalogue.get(member.item_code)
            if item is None:
                continue
            names.append(f"{item.name}（{item.department}）")
            allowed = {d.value for d in item.delivery_methods}
            methods = allowed if methods is None else methods & allowed
            # The agent switch answers 本人/代办 in the member's own words (本人办理/委托代理人 for some items).
            agent = agent_answer(item, self.carrier.agent is not None)
            effective = effective_answers(item, {**answers, **({"agent": agent} if agent else {})})
            for req in item.materials:
                if (item.code, req.code) in covered or material_applies(req, effective) is False:
                    continue
                self._material_row(f"{item.code}/{req.code}", f"{item.name} · {req.name}", kept)
        # Scans follow their row: a row that went (an answer dropped a member) takes its scans with it.
        scans = {m.code: m for m in self.scans.materials}
        self.scans.materials = [scans.get(key) or MaterialInput(code=key) for key in self.material_boxes]
        for key in self.material_boxes:
            self._show_scans(key)
        self._show_attaching()
        self.members_label.setText(self.tr("Items taken in this time ({n}): ").format(n=len(names)) + "；".join(names))
        self.delivery.clear()
        labels = {"window_pickup": "窗口领取", "e_licence": "电子证照"}
        for value, label in labels.items():
            if methods and value in methods:
                self.delivery.addItem(label, value)

    def _material_row(self, key: str, label: str, kept: dict[str, object]) -> None:
        name = key.replace("/", "_")
        row = QWidget(self)
        line = QHBoxLayout(row)
        line.setContentsMargins(0, 0, 0, 0)
        box = QComboBox(row)
        box.setObjectName(f"bundle_m_{name}")
        box.setAccessibleName(label)
        for status, text in _STATUSES:
            box.addItem(text, status.value)
        if kept.get(key) is not None:
            box.setCurrentIndex(max(box.findData(kept[key]), 0))
        attach = QPushButton(self.tr("File…"), row)
        attach.setObjectName(f"bundle_attach_{name}")
        attach.setAccessibleName(self.tr("Attach a scan of {name} from a file").format(name=label))
        attach.clicked.connect(lambda _=False, k=key: self._choose_file(k))
        scan = QPushButton(self.tr("Scan"), row)
        scan.setObjectName(f"bundle_scan_{name}")
        scan.setAccessibleName(self.tr("Scan {name} with the document camera").format(name=label))
        scan.clicked.connect(lambda _=False, k=key: self.scan(k))
        shown = QLabel(row)
        shown.setObjectName(f"bundle_scans_{name}")
        shown.setProperty("role", "hint")
        shown.setWordWrap(True)
        line.addWidget(box)
        line.addWidget(attach)
        line.addWidget(scan)
        line.addWidget(shown, 1)
        self.materials_box.addRow(label, row)
        self.material_boxes[key] = box
        self.scan_labels[key] = shown
        self.scan_buttons[key] = (attach, scan)

    # --- scans -----------------------------------------------------------------------------------------------

    def _choose_file(self, key: str) -> None:
        dialog = file_dialog(
            self, self.tr("Attach a scan"), str(Path.home()), self.tr("Scans (*.pdf *.jpg *.jpeg *.png);;All files (*)")
        )
        path = ask_file(dialog)
        if path:
            self.attach_file(key, Path(path))

    def attach_file(self, key: str, path: Path) -> None:
        """Attach a file to a document row (the file dialog's result; tests call it directly): saved on the intake
        service's scan worker; the row says so until `attach_finished` comes."""
        self._attach(
            key, lambda: self._terminal.intake.start_attach_file(draft=self.scans, material_code=key, path=path)
        )

    def scan(self, key: str) -> None:
        """Scan a page with the document camera for a document row."""
        if self._terminal.devices.scan_page():  # a scan already running keeps its own target
            self._scan_target = key

    @Slot(bytes, str)
    def _on_page(self, data: bytes, filename: str) -> None:
        key, self._scan_target = self._scan_target, ""  # one page per request (the item form shares the camera)
        if not key or key not in self.material_boxes or self.outcome is not None:
            return  # the item form's page, or a row that is gone
        self._attach(
            key,
            lambda: self._terminal.intake.start_attach_scan(
                draft=self.scans, material_code=key, data=data, filename=filename
            ),
        )

    @Slot(str)
    def _on_scan_failed(self, message: str) -> None:
        if self._scan_target:
            self._row_text(self._scan_target, message)
            self._scan_target = ""

    def _attach(self, key: str, start: object) -> None:
        if not callable(start) or self.outcome is not None:
            return
        try:
            start()
        except (AttachmentError, UserFacingError) as exc:
            self._row_text(key, exc.message)
            return
        self._row_text(key, self.tr("Saving scan…"))
        for button in self.scan_buttons.get(key, ()):
            button.setEnabled(False)
        self._show_attaching()

    @Slot(object)
    def _on_attach_finished(self, outcome: object) -> None:
        if not isinstance(outcome, AttachOutcome) or outcome.draft_id != self.scans.draft_id:
            return
        for button in self.scan_buttons.get(outcome.material_code, ()):
            button.setEnabled(True)
        self._show_scans(outcome.material_code)
        if outcome.message:
            self._row_text(outcome.material_code, outcome.message)
        self._show_attaching()

    def _show_scans(self, key: str) -> None:
        material = self.scans.material(key)
        names = [f"{a.filename}（{max(1, a.size // 1024)} KB）" for a in material.attachments] if material else []
        self._row_text(key, self.tr("Scans: {names}").format(names="；".join(names)) if names else "")

    def _row_text(self, key: str, text: str) -> None:
        label = self.scan_labels.get(key)
        if label is not None:
            label.setText(text)

    def _show_attaching(self) -> None:
        """一次收件 waits while a scan is being saved (it must be on the member cases)."""
        attaching = self._terminal.intake.attaching(self.scans)
        self.submit_button.setEnabled(not attaching)
        self.submit_button.setToolTip(self.tr("Waiting for the scan to be saved") if attaching else "")

    # --- actions ---------------------------------------------------------------------------------------------

    def _record(self) -> dict[str, object]:
        bundle = self.bundle
        assert bundle is not None
        clerk = self._terminal.staff.clerk
        body = draft_to_json(self.carrier)
        answers = self._answers()
        bundle_ids = {q.id for q in bundle.questions}
        shared: list[dict[str, object]] = []
        members: dict[str, dict[str, list[dict[str, object]]]] = {}
        for key, box in self.material_boxes.items():
            status = str(box.currentData())
            entry: dict[str, object] = {"status": status, "count": 0 if status == "missing" else 1}
            scans = self.scans.material(key)
            if scans is not None and scans.attachments:
                entry["attachments"] = [
                    {"sha256": a.sha256, "filename": a.filename, "media_type": a.media_type, "size": a.size}
                    for a in scans.attachments
                ]
            if "/" in key:
                item_code, code = key.split("/", 1)
                members.setdefault(item_code, {"materials": []})["materials"].append({**entry, "code": code})
            else:
                shared.append({**entry, "code": key})
        return {
            "bundle_code": bundle.code,
            "staff_no": clerk.staff_no if clerk else "",
            "applicant": body["applicant"],
            "agent": body["agent"],
            "bundle_answers": {k: v for k, v in answers.items() if k in bundle_ids},
            "answers": {k: v for k, v in answers.items() if k not in bundle_ids},
            "shared_materials": shared,
            "members": members,
            "delivery": {"method": str(self.delivery.currentData() or "window_pickup")},
        }

    @Slot()
    def submit(self) -> None:
        if self.bundle is None or self.outcome is not None:
            return
        try:
            outcome = take_in_bundle(
                self._record(),
                store=self._terminal.store,
                service=self._terminal.intake,
                catalogue=self._terminal.catalogue,
            )
        except UserFacingError as exc:
            self.message.setText(exc.message)
            return
        if not outcome.case_no:
            self.message.setText("\n".join(f"{e.label}：{e.message}" for e in outcome.errors))
            return
        self.outcome = outcome
        self._terminal.intake.release(self.scans)  # on the member cases now
        for buttons in self.scan_buttons.values():
            for button in buttons:
                button.setEnabled(False)
        lines = [
            self.tr("Received: {name}, bundle case number {number}").format(
                name=outcome.bundle_name, number=format_grouped(outcome.parent_case_no)
            )
        ]
        lines += [f"{name}：{format_grouped(number)}" for _code, name, number in outcome.members]
        self.message.setText("\n".join(lines))

    @Slot()
    def print_receipt(self) -> None:
        if self.outcome is None:
            return
        config = self._terminal.config
        try:
            where = print_bundle_receipt(
                self.outcome.members[0][2],
                config=config,
                store=self._terminal.store,
                catalogue=self._terminal.catalogue,
                pdf_dir=pdf_dir_for(config, self._terminal.paths),
            )
        except UserFacingError as exc:
            self.message.setText(exc.message)
            return
        self.message.setText(self.message.text() + "\n" + self.tr("Receipt output ({where})").format(where=where))

    @Slot()
    def ask_rating(self) -> None:
        """一事一评: one rating request for the whole bundle (rated under the bundle's own number)."""
        clerk = self._terminal.staff.clerk
        if self.outcome is None or clerk is None:
            return
        code, _name, number = self.outcome.members[0]
        try:
            self._terminal.ratings.request_rating(
                case_no=number, item_code=code, staff_no=clerk.staff_no, initiator=self
            )
        except UserFacingError as exc:
            self.message.setText(exc.message)


def _clear(layout: QFormLayout) -> None:
    while layout.rowCount():
        layout.removeRow(0)
