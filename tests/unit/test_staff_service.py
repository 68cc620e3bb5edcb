"""StaffService against a real store file: PIN hashing, lock-out after 5 wrong tries, idle sign-out, audit."""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.paths import AppPaths
from app.services.errors import UserFacingError
from app.services.staff import SignInError, StaffService
from app.services.staff_cli import staff_command
from offline_cache import Store, open_store
from tests.integration.intake_support import STAFF_NO, STAFF_PIN, FakeClock, store_at

ADMIN = "admin-cli"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from store_at(tmp_path)


def _service(store: Store, clock: FakeClock, **kwargs: float) -> StaffService:
    service = StaffService(store=store, clock=clock, **kwargs)
    service.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor=ADMIN)
    return service


def test_pin_is_stored_as_a_salted_slow_hash(store: Store) -> None:
    _service(store, FakeClock())
    row = store.db.conn.execute("SELECT pin_hash, pin_salt FROM staff").fetchone()
    assert STAFF_PIN not in str(row[0])
    assert str(row[0]).startswith("scrypt$16384$")
    assert len(bytes(row[1])) == 16


def test_sign_in_and_out_are_audited(qapp: object, store: Store) -> None:
    service = _service(store, FakeClock())
    clerk = service.sign_in(staff_no=" s0042 ", pin=STAFF_PIN)
    assert clerk.staff_no == STAFF_NO and service.staff_no == STAFF_NO
    service.sign_out()
    actions = [e.action for e in store.audit.list()]
    assert actions[:2] == ["signed_out", "signed_in"]
    with pytest.raises(RuntimeError):
        _ = service.staff_no


def test_five_wrong_pins_lock_for_five_minutes(qapp: object, store: Store) -> None:
    clock = FakeClock()
    service = _service(store, clock)
    messages = []
    for _ in range(5):
        with pytest.raises(SignInError) as caught:
            service.sign_in(staff_no=STAFF_NO, pin="000000")
        messages.append(caught.value.message)
    assert "还可尝试4次" in messages[0]
    assert "锁定" in messages[-1]
    # Even the right PIN is refused while locked.
    with pytest.raises(SignInError) as caught:
        service.sign_in(staff_no=STAFF_NO, pin=STAFF_PIN)
    assert caught.value.code == "locked"
    clock.advance(minutes=5, seconds=1)
    assert service.sign_in(staff_no=STAFF_NO, pin=STAFF_PIN).staff_no == STAFF_NO
    assert [e.action for e in store.audit.list(action="staff_locked")]


def test_unknown_and_disabled_staff_are_refused(qapp: object, store: Store) -> None:
    service = _service(store, FakeClock())
    with pytest.raises(SignInError, match="工号或密码不正确"):
        service.sign_in(staff_no="S9999", pin=STAFF_PIN)
    service.disable(staff_no=STAFF_NO, actor=ADMIN)
    with pytest.raises(SignInError) as caught:
        service.sign_in(staff_no=STAFF_NO, pin=STAFF_PIN)
    assert caught.value.code == "disabled"


def test_idle_signs_the_clerk_out(qtbot: QtBot, store: Store) -> None:
    service = _service(store, FakeClock(), idle_minutes=0.002)  # 120 ms
    service.sign_in(staff_no=STAFF_NO, pin=STAFF_PIN)
    with qtbot.wait_signal(service.signed_out, timeout=3000) as blocker:
        pass
    assert blocker.args == [STAFF_NO, "idle"]
    assert service.clerk is None
    assert store.audit.list(action="signed_out")[0].detail == "idle"


def test_bad_new_staff_are_refused(store: Store) -> None:
    service = StaffService(store=store)
    with pytest.raises(ValueError, match="密码应为"):
        service.add(staff_no="S1", display_name="王晓", pin="12", actor=ADMIN)
    with pytest.raises(ValueError, match="工号"):
        service.add(staff_no="S 1;", display_name="王晓", pin="1234", actor=ADMIN)
    service.add(staff_no="S1", display_name="王晓", pin="1234", actor=ADMIN)
    with pytest.raises(ValueError, match="已存在"):
        service.add(staff_no="s1", display_name="王晓", pin="1234", actor=ADMIN)


