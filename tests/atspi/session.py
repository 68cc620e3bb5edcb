"""A private X screen and session bus on which a Qt program runs with its AT-SPI bridge on, and a walker that sees
its windows as Orca does (PLATFORM_NOTES "AT-SPI check"). Reusable for any window of the program: start a driver
(a venv-Python script that answers page names with JSON, see counter_driver.py), ask it for a page, walk it,
and check the nodes with `problems()`.

    with AtspiSession() as session:                        # one Xvfb + one dbus-run-session bus
        with session.driver("tests.atspi.counter_driver") as driver:
            page = driver.show("item_picker")              # {"title", "marker", "scope"}
            nodes = session.walk(driver.pid, page)         # the showing nodes of that page
            assert problems(nodes) == []

Nothing here sleeps for a fixed time: each wait polls a condition with a generous bound (a busy 2-core CI).
"""

from __future__ import annotations

import json
import os
import re
import select
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import IO, Any

ROOT = Path(__file__).resolve().parents[2]
WALKER = Path(__file__).with_name("walker.py")
ACTOR = Path(__file__).with_name("actor.py")
SYSTEM_PYTHON = "/usr/bin/python3"
#: Generous bounds for a busy 2-core machine; a healthy run takes a fraction of each.
START_TIMEOUT = 90.0
PAGE_TIMEOUT = 90.0

#: Roles a clerk operates; each needs a Chinese name.
INTERACTIVE_ROLES = frozenset(
    {
        "push button",
        "toggle button",
        "check box",
        "radio button",
        "combo box",
        "text",
        "password text",
        "entry",
        "spin button",
        "slider",
        "list",
        "list box",
        "table",
        "tree",
        "tree table",
        "page tab",
        "link",
        "date editor",
        "menu item",
        "check menu item",
        "radio menu item",
        "menu",
    }
)
#: Rows, cells and items are named by their data (a case number, a file name), not by the program.
ITEM_ROLES = frozenset(
    {"list item", "table cell", "table row", "tree item", "column header", "row header", "table column header"}
)
_CHINESE = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\U00020000-\U0003134f]")


def missing_tools() -> list[str]:
    """What this machine lacks for the check (Debian: xvfb, dbus, at-spi2-core, python3-pyatspi, gir1.2-atspi-2.0)."""
    missing = [tool for tool in ("Xvfb", "dbus-run-session") if shutil.which(tool) is None]
    if not Path(SYSTEM_PYTHON).exists():
        missing.append(SYSTEM_PYTHON)
    elif (
        subprocess.run([SYSTEM_PYTHON, "-c", "import pyatspi"], capture_output=True, timeout=60, check=False).returncode
        != 0
    ):
        missing.append("pyatspi for /usr/bin/python3")
    return missing


def has_chinese(text: str) -> bool:
    return bool(_CHINESE.search(text))


def in_scope(node: dict[str, Any], scope: str) -> bool:
    """A node inside the part of the window named by `scope` (an object-name segment of its accessible id)."""
    return not scope or scope in str(node.get("id", "")).split(".")


def interactive(node: dict[str, Any]) -> bool:
    role = str(node["role"])
    if role in ITEM_ROLES:
        return False
    return role in INTERACTIVE_ROLES or "focusable" in node["states"]


def problems(nodes: list[dict[str, Any]]) -> list[str]:
    """What a screen-reader user would miss: an interactive node without a Chinese name, or a drop-down that is
    announced only by its current value (Qt names a QComboBox by its text and ignores setAccessibleName: it needs a
    label tied to it, which AT-SPI carries as a labelled-by relation)."""
    found: list[str] = []
    for node in nodes:
        if not interactive(node):
            continue
        role, name = str(node["role"]), str(node["name"])
        where = f"{role} {node['id'] or node['path']}"
        if role == "combo box":
            labels = [t for t in node["relations"].get("labelled-by", []) if has_chinese(t) and t.strip() != name]
            if not labels:
                found.append(f"{where}: drop-down named only by its value {name!r} (no label tied to it)")
            continue
        if not has_chinese(name):
            found.append(f"{where}: no Chinese name ({name!r})")
    return found


