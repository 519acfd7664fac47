"""Argument filling for the local brain: a tool's JSON schema plus a user turn → argument values and follow-ups.

Extractor families live beside this module (values, identifiers, phrases); here they run in priority order.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from realtime_cli.local.brain_ask import complete_structures, missing_required, placeholder, question_for
from realtime_cli.local.brain_ids import fill_identifiers
from realtime_cli.local.brain_match import ToolInfo
from realtime_cli.local.brain_params import Fill, Param, params_of
from realtime_cli.local.brain_phrases import fill_free_text, fill_named
from realtime_cli.local.brain_text import Token
from realtime_cli.local.brain_values import (
    fill_enums,
    fill_examples,
    fill_flags,
    fill_numbers,
    fill_quoted,
    fill_when,
)

__all__ = ["EXTRACTORS", "Param", "complete_structures", "fill_arguments", "fit", "missing_required",
           "params_of", "placeholder", "question_for"]

EXTRACTORS = (fill_enums, fill_when, fill_numbers, fill_quoted, fill_identifiers, fill_examples, fill_named,
              fill_flags, fill_free_text)
"""Run in this order: each may use only the words the earlier ones left (enum values and dates first, free text
last, so "book the reflector for friday" never puts "friday" into a text argument)."""


def fill_arguments(
    info: ToolInfo, text: str, tokens: list[Token], today: date, asked: str | None = None
) -> dict[str, Any]:
    """Every argument the turn states, by schema role; `asked` names the parameter a follow-up question asked for."""
    state = Fill(info, text, tokens, today, asked, params_of(info))
    for extract in EXTRACTORS:
        extract(state)
    return {p.name: state.args[p.name] for p in state.params if p.name in state.args and state.args[p.name] != []}


_FIXED_ROLES = frozenset({"enum", "number", "date", "time", "datetime", "boolean", "identifier"})


def fit(info: ToolInfo, text: str, tokens: list[Token], today: date) -> int:
    """How well the turn completes a call of the tool: one per value it gives in a fixed form (an enum value, a
    number, a date, an id), less one per required value it leaves missing."""
    args = complete_structures(info, fill_arguments(info, text, tokens, today))
    given = sum(1 for p in params_of(info) if p.name in args and p.role in _FIXED_ROLES)
    return given - len(missing_required(info, args))
