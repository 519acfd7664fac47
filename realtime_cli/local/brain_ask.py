"""Follow-ups for the local brain: which required values are still missing, the short question that asks for one,
and the schema-valid stand-ins used when a call is forced without them.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from realtime_cli.local.brain_match import LEADING_VERBS, ToolInfo
from realtime_cli.local.brain_params import Param, params_of
from realtime_cli.local.brain_text import GENERIC_VERBS, word_set, words

_OBJECT_VERBS = GENERIC_VERBS | LEADING_VERBS | word_set("book play schedule reserve cancel search order call buy turn")


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
