"""Argument filling for the local brain: a tool's JSON schema plus a user turn → argument values and follow-ups.

Each parameter gets a role (enum, date, time, number, boolean, place, person, free text) that picks its extractor.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from realtime_cli.local.brain_match import LEADING_VERBS, ToolInfo, intent_positions, properties
from realtime_cli.local.brain_text import (
    GENERIC_VERBS,
    STOP_WORDS,
    WHEN_WORDS,
    Token,
    description_examples,
    is_number_word,
    parse_number,
    split_identifier,
    stem,
    word_set,
    words,
)
from realtime_cli.local.brain_when import find_date, find_time

_PLACE_WORDS = word_set("city location place country destination origin address town region where area")
_PERSON_WORDS = word_set("name person contact recipient who customer guest user artist author caller username")
_ORIGIN_WORDS = word_set("origin from departure source start")
_DESTINATION_WORDS = word_set("destination to arrival target")
_OBJECT_VERBS = GENERIC_VERBS | LEADING_VERBS | word_set("book play schedule reserve cancel search order call buy turn")
_IDENTIFIER_WORDS = word_set("id number num")
_POSSESSIVES = word_set("my our")
_TOPIC_PREPS = word_set("for with about on")
_ORDINAL_DIGITS = re.compile(r"\d+(st|nd|rd|th)")
_YES = word_set("yes yeah yep yup true sure enable enabled correct affirmative definitely")
_NO = word_set("no nope false disable disabled without not don't never negative")
_EDGE_TRIM = STOP_WORDS | WHEN_WORDS | word_set("called named titled please now")
_QUOTED = re.compile(r"\"([^\"]+)\"|“([^”]+)”|(?<!\w)'([^']+)'(?!\w)")


@dataclass(frozen=True)
class Param:
    """One property of a tool's parameters schema, with the role that decides how it is filled."""

    name: str
    schema: dict[str, Any]
    required: bool

    @property
    def kind(self) -> str:
        kind = self.schema.get("type", "string")
        if isinstance(kind, list):
            kind = next((k for k in kind if k != "null"), "string")
        return kind if isinstance(kind, str) else "string"

    @property
    def enum(self) -> list[Any] | None:
        enum = self.schema.get("enum")
        return enum if isinstance(enum, list) and enum else None

    @property
    def description(self) -> str:
        return str(self.schema.get("description") or "")

    @property
    def examples(self) -> list[str]:
        """Values the description lists as examples ("loam, clay, sand or peat"): strong candidates."""
        return description_examples(self.description)

    @property
    def label(self) -> str:
        """How to name the parameter in a question ("city", "start date")."""
        if len(self.name) <= 2 and self.description:
            return " ".join(w for w in words(self.description)[:5] if w not in ("the", "a", "an"))
        return " ".join(split_identifier(self.name)) or "value"

    @property
    def role(self) -> str:
        if self.enum is not None:
            return "enum"
        kind = self.kind
        if kind in ("integer", "number", "boolean", "array", "object"):
            return {"integer": "number"}.get(kind, kind)
        name_words = set(split_identifier(self.name))
        fmt = str(self.schema.get("format") or "")
        if fmt in ("date-time", "datetime") or "datetime" in name_words or {"date", "time"} <= name_words:
            return "datetime"
        if fmt == "date" or name_words & {"date", "day"}:
            return "date"
        if fmt == "time" or name_words & {"time", "hour"}:
            return "time"
        if name_words & _IDENTIFIER_WORDS:
            return "identifier"
        if name_words & _PLACE_WORDS:
            return "place"
        if name_words & _PERSON_WORDS:
            return "person"
        return "text"


def params_of(info: ToolInfo) -> list[Param]:
    """The tool's parameters in schema order, with their required flags."""
    schema = info.spec.get("parameters")
    required = schema.get("required") if isinstance(schema, dict) else None
    required_names = {str(r) for r in required} if isinstance(required, list) else set()
    return [Param(name, prop, name in required_names) for name, prop in properties(info.spec).items()]


def _words_of_value(value: Any) -> list[str]:
    return [stem(w) for w in words(str(value))]


def _match_enum(
    param: Param, tokens: list[Token], numbers: list[tuple[float, int, int]]
) -> tuple[Any, set[int]] | None:
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
                positions = set()
        if positions:
            key = (-len(positions), min(positions))
            if best is None or key < (best[0], best[1]):
                best = (key[0], key[1], value, positions)
    return (best[2], best[3]) if best else None


