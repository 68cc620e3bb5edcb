"""Identity and data checks (DOMAIN.md "Identity and data checks").

Every validator takes the raw text a clerk typed or a reader produced and returns either `Valid` (the normalised
value to store) or `Invalid` (a stable `reason` code, a Chinese message for the screen and an English message for
logs). The English message never contains the value or any part of it, so it is safe to log.

Validators never raise on any `str` or `None` input: the raw length is checked before normalisation, so a 10 MB
paste costs a `len()` and nothing more.

Typing rules (product decision): surrounding spaces are trimmed, full-width digits and letters are normalised
(NFKC) in identifiers only (ID numbers, credit codes, phones, postcodes), a lower-case `x` check character and
lower-case credit codes are upper-cased — then checked. Names and addresses keep what was typed (issue 11).
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from enum import StrEnum

from app.domain import hall_time


class Reason(StrEnum):
    """Why a value was refused; stable codes for tests and callers (the messages may change)."""

    EMPTY = "empty"
    TOO_LONG = "too_long"
    TOO_SHORT = "too_short"
    CONTROL_CHARS = "control_chars"
    BAD_CHARS = "bad_chars"
    BAD_LENGTH = "bad_length"
    LEGACY_15_DIGIT = "legacy_15_digit"
    BAD_PROVINCE = "bad_province"
    BAD_BIRTH_DATE = "bad_birth_date"
    FUTURE_BIRTH_DATE = "future_birth_date"
    BAD_CHECK = "bad_check"
    BAD_FORMAT = "bad_format"


@dataclass(frozen=True, slots=True)
class Valid:
    """A value that passed its check, in normalised form (store and compare this, not the raw input)."""

    value: str

    @property
    def ok(self) -> bool:
        return True


@dataclass(frozen=True, slots=True)
class Invalid:
    """A refused value: `message_zh` for the screen, `message_en` for logs (never contains the value)."""

    reason: Reason
    message_zh: str
    message_en: str

    @property
    def ok(self) -> bool:
        return False


ValidationResult = Valid | Invalid


class Sex(StrEnum):
    MALE = "male"
    FEMALE = "female"


@dataclass(frozen=True, slots=True)
class ResidentId:
    """A valid 18-character resident ID and what it encodes."""

    number: str
    province_code: str
    birth_date: dt.date
    sex: Sex


@dataclass(frozen=True, slots=True)
class MailingAddress:
    address: str
    postcode: str  # "" when none was given


# --- shared helpers -----------------------------------------------------------------------------------------

#: Raw inputs longer than this are refused before any normalisation (per field, generous for padding).
_RAW_LIMIT_CODE = 64
_RAW_LIMIT_PHONE = 64
_RAW_LIMIT_NAME = 200
_RAW_LIMIT_ADDRESS = 800

_WHITESPACE = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class _Field:
    zh: str
    en: str


_ID = _Field("身份证号码", "resident ID")
_USCC = _Field("统一社会信用代码", "unified social credit code")
_MOBILE = _Field("手机号码", "mobile number")
_LANDLINE = _Field("固定电话", "landline number")
_PHONE = _Field("联系电话", "phone number")
_POSTCODE = _Field("邮政编码", "postcode")
_ADDRESS = _Field("地址", "address")
_NAME = _Field("姓名", "name")


def _empty(f: _Field) -> Invalid:
    return Invalid(Reason.EMPTY, f"请输入{f.zh}", f"{f.en} is empty")


def _too_long(f: _Field, limit: int) -> Invalid:
    return Invalid(
        Reason.TOO_LONG,
        f"{f.zh}过长（最多{limit}个字符）",
        f"{f.en} is too long (more than {limit} characters)",
    )


def _bad_chars(f: _Field, allowed_zh: str, allowed_en: str) -> Invalid:
    return Invalid(
        Reason.BAD_CHARS,
        f"{f.zh}含有不允许的字符，只能包含{allowed_zh}",
        f"{f.en} contains characters other than {allowed_en}",
    )


def _control(f: _Field) -> Invalid:
    return Invalid(
        Reason.CONTROL_CHARS,
        f"{f.zh}含有不可见的控制字符，请重新输入",
        f"{f.en} contains control characters",
    )


def _has_control(text: str) -> bool:
    """Control, format, surrogate, private-use or unassigned characters (invisible or unprintable)."""
    # Chinese characters newer than this Python's Unicode tables are "unassigned" (Cn) here but are not control.
    return any(unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} and not _is_han(ch) for ch in text)


def _prepare(text: str | None, f: _Field, raw_limit: int, *, identifier: bool = True) -> str | Invalid:
    """None/empty and oversize checks on the raw text, then trim; identifiers (ID numbers, codes, phones,
    postcodes) are NFKC-normalised first (full-width digits and letters become ASCII). Names and addresses keep
    what was typed (issue 11): their character checks look at each character's NFKC form instead."""
    if text is None:
        return _empty(f)
    if len(text) > raw_limit:
        return _too_long(f, raw_limit)
    normalised = (unicodedata.normalize("NFKC", text) if identifier else text).strip()
    if not normalised:
        return _empty(f)
    return normalised


