"""Field checks the service applies to `session.update`, `response.create` and items before acting on them:
types, ranges and sizes (instructions, tools, metadata, item text), each failure one `invalid_*` error.
"""

from __future__ import annotations

import math
from typing import Any, cast

import orjson

from ..protocol.session_config import SessionConfig
from .wire import ClientEventError, invalid_type

_TURN_TYPES = ("server_vad", "semantic_vad")
_EAGERNESS = ("low", "medium", "high", "auto")
_MS_KEYS = ("prefix_padding_ms", "silence_duration_ms")
_FLAG_KEYS = ("create_response", "interrupt_response")
MAX_MS = 10 * 60 * 1000  # a generous ceiling; the service's own limits are tighter
# Sizes one client may ask the engine to work on: beyond them the work (recognizer vocabulary, brain, memory)
# would slow every other session, so the request gets the service's `string_above_max_length`-style error.
MAX_INSTRUCTIONS_CHARS = 32_768
MAX_TOOLS = 128
MAX_TOOL_JSON_CHARS = 64_000  # one tool's name, description and parameters, as JSON
MAX_MESSAGE_CHARS = 100_000  # the text of one message item
MAX_OUTPUT_CHARS = 1_000_000  # one function_call_output (or function_call arguments)
MAX_ITEMS = 4_096  # items in one conversation
MAX_METADATA_PAIRS = 16  # the service's metadata rule: 16 pairs, keys up to 64 characters, values up to 512
MAX_METADATA_KEY = 64
MAX_METADATA_VALUE = 512
VOCABULARY_CHARS = 16_384  # the share of the instructions the recognizer's vocabulary is built from


def check_session(update: SessionConfig, prefix: str = "session.") -> None:
    """Raise ClientEventError for the first field of a canonical session update the engine could not use."""
    if "tools" in update:
        _check_tools(update.get("tools"), prefix)
    if "turn_detection" in update:
        _check_turn_detection(update.get("turn_detection"), f"{prefix}turn_detection")
    if "output_modalities" in update:
        check_modalities(update.get("output_modalities"), f"{prefix}output_modalities")
    if update.get("instructions") is not None:
        check_text(update.get("instructions"), f"{prefix}instructions", MAX_INSTRUCTIONS_CHARS)


def check_response_params(params: dict[str, Any]) -> None:
    """The `response` object of `response.create`."""
    for key in ("output_modalities", "modalities"):
        if params.get(key) is not None:
            check_modalities(params[key], f"response.{key}")
    if params.get("instructions") is not None:
        check_text(params["instructions"], "response.instructions", MAX_INSTRUCTIONS_CHARS)
    if params.get("tools") is not None:
        _check_tools(params["tools"], "response.")
    if params.get("metadata") is not None:
        check_metadata(params["metadata"], "response.metadata")


def check_text(value: Any, param: str, limit: int) -> None:
    """A string of at most `limit` characters."""
    if not isinstance(value, str):
        raise invalid_type(param, "a string", value)
    if len(value) > limit:
        raise ClientEventError(f"Invalid '{param}': string too long. Expected a string with maximum length "
                               f"{limit}, but got a string with length {len(value)} instead.",
                               code="string_above_max_length", param=param)


def check_metadata(value: Any, param: str) -> None:
    """Up to 16 string pairs (keys <= 64 characters, values <= 512): nothing nested."""
    if not isinstance(value, dict):
        raise invalid_type(param, "an object", value)
    if len(value) > MAX_METADATA_PAIRS:
        raise ClientEventError(f"Invalid '{param}': too many properties. Expected an object with at most "
                               f"{MAX_METADATA_PAIRS} properties, but got {len(value)} instead.",
                               code="object_above_max_properties", param=param)
    for key, item in value.items():
        if len(key) > MAX_METADATA_KEY:
            raise ClientEventError(f"Invalid '{param}': keys may have at most {MAX_METADATA_KEY} characters.",
                                   code="string_above_max_length", param=param)
        check_text(item, f"{param}.{key[:MAX_METADATA_KEY]}", MAX_METADATA_VALUE)


def check_item_size(item: dict[str, Any], items_so_far: int) -> None:
    """A validated item that the conversation can still take and whose text is not oversized."""
    if items_so_far >= MAX_ITEMS:
        raise ClientEventError(f"The conversation already has {MAX_ITEMS} items, the most the local engine keeps; "
                               "delete some first.", code="conversation_too_long", param="item")
    for index, part in enumerate(item.get("content") or []):
        for key in ("text", "transcript"):
            if isinstance(part.get(key), str):
                check_text(part[key], f"item.content[{index}].{key}", MAX_MESSAGE_CHARS)
    for key in ("output", "arguments"):
        if isinstance(item.get(key), str):
            check_text(item[key], f"item.{key}", MAX_OUTPUT_CHARS)


