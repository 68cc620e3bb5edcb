"""Issue 11 item 1: case numbers unique across terminals, always.

A terminal with no identity of its own takes no case; an enrolled identity that does not fit stops intake instead
of falling back to the default one; a case number another case owns is refused by the platform
(`rejected(case_no_taken)`), and the terminal numbers on from a clear gap and says so. Real platform on loopback,
real stores.
"""

from __future__ import annotations

import io
import json
from dataclasses import replace
from pathlib import Path

import pytest

from app.config import config_from_dict
from app.paths import AppPaths
from app.services.errors import UserFacingError
from app.services.intake_cli import intake_command
from app.services.terminal import Terminal, open_terminal
from app.sync.credentials import NOT_ENROLLED_ZH, CredentialStore
from app.sync.dead_letters import list_dead_letters
from offline_cache.samples import sample_case
from tests.integration.intake_support import ITEM_CODE, STAFF_NO, STAFF_PIN

from .harness import Central, make_engine
from .harness import open_terminal as open_store_at

RECORD = {
    "item_code": ITEM_CODE,
    "staff_no": STAFF_NO,
    "applicant": {"kind": "person", "name": "张三", "id_number": "11010519491231002X", "phone": "13812345678"},
    "decision": "receive",
}


def _paths(root: Path) -> AppPaths:
    return AppPaths(data_dir=root / "data", config_file=root / "none.toml", log_dir=root / "logs")


def _open(root: Path, **config: object) -> Terminal:
    term = open_terminal(config=config_from_dict(config), paths=_paths(root))
    if term.store.staff.get(STAFF_NO) is None:
        term.staff.add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    return term


