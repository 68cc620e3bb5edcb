"""Where the terminal keeps its data, configuration and logs.

Precedence: command-line option, then environment (`TONGBAN_DATA_DIR`, `TONGBAN_CONFIG`, `TONGBAN_LOG_DIR`),
then the platform's user directories (platformdirs). Several terminals and every test run side by side by giving
each its own directories.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

APP_NAME = "tongban"
APP_AUTHOR = "tongban"


@dataclass(frozen=True, slots=True)
class AppPaths:
    data_dir: Path
    config_file: Path
    log_dir: Path

    @property
    def database(self) -> Path:
        return self.data_dir / "terminal.sqlite3"

    def ensure(self) -> AppPaths:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        self.log_dir.mkdir(parents=True, exist_ok=True)
        return self


def _platform_dir(kind: str) -> str:
    """platformdirs' user directory of `kind` (data, config, log); imported only when a location is not given."""
    import platformdirs

    found: str = getattr(platformdirs, f"user_{kind}_dir")(APP_NAME, APP_AUTHOR)
    return found


def resolve_paths(*, data_dir: str | None = None, config_file: str | None = None) -> AppPaths:
    data = data_dir or os.environ.get("TONGBAN_DATA_DIR") or _platform_dir("data")
    config = config_file or os.environ.get("TONGBAN_CONFIG") or str(Path(_platform_dir("config")) / "config.toml")
    logs = os.environ.get("TONGBAN_LOG_DIR") or (str(Path(data) / "logs") if data_dir else _platform_dir("log"))
    return AppPaths(data_dir=Path(data).expanduser(), config_file=Path(config).expanduser(), log_dir=Path(logs))
