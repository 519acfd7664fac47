"""Tool parameters for the local brain: each schema property with the role that picks its extractor, and the
shared state the extractors fill in order (values found, words used).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from realtime_cli.local.brain_match import ToolInfo, properties
from realtime_cli.local.brain_text import Token, description_examples, split_identifier, word_set, words

PLACE_WORDS = word_set("city location place country destination origin address town region where area")
PERSON_WORDS = word_set("name person contact recipient who customer guest user artist author caller username")
IDENTIFIER_WORDS = word_set("id number num")
"""Parameter-name words of a code-like value: such a value is never a plain word."""


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
        if name_words & IDENTIFIER_WORDS:
            return "identifier"
        if name_words & PLACE_WORDS:
            return "place"
        if name_words & PERSON_WORDS:
            return "person"
        return "text"

def params_of(info: ToolInfo) -> list[Param]:
    """The tool's parameters in schema order, with their required flags."""
    schema = info.spec.get("parameters")
    required = schema.get("required") if isinstance(schema, dict) else None
    required_names = {str(r) for r in required} if isinstance(required, list) else set()
    return [Param(name, prop, name in required_names) for name, prop in properties(info.spec).items()]


@dataclass
class Fill:
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


def window(start: int, end: int, size: int) -> range:
    """Token positions within three words of a span."""
    return range(max(0, start - 3), min(size, end + 3))
