"""docs/central.md agrees with the code where it quotes the platform's answers."""

from __future__ import annotations

import re
from pathlib import Path

from central import migrations

DOC = Path(__file__).resolve().parents[3] / "docs" / "central.md"


def test_healthz_example_shows_the_current_schema_version() -> None:
    shown = re.findall(r'"schema_version":\s*(\d+)', DOC.read_text(encoding="utf-8"))
    assert shown, "docs/central.md quotes /healthz"
    assert {int(v) for v in shown} == {migrations.LATEST}
