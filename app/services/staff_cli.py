"""`tongban staff add|list|disable`: the hall administrator manages counter staff until the platform provides them.

The PIN is never taken from the command line: `ask_pin` (by default `getpass.getpass`) is called twice and the two
answers must match.
"""

from __future__ import annotations

import getpass
import json
import logging
from collections.abc import Callable
from typing import TextIO

from app.paths import AppPaths
from app.services.errors import UserFacingError
from app.services.staff import StaffService
from offline_cache import StoreError, open_store

log = logging.getLogger("tongban.staff")

#: Who the audit log names for changes made at the command line.
CLI_ACTOR = "admin-cli"

AskPin = Callable[[str], str]


def staff_command(
    *,
    paths: AppPaths,
    action: str,
    out: TextIO,
    staff_no: str = "",
    display_name: str = "",
    as_json: bool = False,
    ask_pin: AskPin = getpass.getpass,
) -> int:
    """Run one staff action: "add" (needs staff_no, display_name; asks the PIN twice), "list", "disable".

    Returns 0; raises UserFacingError with a one-line Chinese reason otherwise.
    """
    if action not in {"add", "list", "disable"}:
        raise UserFacingError(f"未知的操作 {action}（应为 add、list 或 disable）")
    pin = ""
    if action == "add":
        pin = ask_pin("PIN: ")
        if ask_pin("PIN (again): ") != pin:
            raise UserFacingError("两次输入的密码不一致，未添加")
    try:
        with open_store(paths.database, recover_corrupt=False, integrity_check=False) as store:
            service = StaffService(store=store)
            if action == "add":
                try:
                    member = service.add(staff_no=staff_no, display_name=display_name, pin=pin, actor=CLI_ACTOR)
                except ValueError as exc:
                    raise UserFacingError(str(exc)) from exc
                out.write(f"已添加工号 {member.staff_no}（{member.display_name}）\n")
            elif action == "disable":
                try:
                    service.disable(staff_no=staff_no, actor=CLI_ACTOR)
                except ValueError as exc:
                    raise UserFacingError(str(exc)) from exc
                out.write(f"已停用工号 {staff_no.strip().upper()}\n")
            else:
                members = service.members()
                if as_json:
                    rows = [
                        {
                            "staff_no": m.staff_no,
                            "display_name": m.display_name,
                            "disabled": m.disabled,
                            "locked_until": m.locked_until.isoformat() if m.locked_until else None,
                        }
                        for m in members
                    ]
                    out.write(json.dumps(rows, ensure_ascii=False) + "\n")
                else:
                    for m in members:
                        state = "停用" if m.disabled else "在用"
                        out.write(f"{m.staff_no}\t{m.display_name}\t{state}\n")
    except StoreError as exc:
        raise UserFacingError(exc.message, detail=exc.code) from exc
    log.info("staff %s done", action)
    return 0
