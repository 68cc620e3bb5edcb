"""A throwaway PostgreSQL cluster for tests: Debian's binaries, an unprivileged user, a temp dir, a random port."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

from .helpers import free_port

_BIN_DIRS = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)


def pg_bin(name: str) -> str | None:
    for directory in _BIN_DIRS:
        if (directory / name).exists():
            return str(directory / name)
    return shutil.which(name)


@dataclass
class Cluster:
    root: Path
    port: int
    user: str

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{self.user}@127.0.0.1:{self.port}/{database}"

    def create_database(self, name: str) -> str:
        self.psql(f"CREATE DATABASE {name}")
        return self.url(name)

    def psql(self, sql: str) -> None:
        """Run one SQL statement as the cluster's superuser, connected to the `postgres` database."""
        self._run(pg_bin("psql") or "psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", self.user,
                  "-d", "postgres", "-c", sql)  # fmt: skip

    def stop(self) -> None:
        self._run(pg_bin("pg_ctl") or "pg_ctl", "-D", str(self.root / "data"), "-m", "immediate", "stop", check=False)
        shutil.rmtree(self.root, ignore_errors=True)

    def _run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        return _as_user(self.user, list(args), check=check)


def _as_user(user: str, args: list[str], *, check: bool = True) -> subprocess.CompletedProcess[str]:
    # PostgreSQL refuses to run as root: drop to the `postgres` account when we are root.
    command = ["runuser", "-u", user, "--", *args] if os.geteuid() == 0 else args
    proc = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if check and proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed ({proc.returncode}): {proc.stderr.strip() or proc.stdout.strip()}")
    return proc


def start_cluster() -> Cluster:
    """Start a cluster in its own temp dir (pytest's tmp dirs are private to root, which `postgres` cannot enter)."""
    initdb, pg_ctl = pg_bin("initdb"), pg_bin("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise FileNotFoundError("PostgreSQL server binaries (Debian package postgresql) are not installed")
    user = "postgres" if os.geteuid() == 0 else os.environ.get("USER", "postgres")
    root = Path(tempfile.mkdtemp(prefix="tb-central-pg-"))
    if os.geteuid() == 0:
        shutil.chown(root, user)
        os.chmod(root, 0o700)
    data = root / "data"
    _as_user(user, [initdb, "-D", str(data), "-U", user, "--auth=trust", "-E", "UTF8", "--locale=C.UTF-8"])
    port = free_port()
    options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=100"
    _as_user(user, [pg_ctl, "-D", str(data), "-o", options, "-l", str(root / "pg.log"), "-w", "-t", "60", "start"])
    cluster = Cluster(root, port, user)
    deadline = time.monotonic() + 30
    while _as_user(
        user, [pg_bin("pg_isready") or "pg_isready", "-h", "127.0.0.1", "-p", str(port)], check=False
    ).returncode:
        if time.monotonic() > deadline:
            raise TimeoutError("PostgreSQL did not start")
        time.sleep(0.1)
    return cluster