# --- resident ID (GB 11643-1999) ----------------------------------------------------------------------------

#: First two digits of a resident ID: provinces, autonomous regions and municipalities (GB/T 2260), plus
#: 71 Taiwan, 81 Hong Kong, 82 Macao and 83 (residence permits of Taiwan residents, which use the same format).
PROVINCE_CODES: dict[str, str] = {
    "11": "北京市",
    "12": "天津市",
    "13": "河北省",
    "14": "山西省",
    "15": "内蒙古自治区",
    "21": "辽宁省",
    "22": "吉林省",
    "23": "黑龙江省",
    "31": "上海市",
    "32": "江苏省",
    "33": "浙江省",
    "34": "安徽省",
    "35": "福建省",
    "36": "江西省",
    "37": "山东省",
    "41": "河南省",
    "42": "湖北省",
    "43": "湖南省",
    "44": "广东省",
    "45": "广西壮族自治区",
    "46": "海南省",
    "50": "重庆市",
    "51": "四川省",
    "52": "贵州省",
    "53": "云南省",
    "54": "西藏自治区",
    "61": "陕西省",
    "62": "甘肃省",
    "63": "青海省",
    "64": "宁夏回族自治区",
    "65": "新疆维吾尔自治区",
    "71": "台湾省",
    "81": "香港特别行政区",
    "82": "澳门特别行政区",
    "83": "台湾地区（居住证）",
}

_ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
_ID_CHECK_CHARS = "10X98765432"
_EARLIEST_BIRTH = dt.date(1900, 1, 1)


