"""Central internals on a real SQLite file: migrations, updates and pruning, catalogue checks, faults, limits."""

from __future__ import annotations

import datetime as dt
import json
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import Engine

from central import cases, catalogue, faults, migrations, ratings, reports
from central.auth import Device, canonical_query, signing_string
from central.db import db_url_from, open_engine
from central.ingest import ingest_batch
from central.ratelimit import RateLimiter
from tests.integration.central.helpers import REPO, Credentials, case_record
from tests.integration.central.helpers import signing_string as independent_signing_string

DEVICE = Device("dev-1", "210800", "01", "1", "001", "key-1", signed_with_pending=False)
CREDS = Credentials("dev-1", "key-1", "00" * 32, "001", "210800", "01")


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    eng = open_engine(f"sqlite:///{tmp_path / 'c.db'}")
    migrations.migrate(eng)
    yield eng
    eng.dispose()


def test_migrate_is_idempotent_and_sets_wal_and_full(engine: Engine, tmp_path: Path) -> None:
    assert migrations.current_version(engine) == migrations.LATEST
    assert migrations.migrate(engine) == []
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_a_database_from_a_newer_server_is_refused(engine: Engine, tmp_path: Path) -> None:
    conn = sqlite3.connect(tmp_path / "c.db")
    conn.execute("INSERT INTO schema_version VALUES (99, '2030-01-01T00:00:00+00:00', 'future')")
    conn.commit()
    conn.close()
    with pytest.raises(migrations.SchemaTooNewError):
        migrations.migrate(engine)


def test_db_option_accepts_a_path_or_a_url(tmp_path: Path) -> None:
    assert db_url_from(str(tmp_path / "x.db")) == f"sqlite:///{tmp_path / 'x.db'}"
    assert db_url_from("postgresql+psycopg://u@h/db") == "postgresql+psycopg://u@h/db"


def test_updates_page_by_cursor_and_410_after_pruning(engine: Engine) -> None:
    records = [case_record(CREDS, seq) for seq in range(1, 6)]
    assert {r.status for r in ingest_batch(engine, DEVICE, records)} == {"accepted"}
    first = cases.updates(engine, "21080001", 0, 2)
    assert [c["seq"] for c in first["changes"]] == [1, 2] and first["has_more"]
    second = cases.updates(engine, "21080001", int(first["next_cursor"]), 10)
    assert [c["seq"] for c in second["changes"]] == [3, 4, 5] and not second["has_more"]
    assert cases.updates(engine, "21080002", 0, 10)["changes"] == []
    assert cases.prune_changes(engine, keep_after_seq=3) == 3
    with pytest.raises(cases.CursorGoneError):
        cases.updates(engine, "21080001", 2, 10)
    assert [c["seq"] for c in cases.updates(engine, "21080001", 3, 10)["changes"]] == [4, 5]


def test_set_status_only_to_platform_states_of_known_cases(engine: Engine) -> None:
    record = case_record(CREDS, 1)
    ingest_batch(engine, DEVICE, [record])
    case_no = record["body"]["case_no"]
    with pytest.raises(ValueError, match="status must be one of"):
        cases.set_status(engine, case_no, "received")
    with pytest.raises(cases.UnknownCaseError):
        cases.set_status(engine, "0" * 26, "accepted")
    cases.set_status(engine, case_no, "supplement", "缺少户口簿")
    status = cases.case_status(engine, case_no)
    assert status is not None
    assert [h["status"] for h in status["history"]] == ["received", "forwarded", "supplement"]


def test_seed_catalogue_passes_and_errors_name_item_and_field() -> None:
    seed = (REPO / "resources" / "catalogue" / "seed.json").read_bytes()
    assert catalogue.validate_catalogue(seed) >= 40
    doc = json.loads(seed)
    doc["items"][3]["promised_days"] = -1
    with pytest.raises(catalogue.CatalogueInvalidError, match=r"item 3 \(.*\): field 'promised_days'"):
        catalogue.validate_catalogue(json.dumps(doc).encode())
    doc["items"][3]["promised_days"] = 1
    doc["items"][4]["code"] = doc["items"][0]["code"]
    with pytest.raises(catalogue.CatalogueInvalidError, match="duplicate code"):
        catalogue.validate_catalogue(json.dumps(doc).encode())
    for bad in (b"", b"[]", b'{"items": []}', b"\xff", b"[" * 5000 + b"]" * 5000):
        with pytest.raises(catalogue.CatalogueInvalidError):
            catalogue.validate_catalogue(bad)


