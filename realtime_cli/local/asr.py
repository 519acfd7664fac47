"""Offline speech recognition for the local engine: pocketsphinx with a per-session domain language model.

Owns building (and caching) a trigram LM plus a cut-down CMU dictionary from the session's own words and a core
of everyday phrases, and the streaming recognizer (one decoder per audio stream) fed 24 kHz int16 chunks.
"""

from __future__ import annotations

import hashlib
import io
import os
import tempfile
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pocketsphinx
from pocketsphinx.lm import ArpaBoLM

from realtime_cli.local.speech_util import CORE_PHRASES, spoken_sentences
from realtime_cli.local.tts import phonemize_ipa
from realtime_cli.protocol.codecs import PCM16_RATE

Int16Array = npt.NDArray[np.int16]

_MODEL_DIR = Path(pocketsphinx.get_model_path()) / "en-us"
_HMM_DIR = _MODEL_DIR / "en-us"
_CMUDICT = _MODEL_DIR / "cmudict-en-us.dict"
_DITHER_SIGMA = 30.0  # LSB; synthetic speech has exact digital silence, which the front end handles badly
_CMN_REDECODE_SHIFT = 4.0  # decode an utterance twice when its cepstral mean moved further than this
_DOMAIN_WEIGHT = 3  # session sentences count this many times against one core phrase

# espeak IPA → CMU ARPAbet, longest symbols first; marks of stress, length and syllabicity are skipped.
_IPA_TO_ARPABET: dict[str, str] = {
    "aɪɚ": "AY ER",
    "aɪə": "AY ER",
    "ɑɹ": "AA R",
    "ɔɹ": "AO R",
    "oɹ": "AO R",
    "ɛɹ": "EH R",
    "ɪɹ": "IH R",
    "ʊɹ": "UH R",
    "aɪ": "AY",
    "aʊ": "AW",
    "eɪ": "EY",
    "oʊ": "OW",
    "əʊ": "OW",
    "ɔɪ": "OY",
    "dʒ": "JH",
    "tʃ": "CH",
    "ɜ": "ER",
    "ɚ": "ER",
    "ɝ": "ER",
    "æ": "AE",
    "ɑ": "AA",
    "ɒ": "AA",
    "a": "AA",
    "ɔ": "AO",
    "ʌ": "AH",
    "ə": "AH",
    "ɐ": "AH",
    "ɛ": "EH",
    "e": "EH",
    "ɪ": "IH",
    "ᵻ": "IH",
    "i": "IY",
    "u": "UW",
    "ʊ": "UH",
    "o": "OW",
    "b": "B",
    "d": "D",
    "f": "F",
    "ɡ": "G",
    "g": "G",
    "h": "HH",
    "k": "K",
    "l": "L",
    "ɫ": "L",
    "m": "M",
    "n": "N",
    "ŋ": "NG",
    "p": "P",
    "ɹ": "R",
    "r": "R",
    "s": "S",
    "ʃ": "SH",
    "t": "T",
    "ɾ": "T",
    "ʔ": "T",
    "θ": "TH",
    "ð": "DH",
    "v": "V",
    "w": "W",
    "j": "Y",
    "z": "Z",
    "ʒ": "ZH",
    "x": "K",
    "ç": "HH",
}
_IPA_SKIP = set("ˈˌː.-‿ \u0329\u032f")


def ipa_to_arpabet(ipa: str) -> str:
    """ARPAbet phones (space-separated) for an IPA string; unknown symbols are dropped."""
    phones: list[str] = []
    for word in ipa.split():
        symbols = "".join(ch for ch in word if ch not in _IPA_SKIP)
        index = 0
        while index < len(symbols):
            for size in (3, 2, 1):
                piece = symbols[index : index + size]
                if len(piece) == size and piece in _IPA_TO_ARPABET:
                    phones.append(_IPA_TO_ARPABET[piece])
                    index += size
                    break
            else:
                index += 1
    return " ".join(phones)


_cmudict_lines: list[str] | None = None
_cmudict_guard = threading.Lock()