def resident_id_check_char(first17: str) -> str:
    """ISO 7064 MOD 11-2 check character for the first 17 digits of a resident ID."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK_CHARS[total % 11]


def parse_resident_id(text: str | None, *, today: dt.date | None = None) -> ResidentId | Invalid:  # noqa: PLR0911 - one early return per rule, in checking order
    """Check a resident ID and return it with its birth date and sex.

    `today` bounds the birth date (a birth date after it is refused); it defaults to the local date.
    """
    prepared = _prepare(text, _ID, _RAW_LIMIT_CODE)
    if isinstance(prepared, Invalid):
        return prepared
    if _has_control(prepared):
        return _control(_ID)
    number = _WHITESPACE.sub("", prepared).upper()
    if any(c not in "0123456789X" for c in number) or "X" in number[:-1]:
        return _bad_chars(_ID, "数字，最后一位可以是X", "digits and a final X")
    if len(number) == 15 and "X" not in number:
        return Invalid(
            Reason.LEGACY_15_DIGIT,
            "这是旧版15位身份证号码，请输入18位身份证号码",
            "resident ID is a legacy 15-digit number; the 18-character number is required",
        )
    if len(number) != 18:
        return Invalid(
            Reason.BAD_LENGTH,
            f"身份证号码应为18位，当前为{len(number)}位",
            f"resident ID has {len(number)} characters, expected 18",
        )
    province = number[:2]
    if province not in PROVINCE_CODES:
        return Invalid(
            Reason.BAD_PROVINCE,
            "身份证号码前两位不是有效的省级行政区代码，请核对",
            "resident ID does not start with a known province code",
        )
    try:
        birth = dt.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth = None
    if birth is None or birth < _EARLIEST_BIRTH:
        return Invalid(
            Reason.BAD_BIRTH_DATE,
            "身份证号码中的出生日期（第7至14位）无效，请核对",
            "resident ID birth date digits are not a valid date",
        )
    if birth > (today if today is not None else hall_time.today(dt.datetime.now(dt.UTC))):
        return Invalid(
            Reason.FUTURE_BIRTH_DATE,
            "身份证号码中的出生日期晚于今天，请核对",
            "resident ID birth date is in the future",
        )
    if resident_id_check_char(number[:17]) != number[17]:
        return Invalid(
            Reason.BAD_CHECK,
            "身份证号码校验位不符，可能有数字输错，请逐位核对",
            "resident ID check character mismatch",
        )
    sex = Sex.MALE if int(number[16]) % 2 == 1 else Sex.FEMALE
    return ResidentId(number=number, province_code=province, birth_date=birth, sex=sex)


def validate_resident_id(text: str | None, *, today: dt.date | None = None) -> ValidationResult:
    """Check a resident ID (GB 11643-1999); `Valid.value` is the 18-character upper-case number."""
    parsed = parse_resident_id(text, today=today)
    if isinstance(parsed, Invalid):
        return parsed
    return Valid(parsed.number)


# --- unified social credit code (GB 32100-2015) -------------------------------------------------------------

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
_USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))


def credit_code_check_char(first17: str) -> str:
    """GB 32100-2015 check character: weights 3^i mod 31, check = 31 - (sum mod 31), 31 → 0."""
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(first17, _USCC_WEIGHTS, strict=True))
    return USCC_ALPHABET[(31 - total % 31) % 31]


def validate_credit_code(text: str | None) -> ValidationResult:
    """Check a unified social credit code; `Valid.value` is the 18-character upper-case code."""
    prepared = _prepare(text, _USCC, _RAW_LIMIT_CODE)
    if isinstance(prepared, Invalid):
        return prepared
    if _has_control(prepared):
        return _control(_USCC)
    code = _WHITESPACE.sub("", prepared).upper()
    if any(c not in USCC_ALPHABET for c in code):
        return _bad_chars(
            _USCC,
            "数字和大写字母（不含I、O、S、V、Z）",
            "digits and the letters A-H J-N P-R T-U W-Y",
        )
    if len(code) != 18:
        return Invalid(
            Reason.BAD_LENGTH,
            f"统一社会信用代码应为18位，当前为{len(code)}位",
            f"unified social credit code has {len(code)} characters, expected 18",
        )
    if credit_code_check_char(code[:17]) != code[17]:
        return Invalid(
            Reason.BAD_CHECK,
            "统一社会信用代码校验位不符，可能有字符输错，请逐位核对",
            "unified social credit code check character mismatch",
        )
    return Valid(code)


# --- phones and postcodes -----------------------------------------------------------------------------------

_PHONE_SEPARATORS = re.compile(r"[\s\-()]+")
_MOBILE_RE = re.compile(r"1[3-9][0-9]{9}")
#: Area codes: 010 and 02x have three digits, every other one four (0 + 3 digits).
_LANDLINE_RE = re.compile(r"(010|02[0-9]|0[3-9][0-9]{2})([2-9][0-9]{6,7})")
_EXTENSION_RE = re.compile(r"(?:转|ext\.?|x|#)\s*([0-9]{1,6})$", re.IGNORECASE)
_INTL_PREFIX = re.compile(r"^(?:\+86|0086)")


def _phone_chars_ok(text: str) -> bool:
    return all(c.isascii() and (c.isdigit() or c in "+-() ") for c in text)


def validate_mobile(text: str | None) -> ValidationResult:  # noqa: PLR0911 - one early return per rule, in checking order
    """Check a mainland mobile number; spaces, hyphens and a +86/0086 prefix are removed.

    `Valid.value` is the bare 11 digits.
    """
    prepared = _prepare(text, _MOBILE, _RAW_LIMIT_PHONE)
    if isinstance(prepared, Invalid):
        return prepared
    if _has_control(prepared):
        return _control(_MOBILE)
    if not _phone_chars_ok(prepared):
        return _bad_chars(_MOBILE, "数字", "digits, spaces, hyphens and a +86 prefix")
    digits = _PHONE_SEPARATORS.sub("", _INTL_PREFIX.sub("", prepared))
    if "+" in digits:
        return Invalid(
            Reason.BAD_FORMAT,
            "只支持中国大陆手机号码（可带+86），请核对",
            "mobile number has a country code other than +86 or a misplaced plus sign",
        )
    if len(digits) == 13 and digits.startswith("86"):
        digits = digits[2:]
    if len(digits) != 11:
        return Invalid(
            Reason.BAD_LENGTH,
            f"手机号码应为11位数字，当前为{len(digits)}位",
            f"mobile number has {len(digits)} digits, expected 11",
        )
    if not _MOBILE_RE.fullmatch(digits):
        return Invalid(
            Reason.BAD_FORMAT,
            "手机号码应以13至19开头，请核对",
            "mobile number does not start with 13-19",
        )
    return Valid(digits)


def validate_landline(text: str | None) -> ValidationResult:  # noqa: PLR0911 - one early return per rule, in checking order
    """Check a landline with its area code, e.g. `0417-2345678`, `02162345678`, `(010)62345678 转 123`.

    `Valid.value` is `area-number` or `area-number-extension`.
    """
    prepared = _prepare(text, _LANDLINE, _RAW_LIMIT_PHONE)
    if isinstance(prepared, Invalid):
        return prepared
    if _has_control(prepared):
        return _control(_LANDLINE)
    extension = ""
    match = _EXTENSION_RE.search(prepared)
    if match:
        extension = match.group(1)
        prepared = prepared[: match.start()].rstrip(" -")
    if not _phone_chars_ok(prepared):
        return _bad_chars(_LANDLINE, "数字、连字符和分机号", "digits, hyphens and an extension")
    international = _INTL_PREFIX.match(prepared) is not None
    digits = _PHONE_SEPARATORS.sub("", _INTL_PREFIX.sub("", prepared))
    if "+" in digits:
        return _bad_chars(_LANDLINE, "数字、连字符和分机号", "digits, hyphens and an extension")
    if international and not digits.startswith("0"):
        digits = "0" + digits
    landline = _LANDLINE_RE.fullmatch(digits)
    if landline is None and not extension:
        # `010-62345678-123`: a trailing hyphenated group after a complete number is an extension.
        head, _, tail = prepared.rpartition("-")
        head_digits = _PHONE_SEPARATORS.sub("", _INTL_PREFIX.sub("", head))
        if international and not head_digits.startswith("0"):
            head_digits = "0" + head_digits
        if tail.strip().isdigit() and len(tail.strip()) <= 6:
            landline = _LANDLINE_RE.fullmatch(head_digits)
            extension = tail.strip() if landline else ""
    if landline is None:
        if not digits.startswith("0"):
            return Invalid(
                Reason.BAD_FORMAT,
                "固定电话需要带区号（以0开头），例如0417-2345678",
                "landline number has no area code",
            )
        return Invalid(
            Reason.BAD_FORMAT,
            "固定电话格式不正确，应为区号加7至8位号码（号码不以0或1开头），例如0417-2345678",
            "landline number is not an area code followed by a 7-8 digit number",
        )
    value = f"{landline.group(1)}-{landline.group(2)}"
    return Valid(f"{value}-{extension}" if extension else value)


def validate_phone(text: str | None) -> ValidationResult:
    """Check a contact phone that may be either a mobile or a landline (mobile tried first)."""
    mobile = validate_mobile(text)
    if isinstance(mobile, Valid) or mobile.reason in {Reason.EMPTY, Reason.TOO_LONG, Reason.CONTROL_CHARS}:
        return mobile
    landline = validate_landline(text)
    if isinstance(landline, Valid):
        return landline
    return Invalid(
        Reason.BAD_FORMAT,
        "联系电话应为11位手机号码，或带区号的固定电话（例如0417-2345678）",
        "phone number is neither a mobile nor a landline number",
    )


def validate_postcode(text: str | None) -> ValidationResult:
    """Check a six-digit postcode."""
    prepared = _prepare(text, _POSTCODE, _RAW_LIMIT_CODE)
    if isinstance(prepared, Invalid):
        return prepared
    if _has_control(prepared):
        return _control(_POSTCODE)
    code = _WHITESPACE.sub("", prepared)
    if not (code.isascii() and code.isdigit()):
        return _bad_chars(_POSTCODE, "数字", "digits")
    if len(code) != 6:
        return Invalid(
            Reason.BAD_LENGTH,
            f"邮政编码应为6位数字，当前为{len(code)}位",
            f"postcode has {len(code)} digits, expected 6",
        )
    return Valid(code)


# --- free text: addresses and names -------------------------------------------------------------------------

ADDRESS_MIN_CHARS = 5
ADDRESS_MAX_CHARS = 200
NAME_MAX_CHARS = 50


def _is_emoji_or_symbol(ch: str) -> bool:
    """Pictographs, emoji, dingbats and their modifiers: never part of an address or a name."""
    code = ord(ch)
    return (
        unicodedata.category(ch) == "So"
        or 0x1F000 <= code <= 0x1FAFF  # emoji and pictographs
        or 0x2600 <= code <= 0x27BF  # misc symbols, dingbats
        or 0xFE00 <= code <= 0xFE0F  # variation selectors (emoji presentation)
        or code == 0x200D  # zero-width joiner
    )


#: Punctuation found in real addresses (checked on each character's NFKC form: full-width （），－ pass too).
_ADDRESS_PUNCTUATION = frozenset(" -–—#(),./:、。·~")


def _address_char_ok(ch: str) -> bool:
    folded = unicodedata.normalize("NFKC", ch) if not ch.isascii() else ch
    return bool(folded) and all(
        (c.isascii() and c.isalnum()) or c in _ADDRESS_PUNCTUATION or _is_han(c) for c in folded
    )


def validate_address(text: str | None) -> ValidationResult:  # noqa: PLR0911 - one return per rule
    """Check a postal address: 5 to 200 characters of Chinese, letters, digits and address punctuation, with
    at least two Chinese characters (a mainland mailing address); no control characters, emoji or symbols.

    The address is kept as typed (full-width （）， stay full-width); runs of whitespace are collapsed to one space.
    """
    prepared = _prepare(text, _ADDRESS, _RAW_LIMIT_ADDRESS, identifier=False)
    if isinstance(prepared, Invalid):
        return prepared
    if _has_control(prepared):
        return _control(_ADDRESS)
    address = _WHITESPACE.sub(" ", prepared)
    if len(address) > ADDRESS_MAX_CHARS:
        return _too_long(_ADDRESS, ADDRESS_MAX_CHARS)
    if any(_is_emoji_or_symbol(c) for c in address) or not all(_address_char_ok(c) for c in address):
        return _bad_chars(
            _ADDRESS,
            "汉字、字母、数字和常用标点（- # ( ) , . / 、）",
            "Chinese characters, letters, digits and address punctuation",
        )
    if len(address) < ADDRESS_MIN_CHARS:
        return Invalid(
            Reason.TOO_SHORT,
            "地址过短，请填写到门牌号，例如“营口市站前区渤海大街西12号”",
            f"address is shorter than {ADDRESS_MIN_CHARS} characters",
        )
    if sum(1 for c in address if _is_han(c)) < 2:
        return Invalid(
            Reason.BAD_FORMAT,
            "请用中文填写地址，例如“营口市站前区渤海大街西12号”",
            "address has fewer than two Chinese characters",
        )
    return Valid(address)


# On the text as typed: half- and full-width digits, colons, commas and brackets.
_POSTCODE_LEADING = re.compile(r"(?:邮编[:：\s]*)?([0-9０-９]{6})\s+([^0-9０-９].*)", re.DOTALL)
_POSTCODE_LABELLED = re.compile(r"(.*?[^0-9０-９])[\s,，(（]*邮编[:：\s]*([0-9０-９]{6})[)）]?", re.DOTALL)
_POSTCODE_TRAILING = re.compile(r"(.*[^0-9０-９])\s+([0-9０-９]{6})", re.DOTALL)


def _split_postcode(text: str) -> tuple[str, str] | None:
    """(address, postcode) when a postcode is written into the address text: `115000 营口市…`,
    `营口市…12号 115000`, `营口市…12号（邮编：115000）`; a number glued to the text (`…115000号`) is not one."""
    leading = _POSTCODE_LEADING.fullmatch(text)
    if leading is not None:
        return leading.group(2), leading.group(1)
    for pattern in (_POSTCODE_LABELLED, _POSTCODE_TRAILING):
        match = pattern.fullmatch(text)
        if match is not None:
            return match.group(1), match.group(2)
    return None


def validate_mailing_address(address: str | None, postcode: str | None = None) -> MailingAddress | Invalid:
    """Check a mailing address with an optional postcode (empty or None means none was given).

    Without a separate postcode, one written into the address text is split off (see `_split_postcode`).
    """
    if (postcode is None or not postcode.strip()) and address is not None and len(address) <= _RAW_LIMIT_ADDRESS:
        embedded = _split_postcode(address.strip())
        if embedded is not None:
            address, postcode = embedded
    checked = validate_address(address)
    if isinstance(checked, Invalid):
        return checked
    if postcode is None or not postcode.strip():
        return MailingAddress(address=checked.value, postcode="")
    code = validate_postcode(postcode)
    if isinstance(code, Invalid):
        return code
    return MailingAddress(address=checked.value, postcode=code.value)


#: Middle-dot look-alikes typed for the dot in ethnic names; all become U+00B7 as printed on ID cards.
_MIDDLE_DOTS = str.maketrans(dict.fromkeys("・•‧∙⋅●．.･", "·"))
_IDEOGRAPHIC_VARIATION = range(0xE0100, 0xE01F0)


def _is_han(ch: str) -> bool:
    """A Chinese character, by block, so ideographs newer than this Python's Unicode tables still count."""
    code = ord(ch)
    return (
        code == 0x3007  # 〇
        or 0x3400 <= code <= 0x4DBF  # extension A
        or 0x4E00 <= code <= 0x9FFF  # unified ideographs
        or 0xF900 <= code <= 0xFAFF  # compatibility ideographs
        or 0x20000 <= code <= 0x3FFFF  # extensions B-I and compatibility supplement (planes 2 and 3)
    )


