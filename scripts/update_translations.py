"""Refresh the zh_CN translation catalogue from the UI sources and compile it.

    .venv/bin/python scripts/update_translations.py          # lupdate ui/ -> .ts (keeps translations), lrelease -> .qm
    .venv/bin/python scripts/update_translations.py --check  # exit 1 if the .ts or .qm is out of date or unfinished

Translate new strings in resources/translations/tongban_zh_CN.ts (Qt Linguist: `pyside6-linguist`, or by hand:
fill `<translation>` and drop `type="unfinished"`), then run this script again. A source string that is already
Chinese may stay untranslated (Qt shows the source); an English one may not. Uses the pyside6-lupdate and
pyside6-lrelease that come with the PySide6 wheel. `-locations none` keeps the .ts stable when code moves.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path
from xml.etree import ElementTree

ROOT = Path(__file__).resolve().parent.parent
TS_FILE = ROOT / "resources" / "translations" / "tongban_zh_CN.ts"
QM_FILE = TS_FILE.with_suffix(".qm")


def _tool(name: str) -> str:
    suffix = ".exe" if sys.platform == "win32" else ""
    candidate = Path(sys.executable).parent / f"{name}{suffix}"
    if candidate.exists():
        return str(candidate)
    found = shutil.which(name)
    if found is None:
        raise SystemExit(f"{name} not found: install PySide6 into this Python environment")
    return found


def sources() -> list[str]:
    return sorted(str(path.relative_to(ROOT)) for path in (ROOT / "ui").rglob("*.py"))


def lupdate(ts_file: Path) -> None:
    subprocess.run(
        [
            _tool("pyside6-lupdate"),
            *sources(),
            "-ts",
            str(ts_file),
            "-no-obsolete",
            "-locations",
            "none",
            "-source-language",
            "en",
            "-target-language",
            "zh_CN",
            "-silent",
        ],
        cwd=ROOT,
        check=True,
    )


def lrelease(ts_file: Path, qm_file: Path) -> None:
    subprocess.run([_tool("pyside6-lrelease"), str(ts_file), "-qm", str(qm_file), "-silent"], cwd=ROOT, check=True)


def check() -> list[str]:
    """Problems that make the committed catalogue stale; empty when it is up to date."""
    problems: list[str] = []
    if not TS_FILE.exists() or not QM_FILE.exists():
        return [f"{TS_FILE.name} or {QM_FILE.name} missing: run scripts/update_translations.py"]
    with tempfile.TemporaryDirectory() as tmp:
        fresh_ts = Path(tmp) / TS_FILE.name
        shutil.copyfile(TS_FILE, fresh_ts)
        lupdate(fresh_ts)
        if fresh_ts.read_bytes() != TS_FILE.read_bytes():
            problems.append(f"{TS_FILE.name} does not match the strings in ui/: run scripts/update_translations.py")
        fresh_qm = Path(tmp) / QM_FILE.name
        lrelease(TS_FILE, fresh_qm)
        if fresh_qm.read_bytes() != QM_FILE.read_bytes():
            problems.append(f"{QM_FILE.name} is not compiled from {TS_FILE.name}: run scripts/update_translations.py")
    untranslated = untranslated_english(TS_FILE)
    if untranslated:
        problems.append(f"{TS_FILE.name} has untranslated strings: " + "; ".join(untranslated))
    return problems


def untranslated_english(ts_file: Path) -> list[str]:
    """Source strings without a translation, except those written in Chinese already (shown as they are)."""
    root = ElementTree.parse(ts_file).getroot()
    missing: list[str] = []
    for context in root.iter("context"):
        name = context.findtext("name", "")
        for message in context.iter("message"):
            source = message.findtext("source", "")
            translation = message.find("translation")
            done = translation is not None and translation.get("type") not in {"unfinished", "vanished", "obsolete"}
            if not done and not _has_cjk(source):
                missing.append(f"{name}: {source!r}")
    return missing


def _has_cjk(text: str) -> bool:
    return any("\u3400" <= ch <= "\u9fff" or "\uf900" <= ch <= "\ufaff" for ch in text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only check; change nothing")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for problem in problems:
            print(problem, file=sys.stderr)
        return 1 if problems else 0
    TS_FILE.parent.mkdir(parents=True, exist_ok=True)
    lupdate(TS_FILE)
    lrelease(TS_FILE, QM_FILE)
    for message in untranslated_english(TS_FILE):
        print(f"untranslated: {message}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
