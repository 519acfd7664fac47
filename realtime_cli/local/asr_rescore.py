"""Picking among whisper's n best hypotheses with a language model in the small: the session's own words and
general English words count for a hypothesis, words neither knows count against it.

Plain data in, an index out: the recognizer hands the hypotheses' texts and scores; no audio, no model here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from .speech_util import normalize_words

# Tuned on bench/asr_dev.py (not on bench/engine_speech.py): per-word bonus/penalty in units of whisper's
# average token log-probability.
SESSION_BONUS = 0.5
UNKNOWN_PENALTY = 0.5


@dataclass(frozen=True)
class Vocabulary:
    """The words a session's users likely say (from its prompt) and a general English word list."""

    session: frozenset[str]
    general: frozenset[str]

    @classmethod
    def of(cls, session_text: str, general: Iterable[str]) -> Vocabulary:
        return cls(frozenset(normalize_words(session_text)), frozenset(general))


def general_words(pieces: Iterable[str]) -> frozenset[str]:
    """English words from a tokenizer's vocabulary: the pieces that are one whole lowercase word after a space
    (BPE keeps frequent words whole, so this is a frequency-cut word list of about 20,000 words)."""
    out = set()
    for piece in pieces:
        if piece.startswith(" ") and re.fullmatch(r"[a-z][a-z']+", piece[1:]):
            out.add(piece[1:])
    return frozenset(out)


def hypothesis_score(text: str, logprob: float, vocabulary: Vocabulary, session_bonus: float = SESSION_BONUS,
                     unknown_penalty: float = UNKNOWN_PENALTY, out_of: int = 0) -> float:
    """Whisper's score plus the words the session knows times the bonus, minus the words neither the session
    nor the general list knows times the penalty, both per `out_of` words (at least the text's own count)."""
    words = normalize_words(text)
    if not words:
        return logprob
    known = sum(word in vocabulary.session for word in words)
    unknown = sum(word not in vocabulary.session and word not in vocabulary.general for word in words)
    return logprob + (session_bonus * known - unknown_penalty * unknown) / max(len(words), out_of)


def best_hypothesis(hypotheses: Sequence[tuple[str, float]], vocabulary: Vocabulary) -> int:
    """Index of the hypothesis (text, whisper score) that scores best; the first (whisper's own) on ties.

    Every hypothesis is judged per the longest one's word count: a share per its own length would reward
    leaving a general word out ("is doctor okafor in…" lost to "doctor okafor in…" at equal whisper scores).
    """
    out_of = max((len(normalize_words(text)) for text, _ in hypotheses), default=0)
    best, best_score = 0, float("-inf")
    for index, (text, logprob) in enumerate(hypotheses):
        score = hypothesis_score(text, logprob, vocabulary, out_of=out_of)
        if score > best_score:
            best, best_score = index, score
    return best
