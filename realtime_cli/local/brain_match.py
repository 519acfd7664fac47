"""Intent matching for the local brain: each tool's weighted vocabulary and the score a user turn earns against it.

Works from the wire tool specs alone (name, description with its `Examples: "…"; "…"` of what users say,
parameter names, descriptions and enum values).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from realtime_cli.local.brain_shapes import example_shapes, fits
from realtime_cli.local.brain_text import (
    GENERIC_VERBS,
    STOP_WORDS,
    WHEN_WORDS,
    Token,
    description_examples,
    is_content,
    is_number_word,
    split_identifier,
    stem,
    synonym_groups,
    word_set,
    words,
)

NAME_WEIGHT = 3.0
ENUM_WEIGHT = 2.0
EXAMPLE_WEIGHT = 2.0
"""Words of the things users say to get a tool called, listed after "Examples:" in its description (the agent
YAML's per-tool `examples:` key puts them there)."""
PARAMETER_WEIGHT = 1.5
HANDOFF_TOPIC_WEIGHT = NAME_WEIGHT + 0.5
DESCRIPTION_WEIGHT = 1.0
GENERIC_WEIGHT = 0.5
SYNONYM_FACTOR = 0.7
ACTION_BONUS = 0.25
"""Added when the turn uses the verb a tool's description opens with ("Repot a plant…"): the action the user asks
for outweighs an object it merely mentions ("repot the fern I bought" → repot_plant, not buy_plant)."""
SHAPE_WEIGHT = 2.0
"""Added when the turn is said like one of the tool's examples with another value in its gap ("what's tesla going
for" like "what is NVDA going for")."""
THRESHOLD = 2.0
"""A tool is called unprompted only when its score reaches this: one name word, or a synonym of one."""

HANDOFF_PREFIX = "transfer_to_"
_HANDOFF_FRAME = word_set(
    "handoff hand handle handles transfer transfers request requests conversation caller customer user agent agents "
    "specialist specialists support team department desk person someone"
)
"""Words of how handoff descriptions are framed ("Handoff to the X agent to handle the request"), not topics."""

LEADING_VERBS = frozenset({"issue", "process", "submit", "request", "handle", "perform"})
"""Words that are verbs when they open a tool name ("process_return"): they count like generic verbs there, so that
"issue" the noun (a synonym of "problem") does not pull requests about a problem toward that tool."""


@dataclass(frozen=True)
class ToolInfo:
    """A wire tool spec prepared for matching: its words by weight and what the user calls it."""

    index: int
    name: str
    spec: dict[str, Any]
    name_words: tuple[str, ...]
    terms: dict[str, float]
    action: str | None = None
    topics: frozenset[str] = frozenset()
    """For a handoff, the stems of the topics its description says the other agent owns (empty: a plain way back)."""

    @property
    def is_handoff(self) -> bool:
        return self.name.startswith(HANDOFF_PREFIX)

    @property
    def target(self) -> str:
        """For a handoff, the words of who it transfers to ("plant doctor"); else the name's words."""
        return " ".join(self.name_words[2:] if self.is_handoff else self.name_words)

    @property
    def name_stems(self) -> frozenset[str]:
        """Stems of the name words that say what the tool is about (a leading verb like "issue" excluded)."""
        name_words = self.name_words
        if len(name_words) > 1 and name_words[0] in LEADING_VERBS:
            name_words = name_words[1:]
        return frozenset(stem(w) for w in name_words)


def is_content_word(word: str) -> bool:
    """A word that can say what a request is about (not a stop word, time word, generic verb or number)."""
    return not (word in STOP_WORDS or word in WHEN_WORDS or word in GENERIC_VERBS or word.isdigit())


def _add(terms: dict[str, float], word_list: list[str], weight: float) -> None:
    for word in word_list:
        if word in STOP_WORDS or word in WHEN_WORDS or word.isdigit():
            continue
        key = stem(word)
        actual = GENERIC_WEIGHT if word in GENERIC_VERBS and weight >= NAME_WEIGHT else weight
        terms[key] = max(terms.get(key, 0.0), actual)


def properties(spec: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """The `parameters.properties` of a tool spec, tolerating missing or malformed schemas."""
    params = spec.get("parameters")
    props = params.get("properties") if isinstance(params, dict) else None
    if not isinstance(props, dict):
        return {}
    return {str(k): v if isinstance(v, dict) else {} for k, v in props.items()}


_EXAMPLES = re.compile(r"\bExamples?:\s*(?P<list>.*)$", re.S)


def tool_examples(description: str) -> list[str]:
    """The quoted example requests at the end of a tool description ('Examples: "a"; "b".')."""
    found = _EXAMPLES.search(description)
    return re.findall(r'"([^"]+)"', found["list"]) if found else []


CODE_WEIGHT = 0.5
"""Weight of a code or a name written inside an example ("what is NVDA going for", "will it rain in Rome"): it is
one value the tool takes, not a sign the user wants the tool (another tool may take the same value)."""


def _codes_weigh_little(terms: dict[str, float], spec: dict[str, Any]) -> None:
    texts = tool_examples(str(spec.get("description") or ""))
    texts += [v for prop in properties(spec).values() for v in description_examples(str(prop.get("description") or ""))]
    for text in texts:
        for place, written in enumerate(re.findall(r"[A-Za-z0-9]+", text)):
            code = (len(written) >= 2 and written.isupper()) or (any(c.isdigit() for c in written) and
                                                                 not written.isdigit())
            if code or (place > 0 and written[:1].isupper()):  # a code or a name inside an example is a value
                key = stem(written.lower())
                if key in terms:
                    terms[key] = min(terms[key], CODE_WEIGHT)


def tool_info(index: int, spec: dict[str, Any]) -> ToolInfo:
    """Prepare one wire tool spec; the description of a handoff counts less than its target's name."""
    name = str(spec.get("name") or "")
    name_words = tuple(split_identifier(name))
    terms: dict[str, float] = {}
    topics: set[str] = set()
    _add(terms, words(str(spec.get("description") or "")), DESCRIPTION_WEIGHT)
    _add(terms, [w for example in tool_examples(str(spec.get("description") or "")) for w in words(example)],
         EXAMPLE_WEIGHT)
    for prop_name, prop in properties(spec).items():
        _add(terms, split_identifier(prop_name) + words(str(prop.get("description") or "")), DESCRIPTION_WEIGHT)
        _add(terms, split_identifier(prop_name), PARAMETER_WEIGHT)
        enum = prop.get("enum")
        if isinstance(enum, list):
            _add(terms, [w for value in enum for w in words(str(value))], ENUM_WEIGHT)
        examples = description_examples(str(prop.get("description") or ""))
        _add(terms, [w for value in examples for w in words(value)], ENUM_WEIGHT)
    _codes_weigh_little(terms, spec)
    if len(name_words) > 1 and name_words[0] in LEADING_VERBS:
        _add(terms, list(name_words[1:]), NAME_WEIGHT)
        terms[stem(name_words[0])] = max(terms.get(stem(name_words[0]), 0.0), GENERIC_WEIGHT)
    else:
        _add(terms, list(name_words), NAME_WEIGHT)
    if name.startswith(HANDOFF_PREFIX):
        # A handoff's description lists the topics its agent owns ("seeds, bulbs and saplings"): asking for
        # one of them outweighs an object a local tool is named after ("a sapling for plot 12" → the nursery agent).
        own = {stem(w) for w in name_words}
        for word in words(str(spec.get("description") or "")):
            key = stem(word)
            if key not in own and is_content_word(word) and word not in _HANDOFF_FRAME:
                terms[key] = max(terms.get(key, 0.0), HANDOFF_TOPIC_WEIGHT)
                topics.add(key)
        terms[stem("transfer")] = DESCRIPTION_WEIGHT * 2
        terms.pop(stem("to"), None)
    opening = words(str(spec.get("description") or ""))[:1]
    action = stem(opening[0]) if opening and opening[0] not in GENERIC_VERBS and opening[0] not in STOP_WORDS \
        and not name.startswith(HANDOFF_PREFIX) else None
    return ToolInfo(index, name, spec, name_words, terms, action, frozenset(topics) if name.startswith(HANDOFF_PREFIX)
                    else frozenset())


def _own_words(spec: dict[str, Any]) -> set[str]:
    """Stems of what a local tool says it does: its name, its description (less examples) and parameter names."""
    description = _EXAMPLES.sub("", str(spec.get("description") or ""))
    found = split_identifier(str(spec.get("name") or "")) + words(description)
    found += [w for prop in properties(spec) for w in split_identifier(prop)]
    return {stem(w) for w in found if is_content_word(w)}


def _shared_topics_weigh_less(infos: list[ToolInfo]) -> list[ToolInfo]:
    """A handoff topic that this agent's own tools also do ("a train" for lost property, when a local tool finds
    trains) is no sign the request belongs elsewhere: it weighs like a description word there."""
    local = set().union(*(_own_words(i.spec) for i in infos if not i.is_handoff))
    out = []
    for info in infos:
        shared = info.topics & local
        if shared:
            terms = {k: DESCRIPTION_WEIGHT if k in shared else v for k, v in info.terms.items()}
            info = ToolInfo(info.index, info.name, info.spec, info.name_words, terms, info.action, info.topics)
        out.append(info)
    return out


def tool_infos(tools: list[dict[str, Any]]) -> list[ToolInfo]:
    """Prepare every function tool of a session in declaration order (other tool types are skipped)."""
    return _shared_topics_weigh_less([
        tool_info(i, spec)
        for i, spec in enumerate(tools)
        if isinstance(spec, dict) and spec.get("type", "function") == "function" and spec.get("name")
    ])


def _match(token_stem: str, terms: dict[str, float]) -> float:
    best = terms.get(token_stem, 0.0)
    groups = synonym_groups(token_stem)
    for term, weight in terms.items():
        if groups & synonym_groups(term):
            best = max(best, weight * SYNONYM_FACTOR)
    return best


def _compounds(info: ToolInfo, tokens: list[Token]) -> set[str]:
    """Two spoken words that the tool's vocabulary writes as one ("check out", "work out", "set up")."""
    joined = (stem(a.low + b.low) for a, b in pairwise(tokens) if a.low.isalpha() and b.low.isalpha())
    return {j for j in joined if j in info.terms}


def score(info: ToolInfo, tokens: list[Token]) -> float:
    """Sum over the distinct content words of a turn of their best match (exact or synonym) in the tool's terms;
    two words the tool writes as one count as that one word, and a number word that is an enum value ("first")
    counts too."""
    seen = {t.stem for t in tokens if is_content(t)} | _compounds(info, tokens)
    seen |= {t.stem for t in tokens if is_number_word(t.low) and info.terms.get(t.stem, 0.0) >= ENUM_WEIGHT}
    total = sum(_match(s, info.terms) for s in sorted(seen))
    shapes = example_shapes(tool_examples(str(info.spec.get("description") or "")))
    total += SHAPE_WEIGHT if any(fits(shape, tokens) for shape in shapes) else 0.0
    return total + ACTION_BONUS if total and info.action in seen else total


def rank(infos: list[ToolInfo], tokens: list[Token]) -> list[tuple[float, ToolInfo]]:
    """Tools by descending score, ties in declaration order."""
    scored = [(score(info, tokens), info) for info in infos]
    return sorted(scored, key=lambda pair: (-pair[0], pair[1].index))


def intent_positions(info: ToolInfo, tokens: list[Token]) -> set[int]:
    """Positions of the words that named the tool (its name words, their synonyms, or "transfer" words)."""
    name_stems = info.name_stems
    name_groups = frozenset(g for s in name_stems for g in synonym_groups(s))
    if info.is_handoff:
        name_groups |= synonym_groups(stem("transfer"))
    found = set()
    for i, token in enumerate(tokens):
        if token.low in STOP_WORDS or token.low in WHEN_WORDS:
            continue
        if token.stem in name_stems or synonym_groups(token.stem) & name_groups:
            found.add(i)
    return found
