"""Errors of agent config files: each problem carries the file's line and column and a sentence saying the fix.

`AgentConfigError` collects one or more problems; its text is one `file:line:col: message` line per problem.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..protocol.errors import ConfigError


@dataclass(frozen=True, order=True)
class Position:
    """A 1-based line and column in the YAML file."""

    line: int
    column: int


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a config file; `position` is None only when the file could not be read at all."""

    position: Position | None
    message: str

    def render(self, label: str) -> str:
        if self.position is None:
            return f"{label}: {self.message}"
        return f"{label}:{self.position.line}:{self.position.column}: {self.message}"


_MAX_SHOWN = 20


class AgentConfigError(ConfigError):
    """An agent config file is unreadable or invalid. `str(err)` is the complete message, one problem per line."""

    def __init__(self, label: str, problems: list[Problem]) -> None:
        self.label = label
        self.problems = sorted(problems, key=lambda p: p.position or Position(0, 0))
        lines = [p.render(label) for p in self.problems[:_MAX_SHOWN]]
        hidden = len(self.problems) - _MAX_SHOWN
        if hidden > 0:
            lines.append(f"{label}: ... and {hidden} more problems; fix the ones above first")
        super().__init__("\n".join(lines))
