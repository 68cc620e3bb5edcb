"""Fault hooks for the terminal's fault tests (FAULTS.md), off unless `TB_FAULT` or `TB_FAULT_FILE` is set.

Syntax: faults separated by `,`; each one of
- `exit_after_commit`: the process exits (`os._exit(9)`) after a batch commits, before it answers;
- `sleep_after_commit:S`: sleep S seconds after a batch commits (the log already says `COMMITTED batch`);
- `status:CODE[:ra=N][:n=K]`: answer CODE to every signed API request (with `Retry-After: N`; only the first
  K requests when `n` is given);
- `crash_on:RECORD_ID`: a batch holding that record fails with 500 and stores nothing;
- `reject:RECORD_ID`: that record is `rejected(bad_field)`.
`TB_FAULT_FILE` names a file holding the same syntax, re-read on every request, so a test can switch faults
without restarting the server.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class StatusFault:
    status: int
    retry_after: int | None = None
    remaining: int | None = None


@dataclass
class Faults:
    exit_after_commit: bool = False
    sleep_after_commit: float = 0.0
    status: StatusFault | None = None
    crash_on: set[str] = field(default_factory=set)
    reject: set[str] = field(default_factory=set)

    @property
    def active(self) -> bool:
        return bool(self.exit_after_commit or self.sleep_after_commit or self.status or self.crash_on or self.reject)


def parse(spec: str) -> Faults:
    faults = Faults()
    for raw in spec.replace("\n", ",").split(","):
        part = raw.strip()
        if not part:
            continue
        name, _, arg = part.partition(":")
        if name == "exit_after_commit":
            faults.exit_after_commit = True
        elif name == "sleep_after_commit":
            faults.sleep_after_commit = float(arg)
        elif name == "status":
            code, *opts = arg.split(":")
            fault = StatusFault(int(code))
            for opt in opts:
                key, _, value = opt.partition("=")
                if key == "ra":
                    fault.retry_after = int(value)
                elif key == "n":
                    fault.remaining = int(value)
                else:
                    raise ValueError(f"unknown status fault option {key!r}")
            faults.status = fault
        elif name == "crash_on":
            faults.crash_on.add(arg)
        elif name == "reject":
            faults.reject.add(arg)
        else:
            raise ValueError(f"unknown fault {name!r}")
    return faults


class FaultSource:
    """The faults in force now: from `TB_FAULT` (fixed) or `TB_FAULT_FILE` (re-read each request)."""

    def __init__(self, env: dict[str, str] | None = None) -> None:
        env = dict(os.environ) if env is None else env
        self._fixed = parse(env.get("TB_FAULT", ""))
        self._file = Path(env["TB_FAULT_FILE"]) if env.get("TB_FAULT_FILE") else None
        self._file_text: str | None = None
        self._file_faults = Faults()
        self._lock = threading.Lock()

    def current(self) -> Faults:
        if self._file is None:
            return self._fixed
        try:
            text = self._file.read_text(encoding="utf-8")
        except FileNotFoundError:
            text = ""
        with self._lock:
            if text != self._file_text:
                self._file_text = text
                self._file_faults = parse(text)
            return self._file_faults

    def take_status(self) -> StatusFault | None:
        """The status fault for this request, counting down `n` when given."""
        faults = self.current()
        fault = faults.status
        if fault is None:
            return None
        with self._lock:
            if fault.remaining is not None:
                if fault.remaining <= 0:
                    return None
                fault.remaining -= 1
        return fault
