"""Build the shipped CJK font (Tongban Sans) from Noto Sans CJK SC.

Why: fontconfig on a clean machine may offer no Chinese font at all (PLATFORM_NOTES.md), so the terminal ships
its own. Noto Sans CJK comes as CFF outlines in a .ttc; Qt's PDF writer embeds TrueType (glyf) fonts as CID
TrueType with a ToUnicode map, so receipts keep searchable Chinese text. This script therefore takes the
Simplified Chinese face out of the collection, subsets it to the characters a service hall uses, converts the
cubic CFF outlines to quadratic TrueType outlines (fontTools cu2qu, as fontTools' otf2ttf snippet does) and
renames the family so it cannot be confused with the original (the OFL allows this; Noto has no Reserved Font
Name).

Needs the optional dependency group `fontbuild` (fonttools) and Debian's fonts-noto-cjk:

    .venv/bin/pip install -e '.[fontbuild]'
    apt-get install fonts-noto-cjk
    .venv/bin/python scripts/build_font.py

Writes resources/fonts/TongbanSans-Regular.ttf, TongbanSans-Bold.ttf and OFL.txt.
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

from fontTools import subset
from fontTools.pens.cu2quPen import Cu2QuPen
from fontTools.pens.ttGlyphPen import TTGlyphPen
from fontTools.ttLib import TTCollection, TTFont, newTable

NOTO_DIR = Path("/usr/share/fonts/opentype/noto")
NOTO_COPYRIGHT = Path("/usr/share/doc/fonts-noto-cjk/copyright")
OUT_DIR = Path(__file__).resolve().parent.parent / "resources" / "fonts"

FAMILY = "Tongban Sans"
PS_FAMILY = "TongbanSans"
VERSION = "1.000"
MAX_FACE_BYTES = 15 * 1024 * 1024

#: Unicode blocks kept; each comment says why.
RANGES: tuple[tuple[int, int, str], ...] = (
    (0x0020, 0x007E, "Basic Latin"),
    (0x00A0, 0x00FF, "Latin-1 Supplement (×, ·, ° in item texts)"),
    (0x2000, 0x206F, "General Punctuation (—— … ‘’ “”)"),
    (0x2100, 0x214F, "Letterlike Symbols (№, ℃)"),
    (0x2150, 0x218F, "Number Forms (Roman numerals Ⅰ Ⅱ in item names)"),
    (0x2190, 0x21FF, "Arrows (navigation icons)"),
    (0x2460, 0x24FF, "Enclosed Alphanumerics (① ② in material lists)"),
    (0x2500, 0x257F, "Box Drawing"),
    (0x25A0, 0x25FF, "Geometric Shapes used as icons (● ○ ■ □ ▲ ▼ ◆)"),
    (0x2600, 0x26FF, "Miscellaneous Symbols (☆ ★ for ratings, ☎)"),
    (0x2713, 0x2718, "Check and cross marks (✓ ✔ ✕ ✖ ✗ ✘)"),
    (0x3000, 0x303F, "CJK Symbols and Punctuation (、。《》【】〇)"),
    (0x3200, 0x32FF, "Enclosed CJK Letters and Months (㈠ ㊣)"),
    (0x3400, 0x4DBF, "CJK Unified Ideographs Extension A (rare characters in names)"),
    (0x4E00, 0x9FFF, "CJK Unified Ideographs"),
    (0xFE30, 0xFE4F, "CJK Compatibility Forms"),
    (0xFF00, 0xFFEF, "Halfwidth and Fullwidth Forms (，：（）)"),
    (0x20000, 0x2FA1F, "CJK Extensions B-F and Compatibility Supplement: rare name characters such as 𠮷"),
)

# Layout features kept for horizontal UI text. Not `locl`: in this face it pulls in ~18,000 Japanese, Korean and
# Traditional Chinese glyph variants, and not `vert`: no vertical text here.
LAYOUT_FEATURES = ["kern", "palt", "halt", "ccmp", "liga", "calt", "mark", "mkmk"]

MAX_ERR = 1.0  # font units; cu2qu approximation error, as in fontTools' otf2ttf snippet


def gbk_repertoire() -> set[int]:
    """Every character GBK can encode: pinyin with tone marks, Greek, Cyrillic, kana, bopomofo, maths signs.

    Covering all of GB2312 also makes fontconfig and Qt recognise the font as Simplified Chinese (zh-cn).
    """
    found: set[int] = set()
    for lead in range(0x81, 0xFF):
        for trail in range(0x40, 0xFF):
            try:
                found.add(ord(bytes((lead, trail)).decode("gbk")))
            except UnicodeDecodeError:
                continue
    return found


def unicodes() -> list[int]:
    ranges = {code for start, end, _ in RANGES for code in range(start, end + 1)}
    return sorted(ranges | gbk_repertoire())


def load_sc_face(path: Path) -> TTFont:
    """The Simplified Chinese face ("Noto Sans CJK SC") of a Noto Sans CJK collection."""
    collection = TTCollection(str(path))
    for index, font in enumerate(collection.fonts):
        if font["name"].getDebugName(1) == "Noto Sans CJK SC":
            return TTFont(str(path), fontNumber=index)
    raise SystemExit(f"{path}: no 'Noto Sans CJK SC' face")


def subset_font(font: TTFont) -> None:
    options = subset.Options()
    options.layout_features = LAYOUT_FEATURES
    options.hinting = False
    options.desubroutinize = True
    options.name_IDs = ["*"]
    options.name_languages = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    options.prune_unicode_ranges = True
    options.prune_codepage_ranges = False  # its test for GB2312 fails on this subset; set_code_pages() decides
    options.drop_tables = [*subset.Options().drop_tables, "VORG", "vhea", "vmtx", "BASE"]
    subsetter = subset.Subsetter(options=options)
    subsetter.populate(unicodes=unicodes())
    subsetter.subset(font)


def cff_to_glyf(font: TTFont) -> None:
    """Replace CFF outlines by quadratic glyf outlines (after fontTools Snippets/otf2ttf.py)."""
    if font.sfntVersion != "OTTO" or "CFF " not in font:
        raise SystemExit("expected a CFF-flavoured OpenType font")
    glyph_order = font.getGlyphOrder()
    glyph_set = font.getGlyphSet()
    quad_glyphs: dict[str, Any] = {}
    for name in glyph_order:
        tt_pen = TTGlyphPen(glyph_set)
        glyph_set[name].draw(Cu2QuPen(tt_pen, MAX_ERR, reverse_direction=True))
        quad_glyphs[name] = tt_pen.glyph()

    font["loca"] = newTable("loca")
    glyf = font["glyf"] = newTable("glyf")
    glyf.glyphOrder = glyph_order
    glyf.glyphs = quad_glyphs
    del font["CFF "]
    glyf.compile(font)

    hmtx = font["hmtx"]
    for name, glyph in glyf.glyphs.items():
        if hasattr(glyph, "xMin"):
            hmtx[name] = (hmtx[name][0], glyph.xMin)

    maxp = font["maxp"] = newTable("maxp")
    maxp.tableVersion = 0x00010000
    maxp.maxZones = 1
    maxp.maxTwilightPoints = 0
    maxp.maxStorage = 0
    maxp.maxFunctionDefs = 0
    maxp.maxInstructionDefs = 0
    maxp.maxStackElements = 0
    maxp.maxSizeOfInstructions = 0
    maxp.maxComponentElements = max(len(getattr(g, "components", [])) for g in glyf.glyphs.values())
    maxp.compile(font)

    post = font["post"]
    post.formatType = 3.0  # no glyph names: CID names carry nothing and cost space
    post.extraNames = []
    post.mapping = {}
    post.glyphOrder = glyph_order
    font["head"].glyphDataFormat = 0
    font.sfntVersion = "\x00\x01\x00\x00"


#: OS/2 code pages the subset really covers: Latin 1 (bit 0), Simplified Chinese GB2312 (bit 18), Macintosh
#: (bit 29), OEM (bit 30). Qt derives the font's writing systems from these bits (SimplifiedChinese from bit 18).
CODE_PAGES = (1 << 0) | (1 << 18) | (1 << 29) | (1 << 30)


def set_code_pages(font: TTFont) -> None:
    os2 = font["OS/2"]
    os2.ulCodePageRange1 = CODE_PAGES
    os2.ulCodePageRange2 = 0


def rename(font: TTFont, style: str) -> None:
    """Give the derivative its own family name (OFL: a Modified Version under a new name)."""
    name = font["name"]
    source = name.getDebugName(4) or "Noto Sans CJK SC"
    copyright_ = name.getDebugName(0) or ""
    full = f"{FAMILY} {style}" if style != "Regular" else FAMILY
    postscript = f"{PS_FAMILY}-{style}"
    values = {
        0: f"{copyright_} Modified by the Tongban Terminal project: subset, TrueType outlines, renamed.",
        1: FAMILY,
        2: style,
        3: f"{VERSION};TONGBAN;{postscript}",
        4: full,
        5: f"Version {VERSION}; derived from {source} {name.getDebugName(5) or ''}".strip(),
        6: postscript,
        16: FAMILY,
        17: style,
    }
    keep = {0, 1, 2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 16, 17}
    name.names = [record for record in name.names if record.nameID in keep and record.nameID not in values]
    for name_id, text in values.items():
        name.setName(text, name_id, 3, 1, 0x409)  # Windows, Unicode BMP, en-US
        name.setName(text, name_id, 1, 0, 0)  # Mac, Roman, English
    # Drop Noto's trademark (nameID 7) and the localised original family names: they name the original font.
    font["OS/2"].achVendID = "NONE"


def build_face(source: Path, style: str, out_dir: Path) -> Path:
    started = time.monotonic()
    font = load_sc_face(source)
    subset_font(font)
    cff_to_glyf(font)
    set_code_pages(font)
    rename(font, style)
    out = out_dir / f"{PS_FAMILY}-{style}.ttf"
    font.recalcTimestamp = False  # keep Noto's head.modified so a rebuild from the same source is byte-identical
    font.save(str(out))
    size = out.stat().st_size
    print(
        f"{out.name}: {len(font.getGlyphOrder())} glyphs, {size / 1024 / 1024:.1f} MB, "
        f"{time.monotonic() - started:.0f} s"
    )
    if size > MAX_FACE_BYTES:
        raise SystemExit(f"{out.name} is {size} bytes, over the {MAX_FACE_BYTES} byte budget")
    return out


def write_licence(out_dir: Path, source: Path) -> Path:
    """OFL 1.1 text (from Debian's copyright file) with the original copyright notice above it."""
    text = NOTO_COPYRIGHT.read_text(encoding="utf-8")
    match = re.search(r"^License: SIL-1\.1\n((?: .*\n)+)", text, re.MULTILINE)
    if match is None:
        raise SystemExit(f"{NOTO_COPYRIGHT}: no SIL-1.1 licence text")
    body = "\n".join("" if line == " ." else line[1:] for line in match.group(1).splitlines())
    notice = TTFont(str(source), fontNumber=0, lazy=True)["name"].getDebugName(0)
    header = (
        f"Tongban Sans (TongbanSans-Regular.ttf, TongbanSans-Bold.ttf) is a Modified Version of Noto Sans CJK SC:\n"
        f"subset, converted to TrueType outlines and renamed by scripts/build_font.py.\n\n"
        f"Copyright {notice}\n"
        f"Noto Sans CJK source: https://github.com/googlefonts/noto-cjk\n\n"
        f"This Font Software is licensed under the SIL Open Font License, Version 1.1.\n"
        f"This license is copied below, and is also available with a FAQ at: https://openfontlicense.org\n\n"
    )
    out = out_dir / "OFL.txt"
    out.write_text(header + body + "\n", encoding="utf-8")
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--noto-dir", type=Path, default=NOTO_DIR)
    parser.add_argument("--out-dir", type=Path, default=OUT_DIR)
    parser.add_argument("--regular-only", action="store_true", help="skip the Bold face")
    args = parser.parse_args(argv)
    args.out_dir.mkdir(parents=True, exist_ok=True)
    styles = ["Regular"] if args.regular_only else ["Regular", "Bold"]
    for style in styles:
        source = args.noto_dir / f"NotoSansCJK-{style}.ttc"
        if not source.exists():
            print(f"{source} missing: apt-get install fonts-noto-cjk", file=sys.stderr)
            return 1
        build_face(source, style, args.out_dir)
    write_licence(args.out_dir, args.noto_dir / "NotoSansCJK-Regular.ttc")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
