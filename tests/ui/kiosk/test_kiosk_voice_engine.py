"""The kiosk's voice with a real engine: QtTextToSpeech's speechd plugin → speech-dispatcher → espeak-ng's Mandarin
voice (`cmn`), as on a Debian kiosk, built and run in the voice host process (ui/kiosk/voice_host.py). There is no
sound card here: a private speech-dispatcher plays into ALSA's `null` device, and its log shows what was synthesised.
Debian: speech-dispatcher, speech-dispatcher-espeak-ng, espeak-ng (scripts/setup.sh test). Also: the kiosk's GUI
thread runs while the engine is built, and a server or host that hangs, a missing host, and the kiosk's exit."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from tests.speechd import PrivateSpeechd, start_private_speechd
from ui.kiosk import voice as voice_module
from ui.kiosk.intake import IntakePage
from ui.kiosk.voice import Voice
from ui.kiosk.voice_host import ESPEAK_MANDARIN, speechd_answers

MODULE = Path("/usr/lib/speech-dispatcher-modules/sd_espeak-ng")


def _missing() -> str:
    if shutil.which("speech-dispatcher") is None:
        return "speech-dispatcher is not installed (Debian speech-dispatcher; scripts/setup.sh test installs it)"
    if not MODULE.exists():
        return f"{MODULE} is missing (Debian speech-dispatcher-espeak-ng)"
    if shutil.which("espeak-ng") is None:
        return "espeak-ng is not installed (Debian espeak-ng)"
    from PySide6.QtTextToSpeech import QTextToSpeech

    if "speechd" not in QTextToSpeech.availableEngines():
        return "QtTextToSpeech has no speechd engine (its plugin needs libspeechd2, from speech-dispatcher)"
    return ""


@pytest.fixture
def speechd(tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[PrivateSpeechd]:
    """A private speech-dispatcher (own runtime dir, socket and config) for this test."""
    missing = _missing()
    if missing:
        pytest.skip(missing)
    server = start_private_speechd(tmp_path)
    try:
        # Up once it answers a greeting (each try bounded by 1 s): a socket file alone may be a server still starting.
        try:
            qtbot.wait_until(
                lambda: server.process.poll() is not None or speechd_answers(server.socket, 1.0), timeout=60_000
            )
        except WaitTimeout:
            pytest.fail(
                f"the private speech-dispatcher did not answer at {server.socket} within 60 s (log in {server.logs})"
            )
        assert server.process.poll() is None, (
            f"speech-dispatcher exited with {server.process.returncode} (log in {server.logs})"
        )
        for name, value in server.env.items():
            monkeypatch.setenv(name, value)
        yield server
    finally:
        server.stop()


def _alive(pid: int) -> bool:
    """The process exists and is not a zombie (a zombie is dead, only not yet reaped by whoever adopted it)."""
    try:
        status = Path(f"/proc/{pid}/status").read_text(encoding="utf-8")
    except OSError:
        return False
    return "\nState:\tZ" not in status


class Ticks:
    """Counts the turns of a 10 ms timer on the GUI thread: Python there runs only if nothing holds the GIL."""

    def __init__(self) -> None:
        self.count = 0
        self.timer = QTimer()
        self.timer.setObjectName("test_ticks")
        self.timer.timeout.connect(self._tick)
        self.timer.start(10)

    def _tick(self) -> None:
        self.count += 1


def _end(qtbot: QtBot, voice: Voice) -> None:
    """Delete `voice` as the kiosk does at its end: its voice host is killed and reaped before the fixture stops the
    server."""
    pid = voice.host_pid
    with qtbot.wait_signal(voice.destroyed):
        voice.deleteLater()
    assert not pid or not _alive(pid), "the voice host outlived its Voice"


def test_the_kiosk_voice_speaks_a_page_title_in_mandarin_through_speech_dispatcher(
    gui_app: QApplication, qtbot: QtBot, speechd: PrivateSpeechd
) -> None:
    voice = Voice(enabled=True)  # no engine named: the kiosk's own choice, as in production
    try:
        with qtbot.wait_signal(voice.ready, timeout=120_000) as built:
            voice.start()
            # Building reads espeak-ng's 13,362 voices (seconds): it happens in the voice host process, and the kiosk
            # goes on meanwhile (a prompt asked for now is spoken once the engine is there).
            assert voice.building and not voice.available
        assert built.args == [True]
        assert voice.engine_name == "speechd"
        assert voice.voice_name == ESPEAK_MANDARIN
        assert voice.host_pid and voice.host_pid != os.getpid() and _alive(voice.host_pid)
        states: list[str] = []
        voice.state_changed.connect(states.append)
        with qtbot.wait_signal(voice.state_changed, timeout=60_000, check_params_cb=lambda s: s == "Ready"):
            voice.say(IntakePage.title)
        assert states[0] == "Speaking" and states[-1] == "Ready", states
        log = (speechd.logs / "speech-dispatcher.log").read_text(encoding="utf-8", errors="replace")
        assert "Using alsa audio output method" in log  # synthesised and played (into the null device)
        assert f"SET SELF SYNTHESIS_VOICE {ESPEAK_MANDARIN}".lower() in log.lower()
        assert f"<speak>{IntakePage.title}</speak>" in log  # the title itself went to espeak-ng
    finally:
        _end(qtbot, voice)


def test_the_gui_thread_runs_while_the_speech_engine_is_built(
    gui_app: QApplication, qtbot: QtBot, speechd: PrivateSpeechd
) -> None:
    """Building Qt's speechd engine holds Python's GIL for seconds (it reads espeak-ng's 13,362 voices): in the
    kiosk's process, even on a thread of its own, it stopped Python on the GUI thread — the kiosk froze at the first
    prompt after 打开语音. Built in the voice host process, the GUI thread's timer keeps turning meanwhile."""
    voice = Voice(enabled=True)
    ticks = Ticks()
    try:
        with qtbot.wait_signal(voice.ready, timeout=120_000) as built:
            voice.say(IntakePage.title)  # the first prompt after 打开语音
            at_start = ticks.count
        assert built.args == [True]
        # A 10 ms timer: thousands of turns over the build; a frozen GUI thread manages one or two at its end.
        assert ticks.count - at_start >= 20, ticks.count - at_start
    finally:
        ticks.timer.stop()
        _end(qtbot, voice)


def test_a_speech_dispatcher_that_does_not_answer_leaves_the_kiosk_silent_not_frozen(
    gui_app: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hung server (it accepts the connection, never answers): libspeechd would wait for its answer without a
    bound. The voice host greets it first (3 s bound) and says there is no engine."""
    from PySide6.QtTextToSpeech import QTextToSpeech

    if "speechd" not in QTextToSpeech.availableEngines():
        pytest.skip("QtTextToSpeech has no speechd engine (its plugin needs libspeechd2, from speech-dispatcher)")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    socket = runtime / "speechd.sock"
    hung = subprocess.Popen(  # a process of its own; it ends when its stdin closes
        [
            sys.executable,
            "-c",
            "import socket, sys; s = socket.socket(socket.AF_UNIX); s.bind(sys.argv[1]); s.listen(8);"
            " print('up', flush=True); sys.stdin.read()",
            str(socket),
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert hung.stdout is not None and hung.stdout.readline() == "up\n"
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{socket}")
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        voice = Voice(enabled=True)
        ticks = Ticks()
        try:
            with caplog.at_level("INFO", logger="tongban.kiosk"), qtbot.wait_signal(voice.ready, timeout=60_000) as r:
                voice.say(IntakePage.title)
                at_start = ticks.count
            assert r.args == [False] and not voice.available  # silent
            assert hung.poll() is None  # told apart while the hung server still holds its socket
            assert ticks.count - at_start >= 20  # the GUI thread ran Python all along (3 s of greeting)
            assert f"voice host: speech-dispatcher does not answer ({socket}); voice prompts are silent" in caplog.text
            voice.say(IntakePage.title)  # nothing happens, nothing waits
            assert not voice.building
        finally:
            ticks.timer.stop()
            _end(qtbot, voice)
    finally:
        hung.kill()
        hung.wait()
        for stream in (hung.stdin, hung.stdout):
            if stream is not None:
                stream.close()


def test_a_speech_dispatcher_that_hangs_after_the_engine_is_built_is_told_apart_and_the_kiosk_goes_on_silent(
    gui_app: QApplication, qtbot: QtBot, speechd: PrivateSpeechd, caplog: pytest.LogCaptureFixture
) -> None:
    """The server stops answering once the engine is built: libspeechd then waits without a bound inside `say`. The
    voice host is killed when it does not carry out the prompt in time, started once more, finds the server silent,
    and the kiosk stays silent — never frozen."""
    voice = Voice(enabled=True)
    ticks = Ticks()
    try:
        with qtbot.wait_signal(voice.ready, timeout=120_000) as built:
            voice.start()
        assert built.args == [True]
        first = voice.host_pid
        speechd.process.send_signal(signal.SIGSTOP)  # hung: its socket still accepts, it answers nothing
        with caplog.at_level("INFO", logger="tongban.kiosk"), qtbot.wait_signal(voice.ready, timeout=120_000) as r:
            voice.say(IntakePage.title)
            at_say = ticks.count
        assert r.args == [False] and not voice.available  # silent
        assert ticks.count - at_say >= 20  # the GUI thread ran all along (5 s to notice, 3 s greeting)
        assert f"voice host (pid {first}) gave no answer within 5 s to 'say'; killed; starting" in caplog.text
        assert "speech-dispatcher does not answer" in caplog.text  # the second host's finding
        qtbot.wait_until(lambda: not _alive(first))
        voice.say(IntakePage.title)  # nothing happens, nothing waits
        assert not voice.building
    finally:
        ticks.timer.stop()
        _end(qtbot, voice)


def test_a_voice_host_that_cannot_start_leaves_the_kiosk_silent(
    gui_app: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    missing = tmp_path / "no-such-tongban"
    monkeypatch.setattr(voice_module, "host_command", lambda engine: (str(missing), ["--voice-host"]))
    voice = Voice(enabled=True)
    try:
        with caplog.at_level("INFO", logger="tongban.kiosk"), qtbot.wait_signal(voice.ready, timeout=60_000) as r:
            voice.say(IntakePage.title)
        assert r.args == [False] and not voice.available
        assert f"voice host could not start ({missing}:" in caplog.text
        assert "voice prompts are silent" in caplog.text
        voice.say(IntakePage.title)  # nothing happens
        assert not voice.building
    finally:
        _end(qtbot, voice)


def test_a_voice_host_that_worked_ten_minutes_earns_its_restart_back(
    gui_app: QApplication, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    """A kiosk runs all day: a host that dies after ten minutes of work is started again each time; one that dies
    soon after its restart leaves the voice silent (Qt's mock engine; the clock is the test's)."""
    now = [0.0]
    voice = Voice(enabled=True, engine="mock", clock=lambda: now[0])
    try:
        with qtbot.wait_signal(voice.ready, timeout=60_000) as built:
            voice.start()
        assert built.args == [True]
        for _ in range(2):  # twice: more than RESTARTS, each after ten minutes of work
            now[0] += voice_module.RESTART_EARNED_AFTER_S
            dead = voice.host_pid
            with qtbot.wait_signal(voice.ready, timeout=60_000) as again:
                os.kill(dead, signal.SIGKILL)
            assert again.args == [True] and voice.available and voice.host_pid != dead
        now[0] += 1.0  # a death right after the restart
        dead = voice.host_pid
        with caplog.at_level("INFO", logger="tongban.kiosk"), qtbot.wait_signal(voice.ready, timeout=60_000) as r:
            os.kill(dead, signal.SIGKILL)
        assert r.args == [False] and not voice.available
        assert "voice prompts are silent" in caplog.text
    finally:
        _end(qtbot, voice)


def test_a_voice_host_that_dies_is_started_once_more_and_the_voice_speaks_on(
    gui_app: QApplication, qtbot: QtBot, caplog: pytest.LogCaptureFixture
) -> None:
    """Qt's mock engine: the host dies (killed) while idle; the next prompt is spoken by a new host; a second death
    leaves the voice silent (no endless restarts)."""
    voice = Voice(enabled=True, engine="mock")
    try:
        with qtbot.wait_signal(voice.ready, timeout=60_000) as built:
            voice.start()
        assert built.args == [True]
        first = voice.host_pid
        with caplog.at_level("INFO", logger="tongban.kiosk"), qtbot.wait_signal(voice.ready, timeout=60_000) as again:
            os.kill(first, signal.SIGKILL)
        assert again.args == [True] and voice.available and voice.host_pid != first
        assert f"voice host (pid {first}) crashed while idle; starting the voice host again" in caplog.text
        with qtbot.wait_signal(voice.state_changed, timeout=60_000, check_params_cb=lambda s: s == "Speaking"):
            voice.say(IntakePage.title)
        second = voice.host_pid
        with caplog.at_level("INFO", logger="tongban.kiosk"), qtbot.wait_signal(voice.ready, timeout=60_000) as r:
            os.kill(second, signal.SIGKILL)
        assert r.args == [False] and not voice.available
        assert f"voice host (pid {second}) crashed while " in caplog.text and "voice prompts are silent" in caplog.text
        voice.say(IntakePage.title)  # nothing happens, nothing waits
        assert not voice.building
    finally:
        _end(qtbot, voice)


def test_tongban_voice_host_speaks_the_line_protocol() -> None:
    """The installed command (as the frozen bundle's executable is started): one answer line per command, in order;
    it ends when its stdin closes. An engine that does not exist: `none`, and it ends at once."""
    tongban = Path(sys.executable).with_name("tongban")
    assert tongban.is_file(), tongban
    done = subprocess.run(
        [str(tongban), "--voice-host", "--engine", "mock"],
        input="say 首页\nstop\n".encode(),
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    lines = done.stdout.decode().splitlines()
    assert lines[:2] == ["building mock", "ready mock\tBob"], lines
    assert [line for line in lines if line == "ok"] == ["ok", "ok"], lines
    assert "state Speaking" in lines
    assert "首页" not in done.stderr.decode()  # what it speaks is never logged
    missing = subprocess.run(
        [str(tongban), "--voice-host", "--engine", "no-such-engine"],
        input=b"say \xe9\xa6\x96\xe9\xa1\xb5\n",
        capture_output=True,
        timeout=120,
        check=False,
    )
    assert (missing.returncode, missing.stdout.decode()) == (0, "none no text-to-speech engine 'no-such-engine'\n")


#: A kiosk in miniature, as ui/app.py runs one: the event loop ends, the program ends with its Voice still there.
#: It prints its voice host's pid once the engine is ready, and quits when its stdin says so.
_KIOSK = """
import sys
from PySide6.QtCore import QSocketNotifier
from PySide6.QtWidgets import QApplication
from ui.kiosk.voice import Voice
app = QApplication([])
voice = Voice(enabled=True, engine="mock")
voice.ready.connect(lambda ok: print(f"host {voice.host_pid} {ok}", flush=True))
quit_notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read)
quit_notifier.activated.connect(lambda: app.exit(0))
voice.say("首页")
sys.exit(app.exec())
"""


@pytest.mark.parametrize("end", ["exit", "killed"])
def test_the_kiosk_ends_promptly_with_a_hung_voice_host_and_leaves_no_process_behind(qtbot: QtBot, end: str) -> None:
    """`exit`: the kiosk's event loop ends (admin exit) while its voice host hangs (stopped: it answers nothing, as
    inside a hung libspeechd call); `killed`: the kiosk is killed outright. Either way the host is gone."""
    kiosk = subprocess.Popen(
        [sys.executable, "-c", _KIOSK],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env=os.environ | {"QT_QPA_PLATFORM": "offscreen"},
    )
    assert kiosk.stdin is not None and kiosk.stdout is not None and kiosk.stderr is not None
    try:
        line = kiosk.stdout.readline().decode()
        assert line.startswith("host ") and line.split()[2] == "True", line
        host = int(line.split()[1])
        assert _alive(host)
        os.kill(host, signal.SIGSTOP)  # hung
        if end == "exit":
            kiosk.stdin.write(b"quit\n")
            kiosk.stdin.flush()
        else:
            kiosk.kill()
        qtbot.wait_until(lambda: kiosk.poll() is not None, timeout=30_000)
        assert kiosk.returncode == (0 if end == "exit" else -signal.SIGKILL)
        qtbot.wait_until(lambda: not _alive(host), timeout=30_000)
        if end == "exit":
            errors = kiosk.stderr.read().decode()
            assert "QProcess" not in errors and "Traceback" not in errors, errors
    finally:
        if kiosk.poll() is None:
            kiosk.kill()
            kiosk.wait()
        for stream in (kiosk.stdin, kiosk.stdout, kiosk.stderr):
            stream.close()
