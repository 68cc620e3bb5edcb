"""Today's cases at this terminal: rows for the list (personal values masked), search, state filter, detail."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, Signal, Slot

from app.domain import hall_time
from app.domain.case_number import format_grouped
from app.domain.masking import Field, Surface, mask_for
from app.domain.models import Case, CaseState, EnterpriseApplicant
from offline_cache import Store

Clock = Callable[[], dt.datetime]

STATE_LABELS: dict[CaseState, str] = {
    CaseState.DRAFT: "草稿",
    CaseState.RECEIVED: "已收件",
    CaseState.REFUSED: "不予收件",
    CaseState.FORWARDED: "已转办",
    CaseState.ACCEPTED: "已受理",
    CaseState.REJECTED: "不予受理",
    CaseState.SUPPLEMENT: "需补正",
    CaseState.COMPLETED: "已办结",
    CaseState.DELIVERED: "已送达",
}
SYNC_LABELS = {"pending": "待上传", "sent": "已上传", "dead": "被退回", "": "—"}


@dataclass(frozen=True, slots=True)
class CaseRow:
    case_no: str
    case_no_grouped: str
    item_name: str
    applicant_masked: str
    created_at: dt.datetime
    state: CaseState
    state_label: str
    sync_label: str
    rating_label: str


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _masked_name(case: Case) -> str:
    if isinstance(case.applicant, EnterpriseApplicant):
        return case.applicant.name  # an enterprise name is not personal data
    return mask_for(Surface.SCREEN_LIST, Field.NAME, case.applicant.name)


class CaseListService(QObject):
    """Signals:
    cases_changed(): a case was added or its state changed (submit, or an update from the platform); re-query.
    """

    cases_changed = Signal()

    def __init__(self, *, store: Store, clock: Clock = _utc_now, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        #: The last listing's rows (masked, as shown) and what it was for: typing in the search box filters these
        #: instead of reading and decrypting every row again per keystroke (issue 13).
        self._listed: tuple[tuple[dt.datetime, CaseState | None, int], list[CaseRow]] | None = None

    def today(self, *, text: str = "", state: CaseState | None = None, limit: int = 500) -> list[CaseRow]:
        """This terminal's cases since midnight in the hall (its time zone, not the PC's), newest first; `text`
        matches the number (digits, with or without separators) or the masked name as shown.

        An empty `text` (opening the list, clearing the search) reads the store; a search filters that listing
        until a case changes (`notify_changed`)."""
        midnight, _end = hall_time.day_bounds(hall_time.today(self._clock()))
        needle = text.strip()
        key = (midnight, state, limit)
        if not needle or self._listed is None or self._listed[0] != key:
            stored = self._store.cases.list_recent(limit=limit, states=(state,) if state else (), since=midnight)
            self._listed = (key, [self._row(s.case) for s in stored])
        listed = self._listed[1]
        if not needle:
            return list(listed)
        digits = "".join(c for c in needle if c.isdigit())
        return [
            row
            for row in listed
            if (digits and digits in row.case_no) or needle in row.applicant_masked or needle in row.item_name
        ]

    def detail(self, *, case_no: str) -> Case | None:
        stored = self._store.cases.get_by_no(case_no)
        return stored.case if stored else None

    def _row(self, case: Case) -> CaseRow:
        entry = self._store.outbox.get(case.record_id)
        ratings = self._store.ratings.for_case(case.case_no)
        parent = self._store.bundles.of_bundle(case.bundle_id) if not ratings else None
        if parent is not None:  # 一事一评: a 一件事 member shows the bundle's rating (under the parent's number)
            ratings = self._store.ratings.for_case(parent.case_no)
        if any(r.level is not None for r in ratings):
            rating = f"已评价（{max(r.level or 0 for r in ratings)}分）"
        elif ratings:
            rating = "未评价"
        else:
            rating = "—"
        return CaseRow(
            case_no=case.case_no,
            case_no_grouped=format_grouped(case.case_no),
            item_name=case.item_name,
            applicant_masked=_masked_name(case),
            created_at=case.created_at,
            state=case.state,
            state_label=STATE_LABELS.get(case.state, case.state.value),
            sync_label=SYNC_LABELS.get(str(entry.state) if entry else "", "—"),
            rating_label=rating,
        )

    @Slot()
    @Slot(object)
    def notify_changed(self, *_args: object) -> None:
        """Connect `IntakeService.case_submitted` and the sync engine's case-update signal here."""
        self._listed = None
        self.cases_changed.emit()
