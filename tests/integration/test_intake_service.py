"""IntakeService on a real store file: submit writes case + materials + attachments + outbox + audit at once;
bad input is refused with the fields named and stores nothing; drafts autosave and come back."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from app.domain.models import CaseState, DeliveryMethod, MaterialStatus, OriginalsHandling, PersonApplicant
from app.paths import AppPaths
from app.services.attachments import MAX_ATTACHMENT_BYTES, AttachmentError
from app.services.catalogue import CatalogueService
from app.services.errors import UserFacingError
from app.services.intake import DRAFT_KEY, Decision, SubmitRefusedError
from app.services.intake_form import AgentInput
from app.services.terminal import open_terminal
from offline_cache import Store
from tests import pii_samples
from tests.integration.intake_support import (
    AGENT_ID,
    ITEM_CODE,
    STAFF_NO,
    FakeClock,
    counts,
    fill_person,
    hall_config,
    mail_to_applicant,
    make_service,
    receive_all,
    store_at,
)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    yield from store_at(tmp_path)


@pytest.fixture
def catalogue(tmp_path: Path) -> CatalogueService:
    return CatalogueService(tmp_path / "data")


PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def test_submit_writes_everything_in_one_go(qapp: object, store: Store, catalogue: CatalogueService) -> None:
    service = make_service(store, catalogue)
    draft = mail_to_applicant(receive_all(fill_person(service.start(item_code=ITEM_CODE))))
    service.attach_scan(draft=draft, material_code="M02", data=PNG, filename="id.png")
    result = service.submit(draft=draft, staff_no=STAFF_NO)
    case = result.case
    assert len(case.case_no) == 26 and case.case_no.startswith("21080001003" + "20261124")
    assert case.state is CaseState.RECEIVED
    assert case.routing.department and case.routing.staff_no == STAFF_NO and case.routing.window == "07"
    assert case.expected_date is not None
    stored = store.cases.get_by_no(case.case_no)
    assert stored is not None
    assert isinstance(stored.case.applicant, PersonApplicant)
    assert stored.case.applicant.id_number == pii_samples.ID_NUMBER
    assert stored.case.delivery.postcode == "115000"
    m02 = next(m for m in stored.case.materials if m.requirement_code == "M02")
    assert m02.attachments[0].media_type == "image/png"
    assert store.blobs.read(m02.attachments[0].sha256) == PNG
    assert counts(store) == {"cases": 1, "case_materials": 5, "case_attachments": 1, "outbox": 1}
    assert store.audit.list(action="case_saved")[0].actor == STAFF_NO
    assert store.drafts.get(DRAFT_KEY) is None


def test_missing_materials_receive_with_notice_or_refuse(
    qapp: object, store: Store, catalogue: CatalogueService
) -> None:
    service = make_service(store, catalogue)
    draft = fill_person(service.start(item_code=ITEM_CODE))
    draft.material("M01").status, draft.material("M01").count = MaterialStatus.COPY, 2  # type: ignore[union-attr]
    received = service.submit(draft=draft, staff_no=STAFF_NO).case
    assert received.state is CaseState.RECEIVED
    assert [m.requirement_code for m in received.missing_materials] == ["M02", "M03"]
    assert received.missing_materials[0].note == "未提供"

    draft2 = fill_person(service.start(item_code=ITEM_CODE))
    with pytest.raises(SubmitRefusedError) as caught:
        service.submit(draft=draft2, staff_no=STAFF_NO, decision=Decision.REFUSE, refusal_reason=" \n ")
    assert [e.path for e in caught.value.errors] == ["refusal_reason"]
    refused = service.submit(
        draft=draft2, staff_no=STAFF_NO, decision=Decision.REFUSE, refusal_reason="申请人未携带\n身份证原件"
    ).case
    assert refused.state is CaseState.REFUSED
    assert refused.refusal_reason == "申请人未携带 身份证原件"
    assert refused.expected_date is None
    assert counts(store)["outbox"] == 2


def test_agent_makes_conditional_materials_apply(qapp: object, store: Store, catalogue: CatalogueService) -> None:
    service = make_service(store, catalogue)
    draft = fill_person(service.start(item_code=ITEM_CODE))
    assert draft.material("M04").status is MaterialStatus.NOT_APPLICABLE  # type: ignore[union-attr]
    draft.agent = AgentInput(pii_samples.NAME_2, AGENT_ID, pii_samples.PHONE_2)
    service.refresh(draft=draft)
    assert draft.answers["agent"] == "代办"
    assert draft.material("M04").status is MaterialStatus.MISSING  # type: ignore[union-attr]
    case = service.submit(draft=receive_all(draft), staff_no=STAFF_NO).case
    assert case.agent is not None and case.agent.id_number == AGENT_ID
    assert not case.missing_materials


@pytest.mark.parametrize(
    ("field", "value", "path", "message"),
    [
        ("id_number", "110105194912310021", "applicant.id_number", "校验"),
        ("id_number", "110105209912310025", "applicant.id_number", "晚于今天"),
        ("name", "张" * 200, "applicant.name", "过长"),
        ("name", "张三😀", "applicant.name", "表情"),
        ("name", "张\x07三", "applicant.name", "控制字符"),
        ("phone", "1381234567", "applicant.phone", ""),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(  # noqa: PLR0917 - fixtures and parameters
    qapp: object,
    store: Store,
    catalogue: CatalogueService,
    field: str,
    value: str,
    path: str,
    message: str,
) -> None:
    service = make_service(store, catalogue)
    draft = receive_all(fill_person(service.start(item_code=ITEM_CODE)))
    setattr(draft.applicant, field, value)
    with pytest.raises(SubmitRefusedError) as caught:
        service.submit(draft=draft, staff_no=STAFF_NO)
    assert caught.value.errors[0].path == path
    assert message in caught.value.errors[0].message
    assert counts(store)["cases"] == 0 and counts(store)["outbox"] == 0
    # The same check runs as focus leaves the field.
    assert service.check_field(path=path, value=value) == caught.value.errors[0].message


def test_errors_are_listed_in_form_order(qapp: object, store: Store, catalogue: CatalogueService) -> None:
    service = make_service(store, catalogue)
    draft = service.start(item_code=ITEM_CODE)
    draft.delivery_method = DeliveryMethod.MAIL
    draft.originals = OriginalsHandling.MAIL_ORIGINALS
    with pytest.raises(SubmitRefusedError) as caught:
        service.submit(draft=draft, staff_no=STAFF_NO)
    paths = [e.path for e in caught.value.errors]
    assert paths == ["applicant.name", "applicant.id_number", "applicant.phone", "delivery.address"]


def test_renamed_executable_and_huge_files_are_refused(
    qapp: object,
    tmp_path: Path,
    store: Store,
    catalogue: CatalogueService,
) -> None:
    service = make_service(store, catalogue)
    draft = service.start(item_code=ITEM_CODE)
    exe = tmp_path / "scan.pdf"
    exe.write_bytes(b"MZ\x90\x00" + b"\x00" * 100)
    with pytest.raises(AttachmentError) as caught:
        service.attach_file(draft=draft, material_code="M01", path=exe)
    assert caught.value.code == "bad_type"
    huge = tmp_path / "huge.pdf"
    with huge.open("wb") as fh:  # sparse: 500 MB that take no disk and are never read
        fh.write(b"%PDF-")
        fh.truncate(500 * 1024 * 1024)
    with pytest.raises(AttachmentError) as caught:
        service.attach_file(draft=draft, material_code="M01", path=huge)
    assert caught.value.code == "too_large" and "20 MB" in caught.value.message
    assert MAX_ATTACHMENT_BYTES == 20 * 1024 * 1024
    ok = tmp_path / "contract.bin"
    ok.write_bytes(PDF)
    attachment = service.attach_file(draft=draft, material_code="M01", path=ok)
    assert attachment.media_type == "application/pdf" and attachment.filename == "contract.bin.pdf"
    assert draft.material("M01").attachments == [attachment]  # type: ignore[union-attr]


def test_draft_autosaves_debounced_and_comes_back(qtbot: QtBot, store: Store, catalogue: CatalogueService) -> None:
    service = make_service(store, catalogue)
    draft = service.start(item_code=ITEM_CODE)
    with qtbot.wait_signal(service.draft_saved, timeout=3000):
        for ch in pii_samples.NAME:
            draft.applicant.name += ch
            service.autosave(draft=draft)
    restored = make_service(store, catalogue).recovered_draft()
    assert restored is not None
    assert restored.applicant.name == pii_samples.NAME and restored.draft_id == draft.draft_id
    service.discard_draft()
    assert service.recovered_draft() is None


@pytest.mark.expected_log
def test_full_disk_on_submit_keeps_the_draft_and_the_database(
    qapp: object,
    store: Store,
    catalogue: CatalogueService,
) -> None:
    service = make_service(store, catalogue)
    page_count = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
    store.db.conn.execute(f"PRAGMA max_page_count = {page_count + 2}")  # the disk fills up within a few cases
    error: UserFacingError | None = None
    for _ in range(100):
        draft = receive_all(fill_person(service.start(item_code=ITEM_CODE)))
        service.flush_draft()
        before = counts(store)
        try:
            service.submit(draft=draft, staff_no=STAFF_NO)
        except UserFacingError as exc:
            error = exc
            break
    assert error is not None
    assert "磁盘" in error.message or "空间" in error.message
    store.db.conn.execute("PRAGMA max_page_count = 1073741823")
    assert counts(store) == before
    assert store.db.conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert service.recovered_draft() is not None
    # Space freed: the same draft goes through.
    assert service.submit(draft=draft, staff_no=STAFF_NO).case.state is CaseState.RECEIVED


def test_drafts_older_than_retention_are_purged_at_start(qapp: object, tmp_path: Path) -> None:
    paths = AppPaths(data_dir=tmp_path / "t", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    config = hall_config()
    clock = FakeClock()
    terminal = open_terminal(config=config, paths=paths, clock=clock)
    draft = fill_person(terminal.intake.start(item_code=ITEM_CODE))
    terminal.intake.autosave(draft=draft)
    terminal.close()  # writes the pending autosave
    clock.advance(days=config.retention_days - 1)
    terminal = open_terminal(config=config, paths=paths, clock=clock)
    assert terminal.intake.recovered_draft() is not None  # within retention: kept
    terminal.close()
    clock.advance(days=2)
    terminal = open_terminal(config=config, paths=paths, clock=clock)
    try:
        assert terminal.intake.recovered_draft() is None
        assert terminal.store.audit.list(action="stale_drafts_deleted")
    finally:
        terminal.close()


def test_items_used_here_come_first_in_search(qapp: object, store: Store, catalogue: CatalogueService) -> None:
    service = make_service(store, catalogue)
    before = [i.code for i in catalogue.search("bdc", 5, service.usage_boost())]
    assert before[0] != ITEM_CODE
    service.submit(draft=receive_all(fill_person(service.start(item_code=ITEM_CODE))), staff_no=STAFF_NO)
    assert catalogue.search("bdc", 5, service.usage_boost())[0].code == ITEM_CODE
    # A new start of the terminal counts the stored cases.
    assert make_service(store, catalogue).usage_boost() == {ITEM_CODE: 1.0}


@pytest.mark.expected_log
def test_a_failed_autosave_is_written_by_the_next_flush(
    qtbot: QtBot, store: Store, catalogue: CatalogueService
) -> None:
    """Disk full at an autosave, space freed, then sign-out: the flush must write the draft, not drop it."""
    service = make_service(store, catalogue)
    draft = fill_person(service.start(item_code=ITEM_CODE))
    service.flush_draft()
    page_count = store.db.conn.execute("PRAGMA page_count").fetchone()[0]
    store.db.conn.execute(f"PRAGMA max_page_count = {page_count}")
    draft.applicant.address = "辽宁省营口市站前区" * 2000  # needs new pages: the write fails
    with qtbot.wait_signal(service.draft_save_failed, timeout=3000):
        service.autosave(draft=draft)
    store.db.conn.execute("PRAGMA max_page_count = 1073741823")
    service.flush_draft()  # sign-out or close after the disk was cleaned up
    restored = make_service(store, catalogue).recovered_draft()
    assert restored is not None
    assert restored.applicant.address == draft.applicant.address


@pytest.mark.expected_log
def test_discard_on_a_store_that_cannot_write_is_a_plain_message_and_keeps_the_draft(
    qapp: object, store: Store, catalogue: CatalogueService
) -> None:
    """An environment error the clerk can act on (the error screen shows its message), not a 'bug'."""
    service = make_service(store, catalogue)
    fill_person(service.start(item_code=ITEM_CODE))
    service.flush_draft()
    store.db.conn.execute("PRAGMA query_only = ON")  # as when the disk or the database is locked read-only
    with pytest.raises(UserFacingError) as refused:
        service.discard_draft()
    store.db.conn.execute("PRAGMA query_only = OFF")
    assert refused.value.message
    assert service.recovered_draft() is not None


def test_drafts_belong_to_their_clerk(qapp: object, store: Store, catalogue: CatalogueService) -> None:
    """Issue 11: one draft per clerk, given back only to its owner; an unowned draft from the previous version goes
    to the clerk the audit log shows was signed in when it was saved."""
    from app.services.intake import draft_key
    from app.services.intake_form import draft_to_json
    from app.services.staff import StaffService

    staff = StaffService(store=store)
    for number, name in ((STAFF_NO, "王晓"), ("S0043", "赵敏")):
        staff.add(staff_no=number, display_name=name, pin="246810", actor="test")
    service = make_service(store, catalogue)
    service.set_clerk(STAFF_NO)
    mine = fill_person(service.start(item_code=ITEM_CODE))
    service.autosave(draft=mine)
    service.set_clerk("S0043")  # S0042 left without flushing: the pending draft is still S0042's
    service.flush_draft()
    assert service.recovered_draft() is None
    assert store.drafts.get(draft_key("S0043")) is None
    service.set_clerk(STAFF_NO)
    back = service.recovered_draft()
    assert back is not None and back.draft_id == mine.draft_id

    # Upgraded from a version with one draft for everyone: it was saved while S0042 was signed in.
    service.discard_draft()
    staff.sign_in(staff_no=STAFF_NO, pin="246810")
    store.drafts.put(DRAFT_KEY, draft_to_json(mine))
    staff.sign_out()
    staff.sign_in(staff_no="S0043", pin="246810")
    service.set_clerk("S0043")
    assert service.recovered_draft() is None
    service.set_clerk(STAFF_NO)
    adopted = service.recovered_draft()
    assert adopted is not None and adopted.draft_id == mine.draft_id
    assert store.drafts.get(DRAFT_KEY) is None and store.drafts.get(draft_key(STAFF_NO)) is not None
