"""Catalogue materials that name an electronic licence type, and the `e_licence` material status (issue 18)."""

from __future__ import annotations

import copy
import json
import typing
from pathlib import Path

import pytest

from app.domain import catalogue as catalogue_module
from app.domain.catalogue import CatalogueError, parse_catalogue
from app.domain.models import LICENCE_TYPES, MaterialStatus
from app.services.intake_form import (
    DraftFormatError,
    check_draft,
    draft_from_json,
    draft_to_json,
    new_draft,
)
from central import licences as central_licences
from tests import pii_samples

from .test_catalogue_validation import catalogue, encode, item

SEED = Path(__file__).resolve().parents[2] / "resources" / "catalogue" / "seed.json"


def test_one_list_of_licence_types_everywhere() -> None:
    assert typing.get_args(catalogue_module._LicenceType) == LICENCE_TYPES
    assert central_licences.LICENCE_TYPES == LICENCE_TYPES


def test_the_seed_names_the_applicants_own_licences() -> None:
    doc = json.loads(SEED.read_text(encoding="utf-8"))
    tagged = {(m["name"], m["licence_type"]) for i in doc["items"] for m in i["materials"] if "licence_type" in m}
    assert ("申请人居民身份证", "居民身份证") in tagged and ("营业执照", "营业执照") in tagged
    assert not any(name.startswith("代办人") for name, _ in tagged)  # a licence answers for its consenting holder
    parsed = parse_catalogue(SEED.read_bytes())
    first = parsed.get("210800200101000")
    assert first is not None
    assert [m.licence_type for m in first.materials] == ["居民身份证", "居民户口簿", None, None]


def test_an_unknown_licence_type_is_refused_naming_the_field() -> None:
    doc = copy.deepcopy(catalogue())
    doc["items"][0]["materials"][0]["licence_type"] = "驾驶证"
    with pytest.raises(CatalogueError) as info:
        parse_catalogue(encode(doc))
    assert "可替代的电子证照" in info.value.message_zh and "licence_type" in str(info.value)


def _item(licence: str | None = "居民身份证") -> typing.Any:
    doc = catalogue(item())
    if licence is not None:
        doc["items"][0]["materials"][0]["licence_type"] = licence
    parsed = parse_catalogue(encode(doc)).get("210800200101000")
    assert parsed is not None
    return parsed


def _filled(parsed: typing.Any) -> typing.Any:
    draft = new_draft(parsed)
    a = draft.applicant
    a.name, a.id_number, a.phone = pii_samples.NAME, pii_samples.ID_NUMBER, pii_samples.PHONE
    return draft


def test_an_e_licence_material_needs_a_licence_type_and_a_number() -> None:
    parsed = _item()
    draft = _filled(parsed)
    m = draft.material("M01")
    assert m is not None
    m.status, m.licence_no, m.count = MaterialStatus.E_LICENCE, "210802-SFZ-0000001", 3
    checked = check_draft(draft, parsed)
    assert not isinstance(checked, list), checked
    material = checked.materials[0]
    assert (material.status, material.licence_no, material.count, material.attachments) == (
        MaterialStatus.E_LICENCE,
        "210802-SFZ-0000001",
        0,
        (),
    )
    m.licence_no = "x"
    errors = check_draft(draft, parsed)
    assert isinstance(errors, list) and errors[0].path == "materials.M01" and "证照编号" in errors[0].message
    m.licence_no = "210802-SFZ-0000001"
    no_type = _item(None)
    errors = check_draft(draft, no_type)
    assert isinstance(errors, list) and "不能以电子证照代替" in errors[0].message


def test_scripted_json_carries_the_licence_number_and_names_a_missing_one() -> None:
    parsed = _item()
    draft = _filled(parsed)
    m = draft.material("M01")
    assert m is not None
    m.status, m.licence_no = MaterialStatus.E_LICENCE, "210802-SFZ-0000001"
    data = draft_to_json(draft)
    back = draft_from_json(data)
    again = back.material("M01")
    assert again is not None and (again.status, again.licence_no) == (MaterialStatus.E_LICENCE, "210802-SFZ-0000001")
    data["materials"][0]["licence_no"] = ""
    with pytest.raises(DraftFormatError) as info:
        draft_from_json(data)
    assert info.value.path == "materials.M01.licence_no"
