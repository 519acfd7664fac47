"""Offline speech synthesis for the local engine: piper's natural voice where mapped, espeak-ng through ctypes.

Owns the process-wide espeak handle and its lock, the OpenAI-voice → piper/espeak table, phrase chunking for
streamed audio deltas, and resampling to the wire rates (24 kHz pcm16, 8 kHz for G.711; the caller encodes).
"""

from __future__ import annotations

import ctypes
import re
import threading
from collections.abc import Iterator
from dataclasses import dataclass

import espeakng_loader
import numpy as np
import numpy.typing as npt
import soxr

from realtime_cli.protocol.codecs import PCM16_RATE

from .tts_piper import piper_speaker

Int16Array = npt.NDArray[np.int16]

_AUDIO_OUTPUT_SYNCHRONOUS = 2
_CHARS_UTF8 = 1
_POS_CHARACTER = 1
_PARAM_RATE, _PARAM_VOLUME, _PARAM_PITCH, _PARAM_RANGE = 1, 2, 3, 4
_IPA_PHONEMES = 0x02  # espeak_TextToPhonemes phonememode: IPA (UTF-8), no separator

_SynthCallback = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)


@dataclass(frozen=True)
class VoiceStyle:
    """How one OpenAI voice name is rendered: by piper when `piper_length` (its phoneme length scale) is set and
    the voice is available, else by espeak as a voice+variant, speed (words/min), pitch and range."""

    espeak_voice: str
    rate: int = 170
    pitch: int = 50
    pitch_range: int = 50
    piper_length: float | None = None


DEFAULT_VOICE = "alloy"

# piper has one (male, US) voice: the male and neutral names speak with it at different speeds; the others,
# and every name when piper is off or missing, with espeak (variants f3/f4 and m2/m7 are the hardest to follow).

VOICES: dict[str, VoiceStyle] = {
    "alloy": VoiceStyle("en-us+m5", rate=170, pitch=50, piper_length=1.0),
    "ash": VoiceStyle("en-us+m1", rate=168, pitch=42, piper_length=0.95),
    "ballad": VoiceStyle("en-us+m6", rate=160, pitch=56, pitch_range=70, piper_length=1.1),
    "coral": VoiceStyle("en-us+f2", rate=172, pitch=58),
    "echo": VoiceStyle("en-us+m3", rate=168, pitch=46, piper_length=0.92),
    "fable": VoiceStyle("en-gb-x-rp+m1", rate=165, pitch=50),
    "nova": VoiceStyle("en-us+f5", rate=175, pitch=60),
    "onyx": VoiceStyle("en-us+m6", rate=160, pitch=34, pitch_range=40, piper_length=1.08),
    "sage": VoiceStyle("en-us+f1", rate=165, pitch=52),
    "shimmer": VoiceStyle("en-us+f1", rate=172, pitch=66, pitch_range=65),
    "verse": VoiceStyle("en-us+m5", rate=174, pitch=58, pitch_range=70, piper_length=0.97),
    "marin": VoiceStyle("en-us+f5", rate=168, pitch=52),
    "cedar": VoiceStyle("en-us+m1", rate=160, pitch=38, piper_length=1.04),
}

# Silence appended after each streamed phrase, by what ended it.
_PAUSE_MS = {"sentence": 260, "clause": 140, "phrase": 40}