def _numbers(tokens: list[Token], consumed: set[int]) -> list[tuple[float, int, int]]:
    found, i = [], 0
    while i < len(tokens):
        parsed = parse_number(tokens, i) if i not in consumed else None
        if parsed is None:
            i += 1
            continue
        found.append((parsed[0], i, parsed[1]))
        i = parsed[1]
    return found


def _is_phrase_word(token: Token) -> bool:
    return (
        token.low[:1].isalpha()
        and token.low not in STOP_WORDS
        and token.low not in WHEN_WORDS
        and not is_number_word(token.low)
    )


def _phrase(tokens: list[Token], start: int, blocked: set[int]) -> list[int]:
    if start < len(tokens) and tokens[start].low == "the":
        start += 1
    span = []
    for j in range(start, min(len(tokens), start + 4)):
        if j in blocked or not _is_phrase_word(tokens[j]):
            break
        span.append(j)
    return span


def _render(tokens: list[Token], span: list[int], title: bool) -> str:
    text = " ".join(tokens[i].text for i in span)
    return text.title() if title and text == text.lower() else text


def _named_phrase(param: Param, tokens: list[Token], blocked: set[int]) -> list[int]:
    name_words = set(split_identifier(param.name))
    if param.role == "person":
        preps: tuple[str, ...] = ("named", "called", "with", "for", "to", "is")
    elif name_words & _ORIGIN_WORDS:
        preps = ("from",)
    elif name_words & _DESTINATION_WORDS:
        preps = ("to",)
    else:
        preps = ("in", "at", "for", "near", "around", "to", "from")
    for prep in preps:
        for i, token in enumerate(tokens):
            if token.low == prep:
                span = _phrase(tokens, i + 1, blocked)
                if span:
                    return span
    for i, token in enumerate(tokens):
        if token.text[:1].isupper() and i not in blocked and _is_phrase_word(token):
            return _phrase(tokens, i, blocked)
    return []


def _rest(
    info: ToolInfo, tokens: list[Token], blocked: set[int], trim: frozenset[str], *, skip_intent: bool = True
) -> list[int]:
    """The words after the ones that named the tool (else before them), trimmed of filler at both ends.

    With `skip_intent=False` the intent words count as ordinary words (an answer to our question is all value).
    """
    intent = intent_positions(info, tokens) if skip_intent else set()
    usable = [i for i in range(len(tokens)) if i not in blocked and i not in intent]
    chosen = [i for i in usable if not intent or i > max(intent)]
    if not any(tokens[i].low not in trim for i in chosen):
        chosen = [i for i in usable if not intent or i < min(intent)]
    runs: list[list[int]] = []
    for i in chosen:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        while run and tokens[run[0]].low in trim:
            run.pop(0)
        while run and tokens[run[-1]].low in trim:
            run.pop()
        if run:
            return run
    return []


def _number_value(param: Param, value: float) -> int | float | None:
    low, high = param.schema.get("minimum"), param.schema.get("maximum")
    if (isinstance(low, (int, float)) and value < low) or (isinstance(high, (int, float)) and value > high):
        return None
    if param.kind == "integer" or value == int(value):
        return round(value)
    return value


@dataclass
class _Fill:
    """What the extractors share while filling one call: the turn, the values found, the words they used."""

    info: ToolInfo
    text: str
    tokens: list[Token]
    today: date
    asked: str | None
    params: list[Param]
    args: dict[str, Any] = field(default_factory=dict)
    consumed: set[int] = field(default_factory=set)
    blocked: set[int] = field(default_factory=set)
    intent: set[int] = field(default_factory=set)
    quoted: list[str] = field(default_factory=list)

    def of(self, *roles: str) -> list[Param]:
        return [p for p in self.params if p.role in roles]


def _fill_enums(f: _Fill) -> None:
    numbers = _numbers(f.tokens, set())
    for p in f.of("enum"):
        hit = _match_enum(p, f.tokens, numbers)
        if hit is not None:
            f.args[p.name], span = hit
            f.consumed |= span


def _fill_when(f: _Fill) -> None:
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


def _fill_number_params(f: _Fill) -> None:
    _fill_numbers(f.of("number"), f.tokens, f.consumed, f.args)


def _fill_quoted(f: _Fill) -> None:
    f.quoted = [next(g for g in m.groups() if g) for m in _QUOTED.finditer(f.text)]
    pending = list(f.quoted)
    for p in f.of("text", "place", "person"):
        if pending:
            f.args[p.name] = pending.pop(0)
    f.quoted = pending


def _fill_identifier_params(f: _Fill) -> None:
    _fill_identifiers(f.info, f.of("identifier"), f.text, f.tokens, f.consumed, f.args)


