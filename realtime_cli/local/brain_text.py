"""Words for the local brain: tokens that keep their written case, stemming-lite, stop words, synonyms, numbers.

Pure text processing shared by intent matching, argument filling and reply building; the word lists are data
(lexicon.json beside this module); no knowledge of tools.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

_TOKEN = re.compile(
    r"\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}(?:/\d{2,4})?|\d{1,2}:\d{2}"
    r"|(?:[A-Za-z]+\d|\d+[A-Z]+(?![a-z])|\d+[a-z]+\d)[A-Za-z0-9]*"  # codes: "2L47", "BS7", "8QT", "1f20"
    r"|\d+(?:\.\d+)?(?:st|nd|rd|th)?|[A-Za-z]+(?:'[A-Za-z]+)?"
)
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_VOWELS = set("aeiouy")


def word_list(text: str) -> list[str]:
    """The whitespace-separated words of a literal, in order (keeps long vocabularies readable)."""
    return text.split()


def word_set(text: str) -> frozenset[str]:
    """The whitespace-separated words of a literal, as a set."""
    return frozenset(text.split())


@dataclass(frozen=True)
class Token:
    """One word of a user turn: `text` as written, `low` lowercased (a trailing "'s" dropped), `stem` for matching."""

    text: str
    low: str
    stem: str


_DIGIT_NAMES = ("zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine")


def _prepare(text: str) -> str:
    text = re.sub(r"(?<=\d),(?=\d{3}(?!\d))", "", text)  # "1,005" (as whisper writes numbers) is 1005
    text = re.sub(r"\b(\d+)000 and (\d{1,3})\b", lambda m: str(int(m[1]) * 1000 + int(m[2])), text)
    text = re.sub(r"\b([1-9])000 and (?=[a-z])", lambda m: f"{_DIGIT_NAMES[int(m[1])]} thousand and ", text,
                  flags=re.IGNORECASE)  # "1,000 and five" (whisper's half-written number) as words
    text = re.sub(r"\bo'?\s?clock\b", " oclock", text, flags=re.IGNORECASE)
    text = re.sub(r"\b([ap])\.\s?m\.?(?=\W|$)", r"\1m", text, flags=re.IGNORECASE)
    return re.sub(r"(\d)\s*([ap]m)\b", r"\1 \2", text, flags=re.IGNORECASE)


def tokenize(text: str) -> list[Token]:
    """Split text into tokens; digits, times ("15:30"), dates ("3/14", ISO) and ordinals ("3rd") stay whole."""
    tokens = []
    for match in _TOKEN.finditer(_prepare(text)):
        written = match.group(0)
        low = written.lower()
        if low.endswith("'s"):
            low = low[:-2]
        tokens.append(Token(written, low, stem(low)))
    return tokens


def split_identifier(name: str) -> list[str]:
    """Lowercase words of a snake_case, kebab-case or camelCase identifier ("getWeather_now" → get weather now)."""
    return [part.lower() for chunk in re.split(r"[^A-Za-z0-9]+", name) for part in _CAMEL.split(chunk) if part]


_CODE = re.compile(r"(?=[A-Za-z]*\d)(?=\d*[A-Za-z])[A-Z0-9]+|[a-z]+\d[a-z0-9]*")


def words(text: str) -> list[str]:
    """Lowercase words of free text, identifiers split; codes that mix letters and digits ("8QT") stay whole."""
    return [w for chunk in re.findall(r"[A-Za-z0-9_]+", text)
            for w in ([chunk.lower()] if _CODE.fullmatch(chunk) else split_identifier(chunk))]


def stem(word: str) -> str:
    """Stemming-lite: lowercase, drop a plural "s"/"es"/"ies", then "ing" or "ed", then a final "e"."""
    w = word.lower()
    if len(w) > 4 and w.endswith("ies"):
        w = w[:-3] + "y"
    elif len(w) > 4 and w.endswith(("ches", "shes", "sses", "xes")):
        w = w[:-2]
    elif len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        w = w[:-1]
    for suffix in ("ing", "ed"):
        base = w[: -len(suffix)]
        if w.endswith(suffix) and len(base) >= 3 and _VOWELS & set(base):
            w = base
            if len(w) > 3 and w[-1] == w[-2] and w[-1] not in "lsz":
                w = w[:-1]
            break
    if len(w) > 3 and w.endswith("e"):
        w = w[:-1]
    return w


_LEXICON: dict[str, Any] = json.loads(
    resources.files("realtime_cli.local").joinpath("lexicon.json").read_text(encoding="utf-8"))

STOP_WORDS: frozenset[str] = frozenset(_LEXICON["stop_words"])
"""Words that carry no intent; they are ignored for matching and trimmed from the ends of free-text arguments."""

WHEN_WORDS: frozenset[str] = frozenset(_LEXICON["when_words"])
"""Date and time words: never intent words and never part of a place or a name."""

GENERIC_VERBS: frozenset[str] = frozenset(_LEXICON["generic_verbs"])
"""Verbs that open many tool names; they count for little when matching a tool."""

COMMON_VERBS: frozenset[str] = frozenset(_LEXICON["common_verbs"])
"""Everyday English verbs in their base form: a free-text value is the thing asked about, rarely one of these."""

_SYNONYM_GROUPS: tuple[tuple[str, ...], ...] = tuple(tuple(group) for group in _LEXICON["synonym_groups"])


def _build_synonyms() -> dict[str, frozenset[int]]:
    table: dict[str, set[int]] = {}
    for index, group in enumerate(_SYNONYM_GROUPS):
        for word in group:
            table.setdefault(stem(word), set()).add(index)
    return {key: frozenset(value) for key, value in table.items()}


_SYNONYMS = _build_synonyms()


def synonym_groups(word_stem: str) -> frozenset[int]:
    """The synonym groups a stem belongs to (empty when it has none)."""
    return _SYNONYMS.get(word_stem, frozenset())


def is_content(token: Token) -> bool:
    """Whether a token can carry intent: not a stop word, not a date/time word, not a number."""
    low = token.low
    return not (low in STOP_WORDS or low in WHEN_WORDS or low[:1].isdigit() or is_number_word(low))


_UNIT_WORDS = word_list(
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen "
    "eighteen nineteen"
)
_UNITS = {word: value for value, word in enumerate(_UNIT_WORDS)}
_TEN_WORDS = word_list("twenty thirty forty fifty sixty seventy eighty ninety")
_TENS = {word: 10 * (i + 2) for i, word in enumerate(_TEN_WORDS)}
_ORDINAL_WORDS = word_list(
    "first second third fourth fifth sixth seventh eighth ninth tenth eleventh twelfth thirteenth fourteenth fifteenth "
    "sixteenth seventeenth eighteenth nineteenth twentieth"
)
ORDINALS: dict[str, int] = {word: value + 1 for value, word in enumerate(_ORDINAL_WORDS)}
ORDINALS["thirtieth"] = 30
_SCALES = {"hundred": 100, "thousand": 1000}


def is_number_word(word: str) -> bool:
    """Whether a lowercase word is a cardinal or ordinal number word."""
    return word in _UNITS or word in _TENS or word in ORDINALS or word in _SCALES


def _below_hundred(tokens: list[Token], i: int, ordinal: bool) -> tuple[int, int, bool] | None:
    """(value, next index, is_ordinal) for a number below 100 spelled in words at tokens[i]."""
    if i >= len(tokens):
        return None
    low = tokens[i].low
    if low in _TENS:
        value = _TENS[low]
        if i + 1 < len(tokens):
            nxt = tokens[i + 1].low
            if nxt in _UNITS and 0 < _UNITS[nxt] < 10:
                return value + _UNITS[nxt], i + 2, False
            if ordinal and nxt in ORDINALS and ORDINALS[nxt] < 10:
                return value + ORDINALS[nxt], i + 2, True
        return value, i + 1, False
    if low in _UNITS:
        return _UNITS[low], i + 1, False
    if ordinal and low in ORDINALS:
        return ORDINALS[low], i + 1, True
    return None


def parse_number(tokens: list[Token], i: int, *, ordinal: bool = False) -> tuple[float, int, bool] | None:
    """Parse a number at tokens[i]: digits ("22", "22.5", "3rd") or words ("twenty two", "a hundred and five").

    Returns (value, index after the number, is_ordinal) or None. Ordinal words count only with `ordinal=True`.
    """
    if i >= len(tokens):
        return None
    low = tokens[i].low
    digits = re.fullmatch(r"(\d+(?:\.\d+)?)(st|nd|rd|th)?", low)
    if digits:
        if digits.group(2) and not ordinal:
            return None
        return float(digits.group(1)), i + 1, bool(digits.group(2))
    start, total, current, is_ord = i, 0, -1, False  # current == -1: no group started since the last "thousand"
    while i < len(tokens) and not is_ord:
        low = tokens[i].low
        following = tokens[i + 1].low if i + 1 < len(tokens) else ""
        if low == "a" and current < 0 and following in _SCALES:
            current, i = 1, i + 1
        elif low == "hundred" and 0 < current < 100:
            current, i = current * 100, i + 1
        elif low == "thousand" and current > 0 and total == 0:
            total, current, i = current * 1000, -1, i + 1
        elif low == "and" and ((current > 0 and current % 100 == 0) or current < 0 < total) and (
            _below_hundred(tokens, i + 1, ordinal) is not None
        ):
            i += 1
        else:
            part = _below_hundred(tokens, i, ordinal)
            if part is None or (current >= 0 and (current % 100 != 0 or current == 0)):
                break
            current, i, is_ord = max(current, 0) + part[0], part[1], part[2]
    if i == start or (current < 0 and total == 0):
        return None
    total += max(current, 0)
    value = float(total)
    if not is_ord and i + 1 < len(tokens) and tokens[i].low == "point" and tokens[i + 1].low in _UNITS:
        decimals = ""
        i += 1
        while i < len(tokens) and tokens[i].low in _UNITS and _UNITS[tokens[i].low] < 10:
            decimals += str(_UNITS[tokens[i].low])
            i += 1
        value = float(f"{total}.{decimals}")
    return (value, i, is_ord) if i > start else None


_EXAMPLE_CUE = re.compile(r"\b(?:e\.g\.|i\.e\.|for example|for instance|such as|one of)[:,]?\s+|:\s+", re.IGNORECASE)
_EXAMPLE_SPLIT = re.compile(r"\s*(?:,|;|/|\bor\b|\band\b)\s*", re.IGNORECASE)
_EXAMPLE_END = re.compile(r"[.!?)](?:\s|$)")


def description_examples(description: str) -> list[str]:
    """Example values a parameter description lists ("The kind of soil: loam, clay, sand or peat.").

    A list after a colon needs two or more items; after "for example", "e.g.", "such as" or "one of" one is enough.
    Items are short (up to three words) and keep their written form; stop-word-only items are dropped.
    """
    found: list[str] = []
    for cue in _EXAMPLE_CUE.finditer(description):
        rest = description[cue.end():]
        end = _EXAMPLE_END.search(rest)
        chunk = rest[: end.start()] if end else rest
        items = [i.strip(" \"'`") for i in _EXAMPLE_SPLIT.split(chunk.strip())]
        items = [re.sub(r"^(?:the|a|an)\s+", "", i, flags=re.IGNORECASE) for i in items if i]
        if not items or any(len(i.split()) > 3 for i in items):
            continue
        if cue.group(0).strip().startswith(":") and len(items) < 2:
            continue
        for item in items:
            if any(w not in STOP_WORDS for w in words(item)) and item not in found:
                found.append(item)
    return found
