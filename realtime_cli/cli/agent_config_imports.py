"""Turning config entries into SDK objects: import paths `module:function`, tools, and output guardrails.

Modules are looked up next to the YAML file first (its folder is put on sys.path while importing), then installed.
"""

from __future__ import annotations

import dataclasses
import difflib
import importlib
import inspect
import os
import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any, NoReturn

from ..session.context import AnyContext
from ..session.guardrails import GuardrailFunctionOutput, OutputGuardrail
from ..session.tool import FunctionTool, function_tool
from .agent_config_schema import GuardrailConfig, ToolConfig

_IMPORT_PATH = re.compile(r"^(?P<module>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*):(?P<attr>[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*)$")
_TOOL_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}$")


class EntryError(Exception):
    """An entry could not be turned into an object; the message says why and what to do."""


def valid_tool_name(name: str) -> bool:
    """Tool names the realtime API accepts: letters, digits, '_' and '-', at most 64."""
    return bool(_TOOL_NAME.match(name))


def _label(folder: Path) -> str:
    try:
        shown = folder.resolve().relative_to(Path.cwd().resolve())
    except ValueError:
        shown = folder
    text = str(shown)
    return "./" if text == "." else text.rstrip("/") + "/"


def _inside(location: str | None, folder: Path) -> bool:
    if not location:
        return False
    try:
        Path(location).resolve().relative_to(folder.resolve())
    except (ValueError, OSError):
        return False
    return True


def _module_locations(module: Any) -> list[str]:
    return [getattr(module, "__file__", None) or "", *list(getattr(module, "__path__", []))]


@contextmanager
def _folder_on_path(folder: Path, top: str) -> Iterator[None]:
    """Put `folder` first on sys.path; if `top` exists there but a same-named module from elsewhere is
    already imported (another config's `tools` package, say), forget that one so the local one loads."""
    folder_text = str(folder.resolve())
    local = (folder / f"{top}.py").is_file() or (folder / top).is_dir()
    cached = sys.modules.get(top)
    if local and cached is not None and not any(_inside(p, folder) for p in _module_locations(cached)):
        for name in [n for n in sys.modules if n == top or n.startswith(top + ".")]:
            del sys.modules[name]
    sys.path.insert(0, folder_text)
    importlib.invalidate_caches()
    try:
        yield
    finally:
        with suppress(ValueError):
            sys.path.remove(folder_text)


def _local_modules(folder: Path) -> list[str]:
    found = []
    for file in sorted(folder.glob("*.py")) + sorted(folder.glob("*/*.py")):
        parts = file.relative_to(folder).with_suffix("").parts
        found.append(".".join(p for p in parts if p != "__init__"))
    return found


class _ProcessExitCalled(Exception):
    """A module tried to end the process while being imported."""


@contextmanager
def _no_process_exit() -> Iterator[None]:
    """While a user module imports, `os._exit` raises instead of ending the process (so `validate` cannot
    report success for a module that would kill every run)."""
    real = os._exit

    def refuse(status: int) -> NoReturn:
        raise _ProcessExitCalled(f"it called os._exit({status})")

    os._exit = refuse
    try:
        yield
    finally:
        os._exit = real


def resolve_import_path(import_path: str, folder: Path) -> Any:
    """The object at `module:attribute`; raises EntryError with a fix for each way that can fail."""
    match = _IMPORT_PATH.match(import_path.strip())
    if match is None:
        raise EntryError(f"'{import_path}' is not an import path; write 'module:function', "
                         "e.g. 'tools.support:lookup_order'")
    module_name, attr_path = match.group("module"), match.group("attr")
    try:
        with _folder_on_path(folder, module_name.split(".")[0]), _no_process_exit():
            module = importlib.import_module(module_name)
    except ModuleNotFoundError as exc:
        missing = exc.name or module_name
        if module_name == missing or module_name.startswith(missing + "."):
            near = difflib.get_close_matches(module_name, _local_modules(folder), n=1)
            fix = f"did you mean '{near[0]}'?" if near else "check the spelling and the file's location"
            raise EntryError(f"module '{module_name}' not found in {_label(folder)} or installed packages; "
                             f"{fix}") from None
        raise EntryError(f"importing module '{module_name}' failed: it needs '{missing}', which is not installed; "
                         "install it or remove that import") from None
    except SyntaxError as exc:
        where = f"{Path(exc.filename or '?').name} line {exc.lineno}"
        raise EntryError(f"module '{module_name}' has a syntax error ({where}: {exc.msg}); fix the module") from None
    except _ProcessExitCalled as exc:
        raise EntryError(f"importing module '{module_name}' tried to end the process ({exc}); remove that from "
                         "the module") from None
    except (Exception, SystemExit) as exc:
        raise EntryError(f"importing module '{module_name}' raised {type(exc).__name__}: {exc}; "
                         "fix the module so it imports cleanly") from None
    target: Any = module
    for part in attr_path.split("."):
        if not hasattr(target, part):
            names = [n for n in dir(target) if not n.startswith("_")]
            near = difflib.get_close_matches(part, names, n=1)
            fix = f"did you mean '{near[0]}'?" if near else f"define '{part}' there or fix the name"
            raise EntryError(f"module '{module_name}' has no attribute '{attr_path}'; {fix}")
        target = getattr(target, part)
    return target


