"""`tongban status` reads the store through `offline_cache.peek` (issue 13): the same figures as the store gives,
without the database key; a file the peek cannot simply read goes through `open_store` as before."""

from __future__ import annotations

import dataclasses
import datetime as dt
from pathlib import Path

import pytest

from app.config import config_from_dict
from app.paths import AppPaths, resolve_paths
from app.services.terminal_status import read_status
from offline_cache import StoreError, open_store, schema
from offline_cache.keys import key_file_path
from tests.integration.receipts_support import person_case

CONFIG = config_from_dict({"hall_name": "营口市政务服务中心"})


@pytest.fixture
def paths() -> AppPaths:
    return resolve_paths().ensure()


def test_status_counts_a_stored_case_without_the_database_key(paths: AppPaths) -> None:
    with open_store(paths.database) as store:
        case = store.save_case(dataclasses.replace(person_case(), case_no=""), actor="S0042").case
        created = store.outbox.oldest_pending_age(dt.datetime.now(dt.UTC))
    key_file_path(paths.database).rename(paths.database.with_name("elsewhere.key"))  # status must not need it
    status = read_status(config=CONFIG, paths=paths)
    assert (status["case_count"], status["queue_depth"], status["dead_letters"]) == (1, 1, 0)
    assert status["sync"]["queue_depth"] == 1
    assert status["schema_version"] == schema.SCHEMA_VERSION
    assert status["sync"]["sync_state"] == "not_enrolled" and status["sync"]["enrolled"] is False
    assert created is not None and status["oldest_pending_seconds"] >= int(created.total_seconds())
    assert case.case_no  # the case really was stored


def test_status_on_a_new_data_dir_creates_the_store_as_before(paths: AppPaths) -> None:
    assert not paths.database.exists()
    status = read_status(config=CONFIG, paths=paths)
    assert paths.database.exists()
    assert (status["schema_version"], status["case_count"], status["queue_depth"]) == (schema.SCHEMA_VERSION, 0, 0)


def test_status_on_an_older_schema_migrates_it_as_before(paths: AppPaths, tmp_path: Path) -> None:
    import sqlite3

    conn = sqlite3.connect(paths.database)
    schema.migrate(conn, stop_before=schema.MIGRATION_NAMES[-1])
    conn.commit()
    assert schema.schema_version(conn) == schema.SCHEMA_VERSION - 1
    conn.close()
    status = read_status(config=CONFIG, paths=paths)
    assert status["schema_version"] == schema.SCHEMA_VERSION


def test_status_of_a_damaged_file_is_a_store_error_and_the_file_stays(paths: AppPaths) -> None:
    paths.database.write_bytes(b"not a database at all " * 200)
    with pytest.raises(StoreError) as raised:
        read_status(config=CONFIG, paths=paths)
    assert raised.value.code == "corrupt"
    assert paths.database.read_bytes().startswith(b"not a database")