def _cmudict_entries(words: set[str]) -> dict[str, list[str]]:
    """Pronunciations (first and variants) from the bundled CMU dictionary for just `words`."""
    global _cmudict_lines
    with _cmudict_guard:
        if _cmudict_lines is None:
            _cmudict_lines = _CMUDICT.read_text(encoding="utf-8").splitlines()
        lines = _cmudict_lines
    found: dict[str, list[str]] = {}
    for line in lines:
        head, _, phones = line.partition(" ")
        word = head.split("(", 1)[0]
        if word in words:
            found.setdefault(word, []).append(phones.split("#", 1)[0].strip())
    return found


@dataclass(frozen=True)
class DomainModel:
    """A built language model and dictionary on disk, ready for any number of decoders."""

    key: str
    lm_path: Path
    dict_path: Path
    vocabulary: frozenset[str]
    guessed_words: frozenset[str]  # pronounced by letter-to-sound (espeak), not found in the CMU dictionary
    build_seconds: float


_models: dict[str, DomainModel] = {}
_models_guard = threading.Lock()
_cache_dir: Path | None = None


def _model_dir() -> Path:
    global _cache_dir
    if _cache_dir is None:
        _cache_dir = Path(tempfile.mkdtemp(prefix="rtagent-asr-"))
    return _cache_dir


def build_domain_model(phrases: Iterable[str], include_core: bool = True) -> DomainModel:
    """The LM + dictionary for `phrases` (free text: instructions, tool names, descriptions, enum values …).

    Text is split into sentences and normalized to spoken words; the core everyday phrases are added unless
    `include_core` is false. Results are cached per process by the resulting corpus, so building the same
    vocabulary twice is free. Thread-safe.
    """
    domain = [words for phrase in phrases for words in spoken_sentences(phrase)]
    core = [words for phrase in CORE_PHRASES for words in spoken_sentences(phrase)] if include_core else []
    corpus_lines = [" ".join(words) for words in domain] * _DOMAIN_WEIGHT + [" ".join(w) for w in core]
    if not corpus_lines:
        raise ValueError("a domain language model needs at least one phrase with words in it")
    key = hashlib.sha256("\n".join(corpus_lines).encode("utf-8")).hexdigest()[:20]
    with _models_guard:
        cached = _models.get(key)
        if cached is not None:
            return cached
        model = _build(key, corpus_lines)
        _models[key] = model
        return model


def _build(key: str, corpus_lines: list[str]) -> DomainModel:
    started = time.perf_counter()
    vocabulary = {word for line in corpus_lines for word in line.split()}
    pronunciations = _cmudict_entries(vocabulary)
    guessed: set[str] = set()
    for word in sorted(vocabulary - pronunciations.keys()):
        phones = ipa_to_arpabet(phonemize_ipa(word))
        if phones:
            pronunciations[word] = [phones]
            guessed.add(word)
    # Words nobody can pronounce break their sentence in two rather than poisoning the LM.
    kept: list[str] = []
    for line in corpus_lines:
        run: list[str] = []
        for word in [*line.split(), ""]:
            if word in pronunciations:
                run.append(word)
            elif run:
                kept.append(" ".join(run))
                run = []
    lm = ArpaBoLM(sentfile=io.StringIO("\n".join(kept) + "\n"), add_start=True)
    lm.compute()
    directory = _model_dir()
    lm_path, dict_path = directory / f"{key}.lm", directory / f"{key}.dict"
    arpa = io.StringIO()
    lm.write(arpa)
    _write_atomically(lm_path, arpa.getvalue())
    entries = []
    for word in sorted(pronunciations):
        for index, phones in enumerate(pronunciations[word]):
            entries.append(f"{word}{'' if index == 0 else f'({index + 1})'} {phones}")
    _write_atomically(dict_path, "\n".join(entries) + "\n")
    return DomainModel(
        key=key,
        lm_path=lm_path,
        dict_path=dict_path,
        vocabulary=frozenset(pronunciations),
        guessed_words=frozenset(guessed),
        build_seconds=time.perf_counter() - started,
    )


