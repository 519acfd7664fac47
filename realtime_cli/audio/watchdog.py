"""Noticing that PortAudio stopped calling back (an unplugged device, a wedged sound server).

The callback only stores a timestamp; the event loop polls or awaits the verdict. Nothing here raises.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class StallReport:
    """Callbacks stopped `silent_for` seconds ago (recovered=False), or resumed (recovered=True)."""

    silent_for: float
    recovered: bool = False

    def message(self) -> str:
        if self.recovered:
            return "Audio device is responding again."
        return (
            f"Audio device stopped responding {self.silent_for:.1f} s ago: check that it is still connected, "
            "or restart with another device."
        )


class CallbackWatchdog:
    """Detects callbacks that stalled for longer than `threshold_s` while the stream is running.

    Call `beat()` from the audio callback (one attribute store). `arm()` when the stream starts and `disarm()`
    when it stops; `check()` returns a report once per stall episode and once on recovery.
    """

    def __init__(self, threshold_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold_s = threshold_s
        self._clock = clock
        self._last_beat = 0.0
        self._armed = False
        self._stalled = False
        self.stalls = 0

    def arm(self) -> None:
        """Start watching; the grace period counts from now."""
        self._last_beat = self._clock()
        self._stalled = False
        self._armed = True

    def disarm(self) -> None:
        self._armed = False

    def beat(self) -> None:
        """Called from the audio callback on every block."""
        self._last_beat = self._clock()

    def silent_for(self) -> float:
        """Seconds since the last callback (0 when not armed)."""
        return max(self._clock() - self._last_beat, 0.0) if self._armed else 0.0

    @property
    def stalled(self) -> bool:
        return self._stalled

    def check(self) -> StallReport | None:
        """A report when a stall starts or ends since the previous check, else None."""
        silent = self.silent_for()
        if not self._stalled and silent > self.threshold_s:
            self._stalled = True
            self.stalls += 1
            return StallReport(silent)
        if self._stalled and silent <= self.threshold_s:
            self._stalled = False
            return StallReport(silent, recovered=True)
        return None

    async def reports(self, interval_s: float = 0.25) -> AsyncIterator[StallReport]:
        """Yield stall and recovery reports forever, polling every `interval_s`; cancel the task to stop."""
        while True:
            report = self.check()
            if report is not None:
                yield report
            await asyncio.sleep(interval_s)

    async def wait_for_stall(self, interval_s: float = 0.1) -> StallReport:
        """Return as soon as a stall is detected."""
        async for report in self.reports(interval_s):
            if not report.recovered:
                return report
        raise AssertionError("unreachable")  # pragma: no cover
