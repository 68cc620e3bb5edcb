"""日结 (daily report): cases by item, receipts, ratings by level, 好评率, 未评价, 差评 with reasons, unsynced records.

One `DailyReport` value is built from the store and rendered three ways: on screen (ui/pages/daily_report.py),
as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese) and as an A4 PDF painted with the shipped font
through Qt's PDF writer, as receipts are. The citizen's free text is data: the CSV neutralises cells that a
spreadsheet would run as a formula, the PDF escapes markup, so `<script>` or `=HYPERLINK(…)` prints as typed.

Signals (ReportService):
    report_exported(path: str, fmt: str): a report file was written.
"""

from __future__ import annotations

import csv
import datetime as dt
import html
import io
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QMarginsF, QObject, Signal
from PySide6.QtGui import QFont, QPageLayout, QPageSize, QPdfWriter, QTextDocument

from app.config import Config, PrinterConfig, PrinterKind
from app.domain import hall_time
from app.domain.models import RATING_LABELS, RatingLevel
from app.paths import AppPaths
from app.printing.fonts import FONT_FAMILY, ensure_receipt_fonts
from app.services.errors import UserFacingError
from offline_cache import Store, StoreError
from offline_cache.daily_figures import (
    BadRating,
    CaseTrips,
    ItemCount,
    read_assists_by_item,
    read_case_trips,
    read_daily_figures,
)

log = logging.getLogger("tongban.report")

Clock = Callable[[], dt.datetime]
FORMATS = ("csv", "pdf")
KIND_NAMES = {"case": "办件", "receipt": "回执", "rating": "评价", "event": "事件"}
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _utc_now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


@dataclass(frozen=True, slots=True)
class SiJianRow:
    """四减 figures of one item for the day (issue 18; definitions in docs/intake.md "四减 in the 日结")."""

    item_code: str
    item_name: str
    cases: int = 0  # received cases (不予收件 left out)
    licence_materials: int = 0  # 减材料: materials not collected thanks to an electronic licence
    shared_materials: int = 0  # 减材料: materials not collected again thanks to a 一件事's shared document
    mail_trips: int = 0  # 减跑动: results mailed (or sent as an e-licence) instead of picked up
    forwarded_trips: int = 0  # 减跑动: 收受分离, received here and forwarded to another district's department
    promised_days: int = 0  # 减时间: the items' promised working days, summed over the cases
    legal_days: int = 0  # … against their legal working days
    assisted_online: int = 0  # 网上办: online filings a clerk helped submit

    @property
    def materials_saved(self) -> int:
        return self.licence_materials + self.shared_materials

    @property
    def trips_saved(self) -> int:
        return self.mail_trips + self.forwarded_trips

    @property
    def days_saved(self) -> int:
        return self.legal_days - self.promised_days


SIJIAN_COLUMNS = (
    "事项编码",
    "事项名称",
    "收件",
    "电子证照免交",
    "一件事共享免交",
    "邮寄送达",
    "收受分离转办",
    "承诺时限合计",
    "法定时限合计",
    "压缩工作日",
    "帮办网上提交",
)


def sijian_values(row: SiJianRow) -> tuple[object, ...]:
    return (
        row.item_code,
        row.item_name,
        row.cases,
        row.licence_materials,
        row.shared_materials,
        row.mail_trips,
        row.forwarded_trips,
        row.promised_days,
        row.legal_days,
        row.days_saved,
        row.assisted_online,
    )


