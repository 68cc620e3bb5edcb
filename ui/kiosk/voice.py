"""Voice prompts through QtTextToSpeech: each page's title and the focused choice, in Mandarin where the engine has
it; a mute switch; silent when no engine exists or the engine fails (the kiosk never waits for speech).

The engine lives in a child process, the voice host (`tongban --voice-host`, ui/kiosk/voice_host.py): building Qt's
speechd engine reads espeak-ng's 13,362 voices (seconds) and libspeechd waits without a bound for a server that does
not answer, and PySide holds Python's GIL inside both, so on any thread of this process they froze the GUI thread
with them. This side only writes lines to the host and reads its answers when QProcess says they are there; a host
that does not answer within a bound is killed (and started once more if it had worked); nothing here waits for it,
except the exit, which kills it and waits a bounded time for the kernel to reap it."""

from __future__ import annotations

import atexit
import functools
import logging
import os
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, ClassVar, cast

from PySide6.QtCore import QObject, QProcess, QTimer, Signal, Slot

if TYPE_CHECKING:
    from PySide6.QtCore import Qt

log = logging.getLogger("tongban.kiosk")
#: Qt.ConnectionType.DirectConnection as a number: the kiosk's first frame builds a Voice, and PySide6 builds all ~93
#: enum types of the `Qt` namespace at its first touch (~45 ms, issue 13); `connect` takes the number as well.
_DIRECT_CONNECTION = cast("Qt.ConnectionType", 1)

#: The hidden first argument of `tongban` that runs the voice host (app/cli.py VOICE_HOST).
VOICE_HOST = "--voice-host"
#: How long the host may take from its start to `ready` or `none`: greeting the server (3 s bound), spawning a
#: missing one (15 s bound), importing Qt and building the engine (about 3 s idle, more on a busy machine).
BUILD_WAIT_MS = 60_000
#: How long the host may take to carry out a command (say, stop) once its engine is built.
ANSWER_WAIT_MS = 5_000
#: How long the program's exit (or a Voice's end) waits for the killed host to be reaped.
EXIT_WAIT_MS = 2_000
#: How many times a host that had worked and then died or hung is started again.
RESTARTS = 1
#: A host that has been ready this long earns that restart back: a kiosk that runs all day keeps its voice after a
#: rare death each morning and afternoon, while a host that dies again soon after its start leaves it silent.
RESTART_EARNED_AFTER_S = 600.0


def host_command(engine: str) -> tuple[str, list[str]]:
    """The program and arguments that start the voice host: this executable with the hidden argument in the frozen
    bundle; this interpreter running app.cli from this source tree otherwise (a venv, editable or not)."""
    arguments = [VOICE_HOST, "--engine", engine, "--parent", str(os.getpid())]
    if getattr(sys, "frozen", False):
        return sys.executable, arguments
    root = str(Path(__file__).resolve().parents[2])  # the folder that holds `app` and `ui`
    code = "import sys; sys.path.insert(0, sys.argv.pop(1)); from app.cli import main; sys.exit(main())"
    return sys.executable, ["-c", code, root, *arguments]


