"""`tongban staff add|list|disable|role`: the hall administrator manages counter staff until the platform provides
them.

The PIN is never taken from the command line: `ask_pin` (by default `getpass.getpass`) is called twice and the two
answers must match. Roles (issue 11): `add ... --role admin` makes an admin. Once an active admin exists, every
change (add, disable, role) first asks an admin's number (`ask_admin`, by default `input`) and PIN, and the audit
log names that admin; before the first admin exists (a new install) changes are allowed and audited as
`admin-cli`, so the first admin can be created.
"""

from __future__ import annotations

import getpass
import json
import logging
from collections.abc import Callable
from typing import TextIO

from app.paths import AppPaths
from app.services.errors import UserFacingError
from app.services.staff import ADMIN_STAFF, SignInError, StaffService
from offline_cache import StoreError, open_store
from offline_cache.staff import ROLE_ADMIN, ROLE_CLERK

log = logging.getLogger("tongban.staff")

#: Who the audit log names for changes made at the command line.
CLI_ACTOR = "admin-cli"

AskPin = Callable[[str], str]
AskText = Callable[[str], str]


def staff_command(
    *,
    paths: AppPaths,
    action: str,
    out: TextIO,
    staff_no: str = "",
    display_name: str = "",
    as_json: bool = False,
    role: str = ROLE_CLERK,
    ask_pin: AskPin = getpass.getpass,
    ask_admin: AskText = input,
) -> int:
    """Run one staff action: "add" (needs staff_no, display_name; asks the PIN twice; `role` clerk or admin),
    "list", "disable", "role" (sets `role` for staff_no).

    Returns 0; raises UserFacingError with a one-line Chinese reason otherwise.
    """
    if action not in {"add", "list", "disable", "role"}:
        raise UserFacingError(f"未知的操作 {action}（应为 add、list、disable 或 role）")
    try:
        with open_store(paths.database, recover_corrupt=False, integrity_check=False) as store:
            service = StaffService(store=store)
            if action == "list":
                _list(service, out, as_json=as_json)
            else:
                actor = CLI_ACTOR
                if service.has_active_admin():
                    actor = _ask_admin(service, ADMIN_STAFF, ask_pin=ask_pin, ask_admin=ask_admin)
                try:
                    _change(
                        service,
                        out,
                        action,
                        staff_no=staff_no,
                        display_name=display_name,
                        role=role,
                        actor=actor,
                        ask_pin=ask_pin,
                    )
                except ValueError as exc:
                    raise UserFacingError(str(exc)) from exc
    except StoreError as exc:
        raise UserFacingError(exc.message, detail=exc.code) from exc
    log.info("staff %s done", action)
    return 0


def _change(
    service: StaffService,
    out: TextIO,
    action: str,
    *,
    staff_no: str,
    display_name: str,
    role: str,
    actor: str,
    ask_pin: AskPin,
) -> None:
    """add / disable / role; raises ValueError with the Chinese reason."""
    if action == "add":
        pin = ask_pin("PIN: ")
        if ask_pin("PIN (again): ") != pin:
            raise ValueError("两次输入的密码不一致，未添加")
        member = service.add(staff_no=staff_no, display_name=display_name, pin=pin, actor=actor, role=role)
        kind = "管理员" if member.is_admin else "办事员"
        out.write(f"已添加工号 {member.staff_no}（{member.display_name}，{kind}）\n")
    elif action == "disable":
        service.disable(staff_no=staff_no, actor=actor)
        out.write(f"已停用工号 {staff_no.strip().upper()}\n")
    else:
        service.set_role(staff_no=staff_no, role=role, actor=actor)
        kind = "管理员" if role == ROLE_ADMIN else "办事员"
        out.write(f"工号 {staff_no.strip().upper()} 现为{kind}\n")


def _list(service: StaffService, out: TextIO, *, as_json: bool) -> None:
    members = service.members()
    if as_json:
        rows = [
            {
                "staff_no": m.staff_no,
                "display_name": m.display_name,
                "disabled": m.disabled,
                "role": m.role,
                "locked_until": m.locked_until.isoformat() if m.locked_until else None,
            }
            for m in members
        ]
        out.write(json.dumps(rows, ensure_ascii=False) + "\n")
        return
    for m in members:
        state = "停用" if m.disabled else "在用"
        out.write(f"{m.staff_no}\t{m.display_name}\t{m.role}\t{state}\n")


def authorise_admin_cli(
    *, paths: AppPaths, action: str, ask_pin: AskPin = getpass.getpass, ask_admin: AskText = input
) -> str:
    """Before `tongban enrol` / `tongban rotate-key`: once an active admin exists, an admin's number and PIN are
    asked and checked (audited as `admin_<action>` with the admin as actor); before the first admin, the command
    goes ahead and is audited as `admin-cli`. Returns the actor; raises UserFacingError when refused."""
    try:
        with open_store(paths.database, recover_corrupt=False, integrity_check=False) as store:
            service = StaffService(store=store)
            if not service.has_active_admin():
                service.record_admin_action(action, actor=CLI_ACTOR)
                return CLI_ACTOR
            return _ask_admin(service, action, ask_pin=ask_pin, ask_admin=ask_admin)
    except StoreError as exc:
        raise UserFacingError(exc.message, detail=exc.code) from exc


def _ask_admin(service: StaffService, action: str, *, ask_pin: AskPin, ask_admin: AskText) -> str:
    """Ask an admin's number and PIN and check them (audited as `admin_<action>`); returns the admin's number,
    raises UserFacingError with the reason when refused."""
    admin_no = ask_admin("管理员工号 (admin number): ").strip()
    admin_pin = ask_pin("管理员密码 (admin PIN): ")
    try:
        return service.require_admin(action, staff_no=admin_no, pin=admin_pin)
    except SignInError as exc:
        raise UserFacingError(f"需要管理员：{exc.message}", detail=exc.code) from exc
