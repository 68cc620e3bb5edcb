"""Applicant (person or enterprise) and optional agent (代办人), checked field by field as focus leaves."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from app.domain.models import ApplicantKind
from app.services.devices import IdCardData
from app.services.intake_form import AgentInput, IntakeDraft
from ui.widgets.field import Checker, ValidatedField


class ApplicantForm(QWidget):
    """Signals:
    changed(): a field, the applicant kind or the agent switch changed (the draft was updated).
    read_card_requested(str): "applicant" or "agent" — the clerk asked for an ID card read.
    """

    changed = Signal()
    read_card_requested = Signal(str)

    def __init__(  # noqa: PLR0915 - builds the widget tree
        self, checker: Checker, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("applicant_form")
        self._draft: IntakeDraft | None = None
        self._card_target = "applicant"
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("Applicant"), self)
        title.setProperty("role", "section")
        kind_row = QHBoxLayout()
        self.person = QRadioButton(self.tr("Person"), self)
        self.person.setObjectName("kind_person")
        self.enterprise = QRadioButton(self.tr("Enterprise"), self)
        self.enterprise.setObjectName("kind_enterprise")
        self.person.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.person)
        group.addButton(self.enterprise)
        self.read_card = QPushButton(self.tr("Read ID card (F5)"), self)
        self.read_card.setObjectName("read_card")
        self.read_card.setAccessibleName(self.tr("Read the applicant's ID card"))
        kind_row.addWidget(self.person)
        kind_row.addWidget(self.enterprise)
        kind_row.addStretch(1)
        kind_row.addWidget(self.read_card)
        self.card_message = QLabel(self)
        self.card_message.setObjectName("card_message")
        self.card_message.setProperty("role", "error")
        self.card_message.hide()

        def field(path: str, label: str, limit: int = 60) -> ValidatedField:
            f = ValidatedField(path, label, checker, max_length=limit, parent=self)
            f.edited.connect(self._on_edited)
            return f

        self.fields: dict[str, ValidatedField] = {
            "applicant.name": field("applicant.name", self.tr("Name")),
            "applicant.id_number": field("applicant.id_number", self.tr("ID number"), 30),
            "applicant.phone": field("applicant.phone", self.tr("Phone"), 30),
            "applicant.enterprise_name": field("applicant.enterprise_name", self.tr("Enterprise name"), 120),
            "applicant.credit_code": field("applicant.credit_code", self.tr("Unified social credit code"), 30),
            "applicant.legal_representative": field("applicant.legal_representative", self.tr("Legal representative")),
            "applicant.contact_name": field("applicant.contact_name", self.tr("Contact person")),
            "applicant.contact_phone": field("applicant.contact_phone", self.tr("Contact phone"), 30),
            "applicant.address": field("applicant.address", self.tr("Address (optional)"), 220),
        }
        # Person and enterprise fields in their own boxes, so hiding one kind leaves no holes in the grid.
        self.person_box = QWidget(self)
        self.enterprise_box = QWidget(self)
        for box, paths in (
            (self.person_box, ("applicant.name", "applicant.id_number", "applicant.phone")),
            (
                self.enterprise_box,
                (
                    "applicant.enterprise_name",
                    "applicant.credit_code",
                    "applicant.legal_representative",
                    "applicant.contact_name",
                    "applicant.contact_phone",
                ),
            ),
        ):
            grid = QGridLayout(box)
            grid.setContentsMargins(0, 0, 0, 0)
            for i, path in enumerate(paths):
                self.fields[path].setParent(box)
                grid.addWidget(self.fields[path], i // 2, i % 2)
        self.grid = QGridLayout()
        self.grid.addWidget(self.person_box, 0, 0, 1, 2)
        self.grid.addWidget(self.enterprise_box, 1, 0, 1, 2)
        self.grid.addWidget(self.fields["applicant.address"], 2, 0)
        self.has_agent = QCheckBox(self.tr("Applying through an agent (代办)"), self)
        self.has_agent.setObjectName("has_agent")
        self.agent_box = QWidget(self)
        agent_layout = QGridLayout(self.agent_box)
        agent_layout.setContentsMargins(0, 0, 0, 0)
        self.agent_fields = {
            "agent.name": field("agent.name", self.tr("Agent's name")),
            "agent.id_number": field("agent.id_number", self.tr("Agent's ID number"), 30),
            "agent.phone": field("agent.phone", self.tr("Agent's phone"), 30),
        }
        for i, f in enumerate(self.agent_fields.values()):
            f.setParent(self.agent_box)
            agent_layout.addWidget(f, 0, i)
        self.read_agent_card = QPushButton(self.tr("Read agent's ID card"), self.agent_box)
        self.read_agent_card.setObjectName("read_agent_card")
        self.read_agent_card.setAccessibleName(self.tr("Read the agent's ID card"))
        agent_layout.addWidget(self.read_agent_card, 1, 0)
        self.agent_box.hide()
        layout.addWidget(title)
        layout.addLayout(kind_row)
        layout.addWidget(self.card_message)
        layout.addLayout(self.grid)
        layout.addWidget(self.has_agent)
        layout.addWidget(self.agent_box)
        self.person.toggled.connect(self._on_kind)
        self.has_agent.toggled.connect(self._on_agent)
        self.read_card.clicked.connect(lambda: self.read_card_requested.emit("applicant"))
        self.read_agent_card.clicked.connect(lambda: self.read_card_requested.emit("agent"))
        self._show_kind(ApplicantKind.PERSON)

    # --- binding -------------------------------------------------------------------------------------------

    def load(self, draft: IntakeDraft) -> None:
        self._draft = None  # no change signals while loading
        a = draft.applicant
        self.person.setChecked(a.kind is ApplicantKind.PERSON)
        self.enterprise.setChecked(a.kind is ApplicantKind.ENTERPRISE)
        person = a.kind is ApplicantKind.PERSON
        values = {
            # One name in the draft: it belongs to the kind chosen. The other kind's field starts empty, so that
            # switching to 企业 never carries the person's name into 企业名称 (issue 11), or back.
            "applicant.name": a.name if person else "",
            "applicant.enterprise_name": "" if person else a.name,
            "applicant.id_number": a.id_number,
            "applicant.phone": a.phone,
            "applicant.credit_code": a.credit_code,
            "applicant.legal_representative": a.legal_representative,
            "applicant.contact_name": a.contact_name,
            "applicant.contact_phone": a.contact_phone,
            "applicant.address": a.address,
        }
        for path, value in values.items():
            self.fields[path].set_text(value)
        self.has_agent.setChecked(draft.agent is not None)
        agent = draft.agent or AgentInput()
        for path, value in {
            "agent.name": agent.name,
            "agent.id_number": agent.id_number,
            "agent.phone": agent.phone,
        }.items():
            self.agent_fields[path].set_text(value)
        self.card_message.hide()
        self._show_kind(a.kind)
        self._draft = draft

    def field(self, path: str) -> ValidatedField | None:
        return self.fields.get(path) or self.agent_fields.get(path)

    def fill_from_card(self, target: str, card: IdCardData) -> None:
        """A card read fills the person's (or the agent's) name, ID number and address."""
        self.card_message.hide()
        if target == "agent":
            self.has_agent.setChecked(True)
            pairs = {"agent.name": card.name, "agent.id_number": card.id_number}
        else:
            self.person.setChecked(True)
            pairs = {
                "applicant.name": card.name,
                "applicant.id_number": card.id_number,
                "applicant.address": card.address,
            }
        for path, value in pairs.items():
            f = self.field(path)
            assert f is not None
            f.set_text(value)
            f.check()
            self._on_edited(path, value)
        next_field = self.field("agent.phone" if target == "agent" else "applicant.phone")
        if next_field is not None:
            next_field.edit.setFocus()

    def show_card_error(self, message: str) -> None:
        self.card_message.setText(message)
        self.card_message.show()

    # --- changes -------------------------------------------------------------------------------------------

    @Slot(str, str)
    def _on_edited(self, path: str, text: str) -> None:
        draft = self._draft
        if draft is None:
            return
        a = draft.applicant
        if path.startswith("agent."):
            if draft.agent is None:
                draft.agent = AgentInput()
            setattr(draft.agent, path.split(".", 1)[1], text)
        elif path == "applicant.enterprise_name":
            a.name = text
        else:
            setattr(a, path.split(".", 1)[1], text)
        self.changed.emit()

    @Slot(bool)
    def _on_kind(self, person: bool) -> None:
        kind = ApplicantKind.PERSON if person else ApplicantKind.ENTERPRISE
        self._show_kind(kind)
        if self._draft is not None and self._draft.applicant.kind is not kind:
            self._draft.applicant.kind = kind
            self._draft.applicant.name = self.fields["applicant.name" if person else "applicant.enterprise_name"].text()
            self.changed.emit()

    def _show_kind(self, kind: ApplicantKind) -> None:
        person = kind is ApplicantKind.PERSON
        self.person_box.setVisible(person)
        self.enterprise_box.setVisible(not person)
        self.read_card.setEnabled(person)

    @Slot(bool)
    def _on_agent(self, on: bool) -> None:
        self.agent_box.setVisible(on)
        if self._draft is None:
            return
        if on and self._draft.agent is None:
            self._draft.agent = AgentInput(*(f.text() for f in self.agent_fields.values()))
        elif not on:
            self._draft.agent = None
        self.changed.emit()
