"""Example shapes for the local brain: a tool's example request with its values as gaps ("what is * going for"),
so a turn said the same way with another value ("what's tesla going for") is recognized as that request.
"""

from __future__ import annotations

import re

from realtime_cli.local.brain_text import STOP_WORDS, WHEN_WORDS, Token, stem, tokenize

GAP = "*"
_FIT = 0.75
"""Share of an example's fixed words a turn must say in the same order (a contraction may drop one: "what's")."""
_MIN_FIXED = 3


def _is_value(token: Token, place: int) -> bool:
    """A code or a name written inside an example ("NVDA", "2L47", "Rome"): one value the tool takes."""
    written = token.text
    code = (len(written) >= 2 and written.isupper()) or (any(c.isdigit() for c in written) and not written.isdigit())
    return code or (place > 0 and written[:1].isupper() and token.low not in STOP_WORDS | WHEN_WORDS)


def example_shapes(examples: list[str]) -> list[tuple[str, ...]]:
    """Each example with a gap for every value written in it; examples without a value give no shape."""
    shapes = []
    for example in examples:
        tokens = tokenize(example)
        shape = tuple(GAP if _is_value(t, i) else t.stem for i, t in enumerate(tokens))
        if GAP in shape:
            shapes.append(shape)
    return shapes


def _in_order(fixed: list[str], said: list[str]) -> int:
    """How many of the fixed words the turn says in the same order (longest common subsequence)."""
    row = [0] * (len(said) + 1)
    for word in fixed:
        previous = 0
        for j, other in enumerate(said):
            current = row[j + 1]
            row[j + 1] = previous + 1 if word == other else max(row[j + 1], row[j])
            previous = current
    return row[-1]


def fits(shape: tuple[str, ...], tokens: list[Token]) -> bool:
    """Whether a turn is said like this example: its content words all said, most of its other words in order,
    and a word of the turn left over for each gap."""
    fixed = [w for w in shape if w != GAP]
    said = [t.stem for t in tokens]
    content = {w for w in fixed if w not in {stem(s) for s in STOP_WORDS | WHEN_WORDS} and not re.fullmatch(r"\d+", w)}
    if not content <= set(said):
        return False
    matched = _in_order(fixed, said)
    spare = [t for t in tokens if t.stem not in fixed and t.low not in STOP_WORDS and t.low not in WHEN_WORDS]
    return matched >= _MIN_FIXED and matched >= _FIT * len(fixed) and len(spare) >= shape.count(GAP)
