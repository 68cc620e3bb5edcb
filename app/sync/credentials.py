"""Device credentials from enrolment: in the OS keyring or a 0600 file written atomically; never in SQLite or logs.

`TONGBAN_KEY_STORE` chooses as for the database key (`file`, `keyring`, `auto`). During a key rotation the new key
is stored as `pending_*` before it is confirmed, so a crash in between never locks the terminal out.

Under `auto` a small file beside the credentials file says where they are (`keyring` or `none`, nothing secret), so
a terminal that is not enrolled, or keeps its credentials in the file, never imports keyring to find out (~100 ms of
every start and every command, issue 13). A data directory without that file (a terminal enrolled into the keyring
by an earlier version) asks the keyring once and writes down the answer.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import stat
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Any

from app.config import Config, ConfigError

log = logging.getLogger("tongban.sync")

KEYRING_SERVICE = "tongban-terminal"
FILE_NAME = "device-credentials.json"
#: Where `auto` keeps its credentials: "keyring" or "none" (no secret in it; see the module doc).
WHERE_FILE_NAME = "device-credentials.where"


class CredentialsError(Exception):
    """Stored credentials cannot be read or written; `args[0]` is a Chinese message for the screen."""


@dataclass(frozen=True, slots=True)
class Credentials:
    device_id: str
    key_id: str
    secret: str  # 64 lowercase hex characters
    terminal: str
    division: str
    hall: str
    window: str = ""
    platform_url: str = ""
    pending_key_id: str | None = None
    pending_secret: str | None = None

    def __repr__(self) -> str:  # never print a secret by accident
        return f"Credentials(device_id={self.device_id!r}, key_id={self.key_id!r}, terminal={self.terminal!r})"

    def with_pending(self, key_id: str, secret: str) -> Credentials:
        return replace(self, pending_key_id=key_id, pending_secret=secret)

    def promoted(self) -> Credentials:
        """The pending key becomes the current key."""
        if self.pending_key_id is None or self.pending_secret is None:
            return self
        return replace(
            self, key_id=self.pending_key_id, secret=self.pending_secret, pending_key_id=None, pending_secret=None
        )

    def without_pending(self) -> Credentials:
        return replace(self, pending_key_id=None, pending_secret=None)

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Credentials:
        try:
            fields: dict[str, Any] = {k: data[k] for k in cls.__dataclass_fields__ if k in data}
            creds = cls(**fields)
        except TypeError as exc:
            raise CredentialsError("设备凭据文件内容不完整，请重新注册本终端。") from exc
        if len(creds.secret) != 64 or any(c not in "0123456789abcdef" for c in creds.secret):
            raise CredentialsError("设备凭据文件内容无效，请重新注册本终端。")
        return creds


class CredentialStore:
    """Load/save/clear the credentials of the terminal whose data lives in `data_dir`."""

    def __init__(self, data_dir: Path, *, backend: str | None = None) -> None:
        self.data_dir = data_dir
        choice = (backend or os.environ.get("TONGBAN_KEY_STORE", "auto")).strip().lower()
        if choice not in {"auto", "file", "keyring"}:
            raise CredentialsError(f"TONGBAN_KEY_STORE 的值无效：{choice}")
        self._choice = choice

    @property
    def file_path(self) -> Path:
        return self.data_dir / FILE_NAME

    @property
    def where_path(self) -> Path:
        return self.data_dir / WHERE_FILE_NAME

    def _use_keyring(self) -> bool:
        """Whether to write to (and clear) the keyring: no credentials file, and a usable keyring (or `keyring`)."""
        if self._choice == "file" or self.file_path.exists():
            return False
        from offline_cache.keys import keyring_usable  # cryptography: not for reading a credentials file (issue 13)

        return keyring_usable()

    def _read_where(self) -> str | None:
        try:
            text = self.where_path.read_text(encoding="ascii").strip()
        except (OSError, UnicodeDecodeError):
            return None
        return text if text in {"keyring", "none"} else None

    def _write_where(self, where: str) -> None:
        """Best effort: without the note the next start asks the keyring again, nothing worse."""
        from offline_cache.files import write_atomically

        try:
            write_atomically(self.where_path, f"{where}\n".encode("ascii"))
        except OSError:
            log.warning(
                "could not note where the device credentials are (%s); the keyring is asked at each start", where
            )

    def _load_from_keyring(self) -> Credentials | None:
        import keyring

        try:
            text = keyring.get_password(KEYRING_SERVICE, self._keyring_user())
        except Exception as exc:  # keyring backends raise many kinds
            raise CredentialsError("无法访问系统密钥环读取设备凭据。") from exc
        return None if text is None else Credentials.from_json(json.loads(text))

    def _keyring_user(self) -> str:
        return f"device:{self.data_dir.resolve()}"

    def load(self) -> Credentials | None:
        if self._choice != "file" and not self.file_path.exists():
            if self._choice == "keyring":
                return self._load_from_keyring() if self._use_keyring() else None
            where = self._read_where()
            if where == "none":
                return None
            if where is None:  # no note yet (new, or enrolled into the keyring by an earlier version): ask once
                from offline_cache.keys import keyring_usable

                creds = self._load_from_keyring() if keyring_usable() else None
                self._write_where("none" if creds is None else "keyring")
                return creds
            return self._load_from_keyring()
        path = self.file_path
        if not path.exists():
            return None
        if os.name == "posix" and stat.S_IMODE(path.stat().st_mode) & 0o077:
            path.chmod(0o600)
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise CredentialsError("设备凭据文件无法读取，请重新注册本终端。") from exc
        return Credentials.from_json(data)

    def save(self, creds: Credentials) -> None:
        text = json.dumps(asdict(creds), sort_keys=True)
        if self._use_keyring():
            import keyring

            try:
                keyring.set_password(KEYRING_SERVICE, self._keyring_user(), text)
            except Exception as exc:
                raise CredentialsError("无法把设备凭据保存到系统密钥环。") from exc
            if self._choice == "auto":
                self._write_where("keyring")
            return
        from offline_cache.files import write_atomically

        try:
            write_atomically(self.file_path, text.encode("utf-8"))
        except OSError as exc:
            raise CredentialsError("无法保存设备凭据文件（磁盘已满或无写入权限）。") from exc
        log.info("device credentials stored for device %s", creds.device_id)

    def clear(self) -> None:
        if self._use_keyring():
            import keyring

            with contextlib.suppress(Exception):
                keyring.delete_password(KEYRING_SERVICE, self._keyring_user())
        self.file_path.unlink(missing_ok=True)
        if self._choice == "auto":
            self._write_where("none")


def _write_atomically(path: Path, text: str) -> None:
    from offline_cache.files import write_atomically

    write_atomically(path, text.encode("utf-8"))


#: Intake is stopped with this while the terminal has no identity of its own (never enrolled, none configured).
NOT_ENROLLED_ZH = (
    "本终端尚未注册，办件编号无法保证全市唯一，暂不能收件。"
    "请管理员在“管理 → 平台注册…”中注册本终端（或在配置文件中填写平台分配的 terminal_code）。"
)


@dataclass(frozen=True, slots=True)
class Identity:
    """Which identity the terminal numbers cases with, and why intake must stop (`problem`, Chinese) if it must."""

    config: Config
    enrolled: bool
    problem: str | None


def _padded(value: str, width: int) -> str:
    """A code as the platform may have issued it ("3") in the form the terminal numbers with ("03")."""
    text = value.strip()
    return text.zfill(width) if text.isascii() and text.isdigit() and len(text) <= width else text


def resolve_identity(config: Config, data_dir: Path) -> Identity:
    """The identity the platform assigned at enrolment wins over the configured one.

    Case numbers are unique across the city only because (division, hall, terminal) is unique per terminal, and
    the platform guarantees that for the codes it hands out at enrolment: once enrolled, the terminal numbers its
    cases (and signs its records) with those — never with another. An enrolled identity that does not fit
    (e.g. window "A3" from an old platform) leaves the terminal without a terminal code and with a `problem`, so
    intake stops with a clear message until it is re-enrolled. A terminal never enrolled and with no terminal code
    configured has no identity of its own either (two such terminals would issue the same numbers). Unreadable
    credentials leave the configuration as it is; the sync status reports them.
    """
    try:
        creds = CredentialStore(data_dir).load()
    except (CredentialsError, OSError, ValueError, KeyError):
        creds = None
    if creds is None:
        problem = NOT_ENROLLED_ZH if not config.terminal_code else None
        return Identity(config, enrolled=False, problem=problem)
    update: dict[str, str] = {
        "division": creds.division.strip(),
        "hall_code": _padded(creds.hall, 2),
        "terminal_code": _padded(creds.terminal, 3),
    }
    if creds.window:
        update["window"] = _padded(creds.window, 2)
    if not config.platform_url and creds.platform_url:
        update["platform_url"] = creds.platform_url
    changed = {key: value for key, value in update.items() if getattr(config, key) != value}
    if not changed:
        return Identity(config, enrolled=True, problem=None)
    try:
        enrolled = config.replace(**changed)
    except ConfigError:
        log.error("the enrolled identity does not fit the configuration schema; intake is stopped until re-enrolment")
        problem = (
            f"本终端在平台注册的编号（行政区划 {creds.division}、大厅 {creds.hall}、窗口 {creds.window or '-'}、"
            f"终端 {creds.terminal}）不是本机使用的格式（大厅、窗口各两位数字，终端三位数字），为免办件编号重复，"
            "已暂停收件。请管理员在平台上重新生成注册码后，在“管理 → 平台注册…”中重新注册本终端。"
        )
        return Identity(config.replace(terminal_code=""), enrolled=True, problem=problem)
    log.info("using the enrolled identity for %s", ", ".join(sorted(changed)))
    return Identity(enrolled, enrolled=True, problem=None)


def apply_enrolled_identity(config: Config, data_dir: Path) -> Config:
    """`resolve_identity(config, data_dir).config`: the configuration with the enrolled identity (see there)."""
    return resolve_identity(config, data_dir).config
