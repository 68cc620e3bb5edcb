"""A replacement PC enrolled as the same terminal (issue 22 item 3): it continues above the platform's
`terminal_seq` high-water mark and after the case numbers the platform holds for that terminal and day."""

from __future__ import annotations

import io
import uuid
from pathlib import Path

import pytest

from app.paths import AppPaths
from app.protocol import RecordKind, body_sha256
from app.sync.cli_handlers import enrol_command
from app.sync.client import PlatformClient
from app.sync.credentials import CredentialStore
from offline_cache import open_store
from offline_cache.samples import sample_case
from tests.integration.intake_support import hall_config

from .conftest import Terminal
from .harness import Central, assert_exactly_once, local_states, make_engine, queue_events


@pytest.mark.expected_log
def test_a_replacement_pc_continues_above_the_platforms_numbers(
    central: Central, terminal: Terminal, tmp_path: Path
) -> None:
    """Extends FAULTS.md rows 16 and 18 (terminal_seq and case numbers stay unique): the old PC sent 3 cases and
    20 records and died; the new PC, enrolled as the same terminal with an empty store, sends everything on the
    first try, with no `terminal_seq_taken` dead letters, and numbers its cases after the old PC's."""
    old = terminal.store
    old_cases = [old.save_case(sample_case(), actor="S0042").case for _ in range(3)]
    old_events = queue_events(old, 20)
    assert make_engine(old, terminal.creds, central.url).drain().sent == 23
    old_max_seq = max(int(r[0]) for r in central.rows("SELECT terminal_seq FROM records"))
    central.revoke(terminal.creds.device_id)  # the old PC is gone; the administrator enrols a new one

    paths = AppPaths(data_dir=tmp_path / "new-pc", config_file=tmp_path / "none.toml", log_dir=tmp_path / "logs")
    out, err = io.StringIO(), io.StringIO()
    code = central.enrol_code()
    assert enrol_command(config=hall_config(), paths=paths, url=central.url, code=code, out=out, err=err) == 0
    assert err.getvalue() == ""
    creds = CredentialStore(paths.data_dir).load()
    assert (
        creds is not None and creds.terminal == terminal.creds.terminal and creds.device_id != terminal.creds.device_id
    )

    with open_store(paths.database) as new:
        cases = [new.save_case(sample_case(), actor="S0042").case for _ in range(2)]
        events = queue_events(new, 5)
        highest_old = max(int(c.case_no[19:24]) for c in old_cases)
        assert [int(c.case_no[19:24]) for c in cases] == [highest_old + 1, highest_old + 2]
        engine = make_engine(new, creds, central.url)
        report = engine.drain(max_seconds=30)
        assert report.dead == 0 and report.sent == 7
        assert set(local_states(new).values()) == {"sent"} and new.outbox.dead_letters() == []
        seqs = [int(r[0]) for r in new.db.conn.execute("SELECT terminal_seq FROM outbox")]
        assert min(seqs) > old_max_seq

        # Later the platform holds a number this store has not issued yet (a record of the old PC restored from a
        # backup, say): the record that collides is answered terminal_seq_taken, learns, and goes again.
        last = max(seqs)
        stray = {"event": "from the old PC", "id": str(uuid.uuid4())}
        client = PlatformClient(central.url, creds)
        try:
            answer = client.post_batch(
                [
                    {
                        "record_id": stray["id"],
                        "kind": RecordKind.EVENT.value,
                        "schema": 1,
                        "terminal": creds.terminal,
                        "terminal_seq": last + 2,
                        "created_at": "2026-12-01T09:00:00+08:00",
                        "depends_on": None,
                        "body_sha256": body_sha256(stray),
                        "body": stray,
                    }
                ]
            )
        finally:
            client.close()
        assert answer["results"][0]["status"] == "accepted"
        later = queue_events(new, 5)
        report = engine.drain(max_seconds=30)
        assert report.dead == 0 and report.sent == 5 and new.outbox.dead_letters() == []
        assert_exactly_once(
            central,
            [
                *(c.record_id for c in old_cases),
                *old_events,
                *(c.record_id for c in cases),
                *events,
                *later,
                stray["id"],
            ],
        )
