"""Reading an agent config's YAML into plain data plus the line:column of every key and value.

Keys are always read as text (so `no:` stays "no"), duplicate keys are problems instead of silent overwrites,
YAML's own syntax errors keep YAML's position, and nesting and alias expansion are bounded (billion laughs).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import yaml
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from .agent_config_errors import Position, Problem

KeyPath = tuple[str | int, ...]
_MERGE_TAG = "tag:yaml.org,2002:merge"
_MAX_DEPTH = 64
_MAX_VALUES = 100_000  # values once aliases are expanded: a config has hundreds, an alias bomb billions


def _pos(mark: Any) -> Position:
    return Position(int(mark.line) + 1, int(mark.column) + 1)


@dataclass
class MarkedTree:
    """The document as dicts, lists and scalars, and where each value (and each mapping key) starts."""

    data: Any
    values: dict[KeyPath, Position] = field(default_factory=dict)
    keys: dict[KeyPath, Position] = field(default_factory=dict)

    def position(self, path: KeyPath, *, prefer_key: bool = False) -> Position:
        """Where `path` is written; falls back to the nearest enclosing entry that exists in the file."""
        for end in range(len(path), -1, -1):
            prefix = path[:end]
            if prefer_key and prefix in self.keys:
                return self.keys[prefix]
            if prefix in self.values:
                return self.values[prefix]
        return Position(1, 1)


class YamlProblems(Exception):
    """The YAML could not be turned into data; carries the problems."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(problems)
        self.problems = problems


class _Reader:
    def __init__(self, loader: yaml.SafeLoader) -> None:
        self.loader = loader
        self.tree = MarkedTree(data=None)
        self.problems: list[Problem] = []
        self._values = 0

    def walk(self, node: Node, path: KeyPath, depth: int) -> Any:
        if depth > _MAX_DEPTH:
            raise YamlProblems([Problem(_pos(node.start_mark),
                                        "the document nests too deeply (a recursive alias?); flatten it")])
        self._values += 1
        if self._values > _MAX_VALUES:
            raise YamlProblems([Problem(_pos(node.start_mark), f"the document expands to more than {_MAX_VALUES:,} "
                                        "values (aliases repeating aliases?); write the values out")])
        self.tree.values[path] = _pos(node.start_mark)
        if isinstance(node, MappingNode):
            return self._mapping(node, path, depth)
        if isinstance(node, SequenceNode):
            return [self.walk(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.loader.construct_object(node, deep=True)

    def _mapping(self, node: MappingNode, path: KeyPath, depth: int) -> dict[str, Any]:
        own = sum(1 for key, _ in node.value if key.tag != _MERGE_TAG)
        self.loader.flatten_mapping(node)  # resolves `<<: *anchor` merges; merged pairs come first
        merged_count = len(node.value) - own
        out: dict[str, Any] = {}
        seen: dict[str, Position] = {}
        for index, (key_node, value_node) in enumerate(node.value):
            if not isinstance(key_node, ScalarNode):
                self.problems.append(Problem(_pos(key_node.start_mark),
                                             "a key must be plain text, not a list or mapping; write 'name: value'"))
                continue
            key = str(key_node.value)
            where = _pos(key_node.start_mark)
            if index >= merged_count:
                if key in seen:
                    first = seen[key]
                    self.problems.append(Problem(where, f"duplicate key '{key}' (first written at line {first.line});"
                                                        " remove one of them or rename it"))
                    continue
                seen[key] = where
            entry_path = (*path, key)
            self.tree.keys[entry_path] = where
            out[key] = self.walk(value_node, entry_path, depth + 1)
        return out


def _syntax_problem(exc: yaml.YAMLError) -> Problem:
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        what = exc.problem or exc.context or "invalid YAML"
        context = ""
        if exc.context and exc.problem:
            started = exc.context_mark
            at = f" started at line {started.line + 1}" if started is not None and mark is not None \
                and started.line != mark.line else ""
            context = f" ({exc.context}{at})"
        hint = _syntax_hint(f"{what} {exc.context or ''}")
        return Problem(_pos(mark) if mark is not None else Position(1, 1),
                       f"YAML syntax error: {what}{context}; {hint}")
    return Problem(Position(1, 1), f"YAML syntax error: {exc}; check the file is valid YAML")


def _syntax_hint(what: str) -> str:
    if "\\t" in what or "\t" in what:
        return "indent with spaces, not tabs"
    if "could not determine a constructor" in what:
        return "remove the '!tag' (only plain YAML values are allowed)"
    if "flow sequence" in what:
        return "close the '[' list with ']' (or quote text that contains brackets)"
    if "flow mapping" in what:
        return "close the '{' mapping with '}' (or quote text that contains braces)"
    if "quoted scalar" in what:
        return "close the quote"
    if "mapping values are not allowed" in what:
        return "put text containing ': ' in quotes, or fix the indentation"
    if "expected <block end>" in what or "indentation" in what:
        return "check the indentation of this line against the lines above"
    if "found undefined alias" in what:
        return "define the &anchor before using *alias"
    return "check quoting and indentation around this line"


def read_marked_yaml(text: str) -> MarkedTree | None:
    """Parse `text` (one YAML document). None for an empty document; raises YamlProblems."""
    try:
        loader = yaml.SafeLoader(text)
    except yaml.YAMLError as exc:  # the reader refuses control characters before any parsing
        raise YamlProblems([_syntax_problem(exc)]) from None
    try:
        node = loader.get_single_node()
        if node is None:
            return None
        reader = _Reader(loader)
        reader.tree.data = reader.walk(node, (), 0)
    except yaml.YAMLError as exc:
        raise YamlProblems([_syntax_problem(exc)]) from None
    except RecursionError:
        raise YamlProblems([Problem(Position(1, 1), "the document nests too deeply to read; flatten it")]) from None
    finally:
        loader.dispose()
    if reader.problems:
        raise YamlProblems(reader.problems)
    return reader.tree
