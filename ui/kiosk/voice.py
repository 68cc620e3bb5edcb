"""Voice prompts through QtTextToSpeech: each page's title and the focused choice, in Mandarin where the engine has
it; a mute switch; silent when no engine exists or the engine fails (the kiosk never waits for speech)."""

from __future__ import annotations

import logging

from PySide6.QtCore import QLocale, QObject

log = logging.getLogger("tongban.kiosk")


#: espeak-ng's Mandarin voice (`cmn`) as speech-dispatcher names it. Qt 6 reads its language "cmn" as QLocale "C"
#: (QLocale knows Mandarin only as "zh"), so it is found by this name when no voice has a Chinese locale.
ESPEAK_MANDARIN = "Chinese (Mandarin, latin as English)"


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
            # WORKAROUND for Qt 6.11's speechd engine: it starts in the default locale (zh_CN, set by ui.i18n) and
            # fails ("Failed to initialize default locale and voice.") when no voice has that locale, as with
            # espeak-ng, whose Mandarin "cmn" Qt reads as "C". Start it in "C"; the Mandarin voice is chosen below.
            default = QLocale()
            QLocale.setDefault(QLocale.c())
            try:
                tts = QTextToSpeech(name, self)
            finally:
                QLocale.setDefault(default)
            if tts.state() == QTextToSpeech.State.Error:
                log.info(
                    "text-to-speech engine %s failed to start (%s); voice prompts are silent", name, tts.errorString()
                )
                tts.deleteLater()
                return None
            if not _mandarin_voice(tts):
                log.info("text-to-speech engine %s has no Mandarin voice; prompts use its default voice", name)
            self._tts = tts
        except (ImportError, RuntimeError) as exc:
            log.info("text-to-speech unavailable (%s); voice prompts are silent", type(exc).__name__)
            self._tts = None
        return self._tts

    @property
    def available(self) -> bool:
        return self._engine() is not None

    @property
    def engine(self) -> QObject | None:
        """The QTextToSpeech speaking the prompts (None: silent); its `stateChanged` tells Speaking and Ready."""
        tts = self._engine()
        return tts if isinstance(tts, QObject) else None

    @property
    def engine_name(self) -> str:
        tts = self._engine()
        return str(tts.engine()) if tts is not None else ""  # type: ignore[attr-defined]

    @property
    def voice_name(self) -> str:
        tts = self._engine()
        return str(tts.voice().name()) if tts is not None else ""  # type: ignore[attr-defined]

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
