"""Dead letters for the administrator: what the platform refused, why (in Chinese), retry, and export.

The export masks every personal field: it is for diagnosing the refusal with the platform's operators, not for
moving personal data around on a USB stick.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.protocol import PERSONAL_FIELDS
from offline_cache import Store
from offline_cache.files import write_atomically
from offline_cache.outbox import PARENT_DEAD

REASONS_ZH: dict[str, str] = {
    "conflict": "平台已有同一编号但内容不同的记录",
    "rejected": "平台拒收",
    PARENT_DEAD: "所依赖的记录已被拒收",
    "orphan_timeout": "等待所依赖的记录超过 72 小时",
    "server_error_persistent": "平台处理该记录持续出错",
    "salvage": "数据库损坏后恢复，无法核对",
    "missing_scan": "扫描件文件已缺失，办件未上传，请重新扫描后重新收件",
}
CODES_ZH: dict[str, str] = {
    "bad_field": "字段不合规",
    "bad_case_no": "办件编号无效",
    "terminal_mismatch": "终端编号与注册信息不符",
    "terminal_seq_taken": "序号已被其他记录占用",
    "case_no_taken": "办件编号已被其他办件使用（编号重复）",
    "body_hash_mismatch": "内容校验值不符",
    "body_too_large": "内容过大",
    "body_mismatch": "重建内容与原记录不一致",
    "unverified": "材料信息可能不全",
    "blob_missing": "平台缺少该办件引用的扫描件",
}


@dataclass(frozen=True, slots=True)
class DeadLetter:
    record_id: str
    kind: str
    terminal_seq: int
    reason: str  # as stored, e.g. "rejected:bad_field"
    reason_zh: str
    created_at: dt.datetime
    updated_at: dt.datetime


def reason_zh(reason: str) -> str:
    status, _, code = reason.partition(":")
    text = REASONS_ZH.get(status, reason)
    if code:
        text += f"：{CODES_ZH.get(code, code)}"
    return text


def list_dead_letters(store: Store, limit: int = 1000) -> list[DeadLetter]:
    return [
        DeadLetter(
            record_id=e.record_id,
            kind=e.kind.value,
            terminal_seq=e.terminal_seq,
            reason=e.last_error,
            reason_zh=reason_zh(e.last_error),
            created_at=e.created_at,
            updated_at=e.updated_at,
        )
        for e in store.outbox.dead_letters(limit)
    ]


def retry_dead_letters(store: Store, record_ids: Sequence[str]) -> int:
    """Back to pending, only for rows that are dead now (never a sent row)."""
    dead = {d.record_id for d in store.outbox.dead_letters(100_000)}
    return store.outbox.requeue([r for r in record_ids if r in dead])


def export_dead_letters(store: Store, path: Path, *, terminal: str) -> int:
    """JSON lines: the reason and the envelope with personal values masked; written atomically. Returns count."""
    lines = []
    for entry in store.outbox.dead_letters(100_000):
        envelope = entry.envelope(terminal)
        envelope["body"] = _mask(envelope["body"])
        lines.append(
            json.dumps(
                {"reason": entry.last_error, "reason_zh": reason_zh(entry.last_error), "record": envelope},
                ensure_ascii=False,
                sort_keys=True,
            )
        )
    write_atomically(path, ("\n".join(lines) + ("\n" if lines else "")).encode("utf-8"))
    return len(lines)


#: Scan file names often carry the applicant's name (the store encrypts them at rest for the same reason).
_MASKED = PERSONAL_FIELDS | {"filename"}


def _mask(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: ("***" if k in _MASKED and v is not None else _mask(v)) for k, v in value.items()}
    if isinstance(value, list):
        return [_mask(v) for v in value]
    return value
