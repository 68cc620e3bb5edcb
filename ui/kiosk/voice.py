"""Voice prompts through QtTextToSpeech: each page's title and the focused choice, in Mandarin where the engine has
it; a mute switch; silent when no engine exists or the engine fails (the kiosk never waits for speech)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLocale, QObject

log = logging.getLogger("tongban.kiosk")


class Voice(QObject):
    """`say(text)` interrupts what is being said. `available` is False when there is no working engine."""

    def __init__(self, *, enabled: bool, engine: str | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.muted = not enabled
        self.spoken: list[str] = []  # the last few prompts (tests and the AT check read them; no personal data)
        self._tts: object | None = None
        self._engine_name = engine
        self._tried = False

    def _engine(self) -> object | None:
        """Created on first use: loading speech-dispatcher takes time the start-up path should not pay."""
        if self._tried:
            return self._tts
        self._tried = True
        try:
            from PySide6.QtTextToSpeech import QTextToSpeech

            engines = QTextToSpeech.availableEngines()
            name = self._engine_name or ("speechd" if "speechd" in engines else "")
            if not name or name not in engines:
                log.info("no text-to-speech engine; voice prompts are silent")
                return None
            tts = QTextToSpeech(name, self)
            if tts.state() == QTextToSpeech.State.Error:
                log.info("text-to-speech engine %s failed to start; voice prompts are silent", name)
                tts.deleteLater()
                return None
            chinese = [loc for loc in tts.availableLocales() if loc.language() == QLocale.Language.Chinese]
            if chinese:
                tts.setLocale(chinese[0])
            self._tts = tts
        except (ImportError, RuntimeError) as exc:
            log.info("text-to-speech unavailable (%s); voice prompts are silent", type(exc).__name__)
            self._tts = None
        return self._tts

    @property
    def available(self) -> bool:
        return self._engine() is not None

    def set_muted(self, muted: bool) -> None:
        self.muted = muted
        if muted:
            self.stop()

    def say(self, text: str, *, interrupt: bool = True) -> None:
        """Speak `text` now (`interrupt`), or after what is being said."""
        if self.muted or not text:
            return
        self.spoken = [*self.spoken[-9:], text]
        tts = self._engine()
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

    def stop(self) -> None:
        tts = self._tts
        if tts is not None:
            try:
                tts.stop()  # type: ignore[attr-defined]
            except RuntimeError:
                self._tts = None

    def forget(self) -> None:
        self.stop()
        self.spoken = []
