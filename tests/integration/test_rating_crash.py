"""A terminal killed (SIGKILL) between the rating request and the citizen's tap asks again after the restart."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication

from app.config import config_from_dict
from app.domain.models import RatingLevel
from app.services.ratings import RatingService
from offline_cache import open_store

ROOT = Path(__file__).resolve().parents[2]

CHILD = textwrap.dedent(
    """
    import os, signal, sys
    sys.path.insert(0, sys.argv[2])
    from PySide6.QtCore import QCoreApplication
    from app.config import config_from_dict
    from app.services.ratings import RatingService
    from offline_cache import open_store
    from offline_cache.samples import sample_case

    app = QCoreApplication([])
    store = open_store(sys.argv[1])
    case = store.save_case(sample_case(), actor="S0042").case
    service = RatingService(store=store, config=config_from_dict({}))
    prompt = service.request_rating(case_no=case.case_no, item_code=None, staff_no="S0042")
    print(prompt.service_act_id, case.case_no, flush=True)
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


@pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL")
def test_request_survives_sigkill_and_is_answered_once(tmp_path: Path, qapp: QApplication) -> None:
    database = tmp_path / "tongban.db"
    child = subprocess.run(
        [sys.executable, "-c", CHILD, str(database), str(ROOT)],
        capture_output=True,
        text=True,
        timeout=60,
        env=os.environ.copy(),
        check=False,
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    act_id, case_no = child.stdout.split()
    with open_store(database) as store:
        service = RatingService(store=store, config=config_from_dict({}))
        prompt = service.resume_pending()
        assert prompt is not None and (prompt.service_act_id, prompt.case_no) == (act_id, case_no)
        device = service.register_citizen_screen()
        service.submit(device=device, service_act_id=act_id, level=RatingLevel.SATISFIED)
        assert [r.level for r in store.ratings.for_case(case_no)] == [RatingLevel.SATISFIED]
        assert store.ratings.pending_requests() == []