def test_etag_matching() -> None:
    assert catalogue.etag_matches('"abc"', '"abc"')
    assert catalogue.etag_matches('W/"abc", "x"', '"abc"')
    assert catalogue.etag_matches("*", '"abc"')
    assert not catalogue.etag_matches('"abd"', '"abc"') and not catalogue.etag_matches(None, '"abc"')


def test_signing_string_matches_an_independent_implementation() -> None:
    assert canonical_query("limit=5&cursor=10") == "cursor=10&limit=5"
    assert canonical_query("") == ""
    ours = signing_string(
        device="d",
        key_id="k",
        timestamp="1",
        nonce="n",
        method="get",
        path="/api/v1/updates",
        query="limit=5&cursor=1",
        body=b"",
    )
    theirs = independent_signing_string(
        device="d",
        key_id="k",
        ts="1",
        nonce="n",
        method="GET",
        url="http://h/api/v1/updates?limit=5&cursor=1",
        body=b"",
    )
    assert ours == theirs
    assert ours.endswith(b"\ne3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")


def test_fault_spec_parsing() -> None:
    parsed = faults.parse("exit_after_commit, status:429:ra=7:n=3, crash_on:abc, reject:def, sleep_after_commit:2")
    assert parsed.exit_after_commit and parsed.sleep_after_commit == 2
    assert parsed.status == faults.StatusFault(429, 7, 3)
    assert parsed.crash_on == {"abc"} and parsed.reject == {"def"}
    assert not faults.parse("").active
    with pytest.raises(ValueError, match="unknown fault"):
        faults.parse("explode")
    source = faults.FaultSource({"TB_FAULT": "status:503:n=1"})
    assert source.take_status() is not None and source.take_status() is None


def test_rate_limiter_refills_over_time() -> None:
    now = [0.0]
    limiter = RateLimiter(rate_per_s=2, burst=3, clock=lambda: now[0])
    assert [limiter.take("a") for _ in range(3)] == [None, None, None]
    assert limiter.take("a") == 1
    assert limiter.take("b") is None  # per device
    now[0] += 0.5
    assert limiter.take("a") is None


def test_rating_lists_match_the_domain() -> None:
    from app.domain.models import RATING_LABELS, RATING_REASONS, RATING_TAGS

    assert ratings.REASONS == RATING_REASONS and ratings.TAGS == RATING_TAGS
    assert {int(level): label for level, label in RATING_LABELS.items()} == ratings.LEVEL_LABELS


def test_follow_up_deadlines_skip_weekends_and_overdue_rules() -> None:
    friday = dt.date(2026, 11, 27)
    assert ratings.add_working_days(friday, 1) == dt.date(2026, 11, 30)
    assert ratings.add_working_days(friday, 15) == dt.date(2026, 12, 18)
    # Across the 2026 Spring Festival (holiday 02-15..02-23, make-up working days Sat 02-14 and Sat 02-28): the same
    # table and loader as the terminal's (resources/holidays/cn.json via app.domain.workdays).
    before_festival = dt.date(2026, 2, 13)
    assert ratings.add_working_days(before_festival, 1) == dt.date(2026, 2, 14)
    assert ratings.add_working_days(before_festival, 2) == dt.date(2026, 2, 24)
    assert ratings.add_working_days(before_festival, 15) == dt.date(2026, 3, 12)
    from app.domain.workdays import load_holiday_calendar

    assert (
        ratings.add_working_days(before_festival, 15)
        == load_holiday_calendar().add_working_days(before_festival, 15).date
    )
    today = dt.date(2026, 12, 1)
    assert reports.is_overdue("new", "2026-11-30", "2026-12-18", today)
    assert not reports.is_overdue("called_back", "2026-11-30", "2026-12-18", today)
    assert reports.is_overdue("rectified", "2026-11-30", "2026-11-30", today)
    assert not reports.is_overdue("fed_back", "2026-11-01", "2026-11-02", today)