class _Host(QObject):
    """One voice host process as the kiosk sees it: commands out, events in, a watchdog on its answers.

    Signals:
        line(str, str): a line from the host: its kind (building, ready, none, state) and the rest.
        failed(str): the host died, could not start, or gave no answer in time (a precise reason); it is killed.
    """

    line = Signal(str, str)
    failed = Signal(str)

    def __init__(self, engine: str) -> None:
        super().__init__()
        self.engine = engine
        self.ready = False
        self.pid = 0
        self._pending: list[str] = []  # commands sent, not yet answered with `ok` (their names only)
        self._out = bytearray()
        self._err = bytearray()
        self._done = False  # `none` came or we ended it: its exit is expected
        self.process = QProcess(self)
        self.process.setObjectName("tongban-voice-host")
        program, arguments = host_command(engine)
        self.process.setProgram(program)
        self.process.setArguments(arguments)
        self.process.readyReadStandardOutput.connect(self._read_out)
        self.process.readyReadStandardError.connect(self._read_err)
        self.process.errorOccurred.connect(self._error)
        self.process.finished.connect(self._finished)
        self.process.started.connect(self._started)
        self.watchdog = QTimer(self)
        self.watchdog.setObjectName("voice_host_watchdog")
        self.watchdog.setSingleShot(True)
        self.watchdog.timeout.connect(self._timed_out)

    def start(self) -> None:
        self.process.start()  # asynchronous: `started` or `errorOccurred` follow
        self.watchdog.start(BUILD_WAIT_MS)

    def send(self, command: str, text: str = "") -> None:
        if self._done:
            return
        line = f"{command} {' '.join(text.split())}" if text else command
        self.process.write(line.encode("utf-8") + b"\n")  # buffered by QProcess: never blocks
        self._pending.append(command)
        if self.ready and not self.watchdog.isActive():
            self.watchdog.start(ANSWER_WAIT_MS)

    def end(self, *, wait: bool) -> None:
        """Kill the host, silently (no more events). `wait`: also wait (EXIT_WAIT_MS at most) for it to be reaped,
        at the program's exit; else it is reaped when QProcess reports its end, and this object deleted then."""
        self._done = True
        self.watchdog.stop()
        self.blockSignals(True)
        if self.process.state() == QProcess.ProcessState.NotRunning:
            self.deleteLater()
            return
        self.process.kill()
        if wait and not self.process.waitForFinished(EXIT_WAIT_MS):
            log.info(
                "voice host (pid %s) still there %d ms after it was killed; left to the system", self.pid, EXIT_WAIT_MS
            )

    @Slot()
    def _started(self) -> None:
        self.pid = int(self.process.processId())
        log.info("voice host started (pid %s, engine %s)", self.pid, self.engine or "default")

    @Slot()
    def _read_out(self) -> None:
        self._out += bytes(self.process.readAllStandardOutput().data())
        while b"\n" in self._out:
            raw, _, rest = self._out.partition(b"\n")
            self._out = bytearray(rest)
            kind, _, text = raw.decode("utf-8", "replace").partition(" ")
            self._answer(kind, text)

    def _answer(self, kind: str, text: str) -> None:
        if kind == "ok":
            if self._pending:
                self._pending.pop(0)
            if self.ready:
                if self._pending:
                    self.watchdog.start(ANSWER_WAIT_MS)
                else:
                    self.watchdog.stop()
            return
        if kind == "ready":
            self.ready = True
            if self._pending:
                self.watchdog.start(ANSWER_WAIT_MS)  # the commands sent meanwhile are carried out now
            else:
                self.watchdog.stop()
        elif kind == "none":
            self._done = True
            self.watchdog.stop()
        self.line.emit(kind, text)

    @Slot()
    def _read_err(self) -> None:
        self._err += bytes(self.process.readAllStandardError().data())
        *lines, rest = self._err.split(b"\n")
        self._err = bytearray(rest[-4096:])
        for line in lines:
            text = line.decode("utf-8", "replace").strip()
            if text:
                log.info("voice host (pid %s): %s", self.pid, text[:300])

    @Slot(QProcess.ProcessError)
    def _error(self, error: QProcess.ProcessError) -> None:
        if error == QProcess.ProcessError.FailedToStart:
            self._fail(f"voice host could not start ({self.process.program()}: {self.process.errorString()})")

    @Slot(int, QProcess.ExitStatus)
    def _finished(self, code: int, status: QProcess.ExitStatus) -> None:
        self.watchdog.stop()
        if not self._done:
            how = "crashed" if status == QProcess.ExitStatus.CrashExit else f"exited with {code}"
            if not self.ready:
                doing = "building the engine"
            else:
                doing = f"carrying out {self._pending[0]!r}" if self._pending else "idle"
            self._fail(f"voice host (pid {self.pid}) {how} while {doing}")
        self._done = True
        self.deleteLater()

    @Slot()
    def _timed_out(self) -> None:
        if self.ready:
            wait, doing = ANSWER_WAIT_MS, f"to {self._pending[0]!r}" if self._pending else ""
        else:
            wait, doing = BUILD_WAIT_MS, "after its start (building the engine)"
        self._fail(f"voice host (pid {self.pid}) gave no answer within {wait // 1000} s {doing}; killed")

    def _fail(self, reason: str) -> None:
        if self._done:
            return
        self.failed.emit(reason)
        self.end(wait=False)


class _Hosts:
    """Every live host, so that the program's exit kills them all (a Voice may outlive the event loop)."""

    live: ClassVar[dict[int, _Host]] = {}
    registered: ClassVar[bool] = False

    @classmethod
    def adopt(cls, host: _Host) -> None:
        if not cls.registered:
            cls.registered = True
            atexit.register(cls.end_all)
        key = id(host)
        cls.live[key] = host
        host.destroyed.connect(functools.partial(cls.forget, key), _DIRECT_CONNECTION)

    @classmethod
    def forget(cls, key: int, *_destroyed: object) -> None:
        cls.live.pop(key, None)

    @classmethod
    def end(cls, host: _Host, *, wait: bool) -> None:
        if id(host) in cls.live:
            host.end(wait=wait)

    @classmethod
    def end_all(cls) -> None:
        for host in list(cls.live.values()):
            host.end(wait=True)
        cls.live.clear()


