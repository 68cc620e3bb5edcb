"""`tongban receipt CASE_NO --format pdf|escpos --out FILE`: an existing case's receipt, rendered to a file.

Kept apart from `receipts.py` (the counter's print service: Qt signals, worker threads, the print queue) so that
the command imports only what its format needs (issue 13): ESC/POS bytes need no Qt at all — the slip is text
commands, Pillow and qrcode for the QR raster, and Qt only to draw a line holding a character no printer font has
(`thermal.text_image`, which then starts an offscreen QGuiApplication itself) — and neither format needs pydantic:
the catalogue (for the item's name, materials and deadlines) comes from `catalogue_cache`, validated once. The
case, its bundle, the clerk's name and the print log come from the store, as for the counter.

Reprint rules apply as at the counter: a document printed on paper before is marked 补打. Every rendering is logged
as a print (`ReceiptRecord`, outbox, audit) like any other.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from app.config import Config
from app.domain.case_number import CaseNumber, parse_case_number
from app.domain.models import Bundle, Case, ReceiptKind, ReceiptOutput, ReceiptRecord, ServiceItem
from app.paths import AppPaths
from app.printing.build import HallContext, documents_for
from app.printing.document import ReceiptDocument

if TYPE_CHECKING:
    from app.domain.catalogue import Catalogue
    from offline_cache import Store

log = logging.getLogger("tongban.printing")

#: Who the print log names for `tongban receipt` (an administrator at the command line, not a clerk).
CLI_STAFF_NO = "cli"
#: Where a downloaded catalogue lives in the data directory (as `CatalogueService` keeps it).
CATALOGUE_DIR, CURRENT_FILE, CACHE_DIR = "catalogue", "current.json", "cache"


class CatalogueLookup(Protocol):
    """What a receipt needs of a catalogue (a `Catalogue`, or the counter's `CatalogueService`)."""

    def get(self, code: str) -> ServiceItem | None: ...

    def bundle(self, code: str) -> Bundle | None: ...


class ReceiptCommandError(Exception):
    """The receipt cannot be written; the message is one line of plain Chinese, `detail` what the log gets."""

    def __init__(self, message: str, *, detail: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.detail = detail


def hall_context(config: Config) -> HallContext:
    return HallContext(
        hall_name=config.hall_name,
        platform_url=config.platform_url,
        address=config.hall_address,
        phone=config.hall_phone,
    )


def printed_kinds(store: Store, case_no: str) -> set[ReceiptKind]:
    """Document kinds of this case that were printed on paper successfully before: printing them again is a 补打.

    A PDF export is not a print of the original (the citizen has no paper yet): the first paper print after it is
    the original, not a 补打."""
    return {
        record.kind
        for record in store.receipts.for_case(case_no)
        if record.success and record.output is not ReceiptOutput.PDF
    }


def clerk_name(store: Store, staff_no: str) -> str:
    """The clerk's name on record ("" when unknown), as `app.services.staff.display_name_of` gives it."""
    member = store.staff.get(staff_no)
    return member.display_name if member is not None else ""


def active_catalogue(data_dir: Path) -> Catalogue:
    """The catalogue the terminal uses: the downloaded one when it is valid, else the shipped seed — read through
    the validated cache. Read-only: a rejected download is left where it is (the terminal sets it aside)."""
    from app.domain.catalogue import CatalogueError
    from app.services.catalogue_cache import load_catalogue
    from resources import resource_path

    folder = data_dir / CATALOGUE_DIR
    current = folder / CURRENT_FILE
    if current.exists():
        try:
            return load_catalogue(current, folder / CACHE_DIR)
        except CatalogueError as exc:
            log.warning("stored catalogue rejected, using the shipped seed for the receipt: %s", exc)
    return load_catalogue(resource_path("catalogue", "seed.json"), folder / CACHE_DIR)


def catalogue_lookup(data_dir: Path) -> CatalogueLookup:
    """`active_catalogue`'s catalogue, decoding from its sound cache only the entries a receipt asks for; read
    whole (and validated, and cached) as `active_catalogue` reads it when there is no such cache."""
    from app.services.catalogue_cache import cached_lookup
    from resources import resource_path

    folder = data_dir / CATALOGUE_DIR
    current = folder / CURRENT_FILE
    source = current if current.exists() else resource_path("catalogue", "seed.json")
    lookup = cached_lookup(source, folder / CACHE_DIR, lambda: active_catalogue(data_dir))
    return lookup if lookup is not None else active_catalogue(data_dir)


def receipt_command(*, config: Config, paths: AppPaths, case_no: str, fmt: str, out: Path) -> int:
    """Render an existing case's receipt(s) to `out` as PDF or ESC/POS bytes; logs the print like any other.

    Returns 0; raises ReceiptCommandError with a one-line Chinese reason (bad number, unknown case, unwritable
    file) otherwise."""
    from app.domain.workdays import load_holiday_calendar
    from offline_cache import StoreError, open_store

    if fmt not in {"pdf", "escpos"}:
        raise ReceiptCommandError(f"未知的格式 {fmt}（应为 pdf 或 escpos）")
    parsed = parse_case_number(case_no)
    if not isinstance(parsed, CaseNumber):
        raise ReceiptCommandError(parsed.message_zh)
    from app.printing.qr import import_qrcode_without_pillow

    # Neither format draws its QR with Pillow (the slip packs the matrix, the A4 page paints it with Qt): load
    # qrcode without it while no other Python thread runs (see the function).
    import_qrcode_without_pillow()
    app = _rendering_app() if fmt == "pdf" else None  # A4 is laid out and painted by Qt; a slip needs no Qt
    try:
        with open_store(paths.database, recover_corrupt=False, integrity_check=False) as store:
            stored = store.cases.get_by_no(parsed.digits)
            if stored is None:  # a 一件事's own number renders the bundle's receipt
                parent = store.bundles.get(parsed.digits)
                stored = store.cases.list_bundle(parent.bundle_id)[0] if parent is not None else None
            if stored is None:
                raise ReceiptCommandError(f"未找到办件 {parsed.grouped}")
            case = stored.case
            catalogue = catalogue_lookup(paths.data_dir)
            now = dt.datetime.now(dt.UTC)
            members = [case]
            if case.bundle_id:  # a 一件事 member: one receipt lists every member of the bundle
                members = [s.case for s in store.cases.list_bundle(case.bundle_id)] or [case]
                docs = [bundle_receipt(members, catalogue=catalogue, config=config, store=store, now=now)]
            else:
                docs = documents_for(
                    case,
                    hall=hall_context(config),
                    item=catalogue.get(case.item_code),
                    calendar=load_holiday_calendar(),
                    now=now,
                    reprinted=printed_kinds(store, case.case_no),
                    clerk_name=clerk_name(store, case.routing.staff_no),
                )
            output = _write(docs, config, fmt, out)
            for doc in docs:
                for member in members:  # the bundle's one receipt is logged for each member case
                    record = ReceiptRecord(
                        record_id=_record_id(),
                        case_no=member.case_no,
                        kind=doc.kind,
                        output=output,
                        staff_no=CLI_STAFF_NO,
                        printed_at=now,
                        reprint=doc.reprint_at is not None,
                    )
                    store.save_receipt(record, actor=CLI_STAFF_NO)
    except OSError as exc:
        raise ReceiptCommandError(f"无法写入 {out}：{exc.strerror or exc}", detail=type(exc).__name__) from exc
    except StoreError as exc:
        raise ReceiptCommandError(str(exc), detail=exc.code) from exc
    finally:
        del app
    log.info("receipt for case %s written as %s (%d document(s))", parsed.digits, fmt, len(docs))
    return 0


def _record_id() -> str:
    """A random (version 4) UUID in its usual text form, as `str(uuid.uuid4())` makes it: the uuid module imports
    `platform` (~3 ms of this command, issue 13)."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40  # version 4
    raw[8] = raw[8] & 0x3F | 0x80  # RFC 4122 variant
    digits = raw.hex()
    return f"{digits[:8]}-{digits[8:12]}-{digits[12:16]}-{digits[16:20]}-{digits[20:]}"


def _rendering_app() -> object:
    """The QGuiApplication Qt's painting needs (offscreen when there is none: the CLI has no window), with the
    shipped receipt font registered."""
    from app.printing.fonts import ensure_receipt_fonts, rendering_app

    app = rendering_app()
    ensure_receipt_fonts()
    return app


def bundle_receipt(
    members: Sequence[Case], *, catalogue: CatalogueLookup, config: Config, store: Store, now: dt.datetime
) -> ReceiptDocument:
    """The one 一件事 receipt listing every member case (marked 补打 when it was printed on paper before)."""
    from app.domain.workdays import load_holiday_calendar
    from app.printing.bundle_receipt import build_bundle_receipt

    first = members[0]
    bundle = catalogue.bundle((first.bundle_id or "").rsplit("-", 1)[0])
    parent = store.bundles.of_bundle(first.bundle_id)
    return build_bundle_receipt(
        members,
        bundle_name=bundle.name if bundle is not None else "一件事",
        items={m.item_code: catalogue.get(m.item_code) for m in members},
        shared={pair: s.name for s in (bundle.shared_materials if bundle else ()) for pair in s.covers},
        hall=hall_context(config),
        calendar=load_holiday_calendar(),
        now=now,
        reprint=ReceiptKind.INTAKE_RECEIPT in printed_kinds(store, first.case_no),
        clerk_name=clerk_name(store, first.routing.staff_no),
        parent_case_no=parent.case_no if parent is not None else "",
    )


def _write(docs: Sequence[ReceiptDocument], config: Config, fmt: str, out: Path) -> ReceiptOutput:
    if fmt == "pdf":
        from app.printing.pdf import write_pdf

        write_pdf(docs, out)
        return ReceiptOutput.PDF
    from app.printing.thermal import render_escpos, thermal_profile

    data = render_escpos(docs, thermal_profile(config.printer.profile, config.printer.paper_width_mm))
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_bytes(data)
    return ReceiptOutput.THERMAL
