"""电子证照 at intake (issue 18) against the real reference platform on loopback: consent, lookup off the GUI thread,
materials stored as `e_licence`, the receipt's 电子证照已调取, the paper path when the platform is down, the audit."""

from __future__ import annotations

import subprocess
import sys
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from app.config import config_from_dict
from app.domain.models import MaterialStatus
from app.services.catalogue import CatalogueService
from app.services.intake_form import IntakeDraft
from app.services.licences import LicenceLookup, LicenceService, LookupOutcome, apply
from app.services.receipts import ReceiptService
from app.sync.client import PlatformClient
from app.sync.credentials import Credentials
from offline_cache import Store
from tests import pii_samples
from tests.integration.intake_support import STAFF_NO, fill_person, make_service, store_at
from tests.integration.receipts_support import pdf_text, squash
from tests.integration.sync.harness import Central, central_source, enrol, free_port

#: 城乡居民养老保险参保登记: 申请人居民身份证 (居民身份证) and 居民户口簿 (居民户口簿) can be replaced by licences.
ITEM = "210800200101000"
SAMPLE = Path(__file__).resolve().parents[2] / "resources" / "licences" / "sample.json"


@pytest.fixture
def central(tmp_path: Path) -> Iterator[Central]:
    home = tmp_path / "central"
    home.mkdir()
    server = Central(home).start()
    try:
        subprocess.run(
            [sys.executable, "-m", "central.cli", "--db", str(server.db), "licences", "load", str(SAMPLE)],
            env={"PYTHONPATH": str(central_source()), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            check=True,
            timeout=60,
        )
        yield server
    finally:
        server.stop()


@pytest.fixture
def creds(central: Central, tmp_path: Path) -> Credentials:
    return enrol(central, tmp_path / "terminal")


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from store_at(tmp_path)


@pytest.fixture
def catalogue(tmp_path: Path) -> CatalogueService:
    return CatalogueService(tmp_path / "catalogue")


class Factory:
    """Counts the clients made: a consent refused must not even build one."""

    def __init__(self, url: str, creds: Credentials | None, gate: threading.Event | None = None) -> None:
        self.url, self.creds, self.gate, self.made = url, creds, gate, 0

    def __call__(self) -> PlatformClient | None:
        self.made += 1
        if self.gate is not None:
            self.gate.wait(30)
        return PlatformClient(self.url, self.creds, timeout=(3.0, 10.0))


@pytest.fixture
def make_licences(qtbot: QtBot) -> Iterator[Any]:
    made: list[LicenceService] = []

    def make(factory: Factory) -> LicenceService:
        service = LicenceService(client_factory=factory)
        made.append(service)
        return service

    yield make
    for service in made:
        service.close()


def _draft(catalogue: CatalogueService, store: Store) -> tuple[IntakeDraft, Any]:
    intake = make_service(store, catalogue)
    item = catalogue.get(ITEM)
    assert item is not None
    return fill_person(intake.start(item_code=ITEM)), intake


def _audit(central: Central) -> list[tuple[object, ...]]:
    return central.rows("SELECT action, outcome, case_ref, staff_no FROM licence_access ORDER BY id")


def test_consent_refused_sends_nothing(  # noqa: PLR0917 - fixtures
    qtbot: QtBot, central: Central, creds: Credentials, catalogue: CatalogueService, store: Store, make_licences: Any
) -> None:
    factory = Factory(central.url, creds)
    service = make_licences(factory)
    draft, _intake = _draft(catalogue, store)
    item = catalogue.get(ITEM)
    assert item is not None
    for kwargs in ({"consent": False}, {"consent": True, "card_reader": True, "card_read": False}):
        with qtbot.wait_signal(service.lookup_done, timeout=5000) as blocker:
            assert service.lookup(draft=draft, item=item, staff_no=STAFF_NO, **kwargs) is False
        answer: LicenceLookup = blocker.args[0]
        assert answer.outcome is LookupOutcome.NO_CONSENT and "未授权" in answer.message_zh
    assert factory.made == 0 and _audit(central) == []  # no client built, nothing reached the platform
    assert all(m.status is MaterialStatus.MISSING for m in draft.materials if m.code in ("M01", "M02"))


def test_found_licences_become_e_licence_materials_and_print(  # noqa: PLR0917 - fixtures
    qtbot: QtBot,
    central: Central,
    creds: Credentials,
    catalogue: CatalogueService,
    store: Store,
    make_licences: Any,
    tmp_path: Path,
) -> None:
    service = make_licences(Factory(central.url, creds))
    draft, intake = _draft(catalogue, store)
    item = catalogue.get(ITEM)
    assert item is not None
    with qtbot.wait_signal(service.lookup_done, timeout=20_000) as blocker:
        assert service.lookup(draft=draft, item=item, staff_no=STAFF_NO, consent=True, card_reader=True, card_read=True)
    answer: LicenceLookup = blocker.args[0]
    assert answer.outcome is LookupOutcome.FOUND, answer
    assert sorted(f.licence_type for f in answer.licences) == ["居民户口簿", "居民身份证"]
    assert all(f.image.startswith(b"<svg") for f in answer.licences)
    assert apply(draft, item, answer) == ["M01", "M02"]

    result = intake.submit(draft=draft, staff_no=STAFF_NO, print_receipt=False)
    stored = store.cases.get_by_no(result.case.case_no)
    assert stored is not None
    case = stored.case
    by_code = {m.requirement_code: m for m in case.materials}
    assert (by_code["M01"].status, by_code["M01"].licence_no, by_code["M01"].count) == (
        MaterialStatus.E_LICENCE,
        "210802-SFZ-0000001",
        0,
    )
    assert by_code["M02"].licence_no == "210802-HKB-0000001" and by_code["M02"].attachments == ()
    # Stored and read back from SQLite, and in the queued case record.
    reread = store.db.conn.execute(
        "SELECT requirement_code, status, licence_no FROM case_materials ORDER BY position"
    ).fetchall()
    assert reread[:2] == [("M01", "e_licence", "210802-SFZ-0000001"), ("M02", "e_licence", "210802-HKB-0000001")]

    receipts = ReceiptService(
        config=config_from_dict({"hall_name": "营口市政务服务中心", "printer": {"kind": "pdf"}}),
        store=store,
        pdf_dir=tmp_path / "receipts",
    )
    with qtbot.wait_signal(receipts.printed, timeout=20_000) as printed:
        receipts.print_case(case=case, staff_no=STAFF_NO)
    assert printed.args is not None
    text = squash(pdf_text(Path(printed.args[2])))
    assert "电子证照已调取" in text and "申请人居民身份证" in text
    assert "2108**********0001" in text  # the licence number masked
    assert pii_samples.ID_NUMBER not in text
    assert receipts.wait_for_idle(10_000)

    # One audit entry per access: the consent, the list, one fetch per licence used; keyed by the draft.
    audit = _audit(central)
    assert [a[0] for a in audit] == ["consent", "list", "fetch", "fetch"]
    assert {a[2] for a in audit} == {draft.draft_id} and {a[3] for a in audit} == {STAFF_NO}
    assert pii_samples.ID_NUMBER not in central.log()


def test_platform_down_keeps_the_paper_path_without_waiting(
    qtbot: QtBot, catalogue: CatalogueService, store: Store, make_licences: Any, creds: Credentials
) -> None:
    gate = threading.Event()
    factory = Factory(f"http://127.0.0.1:{free_port()}", creds, gate)  # nothing listens there
    service = make_licences(factory)
    draft, _intake = _draft(catalogue, store)
    item = catalogue.get(ITEM)
    assert item is not None
    answers: list[LicenceLookup] = []
    service.lookup_done.connect(answers.append)
    # The call returns while the worker is still held at the gate: the GUI thread never waits on the network.
    assert service.lookup(draft=draft, item=item, staff_no=STAFF_NO, consent=True) is True
    assert answers == []
    with qtbot.wait_signal(service.lookup_done, timeout=20_000):
        gate.set()
    assert answers[0].outcome is LookupOutcome.OFFLINE and "纸质材料" in answers[0].message_zh
    assert apply(draft, item, answers[0]) == []
    assert all(m.status is MaterialStatus.MISSING for m in draft.materials if m.code in ("M01", "M02"))


def _scripted(tmp_path: Path, licences: dict[str, str]) -> tuple[int, dict[str, Any]]:
    """`tongban intake --json` of one record of ITEM whose M01/M02 are declared e-licences."""
    import io
    import json

    from app.paths import AppPaths
    from app.services.intake_cli import intake_command
    from app.services.staff import StaffService
    from offline_cache import open_store
    from tests.integration.intake_support import STAFF_PIN, hall_config

    paths = AppPaths(data_dir=tmp_path / "terminal", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    with open_store(paths.database) as s:
        if s.staff.get(STAFF_NO) is None:
            StaffService(store=s).add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    record = {
        "item_code": ITEM,
        "staff_no": STAFF_NO,
        "applicant": {
            "kind": "person",
            "name": pii_samples.NAME,
            "id_number": pii_samples.ID_NUMBER,
            "phone": pii_samples.PHONE,
        },
        "materials": [{"code": code, "status": "e_licence", "licence_no": no} for code, no in licences.items()],
    }
    file = tmp_path / "batch.json"
    file.write_text(json.dumps([record], ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    code = intake_command(config=hall_config(), paths=paths, json_file=file, json_output=True, out=out)
    return code, json.loads(out.getvalue())["records"][0]


def test_scripted_e_licences_are_checked_with_the_platform(
    central: Central, creds: Credentials, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # An unknown number, and another holder's licence, are refused naming the field; nothing is stored.
    status, result = _scripted(tmp_path, {"M01": "210802-SFZ-0000001", "M02": "210802-HKB-0000009"})
    assert status == 1 and result["ok"] is False
    assert [e["field"] for e in result["errors"]] == ["materials.M02.licence_no"]
    assert "没有申请人的该证照" in result["errors"][0]["message"]
    # A licence of the wrong type for the material is refused too.
    status, result = _scripted(tmp_path, {"M01": "210802-HKB-0000001"})
    assert status == 1 and "不能代替" in result["errors"][0]["message"]
    # The applicant's own licences: stored as e_licence.
    status, result = _scripted(tmp_path, {"M01": "210802-SFZ-0000001", "M02": "210802-HKB-0000001"})
    assert status == 0 and result["ok"] is True
    audit = [a[1] for a in _audit(central) if a[0] == "consent"]
    assert audit == ["granted_declared"] * 3
    # Platform down: stored with the numbers unverified (the clerk's batch does not fail on the network).
    central.stop()
    status, result = _scripted(tmp_path, {"M01": "210802-SFZ-0000001"})
    assert status == 0 and result["ok"] is True
    assert "stored unverified" in caplog.text


def test_offline_declared_licences_are_checked_on_sync_and_a_failure_reaches_the_clerk(
    qtbot: QtBot, central: Central, creds: Credentials, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from app.sync.engine import SyncEngine
    from offline_cache import open_store
    from ui.sync_status_panel import SyncStatusPanel

    caplog.set_level("DEBUG")
    central.stop()  # the platform is unreachable at intake: the numbers are stored unverified
    status, result = _scripted(tmp_path, {"M01": "210802-SFZ-0000001", "M02": "210802-HKB-0000009"})
    assert status == 0 and result["ok"] is True
    case_no = result["case_no"]
    database = tmp_path / "terminal" / "terminal.sqlite3"
    with open_store(database) as s:
        assert [(c.material_code, c.state) for c in s.licence_checks.unverified()] == [
            ("M01", "unverified"),
            ("M02", "unverified"),
        ]

    central.start()  # the platform comes up: one sync pass checks them and uploads the case
    with open_store(database) as s:
        engine = SyncEngine(s, PlatformClient(central.url, creds, timeout=(3.0, 10.0)))
        engine.cycle()
        assert s.licence_checks.unverified() == []
        follow_ups = s.licence_checks.follow_ups()
        assert [(c.case_no, c.material_code, c.state) for c in follow_ups] == [(case_no, "M02", "failed")]
        assert s.conn.execute("SELECT state FROM outbox WHERE kind = 'case'").fetchall() == [("sent",)]
        verified = s.conn.execute("SELECT material_code FROM licence_checks WHERE state = 'verified'").fetchall()
        assert verified == [("M01",)]
        actions = [r[0] for r in s.conn.execute("SELECT action FROM audit_log WHERE action LIKE 'licence.%'")]
        assert sorted(actions) == ["licence.failed", "licence.unverified", "licence.verified"]
    assert [a[1] for a in _audit(central) if a[0] == "consent"] == ["granted_declared", "granted_declared"]

    # After a restart the follow-up is still there, and the counter's sync panel shows it: which case, which
    # material, and what to do.
    with open_store(database) as s:
        status_now = SyncEngine(s, PlatformClient(central.url, creds)).status()
    panel = SyncStatusPanel()
    qtbot.add_widget(panel)
    panel.show_status(status_now)
    shown = panel.warning_label.text()
    assert not panel.warning_label.isHidden()
    assert f"办件 {case_no}" in shown and "居民户口簿" in shown
    assert "电子证照核验未通过：电子证照库中没有申请人的该证照，请联系申请人补交纸质材料" in shown
    panel.grab().save(str(tmp_path / "panel.png"))
    # Nothing personal in the terminal's or the platform's logs.
    for text in (caplog.text, central.log()):
        assert pii_samples.ID_NUMBER not in text and pii_samples.NAME not in text
        assert "210802-HKB-0000009" not in text and "210802-SFZ-0000001" not in text
