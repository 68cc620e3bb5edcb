"""The intake form's data rules without a store: JSON shape round trip, 情形 answers, field checks."""

from __future__ import annotations

import pytest

from app.domain.catalogue import load_catalogue_file
from app.domain.models import ApplicantKind, Attachment, MaterialStatus
from app.services.attachments import AttachmentError, check_content, display_filename
from app.services.intake_form import (
    AgentInput,
    DraftFormatError,
    check_draft,
    check_field,
    draft_from_json,
    draft_to_json,
    new_draft,
    refresh_applicability,
)
from resources import resource_path
from tests import pii_samples

CATALOGUE = load_catalogue_file(resource_path("catalogue", "seed.json"))


def _item(code: str = "210800200401000"):  # 不动产登记资料查询: 'querier' and 'agent' questions
    item = CATALOGUE.get(code)
    assert item is not None
    return item


def test_json_round_trip_keeps_everything() -> None:
    draft = new_draft(_item())
    draft.applicant.name = pii_samples.NAME
    draft.agent = AgentInput(pii_samples.NAME_2, "x", pii_samples.PHONE_2)
    draft.materials[0].attachments.append(Attachment("a" * 64, "id.png", "image/png", 10))
    again = draft_from_json(draft_to_json(draft))
    assert again == draft


def test_scenario_answer_switches_conditional_material() -> None:
    item = _item()
    draft = new_draft(item)
    m03 = draft.material("M03")
    assert m03 is not None and m03.status is MaterialStatus.NOT_APPLICABLE
    draft.answers["querier"] = "利害关系人"
    refresh_applicability(draft, item)
    assert m03.status is MaterialStatus.MISSING


def test_enterprise_checks_credit_code_and_people() -> None:
    draft = new_draft(_item("210803010601000"))
    draft.applicant.kind = ApplicantKind.ENTERPRISE
    draft.applicant.name = "营口市某某商贸有限公司"
    draft.applicant.credit_code = pii_samples.CREDIT_CODE.lower()
    draft.applicant.legal_representative = pii_samples.NAME
    draft.applicant.contact_name = pii_samples.NAME_2
    draft.applicant.contact_phone = "0417-2812345"
    result = check_draft(draft, _item("210803010601000"))
    assert not isinstance(result, list), result
    assert result.applicant.credit_code == pii_samples.CREDIT_CODE  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("path", "value", "expected"),
    [
        ("applicant.credit_code", "91350100M000100Y44", "校验"),
        ("applicant.id_number", "210802860715371", "18位"),
        ("applicant.enterprise_name", "公司\n名称", "换行"),
        ("delivery.address", "a", "地址"),
        ("applicant.address", "", None),
    ],
)
def test_field_checks_give_reasons_in_chinese(path: str, value: str, expected: str | None) -> None:
    message = check_field(path, value)
    if expected is None:
        assert message is None
    else:
        assert message is not None and expected in message


def test_malformed_json_names_the_field() -> None:
    with pytest.raises(DraftFormatError) as caught:
        draft_from_json({"item_code": "x", "materials": [{"code": "M01", "count": "two"}]})
    assert caught.value.path == "materials.M01"
    with pytest.raises(DraftFormatError) as caught:
        draft_from_json({"item_code": "x", "delivery": {"method": "pigeon"}})
    assert "window_pickup" in caught.value.message


def test_attachment_content_check() -> None:
    assert check_content(b"\xff\xd8\xff\xe0rest") == "image/jpeg"
    with pytest.raises(AttachmentError):
        check_content(b"#!/bin/sh\nrm -rf /")
    with pytest.raises(AttachmentError):
        check_content(b"")
    assert display_filename("/tmp/dir/a\x00b.JPEG", "image/jpeg") == "ab.JPEG"


def test_a_follow_up_answer_counts_only_when_its_question_is_asked() -> None:
    """住房公积金提取（偿还住房贷款）: 配偶是否同时提取? is asked only for 已婚; a leftover 是 brings no spouse ID."""
    item = _item("210800200310000")
    draft = new_draft(item)
    spouse_id = next(m.code for m in item.materials if m.name == "配偶居民身份证")

    draft.answers.update(marital="已婚", spouse_withdraws="是")
    refresh_applicability(draft, item)
    assert draft.material(spouse_id).status is MaterialStatus.MISSING  # type: ignore[union-attr]

    draft.answers["marital"] = "未婚"  # the follow-up keeps its old answer, but is no longer asked
    refresh_applicability(draft, item)
    assert draft.material(spouse_id).status is MaterialStatus.NOT_APPLICABLE  # type: ignore[union-attr]


def test_free_text_keeps_full_width_punctuation_but_tracking_numbers_are_identifiers() -> None:
    """Issue 11: NFKC for identifiers only."""
    from app.domain.validation import Valid
    from app.services.intake_form import check_field, check_free_text, check_org_name

    note = check_free_text("  抵押中，需补交（原件）  ", label="说明", limit=200, required=False)
    assert isinstance(note, Valid) and note.value == "抵押中，需补交（原件）"
    name = check_org_name(" 营口渤海（集团）有限公司 ")
    assert isinstance(name, Valid) and name.value == "营口渤海（集团）有限公司"
    tracking = check_free_text(
        "ＥＭ１２３４５６７８９ＣＮ", label="原件邮寄单号", limit=40, required=True, identifier=True
    )
    assert isinstance(tracking, Valid) and tracking.value == "EM123456789CN"
    assert check_field("routing.tracking_no", "ＥＭ１２３") is None
