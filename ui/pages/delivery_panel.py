"""收受分离 routing and result delivery: how originals travel, how the result comes back (mail address checked)."""

from __future__ import annotations

from PySide6.QtCore import Signal, Slot
from PySide6.QtWidgets import QComboBox, QFormLayout, QGridLayout, QLabel, QVBoxLayout, QWidget

from app.domain.models import DeliveryMethod, OriginalsHandling, ServiceItem
from app.services.intake_form import IntakeDraft
from ui.widgets.field import Checker, ValidatedField
from ui.widgets.item_guide import DELIVERY_ZH


class DeliveryPanel(QWidget):
    """Signals:
    changed(): a routing or delivery value changed.
    """

    changed = Signal()

    def __init__(self, checker: Checker, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("delivery_panel")
        self._draft: IntakeDraft | None = None
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        title = QLabel(self.tr("Routing and result delivery"), self)
        title.setProperty("role", "section")
        self.routing = QLabel(self)
        self.routing.setObjectName("routing_summary")
        self.routing.setProperty("role", "hint")
        self.routing.setWordWrap(True)
        form = QFormLayout()
        self.originals = QComboBox(self)
        self.originals.setObjectName("originals")
        self.originals.setAccessibleName(self.tr("How originals travel"))
        self.originals.addItem(self.tr("Electronic only (originals returned)"), OriginalsHandling.ELECTRONIC_ONLY.value)
        self.originals.addItem(self.tr("Mail originals to the department"), OriginalsHandling.MAIL_ORIGINALS.value)
        self.method = QComboBox(self)
        self.method.setObjectName("delivery_method")
        self.method.setAccessibleName(self.tr("How the result returns"))
        form.addRow(self.tr("Originals"), self.originals)
        form.addRow(self.tr("Result"), self.method)
        self.fields = {
            path: ValidatedField(path, label, checker, max_length=limit, parent=self)
            for path, label, limit in (
                ("routing.tracking_no", self.tr("Tracking number (can be entered later)"), 40),
                ("delivery.address", self.tr("Mailing address"), 220),
                ("delivery.postcode", self.tr("Postcode"), 6),
                ("delivery.recipient_phone", self.tr("Recipient phone (default: applicant's)"), 30),
            )
        }
        grid = QGridLayout()
        for i, f in enumerate(self.fields.values()):
            grid.addWidget(f, i // 2, i % 2)
            f.edited.connect(self._on_edited)
        layout.addWidget(title)
        layout.addWidget(self.routing)
        layout.addLayout(form)
        layout.addLayout(grid)
        self.originals.currentIndexChanged.connect(self._on_originals)
        self.method.currentIndexChanged.connect(self._on_method)

    def build(self, item: ServiceItem, *, hall: str, window: str) -> None:
        self.routing.setText(
            self.tr("Received at {hall}, window {window}; decided by {department} ({jurisdiction}).").format(
                hall=hall, window=window, department=item.department, jurisdiction=item.jurisdiction
            )
        )
        self.method.blockSignals(True)
        self.method.clear()
        for m in item.delivery_methods:
            label = DELIVERY_ZH[m] + (self.tr(" at this hall") if m is DeliveryMethod.WINDOW_PICKUP else "")
            self.method.addItem(label, m.value)
        self.method.blockSignals(False)

    def load(self, draft: IntakeDraft) -> None:
        self._draft = None
        self.originals.setCurrentIndex(self.originals.findData(draft.originals.value))
        self.method.setCurrentIndex(max(0, self.method.findData(draft.delivery_method.value)))
        for path, value in (
            ("routing.tracking_no", draft.tracking_no),
            ("delivery.address", draft.delivery_address),
            ("delivery.postcode", draft.delivery_postcode),
            ("delivery.recipient_phone", draft.delivery_phone),
        ):
            self.fields[path].set_text(value)
        self._draft = draft
        self._show()

    def _show(self) -> None:
        mail = self.method.currentData() == DeliveryMethod.MAIL.value
        for path in ("delivery.address", "delivery.postcode", "delivery.recipient_phone"):
            self.fields[path].setVisible(mail)
        self.fields["routing.tracking_no"].setVisible(
            self.originals.currentData() == OriginalsHandling.MAIL_ORIGINALS.value
        )

    @Slot(int)
    def _on_originals(self, _index: int) -> None:
        self._show()
        if self._draft is not None:
            self._draft.originals = OriginalsHandling(self.originals.currentData())
            self.changed.emit()

    @Slot(int)
    def _on_method(self, _index: int) -> None:
        self._show()
        if self._draft is not None and self.method.currentData():
            self._draft.delivery_method = DeliveryMethod(self.method.currentData())
            self.changed.emit()

    @Slot(str, str)
    def _on_edited(self, path: str, text: str) -> None:
        draft = self._draft
        if draft is None:
            return
        attr = {
            "routing.tracking_no": "tracking_no",
            "delivery.address": "delivery_address",
            "delivery.postcode": "delivery_postcode",
            "delivery.recipient_phone": "delivery_phone",
        }[path]
        setattr(draft, attr, text)
        self.changed.emit()
