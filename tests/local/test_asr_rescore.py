"""Tests for realtime_cli.local.asr_rescore: n-best rescoring with a session's words and general English, as data."""

from __future__ import annotations

from realtime_cli.local.asr import Recognizer
from realtime_cli.local.asr_rescore import (
    SESSION_BONUS,
    UNKNOWN_PENALTY,
    Vocabulary,
    best_hypothesis,
    general_words,
    hypothesis_score,
)

GENERAL = frozenset(["can", "you", "the", "book", "with", "my", "a", "please", "open", "when", "does", "branch",
                     "on", "mod", "remove", "saturday", "i", "would", "like", "to"])
LIBRARY = Vocabulary.of("Renew a borrowed item by its barcode. Opening hours of a library branch. harbor", GENERAL)


def test_the_session_word_wins_over_a_general_near_miss_of_similar_score() -> None:
    # one word of seven differs; whisper prefers the general word by less than that word's share of the bonus
    gap = SESSION_BONUS / 7 / 2
    hypotheses = [("can you remove the book with barcode", -0.40), ("can you renew the book with barcode", -0.40 - gap)]
    assert best_hypothesis(hypotheses, LIBRARY) == 1


def test_a_much_more_likely_hypothesis_keeps_its_place() -> None:
    hypotheses = [("can you remove the book", -0.20), ("can you renew the book", -0.90)]
    assert best_hypothesis(hypotheses, LIBRARY) == 0


def test_words_nobody_knows_count_against_a_hypothesis() -> None:
    gap = (SESSION_BONUS + UNKNOWN_PENALTY) / 7
    hypotheses = [("when does the harm-a-blunch open", -0.50), ("when does the harbor branch open", -0.50 - gap)]
    assert best_hypothesis(hypotheses, LIBRARY) == 1
    assert hypothesis_score("zzyzx", -0.5, LIBRARY) < -0.5 < hypothesis_score("harbor", -0.5, LIBRARY)


def test_leaving_a_word_out_earns_no_bonus() -> None:
    # equal whisper scores, whisper's best first: the hypothesis without "can" has a larger share of session
    # words but not more of them, so it does not win
    hypotheses = [("can renew the book with barcode", -0.40), ("renew the book with barcode", -0.40)]
    assert best_hypothesis(hypotheses, LIBRARY) == 0
    assert hypothesis_score(*hypotheses[1], LIBRARY) > hypothesis_score(*hypotheses[0], LIBRARY)  # alone, per share
    assert hypothesis_score(*hypotheses[1], LIBRARY, out_of=6) == hypothesis_score(*hypotheses[0], LIBRARY)


def test_ties_and_empty_text_keep_whispers_order() -> None:
    assert best_hypothesis([("please", -0.3), ("please", -0.3)], LIBRARY) == 0
    assert best_hypothesis([("", -0.1), ("zzyzx", -0.1)], LIBRARY) == 0
    assert hypothesis_score("", -0.7, LIBRARY) == -0.7


def test_the_session_vocabulary_is_its_spoken_words() -> None:
    assert {"renew", "borrowed", "barcode", "library", "harbor"} <= LIBRARY.session
    assert "." not in LIBRARY.session


def test_general_words_are_the_whole_word_pieces_of_a_tokenizer() -> None:
    assert general_words([" the", " Boston", "ing", " can't", " a", " x1", " hello"]) == {"the", "can't", "hello"}


def test_the_models_tokenizer_yields_a_general_english_list(recognizer: Recognizer) -> None:
    words = recognizer.vocabulary("").general
    assert len(words) > 10_000
    assert {"please", "weather", "appointment", "yesterday"} <= words
    assert recognizer.vocabulary("Book a technician").session == {"book", "a", "technician"}
