"""Value extractors for the local brain: enum values, listed examples, dates and times, numbers, booleans, arrays
and quoted strings — every value the schema itself names or the turn writes in a fixed form.
"""

from __future__ import annotations

import re
from typing import Any

from realtime_cli.local.brain_match import intent_positions
from realtime_cli.local.brain_params import Fill, Param, window
from realtime_cli.local.brain_text import (
    STOP_WORDS,
    Token,
    parse_number,
    split_identifier,
    stem,
    synonym_groups,
    word_set,
    words,
)
from realtime_cli.local.brain_when import find_date, find_time

_YES = word_set("yes yeah yep yup true sure enable enabled correct affirmative definitely")


_NO = word_set("no nope false disable disabled without not don't never negative")


_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|(?<!\w)'([^']+)'(?!\w)")


def _words_of_value(value: Any) -> list[str]:
    return [stem(w) for w in words(str(value))]


def match_enum(
    param: Param, tokens: list[Token], numbers: list[tuple[float, int, int]], synonyms_besides: set[int] | None = None
) -> tuple[Any, set[int]] | None:
    """The enum value the turn says (most words, then earliest); with `synonyms_besides`, failing that, a one-word
    value said as its synonym by a word not at those positions (the words that named the tool)."""
    best: tuple[int, int, Any, set[int]] | None = None
    stems = [t.stem for t in tokens]
    for value in param.enum or []:
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            hit = next(((s, e) for v, s, e in numbers if v == value), None)
            positions = set(range(*hit)) if hit else set()
        else:
            value_stems = _words_of_value(value)
            positions = {i for i, s in enumerate(stems) if s in value_stems}
            if not value_stems or {stems[i] for i in positions} != set(value_stems):
                positions = _compound(value_stems, tokens)
        if positions:
            key = (-len(positions), min(positions))
            if best is None or key < (best[0], best[1]):
                best = (key[0], key[1], value, positions)
    if best is None and synonyms_besides is not None:
        return _match_synonym(param, tokens, synonyms_besides)
    return (best[2], best[3]) if best else None


def _compound(value_stems: list[str], tokens: list[Token]) -> set[int]:
    """A one-word value said as two words ("check out" for "checkout", "work out" for "workout")."""
    if len(value_stems) != 1:
        return set()
    for i in range(len(tokens) - 1):
        a, b = tokens[i].low, tokens[i + 1].low
        if a.isalpha() and b.isalpha() and stem(a + b) == value_stems[0]:
            return {i, i + 1}
    return set()


def _match_synonym(param: Param, tokens: list[Token], skip: set[int]) -> tuple[Any, set[int]] | None:
    """A one-word enum value said as its everyday synonym ("purchase" for "buy"), when no value is said itself."""
    for i, token in enumerate(tokens):
        groups = synonym_groups(token.stem)
        if not groups or token.low in STOP_WORDS or i in skip:
            continue
        for value in param.enum or []:
            value_stems = _words_of_value(value) if isinstance(value, str) else []
            if len(value_stems) == 1 and groups & synonym_groups(value_stems[0]):
                return value, {i}
    return None


def find_numbers(tokens: list[Token], consumed: set[int]) -> list[tuple[float, int, int]]:
    found, i = [], 0
    while i < len(tokens):
        parsed = parse_number(tokens, i) if i not in consumed else None
        if parsed is None:
            i += 1
            continue
        found.append((parsed[0], i, parsed[1]))
        i = parsed[1]
    return found


def _number_value(param: Param, value: float) -> int | float | None:
    low, high = param.schema.get("minimum"), param.schema.get("maximum")
    if (isinstance(low, (int, float)) and value < low) or (isinstance(high, (int, float)) and value > high):
        return None
    if param.kind == "integer" or value == int(value):
        return round(value)
    return value


def fill_enums(f: Fill) -> None:
    spoken = find_numbers(f.tokens, set())
    naming = intent_positions(f.info, f.tokens)
    for p in f.of("enum"):
        hit = match_enum(p, f.tokens, spoken, naming)
        if hit is not None:
            f.args[p.name], span = hit
            f.consumed |= span