def _is_latin_letter(ch: str) -> bool:
    """A-Z or a-z, half- or full-width (a name keeps the width it was typed in)."""
    return "A" <= ch <= "Z" or "a" <= ch <= "z" or "Ａ" <= ch <= "Ｚ" or "ａ" <= ch <= "ｚ"


def _name_chars_problem(name: str) -> Invalid | None:
    """The most useful complaint about a name's characters, or None when all are allowed."""
    control = digit = emoji = other = False
    previous = ""
    for ch in name:
        if ord(ch) in _IDEOGRAPHIC_VARIATION:
            other = other or not (previous and _is_han(previous))
        elif _is_han(ch) or ch in "· " or _is_latin_letter(ch):
            pass
        elif unicodedata.category(ch) in {"Cc", "Cf", "Cs", "Co", "Cn"} and not _is_emoji_or_symbol(ch):
            control = True
        elif ch.isdigit() or unicodedata.category(ch) == "No":
            digit = True
        elif _is_emoji_or_symbol(ch):
            emoji = True
        else:
            other = True
        previous = ch
    if control:
        return _control(_NAME)
    if digit:
        return Invalid(Reason.BAD_CHARS, "姓名中不能有数字", "name contains digits")
    if emoji:
        return Invalid(Reason.BAD_CHARS, "姓名中不能有表情符号或图形符号", "name contains emoji or symbols")
    if other:
        return _bad_chars(_NAME, "汉字、字母和间隔号“·”", "Chinese characters, Latin letters and a middle dot")
    return None