def _scripted(root: Path, tmp_path: Path) -> dict[str, object]:
    """`tongban intake --json FILE --result-json` on this data dir; the parsed result."""
    file = tmp_path / "records.json"
    file.write_text(json.dumps([RECORD, RECORD], ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    intake_command(config=config_from_dict({}), paths=_paths(root), json_file=file, json_output=True, out=out)
    result: dict[str, object] = json.loads(out.getvalue())
    return result


def _case_numbers(term: Terminal) -> list[str]:
    return [stored.case.case_no for stored in term.store.cases.list_recent()]


@pytest.mark.expected_log  # intake refusals and the dead letter are logged as warnings
def test_two_fresh_terminals_on_the_defaults_never_issue_the_same_number(
    qapp: object, central: Central, tmp_path: Path
) -> None:
    first, second = tmp_path / "pc1", tmp_path / "pc2"
    for root in (first, second):
        term = _open(root)  # no config file, never enrolled
        try:
            assert term.config.terminal_code == ""
            assert term.intake.identity_problem == NOT_ENROLLED_ZH
            with pytest.raises(UserFacingError, match="本终端尚未注册"):
                term.intake.start(item_code=ITEM_CODE)
        finally:
            term.close()
        with pytest.raises(UserFacingError, match="本终端尚未注册"):
            _scripted(root, tmp_path)
    # Once each has an identity of its own (enrolment), both take cases: no number twice.
    numbers: list[str] = []
    for root, code in ((first, "004"), (second, "005")):
        from app.sync.client import PlatformClient

        client = PlatformClient(central.url, None)
        try:
            CredentialStore(root / "data").save(client.enrol(central.enrol_code(terminal=code)))
        finally:
            client.close()
        result = _scripted(root, tmp_path)
        assert result["stored"] == 2, result
        term = _open(root)
        try:
            assert term.intake.identity_problem is None and term.config.terminal_code == code
            numbers += _case_numbers(term)
        finally:
            term.close()
    assert len(numbers) == 4 and len(set(numbers)) == 4
    assert {n[8:11] for n in numbers} == {"004", "005"}


@pytest.mark.expected_log  # intake refusals and the dead letter are logged as warnings
def test_an_enrolled_identity_is_used_as_issued_or_intake_stops(qapp: object, central: Central, tmp_path: Path) -> None:
    root = tmp_path / "pc"
    client_creds = None
    from app.sync.client import PlatformClient

    client = PlatformClient(central.url, None)
    try:
        client_creds = client.enrol(central.enrol_code(terminal="006"))
    finally:
        client.close()
    store = CredentialStore(root / "data")
    # An older platform handed out window "3": the terminal numbers as window 03, never as the default identity.
    store.save(replace(client_creds, window="3"))
    term = _open(root, window="01", terminal_code="001")
    try:
        assert (term.config.terminal_code, term.config.window) == ("006", "03")
        assert term.intake.identity_problem is None
    finally:
        term.close()
    # Something no terminal can number with: intake stops with the reason, it does not carry on as 001.
    store.save(replace(client_creds, window="A3"))
    term = _open(root, window="01", terminal_code="001")
    try:
        assert term.config.terminal_code == ""
        problem = term.intake.identity_problem
        assert problem is not None and "窗口 A3" in problem and "已暂停收件" in problem
        with pytest.raises(UserFacingError, match="已暂停收件"):
            term.intake.start(item_code=ITEM_CODE)
    finally:
        term.close()
    with pytest.raises(UserFacingError, match="已暂停收件"):
        _scripted(root, tmp_path)


@pytest.mark.expected_log  # intake refusals and the dead letter are logged as warnings
def test_a_number_another_case_owns_is_refused_and_the_terminal_numbers_on(central: Central, tmp_path: Path) -> None:
    from app.sync.client import PlatformClient

    def enrol(data_dir: Path) -> object:
        client = PlatformClient(central.url, None)
        try:
            creds = client.enrol(central.enrol_code(terminal="003"))
        finally:
            client.close()
        CredentialStore(data_dir).save(creds)
        return creds

    # The old PC numbers a case and sends it; then it is replaced by a fresh PC enrolled under the same code.
    old_creds = enrol(tmp_path / "old")
    old = open_store_at(tmp_path / "old")
    try:
        owned = old.save_case(sample_case(), actor=STAFF_NO).case.case_no
        assert make_engine(old, old_creds, central.url).drain().sent == 1  # type: ignore[arg-type]
    finally:
        old.close()
    central.revoke(old_creds.device_id)  # type: ignore[attr-defined]
    new_creds = enrol(tmp_path / "new")
    new = open_store_at(tmp_path / "new")
    try:
        # Its record sequence continues past the old PC's (issue 22 sets that high-water mark at enrolment); its
        # case counter, a fresh store's, starts the day at 00001 again.
        with new.transaction() as conn:
            conn.execute("UPDATE terminal_seq SET last_seq = 100")
        clash = new.save_case(sample_case(), actor=STAFF_NO)
        assert clash.case.case_no == owned  # the fresh store started the day at 00001 as well
        engine = make_engine(new, new_creds, central.url)  # type: ignore[arg-type]
        report = engine.drain()
        assert (report.sent, report.dead) == (0, 1)
        [letter] = list_dead_letters(new)
        assert letter.record_id == clash.case.record_id and letter.reason == "rejected:case_no_taken"
        assert "办件编号已被其他办件使用" in letter.reason_zh
        # The platform kept the first owner's case, and says so rather than accepting and dropping this one.
        assert central.rows("SELECT count(*) FROM records WHERE record_id = ?", clash.case.record_id) == [(0,)]
        # The terminal moves its counter on and says so.
        notice = engine.status().case_no_taken
        day = f"{int(owned[15:17])}月{int(owned[17:19])}日"
        assert f"办件编号 {day}{owned[19:24]}号 与他件重复被拒收" in notice and "已改从 10001 起编号" in notice
        following = new.save_case(sample_case(), actor=STAFF_NO).case.case_no
        assert following[19:24] == "10001" and following != owned
        assert engine.drain().sent == 1
        assert engine.status().case_no_taken  # still shown while the refused case waits in the dead letters
    finally:
        new.close()
