"""Voice prompts through QtTextToSpeech: each page's title and the focused choice, in Mandarin where the engine has
it; a mute switch; silent when no engine exists or the engine fails (the kiosk never waits for speech).

The engine lives on a thread of its own ("tongban-voice"): Qt's speechd engine reads every voice speech-dispatcher
offers when it is built — espeak-ng's 13,362 — which takes seconds; on the GUI thread the first prompt after 打开语音
froze the kiosk that long. Prompts go to it by queued signals; nothing on the GUI thread waits for it."""

from __future__ import annotations

import atexit
import functools
import logging
import os
import shutil
import socket
import subprocess
from pathlib import Path
from typing import ClassVar

from PySide6.QtCore import QLocale, QObject, Qt, QThread, Signal, Slot
from shiboken6 import Shiboken

log = logging.getLogger("tongban.kiosk")


#: espeak-ng's Mandarin voice (`cmn`) as speech-dispatcher names it. Qt 6 reads its language "cmn" as QLocale "C"
#: (QLocale knows Mandarin only as "zh"), so it is found by this name when no voice has a Chinese locale.
ESPEAK_MANDARIN = "Chinese (Mandarin, latin as English)"
#: How long the program's exit waits for the voice thread to delete its engines and end.
EXIT_WAIT_MS = 5000
#: How long speech-dispatcher may take to answer a greeting, and to be spawned, before the voice stays silent.
ANSWER_WAIT_S = 3.0
SPAWN_WAIT_S = 15.0


def speechd_socket() -> Path | None:
    """The unix socket libspeechd connects to (SPEECHD_ADDRESS, else its default path); None for a TCP address."""
    address = os.environ.get("SPEECHD_ADDRESS", "")
    if address.startswith("unix_socket:"):
        return Path(address.split(":", 1)[1])
    if address:
        return None
    runtime = os.environ.get("XDG_RUNTIME_DIR")
    base = Path(runtime) if runtime else Path.home() / ".cache"
    return base / "speech-dispatcher" / "speechd.sock"


def speechd_answers(path: Path, timeout: float = ANSWER_WAIT_S) -> bool:
    """speech-dispatcher listens at `path` and answers a greeting within `timeout` seconds."""
    try:
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
            conn.settimeout(timeout)
            conn.connect(str(path))
            conn.sendall(b"SET SELF CLIENT_NAME tongban:kiosk:probe\r\n")
            reply = conn.recv(256)
            conn.sendall(b"QUIT\r\n")
            return reply.startswith(b"2")
    except OSError:
        return False