def validate_person_name(text: str | None) -> ValidationResult:
    """Check a person's name: 1 to 50 characters of Chinese (any plane, so 生僻字 such as 𠮷 pass),
    the middle dot of ethnic names (·) or Latin letters with single spaces (foreign names).

    Variants of the middle dot are normalised to U+00B7; an ideographic variation selector after a Chinese
    character is kept and not counted.
    """
    prepared = _prepare(text, _NAME, _RAW_LIMIT_NAME, identifier=False)
    if isinstance(prepared, Invalid):
        return prepared
    name = re.sub(r"\s*·\s*", "·", _WHITESPACE.sub(" ", prepared).translate(_MIDDLE_DOTS))
    # Spaces only separate Latin name parts: `张 三` is 张三.
    name = re.sub(r" (?![A-Za-zＡ-Ｚａ-ｚ])|(?<![A-Za-zＡ-Ｚａ-ｚ]) ", "", name)
    base_chars = sum(1 for c in name if ord(c) not in _IDEOGRAPHIC_VARIATION)
    if base_chars > NAME_MAX_CHARS:
        return _too_long(_NAME, NAME_MAX_CHARS)
    bad = _name_chars_problem(name)
    if bad is not None:
        return bad
    if name.startswith("·") or name.endswith("·") or "··" in name:
        return Invalid(
            Reason.BAD_FORMAT,
            "间隔号“·”只能出现在姓名中间",
            "name has a middle dot at the start, the end or twice in a row",
        )
    return Valid(name)
