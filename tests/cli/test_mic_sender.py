"""MicSender: frames coalesced into few appends in order, commits kept in place, lag and stream times recorded."""

from __future__ import annotations

import asyncio

import numpy as np
import pytest

from realtime_cli.cli.mic_sender import MicSender


class Socket:
    """The far end of `send_audio`: what went out, in order (the session's own sending is tested elsewhere)."""

    def __init__(self, sender_clock: list[float]) -> None:
        self.sent: list[tuple[int, bool]] = []
        self.clock = sender_clock

    async def send_audio(self, audio: bytes, *, commit: bool = False) -> None:
        self.sent.append((len(audio) // 2, commit))
        self.clock[0] += 0.005


def frames(sender: MicSender, times: list[float], stamp: list[float], n: int = 240) -> None:
    for t in times:
        stamp[0] = t
        sender(np.ones(n, dtype=np.int16))


def make(open_mic: bool = False) -> tuple[MicSender, Socket, list[float], list[float]]:
    now, stamp = [100.0], [0.0]
    socket = Socket(now)
    sender = MicSender(socket, time_of=lambda: stamp[0], open_mic=open_mic, clock=lambda: now[0])
    return sender, socket, now, stamp


def test_a_backlog_goes_out_as_one_append_and_commits_stay_in_order() -> None:
    sender, _socket, _now, stamp = make()
    frames(sender, [99.0 + i * 0.01 for i in range(50)], stamp)  # 500 ms waited behind a busy loop
    sender.commit()
    frames(sender, [99.5], stamp)
    first = sender.take()
    assert isinstance(first, tuple) and len(first[0]) == 50 * 240 * 2 and first[1] == 99.0
    assert sender.take() is None  # the commit, after all of the turn's audio
    last = sender.take()
    assert isinstance(last, tuple) and last[1] == 99.5
    assert sender.take() is False


def test_appends_are_capped_in_size() -> None:
    sender, *_rest, stamp = make()
    frames(sender, [float(i) for i in range(3)], stamp, n=24_000 // 2 * 3)  # three 1.5 s frames
    sizes = []
    while isinstance(item := sender.take(), tuple):
        sizes.append(len(item[0]) // 2)
    assert sizes == [36_000] * 3  # a frame is never split, frames are never joined past 1 s


def test_push_to_talk_never_drops_but_open_mic_bounds_its_backlog() -> None:
    ptt, *_r1, stamp1 = make(open_mic=False)
    frames(ptt, [float(i) for i in range(10)], stamp1, n=24_000)  # 10 s unsent
    assert ptt.dropped_s == 0 and ptt.backlog_s == pytest.approx(10)
    mic, *_r2, stamp2 = make(open_mic=True)
    frames(mic, [float(i) for i in range(10)], stamp2, n=24_000)
    assert mic.dropped_s == pytest.approx(5) and mic.backlog_s == pytest.approx(5)
    first = mic.take()
    assert isinstance(first, tuple) and first[1] == 5.0  # the oldest went


async def test_run_sends_everything_and_measures_lag_and_stream_times() -> None:
    sender, socket, _now, stamp = make()
    committed: list[float] = []
    sender.on_committed = committed.append
    task = asyncio.create_task(sender.run())
    frames(sender, [99.9, 99.91, 99.92], stamp)
    sender.commit()
    while not committed:
        await asyncio.sleep(0)
    task.cancel()
    assert socket.sent == [(720, False), (0, True)]
    assert committed == [pytest.approx(100.01)]  # the moment the commit was in the socket (two sends later)
    assert sender.lag.last_ms == pytest.approx(75)  # captured up to 99.93, in the socket at 100.005
    assert sender.clock.time_at(15) == pytest.approx(99.915)

