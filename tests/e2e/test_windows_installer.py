"""The Windows installer script from build_installer.py, compiled with Debian's makensis against a placeholder
payload (the real payload is a bundle built on Windows; docs/install.md)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from app import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_windows_installer_script_compiles_with_makensis(tmp_path: Path) -> None:
    payload = tmp_path / "payload"
    (payload / "_internal" / "resources").mkdir(parents=True)
    for exe in ("tongban.exe", "tongbanw.exe"):
        (payload / exe).write_bytes(b"MZ placeholder")
    (payload / "_internal" / "resources" / "placeholder.txt").write_text("placeholder", encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(ROOT / "build_installer.py"), "--out", str(tmp_path / "dist"), "--targets", "windows",
         "--nsis-payload", str(payload)],
        capture_output=True, text=True, timeout=600, cwd=ROOT, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    output = result.stdout
    script = (tmp_path / "dist" / "windows" / "tongban.nsi").read_text(encoding="utf-8")
    assert 'Section /o "自助终端开机自启 (kiosk autostart)"' in script  # opt-in
    assert 'Section /o "un.删除本机数据和设置' in script  # uninstall keeps data unless asked
    assert "$SMPROGRAMS" in script
    setup = tmp_path / "dist" / f"tongban-terminal-{__version__}-setup.exe"
    assert setup.read_bytes()[:2] == b"MZ"
    assert str(setup) in output
