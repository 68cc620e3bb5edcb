"""build_installer.py end to end: the frozen bundle, the terminal and platform .debs, installed and run as an
administrator would, with no virtualenv (and, where the kernel allows, no network) in reach.

One build per test run (module fixture): PyInstaller for the terminal and for the platform, gzip-compressed .debs
(release builds use xz), plus a second terminal .deb with an older version number for the upgrade.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from app import __version__
from offline_cache import samples, schema
from tests import pii_samples

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]
DB_VERSIONS = ROOT / "tests" / "data" / "db_versions"
OLD_VERSION = "0.0.9"
#: Modules that must not be in the terminal bundle: tests, dev tools, the platform's server stack.
FORBIDDEN_MODULES = (
    "tests",
    "pytest",
    "_pytest",
    "pytestqt",
    "hypothesis",
    "schemathesis",
    "selenium",
    "mypy",
    "ruff",
    "chinese_calendar",
    "PyInstaller",
    "central",
    "fastapi",
    "starlette",
    "uvicorn",
    "sqlalchemy",
    "psycopg",
)
PERSONAL = (
    *pii_samples.ALL,
    samples.NAME,
    samples.ID_NUMBER,
    samples.PHONE,
    samples.ADDRESS,
    samples.AGENT_NAME,
    samples.DELIVERY_ADDRESS,
)


@dataclass(frozen=True)
class Build:
    bundle: Path
    terminal_deb: Path
    old_terminal_deb: Path
    central_deb: Path
    output: str


def _build(*args: str) -> str:
    result = subprocess.run(
        [sys.executable, str(ROOT / "build_installer.py"), "--deb-compression", "gzip", *args],
        capture_output=True,
        text=True,
        timeout=1500,
        cwd=ROOT,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-4000:]
    return result.stdout


@pytest.fixture(scope="module")
def build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    base = tmp_path_factory.mktemp("installers")
    out = base / "dist"
    output = _build("--out", str(out), "--work", str(base / "work"), "--targets", "bundle,deb,central")
    bundle = out / "bundle" / "tongban"
    old = base / "old"
    old_args = ["--out", str(old), "--work", str(base / "work-old"), "--targets", "deb", "--version", OLD_VERSION]
    _build(*old_args, "--bundle-dir", str(bundle))
    return Build(
        bundle=bundle,
        terminal_deb=out / f"tongban-terminal_{__version__}_amd64.deb",
        old_terminal_deb=old / f"tongban-terminal_{OLD_VERSION}_amd64.deb",
        central_deb=out / f"tongban-central_{__version__}_amd64.deb",
        output=output,
    )


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    """What a desktop session gives the program: no virtualenv, no PYTHONPATH, no TONGBAN_* of the test run."""
    home.mkdir(parents=True, exist_ok=True)
    return {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "LANG": "C.UTF-8",
        "QT_QPA_PLATFORM": "offscreen",
        "TONGBAN_KEY_STORE": "file",
        **extra,
    }


def _offline() -> list[str]:
    """Run without a network where the kernel lets us (a private network namespace); plain otherwise."""
    unshare = shutil.which("unshare")
    if unshare and subprocess.run([unshare, "-n", "true"], capture_output=True, check=False).returncode == 0:
        return [unshare, "-n"]
    return []


def _run(argv: list[str], env: dict[str, str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [*_offline(), *argv], capture_output=True, text=True, env=env, timeout=timeout, cwd="/", check=False
    )


def _dpkg(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """dpkg on a private root: real unpack, conffile and maintainer-script handling, nothing outside `root`."""
    return subprocess.run(
        ["dpkg", f"--root={root}", "--force-script-chrootless", "--force-depends", "--log=/dev/null", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def _empty_dpkg_root(root: Path) -> Path:
    admin = root / "var" / "lib" / "dpkg"
    for sub in ("info", "updates", "triggers"):
        (admin / sub).mkdir(parents=True, exist_ok=True)
    (admin / "status").touch()
    (admin / "available").touch()
    return root


@pytest.fixture(scope="module")
def installed(build: Build, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    tree = tmp_path_factory.mktemp("unpacked")
    subprocess.run(["dpkg-deb", "-x", str(build.terminal_deb), str(tree)], check=True, timeout=300)
    yield tree


# --- the build --------------------------------------------------------------------------------------------------


def test_build_prints_every_artifact_with_its_size(build: Build) -> None:
    lines = build.output.splitlines()
    for label, path in [("bundle", build.bundle), ("deb", build.terminal_deb), ("central deb", build.central_deb)]:
        line = next(line for line in lines if line.startswith(label + " "))
        assert str(path) in line and line.endswith(" MiB")
        assert path.exists()


def test_bundle_has_what_the_terminal_needs_and_nothing_of_tests_tools_or_server(build: Build) -> None:
    from PyInstaller.archive.readers import CArchiveReader

    internal = build.bundle / "_internal"
    for needed in (
        "resources/fonts/TongbanSans-Regular.ttf",
        "resources/catalogue/seed.json",
        "resources/holidays/cn.json",
        "resources/themes/counter.qss",
        "resources/themes/check.png",
        "resources/translations/tongban_zh_CN.qm",
        "PySide6/Qt/plugins/platforms/libqxcb.so",
        "PySide6/Qt/plugins/platforms/libqoffscreen.so",
        "PySide6/Qt/translations/qtbase_zh_CN.qm",
        "escpos/capabilities.json",
    ):
        assert (internal / needed).is_file(), needed
    assert not (internal / "PySide6/Qt/plugins/platformthemes/libqgtk3.so").exists()
    assert not list(internal.glob("libgtk-3*"))

    archive = CArchiveReader(str(build.bundle / "tongban"))
    pyz_name = next(name for name, entry in archive.toc.items() if name.startswith("PYZ"))
    pyz = archive.open_embedded_archive(pyz_name)
    modules = set(pyz.toc)
    assert {"app.cli", "ui.app", "offline_cache.store", "app.services.diagnose", "ui.kiosk.voice_host"} <= modules
    leaked = sorted(m for m in modules if m.split(".")[0] in FORBIDDEN_MODULES)
    assert not leaked, leaked
    on_disk = sorted(p.name for p in internal.iterdir() if p.name.split("-")[0] in FORBIDDEN_MODULES)
    assert not on_disk, on_disk

    # No personal value anywhere: not in a file, not in the code of any bundled module.
    needles = [value.encode("utf-8") for value in PERSONAL]
    for path in build.bundle.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not [n for n in needles if n in data], path
    for name in modules:
        code = pyz.extract(name, raw=True)
        if isinstance(code, tuple):
            code = code[1]
        if isinstance(code, bytes):
            assert not [n for n in needles if n in code], name


def test_terminal_deb_metadata(build: Build) -> None:
    info = subprocess.run(["dpkg-deb", "-I", str(build.terminal_deb)], capture_output=True, text=True, check=True)
    fields = info.stdout
    assert "Package: tongban-terminal" in fields and f"Version: {__version__}" in fields
    depends = next(line for line in fields.splitlines() if line.strip().startswith("Depends:"))
    for package in ("libc6 (>= ", "libgl1", "libegl1", "libxcb1", "fontconfig-config", "xkb-data"):
        assert package in depends
    # The kiosk's voice: the server, its espeak-ng module (a package of its own) and espeak-ng; recommended only.
    recommends = next(line for line in fields.splitlines() if line.strip().startswith("Recommends:"))
    assert recommends.split(":", 1)[1].strip().split(", ") == [
        "cups-client",
        "libspeechd2",
        "speech-dispatcher",
        "speech-dispatcher-espeak-ng",
        "espeak-ng",
    ]
    assert "speech" not in depends and "espeak" not in depends
    assert "Suggests:" not in fields
    conffiles = subprocess.run(
        ["dpkg-deb", "--info", str(build.terminal_deb), "conffiles"], capture_output=True, text=True, check=True
    ).stdout.split()
    assert conffiles == ["/etc/tongban/config.toml", "/etc/xdg/autostart/tongban-kiosk.desktop"]
    contents = subprocess.run(
        ["dpkg-deb", "-c", str(build.terminal_deb)], capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "./opt/tongban-terminal/tongban",
        "./usr/bin/tongban",
        "./usr/share/applications/tongban.desktop",
        "./usr/share/icons/hicolor/256x256/apps/tongban.png",
        "./usr/share/doc/tongban-terminal/install.md",
    ):
        assert path in contents


# --- the installed terminal -------------------------------------------------------------------------------------


def test_installed_tongban_runs_from_its_own_bundle(installed: Path, tmp_path: Path) -> None:
    tongban = str(installed / "usr" / "bin" / "tongban")
    env = _clean_env(tmp_path / "home")

    version = _run([tongban, "--version"], env)
    assert version.returncode == 0, version.stderr
    assert version.stdout.strip() == f"tongban-terminal {__version__}"

    status = _run([tongban, "status", "--json"], env)
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["data_dir"] == str(tmp_path / "home" / ".local" / "share" / "tongban")
    assert state["schema_version"] == schema.SCHEMA_VERSION
    assert state["queue_depth"] == 0

    # The kiosk's voice host is this executable with a hidden argument (ui/kiosk/voice.py): it builds an engine from
    # the bundle's QtTextToSpeech and answers its line protocol.
    voice = subprocess.run(
        [tongban, "--voice-host", "--engine", "mock"],
        input="say 首页\n",
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert voice.returncode == 0, voice.stderr
    assert voice.stdout.splitlines()[:2] == ["building mock", "ready mock\tBob"], voice.stdout + voice.stderr

    effective = json.loads(_run([tongban, "config", "--json"], env).stdout)
    assert effective["config_file"] == str(installed / "etc" / "tongban" / "config.toml")

    window = _run([tongban, "--exit-when-idle"], env)
    assert window.returncode == 0, window.stderr
    assert window.stdout.startswith("IDLE "), window.stdout + window.stderr
    log = (tmp_path / "home" / ".local" / "state" / "tongban" / "log" / "tongban.log").read_text(encoding="utf-8")
    assert "in counter mode" in log
    assert "shipped font missing" not in log and "translation catalogue missing" not in log

    archive = tmp_path / "diag.zip"
    diagnose = _run([tongban, "diagnose", "--out", str(archive)], env)
    assert diagnose.returncode == 0, diagnose.stderr
    import zipfile

    with zipfile.ZipFile(archive) as diag:
        versions = json.loads(diag.read("tongban-diagnose/versions.json"))
    assert versions["frozen"] is True and versions["qt"].startswith("6.")


def test_kiosk_autostart_is_opt_in(installed: Path, tmp_path: Path) -> None:
    autostart = str(installed / "usr" / "bin" / "tongban-autostart")
    entry = (installed / "etc" / "xdg" / "autostart" / "tongban-kiosk.desktop").read_text(encoding="utf-8")
    assert "Exec=tongban-autostart" in entry

    off = _run([autostart, "--exit-when-idle"], _clean_env(tmp_path / "home"))
    assert off.returncode == 0 and "IDLE" not in off.stdout  # default config: nothing starts

    config = tmp_path / "kiosk.toml"
    config.write_text('mode = "kiosk"\n\n[kiosk]\nautostart = true\n', encoding="utf-8")
    # The locked kiosk leaves on its own after its IDLE line, as the counter does (the probe ends the event loop).
    on = _run([autostart, "--exit-when-idle"], _clean_env(tmp_path / "home", TONGBAN_CONFIG=str(config)))
    assert on.returncode == 0, on.stderr
    assert on.stdout.startswith("IDLE ")
    log = (tmp_path / "home" / ".local" / "state" / "tongban" / "log" / "tongban.log").read_text(encoding="utf-8")
    assert "in kiosk mode" in log
    assert "kiosk close request ignored" not in log


def test_upgrade_keeps_the_admins_config_and_the_queue_and_migrates_the_database(build: Build, tmp_path: Path) -> None:
    root = _empty_dpkg_root(tmp_path / "root")
    first = _dpkg(root, "-i", str(build.old_terminal_deb))
    assert first.returncode == 0, first.stderr
    # The administrator points the terminal at a shared data folder; an older program left a schema-1 database
    # there with a case, its receipt and a rating waiting in the outbox.
    config = root / "etc" / "tongban" / "config.toml"
    data = root / "var" / "lib" / "tongban" / "counter"
    config.write_text(f'data_dir = "{data}"\nwindow = "07"\n' + config.read_text(encoding="utf-8"), "utf-8")
    data.mkdir(parents=True)
    shutil.copyfile(DB_VERSIONS / "v1.sqlite", data / "terminal.sqlite3")
    shutil.copyfile(DB_VERSIONS / "v1.sqlite.key", data / "terminal.sqlite3.key")
    (data / "terminal.sqlite3.key").chmod(0o600)
    with sqlite3.connect(data / "terminal.sqlite3") as conn:
        pending = conn.execute("SELECT count(*) FROM outbox WHERE state = 'pending'").fetchone()[0]
        assert conn.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] == 1
    assert pending == 3

    upgrade = _dpkg(root, "-i", str(build.terminal_deb))
    assert upgrade.returncode == 0, upgrade.stderr
    package = _dpkg(root, "-s", "tongban-terminal").stdout
    assert "Status: install ok installed" in package and f"Version: {__version__}" in package
    assert 'window = "07"' in config.read_text(encoding="utf-8")  # the admin's edit survived

    env = _clean_env(tmp_path / "home")
    status = _run([str(root / "usr" / "bin" / "tongban"), "status", "--json"], env)
    assert status.returncode == 0, status.stderr
    state = json.loads(status.stdout)
    assert state["data_dir"] == str(data)
    assert state["schema_version"] == schema.SCHEMA_VERSION > 1
    assert state["queue_depth"] == pending
    assert state["case_count"] == 1

    removed = _dpkg(root, "--remove", "tongban-terminal")
    assert removed.returncode == 0, removed.stderr
    assert not (root / "opt" / "tongban-terminal").exists()
    assert config.exists() and (data / "terminal.sqlite3").exists()  # remove keeps data and settings

    purged = _dpkg(root, "--purge", "tongban-terminal")
    assert purged.returncode == 0, purged.stderr
    assert not (root / "etc" / "tongban").exists()
    assert not (root / "var" / "lib" / "tongban").exists()


# --- the platform package ---------------------------------------------------------------------------------------


def test_central_deb_has_its_service_config_and_runs_from_its_bundle(build: Build, tmp_path: Path) -> None:
    info = subprocess.run(["dpkg-deb", "-I", str(build.central_deb)], capture_output=True, text=True, check=True)
    assert "Package: tongban-central" in info.stdout
    for script in ("postinst", "prerm", "postrm", "conffiles"):
        assert script in info.stdout
    tree = tmp_path / "tree"
    subprocess.run(["dpkg-deb", "-x", str(build.central_deb), str(tree)], check=True, timeout=300)
    unit = (tree / "lib" / "systemd" / "system" / "tongban-central.service").read_text(encoding="utf-8")
    assert "User=tongban-central" in unit
    assert "EnvironmentFile=/etc/tongban-central/central.env" in unit
    assert "serve --host ${TB_CENTRAL_HOST} --port ${TB_CENTRAL_PORT}" in unit
    env_file = (tree / "etc" / "tongban-central" / "central.env").read_text(encoding="utf-8")
    assert "TB_CENTRAL_DB=sqlite:////var/lib/tongban-central/central.db" in env_file
    postinst = subprocess.run(
        ["dpkg-deb", "--info", str(build.central_deb), "postinst"], capture_output=True, text=True, check=True
    ).stdout
    assert "tongban-central migrate" in postinst and "useradd --system" in postinst
    nginx = tree / "usr" / "share" / "doc" / "tongban-central" / "examples" / "nginx-tongban-central.conf"
    assert "proxy_pass http://127.0.0.1:8700" in nginx.read_text(encoding="utf-8")
    assert not list((tree / "opt" / "tongban-central").rglob("libQt6Core*"))  # no GUI in the server bundle

    db = tmp_path / "central.db"
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "LANG": "C.UTF-8", "TB_CENTRAL_DB": f"sqlite:///{db}"}
    wrapper = subprocess.run(
        [str(tree / "usr" / "bin" / "tongban-central"), "--help"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert wrapper.returncode == 0 and "migrate" in wrapper.stdout, wrapper.stderr
    # The wrapper reads the packaged central.env (the service's database); the bundle itself takes the test's.
    central = str(tree / "opt" / "tongban-central" / "tongban-central")
    migrate = subprocess.run([central, "migrate"], capture_output=True, text=True, env=env, timeout=120, check=False)
    assert migrate.returncode == 0, migrate.stderr
    port = _free_port()
    server = subprocess.Popen(
        [central, "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        body = _wait_for_health(f"http://127.0.0.1:{port}/healthz", server)
        assert body
    finally:
        server.terminate()
        server.wait(timeout=30)
        assert server.stderr is not None
        server.stderr.close()


def _free_port() -> int:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for_health(url: str, server: subprocess.Popen[str]) -> bytes:
    import time

    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if server.poll() is not None:
            assert server.stderr is not None
            pytest.fail(f"tongban-central exited: {server.stderr.read()[-2000:]}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                assert response.status == 200
                return bytes(response.read())
        except OSError:
            time.sleep(0.2)  # polling a subprocess's port (no Qt here): the server has no ready signal
    pytest.fail("tongban-central did not answer /healthz within 90 s")
