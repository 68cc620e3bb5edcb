"""`tongban-central`: run the reference platform and administer it.

    tongban-central [--db URL] serve [--host H] [--port P]
    tongban-central [--db URL] migrate
    tongban-central [--db URL] enrol --hall H --window W [--division D] [--terminal T]
    tongban-central [--db URL] devices list [--json] | devices revoke DEVICE_ID
    tongban-central [--db URL] catalogue import FILE
    tongban-central [--db URL] case set-status CASE_NO STATUS [--note TEXT]
    tongban-central [--db URL] admin-password        (new password on stdin)
    tongban-central [--db URL] prune-changes --days N
    tongban-central [--db URL] mark-restored         (after restoring the database from a backup)

`--db` takes a SQLAlchemy URL (`sqlite:///path.db`, `postgresql+psycopg://...`) or a file path; default
`$TB_CENTRAL_DB`, else `tongban-central.db` in the current directory. Exit 0 on success, non-zero with a one-line
reason on stderr.
"""

from __future__ import annotations

import argparse
import getpass
import json
import logging
import os
import sys
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from central import admin_auth, cases, catalogue, devices, halltime, migrations
from central.db import db_url_from, open_engine

log = logging.getLogger("tongban.central")


def _db_option(parser: argparse.ArgumentParser) -> None:
    """`--db` is accepted before or after any (sub)command; an absent one never overwrites a given one."""
    parser.add_argument("--db", dest="db_sub", default=argparse.SUPPRESS, help=argparse.SUPPRESS)


def _hall_options(serve: argparse.ArgumentParser) -> None:
    """The halls' clock and phones for the pages (issue 21)."""
    serve.add_argument(
        "--hall-timezone",
        default=os.environ.get(halltime.ENV_ZONE, "") or halltime.DEFAULT_ZONE,
        help=f"IANA time zone of the halls; every time a page shows is on this clock, stored times stay UTC "
        f"(default ${halltime.ENV_ZONE}, else {halltime.DEFAULT_ZONE})",
    )
    serve.add_argument(
        "--hall-phones",
        default=os.environ.get("TB_CENTRAL_HALL_PHONES", ""),
        help="phones shown on the citizen's progress page: comma-separated HALLKEY=PHONE (8-digit division+hall, "
        "or * for any hall), e.g. 21080001=0417-2825800,*=12345 (default $TB_CENTRAL_HALL_PHONES, else 12345)",
    )


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="tongban-central", description="Tongban reference central platform")
    parser.add_argument("--db", help="database URL or SQLite file path (default $TB_CENTRAL_DB)")
    sub = parser.add_subparsers(dest="command", required=True)

    serve = sub.add_parser("serve", help="run the HTTP API")
    _db_option(serve)
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8700)
    serve.add_argument("--no-migrate", action="store_true", help="refuse to start on an outdated schema")
    serve.add_argument("--log-level", default="info", choices=["debug", "info", "warning", "error"])
    serve.add_argument(
        "--trusted-proxies",
        default=os.environ.get("TB_CENTRAL_TRUSTED_PROXIES", ""),
        help="comma-separated addresses or networks of reverse proxies whose X-Forwarded-For is believed "
        "(default $TB_CENTRAL_TRUSTED_PROXIES, else none: the connecting address is the client)",
    )

    _hall_options(serve)

    migrate = sub.add_parser("migrate", help="create or upgrade the database schema")
    _db_option(migrate)

    enrol = sub.add_parser("enrol", help="print a one-time enrolment code (valid 24 h)")
    _db_option(enrol)
    enrol.add_argument("--hall", required=True, help="2-digit hall code, or 8 digits division+hall")
    enrol.add_argument("--window", required=True)
    enrol.add_argument("--division", default=devices.DEFAULT_DIVISION)
    enrol.add_argument("--terminal", help="3-digit terminal code (default: the next free one in the hall)")
    enrol.add_argument("--json", action="store_true")

    devs = sub.add_parser("devices", help="list or revoke devices")
    _db_option(devs)
    devs_sub = devs.add_subparsers(dest="devices_command", required=True)
    devs_list = devs_sub.add_parser("list")
    _db_option(devs_list)
    devs_list.add_argument("--json", action="store_true")
    devs_revoke = devs_sub.add_parser("revoke")
    _db_option(devs_revoke)
    devs_revoke.add_argument("device_id")

    cat = sub.add_parser("catalogue", help="import the service-item catalogue")
    _db_option(cat)
    cat_sub = cat.add_subparsers(dest="catalogue_command", required=True)
    cat_import = cat_sub.add_parser("import")
    _db_option(cat_import)
    cat_import.add_argument("file", type=Path)

    prune = sub.add_parser("prune-changes", help="drop update-feed entries older than N days (old cursors get 410)")
    _db_option(prune)
    prune.add_argument("--days", type=int, required=True)

    restored = sub.add_parser(
        "mark-restored", help="after restoring the database from a backup: new instance id, terminals reconcile"
    )
    _db_option(restored)

    admin = sub.add_parser("admin-password", help="set the supervisor page's password (read from stdin)")
    _db_option(admin)

    _licence_parser(sub)
    _case_parser(sub)
    return parser


