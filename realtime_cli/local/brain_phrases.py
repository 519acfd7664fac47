"""Phrase extractors for the local brain: places and names after their prepositions or in capitals, and the free
text of a lone required string — the noun phrase its name and description point at, not a leftover verb.
"""

from __future__ import annotations

from realtime_cli.local.brain_match import ToolInfo, intent_positions, properties, tool_examples
from realtime_cli.local.brain_params import PERSON_WORDS, PLACE_WORDS, Fill, Param
from realtime_cli.local.brain_text import (
    COMMON_VERBS,
    STOP_WORDS,
    WHEN_WORDS,
    Token,
    description_examples,
    is_number_word,
    split_identifier,
    stem,
    word_set,
    words,
)

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
        if j in blocked or not _is_phrase_word(tokens[j]) or (j > start and _is_verb(tokens, j)):
            break
        span.append(j)
    return span


def _render(tokens: list[Token], span: list[int], title: bool) -> str:
    """The phrase as written (a possessive "'s" dropped: "alice's account" → "alice"), capitalized for names."""
    parts = [tokens[i].text[:-2] if tokens[i].text.lower().endswith("'s") else tokens[i].text for i in span]
    text = " ".join(parts)
    if title and text == text.lower():
        return " ".join(part[:1].upper() + part[1:] for part in parts)
    return text


def _without_role_nouns(param: Param, tokens: list[Token], span: list[int]) -> list[int]:
    """A name said with the noun of its role in front ("for user alice", "with guest Ada") is the name alone."""
    role_nouns = PLACE_WORDS | PERSON_WORDS | set(split_identifier(param.name))
    rest = list(span)
    while len(rest) > 1 and tokens[rest[0]].low in role_nouns:
        rest.pop(0)
    return rest


def _is_cased(tokens: list[Token]) -> bool:
    """Whether the turn writes some word past the first with a capital (a name), not counting "I" or day names."""
    return any(t.text[:1].isupper() and _is_phrase_word(t) for t in tokens[1:])


def _named_phrase(param: Param, tokens: list[Token], blocked: set[int]) -> list[int]:
    name_words = set(split_identifier(param.name))
    if param.role == "person":  # "named"/"called" first, then whichever of the others comes first
        preps: tuple[frozenset[str], ...] = (word_set("named called"), word_set("with for to is"))
    elif name_words & _ORIGIN_WORDS:
        preps = (word_set("from"),)
    elif name_words & _DESTINATION_WORDS:
        preps = (word_set("to"),)
    else:
        preps = tuple(word_set(w) for w in ("in", "at", "for", "near", "around", "to", "from"))
    # in a turn written with capitals (as recognizers write names), a name after its preposition is capitalized
    for capital in (True, False) if _is_cased(tokens) else (False,):
        for group in preps:
            for i, token in enumerate(tokens):
                span = _phrase(tokens, i + 1, blocked) if token.low in group else []
                if span and (tokens[span[0]].text[:1].isupper() or not capital):
                    return span
    for i, token in enumerate(tokens):
        if token.text[:1].isupper() and i not in blocked and _is_phrase_word(token):
            span = _phrase(tokens, i, blocked)
            return [j for k, j in enumerate(span) if all(tokens[m].text[:1].isupper() for m in span[: k + 1])]
    return []


def _cues(info: ToolInfo, target: Param | None) -> set[str]:
    """Stems of the words the tool describes itself with (name, descriptions, parameter names): in a turn they point
    at a value ("apple stock", "trays of leeks") but are not it. Example values (the target's own) are not cues."""
    spec = info.spec
    description = str(spec.get("description") or "")
    for example in tool_examples(description):
        description = description.replace(example, " ")
    found = list(info.name_words) + words(description)
    for name, prop in properties(spec).items():
        found += split_identifier(name) + words(str(prop.get("description") or ""))
    values = {stem(w) for v in description_examples(target.description) for w in words(v)} if target else set()
    return {stem(w) for w in found if w not in STOP_WORDS} - values


_DETERMINERS = word_set("a an the my your our his her their this that these those some any of")
_VERB_STEMS = frozenset(stem(v) for v in COMMON_VERBS)
_LEADS = word_set("for of about on with called named in at from to")


def _is_verb(tokens: list[Token], i: int) -> bool:
    """An everyday verb ("keep", "come", "pay", "trading") not used as a noun ("the ring", "my plant")."""
    low = tokens[i].low
    verb = low in COMMON_VERBS or tokens[i].stem in _VERB_STEMS or (
        len(low) > 5 and low.endswith("ing") and low not in WHEN_WORDS)
    return verb and not (i > 0 and tokens[i - 1].low in _DETERMINERS)


def _runs(positions: list[int], tokens: list[Token], trim: frozenset[str]) -> list[list[int]]:
    """Contiguous stretches of the given positions, trimmed of filler at both ends; empty ones dropped."""
    runs: list[list[int]] = []
    for i in positions:
        if runs and runs[-1][-1] == i - 1:
            runs[-1].append(i)
        else:
            runs.append([i])
    for run in runs:
        while run and tokens[run[0]].low in trim:
            run.pop(0)
        while run and tokens[run[-1]].low in trim:
            run.pop()
    return [run for run in runs if run]


def _weight(run: list[int], tokens: list[Token], pointers: set[int], intent: set[int]) -> float:
    """How much a phrase looks like the value: led by a preposition ("for IBM", "of leeks"), naming what a cue
    word is about ("apple stock"), written like a name or a code, said after the words that named the tool, and
    not a clause with words like "my" inside."""
    before, after = run[0] - 1, run[-1] + 1
    weight = 1.0 if before >= 0 and tokens[before].low in _LEADS else 0.0
    weight += 1.0 if after in pointers else 0.0
    weight += 0.5 if any((i > 0 and tokens[i].text[:1].isupper()) or any(c.isdigit() for c in tokens[i].text)
                         for i in run) else 0.0
    weight -= 0.5 if any(tokens[i].low in STOP_WORDS for i in run) else 0.0  # "top up my rabbit" is a clause
    return weight + (0.5 if intent and run[0] > max(intent) else 0.0)


def _rest(
    info: ToolInfo, tokens: list[Token], blocked: set[int], trim: frozenset[str], *, skip_intent: bool = True,
    target: Param | None = None,
) -> list[int]:
    """The phrase of the turn that best fills a free-text value: the words left by the other extractors, split at
    the tool's own cue words and at verbs, the best-placed stretch first (ties: the earliest).

    With `skip_intent=False` the intent words count as ordinary words (an answer to our question is all value).
    """
    intent = intent_positions(info, tokens) if skip_intent else set()
    usable = [i for i in range(len(tokens)) if i not in blocked and i not in intent]
    if not skip_intent:
        return next(iter(_runs(usable, tokens, trim)), [])
    cues = _cues(info, target)
    pointers = intent | {i for i in usable if tokens[i].stem in cues}
    loose = [i for i in usable if i not in pointers and not _is_verb(tokens, i)]
    runs = _runs(loose, tokens, trim) or _runs(usable, tokens, trim)
    if not runs:
        return []
    return max(runs, key=lambda run: (_weight(run, tokens, pointers, intent), -run[0]))


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
                f.args[p.name] = _render(f.tokens, _without_role_nouns(p, f.tokens, phrase), title=True)
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
    words_of = words_of or _rest(f.info, f.tokens, f.blocked, trim, target=target)
    if not words_of and target.name == f.asked:
        words_of = _rest(f.info, f.tokens, f.blocked - f.intent, trim, skip_intent=False)
    if words_of:
        f.args[target.name] = _render(f.tokens, words_of, title=target.role in ("place", "person"))
