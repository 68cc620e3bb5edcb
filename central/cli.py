"""`tongban-central`: the reference platform's command line (the service itself comes in its own issue)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    print(
        "tongban-central: the reference central platform is not built yet (see its issue).", file=sys.stderr
    )
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
