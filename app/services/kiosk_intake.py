"""自助收件 at the kiosk (issue 12): the counter's intake on simpler pages, for items the catalogue marks
`kiosk_allowed`.

Rules (the counter's, through `IntakeService`: no second copy):
- The draft is `IntakeService.start`'s; every check is `IntakeService.check_field` / `submit` (one transaction);
  the case carries the kiosk's staff number `KIOSK` (as its reprints do) and the terminal's identity.
- 本人办理 only: the item's "agent" question is answered 本人 (an agent is served at a window).
- The applicant is the ID card on the reader (simulator): name, number and address come from the card. Where no
  reader exists the number is typed (digit pad with X) and the name (pinyin keyboard), through the same checks.
- Materials: the citizen says which ones they have at hand (recorded 收原件, 1 份, note `KIOSK_NOTE`: the kiosk has no
  scanner, the window checks them at pickup); the ones they do not have are 缺, so the receipt carries the
  一次性告知书, as at the counter.
- Delivery: the item's methods except 邮寄 (no address typing at a kiosk); 窗口领取 first.
- `forget()` (the idle wipe, home) drops the draft, the card's values and the autosaved draft.

Signals:
    card_read(): the card was read into the draft (the page shows the masked name and number).
    card_failed(str): the card could not be read; the message for the screen.
    printed(str): the receipt of this case came out of the printer.
    print_failed(str, str): job id and the printer's message; `retry(job_id)` prints it again.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal, Slot

from app.domain.masking import mask_id_number, mask_name
from app.domain.models import Case, DeliveryMethod, MaterialRequirement, MaterialStatus, ScenarioQuestion, ServiceItem
from app.services.errors import UserFacingError
from app.services.guide import guide_for
from app.services.intake import SubmitRefusedError
from app.services.intake_form import IntakeDraft, agent_answer, refresh_applicability
from app.services.kiosk import KIOSK_STAFF_NO

if TYPE_CHECKING:
    from app.services.catalogue import CatalogueService
    from app.services.devices import DeviceService
    from app.services.intake import IntakeService
    from app.services.receipts import ReceiptService

log = logging.getLogger("tongban.kiosk")

KIOSK_NOTE = "自助终端申报持有，领取时窗口核验"
DELIVERY_LABELS = {DeliveryMethod.WINDOW_PICKUP: "窗口领取", DeliveryMethod.E_LICENCE: "电子证照"}


class KioskIntakeService(QObject):
    card_read = Signal()
    card_failed = Signal(str)
    printed = Signal(str)
    print_failed = Signal(str, str)

    def __init__(
        self,
        *,
        intake: IntakeService,
        catalogue: CatalogueService,
        devices: DeviceService | None,
        receipts: ReceiptService | None,
        reader_problem: Callable[[], str] | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._intake = intake
        self._catalogue = catalogue
        self._devices = devices
        self._receipts = receipts
        self._reader_problem = reader_problem or (lambda: "" if devices is not None else "no reader")
        self.draft: IntakeDraft | None = None
        self._reading = False
        self._jobs: dict[str, str] = {}
        if devices is not None:
            devices.card_read.connect(self._on_card)
            devices.card_failed.connect(self._on_card_failed)
        if receipts is not None:
            receipts.printed.connect(self._on_printed)
            receipts.failed.connect(self._on_print_failed)

    # --- items and questions ------------------------------------------------------------------------------

    def items(self) -> list[ServiceItem]:
        return [item for item in self._catalogue.items if item.kiosk_allowed]

    def item(self) -> ServiceItem | None:
        return self._catalogue.get(self.draft.item_code) if self.draft is not None else None

    def identity_problem(self) -> str:
        return self._intake.identity_problem or ""

    def start(self, item_code: str) -> None:
        """A new draft for a self-service item. Raises UserFacingError (no identity, not a kiosk item)."""
        item = self._catalogue.get(item_code)
        if item is None or not item.kiosk_allowed:
            raise UserFacingError("该事项不能在自助终端办理，请到窗口办理。")
        self.forget()
        draft = self._intake.start(item_code=item_code)
        draft.answers = {}
        implied = agent_answer(item, has_agent=False)
        if implied is not None:
            draft.answers["agent"] = implied
        self.draft = draft

    def next_question(self) -> ScenarioQuestion | None:
        """The next 情形 question to ask (None: the situation is known)."""
        item, draft = self.item(), self.draft
        if item is None or draft is None:
            return None
        return guide_for(item, draft.answers).next_question

    def answer(self, question_id: str, option: str) -> None:
        item, draft = self.item(), self.draft
        if item is None or draft is None:
            return
        draft.answers[question_id] = option
        draft.answers = dict(guide_for(item, draft.answers).answers)  # moot follow-ups dropped

    def unanswer_last(self) -> bool:
        """上一题: forget the last answer given (not the implied 本人); False when there is none."""
        draft = self.draft
        if draft is None:
            return False
        given = [qid for qid in draft.answers if qid != "agent"]
        if not given:
            return False
        del draft.answers[given[-1]]
        return True

    # --- applicant ----------------------------------------------------------------------------------------

    def card_reader_present(self) -> bool:
        """A reader is there: the card gives the applicant. Without one the number is typed on the digit pad and the
        name on the pinyin keyboard (the counter's checks apply to both)."""
        return self._devices is not None and not self._reader_problem()

    def set_typed_id(self, id_number: str) -> str | None:
        """The ID number typed where no reader exists; None when accepted, else the counter's message."""
        value = id_number.strip().upper()
        problem = self._intake.check_field(path="applicant.id_number", value=value)
        if problem is None and self.draft is not None:
            self.draft.applicant.id_number = value
        return problem

    def set_typed_name(self, name: str) -> str | None:
        """The applicant's name typed where no reader exists; None when accepted, else the counter's message."""
        problem = self._intake.check_field(path="applicant.name", value=name)
        if problem is None and self.draft is not None:
            self.draft.applicant.name = name.strip()
        return problem

    def read_card(self) -> bool:
        if self._devices is None or self._reading or self.draft is None:
            return False
        self._reading = self._devices.read_id_card()
        return self._reading

    @Slot(object)
    def _on_card(self, card: object) -> None:
        if not self._reading:
            return
        self._reading = False
        draft = self.draft
        if draft is None:
            return
        draft.applicant.name = str(getattr(card, "name", ""))
        draft.applicant.id_number = str(getattr(card, "id_number", ""))
        draft.applicant.address = str(getattr(card, "address", ""))
        del card
        problem = self._intake.check_field(path="applicant.id_number", value=draft.applicant.id_number)
        problem = problem or self._intake.check_field(path="applicant.name", value=draft.applicant.name)
        if problem:
            self._clear_applicant()
            log.info("kiosk intake: card refused by the intake checks")
            self.card_failed.emit(f"身份证信息无法使用：{problem}。请到窗口办理。")
            return
        log.info("kiosk intake: card read")
        self.card_read.emit()

    @Slot(str)
    def _on_card_failed(self, message: str) -> None:
        if self._reading:
            self._reading = False
            self.card_failed.emit(message)

    def _clear_applicant(self) -> None:
        if self.draft is not None:
            a = self.draft.applicant
            a.name = a.id_number = a.address = a.phone = ""

    def applicant_shown(self) -> tuple[str, str]:
        """The card's name and number as the screen shows them (masked)."""
        a = self.draft.applicant if self.draft is not None else None
        if a is None or not a.id_number:
            return "", ""
        return mask_name(a.name), mask_id_number(a.id_number)

    def set_phone(self, phone: str) -> str | None:
        """The applicant's phone; None when accepted, else the counter's message (nothing stored then)."""
        problem = self._intake.check_field(path="applicant.phone", value=phone)
        if problem is None and self.draft is not None:
            self.draft.applicant.phone = phone.strip()
        return problem

    # --- materials, delivery ------------------------------------------------------------------------------

    def materials(self) -> list[MaterialRequirement]:
        """The materials the citizen's situation needs."""
        item, draft = self.item(), self.draft
        if item is None or draft is None:
            return []
        refresh_applicability(draft, item)
        return list(guide_for(item, draft.answers).materials)

    def set_material(self, code: str, *, at_hand: bool) -> None:
        m = self.draft.material(code) if self.draft is not None else None
        if m is None:
            return
        if at_hand:
            m.status, m.count, m.note = MaterialStatus.ORIGINAL, 1, KIOSK_NOTE
        else:
            m.status, m.count, m.note = MaterialStatus.MISSING, 0, ""

    def missing(self) -> list[str]:
        draft = self.draft
        if draft is None:
            return []
        codes = {m.code for m in self.materials()}
        return [
            req.name
            for req in self.materials()
            if req.code in codes
            and (mat := draft.material(req.code)) is not None
            and mat.status is MaterialStatus.MISSING
        ]

    def delivery_methods(self) -> list[DeliveryMethod]:
        item = self.item()
        methods: list[DeliveryMethod] = (
            [m for m in item.delivery_methods if m is not DeliveryMethod.MAIL] if item is not None else []
        )
        methods.sort(key=lambda m: m is not DeliveryMethod.WINDOW_PICKUP)
        return methods

    def set_delivery(self, method: DeliveryMethod) -> None:
        if self.draft is not None and method in self.delivery_methods():
            self.draft.delivery_method = method

    # --- submit and print ---------------------------------------------------------------------------------

    def submit(self) -> Case:
        """Check and commit the case (one transaction, staff KIOSK) and start printing its receipt.
        Raises UserFacingError with the first problem in Chinese (nothing stored then, nothing lost)."""
        draft = self.draft
        if draft is None:
            raise UserFacingError("请重新选择办理事项。")
        self.materials()  # conditional materials settled for the final answers
        if self._receipts is None:
            raise UserFacingError("本机未连接打印机，无法打印回执。")
        try:
            result = self._intake.submit(draft=draft, staff_no=KIOSK_STAFF_NO)
        except SubmitRefusedError as exc:
            first = exc.errors[0] if exc.errors else None
            log.info("kiosk intake refused: %s", ",".join(e.path for e in exc.errors))
            raise UserFacingError(f"{first.label}：{first.message}" if first else "信息不完整。") from exc
        case = result.case
        if result.print_job_id:
            self._jobs[result.print_job_id] = case.case_no
        self.draft = None
        log.info("kiosk intake: case %s received", case.case_no)
        return case

    def retry(self, job_id: str) -> None:
        if job_id not in self._jobs or self._receipts is None:
            raise UserFacingError("没有可以重新打印的回执。")
        self._receipts.retry(job_id=job_id)

    @Slot(str, str, str)
    def _on_printed(self, job_id: str, case_no: str, _where: str) -> None:
        if self._jobs.pop(job_id, None) is not None:
            self.printed.emit(case_no)

    @Slot(str, str, str)
    def _on_print_failed(self, job_id: str, _case_no: str, message: str) -> None:
        if job_id in self._jobs:
            self.print_failed.emit(job_id, message)

    def forget(self) -> None:
        """The idle wipe or home: the draft, the card's values and the autosaved draft are dropped."""
        self._reading = False
        if self.draft is not None:
            self._clear_applicant()
            self.draft = None
            try:
                self._intake.discard_draft()
            except UserFacingError:
                log.warning("kiosk intake: autosaved draft not removed")
        if self._receipts is not None:
            for job_id in self._jobs:
                with contextlib.suppress(LookupError):
                    self._receipts.dismiss(job_id=job_id)
        self._jobs = {}
