"""Identifier extractor for the local brain: ids and numbers written as strings take only code-looking values
("1002", "A-17", spoken numbers, capitals), the one nearest the parameter's or the tool's name words first.
"""

from __future__ import annotations

import re
from typing import Any

from realtime_cli.local.brain_match import ToolInfo
from realtime_cli.local.brain_params import IDENTIFIER_WORDS, Fill, Param, window
from realtime_cli.local.brain_text import STOP_WORDS, Token, split_identifier, stem
from realtime_cli.local.brain_values import find_numbers

_ORDINAL_DIGITS = re.compile(r"\d+(st|nd|rd|th)")


def fill_identifiers(f: Fill) -> None:
    _take_identifiers(f.info, f.of("identifier"), f.text, f.tokens, f.consumed, f.args)


def _identifier_candidates(text: str, tokens: list[Token], consumed: set[int]) -> list[tuple[str, set[int]]]:
    """Code-looking values in the turn, best kinds first: with digits ("1002", "A-17"), spoken numbers, capitals."""
    coded: list[tuple[str, set[int]]] = []
    capitals: list[tuple[str, set[int]]] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        nxt = tokens[i + 1] if i + 1 < len(tokens) else None
        if i in consumed:
            i += 1
            continue
        if (token.text.isalpha() and nxt is not None and i + 1 not in consumed and nxt.text.isdigit()
                and f"{token.text}-{nxt.text}" in text):
            coded.append((f"{token.text}-{nxt.text}", {i, i + 1}))
            i += 2
            continue
        written = token.text
        if any(c.isdigit() for c in written):
            if not _ORDINAL_DIGITS.fullmatch(written.lower()) and not set(written) & set(":/"):
                coded.append((written, {i}))
        elif len(written) >= 2 and written.isupper() and token.low not in STOP_WORDS | IDENTIFIER_WORDS:
            capitals.append((written, {i}))
        i += 1
    spoken = [
        (str(round(value)), set(range(start, end)))
        for value, start, end in find_numbers(tokens, consumed)
        if not tokens[start].low[:1].isdigit() and value >= 10 and value == int(value)
    ]
    return coded + spoken + capitals


def _take_identifiers(
    info: ToolInfo, params: list[Param], text: str, tokens: list[Token], consumed: set[int], args: dict[str, Any]
) -> None:
    """Ids and numbers written as strings take only code-looking values, never plain words ("support")."""
    candidates = _identifier_candidates(text, tokens, consumed)
    for p in params:
        if p.name in args:
            continue
        cue = {stem(w) for w in split_identifier(p.name) + list(info.name_words)} - {stem(w) for w in IDENTIFIER_WORDS}
        near = [
            c for c in candidates
            if any(tokens[j].stem in cue for j in window(min(c[1]), max(c[1]) + 1, len(tokens)))
        ]
        chosen = next(iter(near + candidates), None)
        if chosen is not None:
            args[p.name] = chosen[0]
            candidates.remove(chosen)
            consumed |= chosen[1]
