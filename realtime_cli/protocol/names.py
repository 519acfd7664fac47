"""Event names of both dialects and the mapping between them: the one vocabulary the code reasons in.

Canonical names are the GA names; the beta dialect (`OpenAI-Beta: realtime=v1`) renames a handful of them.
"""

from __future__ import annotations

from typing import Literal

Dialect = Literal["ga", "beta"]
DIALECTS: tuple[Dialect, ...] = ("ga", "beta")

BETA_HEADER = ("OpenAI-Beta", "realtime=v1")
DEFAULT_MODEL = "gpt-realtime"
DEFAULT_TRANSCRIPTION_MODEL = "gpt-4o-mini-transcribe"
# The service's server_vad settings when a session asks for server_vad without naming them.
SERVER_VAD_DEFAULTS: dict[str, object] = {"type": "server_vad", "threshold": 0.5, "prefix_padding_ms": 300,
                                          "silence_duration_ms": 500, "create_response": True,
                                          "interrupt_response": True}

# The user message a session sends after an output guardrail stopped the agent, so the model answers again.
# It is the session's own turn, never the user's: front ends leave it out of what they show as typed.
GUARDRAIL_TRIGGERED_PREFIX = "guardrail triggered: "

# WebSocket close codes the client and the engine reason about (RFC 6455).
CLOSE_NORMAL = 1000  # we (or the server) ended the session on purpose
CLOSE_GOING_AWAY = 1001  # the server is going away (session expiry, restart): worth a reconnect
CLOSE_ABNORMAL = 1006  # no close frame: the connection just dropped
DEFAULT_URL = "wss://api.openai.com/v1/realtime"
MAX_FRAME_BYTES = 16 * 1024 * 1024  # one append may carry up to 15 MiB of audio


def dialect_for_model(model: str | None) -> Dialect:
    """The dialect a model name implies: beta for `*-realtime-preview*` models, GA otherwise."""
    return "beta" if model and "realtime-preview" in model else "ga"


# --- client events (same names in both dialects) --------------------------------------------------------------
SESSION_UPDATE = "session.update"
INPUT_AUDIO_BUFFER_APPEND = "input_audio_buffer.append"
INPUT_AUDIO_BUFFER_COMMIT = "input_audio_buffer.commit"
INPUT_AUDIO_BUFFER_CLEAR = "input_audio_buffer.clear"
CONVERSATION_ITEM_CREATE = "conversation.item.create"
CONVERSATION_ITEM_RETRIEVE = "conversation.item.retrieve"
CONVERSATION_ITEM_TRUNCATE = "conversation.item.truncate"
CONVERSATION_ITEM_DELETE = "conversation.item.delete"
RESPONSE_CREATE = "response.create"
RESPONSE_CANCEL = "response.cancel"
OUTPUT_AUDIO_BUFFER_CLEAR = "output_audio_buffer.clear"

CLIENT_EVENT_TYPES: frozenset[str] = frozenset(
    {
        SESSION_UPDATE,
        INPUT_AUDIO_BUFFER_APPEND,
        INPUT_AUDIO_BUFFER_COMMIT,
        INPUT_AUDIO_BUFFER_CLEAR,
        CONVERSATION_ITEM_CREATE,
        CONVERSATION_ITEM_RETRIEVE,
        CONVERSATION_ITEM_TRUNCATE,
        CONVERSATION_ITEM_DELETE,
        RESPONSE_CREATE,
        RESPONSE_CANCEL,
        OUTPUT_AUDIO_BUFFER_CLEAR,
    }
)

# --- server events: canonical (GA) names ---------------------------------------------------------------------
ERROR = "error"
SESSION_CREATED = "session.created"
SESSION_UPDATED = "session.updated"
CONVERSATION_CREATED = "conversation.created"
ITEM_ADDED = "conversation.item.added"
ITEM_DONE = "conversation.item.done"
ITEM_RETRIEVED = "conversation.item.retrieved"
ITEM_TRUNCATED = "conversation.item.truncated"
ITEM_DELETED = "conversation.item.deleted"
TRANSCRIPTION_DELTA = "conversation.item.input_audio_transcription.delta"
TRANSCRIPTION_COMPLETED = "conversation.item.input_audio_transcription.completed"
TRANSCRIPTION_FAILED = "conversation.item.input_audio_transcription.failed"
BUFFER_COMMITTED = "input_audio_buffer.committed"
BUFFER_CLEARED = "input_audio_buffer.cleared"
SPEECH_STARTED = "input_audio_buffer.speech_started"
SPEECH_STOPPED = "input_audio_buffer.speech_stopped"
BUFFER_TIMEOUT = "input_audio_buffer.timeout_triggered"
RESPONSE_CREATED = "response.created"
RESPONSE_DONE = "response.done"
OUTPUT_ITEM_ADDED = "response.output_item.added"
OUTPUT_ITEM_DONE = "response.output_item.done"
CONTENT_PART_ADDED = "response.content_part.added"
CONTENT_PART_DONE = "response.content_part.done"
TEXT_DELTA = "response.output_text.delta"
TEXT_DONE = "response.output_text.done"
AUDIO_DELTA = "response.output_audio.delta"
AUDIO_DONE = "response.output_audio.done"
TRANSCRIPT_DELTA = "response.output_audio_transcript.delta"
TRANSCRIPT_DONE = "response.output_audio_transcript.done"
ARGUMENTS_DELTA = "response.function_call_arguments.delta"
ARGUMENTS_DONE = "response.function_call_arguments.done"
RATE_LIMITS_UPDATED = "rate_limits.updated"

# Beta wire name -> canonical name, for the events the two dialects name differently.
_BETA_TO_CANONICAL: dict[str, str] = {
    "conversation.item.created": ITEM_ADDED,
    "response.text.delta": TEXT_DELTA,
    "response.text.done": TEXT_DONE,
    "response.audio.delta": AUDIO_DELTA,
    "response.audio.done": AUDIO_DONE,
    "response.audio_transcript.delta": TRANSCRIPT_DELTA,
    "response.audio_transcript.done": TRANSCRIPT_DONE,
}
_CANONICAL_TO_BETA: dict[str, str] = {v: k for k, v in _BETA_TO_CANONICAL.items()}

# GA also defines `conversation.item.created` (older servers still send it); it means the same as `added`.
_GA_TO_CANONICAL: dict[str, str] = {"conversation.item.created": ITEM_ADDED}

_TO_CANONICAL: dict[Dialect, dict[str, str]] = {"ga": _GA_TO_CANONICAL, "beta": _BETA_TO_CANONICAL}


def canonical_type(wire_type: str, dialect: Dialect) -> str:
    """The canonical (GA) name of a server event received in `dialect`."""
    return _TO_CANONICAL[dialect].get(wire_type, wire_type)


def wire_type(canonical: str, dialect: Dialect) -> str:
    """The name a server of `dialect` puts on the wire for a canonical event name."""
    if dialect == "beta":
        return _CANONICAL_TO_BETA.get(canonical, canonical)
    return canonical


GA_ONLY_SERVER_EVENTS: frozenset[str] = frozenset({ITEM_DONE, BUFFER_TIMEOUT})
"""Canonical events that a beta server never sends (it has no counterpart for them)."""
