"""Noticing that PortAudio stopped calling back (an unplugged device, a wedged sound server).

The callback stores its own timestamp; the loop judges, and only counts silence it was awake to see. Never raises.
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

    A busy event loop is not a dead device: the verdict uses the callback's own timestamps, and silence only counts
    from the moment the checker was running on time. If the previous check is more than `threshold_s / 2` ago
    (the loop itself was stuck, and the callback, which needs the same interpreter, probably with it), the
    silence so far is not held against the device.
    """

    def __init__(self, threshold_s: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        self.threshold_s = threshold_s
        self._clock = clock
        self._last_beat = 0.0
        self._armed = False
        self._stalled = False
        self._last_check: float | None = None
        self._watch_from = 0.0
        self.stalls = 0
        self.late_checks = 0

    def arm(self) -> None:
        """Start watching; the grace period counts from now."""
        self._last_beat = self._watch_from = self._clock()
        self._last_check = None
        self._stalled = False
        self._armed = True

    def disarm(self) -> None:
        self._armed = False

    def beat(self, t: float | None = None) -> None:
        """Called from the audio callback on every block (with the callback's own time, if it has one)."""
        self._last_beat = self._clock() if t is None else t

    def silent_for(self) -> float:
        """Seconds since the last callback (0 when not armed)."""
        return max(self._clock() - self._last_beat, 0.0) if self._armed else 0.0

    @property
    def stalled(self) -> bool:
        return self._stalled

    def check(self) -> StallReport | None:
        """A report when a stall starts or ends since the previous check, else None."""
        now = self._clock()
        if self._last_check is not None and now - self._last_check > self.threshold_s / 2:
            self._watch_from = now  # we were not looking: whatever happened meanwhile is not evidence
            self.late_checks += 1
        self._last_check = now
        silent = max(now - max(self._last_beat, self._watch_from), 0.0) if self._armed else 0.0
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
