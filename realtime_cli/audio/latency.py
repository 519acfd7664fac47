"""Turn latency as a listener hears it: end of the user's speech to the first agent sample the speaker played.

Plain data over monotonic times; time spent waiting for the user to approve a tool call is not counted.
"""

from __future__ import annotations

import math
from collections import deque
from collections.abc import Iterable


def percentile(values: Iterable[float], q: float) -> float | None:
    """Nearest-rank percentile (q in 0..100) of `values`; None when there are none."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


class TurnLatency:
    """`speech_ended(t)` starts a turn's clock; `agent_audio(t)` (first sample heard) stops it and records it.

    `speech_started()` cancels a running clock (the user is talking again); `approval(True/False, t)` brackets
    a wait for the user's answer to an approval prompt, which is subtracted.
    """

    def __init__(self, history: int = 1000) -> None:
        self.values_ms: deque[float] = deque(maxlen=history)
        self._end: float | None = None
        self._paused = 0.0
        self._pause_start: float | None = None

    @property
    def running(self) -> bool:
        return self._end is not None

    def speech_ended(self, t: float) -> None:
        self._end, self._paused, self._pause_start = t, 0.0, None

    def speech_started(self) -> None:
        self._end, self._pause_start = None, None

    def approval(self, waiting: bool, t: float) -> None:
        if self._end is None:
            return
        if waiting and self._pause_start is None:
            self._pause_start = t
        elif not waiting and self._pause_start is not None:
            self._paused += max(0.0, t - self._pause_start)
            self._pause_start = None

    def agent_audio(self, t: float) -> float | None:
        """The first agent sample of a response was heard at `t`: the latency in ms, or None if no turn was open."""
        if self._end is None:
            return None
        if self._pause_start is not None:
            self.approval(False, t)
        ms = max(0.0, (t - self._end - self._paused) * 1000.0)
        self._end = None
        self.values_ms.append(ms)
        return ms

    @property
    def last_ms(self) -> float | None:
        return self.values_ms[-1] if self.values_ms else None

    def summary(self) -> str | None:
        """One line for the exit summary (None before the first measured turn)."""
        if not self.values_ms:
            return None
        p50, p95 = percentile(self.values_ms, 50), percentile(self.values_ms, 95)
        return (f"latency (end of speech → first agent audio heard) over {len(self.values_ms)} turns: "
                f"p50 {p50:.0f} ms, p95 {p95:.0f} ms, last {self.values_ms[-1]:.0f} ms")


MARKS = ("released", "turn_end", "committed", "first_delta", "played", "heard")
"""A push-to-talk turn's moments, in order: the key release (the client's key event), the turn-end decision (the
capture stamps reached the release), the commit in the socket, the first audio delta received, the first agent
sample handed to the output callback, and that sample's estimated time at the speaker (the callback's DAC time)."""

STAGES = (("tail", "released", "turn_end"), ("send", "turn_end", "committed"),
          ("engine", "committed", "first_delta"), ("prebuffer", "first_delta", "played"),
          ("output", "played", "heard"))
"""Consecutive spans between the marks; their sum is the figure the status bar shows."""


class TurnTimeline:
    """Where a push-to-talk turn's latency goes: `begin(t)` at the release, `mark(name, t)` as each later moment
    happens (the first of each only; a mark out of order or without an open turn is ignored); the turn is
    complete at `heard`. Plain data over monotonic times; `turns` keeps the completed ones.
    """

    def __init__(self, history: int = 1000) -> None:
        self.turns: deque[dict[str, float]] = deque(maxlen=history)
        self._open: dict[str, float] | None = None

    @property
    def waiting_for(self) -> str | None:
        """The next mark the open turn expects (None when no turn is open)."""
        if self._open is None:
            return None
        return next(name for name in MARKS if name not in self._open)

    def begin(self, t: float) -> None:
        self._open = {"released": t}

    def cancel(self) -> None:
        self._open = None

    def mark(self, name: str, t: float) -> None:
        if self._open is None or name != self.waiting_for:
            return
        self._open[name] = t
        if name == MARKS[-1]:
            self.turns.append(self._open)
            self._open = None

    def stage_ms(self, stage: str) -> list[float]:
        """One stage's duration in ms over the completed turns."""
        start, end = next((a, b) for name, a, b in STAGES if name == stage)
        return [(turn[end] - turn[start]) * 1000 for turn in self.turns]

    def summary(self) -> str | None:
        """One line: each stage's p50/p95 (None before the first completed turn)."""
        if not self.turns:
            return None
        parts = []
        for name, _start, _end in STAGES:
            values = self.stage_ms(name)
            parts.append(f"{name} {percentile(values, 50):.0f}/{percentile(values, 95):.0f}")
        return f"latency breakdown p50/p95 (ms) over {len(self.turns)} turns: " + " · ".join(parts)
