"""The hall's clock (issue 21): stored UTC shown as the hall's time; the zone and hall phones from the config;
the citizen's rating faces are the counter's."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from sqlalchemy import select

from app.domain.models import RATING_LABELS, RatingLevel
from central import citizen, cli, migrations, ratings, schema
from central.db import open_engine, read, write
from central.halltime import DEFAULT, HallTime, configure, load_zone, zone_from_env
from ui.rating import icons


def test_a_case_taken_at_1444_beijing_time_shows_1444() -> None:
    stored = "2026-11-24T06:44:10.123456+00:00"  # how the platform stores it
    assert DEFAULT.minute(stored) == "2026-11-24 14:44"
    assert DEFAULT.second(stored) == "2026-11-24 14:44:10"
    assert DEFAULT.label == "北京时间"
    assert DEFAULT.day("2026-11-24T17:30:00+00:00") == "2026-11-25"  # after 16:00 UTC it is tomorrow in the hall
    assert DEFAULT.minute("2026-11-24T06:44:10") == "2026-11-24 14:44"  # a naive stored time is UTC
    assert DEFAULT.minute("") == "—" and DEFAULT.minute("not a time", "从未") == "从未"


def test_another_zone_is_named_by_its_name() -> None:
    urumqi = HallTime(load_zone("Asia/Urumqi"))
    assert urumqi.minute("2026-11-24T06:44:00+00:00") == "2026-11-24 12:44"
    assert urumqi.label == "Asia/Urumqi"


def test_zone_from_the_environment_and_a_wrong_name() -> None:
    assert zone_from_env({}).key == "Asia/Shanghai"
    assert zone_from_env({"TB_CENTRAL_HALL_TZ": "Asia/Urumqi"}).key == "Asia/Urumqi"
    with pytest.raises(ValueError, match="unknown time zone"):
        load_zone("Mars/Olympus")


def test_serve_refuses_an_unknown_zone_or_a_malformed_phone(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    db = str(tmp_path / "c.db")
    assert cli.main(["--db", db, "serve", "--hall-timezone", "Mars/Olympus"]) == 1
    assert "unknown time zone 'Mars/Olympus'" in capsys.readouterr().err
    assert cli.main(["--db", db, "serve", "--hall-phones", "210800=0417"]) == 1
    assert "not HALLKEY=PHONE" in capsys.readouterr().err
    assert cli._hall_phones("21080001=0417-2825800, *=12345") == {"21080001": "0417-2825800", "*": "12345"}


def test_the_phone_faces_and_words_are_the_counters() -> None:
    for level in RatingLevel:
        n = int(level)
        assert ratings.LEVEL_LABELS[n] == RATING_LABELS[level]
        assert citizen.FACE_COLOURS[n] == icons.LEVEL_COLOURS[level]
        assert citizen.FACE_CURVES[n] == icons._CURVE[level]
        svg = str(citizen.face_svg(n))
        assert icons.LEVEL_COLOURS[level] in svg and 'aria-hidden="true"' in svg
        assert ("M23 25" in svg) is (level is RatingLevel.VERY_DISSATISFIED)  # brows on the lowest only
        mouth = re.search(r"Q48 ([0-9.]+)", svg)
        assert mouth is not None and float(mouth.group(1)) == pytest.approx(96 * (0.66 + icons._CURVE[level]))


def test_every_reason_split_into_words_reads_the_same() -> None:
    for phrase, words in citizen.REASON_WORDS.items():
        assert "".join(words) == phrase
    assert set(citizen.REASON_WORDS) <= set(ratings.REASONS) | set(ratings.LEVEL_LABELS.values())


def test_a_bad_rating_at_0730_beijing_counts_its_deadlines_from_that_day(tmp_path: Path) -> None:
    """Friday 2026-11-27 07:30 in the hall is Thursday 23:30 UTC: call back by Monday, not by Friday."""
    engine = open_engine(f"sqlite:///{tmp_path / 'c.db'}")
    try:
        migrations.migrate(engine)
        configure(DEFAULT)
        with write(engine) as conn:
            stored = ratings.record_rating(
                conn,
                {
                    "rating_key": "qr-1",
                    "case_no": None,
                    "hall_key": "21080001",
                    "window": "",
                    "staff_no": "",
                    "item_code": "210800200101000",
                    "channel": "receipt_qr",
                    "outcome": "rated",
                    "level": 1,
                    "reasons": "[]",
                    "tags": "[]",
                    "text": "",
                    "callback_consent": 0,
                    "rated_at": "2026-11-26T23:30:00+00:00",
                    "received_at": "2026-11-26T23:30:00+00:00",
                },
            )
        assert stored
        with read(engine) as conn:
            due = conn.execute(select(schema.follow_ups.c.callback_due)).scalar()
        assert due == "2026-11-30"
    finally:
        engine.dispose()
