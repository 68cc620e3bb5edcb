"""好差评 at the counter: ask for a rating, take the citizen's answer, record 未评价 on timeout.

Rules (DOMAIN.md 好差评, issue 5):
- 一次一评 / 一事一评: one rating per service act; a case that already has a rating cannot be asked again; a
  consultation (no case) is one service act, rated once.
- Only the citizen-facing screen submits: `submit` needs the `CitizenDevice` that `register_citizen_screen` handed
  to that screen; the clerk's window never gets one.
- A rating is final: once stored its request is closed and a second submit (a double tap) is refused.
- No answer within `rating.timeout_seconds` → a rating with outcome 未评价 (`unrated`), never a default level.
- Durable before visible: the rating, its outbox entry and audit entry (plus the supervisor event of a 差评) are
  one transaction; `rating_saved` is emitted only after the commit.
- A request survives a crash: it is stored as pending; `resume_pending()` asks again (or records 未评价 when its
  time ran out meanwhile).

Signals:
    rating_requested(prompt: RatingPrompt, initiator: object): the citizen screen should ask now.
    rating_saved(rating: Rating, initiator: object): a rating (rated or unrated) was committed.
    bad_rating_reported(rating: Rating): a 差评 was committed together with its supervisor event.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import unicodedata
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from app.config import Config
from app.domain import hall_time
from app.domain.case_number import CaseNumber, parse_case_number
from app.domain.masking import mask_numbers_in_text, mask_phone
from app.domain.models import (
    RATING_REASONS,
    RATING_TAGS,
    Case,
    EnterpriseApplicant,
    PersonApplicant,
    Rating,
    RatingChannel,
    RatingLevel,
    RatingOutcome,
)
from app.services.errors import UserFacingError
from offline_cache import Store, StoreError
from offline_cache.bundles import BundleParent
from offline_cache.cases import StoredCase
from offline_cache.daily_figures import read_daily_figures
from offline_cache.errors import RatingAlreadyRecordedError
from offline_cache.rating_requests import (
    PendingRequest,
    pending_for_case,
    pending_requests,
    record_request,
    request_state,
    save_event,
)

log = logging.getLogger("tongban.ratings")

Clock = Callable[[], dt.datetime]
StaffNames = Callable[[str], str]

#: Longest free text kept (characters, after cleaning). The on-screen input stops at this length too.
MAX_TEXT_CHARS = 200
#: Who the audit log names for a rating: the citizen, never the clerk.
CITIZEN_ACTOR = "citizen"
TIMEOUT_ACTOR = "rating_timeout"
BAD_RATING_EVENT = "bad_rating"


#: What a failed write raises (the UI may not import offline_cache): the message is plain Chinese.
RatingStoreError = StoreError


class RatingRefusedError(UserFacingError):
    """A rating request or answer that the rules do not allow; the message says why, in Chinese."""


class RatingAlreadyGivenError(RatingRefusedError):
    """The service act was rated meanwhile (another rating screen on the same data, or its 未评价 timeout): this
    answer was not stored. The message is "已评价，谢谢"."""


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def sanitize_text(text: str, *, limit: int = MAX_TEXT_CHARS) -> str:
    """The citizen's free text made safe to store, sync, print and export.

    NFC; control, format, private-use and unassigned characters removed (line breaks and tabs become spaces);
    whitespace runs collapsed; trimmed; ID and phone numbers masked (DOMAIN.md: none in a rating record); cut to
    `limit` characters. Markup such as `<script>` is kept as plain text:
    every renderer (report PDF, CSV, labels) escapes it, so it is data, never code.
    """
    out: list[str] = []
    for char in unicodedata.normalize("NFC", text[: limit * 8]):
        category = unicodedata.category(char)
        if char.isspace():
            out.append(" ")
        elif category in {"Cc", "Cf", "Co", "Cs"} or (category == "Cn" and not _is_cjk_extension(char)):
            continue
        else:
            out.append(char)
    return mask_numbers_in_text(" ".join("".join(out).split()))[:limit].rstrip()


def _is_cjk_extension(char: str) -> bool:
    """Chinese characters newer than Python's Unicode tables (they read as unassigned) are kept."""
    code = ord(char)
    return 0x20000 <= code <= 0x3FFFF or 0x3400 <= code <= 0x4DBF