def _speechd_reachable() -> bool:
    """Whether Qt's speechd engine can be built without blocking. libspeechd (inside the engine) waits without a
    bound for the server's answer, and spawns a missing server itself — both while PySide holds the GIL, which froze
    the GUI thread too (a hung or half-started server froze the kiosk for as long). So: ask here first, with bounds;
    spawn a missing server here as libspeechd would (`--spawn` honours DisableAutoSpawn); silent if no answer."""
    path = speechd_socket()
    if path is None:
        return True  # a TCP address: left to libspeechd
    if speechd_answers(path):
        return True
    program = shutil.which("speech-dispatcher")
    if program is None:
        return False
    try:
        subprocess.run(
            [program, "--spawn", "--communication-method", "unix_socket", "--socket-path", str(path)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            timeout=SPAWN_WAIT_S,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return False
    return speechd_answers(path)


def _mandarin_voice(tts: object) -> bool:
    """Set `tts` to a Mandarin voice (False: it has none). A Chinese locale's voice first (not Cantonese, a language
    of its own in Qt), else espeak-ng's `cmn` by name among the voices Qt files under "C". Locale by locale, not
    `allVoices(None)`: that walks every locale through the engine and leaves the last one set."""
    chinese = [loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.Chinese]  # type: ignore[attr-defined]
    for locale in [*chinese, QLocale.c()]:
        tts.setLocale(locale)  # type: ignore[attr-defined]
        voices = list(tts.availableVoices())  # type: ignore[attr-defined]
        if locale.language() == QLocale.Language.Chinese and voices:
            tts.setVoice(voices[0])  # type: ignore[attr-defined]
            return True
        named = [v for v in voices if v.name() == ESPEAK_MANDARIN]
        if named:
            tts.setVoice(named[0])  # type: ignore[attr-defined]
            return True
    return False


class _Speaker(QObject):
    """Lives on the voice thread: builds the engine there and speaks.

    Signals:
        built(bool, str, str): the engine is usable (or not), its name, its voice's name.
        state_changed(object): the engine's QTextToSpeech.State.
    """

    built = Signal(bool, str, str)
    state_changed = Signal(object)

    def __init__(self) -> None:
        super().__init__()
        self._tts: object | None = None

    @Slot(str)
    def build(self, name: str) -> None:
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech

            if name == "speechd" and not _speechd_reachable():
                log.info("speech-dispatcher does not answer (%s); voice prompts are silent", speechd_socket())
                self.built.emit(False, name, "")
                return
            tts = QTextToSpeech(name, self)
            # Qt 6.11's speechd engine starts in the default locale (zh_CN, set by ui.i18n) and reports "Failed to
            # initialize default locale and voice." when no voice has it (espeak-ng's Mandarin "cmn" is "C" to Qt):
            # it speaks all the same once a voice is set, and turns Ready with the first prompt. So an engine in
            # Error counts only if a Mandarin voice can be set on it.
            if not _mandarin_voice(tts):
                if tts.state() == QTextToSpeech.State.Error:
                    log.info("text-to-speech engine %s failed (%s); voice prompts are silent", name, tts.errorString())
                    tts.deleteLater()
                    self.built.emit(False, name, "")
                    return
                log.info("text-to-speech engine %s has no Mandarin voice; prompts use its default voice", name)
            tts.stateChanged.connect(self._relay_state)
            self._tts = tts
            self.built.emit(True, name, str(tts.voice().name()))
        except (ImportError, RuntimeError) as exc:
            log.info("text-to-speech unavailable (%s: %s); voice prompts are silent", type(exc).__name__, exc)
            self.built.emit(False, name, "")

    def _relay_state(self, state: object) -> None:  # same thread as the engine; QTextToSpeech.State as an object
        self.state_changed.emit(state)

    @Slot(str, bool)
    def say(self, text: str, interrupt: bool) -> None:
        tts = self._tts
        if tts is None:
            return
        try:
            if interrupt:
                tts.say(text)  # type: ignore[attr-defined]
            else:
                tts.enqueue(text)  # type: ignore[attr-defined]
        except RuntimeError:
            log.info("text-to-speech failed; voice prompts are silent from now on")
            self._tts = None

    @Slot()
    def stop(self) -> None:
        tts = self._tts
        if tts is not None:
            try:
                tts.stop()  # type: ignore[attr-defined]
            except RuntimeError:
                self._tts = None


class _VoiceThread:
    """The one thread every Voice's engine lives on; started on first use, ended when the program ends."""

    thread: ClassVar[QThread | None] = None
    #: Owned here, not by a Voice on the GUI thread (dropping the last Python reference there would delete a speaker
    #: across threads); each is deleted on the voice thread when its Voice goes, and then forgotten here.
    speakers: ClassVar[dict[int, _Speaker]] = {}

    @classmethod
    def adopt(cls, speaker: _Speaker) -> None:
        if cls.thread is None:
            cls.thread = QThread()
            cls.thread.setObjectName("tongban-voice")
            cls.thread.start()
            atexit.register(cls.end)
        speaker.moveToThread(cls.thread)
        key = id(speaker)
        cls.speakers[key] = speaker
        speaker.destroyed.connect(functools.partial(cls.forget, key), Qt.ConnectionType.DirectConnection)

    @classmethod
    def forget(cls, key: int, *_destroyed: object) -> None:
        cls.speakers.pop(key, None)

    @classmethod
    def end(cls) -> None:
        """Delete every engine on its own thread (their timers are that thread's), then end the thread."""
        thread, cls.thread = cls.thread, None
        if thread is not None:
            for speaker in list(cls.speakers.values()):
                speaker.deleteLater()  # run by the thread as it finishes
            thread.quit()
            if not thread.wait(EXIT_WAIT_MS):
                # An engine stuck in its speech server: never block the program's exit on it, and never let Python
                # destroy a running QThread (Qt aborts): the thread ends with the process.
                log.info("voice thread still busy at exit; left to end with the process")
                Shiboken.invalidate(thread)


class Voice(QObject):
    """`say(text)` interrupts what is being said. `available` is True once an engine is ready to speak (it is built
    on the voice thread at the first prompt, or at `start()`), False while it is built and when there is none.

    Signals:
        ready(bool): the engine was built and can speak (or there is none); `engine_name`, `voice_name` are set.
        state_changed(object): the engine's QTextToSpeech.State (Speaking, Ready …).
    """

    ready = Signal(bool)
    state_changed = Signal(object)
    _build_requested = Signal(str)
    _say_requested = Signal(str, bool)
    _stop_requested = Signal()

    def __init__(self, *, enabled: bool, engine: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.muted = not enabled
        self.spoken: list[str] = []  # the last few prompts (tests and the AT check read them; no personal data)
        self.engine_name = ""
        self.voice_name = ""
        self._wanted = engine
        self._speaker: _Speaker | None = None
        self._state = "unknown"  # unknown → building → ready | none

    def start(self) -> None:
        """Build the engine on the voice thread now (it is otherwise built at the first prompt)."""
        if self._state != "unknown":
            return
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech

            engines = QTextToSpeech.availableEngines()  # plugin metadata only: quick
        except ImportError:
            engines = []
        name = self._wanted or ("speechd" if "speechd" in engines else "")
        if not name or name not in engines:
            log.info("no text-to-speech engine; voice prompts are silent")
            self._state = "none"
            return
        self._state = "building"
        speaker = _Speaker()
        _VoiceThread.adopt(speaker)
        speaker.built.connect(self._built)
        speaker.state_changed.connect(self.state_changed)
        self._build_requested.connect(speaker.build)
        self._say_requested.connect(speaker.say)
        self._stop_requested.connect(speaker.stop)
        self.destroyed.connect(speaker.deleteLater)  # the engine goes on its own thread when the Voice goes
        self._speaker = speaker
        self._build_requested.emit(name)

    @Slot(bool, str, str)
    def _built(self, ok: bool, engine: str, voice: str) -> None:
        self._state = "ready" if ok else "none"
        self.engine_name, self.voice_name = (engine, voice) if ok else ("", "")
        self.ready.emit(ok)

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
        if self._state in ("building", "ready"):
            self._say_requested.emit(text, interrupt)  # queued: spoken once the engine is built

    def stop(self) -> None:
        if self._state in ("building", "ready"):
            self._stop_requested.emit()

    def forget(self) -> None:
        self.stop()
        self.spoken = []
