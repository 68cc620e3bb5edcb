"""Scripted intake of a 一件事 bundle (`"bundle_code"`): one record → one case per chosen member, each with its own
number, department and time limit, linked by one bundle id; each question answered once, each shared document
given once; a refused member stores nothing of the bundle."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

from app.domain.case_number import format_grouped
from app.domain.models import MaterialStatus
from app.paths import AppPaths
from app.protocol import is_case_no
from app.services.intake_cli import intake_command
from app.services.staff import StaffService
from offline_cache import open_store
from tests import pii_samples
from tests.integration.intake_support import STAFF_NO, STAFF_PIN, hall_config

BIRTH = "210800YJS001"  # 新生儿出生一件事
CERT, REG, MED, CARD = "210800200507000", "210811070505000", "210800200202000", "210800200104000"


def _paths(tmp_path: Path) -> AppPaths:
    paths = AppPaths(data_dir=tmp_path / "data", config_file=tmp_path / "c.toml", log_dir=tmp_path / "logs")
    with open_store(paths.database) as store:
        StaffService(store=store).add(staff_no=STAFF_NO, display_name="王晓", pin=STAFF_PIN, actor="test")
    return paths


def _record(**changes: Any) -> dict[str, Any]:
    record: dict[str, Any] = {
        "bundle_code": BIRTH,
        "staff_no": STAFF_NO,
        "applicant": {
            "kind": "person",
            "name": pii_samples.NAME,
            "id_number": pii_samples.ID_NUMBER,
            "phone": pii_samples.PHONE,
            "address": pii_samples.ADDRESS,
        },
        "bundle_answers": {"social_card": "是"},
        "answers": {"agent": "本人办理", "birth_place": "医疗机构内", "both_parents": "是"},
        "shared_materials": [
            {"code": "S01", "status": "original", "count": 1, "attachments": ["ids.pdf"]},
            {"code": "S02", "status": "copy", "count": 1},
            {"code": "S03", "status": "copy", "count": 1},
        ],
        "members": {CERT: {"materials": [{"code": "M03", "status": "original", "count": 1}]}},
        "delivery": {"method": "window_pickup"},
    }
    record.update(changes)
    return record


def _run(tmp_path: Path, paths: AppPaths, records: object, *, json_output: bool = True) -> tuple[int, str]:
    (tmp_path / "ids.pdf").write_bytes(b"%PDF-1.4\n%%EOF\n")
    file = tmp_path / "batch.json"
    file.write_text(json.dumps(records, ensure_ascii=False), encoding="utf-8")
    out = io.StringIO()
    code = intake_command(config=hall_config(), paths=paths, json_file=file, json_output=json_output, out=out)
    return code, out.getvalue()


def test_one_bundle_record_becomes_one_case_per_member_linked_by_one_id(tmp_path: Path) -> None:
    paths = _paths(tmp_path)

    code, text = _run(tmp_path, paths, _record())

    assert code == 0, text
    [result] = json.loads(text)["records"]
    assert result["ok"] is True and result["bundle_id"].startswith(BIRTH + "-")
    members = result["members"]
    assert [m["item_code"] for m in members] == [CERT, REG, MED, CARD]
    numbers = [m["case_no"] for m in members]
    assert len(set(numbers)) == 4 and all(len(n) == 26 for n in numbers)
    with open_store(paths.database) as store:
        cases = {m["item_code"]: store.cases.get_by_no(m["case_no"]).case for m in members}  # type: ignore[union-attr]
        bodies = [e.body for e in store.outbox.pending(limit=50) if e.body.get("case_no") in numbers]
    assert {c.bundle_id for c in cases.values()} == {result["bundle_id"]}
    assert {b["bundle_id"] for b in bodies} == {result["bundle_id"]} and len(bodies) == 4  # synced with the link
    # The parent case: a number of its own from the same day sequence, before its members'; the link synced.
    parent = result["parent_case_no"]
    assert result["case_no"] == parent and parent not in numbers
    assert is_case_no(parent) and parent[:19] == numbers[0][:19]  # same terminal and day
    assert int(parent[19:24]) + 1 == int(numbers[0][19:24])
    assert {b["parent_case_no"] for b in bodies} == {parent}
    assert {b["bundle_name"] for b in bodies} == {"新生儿出生一件事"}
    departments = {c.routing.department for c in cases.values()}
    assert {"营口市卫生健康委员会", "营口市公安局老边分局", "营口市医疗保障事务服务中心"} <= departments
    assert cases[CERT].expected_date != cases[CARD].expected_date  # each member keeps its own time limit

    def status(item: str, material: str) -> MaterialStatus:
        return next(m.status for m in cases[item].materials if m.requirement_code == material)

    # 出生医学证明 (S03) given once counts for 户口登记, 医保 and 社保卡; 父母身份证 (S01) for 出生医学证明, 户口登记.
    assert status(REG, "M01") is MaterialStatus.COPY and status(MED, "M01") is MaterialStatus.COPY
    assert status(CARD, "M01") is MaterialStatus.COPY
    assert status(CERT, "M01") is MaterialStatus.ORIGINAL and status(REG, "M03") is MaterialStatus.ORIGINAL
    # 本人办理还是代办 answered once, for both members that ask it: no agent papers in either.
    assert status(MED, "M04") is MaterialStatus.NOT_APPLICABLE and status(CARD, "M05") is MaterialStatus.NOT_APPLICABLE


def test_a_question_of_the_bundle_chooses_its_members(tmp_path: Path) -> None:
    paths = _paths(tmp_path)

    code, text = _run(tmp_path, paths, _record(bundle_answers={"social_card": "否"}), json_output=False)

    assert code == 0, text
    lines = text.splitlines()
    assert lines[0].startswith("第1条：已保存一件事「新生儿出生一件事」，一件事办件编号 210800-01-003-")
    assert lines[0].endswith("（3项成员办件）")
    assert "社会保障卡申领" not in text
    assert [line.startswith("  ") and "：办件编号 210800-01-003-" in line for line in lines[1:4]] == [True] * 3
    parent = lines[0].split("一件事办件编号 ")[1].split("（")[0]
    assert parent not in "".join(lines[1:4])  # the parent's number is its own


def test_a_refused_member_stores_nothing_of_the_bundle(tmp_path: Path) -> None:
    paths = _paths(tmp_path)
    bad_delivery = _record(delivery={"method": "e_licence"})  # 出生登记 offers window pickup only
    bad_answer = _record(answers={"agent": "本人办理", "twins": "是"})
    bad_member = _record(members={"210800200101000": {"materials": []}})
    bad_bundle_answer = _record(bundle_answers={"social_card": "也许"})

    code, text = _run(
        tmp_path, paths, [bad_delivery, bad_answer, bad_member, bad_bundle_answer, _record(bundle_code="X99")]
    )

    assert code == 1
    outcomes = json.loads(text)["records"]
    assert all(not o["ok"] for o in outcomes)
    assert outcomes[0]["errors"][0]["field"].startswith("members.")
    assert outcomes[1]["errors"][0]["field"] == "answers.twins"
    assert outcomes[2]["errors"][0]["field"] == "members.210800200101000"
    assert outcomes[3]["errors"][0]["field"] == "bundle_answers.social_card"
    assert outcomes[4]["errors"][0]["field"] == "bundle_code"
    with open_store(paths.database) as store:
        assert store.cases.count() == 0
        assert store.outbox.depth() == 0


AFTER_DEATH = "210800YJS005"  # 身后一件事: seven members when every question says 是


def _after_death() -> dict[str, Any]:
    return _record(
        bundle_code=AFTER_DEATH,
        bundle_answers={"insured": "是", "has_gjj": "是", "has_house": "是", "has_licence": "是"},
        answers={"death_place": "医疗机构内", "relation": "配偶", "hukou": "本市户籍", "cancel_reason": "持证人死亡"},
        shared_materials=[
            {"code": "S01", "status": "copy", "count": 2},
            {"code": "S02", "status": "original", "count": 1},
        ],
        members={},
    )


def test_one_receipt_lists_all_seven_members_on_a4_and_on_a_slip(tmp_path: Path, qapp: object) -> None:
    from app.printing.slip_view import render_slip
    from app.printing.thermal import thermal_profile
    from app.services.receipts import receipt_command
    from tests.integration.receipts_support import decode_qr, pdf_pages, pdf_text, pdf_to_pngs, squash

    paths = _paths(tmp_path)
    code, text = _run(tmp_path, paths, _after_death())
    assert code == 0, text
    [result] = json.loads(text)["records"]
    members = result["members"]
    assert len(members) == 7

    pdf = tmp_path / "bundle.pdf"
    assert receipt_command(config=hall_config(), paths=paths, case_no=members[3]["case_no"], fmt="pdf", out=pdf) == 0
    printed = squash(pdf_text(pdf))
    assert "一件事收件回执" in printed and "身后一件事" in printed
    parent = result["parent_case_no"]
    assert squash(f"办件编号：{format_grouped(parent)}") in printed  # the bundle's own number under the title
    [first_page, *_rest] = pdf_to_pngs(pdf)
    assert [url.endswith(f"/c/{parent}") for url in decode_qr(first_page)] == [True]  # the QR opens the parent
    for member in members:  # every member with its department and number, once
        assert printed.count(squash(format_grouped(member["case_no"]))) == 1, member["item_name"]
        assert squash(member["item_name"]) in printed
    assert "营口市公安局站前分局" in printed and "营口市住房公积金管理中心" in printed
    assert printed.count("居民死亡医学证明（推断）书或死亡证明") == 1  # shared: listed once
    assert "亲属居民身份证" in printed and "领取人居民身份证" not in printed  # shared under its own name
    assert pdf_pages(pdf) >= 2  # continues onto further pages
    assert "一件事收件回执（续）" in printed
    assert pii_samples.ID_NUMBER not in printed

    slip = tmp_path / "bundle.bin"
    assert (
        receipt_command(config=hall_config(), paths=paths, case_no=members[0]["case_no"], fmt="escpos", out=slip) == 0
    )
    profile = thermal_profile("", 80)
    view = render_slip(slip.read_bytes(), dots=profile.dots)
    lines = "".join(view.text_lines)
    assert squash(format_grouped(parent)) in squash(lines)
    for member in members:
        assert format_grouped(member["case_no"]) in lines or squash(format_grouped(member["case_no"])) in squash(lines)
    assert max(len(line) for line in view.text_lines) <= profile.columns


def test_a_number_typed_in_a_missing_materials_note_prints_masked_on_the_bundle_receipt(
    tmp_path: Path, qapp: object
) -> None:
    """The clerk's note on a missing material goes through the same masking as the single-item receipt."""
    from app.services.receipts import receipt_command
    from tests.integration.receipts_support import pdf_text, squash

    paths = _paths(tmp_path)
    note = f"原件在{pii_samples.PHONE}处，身份证{pii_samples.ID_NUMBER}"
    record = _record(members={CERT: {"materials": [{"code": "M03", "status": "missing", "note": note}]}})
    code, text = _run(tmp_path, paths, record)
    assert code == 0, text
    [result] = json.loads(text)["records"]
    pdf = tmp_path / "bundle.pdf"
    assert (
        receipt_command(config=hall_config(), paths=paths, case_no=result["members"][0]["case_no"], fmt="pdf", out=pdf)
        == 0
    )
    printed = squash(pdf_text(pdf))
    assert "原件在" in printed  # the note is printed ...
    assert pii_samples.PHONE not in printed and pii_samples.ID_NUMBER not in printed  # ... with its numbers masked