def _case_parser(sub: Any) -> None:
    case = sub.add_parser("case", help="set a case's status (pilots without an approval system)")
    _db_option(case)
    case_sub = case.add_subparsers(dest="case_command", required=True)
    set_status = case_sub.add_parser("set-status")
    _db_option(set_status)
    set_status.add_argument("case_no")
    set_status.add_argument("status", choices=cases.PLATFORM_STATES)
    set_status.add_argument("--note", default="")


def _licence_parser(sub: Any) -> None:
    lic = sub.add_parser("licences", help="electronic licence library: load sample data, read the access audit")
    _db_option(lic)
    lic_sub = lic.add_subparsers(dest="licences_command", required=True)
    lic_load = lic_sub.add_parser("load", help="load licences from a JSON file (validated; replaces by number)")
    _db_option(lic_load)
    lic_load.add_argument("file", type=Path)
    lic_audit = lic_sub.add_parser("audit", help="the latest licence accesses")
    _db_option(lic_audit)
    lic_audit.add_argument("--limit", type=int, default=50)
    lic_audit.add_argument("--json", action="store_true")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    logging.basicConfig(
        level=logging.INFO if args.command == "serve" else logging.WARNING,
        format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        stream=sys.stderr,
    )
    url = db_url_from(getattr(args, "db_sub", None) or args.db)
    try:
        engine = open_engine(url)
    except Exception as exc:
        return _fail(f"cannot open database: {exc}")
    try:
        return _run(args, engine)
    except migrations.SchemaTooNewError as exc:
        return _fail(str(exc))
    finally:
        engine.dispose()


def _fail(message: str) -> int:
    print(f"tongban-central: {message}", file=sys.stderr)
    return 1


def _run(args: argparse.Namespace, engine: Engine) -> int:
    if args.command == "serve":
        return _serve(args, engine)
    if args.command == "migrate":
        applied = migrations.migrate(engine)
        print(f"schema at version {migrations.LATEST}" + (f" (applied {applied})" if applied else ""))
        return 0
    if migrations.current_version(engine) < migrations.LATEST:
        migrations.migrate(engine)
    handlers = {
        "enrol": _enrol,
        "devices": _devices,
        "catalogue": _catalogue,
        "prune-changes": _prune,
        "admin-password": _admin_password,
        "case": _case,
        "mark-restored": _mark_restored,
        "licences": _licences,
    }
    handler = handlers.get(args.command)
    return handler(args, engine) if handler else _fail(f"unknown command {args.command}")


def _mark_restored(_args: argparse.Namespace, engine: Engine) -> int:
    from central import reconcile

    print(f"platform instance id is now {reconcile.new_instance_id(engine)}; terminals reconcile at their next sync")
    return 0


def _catalogue(args: argparse.Namespace, engine: Engine) -> int:
    try:
        data = args.file.read_bytes()
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    try:
        etag, count = catalogue.import_catalogue(engine, data)
    except catalogue.CatalogueInvalidError as exc:
        return _fail(f"catalogue rejected: {exc}")
    print(f"imported {count} items, ETag {etag}")
    return 0


def _licences(args: argparse.Namespace, engine: Engine) -> int:
    from central import licences

    if args.licences_command == "audit":
        rows = licences.recent_access(engine, max(1, args.limit))
        if args.json:
            print(json.dumps(rows, ensure_ascii=False))
        for row in [] if args.json else rows:
            print(
                f"{row['at']}  {row['terminal_key']} window {row['window']} staff {row['staff_no']}  "
                f"case {row['case_ref']}  {row['action']} {row['licence_type'] or ''} -> {row['outcome']}"
            )
        return 0
    base = args.file.parent
    media = {".svg": "image/svg+xml", ".png": "image/png", ".jpg": "image/jpeg", ".jpeg": "image/jpeg"}
    media[".pdf"] = "application/pdf"

    def read_file(name: str) -> tuple[bytes, str]:
        path = (base / name).resolve()
        try:
            return path.read_bytes(), media.get(path.suffix.lower(), "")
        except OSError as exc:
            raise licences.LicenceError("bad_field", "image_file", f"cannot read {name}: {exc.strerror}") from None

    try:
        data = json.loads(args.file.read_text(encoding="utf-8"))
    except OSError as exc:
        return _fail(f"cannot read {args.file}: {exc.strerror}")
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return _fail(f"{args.file} is not JSON: {exc}")
    try:
        entries = licences.parse_entries(data, read_file=read_file)
    except licences.LicenceError as exc:
        return _fail(f"licences rejected: {exc.message}")
    added, replaced = licences.load(engine, entries)
    print(f"loaded {len(entries)} licences ({added} added, {replaced} replaced)")
    return 0