def _write_atomically(path: Path, text: str) -> None:
    temporary = path.with_suffix(path.suffix + f".{os.getpid()}.{threading.get_ident()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


class StreamingRecognizer:
    """One utterance stream → text. Owns one pocketsphinx decoder; use each instance from one thread at a time.

    Call `accept` with each chunk of int16 audio as it arrives (any size; 20 ms is fine) and `finish` once the
    utterance is over; after `finish` the recognizer is ready for the next utterance.
    """

    def __init__(
        self, model: DomainModel, sample_rate: int = PCM16_RATE, seed: int = 0, cmn_init: str | None = None
    ) -> None:
        self.model = model
        self.sample_rate = sample_rate
        self._decoder = pocketsphinx.Decoder(
            hmm=str(_HMM_DIR),
            lm=str(model.lm_path),
            dict=str(model.dict_path),
            samprate=float(sample_rate),
            nfft=_nfft_for(sample_rate),
            loglevel="FATAL",
        )
        if cmn_init:
            self._decoder.set_cmn(cmn_init)
        self._rng = np.random.default_rng(seed)
        self._seed = seed
        self._in_utterance = False
        self._partial = ""
        self._utterance: list[bytes] = []
        self._cmn_at_start: list[float] = []
        self.audio_seconds = 0.0
        self.decode_seconds = 0.0

    def accept(self, samples: Int16Array) -> str | None:
        """Decode more audio; returns the new partial hypothesis if it changed, otherwise None."""
        if samples.size == 0:
            return None
        started = time.perf_counter()
        if not self._in_utterance:
            self._cmn_at_start = _parse_cmn(self._decoder.get_cmn(False))
            self._decoder.start_utt()
            self._in_utterance = True
        noisy = samples.astype(np.float32) + self._rng.normal(0.0, _DITHER_SIGMA, samples.size)
        pcm = np.clip(np.rint(noisy), -32768, 32767).astype("<i2")
        self._utterance.append(pcm.tobytes())
        self._decoder.process_raw(self._utterance[-1], False, False)
        hypothesis = self._decoder.hyp()
        text = hypothesis.hypstr if hypothesis is not None else ""
        self.audio_seconds += samples.size / self.sample_rate
        self.decode_seconds += time.perf_counter() - started
        if text and text != self._partial:
            self._partial = text
            return text
        return None

    def finish(self) -> str:
        """End the utterance and return its final text ("" if nothing was heard).

        Cepstral mean normalization adapts as audio flows; when this utterance moved the estimate far from
        where it started (typically the first utterance of a stream, or a new microphone level), the utterance
        is decoded a second time from the adapted estimate, which recovers the words the first pass misheard
        while it was still adapting.
        """
        if not self._in_utterance:
            return ""
        started = time.perf_counter()
        self._decoder.end_utt()
        hypothesis = self._decoder.hyp()
        cmn_now = self._decoder.get_cmn(False)
        if _cmn_shift(self._cmn_at_start, _parse_cmn(cmn_now)) > _CMN_REDECODE_SHIFT:
            self._decoder.set_cmn(cmn_now)
            self._decoder.start_utt()
            self._decoder.process_raw(b"".join(self._utterance), False, True)
            self._decoder.end_utt()
            hypothesis = self._decoder.hyp()
        self.decode_seconds += time.perf_counter() - started
        self._in_utterance = False
        self._partial = ""
        self._utterance = []
        self._rng = np.random.default_rng(self._seed)
        return hypothesis.hypstr if hypothesis is not None else ""

    @property
    def cmn(self) -> str:
        """The current cepstral mean estimate; pass it as `cmn_init` to a later recognizer on the same source."""
        return str(self._decoder.get_cmn(False))


def _parse_cmn(text: str) -> list[float]:
    return [float(value) for value in text.split(",") if value]


def _cmn_shift(before: list[float], after: list[float]) -> float:
    """Euclidean distance between two CMN vectors over their common (leading) coefficients."""
    count = min(len(before), len(after))
    return float(np.linalg.norm(np.subtract(before[:count], after[:count]))) if count else 0.0


def _nfft_for(sample_rate: int) -> int:
    # pocketsphinx's 25.6 ms analysis window must fit in the FFT: 512 up to 20 kHz, 1024 above.
    return 512 if sample_rate <= 20_000 else 1024


def transcribe(model: DomainModel, samples: Int16Array, sample_rate: int = PCM16_RATE) -> str:
    """Whole-utterance convenience: the text of `samples` (one recognizer, fed in 20 ms chunks)."""
    recognizer = StreamingRecognizer(model, sample_rate)
    step = sample_rate // 50
    for start in range(0, samples.size, step):
        recognizer.accept(samples[start : start + step])
    return recognizer.finish()
