"""Entry point of the frozen terminal bundle (PyInstaller runs this file; it is the `tongban` command)."""

from __future__ import annotations

import sys

from app.cli import main

if __name__ == "__main__":
    sys.exit(main())