def build_tool(key: str, entry: ToolConfig, target: Any) -> FunctionTool:
    """A FunctionTool named `key` from a plain function, or the given FunctionTool with YAML overrides applied;
    `examples:` are appended to its description."""
    tool = _build_tool(key, entry, target)
    if not entry.examples:
        return tool
    listed = "; ".join(f'"{example.strip()}"' for example in entry.examples if example.strip())
    return dataclasses.replace(tool, description=f"{(tool.description or '').rstrip()} Examples: {listed}.".lstrip())


def _build_tool(key: str, entry: ToolConfig, target: Any) -> FunctionTool:
    if isinstance(target, FunctionTool):
        changes: dict[str, Any] = {}
        if entry.description is not None:
            changes["description"] = entry.description
        if entry.needs_approval:
            changes["needs_approval"] = True
        return dataclasses.replace(target, **changes) if changes else target
    if isinstance(target, OutputGuardrail):
        raise EntryError(f"'{entry.function}' is an OutputGuardrail, not a tool; list it under 'guardrails:'")
    if inspect.isclass(target) or not callable(target):
        kind = "a class" if inspect.isclass(target) else f"a {type(target).__name__} value"
        raise EntryError(f"'{entry.function}' is {kind}, not a function; point to a function")
    try:
        make = function_tool(name_override=key, description_override=entry.description,
                             needs_approval=entry.needs_approval)
        return make(target)
    except Exception as exc:
        raise EntryError(f"cannot make a tool of '{entry.function}': {exc}; "
                         "give every parameter a type that pydantic understands") from None


def _takes_three_arguments(func: Any) -> bool:
    try:
        inspect.signature(func).bind(None, None, None)
    except TypeError:
        return False
    except ValueError:  # no signature available (some builtins): trust it
        return True
    return True


def build_guardrail(key: str, entry: GuardrailConfig, target: Any) -> OutputGuardrail:
    """An OutputGuardrail from an imported OutputGuardrail (named `key` if unnamed) or guardrail function."""
    if isinstance(target, OutputGuardrail):
        return target if target.name else dataclasses.replace(target, name=key)
    if isinstance(target, FunctionTool):
        raise EntryError(f"'{entry.function}' is a tool, not a guardrail; list it under 'tools:'")
    if inspect.isclass(target) or not callable(target):
        kind = "a class" if inspect.isclass(target) else f"a {type(target).__name__} value"
        raise EntryError(f"'{entry.function}' is {kind}, not a guardrail; point to an OutputGuardrail or a "
                         "function (context, agent, output) -> GuardrailFunctionOutput")
    if not _takes_three_arguments(target):
        raise EntryError(f"'{entry.function}' must accept (context, agent, output); change its parameters")
    return OutputGuardrail(guardrail_function=target, name=key)


DEFAULT_BLOCKED_MESSAGE = "I can't talk about that."


def compile_blocked(words: list[str], patterns: list[str]) -> re.Pattern[str]:
    """One case-insensitive regex matching any blocked word (whole words, flexible spaces) or pattern.
    Raises re.error for a bad pattern; callers check patterns one by one first to say which."""
    parts = [r"(?<!\w)" + r"\s+".join(re.escape(w) for w in word.split()) + r"(?!\w)" for word in words]
    parts.extend(f"(?:{p})" for p in patterns)
    return re.compile("|".join(parts), re.IGNORECASE)


def blocked_text_guardrail(name: str, entry: GuardrailConfig) -> OutputGuardrail:
    """A declarative guardrail: trips when the output contains a blocked word or matches a blocked pattern."""
    regex = compile_blocked(entry.blocked_words, entry.blocked_patterns)
    message = entry.message or DEFAULT_BLOCKED_MESSAGE

    def check_blocked_text(context: AnyContext, agent: Any, output: Any) -> GuardrailFunctionOutput:
        text = output if isinstance(output, str) else str(output)
        tripped = regex.search(text) is not None
        return GuardrailFunctionOutput(output_info=message if tripped else None, tripwire_triggered=tripped)

    return OutputGuardrail(guardrail_function=check_blocked_text, name=name)