def test_parent_and_member_numbers_stay_unique_across_restarts(tmp_path: Path) -> None:
    """Two bundles and a single case, each intake a new process's store: every number (parents included) is
    different, and each parent is found again after a restart with its members."""
    paths = _paths(tmp_path)
    _code, first = _run(tmp_path, paths, _record())
    base = _record()
    single = {
        "item_code": REG,
        "staff_no": STAFF_NO,
        "applicant": base["applicant"],
        "answers": {"parents_married": "是"},
        "materials": [],
        "delivery": base["delivery"],
    }
    _code, second = _run(tmp_path, paths, [_record(bundle_answers={"social_card": "否"}), single])

    results = [*json.loads(first)["records"], *json.loads(second)["records"]]
    assert [r["ok"] for r in results] == [True, True, True], second
    numbers = [r["case_no"] for r in results] + [m["case_no"] for r in results for m in r.get("members", [])]
    assert len(numbers) == len(set(numbers)) == 1 + 4 + 1 + 3 + 1
    with open_store(paths.database) as store:
        for result in results[:2]:
            parent = store.bundles.get(result["parent_case_no"])
            assert parent is not None and parent.bundle_id == result["bundle_id"]
            members = [s.case.case_no for s in store.cases.list_bundle(parent.bundle_id)]
            assert members == [m["case_no"] for m in result["members"]]
        assert store.cases.get_by_no(results[0]["parent_case_no"]) is None  # a parent is not a member case


