"""`tongban diagnose --out FILE`: one zip archive for support, with no personal data in it.

What goes in (each part a file in the archive; a part that cannot be read says why instead of stopping the rest):
- `versions.json`: the program, Python, Qt/PySide6 and library versions, the OS, frozen bundle or not;
- `config.json`: the effective configuration with secrets removed (keys that name a password, secret or token;
  user and password inside URLs);
- `store.json`: schema version, case count, outbox counts by state and kind, dead-letter count — counts only;
- `integrity.txt`: SQLite's `PRAGMA integrity_check` of the local database, read-only (a damaged file is reported,
  never moved or repaired from here, so this is safe beside a running terminal);
- `log-tail.txt`: the last lines of the terminal's log.

Personal data: the archive holds no row of the store, only counts. The log should hold none in the first place
(app/logs.py); as a further line of defence the log tail is redacted again (ID, credit-code and phone shapes) and
every run of Chinese characters in it is replaced by `〔…〕`, because names and addresses are Chinese text and the
log's own messages are English.
"""

from __future__ import annotations

import datetime as dt
import importlib.metadata
import json
import platform
import re
import sys
import zipfile
from collections import deque
from pathlib import Path
from typing import Any, TextIO
from urllib.parse import urlsplit, urlunsplit

from app import __version__
from app.config import Config
from app.logs import LOG_FILE_NAME, get_logger, redact
from app.paths import AppPaths
from offline_cache.diagnostics import integrity_report, outbox_counts, sqlite_version

log = get_logger("diagnose")

LOG_TAIL_LINES = 500
#: Distributions whose versions support asks about first.
_DISTRIBUTIONS = (
    "PySide6",
    "shiboken6",
    "sqlite-utils",
    "cryptography",
    "pydantic",
    "requests",
    "python-escpos",
    "qrcode",
    "pypinyin",
    "keyring",
    "platformdirs",
    "python-stdnum",
    "Pillow",
)
_SECRET_KEY = re.compile(r"pass(word)?|secret|token|credential|private", re.IGNORECASE)
#: CJK ideographs (with extensions and compatibility forms), the script of names and addresses.
_HAN_RUN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f·•]+")
HAN_PLACEHOLDER = "〔…〕"
REDACTED = "<removed>"


def collect_diagnostics(*, config: Config, paths: AppPaths, out: Path, now: dt.datetime | None = None) -> Path:
    """Write the archive to `out` and return its path."""
    now = now or dt.datetime.now(dt.UTC)
    parts: dict[str, str] = {
        "versions.json": _json(_versions(paths, now)),
        "config.json": _json({"config_file": str(paths.config_file), "config": scrub_config(config.as_dict())}),
        "store.json": _json(_store_summary(config, paths)),
        "integrity.txt": integrity_report(paths.database),
        "log-tail.txt": log_tail(paths.log_dir / LOG_FILE_NAME),
    }
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with zipfile.ZipFile(partial, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in parts.items():
            archive.writestr(f"tongban-diagnose/{name}", text)
    partial.replace(out)
    log.info("diagnostics archive written (%d parts)", len(parts))
    return out


def diagnose_command(*, config: Config, paths: AppPaths, out: Path, stdout: TextIO) -> int:
    path = collect_diagnostics(config=config, paths=paths, out=out)
    stdout.write(f"{path}\n")
    return 0


def scrub_config(value: Any, key: str = "") -> Any:
    """The config as JSON data with secrets removed: values of secret-named keys, and user/password in URLs."""
    if isinstance(value, dict):
        return {k: scrub_config(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [scrub_config(v, key) for v in value]
    if key and _SECRET_KEY.search(key) and value not in ("", None):
        return REDACTED
    if isinstance(value, str) and "://" in value:
        return _strip_url_credentials(value)
    return value


def _strip_url_credentials(url: str) -> str:
    try:
        parts = urlsplit(url)
    except ValueError:
        return REDACTED
    if parts.username is None and parts.password is None:
        return url
    host = parts.hostname or ""
    netloc = f"{REDACTED}@{host}" + (f":{parts.port}" if parts.port else "")
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))


def scrub_log_line(line: str) -> str:
    return _HAN_RUN.sub(HAN_PLACEHOLDER, redact(line))


def log_tail(path: Path, lines: int = LOG_TAIL_LINES) -> str:
    """The last `lines` lines of the log (older rotated files first when the current one is short), scrubbed."""
    files = [path.with_name(f"{path.name}.{n}") for n in range(5, 0, -1)] + [path]
    tail: deque[str] = deque(maxlen=lines)
    found = False
    for file in files:
        try:
            with file.open(encoding="utf-8", errors="replace") as handle:
                found = True
                for line in handle:
                    tail.append(scrub_log_line(line.rstrip("\n")))
        except FileNotFoundError:
            continue
        except OSError as exc:
            tail.append(f"[cannot read {file.name}: {type(exc).__name__}]")
    if not found:
        return f"[no log file at {path}]\n"
    return "\n".join(tail) + "\n"


def _versions(paths: AppPaths, now: dt.datetime) -> dict[str, Any]:
    libraries: dict[str, str] = {}
    for name in _DISTRIBUTIONS:
        try:
            libraries[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            libraries[name] = "unknown"
    qt = "unknown"
    try:
        from PySide6 import QtCore

        qt = QtCore.qVersion()
        libraries["PySide6"] = getattr(sys.modules.get("PySide6"), "__version__", libraries["PySide6"])
    except ImportError:
        pass
    return {
        "tongban": __version__,
        "collected_at": now.isoformat(timespec="seconds"),
        "python": sys.version.split()[0],
        "qt": qt,
        "sqlite": sqlite_version(),
        "os": platform.platform(),
        "machine": platform.machine(),
        "frozen": bool(getattr(sys, "frozen", False)),
        "executable": sys.executable,
        "data_dir": str(paths.data_dir),
        "log_dir": str(paths.log_dir),
        "libraries": libraries,
    }


def _store_summary(config: Config, paths: AppPaths) -> dict[str, Any]:
    if not paths.database.exists():
        return {"database": str(paths.database), "exists": False}
    summary: dict[str, Any] = {"database": str(paths.database), "exists": True}
    try:
        from app.services.terminal_status import StoreError, read_status
    except ImportError as exc:  # a broken installation is worth reporting, not a crash
        return {**summary, "error": f"import: {exc}"}
    try:
        status = read_status(config=config, paths=paths)
    except StoreError as exc:
        return {**summary, "error": getattr(exc, "code", None) or type(exc).__name__}
    except Exception as exc:  # damage the quick open did not notice: report it, the archive is still written
        return {**summary, "error": type(exc).__name__}
    for key in ("schema_version", "case_count", "queue_depth", "dead_letters", "oldest_pending_seconds"):
        summary[key] = status.get(key)
    summary["recovered_from"] = status.get("recovered_from")
    sync = status.get("sync")
    if isinstance(sync, dict):
        summary["sync"] = {k: v for k, v in sync.items() if isinstance(v, (int, float, bool, type(None)))}
    summary["outbox"] = outbox_counts(paths.database)
    return summary


def _json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
