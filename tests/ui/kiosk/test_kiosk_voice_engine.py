"""The kiosk's voice with a real engine: QtTextToSpeech's speechd plugin → speech-dispatcher → espeak-ng's Mandarin
voice (`cmn`), as on a Debian kiosk. There is no sound card here: a private speech-dispatcher plays into ALSA's
`null` device, and its log shows what was synthesised. Debian: speech-dispatcher, speech-dispatcher-espeak-ng,
espeak-ng (scripts/setup.sh test)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.exceptions import TimeoutError as WaitTimeout
from pytestqt.qtbot import QtBot

from ui.kiosk.intake import IntakePage
from ui.kiosk.voice import ESPEAK_MANDARIN, Voice, _VoiceThread, speechd_answers

MODULE = Path("/usr/lib/speech-dispatcher-modules/sd_espeak-ng")
#: No sound card: the server plays into ALSA's null device; LogLevel 5 records each message and voice it is given.
SPEECHD_CONF = """\
LogLevel 5
AudioOutputMethod "alsa"
AudioALSADevice "null"
AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"
DefaultModule espeak-ng
"""


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
def speechd(tmp_path: Path, qtbot: QtBot, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private speech-dispatcher (own runtime dir, socket and config) for this test; yields its log folder."""
    missing = _missing()
    if missing:
        pytest.skip(missing)
    runtime, conf, logs = tmp_path / "run", tmp_path / "conf", tmp_path / "log"
    for folder in (runtime, conf / "modules", logs):
        folder.mkdir(parents=True)
    runtime.chmod(0o700)
    (conf / "speechd.conf").write_text(SPEECHD_CONF, encoding="utf-8")
    shutil.copy("/etc/speech-dispatcher/modules/espeak-ng.conf", conf / "modules" / "espeak-ng.conf")
    socket = runtime / "speechd.sock"
    server = subprocess.Popen(
        ["speech-dispatcher", "-s", "-t", "0", "-C", str(conf), "-S", str(socket), "-L", str(logs)],
        env=os.environ | {"XDG_RUNTIME_DIR": str(runtime)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        # Up once it answers a greeting (each try bounded by 1 s): a socket file alone may be a server still starting.
        try:
            qtbot.wait_until(lambda: server.poll() is not None or speechd_answers(socket, 1.0), timeout=60_000)
        except WaitTimeout:
            pytest.fail(f"the private speech-dispatcher did not answer at {socket} within 60 s (log in {logs})")
        assert server.poll() is None, f"speech-dispatcher exited with {server.returncode} (log in {logs})"
        # libspeechd (inside Qt's speechd plugin) connects here instead of autospawning a shared server.
        monkeypatch.setenv("SPEECHD_ADDRESS", f"unix_socket:{socket}")
        monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
        yield logs
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


def test_the_kiosk_voice_speaks_a_page_title_in_mandarin_through_speech_dispatcher(
    gui_app: QApplication, qtbot: QtBot, speechd: Path
) -> None:
    from PySide6.QtTextToSpeech import QTextToSpeech

    voice = Voice(enabled=True)  # no engine named: the kiosk's own choice, as in production
    try:
        with qtbot.wait_signal(voice.ready, timeout=120_000) as built:
            voice.start()
            # Building reads espeak-ng's 13,362 voices (seconds): it happens on the voice thread, and the kiosk
            # goes on meanwhile (a prompt asked for now is spoken once the engine is there).
            assert voice.building and not voice.available
        assert built.args == [True]
        assert voice.engine_name == "speechd"
        assert voice.voice_name == ESPEAK_MANDARIN
        states: list[object] = []
        voice.state_changed.connect(states.append)
        with qtbot.wait_signal(
            voice.state_changed, timeout=60_000, check_params_cb=lambda s: s == QTextToSpeech.State.Ready
        ):
            voice.say(IntakePage.title)
        assert states[0] == QTextToSpeech.State.Speaking and states[-1] == QTextToSpeech.State.Ready, states
        log = (speechd / "speech-dispatcher.log").read_text(encoding="utf-8", errors="replace")
        assert "Using alsa audio output method" in log  # synthesised and played (into the null device)
        assert f"SET SELF SYNTHESIS_VOICE {ESPEAK_MANDARIN}".lower() in log.lower()
        assert f"<speak>{IntakePage.title}</speak>" in log  # the title itself went to espeak-ng
    finally:
        # The engine is deleted on the voice thread, before the fixture stops its server.
        speaker = id(voice._speaker)
        with qtbot.wait_signal(voice.destroyed):
            voice.deleteLater()
        qtbot.wait_until(lambda: speaker not in _VoiceThread.speakers, timeout=30_000)


def test_a_speech_dispatcher_that_does_not_answer_leaves_the_kiosk_silent_not_frozen(
    gui_app: QApplication,
    qtbot: QtBot,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A hung server (it accepts the connection, never answers): libspeechd would wait for its answer without a
    bound, holding Python's GIL inside the engine's constructor — the whole kiosk froze with it."""
    from PySide6.QtTextToSpeech import QTextToSpeech

    if "speechd" not in QTextToSpeech.availableEngines():
        pytest.skip("QtTextToSpeech has no speechd engine (its plugin needs libspeechd2, from speech-dispatcher)")
    runtime = tmp_path / "run"
    runtime.mkdir(mode=0o700)
    socket = runtime / "speechd.sock"
    hung = subprocess.Popen(  # a process of its own: it holds no GIL of ours; it ends when its stdin closes
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
        ticks: list[int] = []
        from PySide6.QtCore import QTimer

        timer = QTimer()
        timer.timeout.connect(lambda: ticks.append(1))  # Python on the GUI thread: runs only if nothing holds it
        timer.start(100)
        try:
            with caplog.at_level("INFO", logger="tongban.kiosk"), qtbot.wait_signal(voice.ready, timeout=60_000) as r:
                voice.say(IntakePage.title)
            assert r.args == [False] and not voice.available  # silent
            assert hung.poll() is None  # told apart while the hung server still holds its socket
            assert ticks  # the GUI thread ran Python meanwhile
            assert "speech-dispatcher does not answer" in caplog.text
            voice.say(IntakePage.title)  # nothing happens, nothing waits
        finally:
            timer.stop()
            speaker = id(voice._speaker)
            with qtbot.wait_signal(voice.destroyed):
                voice.deleteLater()
            qtbot.wait_until(lambda: speaker not in _VoiceThread.speakers, timeout=30_000)
    finally:
        hung.kill()
        hung.wait()
        for stream in (hung.stdin, hung.stdout):
            if stream is not None:
                stream.close()