def sijian_rows(
    cases: tuple[CaseTrips, ...], assists: dict[str, tuple[str, int]], item_lookup: Callable[[str], object] | None
) -> tuple[SiJianRow, ...]:
    """Per item, in item-code order. A 一件事's shared document counts once: every later member case of the same
    bundle that received a material of the same name did not collect it again."""
    rows: dict[str, dict[str, object]] = {}
    seen: set[tuple[str, str]] = set()

    def row(code: str, name: str) -> dict[str, object]:
        return rows.setdefault(code, {"item_code": code, "item_name": name})

    def add(r: dict[str, object], key: str, n: int) -> None:
        r[key] = int(r.get(key, 0)) + n  # type: ignore[call-overload]

    for case in cases:
        r = row(case.item_code, case.item_name)
        add(r, "cases", 1)
        add(r, "licence_materials", case.licence_materials)
        if case.bundle_id is not None:
            for name in case.received_names:
                if (case.bundle_id, name) in seen:
                    add(r, "shared_materials", 1)
                seen.add((case.bundle_id, name))
        add(r, "mail_trips", int(case.delivery_method in ("mail", "e_licence")))
        add(r, "forwarded_trips", int(case.jurisdiction != case.division))
        item = item_lookup(case.item_code) if item_lookup is not None else None
        if item is not None:
            add(r, "promised_days", int(getattr(item, "promised_days", 0)))
            add(r, "legal_days", int(getattr(item, "legal_days", 0)))
    for code, (name, count) in assists.items():
        add(row(code, name), "assisted_online", count)
    return tuple(SiJianRow(**r) for _code, r in sorted(rows.items()))  # type: ignore[arg-type]


_SIJIAN_COUNTS = tuple(f for f in SiJianRow.__dataclass_fields__ if f not in ("item_code", "item_name"))


def sijian_total(rows: tuple[SiJianRow, ...]) -> SiJianRow:
    return SiJianRow(
        "合计",
        "",
        *(
            sum(getattr(r, f) for r in rows)
            for f in SiJianRow.__dataclass_fields__
            if f not in ("item_code", "item_name")
        ),
    )


@dataclass(frozen=True, slots=True)
class DailyReport:
    day: dt.date
    hall_name: str
    window: str
    terminal: str  # division-hall-terminal
    generated_at: dt.datetime  # local time
    items: tuple[ItemCount, ...]
    receipts_printed: int
    receipts_reprinted: int
    receipts_failed: int
    ratings_by_level: dict[RatingLevel, int]
    unrated: int
    bad_ratings: tuple[BadRating, ...]
    unsynced_by_kind: dict[str, int]
    dead_by_kind: dict[str, int]
    pending_requests: int
    sijian: tuple[SiJianRow, ...] = ()

    @property
    def cases_received(self) -> int:
        return sum(item.received for item in self.items)

    @property
    def cases_refused(self) -> int:
        return sum(item.refused for item in self.items)

    @property
    def rated(self) -> int:
        return sum(self.ratings_by_level.values())

    @property
    def good(self) -> int:
        return sum(n for level, n in self.ratings_by_level.items() if level.is_good)

    @property
    def good_rate(self) -> str:
        """好评率 over the ratings given (未评价 excluded), one decimal, or "—" when nothing was rated."""
        if not self.rated:
            return "—"
        return f"{100 * self.good / self.rated:.1f}%"

    @property
    def unsynced(self) -> int:
        return sum(self.unsynced_by_kind.values())


def day_bounds(day: dt.date, tz: dt.tzinfo | None = None) -> tuple[dt.datetime, dt.datetime]:
    """The hall's day as an aware [start, end) range (the hall time zone unless `tz` is given; never the PC's)."""
    return hall_time.day_bounds(day, tz)


def build_daily_report(
    store: Store,
    config: Config,
    day: dt.date,
    *,
    now: dt.datetime,
    tz: dt.tzinfo | None = None,
    item_lookup: Callable[[str], object] | None = None,
) -> DailyReport:
    """`item_lookup` (the catalogue's `get`) gives the items' promised and legal days for the 四减 figures."""
    start, end = day_bounds(day, tz)
    raw = read_daily_figures(store, start, end)
    sijian = sijian_rows(read_case_trips(store, start, end), read_assists_by_item(store, start, end), item_lookup)
    return DailyReport(
        day=day,
        hall_name=config.hall_name,
        window=config.window,
        terminal=f"{config.division}-{config.hall_code}-{config.terminal_code}",
        generated_at=hall_time.local(now, tz),
        items=raw.items,
        receipts_printed=raw.receipts_printed,
        receipts_reprinted=raw.receipts_reprinted,
        receipts_failed=raw.receipts_failed,
        ratings_by_level=raw.ratings_by_level,
        unrated=raw.unrated,
        bad_ratings=raw.bad_ratings,
        unsynced_by_kind=raw.unsynced_by_kind,
        dead_by_kind=raw.dead_by_kind,
        pending_requests=raw.pending_requests,
        sijian=sijian,
    )


