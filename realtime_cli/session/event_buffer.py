"""The session's outgoing event buffer: bounded, so a consumer that stops reading never grows memory.

When full, the oldest droppable event (a raw delta or a chunk of agent audio) is dropped and counted;
events that change state (tool calls, handoffs, errors, response boundaries) are kept.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

from .events import RealtimeRawModelEvent

DEFAULT_CAPACITY = 1024  # ~25-50 s of agent audio with its transcript deltas: a consumer that far behind lost it anyway
_DROPPABLE_KINDS = frozenset({
    "response.output_audio.delta", "response.output_audio_transcript.delta", "response.output_text.delta",
    "response.function_call_arguments.delta", "conversation.item.input_audio_transcription.delta",
    "rate_limits.updated",
})
_DROPPABLE_TYPES = frozenset({"audio", "history_updated"})


_DROPPABLE_MODEL_EVENTS = frozenset({"audio", "transcript_delta", "output_text_delta"})


def droppable(event: Any) -> bool:
    """True for events that lose nothing essential when dropped under pressure: a raw_model_event carrying a
    delta (as a server event or a typed model event), agent audio, a history snapshot (a newer one follows)."""
    if type(event) is RealtimeRawModelEvent:  # the most frequent: read its slots, never its attribute fallback
        server_event = event.server_event
        if server_event is not None:
            return server_event.kind in _DROPPABLE_KINDS
        return getattr(event.data, "type", None) in _DROPPABLE_MODEL_EVENTS
    kind = getattr(event, "kind", None)
    if kind is not None:
        return kind in _DROPPABLE_KINDS
    return getattr(event, "type", None) in _DROPPABLE_TYPES


_GONE: Any = object()  # a slot whose event was dropped or already taken


class EventBuffer:
    """A FIFO of events with a capacity; `put` never blocks, `get` waits for the next event.

    Past `capacity` the oldest droppable event goes, however many essential events precede it: droppable
    slots are also queued on their own, so finding one is O(1). Dropped slots are compacted away once they
    outnumber the live ones, so memory stays proportional to what is held.
    """

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.hard_limit = capacity * 4  # even essential events stop growing the buffer past this
        self.dropped = 0
        self._slots: deque[list[Any]] = deque()  # [event] or [_GONE], in arrival order
        self._droppable: deque[list[Any]] = deque()  # the droppable slots still held, oldest first
        self._live = 0
        self._gone = 0
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return self._live

    def empty(self) -> bool:
        return self._live == 0

    @property
    def droppable_held(self) -> int:
        """How many droppable events (deltas, audio) are waiting."""
        return len(self._droppable)

    def put(self, item: Any) -> None:
        if self._live >= self.capacity:
            self._make_room()
        slot = [item]
        self._slots.append(slot)
        if droppable(item):
            self._droppable.append(slot)
        self._live += 1
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _make_room(self) -> None:
        if self._droppable:  # mark it gone where it sits; compaction removes it later
            self._droppable.popleft()[0] = _GONE
            self._gone += 1
        elif self._live >= self.hard_limit:  # only essential events are held: the oldest goes
            while self._slots[0][0] is _GONE:
                self._slots.popleft()
                self._gone -= 1
            self._slots.popleft()
        else:
            return
        self._live -= 1
        self.dropped += 1
        if self._gone > self._live + 64:
            self._slots = deque(s for s in self._slots if s[0] is not _GONE)
            self._gone = 0

    async def get(self) -> Any:
        while not self._live:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        slots = self._slots
        while True:
            slot = slots.popleft()
            if slot[0] is not _GONE:
                break
            self._gone -= 1
        if self._droppable and self._droppable[0] is slot:
            self._droppable.popleft()
        item = slot[0]
        slot[0] = _GONE
        self._live -= 1
        return item
