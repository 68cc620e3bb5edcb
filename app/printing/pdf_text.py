"""Complete the text layer of a PDF written by Qt: characters outside the BMP (𠮷 U+20BB7) get ToUnicode entries.

Qt's PDF writer embeds each font as a CID TrueType subset with a ToUnicode map, but its map has no entry for a
glyph whose character lies outside the BMP (PLATFORM_NOTES.md). The glyph prints, yet `pdftotext`, search,
archives and screen readers lose it — part of a citizen's name. This module adds the missing entries after the file
is written, with pikepdf:

1. Qt writes each run of text as a `BT … ET` block of glyph ids (CIDs) in the order of the characters. Decoding a
   block with the font's own ToUnicode map gives the run's text with a gap where an unmapped glyph stands.
2. The receipt knows every string it drew. A drawn string that matches the decoded block around the gap, with a
   character outside the BMP in the gap, says which character that glyph is; its CID gets a `bfchar` entry
   (UTF-16 with the surrogate pair, as the PDF specification asks).

(Comparing outlines does not work: Qt re-encodes the subset's outlines at its own units per em.) Only PDFs whose
text contains such characters are touched (most receipts do not, and cost nothing).
"""

from __future__ import annotations

import io
import logging
import re
from collections.abc import Iterable
from typing import Any

from PySide6.QtGui import QFont, QTextLayout

log = logging.getLogger("tongban.printing")

