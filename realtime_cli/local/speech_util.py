"""Text helpers for the local engine's speech: spoken-form normalization and word error rate.

Normalization turns written text (digits, identifiers like `get_weather`, punctuation) into the lowercase word
sequences a speaker says, so recognized text can be scored against what was meant.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

_ONES = [
    "zero",
    "one",
    "two",
    "three",
    "four",
    "five",
    "six",
    "seven",
    "eight",
    "nine",
    "ten",
    "eleven",
    "twelve",
    "thirteen",
    "fourteen",
    "fifteen",
    "sixteen",
    "seventeen",
    "eighteen",
    "nineteen",
]
_TENS = ["_", "_", "twenty", "thirty", "forty", "fifty", "sixty", "seventy", "eighty", "ninety"]
_ORDINAL_SUFFIX = re.compile(r"^(\d+)(st|nd|rd|th)$")
_IRREGULAR_ORDINALS = {
    "one": "first",
    "two": "second",
    "three": "third",
    "five": "fifth",
    "eight": "eighth",
    "nine": "ninth",
    "twelve": "twelfth",
}


def number_words(value: int) -> list[str]:
    """English words for a whole number 0 ≤ value < 1,000,000 ("21" → twenty one); larger ones digit by digit."""
    if value < 0:
        return ["minus", *number_words(-value)]
    if value < 20:
        return [_ONES[value]]
    if value < 100:
        tens, ones = divmod(value, 10)
        return [_TENS[tens]] + ([_ONES[ones]] if ones else [])
    if value < 1000:
        hundreds, rest = divmod(value, 100)
        return [_ONES[hundreds], "hundred"] + (number_words(rest) if rest else [])
    if value < 1_000_000:
        thousands, rest = divmod(value, 1000)
        return [*number_words(thousands), "thousand"] + (number_words(rest) if rest else [])
    return [_ONES[int(digit)] for digit in str(value)]


def ordinal_words(value: int) -> list[str]:
    """English ordinal words ("3" → third, "21" → twenty first)."""
    words = number_words(value)
    last = words[-1]
    if last in _IRREGULAR_ORDINALS:
        words[-1] = _IRREGULAR_ORDINALS[last]
    elif last.endswith("y"):
        words[-1] = last[:-1] + "ieth"
    else:
        words[-1] = last + "th"
    return words


def _token_words(token: str) -> list[str]:
    if token.isdigit():
        return number_words(int(token)) if len(token) <= 6 else [_ONES[int(d)] for d in token]
    ordinal = _ORDINAL_SUFFIX.match(token)
    if ordinal:
        return ordinal_words(int(ordinal.group(1)))
    return [token.strip("'")] if token.strip("'") else []


_CAMEL = re.compile(
    r"(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])|(?<=[A-Za-z])(?=\d)|(?<=\d)(?=[A-Za-z])(?!(?:st|nd|rd|th)\b)"
)
_SYMBOLS = {"%": " percent ", "&": " and ", "+": " plus ", "@": " at ", "$": " dollars ", "#": " number "}
_SENTENCE_SPLIT = re.compile(r"[.!?;:\n]+(?:\s+|$)|\s+[-–—]+\s+")


def normalize_words(text: str) -> list[str]:
    """The lowercase spoken words of `text`: identifiers split, digits and times spelled, punctuation dropped."""
    text = re.sub(r"\b(\d{1,2}):(\d{2})\b", lambda m: f"{m.group(1)} {'' if m.group(2) == '00' else m.group(2)}", text)
    text = re.sub(r"(?<=\d),(?=\d{3}\b)", "", text)
    text = re.sub(r"\$(\d+)", r"\1 dollars", text)
    for symbol, spoken in _SYMBOLS.items():
        text = text.replace(symbol, spoken)
    text = _CAMEL.sub(" ", text)
    text = re.sub(r"[_/\\\-–—.,!?;:()\[\]{}\"“”<>=*|~`^]+", " ", text.replace("’", "'"))
    words: list[str] = []
    for token in text.lower().split():
        words.extend(_token_words(token))
    return [w for w in words if w]


def spoken_sentences(text: str) -> list[list[str]]:
    """`text` split into sentences (and dash-separated asides), each as normalized words; empty ones dropped."""
    out = [normalize_words(part) for part in _SENTENCE_SPLIT.split(text)]
    return [words for words in out if words]


def word_errors(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Word-level Levenshtein distance (substitutions + deletions + insertions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref_word in enumerate(reference, start=1):
        current = [i] + [0] * len(hypothesis)
        for j, hyp_word in enumerate(hypothesis, start=1):
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (ref_word != hyp_word))
        previous = current
    return previous[-1]


_MAX_READINGS = 64


def spoken_readings(text: str) -> list[list[str]]:
    """Every way `text` can be said when it holds digits: a number read whole ("4572" → four thousand five
    hundred seventy two, or with "and" after the hundreds) or digit by digit (four five seven two), as a
    speaker of a barcode or ticket number says it. The first reading is `normalize_words(text)`."""
    readings: list[list[str]] = [[]]
    for part in re.split(r"(?<!\S)(\d{2,6})(?=[\s.,!?;:]|$)", text):
        if part.isdigit() and 2 <= len(part) <= 6:
            whole = number_words(int(part))
            options = [whole, [_ONES[int(digit)] for digit in part]]
            if "hundred" in whole[:-1]:
                cut = whole.index("hundred") + 1
                options.append([*whole[:cut], "and", *whole[cut:]])
        else:
            options = [normalize_words(part)]
        readings = [[*reading, *option] for reading in readings for option in options][:_MAX_READINGS]
    return readings


def word_error_rate(pairs: Iterable[tuple[str, str]]) -> float:
    """Corpus WER over `(reference_text, hypothesis_text)` pairs, both normalized with `normalize_words`; a
    hypothesis that writes a spoken number in digits is scored by its reading closest to the reference."""
    errors = total = 0
    for reference, hypothesis in pairs:
        ref_words = normalize_words(reference)
        errors += min(word_errors(ref_words, reading) for reading in spoken_readings(hypothesis))
        total += len(ref_words)
    return errors / total if total else 0.0
