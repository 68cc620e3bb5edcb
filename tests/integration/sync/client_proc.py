"""The terminal side as a separate process for the SIGKILL tests (FAULTS.md rows 1 and 2).

    python -m tests.integration.sync.client_proc drain     # drain the outbox, print DRAINED
    python -m tests.integration.sync.client_proc save N    # save N cases, print `SAVED <record_id>` after each commit

State comes from TONGBAN_DATA_DIR (and the stored credentials), as for the real program.
"""

from __future__ import annotations

import sys

from app.config import load_config
from app.paths import resolve_paths
from app.sync.cli_handlers import build_engine
from app.sync.engine import EngineSettings
from offline_cache import open_store
from offline_cache.samples import sample_case


def main(argv: list[str]) -> int:
    paths = resolve_paths()
    config = load_config(None)
    with open_store(paths.database, integrity_check=False) as store:
        print("READY", flush=True)
        if argv[0] == "drain":
            settings = EngineSettings(batch_records=int(argv[1]) if len(argv) > 1 else 100, backoff_cap_s=0.2)
            engine = build_engine(config, paths, store, settings=settings)
            report = engine.drain()
            print(f"DRAINED sent={report.sent} duplicates={report.duplicates}", flush=True)
        elif argv[0] == "save":
            for _ in range(int(argv[1])):
                saved = store.save_case(sample_case(), actor="S0042")
                print(f"SAVED {saved.case.record_id}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
