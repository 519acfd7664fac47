"""CallbackWatchdog: stalls are reported once, recoveries too, and the async waiter wakes up."""

from __future__ import annotations

import asyncio
import threading
import time

from realtime_cli.audio.watchdog import CallbackWatchdog

from .conftest import FakeClock


def test_reports_a_stall_once_and_the_recovery(clock: FakeClock) -> None:
    dog = CallbackWatchdog(1.0, clock=clock)
    assert dog.check() is None  # not armed: a closed stream is not stalled
    dog.arm()
    for _ in range(5):
        clock.advance(0.01)
        dog.beat()
        assert dog.check() is None
    report = None
    for _ in range(12):  # the device goes quiet while the loop keeps checking every 0.1 s
        clock.advance(0.1)
        report = report or dog.check()
    assert report is not None and not report.recovered
    assert report.silent_for > 1.0
    assert "stopped responding" in report.message()
    assert dog.check() is None  # once per episode
    dog.beat()
    recovered = dog.check()
    assert recovered is not None and recovered.recovered
    assert dog.stalls == 1


def test_a_stuck_loop_is_not_a_dead_device(clock: FakeClock) -> None:
    dog = CallbackWatchdog(1.0, clock=clock)
    dog.arm()
    dog.check()
    clock.advance(3.0)  # the loop (and the callback with it) was stuck for 3 s; the first look afterwards
    assert dog.check() is None
    assert dog.late_checks == 1
    for _ in range(20):  # callbacks resume, stamped with their own time, and the loop checks on time
        clock.advance(0.1)
        dog.beat(clock.now - 0.005)
        assert dog.check() is None
    assert dog.stalls == 0


def test_silence_seen_by_an_on_time_checker_is_a_stall_even_after_a_stuck_moment(clock: FakeClock) -> None:
    dog = CallbackWatchdog(1.0, clock=clock)
    dog.arm()
    dog.check()
    clock.advance(2.0)
    assert dog.check() is None  # late look: no verdict
    reports = []
    for _ in range(11):
        clock.advance(0.1)
        reports.append(dog.check())
    assert next(r for r in reports if r is not None).silent_for > 1.0
    assert dog.stalls == 1


def test_disarmed_watchdog_never_reports(clock: FakeClock) -> None:
    dog = CallbackWatchdog(1.0, clock=clock)
    dog.arm()
    dog.disarm()
    clock.advance(10)
    assert dog.check() is None
    assert dog.silent_for() == 0.0


async def test_wait_for_stall_wakes_when_beats_stop() -> None:
    dog = CallbackWatchdog(0.2)
    dog.arm()
    stop = threading.Event()

    def beating() -> None:  # a callback thread that dies after 0.15 s
        end = time.monotonic() + 0.15
        while time.monotonic() < end and not stop.is_set():
            dog.beat()
            time.sleep(0.01)

    thread = threading.Thread(target=beating)
    thread.start()
    started = time.monotonic()
    report = await asyncio.wait_for(dog.wait_for_stall(0.02), timeout=2.0)
    stop.set()
    thread.join()
    assert not report.recovered
    assert 0.3 <= time.monotonic() - started < 1.5