def fill_when(f: Fill) -> None:
    when_date, when_time = find_date(f.tokens, f.today), find_time(f.tokens)
    if when_time is None and any(p.name == f.asked for p in f.of("time")):
        found = find_time([Token("at", "at", "at"), *f.tokens])  # the answer to "what time?" may be a bare "three"
        when_time = (found[0], frozenset(i - 1 for i in found[1] if i)) if found else None
    for p in f.of("date", "datetime", "time"):
        if p.role in ("date", "datetime") and when_date is not None:
            f.consumed |= when_date[1]
            f.args[p.name] = when_date[0].isoformat()
        if p.role in ("time", "datetime") and when_time is not None:
            f.consumed |= when_time[1]
            day = when_date[0] if when_date is not None else f.today
            f.args[p.name] = when_time[0] if p.role == "time" else f"{day.isoformat()}T{when_time[0]}:00"


def fill_numbers(f: Fill) -> None:
    _take_numbers(f.of("number"), f.tokens, f.consumed, f.args)


def _take_numbers(params: list[Param], tokens: list[Token], consumed: set[int], args: dict[str, Any]) -> None:
    candidates = find_numbers(tokens, consumed)
    for p in params:
        cue = {stem(w) for w in split_identifier(p.name)}
        near = [c for c in candidates if any(tokens[j].stem in cue for j in window(c[1], c[2], len(tokens)))]
        for value, start, end in near + candidates:
            chosen = _number_value(p, value)
            if chosen is not None and (value, start, end) in candidates:
                args[p.name] = chosen
                candidates.remove((value, start, end))
                consumed |= set(range(start, end))
                break


def fill_quoted(f: Fill) -> None:
    f.quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(f.text)]
    pending = list(f.quoted)
    for p in f.of("text", "place", "person"):
        if pending:
            f.args[p.name] = pending.pop(0)
    f.quoted = pending


def fill_examples(f: Fill) -> None:
    for p in f.of("text", "place", "person"):
        if p.name not in f.args and p.examples:
            example = _match_example(p, f.tokens, f.consumed)
            if example is not None:
                f.args[p.name] = example[0]
                f.consumed |= example[1]


def _match_example(param: Param, tokens: list[Token], consumed: set[int]) -> tuple[str, set[int]] | None:
    """The example value from the parameter's description that the turn says, as the description writes it."""
    free = [Token("", "", "") if i in consumed else t for i, t in enumerate(tokens)]
    hit = match_enum(Param(param.name, {"enum": param.examples}, False), free, find_numbers(tokens, consumed))
    return (str(hit[0]), hit[1]) if hit is not None else None


def _array_value(p: Param, tokens: list[Token], consumed: set[int], quoted: list[str]) -> list[Any]:
    items = p.schema.get("items")
    item = Param(p.name, items if isinstance(items, dict) else {}, False)
    if item.enum is not None:
        values = []
        for value in item.enum:
            if match_enum(Param(p.name, {"enum": [value]}, False), tokens, find_numbers(tokens, set())):
                values.append(value)
        return values
    if item.role == "number":
        return [v for v in (_number_value(item, n[0]) for n in find_numbers(tokens, consumed)) if v is not None]
    return list(quoted)


def fill_flags(f: Fill) -> None:
    """Booleans from yes/no words (or the parameter's own name said: "with breakfast"), arrays of enum values,
    numbers or quoted strings."""
    lows, stems = {t.low for t in f.tokens}, {t.stem for t in f.tokens}
    for p in f.params:
        if p.role == "boolean" and p.name not in f.args:
            if lows & _NO:
                f.args[p.name] = False
            elif lows & _YES or {stem(w) for w in split_identifier(p.name)} & stems:
                f.args[p.name] = True
        elif p.role == "array" and p.name not in f.args:
            f.args[p.name] = _array_value(p, f.tokens, f.consumed, f.quoted)