def test_the_parent_number_renders_the_bundle_receipt(tmp_path: Path, qapp: object) -> None:
    """`tongban receipt <parent number>` renders the 一件事收件回执 (every member listed), logged for each member."""
    from app.services.receipts import receipt_command
    from tests.integration.receipts_support import pdf_text, squash

    paths = _paths(tmp_path)
    code, text = _run(tmp_path, paths, _record())
    assert code == 0, text
    [result] = json.loads(text)["records"]
    pdf = tmp_path / "parent.pdf"

    assert receipt_command(config=hall_config(), paths=paths, case_no=result["parent_case_no"], fmt="pdf", out=pdf) == 0

    printed = squash(pdf_text(pdf))
    assert "一件事收件回执" in printed and squash(format_grouped(result["parent_case_no"])) in printed
    for member in result["members"]:
        assert squash(format_grouped(member["case_no"])) in printed
    with open_store(paths.database) as store:
        assert all(store.receipts.for_case(m["case_no"]) for m in result["members"])


def test_a_bundle_from_before_parents_renders_as_it_did(tmp_path: Path, qapp: object) -> None:
    """Members stored with a shared bundle_id and no parent (taken in before parents had numbers): the receipt has
    no number under its title, keeps the bundle id, and its QR opens the first member's page."""
    import dataclasses

    from app.services.receipts import receipt_command
    from offline_cache.samples import sample_case
    from tests.integration.receipts_support import decode_qr, pdf_text, pdf_to_pngs, squash

    paths = _paths(tmp_path)
    bundle_id = f"{BIRTH}-0123456789abcdef"
    with open_store(paths.database) as store:
        numbers = [
            store.save_case(
                dataclasses.replace(sample_case(), item_code=code, bundle_id=bundle_id), actor=STAFF_NO
            ).case.case_no
            for code in (CERT, REG)
        ]
    pdf = tmp_path / "old.pdf"

    assert receipt_command(config=hall_config(), paths=paths, case_no=numbers[1], fmt="pdf", out=pdf) == 0

    printed = squash(pdf_text(pdf))
    assert "一件事收件回执" in printed and squash(bundle_id) in printed and "一件事办件编号" not in printed
    assert "办件编号：" not in printed  # no single number under the title
    [first_page, *_rest] = pdf_to_pngs(pdf)
    assert [url.endswith(f"/c/{numbers[0]}") for url in decode_qr(first_page)] == [True]
