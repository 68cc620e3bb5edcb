"""Counter intake (收件): start a draft for an item, autosave it, attach scans, check it, submit it.

Submit writes the case, its materials and attachment references, the outbox entry and the audit entry in one store
transaction (`Store.save_case`), then hands the committed case to `ReceiptService` (when wired) to print the
收件回执 and, with missing materials, the 一次性告知书. A failed print never loses the case.

The draft is autosaved (debounced) under one key per clerk (`intake/<staff number>`), so a crash, power cut or
sign-out restores it at that clerk's next sign-in (`recovered_draft`) — and to nobody else (issue 11).
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime as dt
import logging
import threading
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.config import Config
from app.domain import hall_time
from app.domain.models import Attachment, Case, CaseState, Routing, ServiceItem
from app.domain.validation import Invalid
from app.domain.workdays import HolidayCalendar, load_holiday_calendar
from app.services.attachments import AttachmentError, check_content, display_filename, read_checked
from app.services.errors import UserFacingError
from app.services.intake_form import (
    LABELS,
    CheckedDraft,
    DraftFormatError,
    FieldError,
    IntakeDraft,
    check_draft,
    check_field,
    check_free_text,
    draft_from_json,
    draft_to_json,
    new_draft,
    refresh_applicability,
)
from app.services.scan_jobs import AttachJob, AttachOutcome, run_job
from app.sync.credentials import NOT_ENROLLED_ZH
from offline_cache import Store, StoreError
from offline_cache.purge import InUse

if TYPE_CHECKING:
    from offline_cache.store import SavedBundle

log = logging.getLogger("tongban.intake")

Clock = Callable[[], dt.datetime]

#: The draft key when no clerk is signed in (services used without a session), and the one key versions before
#: issue 11 used for every clerk; `recovered_draft` hands such a draft only to the clerk the audit log shows was
#: signed in when it was saved.
DRAFT_KEY = "intake/current"


def draft_key(staff_no: str) -> str:
    """Where the draft of this clerk is autosaved ("" → the unowned key)."""
    return f"intake/{staff_no}" if staff_no else DRAFT_KEY


AUTOSAVE_DELAY_MS = 400
#: How long closing, signing out or discarding waits for a scan still being saved (a 20 MB scan takes < 1 s).
ATTACH_WAIT_S = 30.0
#: Submit while a scan of the draft is still being saved (the button waits; Ctrl+Enter is refused with this).
ATTACH_IN_FLIGHT_ZH = "正在保存扫描件，请等保存完成后再提交。"


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Decision(StrEnum):
    RECEIVE = "receive"  # 收件 (with a 一次性告知书 when materials are missing)
    REFUSE = "refuse"  # 不予收件, with a reason


class SubmitRefusedError(Exception):
    """The draft cannot be submitted yet: `errors` lists the fields to fix in form order (focus the first)."""

    def __init__(self, errors: list[FieldError]) -> None:
        super().__init__("; ".join(e.path for e in errors))
        self.errors = errors


class ReceiptPrinter(Protocol):
    """The part of ReceiptService intake calls after a case is committed."""

    def print_case(self, *, case: Case, staff_no: str) -> str: ...


@dataclass(frozen=True, slots=True)
class SubmitResult:
    case: Case
    print_job_id: str | None  # None when no receipt service is wired


class IntakeService(QObject):
    """The intake use cases. Construct and call on the GUI thread.

    Signals:
        case_submitted(object): a case (domain `Case`, numbered) was committed.
        case_updated(str): a committed case changed at the counter (e.g. tracking number); its case number.
        draft_saved(str): the draft was autosaved; the argument is its draft id.
        draft_save_failed(str): autosave failed (disk full …); the argument is the message for the clerk.
        identity_changed(str): `identity_problem` changed (enrolment); the problem, or "" when intake may go on.
        attach_finished(object): a scan started with `start_attach_file`/`start_attach_scan` finished; its
            `AttachOutcome` (on the draft, or why not in Chinese).
    """

    case_submitted = Signal(object)
    case_updated = Signal(str)
    identity_changed = Signal(str)
    draft_saved = Signal(str)
    draft_save_failed = Signal(str)
    attach_finished = Signal(object)
    _attach_reported = Signal()  # emitted by a scan worker; queued to this object's (the GUI) thread

    def __init__(
        self,
        *,
        store: Store,
        config: Config,
        item_lookup: Callable[[str], ServiceItem | None],
        calendar: HolidayCalendar | None = None,
        receipts: ReceiptPrinter | None = None,
        clock: Clock = _utc_now,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._config = config
        self._identity_problem: str | None = None
        self._lookup = item_lookup
        self._calendar = calendar if calendar is not None else load_holiday_calendar()
        self.receipts = receipts
        self._clock = clock
        self._pending: IntakeDraft | None = None
        self._pending_key = DRAFT_KEY  # the owner's key, fixed when the autosave is scheduled
        self._clerk = ""
        self._recovery_gate: Callable[[], object] | None = None
        self._open: IntakeDraft | None = None  # the draft on the clerk's form (retention never touches it)
        self._autosave = QTimer(self)
        self._autosave.setObjectName("intake_autosave_timer")
        self._autosave.setSingleShot(True)
        self._autosave.setInterval(AUTOSAVE_DELAY_MS)
        self._autosave.timeout.connect(self._save_pending)
        self._attach_jobs: list[AttachJob] = []
        self._attach_reported.connect(self._collect_attachments)
        self._held: dict[str, IntakeDraft] = {}  # drafts a page keeps itself (`hold`): never autosaved
        self._usage: Counter[str] = Counter(stored.case.item_code for stored in store.cases.list_recent(limit=500))

    # --- items ---------------------------------------------------------------------------------------------

    def set_recovery_gate(self, gate: Callable[[], object]) -> None:
        """`gate()` is called before a draft is recovered: the terminal waits there for the retention purge running
        on its worker, so that a draft past retention is never offered (issue 13 moved the purge off this thread)."""
        self._recovery_gate = gate

    def use_config(self, config: Config, *, identity_problem: str | None = None) -> None:
        """Use a new configuration from now on (e.g. the identity assigned at enrolment); `identity_problem` (Chinese)
        stops intake until a later call clears it."""
        self._config = config
        self._identity_problem = identity_problem
        self.identity_changed.emit(self.identity_problem or "")

    @property
    def identity_problem(self) -> str | None:
        """Why this terminal may not take cases now (no identity of its own, or one that does not fit), else None.

        Case numbers are unique city-wide only when every terminal numbers with its own identity: a terminal that
        was never enrolled (and has no terminal code configured) or whose enrolled identity does not fit takes no
        case until that is fixed.
        """
        if self._identity_problem:
            return self._identity_problem
        if not self._config.terminal_code:
            return NOT_ENROLLED_ZH
        return None

    def _check_identity(self) -> None:
        problem = self.identity_problem
        if problem is not None:
            log.warning("intake refused: this terminal has no usable identity")
            raise UserFacingError(problem, detail="no_identity")

    def usage_boost(self) -> dict[str, float]:
        """Item code → score for catalogue search: items this terminal used recently and often rank first."""
        return {code: float(n) for code, n in self._usage.items()}

    def item(self, code: str) -> ServiceItem | None:
        return self._lookup(code)

    # --- drafts --------------------------------------------------------------------------------------------

    def start(self, *, item_code: str) -> IntakeDraft:
        """A new draft for the item (materials from its checklist); raises LookupError for an unknown code, and
        UserFacingError while the terminal has no usable identity (`identity_problem`)."""
        self._check_identity()
        item = self._lookup(item_code)
        if item is None:
            raise LookupError(item_code)
        draft = new_draft(item)
        self.autosave(draft=draft)
        return draft

    def change_item(self, *, draft: IntakeDraft, item_code: str) -> IntakeDraft:
        """Switch the draft to another item, keeping applicant, agent and delivery address."""
        fresh = self.start(item_code=item_code)
        fresh.draft_id = draft.draft_id
        fresh.applicant = draft.applicant
        fresh.agent = draft.agent
        fresh.delivery_address, fresh.delivery_postcode = draft.delivery_address, draft.delivery_postcode
        item = self._lookup(item_code)
        assert item is not None
        refresh_applicability(fresh, item)
        self.autosave(draft=fresh)
        return fresh

    def refresh(self, *, draft: IntakeDraft) -> None:
        """After the agent or a 情形 answer changed: recompute which conditional materials apply, then autosave."""
        item = self._lookup(draft.item_code)
        if item is not None:
            refresh_applicability(draft, item)
        self.autosave(draft=draft)

    def set_clerk(self, staff_no: str | None) -> None:
        """Who is at the counter now ("" or None: nobody). Drafts are saved under, and given back to, their clerk."""
        self._clerk = staff_no or ""

    def autosave(self, *, draft: IntakeDraft) -> None:
        """Save the draft shortly (debounced: a burst of keystrokes is one write), as the signed-in clerk's."""
        if self._pending is not None and self._pending_key != draft_key(self._clerk):
            self.flush_draft()  # the previous clerk's unsaved keystrokes go to the previous clerk
        self._pending = draft
        self._pending_key = draft_key(self._clerk)
        self._open = draft
        self._autosave.start()

    def in_use(self) -> InUse:
        """The open form's saved draft and scans, which retention must keep whatever the clock says (a clock
        jumping past the retention period must not delete the form the clerk is filling in). Call on the GUI
        thread; the snapshot may go to a worker."""
        held = frozenset(a.sha256 for d in self._held.values() for m in d.materials for a in m.attachments)
        draft = self._open
        if draft is None:
            return InUse(scans=held)
        scans = frozenset(a.sha256 for m in draft.materials for a in m.attachments)
        return InUse(drafts=frozenset({self._pending_key, draft_key(self._clerk)}), scans=scans | held)

    def hold(self, draft: IntakeDraft) -> None:
        """Scans are attached to `draft` like to any draft (`start_attach_file`, `start_attach_scan`), but the
        draft is the caller's own and never autosaved (the 一件事 page's scans, taken in with its members); while
        held, retention keeps its scans. `release` when the page is done with it."""
        self._held[draft.draft_id] = draft

    def release(self, draft: IntakeDraft) -> None:
        self._held.pop(draft.draft_id, None)

    def flush_draft(self) -> None:
        """Write a pending autosave now (sign-out, window close, before submit).

        Scans being saved are finished first (a bounded wait), so that closing or signing out during an attach
        loses no scan. Also retries an autosave that failed (disk full, database busy): its draft is still pending.
        """
        if not self.finish_attachments(ATTACH_WAIT_S):
            log.warning("a scan was still being saved after %.0f s; it is not on the draft", ATTACH_WAIT_S)
        self._autosave.stop()
        self._save_pending()

    @Slot()
    def _save_pending(self) -> None:
        draft = self._pending
        if draft is None:
            return
        try:
            self._store.drafts.put(self._pending_key, draft_to_json(draft))
        except StoreError as exc:
            log.warning("draft %s not autosaved: %s", draft.draft_id, exc.code)
            self.draft_save_failed.emit(exc.message)
            return
        self._pending = None
        self.draft_saved.emit(draft.draft_id)

    def recovered_draft(self) -> IntakeDraft | None:
        """The signed-in clerk's draft left by the last run (crash, power cut, sign-out), or None. Another clerk's
        draft is never returned: the case would be recorded under the wrong clerk.

        A draft whose item has left the catalogue since is returned too (`item(draft.item_code)` is then None):
        what the clerk typed about the applicant must not be lost; `change_item` carries it to another item.
        """
        if self._recovery_gate is not None:
            self._recovery_gate()
        key = draft_key(self._clerk)
        try:
            payload = self._store.drafts.get(key)
            if payload is None and self._clerk:
                payload = self._adopt_unowned_draft(key)
        except StoreError as exc:
            log.warning("saved draft unreadable: %s", exc.code)
            return None
        if payload is None:
            return None
        try:
            draft = draft_from_json(payload)
        except DraftFormatError:
            log.warning("saved draft has an unknown shape; ignored")
            return None
        if self._lookup(draft.item_code) is None:
            log.info("saved draft %s is for an item no longer in the catalogue", draft.draft_id)
        self._open = draft
        return draft

    def _adopt_unowned_draft(self, key: str) -> dict[str, Any] | None:
        """A draft saved under the unowned key (by a version before per-clerk drafts) is this clerk's when the
        audit log shows this clerk was the last to sign in before it was saved: it moves to the clerk's key."""
        info = next((d for d in self._store.drafts.list() if d.key == DRAFT_KEY), None)
        if info is None:
            return None
        owner = next(
            (e.actor for e in self._store.audit.list(action="signed_in", limit=1000) if e.at <= info.updated_at), None
        )
        if owner != self._clerk:
            return None
        payload = self._store.drafts.get(DRAFT_KEY)
        if payload is not None:
            with self._store.transaction():
                self._store.drafts.put(key, payload)
                self._store.drafts.delete(DRAFT_KEY)
            log.info("the unowned draft was saved while %s was signed in: it is now theirs", self._clerk)
        return payload

    def _forget_draft(self, draft_id: str) -> None:
        """After a submit: drop the autosaved draft if it is this one (scripted intake leaves the clerk's alone)."""
        if self._pending is not None and self._pending.draft_id == draft_id:
            self._autosave.stop()
            self._pending = None
        if self._open is not None and self._open.draft_id == draft_id:
            self._open = None
        key = draft_key(self._clerk)
        try:
            saved = self._store.drafts.get(key)
            if saved is not None and saved.get("draft_id") == draft_id:
                self._store.drafts.delete(key)
        except StoreError as exc:  # the case is committed; a stale draft only shows a banner next start
            log.warning("draft not removed after submit: %s", exc.code)

    def discard_draft(self) -> None:
        """Delete the draft (the clerk confirmed). Raises UserFacingError when the store cannot write; the saved
        draft then stays."""
        self._autosave.stop()
        try:
            self._store.drafts.delete(draft_key(self._clerk))
        except StoreError as exc:
            raise UserFacingError(exc.message, detail=exc.code) from exc
        self._pending = None
        self._open = None

    # --- checks --------------------------------------------------------------------------------------------

    def check_field(self, *, path: str, value: str) -> str | None:
        """Inline check as focus leaves a field: None when fine, else the reason in Chinese."""
        return check_field(path, value)

    def check(self, *, draft: IntakeDraft) -> CheckedDraft | list[FieldError]:
        return check_draft(draft, self._lookup(draft.item_code))

    # --- attachments ---------------------------------------------------------------------------------------

    def attach_file(self, *, draft: IntakeDraft, material_code: str, path: Path) -> Attachment:
        """Attach a scan from a file; raises AttachmentError (type by content, size) or UserFacingError (disk)."""
        data, media_type = read_checked(path)
        return self._attach(draft, material_code, data, display_filename(path.name, media_type), media_type)

    def attach_scan(self, *, draft: IntakeDraft, material_code: str, data: bytes, filename: str) -> Attachment:
        """Attach bytes from the document scanner; same checks as a file."""
        media_type = check_content(data)
        return self._attach(draft, material_code, data, display_filename(filename, media_type), media_type)

    def start_attach_file(self, *, draft: IntakeDraft, material_code: str, path: Path) -> None:
        """Like `attach_file`, but the file is read, checked, encrypted and written on a worker thread; the result
        comes as `attach_finished`. Raises AttachmentError at once for a material the draft does not have."""
        self._start_attach(draft, material_code, path.name, lambda: read_checked(path))

    def start_attach_scan(self, *, draft: IntakeDraft, material_code: str, data: bytes, filename: str) -> None:
        """Like `attach_scan`, on a worker thread (see `start_attach_file`)."""
        self._start_attach(draft, material_code, filename, lambda: (data, check_content(data)))

    def attaching(self, draft: IntakeDraft | None = None) -> bool:
        """Whether a scan (of this draft's, or of any) is still being saved."""
        return any(draft is None or job.draft.draft_id == draft.draft_id for job in self._attach_jobs)

    def finish_attachments(self, timeout: float) -> bool:
        """Wait (bounded) for the scans being saved and put them on their drafts now, on this thread. False when
        one is still running after `timeout` seconds (it is then not on the draft; its file goes as an orphan)."""
        for job in list(self._attach_jobs):
            if job.thread is not None:
                job.thread.join(timeout)
        self._collect_attachments()
        return not self._attach_jobs

    def _start_attach(self, draft: IntakeDraft, code: str, name: str, load: Callable[[], tuple[bytes, str]]) -> None:
        if draft.material(code) is None:
            raise AttachmentError("该事项没有这项材料", code="no_material")
        job = AttachJob(draft=draft, material_code=code, name=name, load=load)
        blobs = self._store.blobs
        report = self._attach_reported.emit
        job.thread = threading.Thread(target=run_job, args=(job, blobs, report), name="scan-attach", daemon=False)
        self._attach_jobs.append(job)
        job.thread.start()

    @Slot()
    def _collect_attachments(self) -> None:
        for job in [j for j in self._attach_jobs if j.done.is_set()]:
            self._attach_jobs.remove(job)
            outcome = self._finish_attach(job)
            with contextlib.suppress(RuntimeError):  # closed meanwhile
                self.attach_finished.emit(outcome)

    def _finish_attach(self, job: AttachJob) -> AttachOutcome:
        """On the GUI thread: commit the staged file's row and put the scan on the draft (the open one if the
        clerk changed the item meanwhile: same draft id, new object)."""
        draft = self._open if self._open is not None and self._open.draft_id == job.draft.draft_id else job.draft
        done = AttachOutcome(draft_id=draft.draft_id, material_code=job.material_code)
        if job.error is not None or job.staged is None:
            code, message = job.error or ("failed", "保存扫描件时出错，本次未保存，请重试。")
            (log.info if job.refused else log.warning)("attachment to draft %s not saved: %s", draft.draft_id, code)
            return dataclasses.replace(done, code=code, message=message)
        try:
            attachment = self._store.blobs.index(job.staged, filename=job.filename)
        except StoreError as exc:
            log.warning("attachment to draft %s not indexed: %s", draft.draft_id, exc.code)
            return dataclasses.replace(done, code=exc.code, message=exc.message)
        material = draft.material(job.material_code)
        if material is None:  # the item changed to one without this material while the scan was saved
            return dataclasses.replace(done, code="no_material", message="该事项没有这项材料")
        self._add_attachment(draft, material.code, attachment)
        return dataclasses.replace(done, attachment=attachment)

    def remove_attachment(self, *, draft: IntakeDraft, material_code: str, sha256: str) -> None:
        material = draft.material(material_code)
        if material is not None:
            material.attachments = [a for a in material.attachments if a.sha256 != sha256]
            self.autosave(draft=draft)

    def _attach(self, draft: IntakeDraft, code: str, data: bytes, filename: str, media_type: str) -> Attachment:
        material = draft.material(code)
        if material is None:
            raise AttachmentError("该事项没有这项材料", code="no_material")
        try:
            attachment = self._store.blobs.put(data, filename=filename, media_type=media_type)
        except StoreError as exc:
            raise UserFacingError(exc.message, detail=exc.code) from exc
        self._add_attachment(draft, code, attachment)
        return attachment

    def _add_attachment(self, draft: IntakeDraft, code: str, attachment: Attachment) -> None:
        material = draft.material(code)
        assert material is not None
        if all(a.sha256 != attachment.sha256 for a in material.attachments):
            material.attachments.append(attachment)
        log.info(
            "attachment %s (%s, %d bytes) added to draft %s",
            attachment.sha256[:12],
            attachment.media_type,
            attachment.size,
            draft.draft_id,
        )
        if draft.draft_id not in self._held:
            self.autosave(draft=draft)

    def _drop_lost_scans(self, draft: IntakeDraft) -> list[FieldError]:
        """Scans whose file is gone or damaged (a purge, a power cut) leave the draft, and the clerk is asked to
        scan them again: a case is never saved as if complete without them (issue 22)."""
        item = self._lookup(draft.item_code)
        names = {m.code: m.name for m in item.materials} if item is not None else {}
        errors: list[FieldError] = []
        for material in draft.materials:
            intact = [a for a in material.attachments if self._store.blobs.intact(a.sha256)]
            if len(intact) == len(material.attachments):
                continue
            lost = len(material.attachments) - len(intact)
            log.warning("draft %s: %d scan(s) of material %s are missing locally", draft.draft_id, lost, material.code)
            material.attachments = intact
            errors.append(
                FieldError(
                    f"materials.{material.code}",
                    names.get(material.code, material.code),
                    f"有 {lost} 份扫描件已丢失（文件不存在或已损坏），已从本材料中移除，请重新扫描后再提交",
                )
            )
        if errors:
            self.autosave(draft=draft)
        return errors

    # --- submit --------------------------------------------------------------------------------------------

    def submit(
        self,
        *,
        draft: IntakeDraft,
        staff_no: str,
        decision: Decision = Decision.RECEIVE,
        refusal_reason: str = "",
        print_receipt: bool = True,
    ) -> SubmitResult:
        """Check and commit the case in one transaction; then print its receipt (if a receipt service is wired).

        Raises SubmitRefusedError (fields to fix, nothing stored) or UserFacingError (disk full …, nothing stored;
        the draft stays saved). With missing materials and `Decision.RECEIVE` the case is received and the
        receipt step adds the 一次性告知书; with `Decision.REFUSE` the case is recorded as 不予收件. The members of a
        一件事 are submitted together with `submit_bundle`.
        """
        self._check_identity()
        if self.attaching(draft):  # the scan must be on the case: it waits until the scan is saved
            raise UserFacingError(ATTACH_IN_FLIGHT_ZH, detail="attach_in_flight")
        checked = self.check(draft=draft)
        errors = list(checked) if isinstance(checked, list) else []
        reason, reason_error = self._refusal_reason(decision, refusal_reason)
        if reason_error is not None:
            errors.append(reason_error)
        if errors or isinstance(checked, list):
            raise SubmitRefusedError(errors)
        lost = self._drop_lost_scans(draft)
        if lost:
            raise SubmitRefusedError(lost)
        case = self.build_case(checked, draft=draft, staff_no=staff_no, decision=decision, reason=reason)
        try:
            saved = self._store.save_case(case, actor=staff_no)
        except StoreError as exc:
            raise UserFacingError(exc.message, detail=exc.code) from exc
        self._usage[case.item_code] += 1
        self._forget_draft(draft.draft_id)
        log.info("case %s submitted (%s) by %s", saved.case.case_no, saved.case.state.value, staff_no)
        self.case_submitted.emit(saved.case)
        job = None
        if print_receipt and self.receipts is not None and saved.case.state is CaseState.RECEIVED:
            job = self.receipts.print_case(case=saved.case, staff_no=staff_no)
        return SubmitResult(saved.case, job)

    def submit_bundle(
        self, *, drafts: list[IntakeDraft], staff_no: str, bundle_code: str, bundle_name: str
    ) -> SavedBundle:
        """Receive a 一件事: one case per member draft and the parent case with a number of its own, all in one
        store transaction (nothing is stored when one member is refused). No receipt is printed here: the bundle's
        one receipt lists every member (`receipts.print_bundle_receipt`).

        Raises SubmitRefusedError (the first refused member's fields) or UserFacingError (disk full …).
        """
        self._check_identity()
        if any(self.attaching(d) for d in drafts):
            raise UserFacingError(ATTACH_IN_FLIGHT_ZH, detail="attach_in_flight")
        bundle_id = f"{bundle_code}-{uuid.uuid4().hex[:16]}"
        cases: list[Case] = []
        for draft in drafts:
            checked = self.check(draft=draft)
            if isinstance(checked, list):
                raise SubmitRefusedError(checked)
            lost = self._drop_lost_scans(draft)
            if lost:
                raise SubmitRefusedError(lost)
            case = self.build_case(checked, draft=draft, staff_no=staff_no, decision=Decision.RECEIVE, reason="")
            cases.append(dataclasses.replace(case, bundle_id=bundle_id))
        try:
            saved = self._store.save_bundle(cases, bundle_code=bundle_code, bundle_name=bundle_name, actor=staff_no)
        except StoreError as exc:
            raise UserFacingError(exc.message, detail=exc.code) from exc
        for draft, member in zip(drafts, saved.members, strict=True):
            self._usage[member.case.item_code] += 1
            self._forget_draft(draft.draft_id)
        log.info(
            "bundle %s (%s) submitted by %s: %d member case(s)",
            saved.parent.case_no,
            bundle_code,
            staff_no,
            len(saved.members),
        )
        for member in saved.members:
            self.case_submitted.emit(member.case)
        return saved

    def precheck(self, *, draft: IntakeDraft, decision: Decision, refusal_reason: str = "") -> list[FieldError]:
        """Every refusal `submit` would give for these inputs (fields in form order), without storing anything."""
        checked = self.check(draft=draft)
        errors = list(checked) if isinstance(checked, list) else []
        _reason, reason_error = self._refusal_reason(decision, refusal_reason)
        if reason_error is not None:
            errors.append(reason_error)
        return errors

    @staticmethod
    def _refusal_reason(decision: Decision, text: str) -> tuple[str, FieldError | None]:
        """The checked 不予收件 reason ("" when receiving), or the error that refuses it."""
        if decision is not Decision.REFUSE:
            return "", None
        result = check_free_text(text, label="不予收件理由", limit=200, required=True)
        if isinstance(result, Invalid):
            return "", FieldError("refusal_reason", LABELS["refusal_reason"], result.message_zh)
        return result.value, None

    def record_tracking_number(self, *, case_no: str, tracking_no: str, staff_no: str) -> None:
        """The originals were mailed: record the tracking number (a synced event). Raises SubmitRefusedError for
        an empty or bad number, LookupError for an unknown case, UserFacingError when the store fails."""
        result = check_free_text(tracking_no, label="原件邮寄单号", limit=40, required=True, identifier=True)
        if isinstance(result, Invalid):
            raise SubmitRefusedError(
                [FieldError("routing.tracking_no", LABELS["routing.tracking_no"], result.message_zh)]
            )
        try:
            event = self._store.case_events.record_tracking_number(case_no, result.value, actor=staff_no)
        except StoreError as exc:
            raise UserFacingError(exc.message, detail=exc.code) from exc
        if event is None:
            raise LookupError(case_no)
        log.info("tracking number recorded for case %s", case_no)
        self.case_updated.emit(case_no)

    def build_case(
        self, checked: CheckedDraft, *, draft: IntakeDraft, staff_no: str, decision: Decision, reason: str
    ) -> Case:
        item = checked.item
        now = self._clock()
        completion = self._calendar.expected_completion(hall_time.today(now), item.promised_days)
        cfg = self._config
        return Case(
            record_id=str(uuid.uuid4()),
            case_no="",
            item_code=item.code,
            item_name=item.name,
            state=CaseState.REFUSED if decision is Decision.REFUSE else CaseState.RECEIVED,
            applicant=checked.applicant,
            routing=Routing(
                division=cfg.division,
                hall=cfg.hall_code,
                window=cfg.window,
                terminal=cfg.terminal_code,
                staff_no=staff_no,
                department=item.department,
                jurisdiction=item.jurisdiction,
                originals=checked.originals,
                tracking_no=checked.tracking_no,
            ),
            delivery=checked.delivery,
            materials=checked.materials,
            agent=checked.agent,
            created_at=now,
            expected_date=None if decision is Decision.REFUSE else completion.date,
            expected_is_estimate=completion.is_estimate and decision is not Decision.REFUSE,
            refusal_reason=reason,
        )
