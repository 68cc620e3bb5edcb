"""The one masking helper every surface uses (DOMAIN.md "Privacy").

Product decisions: resident ID and credit code → first 3 + last 4; mobile → first 3 + last 4; landline → area
code + last 4; name on citizen-facing screens and lists → surname + one `*` per remaining character; address → up
to the street level, then `***`. The clerk sees full values only in the edit form of the case being worked on;
the citizen's own receipt shows the applicant's full name; logs get nothing personal at all.

Every function accepts any string (empty, short, huge, hostile) and never returns more of it than its rule
allows: a value too short to keep the visible parts and still hide a meaningful middle is masked completely, and
the output is capped at `MAX_MASKED_CHARS` so a pasted megabyte does not come back as a megabyte of stars.
"""

from __future__ import annotations

import re
import unicodedata
from enum import StrEnum

MASK = "*"
#: What a log line gets instead of any personal value.
REDACTED = "<redacted>"
#: Upper bound for any masked output.
MAX_MASKED_CHARS = 64


class Surface(StrEnum):
    """Where a value is shown."""

    SCREEN_EDIT = "screen_edit"  # the clerk's edit form of the case being worked on: full values
    SCREEN_LIST = "screen_list"  # the clerk's lists, search results, dashboards
    CITIZEN_SCREEN = "citizen_screen"  # rating screen, kiosk, anything the public can see
    RECEIPT = "receipt"  # printed 收件回执 / 一次性告知书
    LOG = "log"  # log files and error reports


class Field(StrEnum):
    """Which kind of personal value is being shown."""

    NAME = "name"  # a person's name (applicant, agent, legal representative, contact)
    ID_NUMBER = "id_number"
    CREDIT_CODE = "credit_code"
    PHONE = "phone"
    ADDRESS = "address"


def _mask_middle(value: str, head: int, tail: int, min_hidden: int) -> str:
    """Keep `head` and `tail` characters when at least `min_hidden` remain hidden; else hide all."""
    value = value.strip()
    n = len(value)
    if n == 0:
        return ""
    if n < head + tail + min_hidden:
        return MASK * min(n, MAX_MASKED_CHARS)
    hidden = min(n - head - tail, MAX_MASKED_CHARS - head - tail)
    return value[:head] + MASK * hidden + value[n - tail :]


def mask_id_number(value: str) -> str:
    """`210802199001011234` → `210***********1234` (first 3 + last 4)."""
    return _mask_middle(value, 3, 4, min_hidden=8)


def mask_credit_code(value: str) -> str:
    """An 18-character credit code → its first 3 and last 4 characters, 11 stars between (`913***********0Y43`)."""
    return _mask_middle(value, 3, 4, min_hidden=8)


_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_LANDLINE = re.compile(r"(0[0-9]{2,3})-?([0-9]{7,8})(?:-[0-9]{1,6})?")


def mask_phone(value: str) -> str:
    """Mobile `138xxxx5678` → `138****5678`; landline `0417-2345678` → `0417-***5678` (extension dropped).

    Expects the normalised form from `validation`; anything else gets a generic first 3 + last 4 (or all stars
    when it is short).
    """
    compact = value.strip()
    if _MOBILE.fullmatch(compact):
        return compact[:3] + MASK * 4 + compact[7:]
    landline = _LANDLINE.fullmatch(compact)
    if landline:
        area, number = landline.group(1), landline.group(2)
        return f"{area}-{MASK * (len(number) - 4)}{number[-4:]}"
    return _mask_middle(compact, 3, 4, min_hidden=4)


#: Common two-character surnames (复姓); a name starting with one keeps both characters.
COMPOUND_SURNAMES: frozenset[str] = frozenset(
    {
        "欧阳", "司马", "上官", "诸葛", "东方", "皇甫", "尉迟", "公孙", "慕容", "长孙",
        "宇文", "司徒", "夏侯", "轩辕", "令狐", "端木", "钟离", "澹台", "公冶", "濮阳",
        "淳于", "单于", "太史", "申屠", "赫连", "闻人", "万俟", "呼延", "南宫", "独孤",
        "西门", "百里", "东郭", "南门", "羊舌", "微生", "公羊", "梁丘", "左丘", "第五",
        "拓跋", "司空", "司寇", "亓官", "仲孙", "巫马", "公西", "漆雕", "乐正", "壤驷",
        "公良", "宰父", "谷梁", "段干", "东门", "鲜于", "闾丘", "子车", "颛孙", "完颜",
        "爱新觉罗", "叶赫那拉", "纳兰", "哥舒", "贺兰", "即墨", "青阳", "夹谷",
    }
)  # fmt: skip

_IVS = range(0xE0100, 0xE01F0)


def _glyphs(value: str) -> list[str]:
    """Split into characters, keeping an ideographic variation selector with the character before it."""
    out: list[str] = []
    for ch in value:
        if ord(ch) in _IVS and out:
            out[-1] += ch
        elif ord(ch) not in _IVS:
            out.append(ch)
    return out