_BFRANGE_ARRAY = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*\[([^\]]*)\]")
_BFRANGE_PLAIN = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")
_BFCHAR_SECTION = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)
_BFRANGE_SECTION = re.compile(rb"beginbfrange(.*?)endbfrange", re.S)
_PAIR = re.compile(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>")


NOTDEF = "\x00"


def needs_completion(text: str) -> bool:
    return any(ord(ch) > 0xFFFF for ch in text)


def _utf16_hex(ch: str) -> str:
    return ch.encode("utf-16-be").hex().upper()


def _cmap_entries(cmap: bytes) -> dict[int, str]:
    """CID → text of a ToUnicode CMap (the bfchar and bfrange forms Qt and this module write)."""

    def text(hex_value: bytes) -> str:
        return bytes.fromhex(hex_value.decode("ascii")).decode("utf-16-be", errors="replace")

    entries: dict[int, str] = {}
    for section in _BFRANGE_SECTION.findall(cmap):
        for start, _end, values in _BFRANGE_ARRAY.findall(section):
            for n, value in enumerate(re.findall(rb"<([0-9A-Fa-f]+)>", values)):
                entries[int(start, 16) + n] = text(value)
        for start, end, value in _BFRANGE_PLAIN.findall(_BFRANGE_ARRAY.sub(b"", section)):
            first = int.from_bytes(bytes.fromhex(value.decode("ascii")), "big")
            for n in range(int(end, 16) - int(start, 16) + 1):
                entries[int(start, 16) + n] = chr(first + n) if first + n < 0x110000 else "\ufffd"
    for section in _BFCHAR_SECTION.findall(cmap):
        for cid, value in _PAIR.findall(section):
            entries[int(cid, 16)] = text(value)
    return entries


def _runs(page: Any) -> list[tuple[str, list[int]]]:
    """(font resource name, CIDs) of every BT … ET block of a page's content, in order."""
    import pikepdf

    runs: list[tuple[str, list[int]]] = []
    font = ""
    cids: list[int] | None = None
    for instruction in pikepdf.parse_content_stream(page):
        if not isinstance(instruction, pikepdf.ContentStreamInstruction):
            continue  # an inline image
        operands, op = instruction.operands, str(instruction.operator)
        if op == "BT":
            cids = []
        elif op == "ET":
            if cids:
                runs.append((font, cids))
            cids = None
        elif op == "Tf":
            font = str(operands[0])
        elif op in {"Tj", "TJ"} and cids is not None:
            items = operands[0] if op == "TJ" else [operands[0]]
            for item in items:
                if isinstance(item, pikepdf.String):
                    raw = bytes(item)
                    cids.extend(int.from_bytes(raw[i : i + 2], "big") for i in range(0, len(raw) - 1, 2))
    return runs


def _families(drawn: Iterable[tuple[str, QFont]]) -> dict[str, set[str]]:
    """{character outside the BMP: the font families Qt draws it with} (the shipped font, or a fallback font of the
    system such as SimSun-ExtB or HanaMinB for a character the shipped font lacks)."""
    families: dict[str, set[str]] = {}
    for text, font in drawn:
        for ch in {c for c in text if ord(c) > 0xFFFF}:
            layout = QTextLayout(ch, font)
            layout.beginLayout()
            layout.createLine().setLineWidth(1_000_000)
            layout.endLayout()
            for run in layout.glyphRuns():
                families.setdefault(ch, set()).add(_squash(run.rawFont().familyName()))
    return families


def _squash(name: str) -> str:
    return name.replace(" ", "").replace("-", "").lower()


def _font_draws(base_font: str, families: set[str]) -> bool:
    """Whether a PDF font (`/ABCDEF+TongbanSans-Regular`) is one of `families` (`tongbansans`)."""
    name = _squash(base_font.lstrip("/").split("+", 1)[-1])
    return any(name.startswith(family) for family in families)


def _match(
    decoded: list[str | None], drawn: list[str], base_font: str, families: dict[str, set[str]]
) -> dict[int, str]:
    """{index in `decoded`: character} where `decoded` (None = unmapped glyph) lines up with a drawn string and
    the block's font is one that draws the character in the gap."""
    width = len(decoded)
    for text in drawn:
        chars = list(text)
        for start in range(len(chars) - width + 1):
            window = chars[start : start + width]
            if all(
                (ch is None and ord(c) > 0xFFFF and _font_draws(base_font, families.get(c, set()))) or ch in (NOTDEF, c)
                for ch, c in zip(decoded, window, strict=True)
            ):
                return {i: window[i] for i, ch in enumerate(decoded) if ch is None}
    return {}


def complete_to_unicode(pdf: bytes, drawn_texts: Iterable[tuple[str, QFont]]) -> bytes:
    """`pdf` with ToUnicode entries for the glyphs of characters outside the BMP among `drawn_texts` (the strings
    painted into it, with their fonts); unchanged when there are none or nothing is missing."""
    pairs = [(text, font) for text, font in drawn_texts if needs_completion(text)]
    drawn = sorted({text for text, _font in pairs}, key=len)
    if not drawn:
        return pdf
    families = _families(pairs)
    import pikepdf  # only for the few receipts that need it

    with pikepdf.open(io.BytesIO(pdf)) as doc:
        found: dict[tuple[int, int], dict[int, str]] = {}
        fonts: dict[tuple[int, int], Any] = {}
        for page in doc.pages:
            resources: Any = page.obj.get("/Resources", pikepdf.Dictionary()).get("/Font", pikepdf.Dictionary())
            maps: dict[str, dict[int, str]] = {}
            for font_name, font in resources.items():
                if font.get("/Subtype") == "/Type0" and "/ToUnicode" in font:
                    fonts[font.objgen] = font
                    maps[font_name] = _cmap_entries(font.ToUnicode.read_bytes())
            for font_name, cids in _runs(page):
                if font_name not in maps or all(cid in maps[font_name] for cid in cids):
                    continue
                entries = maps[font_name]
                # CID 0 is the missing-glyph box: it stands for some character, but for no particular one.
                decoded = [NOTDEF if cid == 0 else entries.get(cid) for cid in cids]
                base_font = str(resources[font_name].get("/BaseFont", ""))
                for index, ch in _match(decoded, drawn, base_font, families).items():
                    found.setdefault(resources[font_name].objgen, {})[cids[index]] = ch
        if not found:
            return pdf
        for key, cid_chars in found.items():
            _add_entries(fonts[key], cid_chars)
        out = io.BytesIO()
        doc.save(out)
    log.debug("completed the PDF text layer: %d glyph(s) outside the BMP", sum(len(v) for v in found.values()))
    return out.getvalue()


def _add_entries(font: Any, cid_chars: dict[int, str]) -> None:
    entries = [f"<{cid:04X}> <{_utf16_hex(ch)}>" for cid, ch in sorted(cid_chars.items())]
    extra = "".join(
        f"{len(chunk)} beginbfchar\n" + "\n".join(chunk) + "\nendbfchar\n"
        for chunk in (entries[i : i + 100] for i in range(0, len(entries), 100))
    ).encode("ascii")
    cmap = font.ToUnicode.read_bytes()
    position = cmap.rindex(b"endcmap")
    font.ToUnicode.write(cmap[:position] + extra + cmap[position:])