def _prune(args: argparse.Namespace, engine: Engine) -> int:
    if args.days < 1:
        return _fail("--days must be at least 1")
    print(f"pruned {cases.prune_changes_older_than(engine, args.days)} change-log entries")
    return 0


def _admin_password(_args: argparse.Namespace, engine: Engine) -> int:
    password = (sys.stdin.readline() if not sys.stdin.isatty() else getpass.getpass("new password: ")).strip()
    try:
        admin_auth.set_password(engine, password)
    except ValueError as exc:
        return _fail(str(exc))
    print("supervisor password set")
    return 0


def _case(args: argparse.Namespace, engine: Engine) -> int:
    try:
        seq = cases.set_status(engine, args.case_no, args.status, args.note)
    except cases.UnknownCaseError:
        return _fail(f"unknown case {args.case_no}")
    print(f"case {args.case_no} is now {args.status} (change {seq})")
    return 0


def _hall_phones(text: str) -> dict[str, str]:
    """`21080001=0417-2825800,*=12345` -> {"21080001": "0417-2825800", "*": "12345"}."""
    phones: dict[str, str] = {}
    for item in filter(None, (part.strip() for part in text.split(","))):
        key, sep, phone = item.partition("=")
        key, phone = key.strip(), phone.strip()
        if not sep or not phone or not (key == "*" or (key.isdigit() and len(key) == 8)):
            raise ValueError(f"--hall-phones: {item!r} is not HALLKEY=PHONE (8-digit division+hall, or *)")
        if not all(ch.isdigit() or ch in "-+ " for ch in phone):
            raise ValueError(f"--hall-phones: {phone!r} is not a phone number")
        phones[key] = phone
    return phones


def _serve(args: argparse.Namespace, engine: Engine) -> int:
    import uvicorn

    from central.api import create_app

    version = migrations.current_version(engine)
    if version < migrations.LATEST:
        if args.no_migrate:
            return _fail(f"database schema {version} is older than {migrations.LATEST}; run `migrate`")
        migrations.migrate(engine)
    elif version > migrations.LATEST:
        return _fail(f"database schema {version} is newer than this server knows ({migrations.LATEST})")
    try:
        hall_time = halltime.HallTime(halltime.load_zone(args.hall_timezone))
        phones = _hall_phones(args.hall_phones)
    except ValueError as exc:
        return _fail(str(exc))
    app = create_app(engine, hall_time=hall_time, hall_phones=phones)
    log.info("serving on http://%s:%d", args.host, args.port)
    if not admin_auth.has_password(engine):
        # Printed, not logged: the link sets the password once and must not end up in log files.
        token = admin_auth.new_setup_token(engine)
        print(
            f"tongban-central: no supervisor password yet; set it once at "
            f"http://{args.host}:{args.port}/admin/setup?token={token} (or run `admin-password`)",
            file=sys.stderr,
            flush=True,
        )
    # Forwarded headers only from configured proxies (uvicorn would otherwise believe any loopback client).
    trusted = ",".join(p.strip() for p in args.trusted_proxies.split(",") if p.strip())
    uvicorn.run(
        app,
        host=args.host,
        port=args.port,
        log_level=args.log_level,
        access_log=False,
        proxy_headers=bool(trusted),
        forwarded_allow_ips=trusted or None,
    )
    return 0


def _enrol(args: argparse.Namespace, engine: Engine) -> int:
    division, hall = args.division, args.hall
    if len(hall) == 8 and hall.isdigit():
        division, hall = hall[:6], hall[6:]
    try:
        code = devices.create_enrol_code(
            engine, division=division, hall=hall, window=args.window, terminal=args.terminal
        )
    except ValueError as exc:
        return _fail(str(exc))
    if args.json:
        print(json.dumps(code.__dict__))
    else:
        print(code.code)
        print(
            f"terminal {code.division}-{code.hall}-{code.terminal}, window {code.window}, "
            f"valid until {code.expires_at}",
            file=sys.stderr,
        )
    return 0


def _devices(args: argparse.Namespace, engine: Engine) -> int:
    if args.devices_command == "list":
        rows = devices.list_devices(engine)
        if args.json:
            print(json.dumps(rows, ensure_ascii=False))
            return 0
        for row in rows:
            state = f"revoked {row['revoked_at']}" if row["revoked_at"] else "active"
            print(
                f"{row['device_id']}  {row['division']}-{row['hall']}-{row['terminal']}  window {row['window']}  "
                f"last seen {row['last_seen_at'] or 'never'}  {state}"
            )
        return 0
    if not devices.revoke(engine, args.device_id):
        return _fail(f"no active device {args.device_id}")
    print(f"revoked {args.device_id}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