# --- CSV ---------------------------------------------------------------------------------------------------

CSV_HEADER = ("部分", "代码", "名称", "数量", "比率", "详情")


def _cell(value: object) -> str:
    """A CSV cell that a spreadsheet shows as text, never runs as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def report_rows(report: DailyReport) -> list[tuple[str, ...]]:
    """The report as rectangular rows (CSV_HEADER's columns)."""
    rows: list[tuple[object, ...]] = [
        ("日结", "", report.hall_name, "", "", f"{report.day:%Y-%m-%d} 窗口{report.window} 终端{report.terminal}"),
        ("办件", "", "收件合计", report.cases_received, "", ""),
        ("办件", "", "不予收件合计", report.cases_refused, "", ""),
    ]
    rows += [("办件", i.item_code, i.item_name, i.received, "", f"不予收件 {i.refused}") for i in report.items]
    rows += [
        ("回执", "", "打印成功", report.receipts_printed, "", f"其中补打 {report.receipts_reprinted}"),
        ("回执", "", "打印失败", report.receipts_failed, "", ""),
    ]
    rows += [
        ("评价", str(int(level)), RATING_LABELS[level], report.ratings_by_level.get(level, 0), "", "")
        for level in sorted(RatingLevel, reverse=True)
    ]
    rows += [
        ("评价", "", "已评价合计", report.rated, report.good_rate, "比率为好评率（非常满意与满意）"),
        ("评价", "", "未评价", report.unrated, "", ""),
        ("评价", "", "待评价", report.pending_requests, "", ""),
    ]
    for bad in report.bad_ratings:
        detail = "；".join(bad.reasons)
        if bad.text:
            detail += f"；留言：{bad.text}"
        if bad.callback_consent:
            detail += "；同意回访"
        rows.append(("差评", bad.case_no or "咨询", RATING_LABELS[bad.level], 1, "", detail))
    # 四减: one row per item and figure (数量 holds the figure, 详情 names it), then the day's totals.
    for r in (*report.sijian, sijian_total(report.sijian)) if report.sijian else ():
        values = sijian_values(r)
        figures = zip(SIJIAN_COLUMNS[2:], values[2:], strict=True)
        rows += [("四减", r.item_code, r.item_name, v, "", label) for label, v in figures]
    rows += [("未同步", kind, KIND_NAMES.get(kind, kind), n, "", "") for kind, n in report.unsynced_by_kind.items()]
    rows += [
        ("同步失败", kind, KIND_NAMES.get(kind, kind), n, "", "需管理员处理") for kind, n in report.dead_by_kind.items()
    ]
    return [tuple(_cell(value) for value in row) for row in rows]


def report_csv(report: DailyReport) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    writer.writerows(report_rows(report))
    return buffer.getvalue()


# --- PDF ---------------------------------------------------------------------------------------------------


def report_html(report: DailyReport) -> str:
    """The report as simple HTML for QTextDocument; every value is escaped."""

    def esc(value: object) -> str:
        return html.escape("" if value is None else str(value))

    def table(columns: tuple[str, ...], rows: list[tuple[object, ...]]) -> str:
        head = "".join(f"<th>{esc(c)}</th>" for c in columns)
        body = "".join("<tr>" + "".join(f"<td>{esc(v)}</td>" for v in row) + "</tr>" for row in rows)
        if not rows:
            body = f"<tr><td colspan='{len(columns)}'>无</td></tr>"
        return f"<table border='1' cellspacing='0' cellpadding='4' width='100%'><tr>{head}</tr>{body}</table>"

    parts = [
        f"<h2 align='center'>{esc(report.hall_name)} 日结报表</h2>",
        f"<p>日期：{report.day:%Y-%m-%d}　窗口：{esc(report.window)}　终端：{esc(report.terminal)}"
        f"　生成时间：{report.generated_at:%Y-%m-%d %H:%M}</p>",
        f"<h3>办件（收件 {report.cases_received} 件，不予收件 {report.cases_refused} 件）</h3>",
        table(
            ("事项编码", "事项名称", "收件", "不予收件"),
            [(i.item_code, i.item_name, i.received, i.refused) for i in report.items],
        ),
        "<h3>回执</h3>",
        f"<p>打印成功 {report.receipts_printed} 份（其中补打 {report.receipts_reprinted} 份），"
        f"打印失败 {report.receipts_failed} 次</p>",
        f"<h3>好差评（已评价 {report.rated} 次，好评率 {esc(report.good_rate)}，未评价 {report.unrated} 次，"
        f"待评价 {report.pending_requests} 次）</h3>",
        table(
            ("等级", "次数"),
            [
                (RATING_LABELS[level], report.ratings_by_level.get(level, 0))
                for level in sorted(RatingLevel, reverse=True)
            ],
        ),
        "<h3>差评明细</h3>",
        table(
            ("时间", "办件编号", "等级", "原因", "留言", "回访"),
            [
                (
                    f"{bad.rated_at.astimezone(report.generated_at.tzinfo):%H:%M}" if bad.rated_at else "",
                    bad.case_no or "咨询",
                    RATING_LABELS[bad.level],
                    "、".join(bad.reasons),
                    bad.text,
                    "同意" if bad.callback_consent else "",
                )
                for bad in report.bad_ratings
            ],
        ),
        "<h3>四减（减材料、减跑动、减时间、网上办）</h3>",
        table(
            SIJIAN_COLUMNS,
            [sijian_values(r) for r in (*report.sijian, sijian_total(report.sijian))] if report.sijian else [],
        ),
        "<h3>未同步记录</h3>",
        table(
            ("类型", "待上传", "同步失败"),
            [
                (KIND_NAMES.get(kind, kind), report.unsynced_by_kind.get(kind, 0), report.dead_by_kind.get(kind, 0))
                for kind in sorted(set(report.unsynced_by_kind) | set(report.dead_by_kind))
            ],
        ),
    ]
    return "".join(parts)


A4_MARGINS_MM = QMarginsF(15, 15, 15, 15)


def _a4_layout() -> QPageLayout:
    return QPageLayout(
        QPageSize(QPageSize.PageSizeId.A4), QPageLayout.Orientation.Portrait, A4_MARGINS_MM, QPageLayout.Unit.Millimeter
    )


def _text_document(report: DailyReport) -> QTextDocument:
    doc = QTextDocument()
    font = QFont(FONT_FAMILY)
    font.setFamilies([FONT_FAMILY])
    font.setPointSize(10)
    doc.setDefaultFont(font)
    doc.setDefaultStyleSheet("th { background-color: #eeeeee; } td, th { white-space: pre-wrap; }")
    doc.setHtml(report_html(report))
    return doc


def report_pdf_bytes(report: DailyReport) -> bytes:
    """An A4 PDF of the report (needs a QGuiApplication; offscreen is fine)."""
    ensure_receipt_fonts()
    data = QByteArray()
    buffer = QBuffer(data)
    buffer.open(QIODevice.OpenModeFlag.WriteOnly)
    writer = QPdfWriter(buffer)
    writer.setResolution(300)
    writer.setCreator("通办终端 Tongban Terminal")
    writer.setTitle(f"日结报表 {report.day:%Y-%m-%d}")
    writer.setPageLayout(_a4_layout())
    _text_document(report).print_(writer)
    del writer  # flushes the PDF trailer into the buffer
    buffer.close()
    return bytes(data.data())


def print_report(report: DailyReport, cfg: PrinterConfig) -> str:
    """Print the report on the configured A4 system printer (receipt printing's backend and timeout).

    Returns the printer's name; raises UserFacingError (no A4 printer configured, printer missing, timeout).
    """
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    from app.printing.backends import PrintError, run_with_timeout

    if cfg.kind is not PrinterKind.SYSTEM:
        raise UserFacingError("未配置A4系统打印机，请导出PDF后打印。")
    ensure_receipt_fonts()
    names: list[str] = []

    def work() -> None:  # on a worker thread: CUPS lookups and spooling block
        info = QPrinterInfo.printerInfo(cfg.system_printer) if cfg.system_printer else QPrinterInfo.defaultPrinter()
        if info.isNull():
            which = f"“{cfg.system_printer}”" if cfg.system_printer else "默认打印机"
            raise PrintError(f"未找到{which}，请检查打印机设置。", "system printer not found")
        printer = QPrinter(info, QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"日结报表 {report.day:%Y-%m-%d}")
        printer.setPageLayout(_a4_layout())
        _text_document(report).print_(printer)
        if printer.printerState() == QPrinter.PrinterState.Error:
            raise PrintError("打印机报告错误，请检查打印机。", "QPrinter state Error")
        names.append(info.printerName())

    try:
        run_with_timeout(work, float(cfg.timeout_seconds), "system printer")
    except PrintError as exc:
        raise UserFacingError(exc.message_zh, detail=str(exc)) from exc
    log.info("daily report for %s spooled to the system printer", report.day.isoformat())
    return names[0]


def write_report(report: DailyReport, fmt: str, out: Path) -> Path:
    """Write the report as `fmt` (csv or pdf) to `out`, atomically. Raises UserFacingError."""
    if fmt not in FORMATS:
        raise UserFacingError(f"未知的格式 {fmt}（应为 csv 或 pdf）")
    data = report_csv(report).encode("utf-8-sig") if fmt == "csv" else report_pdf_bytes(report)
    try:
        out.parent.mkdir(parents=True, exist_ok=True)
        tmp = out.with_name(out.name + ".part")
        tmp.write_bytes(data)
        tmp.replace(out)
    except OSError as exc:
        raise UserFacingError(f"无法写入 {out}：{exc.strerror or exc}", detail=type(exc).__name__) from exc
    log.info("daily report for %s written as %s", report.day.isoformat(), fmt)
    return out


class ReportService(QObject):
    """The daily report for the clerk's screen and for export."""

    report_exported = Signal(str, str)

    def __init__(
        self,
        *,
        store: Store,
        config: Config,
        clock: Clock = _utc_now,
        item_lookup: Callable[[str], object] | None = None,
        parent: QObject | None = None,
    ) -> None:
        """`item_lookup`: the catalogue's `get`, for the items' promised and legal days in the 四减 figures."""
        super().__init__(parent)
        self._store = store
        self._config = config
        self._clock = clock
        self._item_lookup = item_lookup

    def use_config(self, config: Config) -> None:
        """Use a new configuration from now on (e.g. the identity assigned at enrolment)."""
        self._config = config

    def today(self) -> dt.date:
        """The hall's today (its time zone, not the PC's)."""
        return hall_time.today(self._clock())

    def report(self, *, day: dt.date) -> DailyReport:
        """Raises UserFacingError when the store cannot be read."""
        try:
            return build_daily_report(self._store, self._config, day, now=self._clock(), item_lookup=self._item_lookup)
        except StoreError as exc:
            raise UserFacingError(str(exc), detail=exc.code) from exc

    def print(self, *, day: dt.date) -> str:
        """Print the day's report on the A4 system printer; returns its name. Raises UserFacingError."""
        return print_report(self.report(day=day), self._config.printer)

    def export(self, *, day: dt.date, fmt: str, out: Path) -> Path:
        path = write_report(self.report(day=day), fmt, out)
        self.report_exported.emit(str(path), fmt)
        return path


def _qt_app() -> object:
    """A QGuiApplication for painting the PDF (offscreen when none exists: the CLI has no window)."""
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance()
    if app is None:
        app = QGuiApplication([sys.argv[0] if sys.argv else "tongban", "-platform", "offscreen"])
    return app


def report_command(*, config: Config, paths: AppPaths, date: str, fmt: str, out: Path | str) -> int:
    """`tongban report --date D --format csv|pdf --out FILE`. Returns 0; raises UserFacingError (one line)."""
    from offline_cache import open_store

    try:
        day = dt.date.fromisoformat(date)
    except ValueError as exc:
        raise UserFacingError(f"日期格式有误：{date}（应为 YYYY-MM-DD）") from exc
    if fmt not in FORMATS:
        raise UserFacingError(f"未知的格式 {fmt}（应为 csv 或 pdf）")
    from app.services.catalogue import CatalogueService

    app = _qt_app() if fmt == "pdf" else None
    try:
        items = CatalogueService(paths.data_dir)
        with open_store(paths.database, integrity_check=False, recover_corrupt=False) as store:
            report = build_daily_report(store, config, day, now=_utc_now(), item_lookup=items.get)
        write_report(report, fmt, Path(out))
    except StoreError as exc:
        raise UserFacingError(str(exc), detail=exc.code) from exc
    finally:
        del app
    return 0
