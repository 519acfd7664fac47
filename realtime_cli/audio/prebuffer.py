"""How long to prebuffer a response: learned from how recent responses' deltas actually arrived.

Pure arithmetic over (arrival time, sample count) pairs; the jitter buffer calls it under its own lock.
"""

from __future__ import annotations

from collections import deque

_MIN_LEARNED = 3  # responses measured before the targets leave their conservative initial value
_COVER_LEARNED = 6  # responses measured before the gap cover leaves its prior
_MAX_ARRIVALS = 100_000  # per response; bounds memory for a pathological stream of tiny deltas


class PrebufferPolicy:
    """Three start rules for a response, each learned over the last `history` responses:

    - `start_delay_ms` after the first sample arrived: the worst lateness seen (how far a delta came behind a
      real-time schedule anchored at its response's first arrival) plus `margin_ms`, clamped to [min, max];
    - `start_buffer_ms` of audio queued: the least audio in hand that would always have been enough to play the
      rest of a response without running dry, plus `margin_ms`, clamped to [min, max];
    - `cover_ms`, the gap cover: start once the audio in hand plus the time since the last delta arrived reaches
      it. The audio in hand must outlast the silence until the next delta; because the service produces audio
      faster than real time, every delta that does arrive buys more than it costs, so the worst deficit seen
      (the least cover that would always have been enough) plus `margin_ms` is safe on the history. It is
      clamped to [min, max_cover]; until `_COVER_LEARNED` responses were measured it is `cover_prior_ms`, or off.

    The jitter buffer uses the cover alone whenever it is on, and the time and buffer rules (whichever is met
    first; each alone was safe on the history) otherwise. The cover learns from the gap structure of bursty
    faster-than-real-time streams, which the other two rules can only bound from one side each.
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
        max_cover_ms: float | None = None,
        cover_prior_ms: float | None = None,
    ) -> None:
        if not 0 < min_ms <= max_ms:
            raise ValueError("need 0 < min_prebuffer_ms <= max_prebuffer_ms")
        self.sample_rate = sample_rate
        self._min, self._max, self._margin = min_ms, max_ms, margin_ms
        self._max_cover = 3 * max_ms if max_cover_ms is None else max(max_cover_ms, min_ms)
        self._cover_history: deque[float] = deque(maxlen=history)
        self._cover_prior = cover_prior_ms
        self._cover_floor = 0.0  # raised within a response by an underrun's gap; cleared by the next response
        self._last_at = 0.0
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

    @property
    def cover_ms(self) -> float | None:
        """Gap-cover rule: audio in hand + time since the last arrival needed to start.

        Until `_COVER_LEARNED` responses were measured it is the prior (None when there is none: then the time and
        buffer rules decide alone).
        """
        if len(self._cover_history) < _COVER_LEARNED:
            if self._cover_prior is None:
                return None
            target = max(self._cover_prior, *self._cover_history, self._cover_floor)
        else:
            target = max(max(self._cover_history) + self._margin, self._cover_floor)
        return min(max(target, self._min), self._max_cover)

    @property
    def last_arrival(self) -> float:
        """Clock time of the most recent delta (of any response)."""
        return self._last_at

    def on_underrun(self, now: float, fed_before: int, gap_ms: float) -> None:
        """The response ran dry and its next delta arrived at `now` after `gap_ms` of silence from the server
        (call after `on_arrival` of that delta): re-prebuffer the rest of the response against that gap.

        The time rule is re-anchored at `now`; the cover is raised to `gap_ms` plus `margin_ms` until the next
        response starts.
        """
        self.reanchor(now, fed_before)
        self._cover_floor = max(self._cover_floor, gap_ms + self._margin)

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
        self._last_at = now

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
            self._cover_history.append(self._needed_cover_ms())
        self._arrivals.clear()
        self._cover_floor = 0.0
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

    def _needed_cover_ms(self) -> float:
        """Playback starting at t is safe iff every arrival i came by t + n_i/rate, so the earliest safe start
        is t* = max(a_i - n_i/rate). Waiting for cover C starts at the first t where (audio in hand) + (t - last
        arrival) >= C; that first t is at or after t* iff C exceeds the sum at every moment before t*. Between
        arrivals k and k+1 the sum grows from F_k to F_k + (a_{k+1} - a_k), so C must exceed the largest
        F_k + (min(a_{k+1}, t*) - a_k) over arrivals before t*."""
        if not self._arrivals:
            return 0.0
        rate = self.sample_rate
        safe_at = max(at - fed_before / rate for at, fed_before in self._arrivals)
        needed = 0.0
        arrivals = self._arrivals
        for k, (at, _fed_before) in enumerate(arrivals):
            if at >= safe_at:
                break
            nxt = arrivals[k + 1] if k + 1 < len(arrivals) else None
            in_hand = (nxt[1] if nxt is not None else self._fed) / rate
            until = min(nxt[0], safe_at) if nxt is not None else safe_at
            needed = max(needed, in_hand + until - at)
        return needed * 1000

    def _clamp(self, ms: float) -> float:
        return min(max(ms, self._min), self._max)