def _read_line(stream: IO[str], process: subprocess.Popen[str], timeout: float, what: str) -> str:
    """One line from a child's stdout within `timeout` (polled with select; the child's death ends the wait)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ready, _, _ = select.select([stream], [], [], 0.5)
        if ready:
            line = stream.readline()
            if line:
                return line
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}")
    raise TimeoutError(f"{what}: no answer within {timeout:.0f} s")


@dataclass
class Page:
    name: str
    title: str
    marker: str
    scope: str


class Driver:
    """A program under test that shows pages on command (one JSON line per page name)."""

    def __init__(self, process: subprocess.Popen[str], title: str) -> None:
        self.process = process
        self.main_title = title

    @property
    def pid(self) -> int:
        return self.process.pid

    def ask(self, name: str) -> dict[str, Any]:
        """Send one command (a page name, or a question the driver answers) and return its JSON answer."""
        assert self.process.stdin is not None and self.process.stdout is not None
        self.process.stdin.write(name + "\n")
        self.process.stdin.flush()
        answer: dict[str, Any] = json.loads(
            _read_line(self.process.stdout, self.process, PAGE_TIMEOUT, f"driver page {name}")
        )
        if "error" in answer:
            raise RuntimeError(f"driver could not show {name}: {answer['error']}")
        return answer

    def show(self, name: str) -> Page:
        answer = self.ask(name)
        return Page(name, answer["title"], answer.get("marker", ""), answer.get("scope", ""))


class AtspiSession:
    """Xvfb on a free display and a private session bus (dbus-run-session) for one test module."""

    def __init__(self, *, screen: str = "1280x1024x24") -> None:
        self._screen = screen
        self._xvfb: subprocess.Popen[bytes] | None = None
        self._bus: subprocess.Popen[str] | None = None
        self._runtime_dir: tempfile.TemporaryDirectory[str] | None = None
        self.env: dict[str, str] = {}

    def __enter__(self) -> AtspiSession:
        read_fd, write_fd = os.pipe()
        self._xvfb = subprocess.Popen(
            ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", self._screen, "-nolisten", "tcp"],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        os.close(write_fd)
        with os.fdopen(read_fd) as reader:
            ready, _, _ = select.select([reader], [], [], START_TIMEOUT)
            display = reader.readline().strip() if ready else ""
        if not display:
            self.__exit__(None, None, None)
            raise RuntimeError("Xvfb did not report its display")
        # at-spi-bus-launcher puts its socket in $XDG_RUNTIME_DIR/at-spi (else ~/.cache/at-spi, one fixed path per
        # user): a private runtime dir per session, or two sessions on one machine (two suite copies) remove each
        # other's socket ("Couldn't connect to accessibility bus").
        self._runtime_dir = tempfile.TemporaryDirectory(prefix="tb-atspi-")
        os.chmod(self._runtime_dir.name, 0o700)
        runtime = {"XDG_RUNTIME_DIR": self._runtime_dir.name}
        # The bus lives as long as the shell it runs: it prints the address, then waits for stdin to close.
        self._bus = subprocess.Popen(
            ["dbus-run-session", "--", "sh", "-c", 'echo "$DBUS_SESSION_BUS_ADDRESS"; exec cat >/dev/null'],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            text=True,
            env=os.environ | runtime,
        )
        assert self._bus.stdout is not None
        address = _read_line(self._bus.stdout, self._bus, START_TIMEOUT, "dbus-run-session").strip()
        base = {k: v for k, v in os.environ.items() if not k.startswith(("QT_", "DBUS_", "AT_SPI", "WAYLAND"))}
        self.env = (
            base
            | {
                "DISPLAY": f":{display}",
                "DBUS_SESSION_BUS_ADDRESS": address,
                "QT_QPA_PLATFORM": "xcb",
                "QT_LINUX_ACCESSIBILITY_ALWAYS_ON": "1",
                "NO_AT_BRIDGE": "0",
            }
            | runtime
        )
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        if self._bus is not None:
            if self._bus.stdin is not None:
                self._bus.stdin.close()  # the shell ends, dbus-run-session ends its bus (and the a11y bus)
            try:
                self._bus.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._bus.kill()
                self._bus.wait()
            if self._bus.stdout is not None:
                self._bus.stdout.close()
            self._bus = None
        if self._xvfb is not None:
            self._xvfb.terminate()
            try:
                self._xvfb.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._xvfb.kill()
                self._xvfb.wait()
            self._xvfb = None
        if self._runtime_dir is not None:
            self._runtime_dir.cleanup()
            self._runtime_dir = None

    @contextmanager
    def driver(self, module: str, *args: str) -> Iterator[Driver]:
        """Start `python -m module` (venv Python, in the project root) on this screen and bus; quit it on leaving."""
        process = subprocess.Popen(
            [sys.executable, "-m", module, *args],
            cwd=ROOT,
            env=self.env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert process.stdout is not None
            hello = json.loads(_read_line(process.stdout, process, START_TIMEOUT, f"driver {module}"))
            yield Driver(process, hello.get("title", ""))
        finally:
            if process.stdin is not None:
                try:
                    if process.poll() is None:
                        process.stdin.write("quit\n")
                    process.stdin.close()
                except BrokenPipeError:
                    pass
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            if process.stdout is not None:
                process.stdout.close()

    def act(
        self,
        pid: int,
        title: str,
        name: str,
        *,
        press: bool = False,
        focus: bool = False,
        text: str | None = None,
        scope: str = "",
        timeout: float = PAGE_TIMEOUT,
    ) -> dict[str, Any]:
        """Operate the one showing node named `name` as a screen-reader user does (actor.py): its Press action,
        its SetFocus action, or its text replaced (`text`); none of them: wait until it shows."""
        cmd = [SYSTEM_PYTHON, str(ACTOR), "--pid", str(pid), "--title", title, "--name", name]
        cmd += ["--timeout", str(timeout), "--scope", scope]
        if press:
            cmd.append("--press")
        elif focus:
            cmd.append("--focus")
        elif text is not None:
            cmd += ["--type", text]
        else:
            cmd.append("--wait")
        env = {k: v for k, v in self.env.items() if not k.startswith("PYTHON")}
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout + 60, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"actor failed on {name!r}: {result.stderr.strip()}")
        answer: dict[str, Any] = json.loads(result.stdout)
        return answer

    def walk(self, pid: int, page: Page, *, timeout: float = PAGE_TIMEOUT) -> list[dict[str, Any]]:
        """The showing nodes of `page` (in its scope) as the AT-SPI registry gives them to a screen reader."""
        cmd = [SYSTEM_PYTHON, str(WALKER), "--pid", str(pid), "--title", page.title, "--timeout", str(timeout)]
        if page.marker:
            cmd += ["--marker", page.marker]
        env = {k: v for k, v in self.env.items() if not k.startswith("PYTHON")}
        result = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout + 60, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"walker failed on {page.name}: {result.stderr.strip()}")
        nodes: list[dict[str, Any]] = json.loads(result.stdout)["nodes"]
        return [n for n in nodes if in_scope(n, page.scope)]
