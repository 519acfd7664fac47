"""Mic audio from the audio layer to the session: in order, coalesced into larger appends when the loop or the
socket is slow, with the capture-to-socket lag measured on every append and the sent stream's capture times kept.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable
from typing import Any

import numpy as np

from ..audio.capture import LagMeter, StreamClock
from ..protocol.codecs import PCM16_RATE

MAX_APPEND_S = 1.0  # one append carries at most this much audio (well under any frame size limit)
MAX_OPEN_MIC_BACKLOG_S = 5.0  # open mic: older unsent audio than this is dropped (counted); push-to-talk never drops
MAX_PTT_BACKLOG_S = 300.0  # push-to-talk: only a memory bound


class MicSender:
    """Callable sink for mic frames (`sender(samples)`), `commit()` to end a turn, and `run()` as the send task.

    Frames wait in a deque; the send task takes everything waiting and sends it as few appends as possible, so a
    slow moment costs one larger message, never a growing queue of small ones. `time_of()` gives the capture time
    of the frame being handed over (the mic objects' `sink_time`).
    """

    def __init__(self, session: Any, recorder: Any = None, *, time_of: Callable[[], float],
                 open_mic: bool = False, clock: Callable[[], float] = time.monotonic) -> None:
        self.session = session
        self.recorder = recorder
        self.time_of = time_of
        self.max_backlog = int((MAX_OPEN_MIC_BACKLOG_S if open_mic else MAX_PTT_BACKLOG_S) * PCM16_RATE * 2)
        self.max_append = int(MAX_APPEND_S * PCM16_RATE * 2)
        self._clock = clock
        self._items: deque[tuple[bytes, float] | None] = deque()
        self._bytes = 0
        self._wake = asyncio.Event()
        self.lag = LagMeter()
        self.clock = StreamClock(PCM16_RATE)
        self.dropped_s = 0.0
        self.sent_bytes = 0
        self.on_committed: Callable[[float], None] | None = None  # gets the time each commit was in the socket

    def __call__(self, samples: np.ndarray) -> None:
        data = samples.astype("<i2", copy=False).tobytes()
        self._items.append((data, self.time_of()))
        self._bytes += len(data)
        while self._bytes > self.max_backlog:
            self._drop_oldest()
        self._wake.set()

    def commit(self) -> None:
        self._items.append(None)
        self._wake.set()

    @property
    def backlog_s(self) -> float:
        return self._bytes / (PCM16_RATE * 2)

    def take(self) -> tuple[bytes, float] | bool | None:
        """The next thing to send: coalesced audio with its first capture time, None for a commit, False if idle."""
        if not self._items:
            return False
        first = self._items.popleft()
        if first is None:
            return None
        parts, t = [first[0]], first[1]
        size = len(first[0])
        while self._items and self._items[0] is not None and size + len(self._items[0][0]) <= self.max_append:
            item = self._items.popleft()
            assert item is not None
            parts.append(item[0])
            size += len(item[0])
        self._bytes -= size
        return b"".join(parts), t

    async def run(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            while (item := self.take()) is not False:
                if isinstance(item, tuple):
                    await self.send(*item)
                else:
                    await self.session.send_audio(b"", commit=True)
                    if self.on_committed is not None:
                        self.on_committed(self._clock())

    async def send(self, data: bytes, t: float) -> None:
        if self.recorder is not None:
            self.recorder.input_audio(data)
        self.clock.sent(len(data) // 2, t)
        await self.session.send_audio(data)
        self.sent_bytes += len(data)
        self.lag.record(self._clock(), t + len(data) / (PCM16_RATE * 2))  # how far behind the newest sample is

    def _drop_oldest(self) -> None:
        for index, item in enumerate(self._items):
            if item is not None:
                del self._items[index]
                self._bytes -= len(item[0])
                self.dropped_s += len(item[0]) / (PCM16_RATE * 2)
                return
        self._bytes = 0  # pragma: no cover (only commits left)
