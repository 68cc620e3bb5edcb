"""The voice host: a child process of the kiosk that builds the QtTextToSpeech engine and speaks for it.

Why a process: Qt's speechd engine reads every voice speech-dispatcher offers when it is built (espeak-ng's 13,362,
about 3 s), and libspeechd waits without a bound for a server that does not answer. PySide holds Python's GIL inside
those C++ calls, so on any thread of the kiosk's process they stopped Python on the GUI thread too (the kiosk froze
at the first prompt after 打开语音). Here they stop only this process; the kiosk (ui/kiosk/voice.py) reads its
answers as they come and kills it when it does not answer in time.

Started as `tongban --voice-host --engine NAME --parent PID` (the same executable, venv or frozen bundle: app/cli.py
hands the arguments here before importing anything else). The protocol, one UTF-8 line per message:

    kiosk → host   say <text>       speak <text> now, interrupting what is being said
                   queue <text>     speak <text> after what is being said
                   stop             stop speaking
    host → kiosk   building <engine>            the server answered; the engine is being built
                   ready <engine>\t<voice>      the engine can speak, in that voice
                   none <reason>                no engine (the host then ends): the kiosk stays silent
                   state <State>                the engine's QTextToSpeech.State name (Speaking, Ready …)
                   ok                           one command was carried out (one `ok` per command, in order)

Only the prompts the kiosk speaks (page titles, choices, messages — never personal data) reach this process; it logs
nothing of them (its stderr, relayed to the kiosk's log, names only the engine, the voice and failures). It ends when
its stdin closes, and on Linux when the kiosk's process ends in any way (PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import logging
import os
import shutil
import socket
import subprocess
import sys
import threading
from pathlib import Path

log = logging.getLogger("tongban.voicehost")

#: espeak-ng's Mandarin voice (`cmn`) as speech-dispatcher names it. Qt 6 reads its language "cmn" as QLocale "C"
#: (QLocale knows Mandarin only as "zh"), so it is found by this name when no voice has a Chinese locale.
ESPEAK_MANDARIN = "Chinese (Mandarin, latin as English)"
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


def speechd_reachable() -> bool:
    """Whether Qt's speechd engine can be built without hanging. libspeechd (inside the engine) waits without a bound
    for the server's answer, and spawns a missing server itself: ask here first, with bounds; spawn a missing server
    here as libspeechd would (`--spawn` honours DisableAutoSpawn); no answer → silent. (The kiosk's own bound on this
    process covers a server that hangs later.)"""
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


def mandarin_voice(tts: object) -> bool:
    """Set `tts` to a Mandarin voice (False: it has none). A Chinese locale's voice first (not Cantonese, a language
    of its own in Qt), else espeak-ng's `cmn` by name among the voices Qt files under "C". Locale by locale, not
    `allVoices(None)`: that walks every locale through the engine and leaves the last one set."""
    from PySide6.QtCore import QLocale

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


def _die_with_parent(parent: int) -> None:
    """On Linux, end with the kiosk however it ends (even killed): no voice host is ever left behind."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes
    import signal

    pr_set_pdeathsig = 1
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if parent and os.getppid() != parent:  # the kiosk ended before the line above
        os._exit(0)


class _Output:
    """This process's answers to the kiosk (only the main thread writes)."""

    def __init__(self) -> None:
        self._stream = sys.stdout.buffer

    def send(self, kind: str, rest: str = "") -> None:
        line = f"{kind} {rest}" if rest else kind
        try:
            self._stream.write(line.replace("\n", " ").encode("utf-8") + b"\n")
            self._stream.flush()
        except (BrokenPipeError, ValueError, OSError):
            os._exit(0)  # the kiosk is gone


def main(argv: list[str]) -> int:
    """Run the voice host (argv: `--engine NAME`, `--parent PID`, both optional); returns the exit code."""
    options = dict(zip(argv[::2], argv[1::2], strict=False))
    _die_with_parent(int(options.get("--parent", "0") or 0))
    logging.basicConfig(stream=sys.stderr, level=logging.INFO, format="%(message)s")
    out = _Output()

    from PySide6.QtCore import QCoreApplication, QObject, Signal, Slot
    from PySide6.QtTextToSpeech import QTextToSpeech

    app = QCoreApplication([sys.argv[0] if sys.argv else "tongban", "--voice-host"])

    wanted = options.get("--engine", "")
    engines = QTextToSpeech.availableEngines()  # plugin metadata only: quick
    name = wanted or ("speechd" if "speechd" in engines else "")
    if not name or name not in engines:
        out.send("none", f"no text-to-speech engine {name!r}" if name else "no text-to-speech engine")
        return 0
    if name == "speechd" and not speechd_reachable():
        out.send("none", f"speech-dispatcher does not answer ({speechd_socket()})")
        return 0
    out.send("building", name)
    tts = QTextToSpeech(name)
    # Qt 6.11's speechd engine starts in the default locale and reports "Failed to initialize default locale and
    # voice." when no voice has it (espeak-ng's Mandarin "cmn" is "C" to Qt): it speaks all the same once a voice is
    # set, and turns Ready with the first prompt. So an engine in Error counts only if a Mandarin voice can be set.
    if not mandarin_voice(tts):
        if tts.state() == QTextToSpeech.State.Error:
            out.send("none", f"text-to-speech engine {name} failed ({tts.errorString()})")
            return 0
        log.info("text-to-speech engine %s has no Mandarin voice; prompts use its default voice", name)

    class Speaker(QObject):
        """Carries out the kiosk's commands on the main thread, where the engine lives."""

        received = Signal(bytes)
        closed = Signal()

        @Slot(bytes)
        def run(self, raw: bytes) -> None:
            command, _, text = raw.decode("utf-8", "replace").rstrip("\r\n").partition(" ")
            if command == "say":
                tts.say(text)
            elif command == "queue":
                tts.enqueue(text)
            elif command == "stop":
                tts.stop()
            else:
                log.info("voice host: unknown command %r ignored", command[:20])
            out.send("ok")

        @Slot(object)
        def relay_state(self, state: QTextToSpeech.State) -> None:
            out.send("state", state.name)

    speaker = Speaker()
    speaker.received.connect(speaker.run)  # queued: the reader thread emits
    speaker.closed.connect(app.quit)
    tts.stateChanged.connect(speaker.relay_state)
    out.send("ready", f"{name}\t{tts.voice().name()}")

    def read_commands() -> None:
        for raw in sys.stdin.buffer:
            speaker.received.emit(raw)
        speaker.closed.emit()  # the kiosk closed our stdin (or ended)

    threading.Thread(target=read_commands, name="voice-host-stdin", daemon=True).start()
    return app.exec()