def _paths(tmp_path: Path) -> AppPaths:
    return AppPaths(data_dir=tmp_path / "cli", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")


def test_cli_add_list_disable(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    answers = iter([STAFF_PIN, STAFF_PIN])
    out = io.StringIO()
    assert (
        staff_command(
            paths=paths, action="add", out=out, staff_no=STAFF_NO, display_name="王晓", ask_pin=lambda _p: next(answers)
        )
        == 0
    )
    assert "已添加工号 S0042" in out.getvalue()
    out = io.StringIO()
    staff_command(paths=paths, action="disable", out=out, staff_no=STAFF_NO)
    out = io.StringIO()
    staff_command(paths=paths, action="list", out=out, as_json=True)
    assert '"disabled": true' in out.getvalue()


def test_cli_refuses_pins_that_differ(tmp_path: Path) -> None:
    answers = iter([STAFF_PIN, "135790"])
    with pytest.raises(UserFacingError, match="两次输入的密码不一致"):
        staff_command(
            paths=_paths(tmp_path),
            action="add",
            out=io.StringIO(),
            staff_no=STAFF_NO,
            display_name="王晓",
            ask_pin=lambda _p: next(answers),
        )


# --- roles (issue 11) ---------------------------------------------------------------------------------------------

ADMIN_NO = "A0001"
ADMIN_PIN = "135790"


def test_staff_are_clerks_unless_made_admin_and_verify_admin_says_why_not(qapp: object, store: Store) -> None:
    service = StaffService(store=store)
    clerk = service.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    admin = service.add(staff_no=ADMIN_NO, display_name="李管", pin=ADMIN_PIN, actor="test", role="admin")
    assert (clerk.role, admin.role) == ("clerk", "admin")
    assert service.verify_admin(staff_no=ADMIN_NO.lower(), pin=ADMIN_PIN).staff_no == ADMIN_NO
    with pytest.raises(SignInError) as refused:
        service.verify_admin(staff_no=STAFF_NO, pin=STAFF_PIN)
    assert (refused.value.code, refused.value.message) == ("not_admin", "该工号不是管理员，此操作需要管理员")
    with pytest.raises(SignInError) as wrong:
        service.verify_admin(staff_no=ADMIN_NO, pin="000000")
    assert wrong.value.code == "wrong"
    with pytest.raises(ValueError, match="角色只能是"):
        service.add(staff_no="S0099", display_name="赵", pin=STAFF_PIN, actor="test", role="root")


def test_require_admin_uses_the_signed_in_role_and_audits_who_did_it(qapp: object, store: Store) -> None:
    service = StaffService(store=store)
    service.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    service.add(staff_no=ADMIN_NO, display_name="李管", pin=ADMIN_PIN, actor="test", role="admin")
    service.sign_in(staff_no=STAFF_NO, pin=STAFF_PIN)
    assert not service.is_admin
    with pytest.raises(SignInError, match="此操作需要管理员"):
        service.require_admin("enrol")
    # The admin steps in at the clerk's window for one action.
    assert service.require_admin("enrol", staff_no=ADMIN_NO, pin=ADMIN_PIN) == ADMIN_NO
    service.sign_out()
    clerk = service.sign_in(staff_no=ADMIN_NO, pin=ADMIN_PIN)
    assert clerk.is_admin and service.is_admin
    assert service.require_admin("rotate_key") == ADMIN_NO
    entries = [(e.actor, e.action, e.detail) for e in reversed(store.audit.list())]
    assert (STAFF_NO, "admin_refused", "enrol") in entries
    assert [(a, act) for a, act, _d in entries if act.startswith("admin_") and act != "admin_refused"] == [
        (ADMIN_NO, "admin_enrol"),
        (ADMIN_NO, "admin_rotate_key"),
    ]


def test_cli_makes_an_admin_and_then_staff_changes_need_one(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    out = io.StringIO()
    answers = iter([ADMIN_PIN, ADMIN_PIN])
    # A new install has no admin: the first one is created without one (audited as admin-cli).
    staff_command(
        paths=paths,
        action="add",
        out=out,
        staff_no=ADMIN_NO,
        display_name="李管",
        role="admin",
        ask_pin=lambda _p: next(answers),
    )
    assert "已添加工号 A0001（李管，管理员）" in out.getvalue()
    # From now on a change asks for an admin's number and PIN; a wrong one changes nothing.
    answers = iter(["000000"])
    with pytest.raises(UserFacingError, match="需要管理员：工号或密码不正确"):
        staff_command(
            paths=paths,
            action="add",
            out=io.StringIO(),
            staff_no=STAFF_NO,
            display_name="王晓",
            ask_pin=lambda _p: next(answers),
            ask_admin=lambda _p: ADMIN_NO,
        )
    answers = iter([ADMIN_PIN, STAFF_PIN, STAFF_PIN])
    staff_command(
        paths=paths,
        action="add",
        out=io.StringIO(),
        staff_no=STAFF_NO,
        display_name="王晓",
        ask_pin=lambda _p: next(answers),
        ask_admin=lambda _p: ADMIN_NO,
    )
    # A clerk's own number and PIN are not an admin's.
    answers = iter([STAFF_PIN])
    with pytest.raises(UserFacingError, match="不是管理员"):
        staff_command(
            paths=paths,
            action="role",
            out=io.StringIO(),
            staff_no=STAFF_NO,
            role="admin",
            ask_pin=lambda _p: next(answers),
            ask_admin=lambda _p: STAFF_NO,
        )
    answers = iter([ADMIN_PIN])
    staff_command(
        paths=paths,
        action="role",
        out=io.StringIO(),
        staff_no=STAFF_NO,
        role="admin",
        ask_pin=lambda _p: next(answers),
        ask_admin=lambda _p: ADMIN_NO,
    )
    out = io.StringIO()
    staff_command(paths=paths, action="list", out=out, as_json=True)
    assert [(m["staff_no"], m["role"]) for m in json.loads(out.getvalue())] == [
        (ADMIN_NO, "admin"),
        (STAFF_NO, "admin"),
    ]
    with open_store(paths.database) as opened:
        actors = [(e.actor, e.action, e.detail) for e in reversed(opened.audit.list())]
    assert ("admin-cli", "staff_added", "A0001:admin") in actors
    assert (ADMIN_NO, "staff_added", "S0042:clerk") in actors
    assert (ADMIN_NO, "staff_role_set", "S0042:admin") in actors


def test_cli_enrolment_and_key_change_need_an_admin_once_there_is_one(tmp_path: Path) -> None:
    from app.services.staff_cli import authorise_admin_cli

    paths = _paths(tmp_path)
    # A new install: no admin yet, so `tongban enrol` goes ahead (audited as the command line).
    assert authorise_admin_cli(paths=paths, action="enrol", ask_pin=_no_prompt, ask_admin=_no_prompt) == "admin-cli"
    answers = iter([ADMIN_PIN, ADMIN_PIN])
    staff_command(
        paths=paths,
        action="add",
        out=io.StringIO(),
        staff_no=ADMIN_NO,
        display_name="李管",
        role="admin",
        ask_pin=lambda _p: next(answers),
    )
    with pytest.raises(UserFacingError, match="需要管理员：工号或密码不正确"):
        authorise_admin_cli(
            paths=paths, action="rotate_key", ask_pin=lambda _p: "000000", ask_admin=lambda _p: ADMIN_NO
        )
    assert (
        authorise_admin_cli(
            paths=paths, action="rotate_key", ask_pin=lambda _p: ADMIN_PIN, ask_admin=lambda _p: ADMIN_NO
        )
        == ADMIN_NO
    )
    with open_store(paths.database) as opened:
        actions = [(e.actor, e.action) for e in reversed(opened.audit.list())]
    assert ("admin-cli", "admin_enrol") in actions and (ADMIN_NO, "admin_rotate_key") in actions


def _no_prompt(_prompt: str) -> str:
    raise AssertionError("no admin exists yet: nothing may be asked")


def test_display_name_of_names_a_known_clerk_and_is_empty_otherwise(store: Store) -> None:
    from app.services.staff import display_name_of

    StaffService(store=store).add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    assert display_name_of(store, STAFF_NO) == "王晓"  # on receipts and the citizen's rating screen
    assert display_name_of(store, "S9999") == ""  # the staff number alone shows
