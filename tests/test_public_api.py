"""The drop-in promise, checked against the installed reference SDK: every public name of `agents.realtime` and
its public submodules is importable from `realtime_cli`, with the same fields, keys and call signatures."""

from __future__ import annotations

import ast
import dataclasses
import importlib
import inspect
import typing
from typing import Any

import pytest

import realtime_cli

reference = pytest.importorskip("agents.realtime")

SUBMODULES = ("agent", "runner", "session", "config", "events", "items", "model", "model_events", "model_inputs",
              "handoffs", "audio_formats", "openai_realtime")
NOT_PROVIDED: dict[str, str] = {}
NON_REALTIME = ("function_tool", "tool", "FunctionTool", "RunContextWrapper", "ToolContext", "OutputGuardrail",
                "output_guardrail", "GuardrailFunctionOutput", "Handoff", "UserError", "ModelBehaviorError", "Usage")


def _reference_names() -> set[str]:
    names = set(reference.__all__)
    for sub in SUBMODULES:
        module = importlib.import_module(f"agents.realtime.{sub}")
        for name, value in vars(module).items():
            if not name.startswith("_") and not inspect.ismodule(value) and \
                    getattr(value, "__module__", None) == module.__name__:
                names.add(name)
    return names - set(NOT_PROVIDED)


def _reference_value(name: str) -> Any:
    if hasattr(reference, name):
        return getattr(reference, name)
    for sub in SUBMODULES:
        module = importlib.import_module(f"agents.realtime.{sub}")
        if hasattr(module, name):
            return getattr(module, name)
    import agents

    return getattr(agents, name)


def test_every_reference_name_is_importable_from_the_top_level() -> None:
    missing = sorted(n for n in _reference_names() | set(NON_REALTIME) if not hasattr(realtime_cli, n))
    assert missing == []
    assert set(reference.__all__) <= set(realtime_cli.__all__)


def test_importing_the_package_loads_nothing_heavy() -> None:
    import subprocess
    import sys

    code = "import sys, realtime_cli; print(sorted(m for m in sys.modules if m.startswith('realtime_cli.')))"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert set(ast.literal_eval(out)) <= {"realtime_cli._version"}  # the version is a leaf module; the SDK loads lazily


def _pairs() -> list[tuple[str, Any, Any]]:
    return [(n, _reference_value(n), getattr(realtime_cli, n)) for n in sorted(_reference_names())]


@pytest.mark.parametrize(("name", "theirs", "ours"), _pairs(), ids=lambda v: v if isinstance(v, str) else "")
def test_same_shape(name: str, theirs: Any, ours: Any) -> None:
    """Dataclasses: the same fields in the same order with the same defaults for `type`; TypedDicts: the same
    keys; pydantic models: the same fields; Literals: the same values."""
    if dataclasses.is_dataclass(theirs):
        assert dataclasses.is_dataclass(ours), name
        their_fields = [f.name for f in dataclasses.fields(theirs)]
        our_fields = [f.name for f in dataclasses.fields(ours)]  # type: ignore[arg-type]
        assert our_fields[: len(their_fields)] == their_fields, name  # ours may add optional fields at the end
        for extra in dataclasses.fields(ours)[len(their_fields):]:  # type: ignore[arg-type]
            assert extra.default is not dataclasses.MISSING or extra.default_factory is not dataclasses.MISSING
        for field in dataclasses.fields(theirs):
            if field.name == "type":
                ours_type = next(f for f in dataclasses.fields(ours) if f.name == "type")  # type: ignore[arg-type]
                assert ours_type.default == field.default, name
    elif typing.is_typeddict(theirs):
        assert typing.is_typeddict(ours), name
        assert set(typing.get_type_hints(ours)) == set(typing.get_type_hints(theirs)), name
    elif isinstance(theirs, type) and hasattr(theirs, "model_fields"):
        assert list(ours.model_fields) == list(theirs.model_fields), name
    elif typing.get_origin(theirs) is typing.Literal:
        assert typing.get_args(ours) == typing.get_args(theirs), name


