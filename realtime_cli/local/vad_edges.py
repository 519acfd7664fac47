"""Where speech stops, to within a few milliseconds: the levels of the latest audio in short blocks, and the last
block still loud near the end the voice detector's 32 ms frames gave (word endings soft enough to miss its gate).
"""

from __future__ import annotations

from collections import deque

import numpy as np
import numpy.typing as npt

EDGE_DBFS = -50.0  # speech has stopped where the level falls under this, or to within 6 dB of the room's noise
_FLOOR_PERCENTILE = 20  # the room's noise: this percentile of the recent block levels
_SEARCH_BEFORE_MS = 96  # how far back of the frame end an ending may lie (the detector's hangover)
_SEARCH_AFTER_MS = 96  # and how far past it (a soft ending under the detector's loudness gate)
_BRIDGE_MS = 24  # a quiet gap this short inside an ending (a stop consonant's closure) does not end it


class SpeechEdges:
    """`add(frame, end_ms)` for every analysed frame; `speech_end(frame_end_ms)` once a turn has ended."""

    def __init__(self, frame: int, sample_rate: int, keep_ms: float = 1500.0) -> None:
        self._block = max(1, frame // 4)
        self.block_ms = self._block * 1000 / sample_rate
        self._levels: deque[float] = deque(maxlen=max(1, int(keep_ms / self.block_ms)))
        self._end_ms = 0.0  # where the newest block ends

    def add(self, frame: npt.NDArray[np.float32], end_ms: float) -> None:
        """The RMS of each block of `frame` (float audio ending at `end_ms`)."""
        usable = frame.size - frame.size % self._block
        if usable:
            blocks = frame[:usable].reshape(-1, self._block)
            self._levels.extend(np.sqrt(np.mean(blocks * blocks, axis=1)).tolist())
        self._end_ms = end_ms

    def speech_end(self, frame_end_ms: int) -> int:
        """The end of the last loud block around `frame_end_ms` (the end of the detector's last speech frame):
        later while the ending stays loud, earlier where it was already quiet; unchanged when nothing is known."""
        levels = np.asarray(self._levels, dtype=np.float64)
        if levels.size == 0:
            return frame_end_ms
        threshold = max(10 ** (EDGE_DBFS / 20), 2.0 * float(np.percentile(levels, _FLOOR_PERCENTILE)))
        loud = levels >= threshold
        last = levels.size - 1
        at = last - round((self._end_ms - frame_end_ms) / self.block_ms)  # the block that ends at frame_end_ms
        low = max(0, at - round(_SEARCH_BEFORE_MS / self.block_ms))
        high = min(last, at + round(_SEARCH_AFTER_MS / self.block_ms))
        if not 0 <= at <= last:
            return frame_end_ms
        end = self._forward(loud, at, high) if loud[at] else self._backward(loud, at, low)
        if end is None:
            return frame_end_ms
        return round(self._end_ms - (last - end) * self.block_ms)

    def _forward(self, loud: npt.NDArray[np.bool_], at: int, high: int) -> int:
        bridge = round(_BRIDGE_MS / self.block_ms)
        end, gap = at, 0
        for i in range(at + 1, high + 1):
            if loud[i]:
                end, gap = i, 0
            else:
                gap += 1
                if gap > bridge:
                    break
        return end

    @staticmethod
    def _backward(loud: npt.NDArray[np.bool_], at: int, low: int) -> int | None:
        for i in range(at - 1, low - 1, -1):
            if loud[i]:
                return i
        return None