def _fill_examples(f: _Fill) -> None:
    for p in f.of("text", "place", "person"):
        if p.name not in f.args and p.examples:
            example = _match_example(p, f.tokens, f.consumed)
            if example is not None:
                f.args[p.name] = example[0]
                f.consumed |= example[1]


def _fill_named_and_flags(f: _Fill) -> None:
    f.intent = intent_positions(f.info, f.tokens)
    f.blocked = f.consumed | f.intent
    for p in f.params:
        if p.role in ("place", "person") and p.name not in f.args:
            phrase = _named_phrase(p, f.tokens, f.blocked)
            if phrase:
                f.args[p.name] = _render(f.tokens, phrase, title=True)
                f.blocked |= set(phrase)
        elif p.role == "boolean":
            lows = {t.low for t in f.tokens}
            if lows & _NO:
                f.args[p.name] = False
            elif lows & _YES or {stem(w) for w in split_identifier(p.name)} & {t.stem for t in f.tokens}:
                f.args[p.name] = True
        elif p.role == "array":
            f.args[p.name] = _array_value(p, f.tokens, f.consumed, f.quoted)


def _fill_free_text(f: _Fill) -> None:
    missing = [p for p in f.of("text", "place", "person") if (p.required or p.name == f.asked) and p.name not in f.args]
    target = next((p for p in missing if p.name == f.asked), None)
    if f.asked is None and len(missing) == 1:
        target = missing[0]
    if target is None:
        return
    trim = (_EDGE_TRIM if target.role != "text" else _EDGE_TRIM - WHEN_WORDS) | set(split_identifier(target.name))
    words_of = _topic_phrase(f.tokens, f.blocked - f.intent) if target.role == "text" else []
    words_of = words_of or _rest(f.info, f.tokens, f.blocked, trim)
    if not words_of and target.name == f.asked:
        words_of = _rest(f.info, f.tokens, f.blocked - f.intent, trim, skip_intent=False)
    if words_of:
        f.args[target.name] = _render(f.tokens, words_of, title=target.role in ("place", "person"))


EXTRACTORS = (_fill_enums, _fill_when, _fill_number_params, _fill_quoted, _fill_identifier_params, _fill_examples,
              _fill_named_and_flags, _fill_free_text)
"""Run in this order: each may use only the words the earlier ones left (enum values and dates first, free text
last, so "book the reflector for friday" never puts "friday" into a text argument)."""


def fill_arguments(
    info: ToolInfo, text: str, tokens: list[Token], today: date, asked: str | None = None
) -> dict[str, Any]:
    """Every argument the turn states, by schema role; `asked` names the parameter a follow-up question asked for."""
    state = _Fill(info, text, tokens, today, asked, params_of(info))
    for extract in EXTRACTORS:
        extract(state)
    return {p.name: state.args[p.name] for p in state.params if p.name in state.args and state.args[p.name] != []}


def _match_example(param: Param, tokens: list[Token], consumed: set[int]) -> tuple[str, set[int]] | None:
    """The example value from the parameter's description that the turn says, as the description writes it."""
    free = [Token("", "", "") if i in consumed else t for i, t in enumerate(tokens)]
    hit = _match_enum(Param(param.name, {"enum": param.examples}, False), free, _numbers(tokens, consumed))
    return (str(hit[0]), hit[1]) if hit is not None else None


def _topic_phrase(tokens: list[Token], blocked: set[int]) -> list[int]:
    """The words after "for my", "with my", "about our"...: what the request is about (intent words allowed)."""
    for i in range(len(tokens) - 2):
        if tokens[i].low in _TOPIC_PREPS and tokens[i + 1].low in _POSSESSIVES:
            span = _phrase(tokens, i + 2, blocked)[:3]
            if span:
                return span
    return []


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
        elif len(written) >= 2 and written.isupper() and token.low not in STOP_WORDS | _IDENTIFIER_WORDS:
            capitals.append((written, {i}))
        i += 1
    spoken = [
        (str(round(value)), set(range(start, end)))
        for value, start, end in _numbers(tokens, consumed)
        if not tokens[start].low[:1].isdigit() and value >= 10 and value == int(value)
    ]
    return coded + spoken + capitals


