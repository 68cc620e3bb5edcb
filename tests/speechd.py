"""A private speech-dispatcher for the kiosk's voice tests and `bench/kiosk_voice.py`: its own runtime dir, socket
and config, espeak-ng as its module, and no sound card (it plays into ALSA's `null` device). libspeechd (inside
QtTextToSpeech's speechd plugin) reaches it through `SPEECHD_ADDRESS` instead of autospawning a shared server."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

#: LogLevel 5 records each message and voice the server is given (the tests read it); the bench uses 3.
CONF = """\
LogLevel {level}
AudioOutputMethod "alsa"
AudioALSADevice "null"
AddModule "espeak-ng" "sd_espeak-ng" "espeak-ng.conf"
DefaultModule espeak-ng
"""


@dataclass
class PrivateSpeechd:
    process: subprocess.Popen[bytes]
    socket: Path
    runtime: Path
    logs: Path

    @property
    def env(self) -> dict[str, str]:
        """What a client process needs to reach this server."""
        return {"SPEECHD_ADDRESS": f"unix_socket:{self.socket}", "XDG_RUNTIME_DIR": str(self.runtime)}

    def stop(self) -> None:
        self.process.send_signal(signal.SIGCONT)  # a test may have stopped it
        self.process.terminate()
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def start_private_speechd(base: Path, *, log_level: int = 5) -> PrivateSpeechd:
    """Start the server under `base` (not yet answering: wait for `voice_host.speechd_answers(server.socket, …)`)."""
    runtime, conf, logs = base / "run", base / "conf", base / "log"
    for folder in (runtime, conf / "modules", logs):
        folder.mkdir(parents=True)
    runtime.chmod(0o700)
    (conf / "speechd.conf").write_text(CONF.format(level=log_level), encoding="utf-8")
    shutil.copy("/etc/speech-dispatcher/modules/espeak-ng.conf", conf / "modules" / "espeak-ng.conf")
    socket = runtime / "speechd.sock"
    process = subprocess.Popen(
        ["speech-dispatcher", "-s", "-t", "0", "-C", str(conf), "-S", str(socket), "-L", str(logs)],
        env=os.environ | {"XDG_RUNTIME_DIR": str(runtime)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return PrivateSpeechd(process, socket, runtime, logs)
