"""Build the distributable bundle and installers (PyInstaller bundle, Debian package, Windows installer).

Not built yet: packaging has its own issue. Running this script says so and exits non-zero, so that nobody
mistakes it for a working build step.
"""

from __future__ import annotations

import sys


def main() -> int:
    print("build_installer.py: installers are not built yet (their own issue follows).", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
