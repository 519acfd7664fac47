"""EventBuffer: FIFO order, a capacity that droppable traffic never exceeds, essential events kept, a hard limit,
a waiting `get`, and a count of what was dropped.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass

import pytest

from realtime_cli.session.event_buffer import DEFAULT_CAPACITY, EventBuffer, droppable


@dataclass(frozen=True)
class Raw:
    """Stands in for a raw server event (it has a `kind`)."""

    kind: str
    n: int = 0


@dataclass(frozen=True)
class Session:
    """Stands in for a session event (it has a `type` and no `kind`)."""

    type: str
    n: int = 0


def delta(n: int) -> Raw:
    return Raw("response.output_audio.delta", n)


def done(n: int) -> Raw:
    return Raw("response.done", n)


def test_droppable_classifies_deltas_and_audio_but_not_state_changes() -> None:
    for kind in ("response.output_audio.delta", "response.output_audio_transcript.delta",
                 "response.output_text.delta", "response.function_call_arguments.delta",
                 "conversation.item.input_audio_transcription.delta", "rate_limits.updated"):
        assert droppable(Raw(kind))
    for kind in ("response.done", "response.created", "response.output_item.done", "error",
                 "response.output_audio.done", "conversation.item.added"):
        assert not droppable(Raw(kind))
    assert droppable(Session("audio")) and droppable(Session("history_updated"))
    for kind in ("agent_start", "agent_end", "tool_start", "tool_end", "handoff", "error", "audio_interrupted",
                 "history_added", "guardrail_tripped", "tool_approval_required"):
        assert not droppable(Session(kind))
    assert not droppable(object())


def test_default_capacity_and_hard_limit() -> None:
    buffer = EventBuffer()
    assert buffer.capacity == DEFAULT_CAPACITY
    assert buffer.hard_limit == 4 * DEFAULT_CAPACITY
    assert buffer.empty() and len(buffer) == 0 and buffer.dropped == 0


async def test_fifo_order_below_capacity() -> None:
    buffer = EventBuffer(10)
    events = [delta(0), done(1), Session("agent_start", 2), delta(3)]
    for event in events:
        buffer.put(event)
    assert len(buffer) == 4
    assert [await buffer.get() for _ in events] == events
    assert buffer.empty() and buffer.dropped == 0


async def test_droppable_traffic_never_exceeds_capacity_and_keeps_the_newest() -> None:
    buffer = EventBuffer(8)
    for n in range(1000):
        buffer.put(delta(n))
        assert len(buffer) <= 8
    assert buffer.dropped == 1000 - 8
    assert [(await buffer.get()).n for _ in range(8)] == list(range(992, 1000))


async def test_the_oldest_droppable_goes_first_and_essential_events_stay_in_order() -> None:
    buffer = EventBuffer(4)
    for event in (done(0), delta(1), done(2), delta(3)):
        buffer.put(event)
    buffer.put(delta(4))  # full: delta 1 (the oldest droppable) makes room
    buffer.put(done(5))   # full: delta 3 goes
    assert buffer.dropped == 2 and len(buffer) == 4
    assert [(await buffer.get()).n for _ in range(4)] == [0, 2, 4, 5]


async def test_essential_events_are_kept_past_capacity_while_deltas_are_dropped() -> None:
    buffer = EventBuffer(64)  # hard limit 256: room for all 200 boundaries
    for n in range(200):
        buffer.put(delta(2 * n))
        buffer.put(done(2 * n + 1))
    kept = [await buffer.get() for _ in range(len(buffer))]
    essential = [e.n for e in kept if not droppable(e)]
    assert essential == [2 * n + 1 for n in range(200)]  # every response boundary survives, in order
    assert len(kept) <= 64 + 200
    assert buffer.dropped == 400 - len(kept)


async def test_hard_limit_bounds_even_essential_events_dropping_the_oldest() -> None:
    buffer = EventBuffer(4)
    assert buffer.hard_limit == 16
    for n in range(100):
        buffer.put(done(n))
        assert len(buffer) <= buffer.hard_limit
    assert len(buffer) == 16 and buffer.dropped == 100 - 16
    assert [(await buffer.get()).n for _ in range(16)] == list(range(84, 100))


async def test_a_long_stall_with_mixed_traffic_stays_near_capacity() -> None:
    buffer = EventBuffer(1024)
    n = 0
    for _second in range(3600):  # an hour: 10 audio deltas a second, a response boundary every 10 s
        for _ in range(10):
            buffer.put(delta(n))
            n += 1
        if _second % 10 == 0:
            for _ in range(4):
                buffer.put(done(n))
                n += 1
    assert buffer.droppable_held <= 1024  # the audio held back never exceeds the capacity
    assert len(buffer) <= 1024 + 4 * 360  # and what is held beyond it is the essential events alone
    taken = [await buffer.get() for _ in range(len(buffer))]
    assert [e.n for e in taken] == sorted(e.n for e in taken)  # order kept
    assert buffer.empty() and buffer.droppable_held == 0


async def test_get_waits_for_the_next_put() -> None:
    buffer = EventBuffer(4)
    getter = asyncio.create_task(buffer.get())
    await asyncio.sleep(0.01)
    assert not getter.done()
    buffer.put(done(7))
    assert (await asyncio.wait_for(getter, 1)).n == 7
    assert buffer.empty()


async def test_get_can_be_cancelled_and_a_later_get_still_works() -> None:
    buffer = EventBuffer(4)
    getter = asyncio.create_task(buffer.get())
    await asyncio.sleep(0)
    getter.cancel()
    with pytest.raises(asyncio.CancelledError):
        await getter
    buffer.put(done(1))
    assert (await asyncio.wait_for(buffer.get(), 1)).n == 1


async def test_drop_counter_counts_every_dropped_event() -> None:
    buffer = EventBuffer(3)
    for n in range(3):
        buffer.put(delta(n))
    assert buffer.dropped == 0
    buffer.put(delta(3))
    assert buffer.dropped == 1
    buffer.put(done(4))
    buffer.put(done(5))
    assert buffer.dropped == 3
    assert [(await buffer.get()).n for _ in range(3)] == [3, 4, 5]