class Voice(QObject):
    """`say(text)` interrupts what is being said. `available` is True once the voice host's engine is ready to speak
    (the host is started at the first prompt, or at `start()`), False while it is built and when there is none.

    Signals:
        ready(bool): the engine was built and can speak (or there is none); `engine_name`, `voice_name` are set.
            Again after a restart (True), or False once a host that had worked fails for good.
        state_changed(str): the engine's QTextToSpeech.State by name (Speaking, Ready …).
    """

    ready = Signal(bool)
    state_changed = Signal(str)

    def __init__(
        self,
        *,
        enabled: bool,
        engine: str | None = None,
        clock: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        """`clock`: monotonic seconds, for how long a host has worked (RESTART_EARNED_AFTER_S)."""
        super().__init__(parent)
        self.muted = not enabled
        self.spoken: list[str] = []  # the last few prompts (tests and the AT check read them; no personal data)
        self.engine_name = ""
        self.voice_name = ""
        self.host_pid = 0
        self._wanted = engine or ""
        self._host: _Host | None = None
        self._restarts = RESTARTS
        self._clock = clock
        self._ready_at: float | None = None  # when the live host said `ready`
        self._state = "unknown"  # unknown → building → ready | none
        # The live host, in a list the `destroyed` handler shares (it runs while this object is being deleted, so it
        # cannot use self): the Voice's end kills its host.
        self._host_box: list[_Host] = []
        self.destroyed.connect(functools.partial(Voice._end_host, self._host_box), _DIRECT_CONNECTION)

    @staticmethod
    def _end_host(box: list[_Host], *_destroyed: object) -> None:
        for host in box:
            _Hosts.end(host, wait=True)  # the Voice is going: its host with it, reaped before this returns
        box.clear()

    def start(self) -> None:
        """Start the voice host now (it is otherwise started at the first prompt)."""
        if self._state == "unknown":
            self._spawn()

    def _spawn(self) -> None:
        self._state = "building"
        host = _Host(self._wanted)
        _Hosts.adopt(host)
        host.line.connect(self._event)
        host.failed.connect(self._failed)
        host.process.started.connect(self._started)
        self._host = host
        self._host_box[:] = [host]
        host.start()

    @Slot()
    def _started(self) -> None:
        if self._host is not None:
            self.host_pid = int(self._host.process.processId())

    @Slot(str, str)
    def _event(self, kind: str, text: str) -> None:
        if kind == "ready":
            engine, _, voice = text.partition("\t")
            self._state = "ready"
            self._ready_at = self._clock()
            self.engine_name, self.voice_name = engine, voice
            log.info("voice ready: engine %s, voice %s", engine, voice or "default")
            self.ready.emit(True)
        elif kind == "none":
            self._silent(f"voice host: {text}")
        elif kind == "state":
            self.state_changed.emit(text)
        elif kind == "building":
            log.info("voice host building the %s engine", text)

    @Slot(str)
    def _failed(self, reason: str) -> None:
        had_worked = self._state == "ready"
        self._host = None
        if had_worked and self._ready_at is not None and self._clock() - self._ready_at >= RESTART_EARNED_AFTER_S:
            self._restarts = RESTARTS  # it worked long enough: not a host that keeps dying
        if had_worked and self._restarts > 0:
            self._restarts -= 1
            log.info("%s; starting the voice host again", reason)
            self.engine_name = self.voice_name = ""
            self._spawn()  # the next prompts are spoken once it is ready (or not, if it stays silent)
            return
        self._silent(reason)

    def _silent(self, reason: str) -> None:
        log.info("%s; voice prompts are silent", reason)
        self._state = "none"
        self._host = None
        self.engine_name = self.voice_name = ""
        self.ready.emit(False)

    @property
    def available(self) -> bool:
        return self._state == "ready"

    @property
    def building(self) -> bool:
        return self._state == "building"

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self.stop()
        else:
            self.start()  # built while the citizen looks at the page: the next prompt is heard

    def say(self, text: str, *, interrupt: bool = True) -> None:
        """Speak `text` now (`interrupt`), or after what is being said."""
        if self.muted or not text:
            return
        self.spoken = [*self.spoken[-9:], text]
        self.start()
        if self._host is not None:
            self._host.send("say" if interrupt else "queue", text)  # spoken once the engine is built

    def stop(self) -> None:
        if self._host is not None:
            self._host.send("stop")

    def forget(self) -> None:
        self.stop()
        self.spoken = []