def _fill_identifiers(
    info: ToolInfo, params: list[Param], text: str, tokens: list[Token], consumed: set[int], args: dict[str, Any]
) -> None:
    """Ids and numbers written as strings take only code-looking values, never plain words ("support")."""
    candidates = _identifier_candidates(text, tokens, consumed)
    for p in params:
        if p.name in args:
            continue
        cue = {stem(w) for w in split_identifier(p.name) + list(info.name_words)} - {stem(w) for w in _IDENTIFIER_WORDS}
        near = [
            c for c in candidates
            if any(tokens[j].stem in cue for j in _window(min(c[1]), max(c[1]) + 1, len(tokens)))
        ]
        chosen = next(iter(near + candidates), None)
        if chosen is not None:
            args[p.name] = chosen[0]
            candidates.remove(chosen)
            consumed |= chosen[1]


def _window(start: int, end: int, size: int) -> range:
    """Token positions within three words of a span."""
    return range(max(0, start - 3), min(size, end + 3))


def _fill_numbers(params: list[Param], tokens: list[Token], consumed: set[int], args: dict[str, Any]) -> None:
    candidates = _numbers(tokens, consumed)
    for p in params:
        cue = {stem(w) for w in split_identifier(p.name)}
        near = [c for c in candidates if any(tokens[j].stem in cue for j in _window(c[1], c[2], len(tokens)))]
        for value, start, end in near + candidates:
            chosen = _number_value(p, value)
            if chosen is not None and (value, start, end) in candidates:
                args[p.name] = chosen
                candidates.remove((value, start, end))
                consumed |= set(range(start, end))
                break


def _array_value(p: Param, tokens: list[Token], consumed: set[int], quoted: list[str]) -> list[Any]:
    items = p.schema.get("items")
    item = Param(p.name, items if isinstance(items, dict) else {}, False)
    if item.enum is not None:
        values = []
        for value in item.enum:
            if _match_enum(Param(p.name, {"enum": [value]}, False), tokens, _numbers(tokens, set())):
                values.append(value)
        return values
    if item.role == "number":
        return [v for v in (_number_value(item, n[0]) for n in _numbers(tokens, consumed)) if v is not None]
    return list(quoted)


def placeholder(param: Param, today: date) -> Any:
    """A schema-valid stand-in for a required value the user never gave (used when a call is forced)."""
    if "default" in param.schema:
        return param.schema["default"]
    if param.enum is not None:
        return param.enum[0]
    role = param.role
    if role == "number":
        low = param.schema.get("minimum")
        return (int(low) if param.kind == "integer" else low) if isinstance(low, (int, float)) else 0
    fixed: dict[str, Any] = {
        "boolean": False, "array": [], "object": {}, "date": today.isoformat(), "time": "12:00",
        "datetime": f"{today.isoformat()}T12:00:00",
    }
    return fixed.get(role, "")


def complete_structures(info: ToolInfo, args: dict[str, Any]) -> dict[str, Any]:
    """Required arrays and objects cannot be spoken: give them empty values instead of asking for them."""
    out = dict(args)
    for p in params_of(info):
        if p.required and p.name not in out and p.role in ("array", "object"):
            out[p.name] = [] if p.role == "array" else {}
    return out


def missing_required(info: ToolInfo, args: dict[str, Any]) -> list[Param]:
    """Required parameters still without a value, in schema order."""
    return [p for p in params_of(info) if p.required and p.name not in args]


def _object_phrase(info: ToolInfo) -> str:
    name_words = list(info.name_words)
    while len(name_words) > 1 and name_words[0] in _OBJECT_VERBS:
        name_words.pop(0)
    return "the " + " ".join(name_words) if name_words else "that"


def _options(values: list[Any]) -> str:
    spoken = [" ".join(words(str(v))) or str(v) for v in values[:6]]
    return spoken[0] if len(spoken) == 1 else ", ".join(spoken[:-1]) + " or " + spoken[-1]


def question_for(info: ToolInfo, param: Param) -> str:
    """The short follow-up question asking for a missing required parameter."""
    obj, noun = _object_phrase(info), param.label
    role = param.role
    if role == "place":
        return f"Which {noun} would you like {obj} for?"
    if role == "date":
        return f"What day would you like {obj} for?"
    if role in ("time", "datetime"):
        return f"What time would you like {obj} for?" if role == "time" else f"When would you like {obj}?"
    if role == "enum":
        return f"Which {noun} would you like for {obj}: {_options(param.enum or [])}?"
    if role == "boolean":
        return f"Would you like {noun} for {obj}, yes or no?"
    if role == "person":
        return f"What {noun} should I use for {obj}?"
    if role == "identifier":
        spoken = noun if "number" in noun.split() else " ".join("number" if w == "id" else w for w in noun.split())
        return f"What is the {spoken} for {obj}?"
    return f"What {noun} would you like for {obj}?"
