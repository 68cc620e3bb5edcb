"""The kiosk's first prompt after 打开语音: how long the GUI thread stops, with the speech engine in the voice host
process (ui/kiosk/voice.py) next to the engine built in the kiosk's own process on a thread of its own (the design
before it), measured in the same run against a private speech-dispatcher (tests/speechd.py, as the voice tests).

Run: QT_QPA_PLATFORM=offscreen .venv/bin/python bench/kiosk_voice.py [--runs 5]

Figures (no asserts), per design, medians over `--runs` (alternating): the GUI thread's longest pause (between two
turns of a 10 ms timer on it) from say() until the title has been spoken (state Ready), the timer's turns in that
time, and the time itself. Needs Debian's speech-dispatcher, speech-dispatcher-espeak-ng and espeak-ng.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from PySide6.QtCore import QEvent, QEventLoop, QObject, QThread, QTimer, Signal, Slot  # noqa: E402
from PySide6.QtWidgets import QApplication  # noqa: E402

from tests.speechd import PrivateSpeechd, start_private_speechd  # noqa: E402
from ui.kiosk.voice import Voice  # noqa: E402
from ui.kiosk.voice_host import mandarin_voice, speechd_answers  # noqa: E402

TITLE = "自助收件"


def private_server(base: Path) -> PrivateSpeechd:
    server = start_private_speechd(base, log_level=3)
    deadline = time.monotonic() + 60
    while not speechd_answers(server.socket, 1.0):
        if server.process.poll() is not None or time.monotonic() > deadline:
            raise SystemExit(f"speech-dispatcher did not answer at {server.socket}")
        time.sleep(0.1)
    os.environ.update(server.env)
    return server


class InProcess(QObject):
    """The engine built and spoken on a QThread of this process (the design before the voice host)."""

    state_changed = Signal(str)
    _say = Signal(str)

    class Speaker(QObject):
        state = Signal(str)

        @Slot(str)
        def say(self, text: str) -> None:
            from PySide6.QtTextToSpeech import QTextToSpeech

            if not hasattr(self, "tts"):
                self.tts = QTextToSpeech("speechd", self)  # reads every voice, holding the GIL
                mandarin_voice(self.tts)
                self.tts.stateChanged.connect(lambda s: self.state.emit(s.name))
            self.tts.say(text)

    def __init__(self) -> None:
        super().__init__()
        self.thread = QThread()
        self.thread.start()
        self.speaker = InProcess.Speaker()
        self.speaker.moveToThread(self.thread)
        self._say.connect(self.speaker.say)
        self.speaker.state.connect(self.state_changed)

    def say(self, text: str) -> None:
        self._say.emit(text)

    def end(self) -> None:
        self.speaker.deleteLater()
        self.thread.quit()
        self.thread.wait()


def first_prompt(app: QApplication, voice: Voice | InProcess) -> tuple[float, int, float]:
    """(longest GUI-thread pause in ms, timer turns, seconds) from say() until the title is spoken."""
    loop = QEventLoop()
    voice.state_changed.connect(lambda state: loop.quit() if state == "Ready" else None)
    gaps: list[float] = []
    last = [0.0]

    def tick() -> None:
        now = time.perf_counter()
        gaps.append(now - last[0])
        last[0] = now

    timer = QTimer(app)
    timer.setObjectName("bench_ticks")
    timer.timeout.connect(tick)
    guard = QTimer(app)
    guard.setSingleShot(True)
    guard.timeout.connect(loop.quit)
    start = last[0] = time.perf_counter()
    timer.start(10)
    guard.start(120_000)
    voice.say(TITLE)
    loop.exec()
    took = time.perf_counter() - start
    timer.stop()
    guard.stop()
    gaps.append(time.perf_counter() - last[0])
    return max(gaps) * 1000, len(gaps) - 1, took


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    app = QApplication(sys.argv[:1])
    with tempfile.TemporaryDirectory(prefix="tongban-voice-bench-") as base:
        server = private_server(Path(base))
        try:
            print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
            results: dict[str, list[tuple[float, int, float]]] = {"voice host": [], "in-process thread": []}
            for run in range(args.runs):
                for name, rows in results.items():
                    voice: Voice | InProcess = Voice(enabled=True) if name == "voice host" else InProcess()
                    pause, turns, took = first_prompt(app, voice)
                    rows.append((pause, turns, took))
                    print(f"run {run + 1} {name:>17}: pause {pause:6.0f} ms, {turns:4d} turns, {took:.2f} s")
                    if isinstance(voice, InProcess):
                        voice.end()
                    else:
                        voice.deleteLater()  # its host killed and reaped
                        app.sendPostedEvents(None, QEvent.Type.DeferredDelete)
            for name, rows in results.items():
                pause, turns, took = (statistics.median(column) for column in zip(*rows, strict=True))
                print(f"median {name:>17}: GUI-thread pause {pause:.0f} ms, {turns:.0f} timer turns, {took:.2f} s")
            print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        finally:
            server.stop()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