def mask_name(value: str) -> str:
    """`张三` → `张*`, `欧阳娜娜` → `欧阳**`, `买买提·艾力` → `买**·**`.

    The surname (a known compound surname, else the first character) stays; every other character becomes `*`,
    while the middle dot and spaces that separate name parts are kept. A name that is only its surname is masked
    completely, so a one-character value is never shown.
    """
    glyphs = _glyphs(value.strip()[: MAX_MASKED_CHARS * 2])[:MAX_MASKED_CHARS]
    if not glyphs:
        return ""
    keep = 1
    for surname in sorted(COMPOUND_SURNAMES, key=len, reverse=True):
        if "".join(glyphs[: len(surname)]) == surname and len(glyphs) > len(surname):
            keep = len(surname)
            break
    if len(glyphs) <= keep:
        return MASK * len(glyphs)
    rest = [g if g in {"·", " "} else MASK for g in glyphs[keep:]]
    return "".join(glyphs[:keep] + rest)


#: Administrative units at the street level, tried first (街道办事处, town, township, 苏木 in Inner Mongolia).
_STREET_LEVEL_UNITS = ("街道", "镇", "乡", "苏木")
#: Roads, tried when no unit of the street level is named.
_ROAD_MARKERS = ("大道", "大街", "路", "街", "巷", "胡同", "弄")
#: District or county level, the last resort (a residential 小区 is not a district).
_DISTRICT_LEVEL = re.compile(r"(?<!小)[区县旗]|市")
#: Where house-level detail starts; never kept even if a marker comes later.
_HOUSE_DETAIL = re.compile(r"[0-9０-９号栋幢楼室#]|单元")
#: The kept prefix never exceeds this many characters.
_MAX_ADDRESS_PREFIX = 30


def _first_marker_end(text: str, markers: tuple[str, ...], start: int) -> int:
    ends = [i + len(m) for m in markers if (i := text.find(m, start)) >= 0]
    return min(ends) if ends else -1


def mask_address(value: str) -> str:
    """`辽宁省营口市站前区建设街道八田地社区幸福路12号` → `辽宁省营口市站前区建设街道***`.

    Keeps up to the first street-level unit (街道/镇/乡/苏木), else up to the first road (路/街/大道…), else up to
    the district; never past the first house-level detail (a digit, 号, 楼, 室…); then `***`.
    """
    # Nothing past the first 30 characters is ever kept, so the rest need not be scanned.
    text = value.strip()[: _MAX_ADDRESS_PREFIX * 4]
    if not text:
        return ""
    detail = _HOUSE_DETAIL.search(text)
    # Skip the first two characters so a city named after a unit (镇江市, 乡宁县) is not taken for one.
    end = _first_marker_end(text, _STREET_LEVEL_UNITS, 2)
    if end < 0:
        end = _first_marker_end(text, _ROAD_MARKERS, 2)
    if end < 0:
        # The last district-level name before any house detail: 营口市站前区 rather than 营口市.
        limit = detail.start() if detail is not None else len(text)
        end = max((m.end() for m in _DISTRICT_LEVEL.finditer(text, 1, limit)), default=-1)
    end = max(end, 0)
    if detail is not None:
        end = min(end, detail.start())
    end = min(end, _MAX_ADDRESS_PREFIX, len(text) - 1)
    return text[: max(end, 0)] + MASK * 3


# Numbers inside free text (a citizen's comment): not glued to other digits or letters; `\\d` also takes full-width.
_TEXT_ID = re.compile(r"(?<![\dA-Za-z])\d{17}[\dXx](?![\dA-Za-z])")
_TEXT_MOBILE = re.compile(r"(?<!\d)[1１][3-9３-９]\d[ -]?\d{4}[ -]?\d{4}(?!\d)")
_TEXT_LANDLINE = re.compile(r"(?<!\d)[0０]\d{2,3}[ -]?\d{7,8}(?!\d)")


def mask_numbers_in_text(text: str) -> str:
    """Free text with every ID number, mobile and landline number in it masked like the fields themselves.

    The only personal data a program can recognise in prose; names and addresses cannot be told from words.
    """

    def digits(match: re.Match[str]) -> str:
        return "".join(ch for ch in unicodedata.normalize("NFKC", match.group()) if ch.isalnum())

    text = _TEXT_ID.sub(lambda m: mask_id_number(digits(m).upper()), text)
    text = _TEXT_MOBILE.sub(lambda m: mask_phone(digits(m)), text)
    return _TEXT_LANDLINE.sub(lambda m: mask_phone(digits(m)), text)


def _mask_field(field: Field, value: str) -> str:
    match field:
        case Field.NAME:
            return mask_name(value)
        case Field.ID_NUMBER:
            return mask_id_number(value)
        case Field.CREDIT_CODE:
            return mask_credit_code(value)
        case Field.PHONE:
            return mask_phone(value)
        case Field.ADDRESS:
            return mask_address(value)


def mask_for(surface: Surface, field: Field, value: str | None) -> str:
    """What `surface` may show of a personal `value` (None and empty give "", except in logs)."""
    if surface is Surface.LOG:
        return REDACTED
    if not value:
        return ""
    if surface is Surface.SCREEN_EDIT:
        return value
    if surface is Surface.RECEIPT and field is Field.NAME:
        return value  # the citizen's own receipt shows the full name
    return _mask_field(field, value)
