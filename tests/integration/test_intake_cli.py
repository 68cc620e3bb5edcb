"""`tongban intake --json FILE`: the handler on a real store; valid records stored, invalid ones reported."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from app.paths import AppPaths
from app.services.errors import UserFacingError
from app.services.intake_cli import intake_command
from app.services.staff import StaffService
from offline_cache import open_store
from tests import pii_samples
from tests.integration.intake_support import ITEM_CODE, STAFF_NO, STAFF_PIN, hall_config


def _paths(tmp_path: Path) -> AppPaths:
    paths = AppPaths(data_dir=tmp_path / "data", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    with open_store(paths.database) as store:
        StaffService(store=store).add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    return paths


def _record(**changes: object) -> dict[str, object]:
    record: dict[str, object] = {
        "item_code": ITEM_CODE,
        "staff_no": STAFF_NO,
        "applicant": {
            "kind": "person",
            "name": pii_samples.NAME,
            "id_number": pii_samples.ID_NUMBER,
            "phone": pii_samples.PHONE,
            "address": pii_samples.ADDRESS,
        },
        "materials": [
            {"code": "M01", "status": "original", "count": 1, "attachments": ["scan.pdf"]},
            {"code": "M02", "status": "copy", "count": 1},
            {"code": "M03", "status": "original", "count": 1},
        ],
        "delivery": {"method": "mail", "address": pii_samples.ADDRESS, "postcode": "115000"},
    }
    record.update(changes)
    return record


def _run(tmp_path: Path, paths: AppPaths, records: object, *, json_output: bool = True) -> tuple[int, str]:
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    (tmp_path / "virus.pdf").write_bytes(b"\x7fELF\x02\x01\x01")
    file = tmp_path / "batch.json"
    file.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    code = intake_command(config=hall_config(), paths=paths, json_file=file, json_output=json_output, out=out)
    return code, out.getvalue()


def test_batch_stores_valid_records_and_reports_invalid_ones(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    bad_id = _record(
        applicant={
            "kind": "person",
            "name": pii_samples.NAME,
            "id_number": "110105194912310021",
            "phone": pii_samples.PHONE,
        }
    )
    bad_attachment = _record(
        materials=[{"code": "M01", "status": "original", "count": 1, "attachments": ["virus.pdf"]}]
    )
    code, text = _run(
        tmp_path,
        paths,
        [
            _record(),
            bad_id,
            bad_attachment,
            _record(item_code="999"),
            _record(staff_no="S9999"),
            _record(decision="refuse", refusal_reason="材料不全"),
        ],
    )
    assert code == 1
    result = json.loads(text)
    assert (result["stored"], result["refused"]) == (2, 4)
    records = result["records"]
    assert records[0]["ok"] and len(records[0]["case_no"]) == 26
    assert records[1]["errors"][0]["field"] == "applicant.id_number"
    assert "校验" in records[1]["errors"][0]["message"]
    assert records[2]["errors"][0]["field"] == "materials.M01"
    assert "PDF、JPEG或PNG" in records[2]["errors"][0]["message"]
    assert records[3]["errors"][0]["field"] == "item_code"
    assert records[4]["errors"][0]["field"] == "staff_no"
    assert records[5]["state"] == "refused"
    with open_store(paths.database) as store:
        assert store.cases.count() == 2
        assert store.outbox.depth() == 2
        stored = store.cases.get_by_no(records[0]["case_no"])
        assert stored is not None
        assert stored.case.materials[0].attachments[0].media_type == "application/pdf"
        # Only the valid record's scan was stored.
        assert store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 1


def test_single_record_text_output_and_exit_zero(tmp_path: Path) -> None:
    code, text = _run(tmp_path, _paths(tmp_path), _record(), json_output=False)
    assert code == 0
    assert "已保存，办件编号 210800-01-003-" in text
    assert pii_samples.NAME not in text


def test_unreadable_file_is_one_clear_message(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    bad = tmp_path / "bad.json"
    bad.write_text("{not json", encoding="utf-8")
    with pytest.raises(UserFacingError, match="不是有效的 UTF-8 JSON"):
        intake_command(config=hall_config(), paths=paths, json_file=bad, json_output=False, out=io.StringIO())


def test_the_documented_example_is_accepted(tmp_path: Path) -> None:
    """docs/intake.md's example record, as written, is stored (the docs stay honest)."""
    text = (Path(__file__).resolve().parents[2] / "docs" / "intake.md").read_text(encoding="utf-8")
    example = json.loads(text.split("```json", 1)[1].split("```", 1)[0])
    paths = _paths(tmp_path)
    (tmp_path / "scans").mkdir()
    (tmp_path / "scans" / "application.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    file = tmp_path / "one.json"
    file.write_text(json.dumps(example, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    assert intake_command(config=hall_config(), paths=paths, json_file=file, json_output=True, out=out) == 0
    record = json.loads(out.getvalue())["records"][0]
    with open_store(paths.database) as store:
        stored = store.cases.get_by_no(record["case_no"])
        assert stored is not None
        assert [m.requirement_code for m in stored.case.missing_materials] == ["M03"]


def test_a_huge_or_multi_line_item_code_is_refused_without_echoing_it(tmp_path: Path) -> None:
    """A 10 MB or control-character value must not come back as 10 MB of report (or break its lines)."""
    paths = _paths(tmp_path)
    huge = "2108" * 2_500_000  # 10 MB
    bad_material = _record(materials=[{"code": huge, "count": "1"}])
    records = [_record(item_code=huge), _record(item_code="21\n08\x1b[2J"), bad_material]
    code, out = _run(tmp_path, paths, records, json_output=False)
    assert code == 1
    assert len(out) < 2_000
    assert "\x1b" not in out and out.count("\n") == 4  # one line per refused record, one summary


# --- issue 11: scripted intake -----------------------------------------------------------------------------------


def test_a_refused_record_stores_nothing_not_even_its_scans(tmp_path: Path) -> None:
    """`decision: refuse` without a reason, with a valid scan: refused, and neither an attachment row nor the
    encrypted file stays behind."""
    paths = _paths(tmp_path)
    code, text = _run(tmp_path, paths, [_record(decision="refuse")])
    assert code == 1
    [record] = json.loads(text)["records"]
    assert record["errors"][0]["field"] == "refusal_reason"
    with open_store(paths.database) as store:
        assert store.cases.count() == 0
        assert store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0
    blobs = [p for p in (paths.data_dir).rglob("*") if p.is_file() and "blob" in str(p.relative_to(paths.data_dir))]
    assert blobs == []


@pytest.mark.expected_log  # the refused file is logged (without its content)
def test_a_file_nested_200000_levels_deep_is_one_clear_message(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    deep = tmp_path / "deep.json"
    deep.write_text("[" * 200_000 + "]" * 200_000, encoding="utf-8")
    with pytest.raises(UserFacingError, match="嵌套层数过多") as refused:
        intake_command(config=hall_config(), paths=paths, json_file=deep, json_output=False, out=io.StringIO())
    assert "Traceback" not in refused.value.message and len(refused.value.message) < 300


def test_a_utf8_file_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    (tmp_path / "scan.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    file = tmp_path / "notepad.json"
    file.write_bytes(b"\xef\xbb\xbf" + json.dumps(_record(), ensure_ascii=False).encode("utf-8"))
    out = io.StringIO()
    assert intake_command(config=hall_config(), paths=paths, json_file=file, json_output=True, out=out) == 0
    assert json.loads(out.getvalue())["stored"] == 1


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"reason": "遗失"}, "事项没有情形问题 reason"),
        ({"agent": "他人"}, "“本人办理还是代办？”的回答应为以下之一：本人办理、代办"),
    ],
)
def test_an_unknown_scenario_question_or_answer_is_refused_with_the_field_named(
    tmp_path: Path, answers: dict[str, str], message: str
) -> None:
    paths = _paths(tmp_path)
    code, text = _run(tmp_path, paths, [_record(answers=answers)])
    assert code == 1
    [record] = json.loads(text)["records"]
    [error] = record["errors"]
    assert error["field"] == f"answers.{next(iter(answers))}"
    assert message in error["message"]
    with open_store(paths.database) as store:
        assert store.cases.count() == 0
        assert store.db.conn.execute("SELECT count(*) FROM attachments").fetchone()[0] == 0


def test_names_notes_and_enterprise_names_keep_what_was_typed_on_the_receipt(tmp_path: Path, qapp: object) -> None:
    """Issue 11: NFKC only for identifiers — a note "抵押中，需…" prints with "，", an enterprise name keeps （）."""
    from app.services.receipts import receipt_command
    from tests.integration.receipts_support import pdf_text, squash

    paths = _paths(tmp_path)
    name = "营口渤海（集团）有限公司"
    note = "抵押中，需补交（原件）"
    record = _record(
        applicant={
            "kind": "enterprise",
            "name": f"  {name} ",
            "credit_code": "９１３５０１００Ｍ０００１００Ｙ４３",  # an identifier: full-width is normalised
            "legal_representative": pii_samples.NAME,
            "contact_name": pii_samples.NAME,
            "contact_phone": pii_samples.PHONE,
        },
        materials=[
            {"code": "M01", "status": "original", "count": 1, "attachments": ["scan.pdf"]},
            {"code": "M02", "status": "missing", "note": note},
        ],
    )
    code, text = _run(tmp_path, paths, [record])
    assert code == 0, text
    case_no = json.loads(text)["records"][0]["case_no"]
    with open_store(paths.database) as store:
        stored = store.cases.get_by_no(case_no)
        assert stored is not None
        assert stored.case.applicant.name == name
        assert stored.case.applicant.credit_code == "91350100M000100Y43"  # type: ignore[union-attr]
        assert next(m.note for m in stored.case.materials if m.requirement_code == "M02") == note
    out = tmp_path / "receipt.pdf"
    assert receipt_command(config=hall_config(), paths=paths, case_no=case_no, fmt="pdf", out=out) == 0
    printed = squash(pdf_text(out))
    assert note in printed and name in printed
