"""Phrase extractors for the local brain: places and names after their prepositions or in capitals, and the free
text of a lone required string — the noun phrase its name and description point at, not a leftover verb.
"""

from __future__ import annotations

from realtime_cli.local.brain_match import ToolInfo, intent_positions
from realtime_cli.local.brain_params import Fill, Param
from realtime_cli.local.brain_text import STOP_WORDS, WHEN_WORDS, Token, is_number_word, split_identifier, word_set

_ORIGIN_WORDS = word_set("origin from departure source start")


_DESTINATION_WORDS = word_set("destination to arrival target")


_POSSESSIVES = word_set("my our")


_TOPIC_PREPS = word_set("for with about on")


_EDGE_TRIM = STOP_WORDS | WHEN_WORDS | word_set("called named titled please now")


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


def _topic_phrase(tokens: list[Token], blocked: set[int]) -> list[int]:
    """The words after "for my", "with my", "about our"...: what the request is about (intent words allowed)."""
    for i in range(len(tokens) - 2):
        if tokens[i].low in _TOPIC_PREPS and tokens[i + 1].low in _POSSESSIVES:
            span = _phrase(tokens, i + 2, blocked)[:3]
            if span:
                return span
    return []


def fill_named(f: Fill) -> None:
    """Places and names: after their prepositions ("in Lisbon", "from Porto", "named Ada"), else in capitals.
    Marks the words that named the tool, which no later extractor takes as a value."""
    f.intent = intent_positions(f.info, f.tokens)
    f.blocked = f.consumed | f.intent
    for p in f.of("place", "person"):
        if p.name not in f.args:
            phrase = _named_phrase(p, f.tokens, f.blocked)
            if phrase:
                f.args[p.name] = _render(f.tokens, phrase, title=True)
                f.blocked |= set(phrase)


def fill_free_text(f: Fill) -> None:
    """The lone required (or asked-for) string: the words after "for my"/"about our", else the best phrase left."""
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
