"""Pure decision logic of a realtime client: response serialization, cancelled-response filtering,
received-audio ledger with truncation arithmetic, and guardrail debounce. Plain data in, decisions out.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass

from .codecs import AudioFormat, bytes_to_ms

ACTIVE_RESPONSE_ERROR = "conversation_already_has_active_response"
CANCEL_NOT_ACTIVE_ERROR = "response_cancel_not_active"


class ResponseGate:
    """Serializes `response.create`: the server allows one active response, so requests made while one is in
    flight are coalesced into a single create sent after `response.done`.

    Call `request()` whenever you want a response; send `response.create` only when it returns True. Feed it
    `on_created`, `on_done` and `on_rejected` (an `error` with code conversation_already_has_active_response);
    when `on_done` returns True, send one `response.create` now.
    """

    def __init__(self) -> None:
        self.active_response_id: str | None = None
        self._busy = False  # a create is in flight or a response is active
        self._pending = False

    @property
    def busy(self) -> bool:
        return self._busy

    @property
    def pending(self) -> bool:
        return self._pending

    def request(self) -> bool:
        if self._busy:
            self._pending = True
            return False
        self._busy = True
        return True

    def on_created(self, response_id: str) -> None:
        self._busy = True
        self.active_response_id = response_id

    def on_rejected(self) -> None:
        """Our create collided with a response the server started itself: retry after that one ends."""
        self._pending = True
        self._busy = True

    def on_done(self, response_id: str | None = None) -> bool:
        if response_id is not None and self.active_response_id not in (None, response_id):
            return False  # the end of an older response; the active one still runs
        self.active_response_id = None
        if self._pending:
            self._pending = False
            self._busy = True
            return True
        self._busy = False
        return False

    def reset(self) -> None:
        """Forget everything (a new connection)."""
        self.active_response_id = None
        self._busy = False
        self._pending = False


class CancelledResponses:
    """Remembers the last few cancelled response ids so their late deltas can be dropped."""

    def __init__(self, capacity: int = 64) -> None:
        self._ids: deque[str] = deque(maxlen=capacity)
        self._set: set[str] = set()

    def add(self, response_id: str) -> None:
        if response_id in self._set:
            return
        if len(self._ids) == self._ids.maxlen:
            self._set.discard(self._ids[0])
        self._ids.append(response_id)
        self._set.add(response_id)

    def __contains__(self, response_id: object) -> bool:
        return isinstance(response_id, str) and response_id in self._set


def truncation_ms(played_ms: float | None, received_ms: float) -> int | None:
    """The `audio_end_ms` to truncate at: what was played, never past what was received.

    Returns None when no audio of the item was received: the server rejects truncating such an item, so the
    caller skips the truncate (or deletes the item). `played_ms=None` means unknown: assume all was heard.
    """
    if received_ms <= 0:
        return None
    played = received_ms if played_ms is None else played_ms
    return int(max(0.0, min(played, received_ms)))


def heard_text(text: str, played_ms: float, received_ms: float) -> str:
    """The part of an item's transcript the user heard before it was cut at `played_ms` of `received_ms`.

    The transcript is taken to run alongside the audio, so the cut falls at the same fraction of the text, moved
    back to the end of a word (never splitting one). All of it when everything received was played.
    """
    if received_ms <= 0 or played_ms >= received_ms:
        return text if received_ms > 0 else ""
    cut = int(len(text) * max(0.0, played_ms) / received_ms)
    if cut < len(text) and not text[cut].isspace():
        cut = text.rfind(" ", 0, cut) + 1  # back to the start of the word being spoken
    return text[:cut].rstrip()


@dataclass
class _ItemAudio:
    item_id: str
    content_index: int
    received_bytes: int
    first_at: float


class AudioLedger:
    """How much assistant audio was received per item, and which item is currently being played.

    `on_delta` per audio delta; `truncation(played_ms, now)` answers what to truncate when the user interrupts:
    `(item_id, content_index, audio_end_ms)` or None. Without a playback tracker, `played_ms=None` falls back to
    the wall clock since the item's first delta (audio plays in real time from its arrival).
    """

    def __init__(self, audio_format: AudioFormat = "pcm16") -> None:
        self.audio_format: AudioFormat = audio_format
        self._current: _ItemAudio | None = None

    @property
    def current_item_id(self) -> str | None:
        return self._current.item_id if self._current else None

    def on_delta(self, item_id: str, content_index: int, nbytes: int, now: float) -> None:
        cur = self._current
        if cur is None or cur.item_id != item_id or cur.content_index != content_index:
            self._current = _ItemAudio(item_id, content_index, nbytes, now)
        else:
            cur.received_bytes += nbytes

    def received_ms(self) -> float:
        return bytes_to_ms(self._current.received_bytes, self.audio_format) if self._current else 0.0

    def truncation(self, played_ms: float | None, now: float) -> tuple[str, int, int] | None:
        cur = self._current
        if cur is None:
            return None
        if played_ms is None:
            played_ms = max(0.0, (now - cur.first_at) * 1000.0)
        end = truncation_ms(played_ms, self.received_ms())
        if end is None:
            return None
        return cur.item_id, cur.content_index, end

    def clear(self) -> None:
        """The current item is finished with (played out, or truncated)."""
        self._current = None


class GuardrailDebouncer:
    """When to run output guardrails on a growing text: each time it crosses another multiple of `every`
    characters, and once more on the final text unless that exact text was already checked.
    """

    def __init__(self, every: int = 100) -> None:
        if every < 1:
            raise ValueError("debounce_text_length must be at least 1")
        self.every = every
        self._next = every
        self._checked_length = -1

    def on_text(self, length: int) -> bool:
        if length < self._next:
            return False
        self._next = (length // self.every + 1) * self.every
        self._checked_length = length
        return True

    def on_final(self, length: int) -> bool:
        if length == self._checked_length or length == 0:
            return False
        self._checked_length = length
        return True
