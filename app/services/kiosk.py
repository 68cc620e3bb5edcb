"""The self-service kiosk's use cases (issue 12): 进度查询, 办事指南, 好差评 of one's own case, and the admin exit.

Rules:
- **A wrong check reveals nothing.** A typed case number must come with the last 4 characters of the applicant's ID
  number (or credit code), checked here for a case this terminal holds and by the platform for any other
  (`POST /api/v1/cases/{case_no}:check`); an unknown number, a wrong check and a case nobody can check
  (offline, received elsewhere) all get the same message (`NOT_FOUND_MESSAGE`). The receipt's QR is the citizen's
  own paper, so a scanned QR needs no check (the platform's `/c/<case_no>` page shows the same progress to whoever
  holds the receipt).
- **Platform when online, local copy when not.** A checked case is asked of the platform through the sync
  thread (`SyncService.query_case`); without a platform, while offline, or when it does not answer within
  `PLATFORM_WAIT_MS`, the local copy is shown with the time of the last successful sync.
- **No personal data in answers.** `CaseProgress` holds the case number, item, state and history only.
- **A 一件事's own (parent) number** (issue 17) answers with the bundle: `CaseProgress.members` holds each member
  department's item, department, masked number, stage, history and promised date, and `state_label` says how many
  are done. The check compares the last 4 with the bundle's applicant (its members share one; every member's must
  match), counted like any wrong check. From the platform (`GET /api/v1/cases/<parent>` and its `:check`, which
  answer with a `bundle`) when online; else from the local `bundles` row and its member cases. The receipt QR
  of a bundle (`/c/<parent>`) opens the same. A bundle is rated once, under its parent's number (一事一评).
- **Admin exit.** A staff member with the admin role unlocks the kiosk with staff number and PIN
  (`StaffService.verify_admin`, whose per-number lock-out applies too); `ADMIN_LOCK_AFTER` wrong tries in a row
  lock the kiosk's admin entry for `ADMIN_LOCK_MINUTES`, whoever tries. Every entry (`admin_kiosk_entry`), exit,
  resume, refusal and lock-out is in the audit log.
- **Forget.** `forget()` drops everything the service remembers of the citizen in front of it (the idle wipe).

- **补打 after the card.** The ID card reader confirms the applicant: the cases of that ID number held here are
  offered (no personal data crosses to the screen: the card's values stay inside `_on_card`), and only those may
  be reprinted. A print that fails is reported with the printer's message and can be printed again.

Signals:
    progress_ready(object): a `CaseProgress` for the last query.
    progress_refused(str): the query was refused or found nothing; the Chinese message for the screen.
    own_cases_found(object): a list of `OwnCase` for the card just read (may be empty).
    card_failed(str): the card could not be read; the message for the screen.
    reprint_printed(str): the receipt of this case number came out of the printer.
    reprint_failed(str, str): job id and the printer's message; `retry_reprint(job_id)` prints it again.
    guide_printed(str): an item's materials list came out of the printer.
    guide_print_failed(str, str): item code and the printer's message; asking again prints again.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import logging
import re
import time
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.config import Config
from app.domain import hall_time
from app.domain.case_number import CaseNumber, format_grouped, mask_case_no, parse_case_number
from app.domain.models import Bundle, CaseState, EnterpriseApplicant, PersonApplicant, ServiceItem
from app.services.case_list import STATE_LABELS
from app.services.errors import UserFacingError
from app.services.staff import SignInError, StaffService
from app.sync.errors import TOO_MANY_CHECKS
from offline_cache import Store, StoreError

if TYPE_CHECKING:
    from offline_cache.cases import StoredCase

if TYPE_CHECKING:  # imported by the terminal before this module; here only their types are needed
    from app.services.catalogue import CatalogueService
    from app.services.devices import DeviceService
    from app.services.guide import BundleGuide, Guide
    from app.services.guide_print import GuidePrintService
    from app.services.receipts import ReceiptService
    from app.services.sync import SyncService

log = logging.getLogger("tongban.kiosk")

Clock = Callable[[], dt.datetime]

NOT_FOUND_MESSAGE = "未查询到与输入信息相符的办件。请核对办件编号和证件号码后四位，或扫描回执上的二维码查询。"
#: After too many wrong checks of one case (or from this kiosk) the platform refuses checks for a while (429
#: `too_many_checks`); the same message whether or not the case exists, and it names no case.
TOO_MANY_CHECKS_MESSAGE = "查询次数过多，请一小时后再试。您也可以扫描回执上的二维码查询，或咨询工作人员。"
#: How long a progress query waits for the platform before showing the local copy.
PLATFORM_WAIT_MS = 8000
ADMIN_LOCK_AFTER = 5
#: Wrong checks of one case number this kiosk answers itself (a case it holds, or any while offline) before it
#: refuses that number for `CHECK_WINDOW_S`, like the platform's limit (`central.api.CHECK_FAILURES_PER_CASE`).
CHECK_FAILURES_PER_CASE = 5
CHECK_WINDOW_S = 3600.0
ADMIN_LOCK_MINUTES = 5
ADMIN_ACTOR = "kiosk"

_QR_CASE = re.compile(r"(?:^|/c/)([0-9]{26})/?$")
_DONE_STATES = frozenset({"completed", "delivered"})
_PLATFORM_LABELS = {
    "received": "已收件",
    "forwarded": "已转办",
    "accepted": "已受理",
    "rejected": "不予受理",
    "supplement": "需补正",
    "completed": "已办结",
    "delivered": "已送达",
    "refused": "不予收件",
}


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class HistoryStep:
    at: dt.datetime | None
    label: str
    note: str = ""


@dataclass(frozen=True, slots=True)
class MemberProgress:
    """One member department's case of a 一件事, as the bundle's progress shows it; no personal data."""

    item_name: str
    department: str
    case_no_masked: str  # `210800****1742`
    state_label: str
    history: tuple[HistoryStep, ...]
    expected_date: dt.date | None  # the promised date (None: unknown)
    done: bool  # completed or delivered


@dataclass(frozen=True, slots=True)
class CaseProgress:
    """One case's progress as the kiosk shows it; no personal data. For a 一件事's own (parent) number,
    `members` lists each member department's case and `item_name` is the bundle's name."""

    case_no: str
    case_no_grouped: str
    item_name: str
    state_label: str
    history: tuple[HistoryStep, ...]
    from_platform: bool
    last_synced_at: dt.datetime | None  # local copy: when this terminal last reached the platform (None: never)
    local: bool  # this terminal holds the case (好差评 and 补打 are possible here)
    members: tuple[MemberProgress, ...] = ()

    @property
    def is_bundle(self) -> bool:
        return bool(self.members)


@dataclass(frozen=True, slots=True)
class OwnCase:
    """A case of the citizen whose card was read, as the reprint list shows it (no personal data)."""

    case_no: str
    case_no_grouped: str
    item_name: str
    received_on: str  # local date, YYYY-MM-DD


#: The staff number a kiosk's own actions (reprints) carry.
KIOSK_STAFF_NO = "KIOSK"
#: How many recent cases a card is matched against.
OWN_CASES_SCAN = 500


class AdminRefusedError(UserFacingError):
    """The admin entry was refused (wrong number or PIN, not an admin, locked); the message says why."""


def case_no_from_scan(text: str) -> str | None:
    """The case number in a scanned receipt QR (`…/c/<26 digits>`) or a bare 26-digit scan; None otherwise."""
    match = _QR_CASE.search(text.strip())
    if match is None:
        return None
    parsed = parse_case_number(match.group(1))
    return parsed.digits if isinstance(parsed, CaseNumber) else None


def _holder(stored: StoredCase) -> str:
    """The applicant's ID number or credit code ("" when purged or none)."""
    applicant = stored.case.applicant
    if isinstance(applicant, PersonApplicant):
        return applicant.id_number
    assert isinstance(applicant, EnterpriseApplicant)
    return applicant.credit_code


