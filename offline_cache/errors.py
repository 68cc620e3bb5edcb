"""Errors the store raises. `StoreError.message` is plain Chinese for the clerk's screen."""

from __future__ import annotations

import sqlite3

# Primary SQLite result codes (the low byte of an extended code).
_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6
_SQLITE_READONLY = 8
_SQLITE_IOERR = 10
_SQLITE_CORRUPT = 11
_SQLITE_FULL = 13
_SQLITE_CANTOPEN = 14
_SQLITE_CONSTRAINT = 19
_SQLITE_NOTADB = 26


class StoreError(Exception):
    """An environment error from the local store: nothing partial was written; show `message` and carry on."""

    def __init__(self, message: str, *, code: str = "") -> None:
        super().__init__(message)
        self.message = message
        #: Short machine name (e.g. SQLITE_FULL) for logs and tests; never personal data.
        self.code = code


class RatingAlreadyRecordedError(StoreError):
    """The service act already has its rating (another rating screen, or the timeout, was first): nothing stored."""

    def __init__(self, service_act_id: str) -> None:
        super().__init__("已评价，谢谢", code="rating_already_recorded")
        self.service_act_id = service_act_id


class NewerSchemaError(StoreError):
    """The database was written by a newer version of the program; it is left untouched."""

    def __init__(self, db_version: int, app_version: int) -> None:
        super().__init__(
            f"本地数据库版本（{db_version}）高于本程序支持的版本（{app_version}），请升级通办终端程序后再打开。",
            code="newer_schema",
        )
        self.db_version = db_version
        self.app_version = app_version


class WrongKeyError(StoreError):
    """The encryption key does not open this database (wrong, replaced or missing key)."""

    def __init__(self, detail: str = "") -> None:
        super().__init__(
            "本地数据库的加密密钥不匹配或已丢失，无法读取已保存的个人信息。请联系管理员恢复密钥。",
            code="wrong_key",
        )
        self.detail = detail


def sqlite_code(exc: sqlite3.Error) -> int:
    """The primary result code of a sqlite3 error (0 when unknown)."""
    code = getattr(exc, "sqlite_errorcode", None)
    return int(code) & 0xFF if isinstance(code, int) else 0


def is_corruption(exc: sqlite3.Error) -> bool:
    """True when the file is not a database or is damaged (as opposed to busy, locked, full ...)."""
    return sqlite_code(exc) in {_SQLITE_CORRUPT, _SQLITE_NOTADB}


def from_sqlite(exc: sqlite3.Error) -> StoreError:
    """Translate a sqlite3 error into a StoreError with a message for the screen."""
    code = sqlite_code(exc)
    name = str(getattr(exc, "sqlite_errorname", "") or type(exc).__name__)
    if code == _SQLITE_FULL:
        message = "磁盘空间已满，本次未保存。请清理磁盘空间后重试，已填写的内容仍在表单中。"
    elif code in {_SQLITE_BUSY, _SQLITE_LOCKED}:
        message = "本地数据库正忙，本次未保存，请稍后重试。"
    elif code == _SQLITE_READONLY:
        message = "本地数据库为只读状态，本次未保存。请联系管理员检查数据目录权限。"
    elif code in {_SQLITE_IOERR, _SQLITE_CANTOPEN}:
        message = "磁盘读写错误，本次未保存。请联系管理员检查磁盘。"
    elif code in {_SQLITE_CORRUPT, _SQLITE_NOTADB}:
        message = "本地数据库已损坏，本次未保存。请重新启动程序以自动修复。"
    elif code == _SQLITE_CONSTRAINT:
        message = "数据冲突（记录重复或关联缺失），本次未保存。"
    else:
        message = "本地数据库错误，本次未保存。"
    return StoreError(message, code=name)
