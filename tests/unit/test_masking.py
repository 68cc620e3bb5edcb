"""Masking: what each surface may show of a personal value (DOMAIN.md "Privacy")."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.domain.masking import (
    COMPOUND_SURNAMES,
    MASK,
    MAX_MASKED_CHARS,
    REDACTED,
    Field,
    Surface,
    mask_address,
    mask_credit_code,
    mask_for,
    mask_id_number,
    mask_name,
    mask_numbers_in_text,
    mask_phone,
)

ID = "21080219900101123X"
USCC = "91350100M000100Y43"


def _shown(masked: str) -> str:
    """The characters a mask reveals."""
    return masked.replace(MASK, "")


def test_id_number_keeps_first_three_and_last_four() -> None:
    assert mask_id_number(ID) == "210***********123X"
    assert mask_id_number(f"  {ID} ") == "210***********123X"


def test_credit_code_keeps_first_three_and_last_four() -> None:
    assert mask_credit_code(USCC) == "913***********0Y43"


def test_mobile_keeps_first_three_and_last_four() -> None:
    assert mask_phone("13812345678") == "138****5678"


@pytest.mark.parametrize(
    ("phone", "masked"),
    [("0417-2345678", "0417-***5678"), ("010-62345678", "010-****5678"), ("0417-2345678-123", "0417-***5678")],
)
def test_landline_keeps_area_code_and_last_four_and_drops_the_extension(phone: str, masked: str) -> None:
    assert mask_phone(phone) == masked


@pytest.mark.parametrize(
    ("name", "masked"),
    [
        ("张三", "张*"),
        ("张三丰", "张**"),
        ("欧阳娜娜", "欧阳**"),
        ("司马相如", "司马**"),
        ("诸葛亮", "诸葛*"),
        ("欧阳", "欧*"),  # a two-character name is surname + given name even if it spells a compound surname
        ("𠮷田", "𠮷*"),
        ("张𠮷", "张*"),
        ("葛\U000e0100优", "葛\U000e0100*"),  # a variation selector stays with its character
        ("\U000e0100张三", "张*"),
        ("买买提·艾力", "买**·**"),
        ("John Smith", "J*** *****"),
        ("张", "*"),
        ("", ""),
    ],
)
def test_name_keeps_the_surname_only(name: str, masked: str) -> None:
    assert mask_name(name) == masked


def test_compound_surname_list_has_the_common_ones() -> None:
    assert {"欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "令狐"} <= COMPOUND_SURNAMES


@pytest.mark.parametrize(
    ("address", "masked"),
    [
        ("辽宁省营口市站前区建设街道八田地社区幸福路12号", "辽宁省营口市站前区建设街道***"),
        ("辽宁省营口市盖州市西城街道西关村3组", "辽宁省营口市盖州市西城街道***"),
        ("辽宁省营口市老边区柳树镇后屯村5号", "辽宁省营口市老边区柳树镇***"),
        ("辽宁省营口市鲅鱼圈区红旗大街东88号", "辽宁省营口市鲅鱼圈区红旗大街***"),
        ("营口市站前区渤海大街西12号3单元501室", "营口市站前区渤海大街***"),
        ("镇江市京口区象山镇花山湾村", "镇江市京口区象山镇***"),  # 镇 of 镇江 is not the town
        ("营口市站前区某某小区3号楼", "营口市站前区***"),
        ("营口市站前区建设街道", "营口市站前区建设街***"),  # something is always hidden
        ("某某小区3号楼2单元", "***"),
        ("北京", "***"),
        ("12号", "***"),
        ("", ""),
    ],
)
def test_address_is_kept_up_to_the_street_level(address: str, masked: str) -> None:
    assert mask_address(address) == masked


def test_short_values_are_masked_completely() -> None:
    assert mask_id_number("123456") == "******"
    assert mask_credit_code("9135") == "****"
    assert mask_phone("12345") == "*****"
    assert mask_id_number("") == ""


@pytest.mark.parametrize("surface", list(Surface))
@pytest.mark.parametrize("field", list(Field))
def test_each_surface_shows_what_domain_md_allows(surface: Surface, field: Field) -> None:
    value = {"name": "张三", "id_number": ID, "credit_code": USCC, "phone": "13812345678"}.get(
        field.value, "辽宁省营口市站前区建设街道八田地社区幸福路12号"
    )
    shown = mask_for(surface, field, value)
    if surface is Surface.LOG:
        assert shown == REDACTED
    elif surface is Surface.SCREEN_EDIT or (surface is Surface.RECEIPT and field is Field.NAME):
        assert shown == value
    else:
        assert shown != value
        assert MASK in shown


def test_receipt_shows_full_name_but_masks_the_rest() -> None:
    assert mask_for(Surface.RECEIPT, Field.NAME, "欧阳娜娜") == "欧阳娜娜"
    assert mask_for(Surface.RECEIPT, Field.ID_NUMBER, ID) == "210***********123X"
    assert mask_for(Surface.RECEIPT, Field.PHONE, "13812345678") == "138****5678"
    assert mask_for(Surface.CITIZEN_SCREEN, Field.NAME, "欧阳娜娜") == "欧阳**"
    assert mask_for(Surface.SCREEN_LIST, Field.NAME, "欧阳娜娜") == "欧阳**"


def test_empty_values() -> None:
    assert mask_for(Surface.CITIZEN_SCREEN, Field.NAME, None) == ""
    assert mask_for(Surface.RECEIPT, Field.ADDRESS, "") == ""
    assert mask_for(Surface.LOG, Field.PHONE, None) == REDACTED


# --- properties: a mask never reveals more than its rule allows -------------------------------------------------


@given(st.text(max_size=60))
def test_id_mask_reveals_at_most_seven_characters_and_only_at_the_ends(value: str) -> None:
    for mask in (mask_id_number, mask_credit_code):
        masked = mask(value)
        stripped = value.strip()
        assert len(_shown(masked.replace(MASK, ""))) <= 7
        if _shown(masked):
            assert masked.startswith(stripped[:3])
            assert masked.endswith(stripped[-4:])
            assert masked.count(MASK) >= 8


@given(st.text(max_size=40))
def test_phone_mask_reveals_at_most_seven_digits_or_an_area_code_and_four(value: str) -> None:
    masked = mask_phone(value)
    shown = _shown(masked).replace("-", "")
    assert len(shown) <= 8  # a 4-digit area code + last 4, or first 3 + last 4
    assert len(masked) <= MAX_MASKED_CHARS
    if value.strip():
        assert MASK in masked


@given(st.text(max_size=60))
def test_name_mask_reveals_at_most_a_surname(value: str) -> None:
    masked = mask_name(value)
    shown = _shown(masked).replace("·", "").replace(" ", "")
    longest_surname = max(len(s) for s in COMPOUND_SURNAMES)
    assert len(shown) <= longest_surname
    assert value.strip().startswith(shown)
    assert len(masked) <= MAX_MASKED_CHARS


@given(st.text(max_size=80))
def test_address_mask_reveals_a_prefix_without_house_numbers_and_hides_something(value: str) -> None:
    masked = mask_address(value)
    if not value.strip():
        assert masked == ""
        return
    assert masked.endswith("***")
    kept = masked[:-3]
    assert value.strip().startswith(kept)
    assert len(kept) < len(value.strip())
    assert len(kept) <= 30
    assert not any(c.isdigit() for c in kept)
    assert "号" not in kept


@pytest.mark.parametrize("mask", [mask_id_number, mask_credit_code, mask_phone, mask_name, mask_address])
def test_huge_input_gives_a_bounded_mask(mask: object) -> None:
    assert callable(mask)
    masked = mask("9" * 10_000_000)
    assert isinstance(masked, str)
    assert len(masked) <= MAX_MASKED_CHARS
    assert masked.count("9") <= 7


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("回电13812345678谢谢", "回电138****5678谢谢"),
        ("回电 138 1234 5678", "回电 138****5678"),
        ("回电１３８１２３４５６７８", "回电138****5678"),
        ("身份证21080219900101123x", "身份证210***********123X"),
        ("座机0417-2345678", "座机0417-***5678"),
        ("等了40分钟，办件编号21080001003202611240001742", "等了40分钟，办件编号21080001003202611240001742"),
        ("", ""),
    ],
)
def test_numbers_in_free_text_are_masked_and_other_text_kept(text: str, expected: str) -> None:
    assert mask_numbers_in_text(text) == expected


@given(st.text(st.characters(exclude_categories=("Nd",)), max_size=60))
def test_free_text_masking_never_leaves_a_mobile_number_between_words(prefix: str) -> None:
    assert "13812345678" not in mask_numbers_in_text(prefix + "13812345678" + prefix[::-1])
