"""The engine's speech resources: one synthesizer per voice, one shared whisper recognizer, and each session's
prompt built from its own words (instructions, tools, handoffs, enum values).
"""

from __future__ import annotations

import logging
import os
import re
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from ..protocol.codecs import PCM16_RATE
from ..protocol.session_config import SessionConfig
from .asr import ModelIntegrityError, Recognizer, build_prompt, long_speech_pieces, shared_recognizer
from .tts import Synthesizer
from .tts_piper import TTS_ENV

logger = logging.getLogger("realtime_cli.local")
_synths: dict[str, Synthesizer] = {}
_lock = threading.Lock()


def synthesizer(voice: str) -> Synthesizer:
    """The shared synthesizer of `voice` (one per voice and per $RTAGENT_TTS choice)."""
    key = f"{voice}|{os.environ.get(TTS_ENV, '')}"
    with _lock:
        synth = _synths.get(key)
        if synth is None:
            synth = _synths[key] = Synthesizer(voice)
        return synth


def _split_identifier(name: str) -> str:
    spaced = re.sub(r"([a-z])([A-Z])", r"\1 \2", name)
    return re.sub(r"[_\-.]+", " ", spaced)


def _schema_words(schema: Any) -> Iterable[str]:
    if not isinstance(schema, dict):
        return
    for key, prop in (schema.get("properties") or {}).items():
        yield _split_identifier(str(key))
        if isinstance(prop, dict):
            if isinstance(prop.get("description"), str):
                yield prop["description"]
            for value in prop.get("enum") or []:
                yield _split_identifier(str(value))
            yield from _schema_words(prop)


def session_phrases(cfg: SessionConfig) -> list[str]:
    """Sentences that describe what users of this session will likely say."""
    phrases: list[str] = []
    if cfg.get("instructions"):
        phrases.append(str(cfg["instructions"]))
    for tool in cfg.get("tools") or []:
        name = _split_identifier(str(tool.get("name", "")))
        phrases.append(name)
        if name.startswith("transfer to "):
            target = name.removeprefix("transfer to ")
            phrases += [f"transfer me to {target}", f"i need {target}", f"talk to {target}"]
        if tool.get("description"):
            phrases.append(str(tool["description"]))
        phrases.extend(_schema_words(tool.get("parameters")))
    return phrases


@dataclass(frozen=True)
class SessionSpeech:
    """What a session recognizes with: the shared model (None when it could not be loaded, `problem` says why)
    and the session's prompt."""

    recognizer: Recognizer | None
    prompt: str
    problem: str | None = None

    def transcribe(self, samples: npt.NDArray[np.int16]) -> str:
        """The words of one 24 kHz utterance ("" for silence or noise), however long: speech past whisper's 30 s
        is heard piece by piece. Blocks; call from a worker thread."""
        if self.recognizer is None:
            return ""
        pieces = long_speech_pieces(samples, PCM16_RATE)
        texts = (self.recognizer.transcribe(piece, self.prompt).text for piece in pieces)
        return " ".join(text for text in texts if text)


_reported: set[str] = set()


def domain_model(cfg: SessionConfig, model: str | None = None) -> SessionSpeech:
    """The recognizer and prompt for a session configuration (`model`: a path or faster-whisper model name).
    A model that cannot be loaded (missing, corrupted, unknown) is logged once and reported in `problem`."""
    prompt = build_prompt(session_phrases(cfg))
    try:
        return SessionSpeech(shared_recognizer(model), prompt)
    except (ModelIntegrityError, RuntimeError, OSError, ValueError) as exc:
        problem = f"Speech recognition is unavailable: {exc}"
        if problem not in _reported:
            _reported.add(problem)
            logger.warning("%s", problem)
        return SessionSpeech(None, prompt, problem)
