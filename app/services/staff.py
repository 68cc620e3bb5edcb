"""Staff session: sign-in with staff number + PIN, lock-out, idle sign-out; staff administration for the CLI.

Rules (issue 3): 5 wrong PINs in a row lock the number for 5 minutes; 10 minutes without input sign the clerk
out (the window returns to the sign-in screen; the intake page saves its draft on `signed_out`). Sign-in,
failures, lock-outs and sign-out are in the audit log (by the repository, in the same transaction).
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass

from PySide6.QtCore import QObject, QTimer, Signal, Slot

from offline_cache import Store
from offline_cache.staff import ROLE_ADMIN, ROLE_CLERK, ROLES, StaffMember, verify_pin

log = logging.getLogger("tongban.staff")

Clock = Callable[[], dt.datetime]

LOCK_AFTER_TRIES = 5
LOCK_MINUTES = 5
IDLE_MINUTES = 10
PIN_MIN = 4
PIN_MAX = 12

_STAFF_NO = re.compile(r"^[0-9A-Za-z]{1,16}$")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class SignInError(Exception):
    """A refused sign-in: `message` is plain Chinese for the screen; `code` a short name for tests."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


@dataclass(frozen=True, slots=True)
class Clerk:
    staff_no: str
    display_name: str
    signed_in_at: dt.datetime
    role: str = ROLE_CLERK

    @property
    def is_admin(self) -> bool:
        return self.role == ROLE_ADMIN


#: What needs an admin (issue 11), as the audit log names it: `admin_<action>` with the admin as actor.
ADMIN_ENROL = "enrol"
ADMIN_ROTATE_KEY = "rotate_key"
ADMIN_PLATFORM_SETTINGS = "platform_settings"
ADMIN_DEAD_LETTER_EXPORT = "dead_letter_export"
ADMIN_DEAD_LETTER_RETRY = "dead_letter_retry"
ADMIN_DEAD_LETTERS = "dead_letters"
ADMIN_STAFF = "staff"
ADMIN_KIOSK = "kiosk"


def display_name_of(store: Store, staff_no: str) -> str:
    """A staff member's name on record, for paper and the citizen screen ("" when unknown: the staff number still
    shows). A read raises no StoreError (only writes translate sqlite3 errors)."""
    member = store.staff.get(staff_no)
    return member.display_name if member is not None else ""


def normalise_staff_no(text: str) -> str:
    return unicodedata.normalize("NFKC", text).strip().upper()


def check_staff_no(staff_no: str) -> str | None:
    """None when acceptable, else the reason in Chinese."""
    if not _STAFF_NO.match(staff_no):
        return "工号只能是1到16位数字或字母"
    return None


def check_pin(pin: str) -> str | None:
    """None when acceptable, else the reason in Chinese."""
    if not (PIN_MIN <= len(pin) <= PIN_MAX) or not pin.isascii() or not pin.isdigit():
        return f"密码应为{PIN_MIN}到{PIN_MAX}位数字"
    return None


def check_role(role: str) -> str | None:
    if role not in ROLES:
        return "角色只能是 clerk（办事员）或 admin（管理员）"
    return None


def check_display_name(name: str) -> str | None:
    if not 1 <= len(name) <= 30 or any(unicodedata.category(c).startswith("C") for c in name):
        return "姓名应为1到30个可见字符"
    return None


