"""How long to prebuffer a response: learned from how recent responses' deltas actually arrived.

Pure arithmetic over (arrival time, sample count) pairs; the jitter buffer calls it under its own lock.
"""

from __future__ import annotations

from collections import deque

_MIN_LEARNED = 3  # responses measured before the targets leave their conservative initial value
_MAX_ARRIVALS = 100_000  # per response; bounds memory for a pathological stream of tiny deltas


class PrebufferPolicy:
    """Two start rules for a response, each learned over the last `history` responses, clamped to [min, max]:

    - `start_delay_ms` after the first sample arrived: the worst lateness seen (how far a delta came behind a
      real-time schedule anchored at its response's first arrival) plus `margin_ms`;
    - `start_buffer_ms` of audio queued: the least audio in hand that would always have been enough to play the
      rest of a response without running dry, plus `margin_ms`.

    Either rule alone would have been safe on the history, so starting at whichever is met first is too. Bursty
    arrival favours the buffer rule, a slow trickle the time rule.
    """

    def __init__(
        self,
        sample_rate: int,
        *,
        min_ms: float = 40.0,
        max_ms: float = 120.0,
        initial_ms: float | None = None,
        margin_ms: float = 20.0,
        history: int = 32,
    ) -> None:
        if not 0 < min_ms <= max_ms:
            raise ValueError("need 0 < min_prebuffer_ms <= max_prebuffer_ms")
        self.sample_rate = sample_rate
        self._min, self._max, self._margin = min_ms, max_ms, margin_ms
        self._initial = max_ms if initial_ms is None else initial_ms
        self._lateness_history: deque[float] = deque(maxlen=history)
        self._buffer_history: deque[float] = deque(maxlen=history)
        self._arrivals: list[tuple[float, int]] = []  # (arrival time, samples fed before it) this response
        self._response: str | None = None
        self._started = False
        self._fed = 0
        self._anchor_time = 0.0
        self._anchor_fed = 0
        self._peak_lateness_ms: float | None = None

    @property
    def start_delay_ms(self) -> float:
        """Time rule for the next prebuffer phase (includes how late the response in flight already was)."""
        learned = len(self._lateness_history) >= _MIN_LEARNED
        target = max(self._lateness_history) + self._margin if learned else self._initial
        if self._peak_lateness_ms is not None:
            target = max(target, self._peak_lateness_ms + self._margin)
        return self._clamp(target)

    @property
    def start_buffer_ms(self) -> float:
        """Buffer rule for the next response."""
        if len(self._buffer_history) < _MIN_LEARNED:
            return self._clamp(self._initial)
        return self._clamp(max(self._buffer_history) + self._margin)

    def on_arrival(self, response_id: str | None, count: int, now: float) -> None:
        """Record a delta of `count` samples arriving at `now`; a new response id closes the previous one."""
        if not self._started or response_id != self._response:
            self._close_response()
            self._response, self._started = response_id, True
            self._anchor_time, self._anchor_fed = now, 0
        lateness = (now - self._anchor_time) * 1000 - (self._fed - self._anchor_fed) * 1000 / self.sample_rate
        if self._peak_lateness_ms is None or lateness > self._peak_lateness_ms:
            self._peak_lateness_ms = lateness
        if len(self._arrivals) < _MAX_ARRIVALS:
            self._arrivals.append((now, self._fed))
        self._fed += count

    def reanchor(self, now: float, fed_before: int) -> None:
        """Playback of the response restarted after an underrun: measure lateness against the new schedule."""
        self._anchor_time, self._anchor_fed = now, fed_before

    @property
    def fed_in_response(self) -> int:
        return self._fed

    def _close_response(self) -> None:
        if self._peak_lateness_ms is not None:
            self._lateness_history.append(self._peak_lateness_ms)
            self._buffer_history.append(self._needed_buffer_ms())
        self._arrivals.clear()
        self._peak_lateness_ms = None
        self._fed = 0

    def _needed_buffer_ms(self) -> float:
        """Starting with arrival k in hand (F_k samples queued, sample n due at a_k + n/rate) is safe iff every
        later arrival i came by a_i <= a_k + n_i/rate. The threshold must exceed F_k of every unsafe k."""
        needed = 0
        latest = float("-inf")  # max over later arrivals of a_i - n_i/rate
        fed_after = self._fed
        for at, fed_before in reversed(self._arrivals):
            if latest > at:
                needed = max(needed, fed_after)
            latest = max(latest, at - fed_before / self.sample_rate)
            fed_after = fed_before
        return needed * 1000 / self.sample_rate

    def _clamp(self, ms: float) -> float:
        return min(max(ms, self._min), self._max)
