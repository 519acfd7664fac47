"""Field checks the service applies to `session.update` and `response.create` before acting on them:
types and ranges of tools, turn detection, modalities and instructions, each failure one `invalid_*` error.
"""

from __future__ import annotations

import math
from typing import Any

from ..protocol.session_config import SessionConfig
from .wire import ClientEventError, invalid_type

_TURN_TYPES = ("server_vad", "semantic_vad")
_EAGERNESS = ("low", "medium", "high", "auto")
_MS_KEYS = ("prefix_padding_ms", "silence_duration_ms")
_FLAG_KEYS = ("create_response", "interrupt_response")
MAX_MS = 10 * 60 * 1000  # a generous ceiling; the service's own limits are tighter


def check_session(update: SessionConfig, prefix: str = "session.") -> None:
    """Raise ClientEventError for the first field of a canonical session update the engine could not use."""
    if "tools" in update:
        _check_tools(update.get("tools"), prefix)
    if "turn_detection" in update:
        _check_turn_detection(update.get("turn_detection"), f"{prefix}turn_detection")
    if "output_modalities" in update:
        check_modalities(update.get("output_modalities"), f"{prefix}output_modalities")
    if update.get("instructions") is not None and not isinstance(update.get("instructions"), str):
        raise invalid_type(f"{prefix}instructions", "a string", update.get("instructions"))


def check_response_params(params: dict[str, Any]) -> None:
    """The `response` object of `response.create`."""
    for key in ("output_modalities", "modalities"):
        if params.get(key) is not None:
            check_modalities(params[key], f"response.{key}")
    if params.get("instructions") is not None and not isinstance(params["instructions"], str):
        raise invalid_type("response.instructions", "a string", params["instructions"])
    if params.get("tools") is not None:
        _check_tools(params["tools"], "response.")


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
    for index, tool in enumerate(tools):
        if not isinstance(tool, dict) or not isinstance(tool.get("name"), str):
            raise ClientEventError("Each tool needs a string 'name'.", code="invalid_value",
                                   param=f"{prefix}tools[{index}].name")
        if tool.get("parameters") is not None and not isinstance(tool["parameters"], dict):
            raise invalid_type(f"{prefix}tools[{index}].parameters", "an object", tool["parameters"])


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