class _Espeak:
    """The one espeak-ng instance of this process. Every call goes through `lock` (the library is not reentrant)."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._lib = ctypes.CDLL(espeakng_loader.get_library_path())
        self._lib.espeak_Initialize.restype = ctypes.c_int
        self._lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
        self._lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
        self._lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
        self._lib.espeak_Synth.argtypes = [
            ctypes.c_void_p,
            ctypes.c_size_t,
            ctypes.c_uint,
            ctypes.c_int,
            ctypes.c_uint,
            ctypes.c_uint,
            ctypes.c_void_p,
            ctypes.c_void_p,
        ]
        self._lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
        self._lib.espeak_TextToPhonemes.restype = ctypes.c_char_p
        self._lib.espeak_TextToPhonemes.argtypes = [
            ctypes.POINTER(ctypes.c_char_p),
            ctypes.c_int,
            ctypes.c_int,
        ]
        data_path = espeakng_loader.get_data_path().encode()
        self.sample_rate = int(self._lib.espeak_Initialize(_AUDIO_OUTPUT_SYNCHRONOUS, 0, data_path, 0))
        if self.sample_rate <= 0:
            raise RuntimeError("espeak-ng failed to initialize; reinstall the espeakng-loader package.")
        self._chunks: list[Int16Array] = []
        self._callback = _SynthCallback(self._collect)  # keep a reference: espeak holds a raw pointer
        self._lib.espeak_SetSynthCallback(self._callback)
        self._style: VoiceStyle | None = None

    def _collect(self, wav: ctypes._Pointer[ctypes.c_short], count: int, _events: int | None) -> int:
        if wav and count > 0:
            self._chunks.append(np.ctypeslib.as_array(wav, shape=(count,)).astype(np.int16, copy=True))
        return 0

    def _apply(self, style: VoiceStyle) -> None:
        if style == self._style:
            return
        if self._lib.espeak_SetVoiceByName(style.espeak_voice.encode()) != 0:
            raise RuntimeError(f"espeak-ng has no voice {style.espeak_voice!r}")
        self._lib.espeak_SetParameter(_PARAM_RATE, style.rate, 0)
        self._lib.espeak_SetParameter(_PARAM_PITCH, style.pitch, 0)
        self._lib.espeak_SetParameter(_PARAM_RANGE, style.pitch_range, 0)
        self._lib.espeak_SetParameter(_PARAM_VOLUME, 100, 0)
        self._style = style

    def synth(self, text: str, style: VoiceStyle) -> Int16Array:
        """Samples at `sample_rate` for `text` spoken in `style` (no trailing sentence pause)."""
        data = text.encode("utf-8") + b"\0"
        buffer = ctypes.create_string_buffer(data, len(data))
        with self.lock:
            self._apply(style)
            self._chunks = []
            # Fixes espeak's noise generator. Its pitch flutter keeps a phase across calls that no API resets,
            # so a repeat differs by a few samples (< 0.1 %), identical only from the same point in a process.
            self._lib.espeak_ng_SetRandSeed(1)
            self._lib.espeak_Synth(buffer, len(data), 0, _POS_CHARACTER, 0, _CHARS_UTF8, None, None)
            chunks, self._chunks = self._chunks, []
        return np.concatenate(chunks) if chunks else np.zeros(0, dtype=np.int16)

    def phonemes(self, word: str) -> str:
        """IPA pronunciation of `word` by espeak's en-us rules (used as a letter-to-sound fallback)."""
        text = ctypes.c_char_p(word.encode("utf-8"))
        pointer = ctypes.pointer(text)
        parts: list[str] = []
        with self.lock:
            self._apply(VOICES[DEFAULT_VOICE])
            while pointer.contents.value:
                out = self._lib.espeak_TextToPhonemes(pointer, _CHARS_UTF8, _IPA_PHONEMES)
                if out is None:
                    break
                parts.append(out.decode("utf-8", "replace"))
        return " ".join(parts)


_engine: _Espeak | None = None
_engine_guard = threading.Lock()


def _espeak() -> _Espeak:
    global _engine
    with _engine_guard:
        if _engine is None:
            _engine = _Espeak()
        return _engine


def phonemize_ipa(word: str) -> str:
    """IPA for one word as espeak-ng would say it in American English."""
    return _espeak().phonemes(word)


def voice_style(voice: str) -> VoiceStyle:
    """The espeak rendering of an OpenAI voice name; unknown names get the default voice."""
    return VOICES.get(voice.lower(), VOICES[DEFAULT_VOICE])


# --- phrase splitting -----------------------------------------------------------------------------------------

_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"')\]]*\s+")
_CLAUSE_END = re.compile(r"(?<=[,;:—–])\s+")