def test_migration_from_version_1_keeps_data(tmp_path: Path) -> None:
    # Today's ingest reads tables of later versions (e.g. schema 6's bundles), so the version-1 rows are written
    # by today's code into a current database and copied, table by table, into a database left at version 1.
    from central.schema import V1_TABLES

    written = open_engine(f"sqlite:///{tmp_path / 'written.db'}")
    try:
        migrations.migrate(written)
        ingest_batch(written, DEVICE, [case_record(CREDS, 1)])
    finally:
        written.dispose()
    eng = open_engine(f"sqlite:///{tmp_path / 'old.db'}")
    try:
        assert migrations.migrate(eng, target=1) == [1]
        with eng.begin() as conn:
            conn.exec_driver_sql(f"ATTACH DATABASE '{tmp_path / 'written.db'}' AS written")
            for table in V1_TABLES:
                if table.name != "schema_version":
                    conn.exec_driver_sql(f"INSERT INTO {table.name} SELECT * FROM written.{table.name}")
        with eng.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM records").scalar() == 1
        assert migrations.migrate(eng) == list(range(2, migrations.LATEST + 1))
        with eng.connect() as conn:
            assert conn.exec_driver_sql("SELECT count(*) FROM records").scalar() == 1
            assert conn.exec_driver_sql("SELECT count(*) FROM ratings").scalar() == 0
    finally:
        eng.dispose()


def test_html_helpers_escape_everything_but_safe_markup() -> None:
    from central.html import Safe, fmt

    assert fmt("<p>{}</p>", "<script>") == "<p>&lt;script&gt;</p>"
    assert fmt("<p>{}</p>", Safe("<b>ok</b>")) == "<p><b>ok</b></p>"
    assert fmt('<a href="{}">', '" onclick="x') == '<a href="&quot; onclick=&quot;x">'


def test_relaxed_bookkeeping_writes_leave_the_connection_at_full(engine: Engine) -> None:
    from central.db import write

    for _ in range(3):  # the pool hands the same connection back
        with write(engine, durable=False) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
            conn.exec_driver_sql("INSERT INTO meta VALUES ('k' || random(), 'v')")
        with write(engine) as conn:
            assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL again


@pytest.mark.expected_log
def test_storage_failures_are_503_with_retry_after_and_bugs_are_json_500() -> None:
    import asyncio

    from sqlalchemy.exc import OperationalError

    from central.api import GuardMiddleware

    async def run(exc: Exception) -> list[dict[str, object]]:
        async def app(scope: object, receive: object, send: object) -> None:
            raise exc

        sent: list[dict[str, object]] = []

        async def receive() -> dict[str, object]:
            return {"type": "http.request", "body": b"", "more_body": False}

        async def send(message: dict[str, object]) -> None:
            sent.append(message)

        scope = {"type": "http", "path": "/api/v1/records:batch", "headers": []}
        await GuardMiddleware(app, faults.FaultSource({}))(scope, receive, send)  # type: ignore[arg-type]
        return sent

    full = asyncio.run(run(OperationalError("INSERT", {}, Exception("database or disk is full"))))
    assert full[0]["status"] == 503
    assert (b"retry-after", b"30") in full[0]["headers"]  # type: ignore[operator]
    assert json.loads(full[1]["body"])["error"] == "database_unavailable"  # type: ignore[arg-type]
    bug = asyncio.run(run(KeyError("x")))
    assert bug[0]["status"] == 500 and json.loads(bug[1]["body"])["error"] == "internal_error"  # type: ignore[arg-type]


def test_healthz_reads_the_instance_id_and_answers_503_when_the_database_is_unreadable(
    engine: Engine, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from types import SimpleNamespace

    from central import reconcile
    from central.api import healthz

    health = healthz(SimpleNamespace(engine=engine))  # type: ignore[arg-type]
    assert health["status"] == "ok" and health["instance_id"] == reconcile.instance_id(engine)

    gone = open_engine(f"sqlite:///{tmp_path / 'no-such-dir' / 'c.db'}")
    try:
        answer = healthz(SimpleNamespace(engine=gone))  # type: ignore[arg-type]
    finally:
        gone.dispose()
    assert answer.status_code == 503 and answer.headers["retry-after"] == "5"
    assert json.loads(answer.body)["error"] == "database_unavailable"
    assert "health check: database unavailable" in caplog.text
