"""Issue 11 item 3: one rating per service act, also when two rating screens (processes) share one data dir.

The clerk's citizen screen and a `--mode rating` process both show the pending request; the store's atomic claim
(and the unique index of migration 0005) lets only the first answer in: the other gets "已评价，谢谢" and nothing
is stored, and the clerk's figures count the act once.
"""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.config import config_from_dict
from app.domain.models import RatingLevel
from app.services.ratings import RatingAlreadyGivenError, RatingService
from offline_cache import open_store
from offline_cache.daily_figures import read_daily_figures

ROOT = Path(__file__).resolve().parents[2]
CONFIG = {"window": "07", "terminal_code": "003"}

#: A second rating screen: resumes the pending request, waits for "GO" on stdin, then taps the level given.
SCREEN = textwrap.dedent(
    """
    import sys
    sys.path.insert(0, sys.argv[2])
    from PySide6.QtCore import QCoreApplication
    from app.config import config_from_dict
    from app.services.ratings import RatingAlreadyGivenError, RatingService
    from offline_cache import open_store

    app = QCoreApplication([])
    with open_store(sys.argv[1]) as store:
        service = RatingService(store=store, config=config_from_dict({"window": "07", "terminal_code": "003"}))
        prompt = service.resume_pending()
        device = service.register_citizen_screen()
        print("SHOWING", prompt.service_act_id if prompt else "-", flush=True)
        sys.stdin.readline()
        try:
            service.submit(device=device, service_act_id=prompt.service_act_id, level=int(sys.argv[3]),
                           reasons=["等候时间长"])
        except RatingAlreadyGivenError as exc:
            print("ALREADY", exc.message, flush=True)
        else:
            print("STORED", flush=True)
    """
)


def _screen(database: Path, level: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", SCREEN, str(database), str(ROOT), str(level)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=os.environ.copy(),
    )


def _showing(proc: subprocess.Popen[str]) -> str:
    assert proc.stdout is not None
    line = proc.stdout.readline().split()
    assert line and line[0] == "SHOWING", proc.stderr.read() if proc.stderr else ""
    return line[1]


def _answer(proc: subprocess.Popen[str]) -> str:
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    return out.strip()


@pytest.fixture
def database(tmp_path: Path) -> Path:
    return tmp_path / "tongban.db"


def test_the_clerk_screen_and_a_rating_process_store_one_rating_for_one_act(qapp: QApplication, database: Path) -> None:
    with open_store(database) as store:
        clerk = RatingService(store=store, config=config_from_dict(CONFIG))
        citizen_screen = clerk.register_citizen_screen()
        prompt = clerk.request_rating(case_no=None, item_code=None, staff_no="S0042")  # a consultation
        other = _screen(database, int(RatingLevel.VERY_SATISFIED))
        assert _showing(other) == prompt.service_act_id  # both screens show the pending request
        assert other.stdin is not None
        other.stdin.write("GO\n")
        other.stdin.flush()
        assert _answer(other) == "STORED"
        # The citizen taps the clerk's screen too: thanked, nothing stored.
        with pytest.raises(RatingAlreadyGivenError) as refused:
            clerk.submit(device=citizen_screen, service_act_id=prompt.service_act_id, level=RatingLevel.SATISFIED)
        assert refused.value.message == "已评价，谢谢"
        assert clerk.active_prompt is None
        ratings = store.ratings.for_service_act(prompt.service_act_id)
        assert [r.level for r in ratings] == [RatingLevel.VERY_SATISFIED]
        # Its 未评价 timeout finds the act rated: nothing more is stored either.
        assert clerk.expire_overdue() is None
        figures = clerk.today_figures()
        assert (figures.rated, figures.unrated) == (1, 0)
        assert [e.kind.value for e in store.outbox.pending()].count("rating") == 1


def test_two_rating_processes_tapping_at_once_store_exactly_one(qapp: QApplication, database: Path) -> None:
    with open_store(database) as store:
        clerk = RatingService(store=store, config=config_from_dict(CONFIG))
        prompt = clerk.request_rating(case_no=None, item_code=None, staff_no="S0042")
        screens = [_screen(database, int(RatingLevel.VERY_SATISFIED)), _screen(database, int(RatingLevel.DISSATISFIED))]
        for screen in screens:
            assert _showing(screen) == prompt.service_act_id
        for screen in screens:  # both released together
            assert screen.stdin is not None
            screen.stdin.write("GO\n")
            screen.stdin.flush()
        answers = sorted(_answer(screen).split()[0] for screen in screens)
        assert answers == ["ALREADY", "STORED"]
        assert len(store.ratings.for_service_act(prompt.service_act_id)) == 1
        day = store.ratings.for_service_act(prompt.service_act_id)[0].rated_at
        assert day is not None
        raw = read_daily_figures(store, day.replace(hour=0, minute=0), day.replace(hour=23, minute=59))
        assert sum(raw.ratings_by_level.values()) + raw.unrated == 1


def test_ratings_stored_twice_before_the_fix_count_once_after_the_upgrade(tmp_path: Path) -> None:
    """Migration 0005 on a database that already holds two ratings of one act (the bug): the later one is marked
    a duplicate (kept: it may have been uploaded) and no longer counts; the unique index then holds."""
    import sqlite3

    import sqlite_utils

    from offline_cache import schema

    db = sqlite_utils.Database(tmp_path / "old.db")
    schema.migrate(db, stop_before="0005_one_rating_per_act")
    insert = (
        "INSERT INTO ratings (rating_id, service_act_id, division, hall, window, staff_no, terminal, channel,"
        " outcome, level, requested_at, rated_at) VALUES (?, 'S1', '210800', '01', '07', 'S0042', '003',"
        " 'counter_device', ?, ?, '2026-11-25T02:00:00+00:00', ?)"
    )
    db.conn.execute(insert, ("r1", "rated", 5, "2026-11-25T02:00:30+00:00"))
    db.conn.execute(insert, ("r2", "unrated", None, None))  # the other screen's 未评价 for the same act
    db.conn.commit()
    schema.migrate(db)
    assert schema.schema_version(db) == schema.SCHEMA_VERSION
    marks = dict(db.conn.execute("SELECT rating_id, duplicate_of FROM ratings").fetchall())
    assert marks == {"r1": None, "r2": "r1"}
    with pytest.raises(sqlite3.IntegrityError):
        db.conn.execute(insert, ("r3", "unrated", None, None))
    db.close()