def check_modalities(value: Any, param: str) -> None:
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise invalid_type(param, "an array of strings", value)
    for item in value:
        if item not in ("text", "audio"):
            raise ClientEventError(f"Invalid value: '{item}'. Supported values are: 'text' and 'audio'.",
                                   param=param)


def _check_tools(tools: Any, prefix: str) -> None:
    if tools is None:
        return
    if not isinstance(tools, list):
        raise invalid_type(f"{prefix}tools", "an array", tools)
    if len(tools) > MAX_TOOLS:
        raise ClientEventError(f"Invalid '{prefix}tools': array too long. Expected an array with maximum length "
                               f"{MAX_TOOLS}, but got an array with length {len(tools)} instead.",
                               code="array_above_max_length", param=f"{prefix}tools")
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise ClientEventError("Each tool needs a string 'name'.", code="invalid_value",
                                   param=f"{prefix}tools[{index}].name")
        if tool.get("parameters") is not None and not isinstance(tool["parameters"], dict):
            raise invalid_type(f"{prefix}tools[{index}].parameters", "an object", tool["parameters"])
        try:
            size = len(orjson.dumps(tool))
        except (TypeError, orjson.JSONEncodeError):  # nested past what JSON allows (it came as JSON: rare)
            size = MAX_TOOL_JSON_CHARS + 1
        if size > MAX_TOOL_JSON_CHARS:
            raise ClientEventError(f"Invalid '{prefix}tools[{index}]': the tool definition is {size} characters "
                                   f"of JSON; at most {MAX_TOOL_JSON_CHARS} are allowed.",
                                   code="string_above_max_length", param=f"{prefix}tools[{index}]")


def _check_turn_detection(td: Any, param: str) -> None:
    if td is None:
        return
    if not isinstance(td, dict):
        raise invalid_type(param, "an object", td)
    kind = td.get("type", "server_vad")
    if kind not in _TURN_TYPES:
        raise ClientEventError(f"Invalid value: '{kind}'. Supported values are: 'server_vad' and 'semantic_vad'.",
                               param=f"{param}.type")
    threshold = td.get("threshold")
    if threshold is not None:
        if not _is_number(threshold):
            raise invalid_type(f"{param}.threshold", "a number", threshold)
        if not 0.0 <= float(threshold) <= 1.0:
            raise ClientEventError(f"Invalid '{param}.threshold': {threshold}. Expected a value between 0 and 1.",
                                   code="decimal_out_of_range", param=f"{param}.threshold")
    for key in _MS_KEYS:
        _check_ms(td.get(key), f"{param}.{key}")
    _check_ms(td.get("idle_timeout_ms"), f"{param}.idle_timeout_ms")
    eagerness = td.get("eagerness")
    if eagerness is not None and eagerness not in _EAGERNESS:
        raise ClientEventError(f"Invalid value: '{eagerness}'. Supported values are: "
                               f"{', '.join(repr(e) for e in _EAGERNESS)}.", param=f"{param}.eagerness")
    for key in _FLAG_KEYS:
        if td.get(key) is not None and not isinstance(td[key], bool):
            raise invalid_type(f"{param}.{key}", "a boolean", td[key])


def _check_ms(value: Any, param: str) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int):
        raise invalid_type(param, "an integer", value)
    if not 0 <= value <= MAX_MS:
        raise ClientEventError(f"Invalid '{param}': {value}. Expected a value between 0 and {MAX_MS}.",
                               code="integer_out_of_range", param=param)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _sentences(text: str, limit: int) -> str:
    """`text` cut to `limit` characters and re-split into short sentences: the vocabulary builder's cost grows
    with the square of a sentence's length, so one 30 KB sentence would hold the interpreter for seconds."""
    words = text[:limit].split()
    return ". ".join(" ".join(words[i:i + 24]) for i in range(0, len(words), 24))


def vocabulary_config(cfg: SessionConfig) -> SessionConfig:
    """The configuration as the recognizer's vocabulary reads it: bounded, short sentences."""
    shaped: dict[str, Any] = dict(cfg)
    shaped["instructions"] = _sentences(str(cfg.get("instructions") or ""), VOCABULARY_CHARS)
    shaped["tools"] = [{**tool, "description": _sentences(str(tool.get("description") or ""), 2_000)}
                       for tool in cfg.get("tools") or [] if isinstance(tool, dict)]
    return cast(SessionConfig, shaped)
