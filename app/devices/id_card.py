"""Second-generation resident ID card reader (二代证读卡器) behind a small interface, with a simulator.

`IdCardReader.read(timeout=...)` blocks until a card is read, the timeout passes, or the reader fails; it always
runs on a device worker thread (see `app.devices.runner`), never on the GUI thread.

Adapter point for vendor SDKs: readers certified by the Ministry of Public Security (华视 CVR-100, 新中新 DKQ-A16D,
精伦 iDR210 …) ship a DLL/.so with calls of the form `InitComm(port)`, `Authenticate()` (find and select the card),
`Read_Content()` and accessors for name, number, address, photo. Write a class with a `read(*, timeout)` method
that loads the library with `ctypes`, maps "port not opened" to `IdCardErrorKind.READER_ABSENT`, "no card /
authenticate failed" to `NO_CARD`, other failures to `READ_FAILED`, returns `IdCardData`, and never logs the values
read. Register it in `app.services.terminal` instead of `SimulatedIdCardReader`.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Any, Protocol


class IdCardErrorKind(StrEnum):
    NO_CARD = "no_card"
    READER_ABSENT = "reader_absent"
    READ_FAILED = "read_failed"
    TIMEOUT = "timeout"


ERROR_MESSAGES: dict[IdCardErrorKind, str] = {
    IdCardErrorKind.NO_CARD: "未检测到身份证，请将身份证平放在读卡器上后重试",
    IdCardErrorKind.READER_ABSENT: "未连接身份证读卡器，请检查连接线或手工录入",
    IdCardErrorKind.READ_FAILED: "读卡失败，请重新放置身份证后重试，或手工录入",
    IdCardErrorKind.TIMEOUT: "读卡超时，请重新放置身份证后重试，或手工录入",
}


class IdCardError(Exception):
    def __init__(self, kind: IdCardErrorKind, detail: str = "") -> None:
        super().__init__(f"{kind.value}: {detail}" if detail else kind.value)
        self.kind = kind
        self.message = ERROR_MESSAGES[kind]


@dataclass(frozen=True, slots=True)
class IdCardData:
    """What the chip holds (photo left out: the terminal does not keep it)."""

    name: str
    id_number: str
    address: str
    sex: str = ""
    ethnicity: str = ""
    birth_date: str = ""
    issuer: str = ""
    valid_from: str = ""
    valid_to: str = ""


class IdCardReader(Protocol):
    def read(self, *, timeout: float) -> IdCardData: ...


def card_from_json(data: Any) -> IdCardData:
    if not isinstance(data, dict):
        raise IdCardError(IdCardErrorKind.READ_FAILED, "card file is not an object")
    try:
        return IdCardData(**{k: str(v) for k, v in data.items() if k in IdCardData.__dataclass_fields__})
    except TypeError as exc:
        raise IdCardError(IdCardErrorKind.READ_FAILED, "card file lacks name/id_number/address") from exc


class SimulatedIdCardReader:
    """Reads a card from a JSON file: the newest `*.json` in `folder`, or a fixed `card`.

    `delay` seconds pass before the "chip" answers (longer than the timeout gives TIMEOUT); `error` makes every
    read fail that way (reader unplugged, and so on). A missing folder is READER_ABSENT; an empty one NO_CARD.
    """

    def __init__(
        self,
        *,
        folder: Path | None = None,
        card: IdCardData | None = None,
        delay: float = 0.0,
        error: IdCardErrorKind | None = None,
    ) -> None:
        self.folder = folder
        self.card = card
        self.delay = delay
        self.error = error

    def read(self, *, timeout: float) -> IdCardData:
        if self.delay:
            time.sleep(min(self.delay, timeout))
            if self.delay > timeout:
                raise IdCardError(IdCardErrorKind.TIMEOUT)
        if self.error is not None:
            raise IdCardError(self.error)
        if self.card is not None:
            return self.card
        if self.folder is None or not self.folder.is_dir():
            raise IdCardError(IdCardErrorKind.READER_ABSENT)
        cards = sorted(self.folder.glob("*.json"), key=lambda p: p.stat().st_mtime)
        if not cards:
            raise IdCardError(IdCardErrorKind.NO_CARD)
        try:
            return card_from_json(json.loads(cards[-1].read_text(encoding="utf-8")))
        except (OSError, ValueError) as exc:
            raise IdCardError(IdCardErrorKind.READ_FAILED, type(exc).__name__) from exc
