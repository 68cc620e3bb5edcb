"""帮办 of online filing end to end (issue 18): `tongban assist --json FILE` → the terminal's store and outbox → the
real platform (record kind `assist`) → the supervisor page's 网上实办率."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
import requests
from PySide6.QtWidgets import QApplication

from app.config import Config
from app.paths import resolve_paths
from app.services.assist import assist_command
from app.services.ratings import RatingRefusedError
from app.sync.cli_handlers import EXIT_OK, enrol_command, sync_once_command
from app.sync.credentials import CredentialStore
from offline_cache import Store
from offline_cache.samples import sample_case
from tests import pii_samples
from tests.integration.rating_support import Clock as RatingClock
from tests.integration.rating_support import make_service as make_ratings

from .harness import Central, central_source, fast_settings, make_engine, open_terminal

PASSWORD = "correct horse battery"
STAFF_NO = "S0042"
ITEM = "210800200101000"


def _records() -> list[dict[str, object]]:
    person = {"kind": "person", "name": pii_samples.NAME, "id_number": pii_samples.ID_NUMBER}
    good = {"item_code": ITEM, "portal_app_no": "LN2026120200001234", "applicant": person, "staff_no": STAFF_NO}
    return [
        {**good, "outcome": "submitted"},
        {**good, "portal_app_no": "ln2026120200001235", "outcome": "submitted"},  # lower case is accepted
        {**good, "portal_app_no": "LN2026120200001236", "outcome": "incomplete"},
        {**good, "portal_app_no": "LN20261202-0001237", "outcome": "submitted"},  # refused: format
        {**good, "portal_app_no": "LN2026130200001238", "outcome": "submitted"},  # refused: month 13
        {**good, "outcome": "done"},  # refused: outcome
        {**good, "outcome": "submitted", "applicant": {**person, "id_number": "110105194912310021"}},  # bad check
    ]


def _login(central: Central) -> requests.Session:
    subprocess.run(
        [sys.executable, "-m", "central.cli", "--db", str(central.db), "admin-password"],
        input=PASSWORD + "\n",
        text=True,
        env={**os.environ, "PYTHONPATH": str(central_source())},
        capture_output=True,
        check=True,
        timeout=60,
    )
    session = requests.Session()
    assert session.post(central.url + "/admin/login", data={"password": PASSWORD}, timeout=10).status_code == 200
    return session


def test_assist_records_sync_as_their_own_kind_and_count_online(
    qapp: QApplication, central: Central, isolated_state: Path
) -> None:
    config, paths = Config(), resolve_paths()
    out, err = io.StringIO(), io.StringIO()
    assert enrol_command(config=config, paths=paths, url=central.url, code=central.enrol_code(), out=out, err=err) == 0
    with open_terminal(paths.data_dir) as store:
        store.staff.add(staff_no=STAFF_NO, display_name="王晓", pin="246810", actor="test")
        store.save_case(sample_case(), actor=STAFF_NO)  # one paper case at the counter the same day
    file = isolated_state / "assists.json"
    file.write_text(json.dumps(_records(), ensure_ascii=False), encoding="utf-8")

    result = io.StringIO()
    status = assist_command(config=config, paths=paths, json_file=file, json_output=True, out=result)
    answer = json.loads(result.getvalue())
    assert status == 1 and (answer["stored"], answer["refused"]) == (3, 4)
    refused = {r["index"]: [e["field"] for e in r["errors"]] for r in answer["records"] if not r["ok"]}
    assert refused == {3: ["portal_app_no"], 4: ["portal_app_no"], 5: ["outcome"], 6: ["applicant.id_number"]}
    assist_ids = [r["assist_id"] for r in answer["records"] if r["ok"]]

    with open_terminal(paths.data_dir) as store:
        rows = store.db.conn.execute(
            "SELECT kind, body FROM outbox WHERE kind = 'assist' ORDER BY terminal_seq"
        ).fetchall()
    bodies = [json.loads(body) for _kind, body in rows]
    assert [b["portal_app_no"] for b in bodies] == ["LN2026120200001234", "LN2026120200001235", "LN2026120200001236"]
    assert bodies[0]["applicant_masked"] == "欧阳** 110***********002X"  # as on a receipt
    assert pii_samples.ID_NUMBER not in json.dumps(bodies, ensure_ascii=False)
    assert pii_samples.NAME not in json.dumps(bodies, ensure_ascii=False)

    # The citizen rates the help at the counter: the rating refers to the 帮办 record as its service act.
    with open_terminal(paths.data_dir) as store:
        ratings = make_ratings(store, RatingClock())
        device = ratings.register_citizen_screen()
        prompt = ratings.request_rating(case_no=None, item_code=ITEM, staff_no=STAFF_NO, service_act_id=assist_ids[0])
        ratings.submit(device=device, service_act_id=prompt.service_act_id, level=5)
        with pytest.raises(RatingRefusedError):  # 一次一评
            ratings.request_rating(case_no=None, item_code=ITEM, staff_no=STAFF_NO, service_act_id=assist_ids[0])

    assert sync_once_command(config=config, paths=paths, out=out, err=err) == EXIT_OK
    stored = central.rows("SELECT record_id, portal_app_no, outcome, staff_no FROM assists ORDER BY portal_app_no")
    assert [(r[0], r[2], r[3]) for r in stored] == [
        (assist_ids[0], "submitted", STAFF_NO),
        (assist_ids[1], "submitted", STAFF_NO),
        (assist_ids[2], "incomplete", STAFF_NO),
    ]
    assert central.rows("SELECT count(*) FROM records WHERE kind = 'assist'") == [(3,)]
    rated = central.rows("SELECT body FROM records WHERE kind = 'rating'")
    assert len(rated) == 1 and json.loads(str(rated[0][0]))["service_act_id"] == assist_ids[0]

    page = _login(central).get(central.url + "/admin", timeout=10).text
    section = page[page.index('id="online-filing"') :]
    # 2 filed online, 1 unfinished, 1 paper case: 网上实办率 = 2 / (2 + 1).
    assert "<td>2</td><td>1</td><td>0</td><td>1</td><td>66.7%</td>" in section
    assert pii_samples.ID_NUMBER not in page


def test_assist_records_wait_for_a_platform_that_lists_the_feature(
    qapp: QApplication, tmp_path: Path, isolated_state: Path
) -> None:
    # A platform whose /healthz does not list "assist" (an older one): the 帮办 records wait in the queue, pending
    # (not dead letters), while the counter's cases go; once the platform lists the feature they go too.
    home = tmp_path / "older-central"
    home.mkdir()
    central = Central(home, extra_env={"TB_CENTRAL_HIDE_FEATURES": "assist"}).start()
    try:
        assert "assist" not in requests.get(central.url + "/healthz", timeout=5).json()["features"]
        config, paths = Config(), resolve_paths()
        out, err = io.StringIO(), io.StringIO()
        code = central.enrol_code()
        assert enrol_command(config=config, paths=paths, url=central.url, code=code, out=out, err=err) == 0
        with open_terminal(paths.data_dir) as store:
            store.staff.add(staff_no=STAFF_NO, display_name="王晓", pin="246810", actor="test")
        file = isolated_state / "assists.json"
        file.write_text(json.dumps(_records()[:2], ensure_ascii=False), encoding="utf-8")
        assert assist_command(config=config, paths=paths, json_file=file, json_output=True, out=io.StringIO()) == 0
        creds = CredentialStore(paths.data_dir).load()
        with open_terminal(paths.data_dir) as store:
            case_id = store.save_case(sample_case(), actor=STAFF_NO).case.record_id  # queued after the 帮办
            engine = make_engine(store, creds, central.url, settings=fast_settings(pull_interval_s=0.0))
            report = engine.drain(wait_scheduled=True, max_seconds=30)
            states = {kind: state for kind, state in _states(store)}
            assert report.sent == 1 and report.dead == 0
            assert states == {"case": "sent", "assist": "pending"}
            assert central.rows("SELECT count(*) FROM assists") == [(0,)]
            assert engine.status().queue_depth == 2  # still in the queue, shown as waiting

            central.stop()  # the platform is upgraded: it now lists the feature
            central.extra_env = {}
            central.start()
            report = engine.drain(wait_scheduled=True, max_seconds=30)
            assert report.sent == 2 and report.dead == 0
            assert {state for _kind, state in _states(store)} == {"sent"}
        assert central.rows("SELECT count(*) FROM assists") == [(2,)]
        assert case_id in {r[0] for r in central.rows("SELECT record_id FROM records WHERE kind = 'case'")}
    finally:
        central.stop()


def _states(store: Store) -> list[tuple[str, str]]:
    return [(str(k), str(s)) for k, s in store.db.conn.execute("SELECT kind, state FROM outbox").fetchall()]