def split_phrases(text: str, max_words: int = 6, first_words: int | None = None) -> list[tuple[str, str]]:
    """`text` cut into short spoken phrases, each with what ended it ("sentence", "clause" or "phrase").

    The phrase strings keep their trailing whitespace, so joining them gives back `text` exactly. A clause
    longer than `max_words` is cut into near-equal runs of words. With `first_words`, the first phrase has at
    most that many words (one more rather than leave a word alone) and each next one at most twice the one before,
    up to `max_words`: the first audio comes quickly and each phrase is rendered while the one before plays.
    """
    pieces: list[tuple[str, str]] = []
    limit = min(first_words or max_words, max_words)
    for sentence in _split_keep(text, _SENTENCE_END):
        clauses = _split_keep(sentence, _CLAUSE_END)
        for c_index, clause in enumerate(clauses):
            kind_at_end = "sentence" if c_index == len(clauses) - 1 else "clause"
            words = re.findall(r"\S+\s*", clause)
            lead = clause[: len(clause) - len(clause.lstrip())]
            if not words:
                if pieces:
                    pieces[-1] = (pieces[-1][0] + clause, pieces[-1][1])
                elif clause:
                    pieces.append((clause, kind_at_end))
                continue
            start = 0
            while start < len(words):
                left = len(words) - start
                if limit < max_words:
                    size = left if left <= limit + 1 else limit
                else:
                    size = -(-left // -(-left // max_words))
                group = "".join(words[start : start + size])
                if start == 0:
                    group = lead + group
                start += size
                pieces.append((group, kind_at_end if start >= len(words) else "phrase"))
                limit = min(max_words, limit * 2)
    return pieces


def _split_keep(text: str, pattern: re.Pattern[str]) -> list[str]:
    out: list[str] = []
    start = 0
    for match in pattern.finditer(text):
        out.append(text[start : match.end()])
        start = match.end()
    if start < len(text) or not out:
        out.append(text[start:])
    return [piece for piece in out if piece]


def _trim(samples: Int16Array, floor: int = 64) -> Int16Array:
    loud = np.flatnonzero(np.abs(samples.astype(np.int32)) > floor)
    if loud.size == 0:
        return samples[:0]
    return samples[max(0, loud[0] - 40) : loud[-1] + 40]


class Synthesizer:
    """Text → int16 speech in one OpenAI voice. Thread-safe. Piper or espeak is chosen once, when it is created."""

    def __init__(self, voice: str = DEFAULT_VOICE) -> None:
        self.voice = voice
        self.style = voice_style(voice)
        self._engine = _espeak()
        self._piper = piper_speaker() if self.style.piper_length is not None else None

    @property
    def uses_piper(self) -> bool:
        """Whether this voice speaks with piper (mapped to it, and piper was on and available when created)."""
        return self._piper is not None

    @property
    def native_rate(self) -> int:
        """The synthesizer's own output rate (22050 Hz for both piper's voice and espeak)."""
        return self._piper.sample_rate if self._piper is not None else self._engine.sample_rate

    def _render(self, text: str, rate: int) -> Int16Array:
        if self._piper is not None and self.style.piper_length is not None:
            native = self._piper.synth(text, self.style.piper_length)
        else:
            native = self._engine.synth(text, self.style)
        if rate == self.native_rate or native.size == 0:
            return native
        out = soxr.resample(native, self.native_rate, rate, quality="HQ")
        return np.asarray(out, dtype=np.int16)

    def synthesize(self, text: str, rate: int = PCM16_RATE) -> Int16Array:
        """The whole of `text` spoken at `rate` samples/s (24000 for pcm16, 8000 for G.711)."""
        if not text.strip():
            return np.zeros(0, dtype=np.int16)
        return self._render(text, rate)

    def synthesize_chunks(self, text: str, rate: int = PCM16_RATE) -> Iterator[tuple[str, Int16Array]]:
        """Yield `(phrase, samples)` per short phrase; the phrases join back to `text` exactly.

        Each phrase's audio is trimmed and followed by a pause fitting its end (sentence, clause or mid-clause),
        so the deltas can be streamed together with the matching transcript deltas as they are produced.
        """
        for phrase, kind in split_phrases(text):
            yield phrase, self.render_phrase(phrase, kind, rate)

    def render_phrase(self, phrase: str, kind: str, rate: int = PCM16_RATE) -> Int16Array:
        """One phrase of `split_phrases` spoken, trimmed, with the pause its end `kind` calls for."""
        pause = np.zeros(rate * _PAUSE_MS[kind] // 1000, dtype=np.int16)
        if not phrase.strip():
            return pause[:0]
        return np.concatenate([_trim(self._render(phrase, rate)), pause])
