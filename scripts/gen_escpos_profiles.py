"""Write resources/printers/escpos_profiles.json: the few facts of each python-escpos printer profile we use.

Why: python-escpos parses its whole printer database (a large YAML file) on import, in every process — about 1.2 s
of a `tongban receipt --format escpos` run on a busy machine (issue 15). The thermal renderer needs three facts per
profile (printable width in dots, native QR, cutter), so the terminal ships just those, generated from the
installed python-escpos by this script; `tests/unit/test_printing_thermal.py` checks the file against it.

    .venv/bin/python scripts/gen_escpos_profiles.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent.parent / "resources" / "printers" / "escpos_profiles.json"


def profile_facts() -> dict[str, dict[str, Any]]:
    """{profile name: {"pixels": int | None, "qr": bool, "cut": "full" | "part" | None}} from python-escpos."""
    from escpos.capabilities import CAPABILITIES, get_profile

    facts: dict[str, dict[str, Any]] = {}
    for name in sorted(CAPABILITIES["profiles"]):
        caps = get_profile(name)
        pixels = caps.profile_data.get("media", {}).get("width", {}).get("pixels")
        cut = "full" if caps.supports("paperFullCut") else "part" if caps.supports("paperPartCut") else None
        facts[name] = {
            "pixels": pixels if isinstance(pixels, int) and pixels > 0 else None,
            "qr": bool(caps.supports("qrCode")),
            "cut": cut,
        }
    return facts


def main() -> int:
    import escpos

    data = {"source": f"python-escpos {getattr(escpos, '__version__', '')}".strip(), "profiles": profile_facts()}
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    print(f"wrote {OUT} ({len(data['profiles'])} profiles)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