SIGNATURES = [
    ("RealtimeRunner", "__init__"), ("RealtimeRunner", "run"),
    ("RealtimeSession", "send_message"), ("RealtimeSession", "send_audio"), ("RealtimeSession", "interrupt"),
    ("RealtimeSession", "update_agent"), ("RealtimeSession", "approve_tool_call"),
    ("RealtimeSession", "reject_tool_call"), ("RealtimeSession", "close"), ("RealtimeSession", "enter"),
    ("RealtimePlaybackTracker", "on_play_bytes"), ("RealtimePlaybackTracker", "on_play_ms"),
    ("RealtimePlaybackTracker", "on_interrupted"), ("RealtimePlaybackTracker", "set_audio_format"),
    ("RealtimePlaybackTracker", "get_state"), ("RealtimeModel", "connect"), ("RealtimeModel", "send_event"),
    ("RealtimeModel", "send_event_if"), ("RealtimeModel", "add_listener"), ("RealtimeModel", "close"),
    ("realtime_handoff", None), ("output_guardrail", None), ("get_api_key", None),
    ("OpenAIRealtimeWebSocketModel", "__init__"),
]
FUNCTION_TOOL_PARAMS = ("func", "name_override", "description_override", "docstring_style", "use_docstring_info",
                        "failure_error_function", "strict_mode", "is_enabled", "needs_approval", "timeout",
                        "timeout_behavior", "timeout_error_function")


def _params(func: Any) -> dict[str, inspect.Parameter]:
    return dict(inspect.signature(func).parameters)


def _check_params(theirs: dict[str, inspect.Parameter], ours: dict[str, inspect.Parameter], names: Any) -> None:
    for name in names:
        assert name in ours, f"missing parameter {name}"
        assert ours[name].kind == theirs[name].kind, name
        their_default = theirs[name].default
        if their_default is inspect.Parameter.empty or isinstance(their_default, (bool, int, float, str, type(None))):
            assert ours[name].default == their_default, name
    extra = [p for n, p in ours.items() if n not in theirs]
    assert all(p.default is not inspect.Parameter.empty for p in extra), extra  # our additions are optional


@pytest.mark.parametrize(("owner", "method"), SIGNATURES)
def test_same_signature(owner: str, method: str | None) -> None:
    theirs, ours = _reference_value(owner), getattr(realtime_cli, owner)
    if method is not None:
        theirs, ours = getattr(theirs, method), getattr(ours, method)
    their_params = _params(theirs)
    _check_params(their_params, _params(ours), their_params)


def test_function_tool_signature() -> None:
    import agents

    _check_params(_params(agents.function_tool), _params(realtime_cli.function_tool), FUNCTION_TOOL_PARAMS)


def test_agent_fields() -> None:
    theirs = [f.name for f in dataclasses.fields(reference.RealtimeAgent)]
    ours = [f.name for f in dataclasses.fields(realtime_cli.RealtimeAgent)]
    assert ours[: len(theirs)] == theirs


def test_testing_module_names() -> None:
    from agents.realtime import testing as their_testing

    from realtime_cli import testing

    assert set(their_testing.__all__) <= set(testing.__all__)
    for name in ("ScriptedRealtimeModel", "RealtimeStep"):
        their_params = _params(getattr(their_testing, name))
        _check_params(their_params, _params(getattr(testing, name)), their_params)


def test_error_is_the_event_and_the_exception_keeps_its_own_name() -> None:
    assert dataclasses.is_dataclass(realtime_cli.RealtimeError)
    assert realtime_cli.RealtimeErrorEvent is realtime_cli.RealtimeError
    assert issubclass(realtime_cli.UserError, realtime_cli.RtagentError)
    assert typing.get_args(realtime_cli.RealtimeConnectionStatus) == ("connecting", "connected", "disconnected")


def _methods() -> list[tuple[str, Any, Any]]:
    """Every public function of the reference, and every method its public classes define (TypedDicts and
    pydantic models aside, whose fields are compared above), with ours."""
    out: list[tuple[str, Any, Any]] = []
    for name in sorted(_reference_names()):
        theirs, ours = _reference_value(name), getattr(realtime_cli, name)
        if inspect.isfunction(theirs):
            out.append((name, theirs, ours))
        elif inspect.isclass(theirs) and not typing.is_typeddict(theirs) and not hasattr(theirs, "model_fields"):
            for member, value in vars(theirs).items():
                if (member.startswith("_") and member != "__init__") or not (
                        callable(value) or isinstance(value, (staticmethod, classmethod))):
                    continue
                out.append((f"{name}.{member}", getattr(theirs, member), getattr(ours, member, None)))
    return out


@pytest.mark.parametrize(("label", "theirs", "ours"), _methods(), ids=lambda v: v if isinstance(v, str) else "")
def test_every_reference_method_exists_with_its_parameters(label: str, theirs: Any, ours: Any) -> None:
    assert ours is not None, f"{label} is missing"
    try:
        their_params = _params(theirs)
    except (TypeError, ValueError):  # a builtin without a signature
        return
    _check_params(their_params, _params(ours), their_params)
