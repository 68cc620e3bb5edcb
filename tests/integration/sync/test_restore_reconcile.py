"""A platform restored from a backup gets back what it lost in the very next sync pass (issue 20).

Real parts only: `tongban-central serve` on SQLite and on PostgreSQL, its database backed up and restored while it
is stopped (a file copy; `CREATE DATABASE … TEMPLATE`), and the terminal's real store and sync engine.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app.sync.client import PlatformClient
from app.sync.engine import SyncEngine
from central import devices
from central.db import open_engine
from central.migrations import migrate
from central.reconcile import new_instance_id
from offline_cache import Store, open_store
from offline_cache.samples import sample_case, sample_rating
from tests.integration.central.helpers import Server, free_port, start_server
from tests.integration.central.pg import Cluster

from .harness import DIVISION, HALL, TERMINAL, fast_settings


@dataclass
class Platform:
    """One platform database served on a fixed port, with backups taken and restored while it is stopped."""

    backend: str
    home: Path
    db: str
    port: int
    cluster: Cluster | None = None
    server: Server | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        self.server = start_server(self.db, self.home / "server.log", port=self.port)

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
            self.server = None

    def backup(self, name: str) -> None:
        self.stop()
        if self.cluster is None:
            for suffix in ("", "-wal"):
                source = self.home / f"central.db{suffix}"
                if source.exists():
                    shutil.copy(source, self.home / f"{name}{suffix}")
        else:
            self._psql(f"CREATE DATABASE {name} TEMPLATE {self._dbname}")
        self.start()

    def restore(self, name: str) -> None:
        self.stop()
        if self.cluster is None:
            for suffix in ("", "-wal", "-shm"):
                (self.home / f"central.db{suffix}").unlink(missing_ok=True)
                saved = self.home / f"{name}{suffix}"
                if saved.exists():
                    shutil.copy(saved, self.home / f"central.db{suffix}")
        else:
            self._psql(f"DROP DATABASE {self._dbname} WITH (FORCE)")
            self._psql(f"CREATE DATABASE {self._dbname} TEMPLATE {name}")
        self.start()

    @property
    def _dbname(self) -> str:
        return self.db.rsplit("/", 1)[1]

    def _psql(self, sql: str) -> None:
        assert self.cluster is not None
        self.cluster.psql(sql)

    def rows(self, sql: str) -> list[tuple[object, ...]]:
        engine = open_engine(self.db)
        try:
            with engine.begin() as conn:
                return [tuple(r) for r in conn.exec_driver_sql(sql)]
        finally:
            engine.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def platform(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Platform]:
    home = tmp_path / "central"
    home.mkdir()
    if request.param == "sqlite":
        plat = Platform("sqlite", home, f"sqlite:///{home / 'central.db'}", free_port())
    else:
        cluster: Cluster = request.getfixturevalue("pg_cluster")
        name = f"tb_{uuid.uuid4().hex[:12]}"
        plat = Platform("postgresql", home, cluster.create_database(name), free_port(), cluster)
    engine = open_engine(plat.db)
    try:
        migrate(engine)
    finally:
        engine.dispose()
    plat.start()
    try:
        yield plat
    finally:
        plat.stop()


@dataclass
class Station:
    store: Store
    engine: SyncEngine
    attachments: list[str]

    def save_cases(self, count: int) -> tuple[list[str], list[str]]:
        """`count` cases, each with its own scanned attachment and a counter rating; returns (case ids, rating ids)."""
        cases, ratings = [], []
        for _ in range(count):
            scan = f"%PDF-1.4 scan {uuid.uuid4()} ".encode() * 40
            att = self.store.blobs.put(scan, filename="身份证.pdf", media_type="application/pdf")
            self.attachments.append(hashlib.sha256(scan).hexdigest())
            saved = self.store.save_case(sample_case(attachments=(att,)), actor="S0042")
            rating = self.store.save_rating(sample_rating(saved.case.case_no), actor="rating")
            cases.append(saved.case.record_id)
            ratings.append(rating.record_id)
        return cases, ratings

    def sync_pass(self) -> None:
        self.engine.cycle(force_pull=True)


@pytest.fixture
def station(platform: Platform, isolated_state: Path) -> Iterator[Station]:
    engine = open_engine(platform.db)
    try:
        code = devices.create_enrol_code(engine, division=DIVISION, hall=HALL, window="07", terminal=TERMINAL).code
    finally:
        engine.dispose()
    client = PlatformClient(platform.url, None)
    try:
        creds = client.enrol(code)
    finally:
        client.close()
    store = open_store(isolated_state / "data" / "terminal.sqlite3")
    sync = SyncEngine(store, PlatformClient(platform.url, creds, timeout=(2.0, 10.0)), settings=fast_settings())
    try:
        yield Station(store, sync, [])
    finally:
        assert sync.client is not None
        sync.client.close()
        store.close()


def _held(platform: Platform) -> list[str]:
    return [str(r[0]) for r in platform.rows("SELECT record_id FROM records")]


def test_one_pass_after_a_restore_resends_what_the_platform_lost(
    platform: Platform, station: Station, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level("INFO", logger="tongban.sync")
    first_cases, first_ratings = station.save_cases(2)
    station.sync_pass()
    assert sorted(_held(platform)) == sorted(first_cases + first_ratings)
    platform.backup("bak_a")
    later_cases, later_ratings = station.save_cases(2)
    station.sync_pass()
    assert len(_held(platform)) == 8
    platform.restore("bak_a")
    assert len(_held(platform)) == 4  # the platform lost the later two cases, their ratings and attachments

    station.sync_pass()

    held = _held(platform)
    assert len(held) == len(set(held)) == 8
    assert set(held) == set(first_cases + first_ratings + later_cases + later_ratings)
    cases = {str(r[0]): str(r[1]) for r in platform.rows("SELECT record_id, case_no FROM cases")}
    assert set(cases) == set(first_cases + later_cases)
    # Every rating still points at its case, on the platform's ratings table and in the record's depends_on.
    rating_cases = [str(r[0]) for r in platform.rows("SELECT case_no FROM ratings")]
    assert sorted(rating_cases) == sorted(cases.values())
    parents = {str(r[0]): str(r[1]) for r in platform.rows("SELECT record_id, depends_on FROM records")}
    assert {parents[r] for r in first_ratings + later_ratings} == set(first_cases + later_cases)
    blobs = {str(r[0]) for r in platform.rows("SELECT sha256 FROM blobs")}
    assert blobs == set(station.attachments)
    assert station.store.outbox.depth() == 0
    status = station.engine.status()
    assert status.last_reconcile is not None
    assert (status.last_reconcile["reason"], status.last_reconcile["requeued"], status.last_reconcile["lost"]) == (
        "cursor_gone",
        4,
        0,
    )
    shown = json.loads(json.dumps(status.as_json()))["last_reconciliation"]
    assert shown["reason"] == "cursor_gone" and shown["requeued"] == 4 and shown["at"]
    assert "reconciliation (cursor_gone)" in caplog.text


def test_a_backup_older_than_retention_is_reported_as_what_cannot_be_resent(
    platform: Platform, station: Station, caplog: pytest.LogCaptureFixture
) -> None:
    platform.backup("bak_empty")  # enrolled, nothing uploaded yet
    old_cases, _ = station.save_cases(2)
    station.sync_pass()
    old_numbers = sorted(str(r[0]) for r in platform.rows("SELECT case_no FROM cases"))
    # Past the retention period the terminal purges the old cases' personal data: it can no longer resend them.
    purged = station.store.purge_personal_data(
        station.store.cases.get(old_cases[0]).case.created_at + _days(40),  # type: ignore[union-attr]
        30,
    )
    assert purged.cases == 2
    new_cases, new_ratings = station.save_cases(1)
    station.sync_pass()
    platform.restore("bak_empty")

    station.sync_pass()

    assert sorted(_held(platform)) == sorted(new_cases + new_ratings)
    assert station.store.outbox.depth() == 0
    status = station.engine.status()
    assert status.lost_on_platform == 4  # two cases and the two ratings that depend on them
    assert status.last_reconcile is not None
    assert status.last_reconcile["requeued"] == 2
    assert sorted(status.last_reconcile["lost_case_nos"]) == old_numbers
    assert status.as_json()["last_reconciliation"]["lost"] == 4
    assert "cannot be resent" in caplog.text


def test_an_instance_id_marked_restored_triggers_a_reconciliation(platform: Platform, station: Station) -> None:
    cases, ratings = station.save_cases(1)
    station.sync_pass()
    # The operator restored a backup taken just now and marked it: nothing is lost, but the terminal checks.
    engine = open_engine(platform.db)
    try:
        new_instance_id(engine)
    finally:
        engine.dispose()
    station.sync_pass()
    status = station.engine.status()
    assert status.last_reconcile is not None
    assert (status.last_reconcile["reason"], status.last_reconcile["requeued"]) == ("instance_changed", 0)
    assert sorted(_held(platform)) == sorted(cases + ratings)


def _days(n: int) -> dt.timedelta:
    return dt.timedelta(days=n)
