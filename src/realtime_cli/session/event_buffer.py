"""The session's outgoing event buffer: bounded, so a consumer that stops reading never grows memory.

When full, the oldest droppable event (a raw delta or a chunk of agent audio) is dropped and counted;
events that change state (tool calls, handoffs, errors, response boundaries) are kept.
"""

from __future__ import annotations

import asyncio
from collections import deque
from typing import Any

DEFAULT_CAPACITY = 4096
_DROPPABLE_KINDS = frozenset({
    "response.output_audio.delta", "response.output_audio_transcript.delta", "response.output_text.delta",
    "response.function_call_arguments.delta", "conversation.item.input_audio_transcription.delta",
    "rate_limits.updated",
})
_DROPPABLE_TYPES = frozenset({"audio", "history_updated"})


def droppable(event: Any) -> bool:
    """True for events that lose nothing essential when dropped under pressure."""
    kind = getattr(event, "kind", None)
    if kind is not None:
        return kind in _DROPPABLE_KINDS
    return getattr(event, "type", None) in _DROPPABLE_TYPES


class EventBuffer:
    """A FIFO of events with a capacity; `put` never blocks, `get` waits for the next event."""

    def __init__(self, capacity: int = DEFAULT_CAPACITY) -> None:
        self.capacity = capacity
        self.hard_limit = capacity * 4  # even essential events stop growing the buffer past this
        self.dropped = 0
        self._items: deque[Any] = deque()
        self._waiter: asyncio.Future[None] | None = None

    def __len__(self) -> int:
        return len(self._items)

    def empty(self) -> bool:
        return not self._items

    def put(self, item: Any) -> None:
        items = self._items
        if len(items) >= self.capacity:
            self._make_room()
        items.append(item)
        waiter = self._waiter
        if waiter is not None and not waiter.done():
            waiter.set_result(None)

    def _make_room(self) -> None:
        items = self._items
        for index, old in enumerate(items):
            if droppable(old):
                del items[index]
                self.dropped += 1
                return
            if index > 256:
                break  # a long run of essential events: fall through to the hard limit
        if len(items) >= self.hard_limit:
            items.popleft()
            self.dropped += 1

    async def get(self) -> Any:
        while not self._items:
            self._waiter = asyncio.get_running_loop().create_future()
            try:
                await self._waiter
            finally:
                self._waiter = None
        return self._items.popleft()