class StaffService(QObject):
    """Who is at the counter. Construct and call on the GUI thread.

    Signals:
        signed_in(str): a clerk signed in; the argument is the staff number.
        signed_out(str, str): the clerk left — staff number, reason ("manual" or "idle").
    """

    signed_in = Signal(str)
    signed_out = Signal(str, str)

    def __init__(
        self,
        *,
        store: Store,
        clock: Clock = _utc_now,
        idle_minutes: float = IDLE_MINUTES,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._clock = clock
        self._clerk: Clerk | None = None
        self._idle = QTimer(self)
        self._idle.setObjectName("staff_idle_timer")
        self._idle.setSingleShot(True)
        self._idle.setInterval(int(idle_minutes * 60_000))
        self._idle.timeout.connect(self._on_idle)

    # --- session -------------------------------------------------------------------------------------------

    @property
    def clerk(self) -> Clerk | None:
        return self._clerk

    @property
    def staff_no(self) -> str:
        """The signed-in clerk's number; raises RuntimeError when nobody is signed in."""
        if self._clerk is None:
            raise RuntimeError("no clerk signed in")
        return self._clerk.staff_no

    def sign_in(self, *, staff_no: str, pin: str) -> Clerk:
        """Check the PIN; raises SignInError with the reason (wrong PIN and tries left, locked, disabled)."""
        member = self._check_credentials(staff_no, pin)
        now = self._clock()
        self._store.staff.record_sign_in(member.staff_no)
        self._clerk = Clerk(member.staff_no, member.display_name, now, member.role)
        self._idle.start()
        log.info("staff %s signed in", member.staff_no)
        self.signed_in.emit(member.staff_no)
        return self._clerk

    def _check_credentials(self, staff_no: str, pin: str) -> StaffMember:
        """The member whose number and PIN these are; wrong tries count towards the lock-out (audited)."""
        number = normalise_staff_no(staff_no)
        if check_staff_no(number) is not None or not pin:
            raise SignInError("请输入工号和密码", code="empty")
        repo = self._store.staff
        member = repo.get(number)
        now = self._clock()
        if member is None or not member.has_pin:
            repo.record_failure(number, lock_after=LOCK_AFTER_TRIES, lock_until=now)
            log.info("sign-in refused: unknown staff number")
            raise SignInError("工号或密码不正确", code="wrong")
        if member.disabled:
            log.info("sign-in refused for %s: disabled", number)
            raise SignInError("该工号已停用，请联系大厅管理员", code="disabled")
        if member.locked_until is not None and member.locked_until > now:
            minutes = max(1, -(-int((member.locked_until - now).total_seconds()) // 60))
            raise SignInError(f"密码错误次数过多，该工号已锁定，请{minutes}分钟后再试", code="locked")
        creds = repo.credentials(number)
        if creds is None or not verify_pin(pin, *creds):
            after = repo.record_failure(
                number, lock_after=LOCK_AFTER_TRIES, lock_until=now + dt.timedelta(minutes=LOCK_MINUTES)
            )
            log.info("sign-in refused for %s: wrong PIN", number)
            if after is not None and after.locked_until is not None and after.locked_until > now:
                raise SignInError(f"密码连续错误{LOCK_AFTER_TRIES}次，该工号已锁定{LOCK_MINUTES}分钟", code="locked")
            left = LOCK_AFTER_TRIES - (after.failed_tries if after else 0)
            raise SignInError(f"工号或密码不正确，还可尝试{left}次", code="wrong")
        return member

    # --- roles (issue 11) ----------------------------------------------------------------------------------

    @property
    def is_admin(self) -> bool:
        """Whether the signed-in clerk is an admin (False when nobody is signed in)."""
        return self._clerk is not None and self._clerk.is_admin

    def verify_admin(self, *, staff_no: str, pin: str) -> StaffMember:
        """Check that number + PIN belong to an active admin (for a one-off admin action, e.g. the kiosk's admin
        PIN or a clerk's window where the admin steps in). Raises SignInError: codes "empty", "wrong", "locked",
        "disabled" as for sign-in (wrong PINs count towards the same lock-out), and "not_admin"."""
        member = self._check_credentials(staff_no, pin)
        if not member.is_admin:
            self._store.audit.append(member.staff_no, "admin_refused", detail="not_admin")
            log.info("admin check refused for %s: not an admin", member.staff_no)
            raise SignInError("该工号不是管理员，此操作需要管理员", code="not_admin")
        return member

    def require_admin(self, action: str, *, staff_no: str | None = None, pin: str | None = None) -> str:
        """Authorise one admin action and write it to the audit log (`admin_<action>`, actor = the admin).

        Without `staff_no`/`pin` the signed-in clerk must be an admin; with them, `verify_admin` decides.
        Returns the admin's staff number; raises SignInError (code "not_admin" when the clerk is not one).
        """
        if staff_no is None or pin is None:
            clerk = self._clerk
            if clerk is None or not clerk.is_admin:
                actor = clerk.staff_no if clerk is not None else "unknown"
                self._store.audit.append(actor, "admin_refused", detail=action)
                raise SignInError("此操作需要管理员", code="not_admin")
            number = clerk.staff_no
        else:
            number = self.verify_admin(staff_no=staff_no, pin=pin).staff_no
        self.record_admin_action(action, actor=number)
        return number

    def record_admin_action(self, action: str, *, actor: str, detail: str = "") -> None:
        """Audit an admin action (`admin_<action>`); `detail` is a short code, never personal data."""
        self._store.audit.append(actor, f"admin_{action}", detail=detail)
        log.info("admin action %s by %s", action, actor)

    def sign_out(self, *, reason: str = "manual") -> None:
        """End the session (no-op when nobody is signed in)."""
        clerk = self._clerk
        if clerk is None:
            return
        self._idle.stop()
        self._clerk = None
        self._store.staff.record_sign_out(clerk.staff_no, reason=reason)
        log.info("staff %s signed out (%s)", clerk.staff_no, reason)
        self.signed_out.emit(clerk.staff_no, reason)

    def set_idle_timeout(self, *, minutes: float) -> None:
        """How long without input signs the clerk out (configuration, tests)."""
        self._idle.setInterval(int(minutes * 60_000))
        if self._idle.isActive():
            self._idle.start()

    def touch(self) -> None:
        """The clerk did something: restart the idle countdown."""
        if self._clerk is not None:
            self._idle.start()

    @Slot()
    def _on_idle(self) -> None:
        self.sign_out(reason="idle")

    # --- administration (CLI) ------------------------------------------------------------------------------

    def add(self, *, staff_no: str, display_name: str, pin: str, actor: str, role: str = ROLE_CLERK) -> StaffMember:
        """Add a clerk or admin; raises ValueError with a Chinese message for a bad number, name, PIN or role, or a
        duplicate."""
        number = normalise_staff_no(staff_no)
        name = display_name.strip()
        for problem in (check_staff_no(number), check_display_name(name), check_pin(pin), check_role(role)):
            if problem is not None:
                raise ValueError(problem)
        try:
            return self._store.staff.add(number, name, pin, actor=actor, role=role)
        except ValueError as exc:
            raise ValueError(f"工号 {number} 已存在") from exc

    def members(self) -> list[StaffMember]:
        return self._store.staff.list()

    def set_role(self, *, staff_no: str, role: str, actor: str) -> None:
        number = normalise_staff_no(staff_no)
        problem = check_role(role)
        if problem is not None:
            raise ValueError(problem)
        if not self._store.staff.set_role(number, role, actor=actor):
            raise ValueError(f"没有工号 {number}")

    def has_active_admin(self) -> bool:
        """Whether an admin who can sign in exists (before the first one, staff may be set up without one)."""
        return self._store.staff.has_active_admin()

    def disable(self, *, staff_no: str, actor: str) -> None:
        number = normalise_staff_no(staff_no)
        if not self._store.staff.set_disabled(number, True, actor=actor):
            raise ValueError(f"没有工号 {number}")