def bundle_state_label(done: int, total: int) -> str:
    return f"{total}项中已办结{done}项"


def _norm_tail(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def _parse_date(value: object) -> dt.date | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _platform_steps(raw: object) -> tuple[HistoryStep, ...]:
    steps = []
    for entry in raw if isinstance(raw, list) else []:
        if isinstance(entry, dict):
            status = str(entry.get("status", ""))
            steps.append(
                HistoryStep(
                    _parse_time(entry.get("at")), _PLATFORM_LABELS.get(status, status), str(entry.get("note") or "")
                )
            )
    return tuple(steps)


def _parse_time(value: object) -> dt.datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)


class KioskService(QObject):
    """The kiosk window's one service (it also hands out the kiosk's rating device). GUI thread only."""

    progress_ready = Signal(object)
    progress_refused = Signal(str)
    own_cases_found = Signal(object)
    card_failed = Signal(str)
    reprint_printed = Signal(str)
    reprint_failed = Signal(str, str)
    guide_printed = Signal(str)
    guide_print_failed = Signal(str, str)

    def __init__(
        self,
        *,
        store: Store,
        config: Config,
        catalogue: CatalogueService,
        staff: StaffService,
        sync: SyncService | None = None,
        devices: DeviceService | None = None,
        receipts: ReceiptService | None = None,
        guide_printer: GuidePrintService | None = None,
        clock: Clock = _utc_now,
        platform_wait_ms: int = PLATFORM_WAIT_MS,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._config = config
        self._catalogue = catalogue
        self._sync = sync
        self._clock = clock
        self._staff = staff
        self._pending: str | None = None  # case number waiting for the platform's answer
        self._admin_failures = 0
        self._wrong_checks: dict[str, list[float]] = {}  # case number -> monotonic times of wrong local checks
        self._admin_locked_until: dt.datetime | None = None
        self._wait = QTimer(self)
        self._wait.setObjectName("kiosk_platform_wait")
        self._wait.setSingleShot(True)
        self._wait.setInterval(platform_wait_ms)
        self._wait.timeout.connect(self._platform_timed_out)
        if sync is not None:
            sync.case_status_received.connect(self._on_platform_answer)
        self._devices = devices
        self._receipts = receipts
        self._guide_printer = guide_printer
        if guide_printer is not None:
            guide_printer.printed.connect(self.guide_printed)
            guide_printer.failed.connect(self.guide_print_failed)
        self._reading = False
        self._own: set[str] = set()  # case numbers the last card proved to be the citizen's
        self._jobs: dict[str, str] = {}  # print job id -> case number, for this citizen's reprints
        if devices is not None:
            devices.card_read.connect(self._on_card)
            devices.card_failed.connect(self._on_card_failed)
        if receipts is not None:
            receipts.printed.connect(self._on_printed)
            receipts.failed.connect(self._on_print_failed)

    def use_config(self, config: Config) -> None:
        self._config = config

    # --- 进度查询 ---------------------------------------------------------------------------------------------

    def query_progress(self, *, case_no: str, id_last4: str) -> None:
        """A typed query: the case number and the last 4 characters of the applicant's ID number or credit code."""
        parsed = parse_case_number(case_no)
        if not isinstance(parsed, CaseNumber):
            self.progress_refused.emit(parsed.message_zh)
            return
        tail = _norm_tail(id_last4)
        if len(tail) != 4 or not tail.isascii() or not tail.isalnum():
            self.progress_refused.emit("请输入证件号码的后四位（最后一位可能是X）。")
            return
        number = parsed.digits
        try:
            stored = self._store.cases.get_by_no(number)
            members = self._bundle_members(number) if stored is None else []
        except StoreError as exc:
            log.warning("progress query: local store unavailable (%s)", exc.code)
            self.progress_refused.emit("暂时无法查询，请稍后再试或咨询工作人员。")
            return
        holder = ""
        if stored is not None:
            holder = _holder(stored)
        elif members:  # a 一件事's own number: its members share one applicant, and every one must match
            tails = {_norm_tail(_holder(m)[-4:]) for m in members}
            holder = tails.pop() if len(tails) == 1 else ""
        held = (stored is not None and stored.case.state is not CaseState.DRAFT) or bool(members)
        if not held and self._platform_usable():
            # Received elsewhere (another window or hall): the platform checks the last 4 and answers, or says it
            # knows no such case — the same answer for a wrong check.
            self._answer(number, id_last4=tail)
            return
        now = time.monotonic()
        recent = [t for t in self._wrong_checks.get(number, []) if now - t < CHECK_WINDOW_S]
        if len(recent) >= CHECK_FAILURES_PER_CASE:
            log.info("progress query refused: too many wrong checks of this number")
            self.progress_refused.emit(TOO_MANY_CHECKS_MESSAGE)
            return
        if not held or not holder or _norm_tail(holder[-4:]) != tail:
            log.info("progress query refused (no case or wrong check)")
            self._wrong_checks[number] = [*recent, now]
            self.progress_refused.emit(NOT_FOUND_MESSAGE)
            return
        self._answer(number)

    def query_scanned(self, text: str) -> bool:
        """A scanned receipt QR; False when the scan is not a receipt of ours (nothing is emitted then)."""
        number = case_no_from_scan(text)
        if number is None:
            return False
        self._answer(number)
        return True

    def _bundle_members(self, case_no: str) -> list[StoredCase]:
        """The member cases of the 一件事 whose own number is `case_no` held here (empty: no such parent)."""
        parent = self._store.bundles.get(case_no)
        if parent is None:
            return []
        return [m for m in self._store.cases.list_bundle(parent.bundle_id) if m.case.state is not CaseState.DRAFT]

    def _answer(self, case_no: str, *, id_last4: str = "") -> None:
        if self._platform_usable():
            assert self._sync is not None
            self._pending = case_no
            self._wait.start()
            self._sync.query_case(case_no, id_last4=id_last4)
            return
        self._answer_locally(case_no)

    def _platform_usable(self) -> bool:
        if self._sync is None or self._config.offline:
            return False
        status = self._sync.status
        return status is not None and bool(status.online)

    @Slot(str, object)
    def _on_platform_answer(self, case_no: str, answer: object) -> None:
        if case_no != self._pending:
            return
        self._pending = None
        self._wait.stop()
        if isinstance(answer, dict):
            self.progress_ready.emit(self._from_platform(case_no, answer))
        elif answer == TOO_MANY_CHECKS:
            log.info("progress query refused by the platform: too many wrong checks")
            self.progress_refused.emit(TOO_MANY_CHECKS_MESSAGE)
        else:
            self._answer_locally(case_no)

    @Slot()
    def _platform_timed_out(self) -> None:
        case_no, self._pending = self._pending, None
        if case_no is not None:
            log.info("progress query: platform did not answer in time; showing the local copy")
            self._answer_locally(case_no)

    def _from_platform(self, case_no: str, answer: dict[str, object]) -> CaseProgress:
        status = str(answer.get("status", ""))
        local = self._store.cases.record_id_of(case_no) is not None or self._store.bundles.get(case_no) is not None
        bundle = answer.get("bundle")
        members: list[MemberProgress] = []
        if isinstance(bundle, dict) and isinstance(bundle.get("members"), list):
            for m in bundle["members"]:
                if not isinstance(m, dict):
                    continue
                m_status = str(m.get("status", ""))
                members.append(
                    MemberProgress(
                        item_name=str(m.get("item_name") or m.get("item_code") or ""),
                        department=str(m.get("department") or ""),
                        case_no_masked=str(m.get("case_no_masked") or ""),
                        state_label=_PLATFORM_LABELS.get(m_status, m_status),
                        history=_platform_steps(m.get("history")),
                        expected_date=_parse_date(m.get("expected_date")),
                        done=m_status in _DONE_STATES,
                    )
                )
        done = sum(1 for m in members if m.done)
        return CaseProgress(
            case_no=case_no,
            case_no_grouped=format_grouped(case_no),
            item_name=str(answer.get("item_name") or ""),
            state_label=bundle_state_label(done, len(members)) if members else _PLATFORM_LABELS.get(status, status),
            history=_platform_steps(answer.get("history")),
            from_platform=True,
            last_synced_at=None,
            local=local,
            members=tuple(members),
        )

    def _local_steps(self, stored: StoredCase) -> tuple[HistoryStep, ...]:
        case = stored.case
        steps = [HistoryStep(case.created_at, STATE_LABELS.get(CaseState.RECEIVED, "已收件"))]
        for entry in reversed(self._store.audit.list(record_id=case.record_id, action="case_state_updated")):
            try:
                label = STATE_LABELS[CaseState(entry.detail)]
            except ValueError:
                continue
            steps.append(HistoryStep(entry.at, label))
        if case.state is CaseState.REFUSED:
            steps[0] = HistoryStep(case.created_at, STATE_LABELS[CaseState.REFUSED])
        return tuple(steps)

    def _answer_bundle_locally(self, case_no: str, members: list[StoredCase]) -> None:
        parent = self._store.bundles.get(case_no)
        assert parent is not None
        shown = tuple(
            MemberProgress(
                item_name=m.case.item_name,
                department=m.case.routing.department,
                case_no_masked=mask_case_no(m.case.case_no),
                state_label=STATE_LABELS.get(m.case.state, m.case.state.value),
                history=self._local_steps(m),
                expected_date=m.case.expected_date,
                done=m.case.state in (CaseState.COMPLETED, CaseState.DELIVERED),
            )
            for m in members
        )
        self.progress_ready.emit(
            CaseProgress(
                case_no=case_no,
                case_no_grouped=format_grouped(case_no),
                item_name=parent.bundle_name,
                state_label=bundle_state_label(sum(1 for m in shown if m.done), len(shown)),
                history=(HistoryStep(parent.created_at, STATE_LABELS.get(CaseState.RECEIVED, "已收件")),),
                from_platform=False,
                last_synced_at=self.last_synced_at(),
                local=True,
                members=shown,
            )
        )

    def _answer_locally(self, case_no: str) -> None:
        stored = self._store.cases.get_by_no(case_no)
        members = self._bundle_members(case_no) if stored is None else []
        if members:
            self._answer_bundle_locally(case_no, members)
            return
        if stored is None or stored.case.state is CaseState.DRAFT:
            self.progress_refused.emit(
                NOT_FOUND_MESSAGE
                if self._platform_usable()
                else "本机没有该办件的记录，且当前无法连接平台，请稍后再查。"
            )
            return
        case = stored.case
        steps = self._local_steps(stored)
        self.progress_ready.emit(
            CaseProgress(
                case_no=case.case_no,
                case_no_grouped=format_grouped(case.case_no),
                item_name=case.item_name,
                state_label=STATE_LABELS.get(case.state, case.state.value),
                history=tuple(steps),
                from_platform=False,
                last_synced_at=self.last_synced_at(),
                local=True,
            )
        )

    def last_synced_at(self) -> dt.datetime | None:
        """When this terminal last reached the platform (None: never, or no platform)."""
        status = self._sync.status if self._sync is not None else None
        return _parse_time(status.last_success_at) if status is not None else None

    # --- 办事指南 ---------------------------------------------------------------------------------------------

    def departments(self) -> list[str]:
        """Approving departments of the catalogue, in first-appearance order."""
        return list(dict.fromkeys(item.department for item in self._catalogue.items))

    def items_of(self, department: str) -> list[ServiceItem]:
        return [item for item in self._catalogue.items if item.department == department]

    def search_guide(self, text: str, limit: int = 40) -> list[ServiceItem]:
        """Items for a keyword or pinyin (full or initials), best first."""
        return self._catalogue.search(text, limit=limit) if text.strip() else []

    def item(self, code: str) -> ServiceItem | None:
        return self._catalogue.get(code)

    def catalogue_words(self) -> list[str]:
        """Item names, departments and categories: the words a pinyin keyboard offers first at this kiosk."""
        items = self._catalogue.items
        return [*(i.name for i in items), *dict.fromkeys(i.department for i in items), *(i.category for i in items)]

    def self_service_items(self) -> list[ServiceItem]:
        """Items the catalogue marks as possible at a kiosk (自助收件)."""
        return [item for item in self._catalogue.items if item.kiosk_allowed]

    def bundles(self) -> tuple[Bundle, ...]:
        """The catalogue's 一件事 bundles (browsable in 办事指南 like a department's items)."""
        return self._catalogue.catalogue.bundles

    def guide(self, code: str, answers: Mapping[str, str]) -> Guide | BundleGuide | None:
        """The 向导式 guide of an item or a 一件事 for the answers so far (`app.services.guide`, as the counter's):
        the next 情形 question, or the exact materials for the situation. None for an unknown code."""
        from app.services.guide import bundle_guide_for, guide_for

        item = self._catalogue.get(code)
        if item is not None:
            return guide_for(item, answers)
        bundle = self._catalogue.bundle(code)
        return bundle_guide_for(bundle, self._catalogue.get, answers) if bundle is not None else None

    def guide_url(self, item_code: str, answers: Mapping[str, str] | None = None) -> str:
        """Where a phone continues with this item's (or 一件事's) guide for these answers (the QR on the guide page
        and on the printed list): the code and the situation only, never personal data."""
        from app.printing.guide_list import guide_url

        return guide_url(self._config.platform_url, item_code, answers or {})

    def print_guide(self, *, item_code: str, answers: Mapping[str, str] | None = None) -> None:
        """Print the materials list: with `answers`, for that situation (an item or a 一件事); without, the item's
        full list. The answer comes as `guide_printed` or `guide_print_failed`. Raises UserFacingError when there is
        no printer or no such item."""
        guide = self.guide(item_code, answers) if answers is not None else None
        item = self._catalogue.get(item_code)
        if guide is None and item is None:
            raise UserFacingError("没有这个事项。")
        if guide is not None and not guide.complete:
            raise UserFacingError("请先回答完情形问题。")
        if self._guide_printer is None or self.printer_problem():
            raise UserFacingError("本机未连接打印机，无法打印。")
        self._guide_printer.print_list(item=item, guide=guide)

    def qr_matrix(self, payload: str) -> list[list[bool]]:
        """The QR modules of `payload` (the screen draws them)."""
        from app.printing.qr import qr_matrix

        return qr_matrix(payload)

    # --- 补打回执 ---------------------------------------------------------------------------------------------

    def printer_problem(self) -> str:
        """Why nothing can be printed here ("" when a printer is configured)."""
        if self._receipts is None or self._config.printer.kind.value == "none":
            return "本机未连接打印机"
        return ""

    def card_reader_problem(self) -> str:
        """Why no card can be read here ("" when a reader is there, as far as can be told without a card)."""
        if self._devices is None:
            return "本机没有身份证读卡器"
        reader = self._devices.id_card
        folder = getattr(reader, "folder", None)  # the simulator: its folder is the "device"
        if folder is not None and getattr(reader, "card", None) is None and not folder.is_dir():
            return "本机没有身份证读卡器"
        return ""

    def read_card(self) -> bool:
        """Start reading the ID card on the reader (off the GUI thread); the answer comes as `own_cases_found` or
        `card_failed`. False when a read is already running or there is no reader."""
        if self._devices is None or self._reading:
            return False
        self._reading = self._devices.read_id_card()
        return self._reading

    @Slot(object)
    def _on_card(self, card: object) -> None:
        if not self._reading:
            return  # a read another screen asked for
        self._reading = False
        number = _norm_tail(str(getattr(card, "id_number", "")))
        del card  # the card's values go no further than this method
        found: list[OwnCase] = []
        if number:
            for stored in self._store.cases.list_recent(limit=OWN_CASES_SCAN):
                case = stored.case
                applicant = case.applicant
                holder = applicant.id_number if isinstance(applicant, PersonApplicant) else ""
                if case.state is not CaseState.DRAFT and _norm_tail(holder) == number:
                    found.append(
                        OwnCase(
                            case_no=case.case_no,
                            case_no_grouped=format_grouped(case.case_no),
                            item_name=case.item_name,
                            received_on=hall_time.clock_text(case.created_at, "%Y-%m-%d"),
                        )
                    )
        self._own = {c.case_no for c in found}
        log.info("kiosk card read: %d own case(s) here", len(found))
        self.own_cases_found.emit(found)

    @Slot(str)
    def _on_card_failed(self, message: str) -> None:
        if self._reading:
            self._reading = False
            self.card_failed.emit(message)

    def reprint(self, *, case_no: str) -> str:
        """补打 one of the citizen's cases (proved by the last card read); returns the print job id.
        Raises UserFacingError when the case was not proved or there is no printer."""
        problem = self.printer_problem()
        if problem:
            raise UserFacingError(problem + "，无法打印。")
        if case_no not in self._own:
            raise UserFacingError("请先刷身份证确认是您本人的办件。")
        assert self._receipts is not None
        job = self._receipts.reprint(case_no=case_no, staff_no=KIOSK_STAFF_NO)
        self._jobs[job] = case_no
        log.info("kiosk reprint of case %s: job %s", case_no, job)
        return job

    def retry_reprint(self, *, job_id: str) -> None:
        """Print a failed reprint again (after the paper was refilled, the printer switched on …)."""
        if job_id not in self._jobs or self._receipts is None:
            raise UserFacingError("没有可以重新打印的回执。")
        self._receipts.retry(job_id=job_id)

    @Slot(str, str, str)
    def _on_printed(self, job_id: str, case_no: str, _where: str) -> None:
        if self._jobs.pop(job_id, None) is not None:
            self.reprint_printed.emit(case_no)

    @Slot(str, str, str)
    def _on_print_failed(self, job_id: str, _case_no: str, message: str) -> None:
        if job_id in self._jobs:
            self.reprint_failed.emit(job_id, message)

    # --- admin ----------------------------------------------------------------------------------------------

    def admin_locked_minutes(self) -> int:
        """Minutes left of an admin lock-out (0 when not locked)."""
        until = self._admin_locked_until
        now = self._clock()
        if until is None or until <= now:
            return 0
        return max(1, -(-int((until - now).total_seconds()) // 60))

    def admin_unlock(self, *, staff_no: str, pin: str) -> str:
        """Check an admin's staff number and PIN; returns the staff number. Raises AdminRefusedError."""
        locked = self.admin_locked_minutes()
        if locked:
            self._audit("kiosk_admin_refused", "locked")
            raise AdminRefusedError(f"管理员验证错误次数过多，已锁定，请{locked}分钟后再试。")
        try:
            member = self._staff.verify_admin(staff_no=staff_no, pin=pin)
        except SignInError as exc:
            self._admin_failures += 1
            if self._admin_failures >= ADMIN_LOCK_AFTER:
                self._admin_failures = 0
                self._admin_locked_until = self._clock() + dt.timedelta(minutes=ADMIN_LOCK_MINUTES)
                self._audit("kiosk_admin_locked", "")
                log.info("kiosk admin entry locked after %d wrong tries", ADMIN_LOCK_AFTER)
                raise AdminRefusedError(
                    f"管理员验证连续错误{ADMIN_LOCK_AFTER}次，已锁定{ADMIN_LOCK_MINUTES}分钟。"
                ) from exc
            self._audit("kiosk_admin_refused", exc.code)
            left = ADMIN_LOCK_AFTER - self._admin_failures
            raise AdminRefusedError(f"{exc.message}。本机还可尝试{left}次。") from exc
        self._admin_failures = 0
        self._staff.record_admin_action("kiosk_entry", actor=member.staff_no)
        return member.staff_no

    def record_admin_action(self, *, staff_no: str, action: str) -> None:
        """An admin left the kiosk (`exit`) or returned it to service (`resume`): audited as `admin_kiosk_<action>`."""
        self._staff.record_admin_action(f"kiosk_{action}", actor=staff_no)

    def _audit(self, action: str, detail: str) -> None:
        try:
            self._store.audit.append(ADMIN_ACTOR, action, detail=detail)
        except StoreError as exc:
            log.error("kiosk audit entry %s not written: %s", action, exc.code)

    # --- idle wipe --------------------------------------------------------------------------------------------

    def forget(self) -> None:
        """Drop what the service remembers of the citizen in front of it (an unanswered platform query)."""
        self._pending = None
        self._wait.stop()
        self._own = set()
        if self._receipts is not None:
            for job_id in self._jobs:  # a failed slip nobody asked to print again: the case can be reprinted later
                with contextlib.suppress(LookupError):
                    self._receipts.dismiss(job_id=job_id)
        self._jobs = {}
        self._reading = False


__all__ = [
    "NOT_FOUND_MESSAGE",
    "TOO_MANY_CHECKS_MESSAGE",
    "AdminRefusedError",
    "CaseProgress",
    "HistoryStep",
    "KioskService",
    "MemberProgress",
    "OwnCase",
    "case_no_from_scan",
]