@dataclass(frozen=True, slots=True)
class RatingPrompt:
    """What the citizen screen shows while a rating is asked for. Personal values are masked already."""

    service_act_id: str
    case_no: str | None  # None for a consultation
    item_code: str | None
    item_name: str
    staff_no: str
    staff_name: str
    phone_masked: str  # the case's contact phone, masked, for the 实名回访 consent; "" when there is none
    requested_at: dt.datetime
    deadline: dt.datetime
    channel: RatingChannel = RatingChannel.COUNTER_DEVICE  # kiosk: the citizen rates their own case there


@dataclass(frozen=True, slots=True)
class TodayFigures:
    rated: int
    good: int
    bad: int
    unrated: int

    @property
    def good_share(self) -> float | None:
        """好评 share of the ratings given (None before the first one)."""
        return self.good / self.rated if self.rated else None


class CitizenDevice:
    """Proof that a caller is the citizen-facing screen (handed out by `register_citizen_screen`)."""

    __slots__ = ("channel", "name")

    def __init__(self, name: str, channel: RatingChannel) -> None:
        self.name = name
        self.channel = channel


class RatingService(QObject):
    """Owns the rating requests of this terminal and the one active prompt of its citizen screen."""

    rating_requested = Signal(object, object)
    rating_saved = Signal(object, object)
    bad_rating_reported = Signal(object)

    def __init__(
        self,
        *,
        store: Store,
        config: Config,
        clock: Clock = _utc_now,
        staff_names: StaffNames | None = None,
        timeout: dt.timedelta | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._config = config
        self._clock = clock
        self._staff_names = staff_names or (lambda staff_no: "")
        self._timeout = timeout or dt.timedelta(seconds=config.rating.timeout_seconds)
        self._devices: list[CitizenDevice] = []
        self._active: RatingPrompt | None = None
        self._timer = QTimer(self)
        self._timer.setObjectName("rating_timeout_timer")
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._on_timeout)

    # --- the citizen screen ----------------------------------------------------------------------------------

    def use_config(self, config: Config) -> None:
        """Use a new configuration from now on (e.g. the identity assigned at enrolment)."""
        self._config = config

    def register_citizen_screen(self, name: str = "rating_screen") -> CitizenDevice:
        """Called once by the citizen-facing window; only the device returned here may submit ratings."""
        device = CitizenDevice(name, RatingChannel.COUNTER_DEVICE)
        self._devices.append(device)
        return device

    def register_kiosk_screen(self, name: str = "kiosk") -> CitizenDevice:
        """Called once by the self-service kiosk's window: its ratings carry channel `kiosk`."""
        device = CitizenDevice(name, RatingChannel.KIOSK)
        self._devices.append(device)
        return device

    def request_kiosk_rating(self, *, case_no: str, initiator: object = None) -> RatingPrompt:
        """The citizen at a kiosk rates their own case (checked by the kiosk's progress query): once per case.

        The rating names the clerk who received the case. Raises RatingRefusedError like `request_rating`.
        """
        stored, _parent = self._subject(case_no)  # a 一件事's own number: the bundle, rated once under it
        if stored is None:
            raise RatingRefusedError("本机没有该办件的记录，无法在此评价。请扫描回执上的二维码用手机评价。")
        return self.request_rating(
            case_no=case_no,
            item_code=stored.case.item_code,
            staff_no=stored.case.routing.staff_no,
            channel=RatingChannel.KIOSK,
            initiator=initiator,
        )

    @property
    def active_prompt(self) -> RatingPrompt | None:
        return self._active

    def staff_name(self, staff_no: str) -> str:
        """The clerk's display name for the citizen screen ("" when unknown)."""
        return self._staff_names(staff_no) if staff_no else ""

    @property
    def timeout(self) -> dt.timedelta:
        return self._timeout

    def keep_alive(self, *, service_act_id: str) -> None:
        """The citizen is still choosing (a tap on the reasons page): restart the timeout."""
        if self._active is None or self._active.service_act_id != service_act_id:
            return
        self._active = dataclasses.replace(self._active, deadline=self._clock() + self._timeout)
        self._arm(self._timeout)

    def submit(
        self,
        *,
        device: CitizenDevice,
        service_act_id: str,
        level: RatingLevel | int,
        reasons: Iterable[str] = (),
        tags: Iterable[str] = (),
        text: str = "",
        callback_consent: bool = False,
        initiator: object = None,
    ) -> Rating:
        """Store the citizen's rating (one transaction), close the request. Raises RatingRefusedError, StoreError."""
        if not any(device is known for known in self._devices):
            raise RatingRefusedError("评价只能由办事群众在评价器上提交，工作人员不能代为评价。")
        prompt = self._active
        if prompt is None or prompt.service_act_id != service_act_id:
            raise RatingRefusedError("本次评价已结束，不能再次提交或修改。")
        if prompt.channel is not device.channel:
            raise RatingRefusedError("该评价请在发起评价的设备上提交。")
        try:
            level = RatingLevel(level)
        except ValueError as exc:
            raise RatingRefusedError("评价等级无效。") from exc
        chosen_reasons = _pick(reasons, RATING_REASONS) if level.needs_reasons else ()
        if level.is_bad and not chosen_reasons:
            raise RatingRefusedError("请至少选择一项不满意的原因。")
        rating = self._rating(
            prompt,
            channel=device.channel,
            outcome=RatingOutcome.RATED,
            level=level,
            rated_at=self._clock(),
            reasons=chosen_reasons,
            tags=_pick(tags, RATING_TAGS) if level.is_good else (),
            text=sanitize_text(text) if level.needs_reasons else "",
            callback_consent=bool(callback_consent) and level.needs_reasons and prompt.case_no is not None,
        )
        self._active = None  # a second tap arriving while we write finds nothing to answer
        self._timer.stop()
        try:
            self._save(rating, actor=CITIZEN_ACTOR)
        except RatingAlreadyRecordedError as exc:  # another screen (process) stored this act's rating first
            log.info("service act %s was already rated elsewhere; this answer is not stored", service_act_id)
            raise RatingAlreadyGivenError(exc.message) from exc
        except BaseException:
            self._active = prompt
            self._arm(max(prompt.deadline - self._clock(), dt.timedelta(0)))
            raise
        log.info("rating %s stored for service act %s: level %d", rating.rating_id, service_act_id, level)
        self.rating_saved.emit(rating, initiator)
        if level.is_bad:
            self.bad_rating_reported.emit(rating)
        return rating

    # --- the clerk's side --------------------------------------------------------------------------------------

    def request_rating(
        self,
        *,
        case_no: str | None,
        item_code: str | None,
        staff_no: str,
        service_act_id: str | None = None,
        channel: RatingChannel = RatingChannel.COUNTER_DEVICE,
        initiator: object = None,
    ) -> RatingPrompt:
        """Ask the citizen screen for a rating of a case just finished, or of a consultation (`case_no=None`).

        Asking again for a case whose request is still open returns that request (a double click). A case that
        already has a rating, a case that does not exist, or a service act already answered is refused. A request
        still open for an earlier service act is recorded as 未评价 first: the screen asks for one act at a time.
        """
        staff_no = staff_no.strip()
        if not staff_no:
            raise RatingRefusedError("未登录工作人员，无法发起评价。")
        item_name = ""
        phone = ""
        if case_no is not None:
            parsed = parse_case_number(case_no)
            if not isinstance(parsed, CaseNumber):
                raise RatingRefusedError(f"办件编号有误，无法发起评价：{parsed.message_zh}")
            stored, parent = self._subject(parsed.digits)
            if stored is None:
                raise RatingRefusedError(f"未找到办件 {parsed.grouped}，无法发起评价。")
            # 一事一评: a 一件事 is rated once, under its parent's number, whichever member is named.
            case_no = parent.case_no if parent is not None else parsed.digits
            if self._store.ratings.for_case(case_no):
                raise RatingRefusedError("该办件已评价（一事一评），不能重复评价。")
            open_id = pending_for_case(self._store, case_no)
            if open_id is not None and self._active is not None and self._active.service_act_id == open_id:
                return self._active
            item_code, item_name = (
                (parent.bundle_code, parent.bundle_name)
                if parent is not None
                else (item_code or stored.case.item_code, stored.case.item_name)
            )
            applicant = stored.case.applicant
            if isinstance(applicant, PersonApplicant):
                phone = applicant.phone
            elif isinstance(applicant, EnterpriseApplicant):
                phone = applicant.contact_phone
            service_act_id = service_act_id or open_id
        if service_act_id is not None:
            state = request_state(self._store, service_act_id)
            if (state is not None and state != "pending") or self._store.ratings.for_service_act(service_act_id):
                raise RatingRefusedError("本次服务已评价（一次一评），不能重复评价。")
            if self._active is not None and self._active.service_act_id == service_act_id:
                return self._active
        act_id = service_act_id or str(uuid.uuid4())
        if self._active is not None:
            self._expire(self._active)
        now = self._clock()
        record_request(
            self._store,
            service_act_id=act_id,
            case_no=case_no,
            item_code=item_code,
            staff_no=staff_no,
            channel=channel,
            requested_at=now,
        )
        prompt = RatingPrompt(
            service_act_id=act_id,
            case_no=case_no,
            item_code=item_code,
            item_name=item_name,
            staff_no=staff_no,
            staff_name=self._staff_names(staff_no),
            phone_masked=mask_phone(phone) if phone else "",
            requested_at=now,
            deadline=now + self._timeout,
            channel=channel,
        )
        self._activate(prompt, initiator)
        log.info("rating requested for service act %s (case %s)", act_id, case_no or "-")
        return prompt

    @Slot(object)
    def on_case_submitted(self, case: Case) -> None:
        """Connect `IntakeService.case_submitted` here: a case taken in (or refused) is a service act to rate.

        Asking twice for the same case is harmless (the open request is returned), so the clerk's own
        "finish case" action may call `request_rating` as well.
        """
        try:
            self.request_rating(case_no=case.case_no, item_code=case.item_code, staff_no=case.routing.staff_no)
        except RatingRefusedError as exc:
            log.info("no rating asked for case %s: %s", case.case_no, exc.message)

    def resume_pending(self) -> RatingPrompt | None:
        """After a start: ask again for the newest open request; older or overdue ones become 未评价."""
        pending = pending_requests(self._store)
        if not pending:
            return None
        now = self._clock()
        *older, newest = pending
        for request in older:
            self._expire(self._prompt_of(request))
        prompt = self._prompt_of(newest)
        if prompt.deadline <= now:
            self._expire(prompt)
            return None
        self._activate(prompt, None, remaining=prompt.deadline - now)
        log.info("resumed pending rating request for service act %s", prompt.service_act_id)
        return prompt

    def today_figures(self) -> TodayFigures:
        """Today's ratings (the hall's day) at this terminal: count, 好评, 差评, 未评价."""
        start, end = hall_time.day_bounds(hall_time.today(self._clock()))
        raw = read_daily_figures(self._store, start, end)
        counts = raw.ratings_by_level
        return TodayFigures(
            rated=sum(counts.values()),
            good=sum(n for level, n in counts.items() if level.is_good),
            bad=sum(n for level, n in counts.items() if level.is_bad),
            unrated=raw.unrated,
        )

    def abandon(self, *, service_act_id: str) -> Rating | None:
        """The citizen walked away from an open request (the kiosk's idle wipe): 未评价 now, not at the timeout."""
        prompt = self._active
        if prompt is None or prompt.service_act_id != service_act_id:
            return None
        return self._expire(prompt)

    def expire_overdue(self) -> Rating | None:
        """Record 未评价 for the active request if its time is up (the timer calls this; so may a test)."""
        prompt = self._active
        if prompt is None or prompt.deadline > self._clock():
            return None
        return self._expire(prompt)

    # --- internals ---------------------------------------------------------------------------------------------

    def _subject(self, case_no: str) -> tuple[StoredCase | None, BundleParent | None]:
        """The case a rating names, and the 一件事 parent it is rated under (None for a single case or a bundle
        taken in before parents existed). A parent's own number gives its first member as the case."""
        stored = self._store.cases.get_by_no(case_no)
        if stored is not None:
            return stored, self._store.bundles.of_bundle(stored.case.bundle_id)
        parent = self._store.bundles.get(case_no)
        if parent is None:
            return None, None
        members = self._store.cases.list_bundle(parent.bundle_id)
        return (members[0], parent) if members else (None, None)

    def _prompt_of(self, request: PendingRequest) -> RatingPrompt:
        item_name = ""
        phone = ""
        if request.case_no:
            stored, parent = self._subject(request.case_no)
            if stored is not None:
                item_name = parent.bundle_name if parent is not None else stored.case.item_name
                applicant = stored.case.applicant
                phone = applicant.phone if isinstance(applicant, PersonApplicant) else applicant.contact_phone
        return RatingPrompt(
            service_act_id=request.service_act_id,
            case_no=request.case_no,
            item_code=request.item_code,
            item_name=item_name,
            staff_no=request.staff_no,
            staff_name=self._staff_names(request.staff_no) if request.staff_no else "",
            phone_masked=mask_phone(phone) if phone else "",
            requested_at=request.requested_at,
            deadline=request.requested_at + self._timeout,
            channel=request.channel,
        )

    def _activate(self, prompt: RatingPrompt, initiator: object, remaining: dt.timedelta | None = None) -> None:
        self._active = prompt
        self._arm(self._timeout if remaining is None else remaining)
        self.rating_requested.emit(prompt, initiator)

    def _arm(self, remaining: dt.timedelta) -> None:
        self._timer.start(max(0, int(remaining.total_seconds() * 1000)))

    @Slot()
    def _on_timeout(self) -> None:
        prompt = self._active
        if prompt is None:
            return
        if prompt.deadline > self._clock():  # kept alive meanwhile, or the clock is behind the timer
            self._arm(prompt.deadline - self._clock())
            return
        try:
            self._expire(prompt)
        except StoreError:
            log.exception("could not record 未评价 for service act %s; retrying later", prompt.service_act_id)
            self._active = prompt
            self._arm(dt.timedelta(seconds=5))

    def _expire(self, prompt: RatingPrompt) -> Rating | None:
        """Record 未评价 for `prompt` (outcome unrated, no level) and close its request; None when the act was rated
        meanwhile on another screen (nothing stored)."""
        rating = self._rating(prompt, channel=prompt.channel, outcome=RatingOutcome.UNRATED, level=None)
        if self._active is not None and self._active.service_act_id == prompt.service_act_id:
            self._active = None
            self._timer.stop()
        try:
            self._store.save_rating(rating, actor=TIMEOUT_ACTOR)
        except RatingAlreadyRecordedError:  # rated meanwhile on another screen: nothing to record
            log.info("service act %s was rated elsewhere before its timeout", prompt.service_act_id)
            return None
        log.info("service act %s recorded as unrated", prompt.service_act_id)
        self.rating_saved.emit(rating, None)
        return rating

    def _rating(
        self,
        prompt: RatingPrompt,
        *,
        channel: RatingChannel,
        outcome: RatingOutcome,
        level: RatingLevel | None,
        rated_at: dt.datetime | None = None,
        reasons: tuple[str, ...] = (),
        tags: tuple[str, ...] = (),
        text: str = "",
        callback_consent: bool = False,
    ) -> Rating:
        """A new rating record for `prompt`: where and by whom (DOMAIN.md's upload fields), plus the answer."""
        return Rating(
            rating_id=str(uuid.uuid4()),
            service_act_id=prompt.service_act_id,
            case_no=prompt.case_no,
            item_code=prompt.item_code,
            division=self._config.division,
            hall=self._config.hall_code,
            window=self._config.window,
            staff_no=prompt.staff_no,
            terminal=self._config.terminal_code,
            channel=channel,
            outcome=outcome,
            level=level,
            requested_at=prompt.requested_at,
            rated_at=rated_at,
            reasons=reasons,
            tags=tags,
            text=text,
            callback_consent=callback_consent,
        )

    def _save(self, rating: Rating, *, actor: str) -> None:
        """The rating and, for a 差评, the supervisor's event: one transaction."""
        with self._store.transaction():
            saved = self._store.save_rating(rating, actor=actor)
            if rating.level is not None and rating.level.is_bad:
                save_event(
                    self._store,
                    record_id=str(uuid.uuid4()),
                    body=bad_rating_event_body(rating),
                    depends_on=saved.record_id,
                    actor=actor,
                    action="bad_rating_reported",
                    at=self._clock(),
                )


def bad_rating_event_body(rating: Rating) -> dict[str, object]:
    """The `event` record a 差评 raises for the hall supervisor (no personal data; the text stays in the rating)."""
    assert rating.level is not None and rating.rated_at is not None
    return {
        "event": BAD_RATING_EVENT,
        "rating_id": rating.rating_id,
        "service_act_id": rating.service_act_id,
        "case_no": rating.case_no,
        "item_code": rating.item_code,
        "level": int(rating.level),
        "reasons": list(rating.reasons),
        "callback_consent": rating.callback_consent,
        "division": rating.division,
        "hall": rating.hall,
        "window": rating.window,
        "terminal": rating.terminal,
        "staff_no": rating.staff_no,
        "occurred_at": rating.rated_at.astimezone(dt.UTC).isoformat(timespec="microseconds"),
    }


def _pick(chosen: Iterable[str], allowed: tuple[str, ...]) -> tuple[str, ...]:
    """The chosen entries that are on the standard list, once each, in the list's order."""
    wanted = set(chosen)
    return tuple(entry for entry in allowed if entry in wanted)
