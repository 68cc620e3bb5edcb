"""Tiny HTML building with escaping by default: every value passed to `fmt` is escaped unless it is `Safe`."""

from __future__ import annotations

import html
from collections.abc import Iterable
from typing import Any


class Safe(str):
    """Markup that is already escaped (built by `fmt` or `join`)."""

    __slots__ = ()


def esc(value: Any) -> Safe:
    if isinstance(value, Safe):
        return value
    return Safe(html.escape("" if value is None else str(value), quote=True))


def fmt(template: str, *args: Any, **kwargs: Any) -> Safe:
    """`template.format(...)` with every argument escaped; the template itself is trusted markup."""
    return Safe(template.format(*(esc(a) for a in args), **{k: esc(v) for k, v in kwargs.items()}))


def join(parts: Iterable[Safe], sep: str = "") -> Safe:
    return Safe(sep.join(esc(p) for p in parts))


CSS = """
body{font-family:"Noto Sans CJK SC","Source Han Sans SC","Microsoft YaHei",sans-serif;margin:0;color:#1f2329;
background:#f5f6f7}
header{background:#c8102e;color:#fff;padding:10px 20px}header a{color:#fff}
main{padding:16px 20px;max-width:1200px}
table{border-collapse:collapse;background:#fff;margin:8px 0 20px;min-width:360px}
th,td{border:1px solid #dee0e3;padding:4px 10px;text-align:left;font-size:14px}th{background:#eff0f1}
tr.overdue td{background:#fde2e2}.overdue-label{color:#c8102e;font-weight:bold}
form.inline{display:inline}.error{color:#c8102e}.muted{color:#646a73}
label{margin-right:12px}
"""


def page(title: str, body: Safe, *, header: Safe | None = None) -> str:
    return fmt(
        '<!doctype html><html lang="zh-CN"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width,initial-scale=1">'
        "<title>{title}</title><style>{css}</style></head><body>{header}<main>{body}</main></body></html>",
        title=title,
        css=Safe(CSS),
        header=header or Safe(""),
        body=body,
    )
