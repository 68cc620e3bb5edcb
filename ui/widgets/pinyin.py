"""The touch keyboards' pinyin candidates (one shared `PinyinInput`; its tables load when a keyboard is first shown)."""

from __future__ import annotations

import threading
from collections.abc import Iterable

from app.domain.pinyin_input import Candidate, PinyinInput

_INPUT = PinyinInput()


def prefer(texts: Iterable[str]) -> None:
    """Offer the characters and words of `texts` first (the kiosk passes the catalogue's names)."""
    global _INPUT  # noqa: PLW0603 - one shared input per process, re-ranked when the catalogue is known
    _INPUT = PinyinInput(texts)


def pinyin_candidates(letters: str) -> list[Candidate]:
    return _INPUT.candidates(letters)


_WARMED: PinyinInput | None = None


def warm_up() -> None:
    """Load the tables on a worker thread now (a keyboard was shown: its first keystroke finds them ready). Once per
    `prefer`."""
    global _WARMED  # noqa: PLW0603 - see prefer
    if _WARMED is _INPUT:
        return
    _WARMED = _INPUT
    threading.Thread(target=_INPUT.candidates, args=("a",), name="pinyin-warm-up", daemon=True).start()
