"""One response of the local engine: ask the brain, then stream a function call or a spoken/text message with
the real service's event sequence, and finish it as completed or cancelled.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import sys
import threading
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any, TypeVar

import numpy as np

from ..protocol import names
from ..protocol.codecs import AudioFormat, encode_audio, from_pcm16_samples, sample_rate
from ..protocol.names import Dialect
from .brain import Call, Say
from .brain_llm import Deferred, SayStream
from .conversation import Conversation, Item, PhraseMark
from .speech import synthesizer
from .tts import Synthesizer, split_phrases
from .wire import new_id

Emit = Callable[..., Awaitable[None]]
MAX_DELTA_MS = 200
FIRST_PHRASE_WORDS = 3  # the first phrase is short, so its audio is ready soon; each next one may be twice as long
MAX_PHRASE_WORDS = 12
FIRST, LATER = 0, 1  # a reply's first phrase (what its user waits for), then the rest
LATER_NICE = 10  # how much lower the threads rendering later phrases run (Linux; elsewhere they run as the rest)
T = TypeVar("T")


def _lower_priority() -> None:
    if sys.platform.startswith("linux"):  # there a thread has its own nice value; elsewhere this would be the process
        with contextlib.suppress(OSError):
            tid = threading.get_native_id()
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + LATER_NICE))


class SpeechThreads:
    """The threads that render speech. First phrases run at normal priority; later phrases, which have the earlier
    phrases' playing time to be ready in, on threads the OS runs when the CPU has time left over from work someone
    is waiting for (a first phrase, a decode) — so ten busy sessions answer each other's users sooner."""

    def __init__(self, workers: int = 2) -> None:
        self._urgent = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rtagent-tts")
        self._later = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rtagent-tts-later",
                                         initializer=_lower_priority)

    def submit(self, priority: int, fn: Callable[..., T], *args: Any) -> Future[T]:
        return (self._urgent if priority == FIRST else self._later).submit(fn, *args)

    async def run(self, priority: int, fn: Callable[..., T], *args: Any) -> T:
        return await asyncio.wrap_future(self.submit(priority, fn, *args))


_speech_threads = SpeechThreads()
_warmed: set[str] = set()
_warm_lock = threading.Lock()


def _warm(voice: str) -> None:
    synth = synthesizer(voice)  # loads piper's model (hash check, onnxruntime session) once per process
    with _warm_lock:
        if synth.voice in _warmed:
            return
        _warmed.add(synth.voice)
    synth.render_phrase("Okay.", "phrase")  # the first inference of a model is several times slower than the next


def warm_voice(voice: str) -> None:
    """Load and warm up `voice` on a speech thread, so that the first response of a session is not the one that
    waits for it (never on the event loop)."""
    _speech_threads.submit(FIRST, _warm, voice)


@dataclass
class ResponseSpec:
    """What this response may produce, resolved from the session and any `response.create` overrides."""

    modalities: list[str]
    voice: str
    output_format: AudioFormat
    add_to_conversation: bool = True
    metadata: dict[str, Any] | None = None


@dataclass
class Response:
    """A response in flight; `cancel()` ends it as cancelled with the given reason."""

    id: str
    spec: ResponseSpec
    output: list[Item] = field(default_factory=list)
    task: asyncio.Task[None] | None = None
    cancel_reason: str | None = None
    produced_audio: bool = False
    output_tokens: int = 0

    def wire(self, dialect: Dialect, status: str = "in_progress", details: dict[str, Any] | None = None,
             usage: dict[str, Any] | None = None) -> dict[str, Any]:
        body: dict[str, Any] = {"id": self.id, "object": "realtime.response", "status": status,
                                "status_details": details, "output": [i.to_wire(dialect) for i in self.output],
                                "usage": usage, "metadata": self.spec.metadata}
        if dialect == "ga":
            body["output_modalities"] = self.spec.modalities
            body["conversation_id"] = "conv_local"
        else:
            body["modalities"] = ["text", "audio"] if "audio" in self.spec.modalities else ["text"]
            body["voice"] = self.spec.voice
            body["output_audio_format"] = self.spec.output_format
        return body


Decision = Say | Call | SayStream | Deferred


async def stream_response(response: Response, decision: Decision, conv: Conversation, dialect: Dialect,
                          emit: Emit) -> None:
    """Emit the output of `decision` as `response`'s events; raises CancelledError when cancelled midway."""
    if isinstance(decision, Deferred):
        decision = await decision.resolve()
    if isinstance(decision, Call):
        await _stream_call(response, decision, conv, dialect, emit)
    elif isinstance(decision, SayStream):
        try:
            await _stream_message(response, decision.pieces, conv, dialect, emit)
        finally:
            await decision.pieces.aclose()  # type: ignore[attr-defined]
    else:
        await _stream_message(response, decision.text, conv, dialect, emit, asks=decision.asks)


_SENTENCE_END = re.compile(r"[.!?…][\"')\]]*\s+")


async def _sentences(text: str | AsyncIterator[str]) -> AsyncIterator[str]:
    """Whole sentences (with their trailing space) of text that may still be arriving."""
    if isinstance(text, str):
        yield text
        return
    pending = ""
    async for piece in text:
        pending += piece
        cut = 0
        for match in _SENTENCE_END.finditer(pending):
            cut = match.end()
        if cut:
            yield pending[:cut]
            pending = pending[cut:]
    if pending:
        yield pending


async def _add_item(response: Response, item: Item, conv: Conversation, dialect: Dialect, emit: Emit) -> None:
    response.output.append(item)
    await emit(names.OUTPUT_ITEM_ADDED, response_id=response.id, output_index=len(response.output) - 1,
               item=item.to_wire(dialect))
    if response.spec.add_to_conversation:
        previous = conv.add(item)
        await emit(names.ITEM_ADDED, previous_item_id=previous, item=item.to_wire(dialect))


async def _finish_item(response: Response, item: Item, dialect: Dialect, emit: Emit) -> None:
    await emit(names.OUTPUT_ITEM_DONE, response_id=response.id, output_index=response.output.index(item),
               item=item.to_wire(dialect))
    if response.spec.add_to_conversation and dialect == "ga":
        await emit(names.ITEM_DONE, previous_item_id=None, item=item.to_wire(dialect))


async def _stream_call(response: Response, call: Call, conv: Conversation, dialect: Dialect, emit: Emit) -> None:
    item = Item(new_id("item"), "function_call", name=call.name, call_id=new_id("call"), arguments="",
                status="in_progress")
    await _add_item(response, item, conv, dialect, emit)
    ids = {"response_id": response.id, "item_id": item.id, "output_index": response.output.index(item),
           "call_id": item.call_id}
    await emit(names.ARGUMENTS_DELTA, delta=call.arguments, **ids)
    item.arguments = call.arguments
    item.status = "completed"
    await emit(names.ARGUMENTS_DONE, arguments=call.arguments, name=call.name, **ids)
    response.output_tokens += max(1, len(call.arguments) // 4)
    await _finish_item(response, item, dialect, emit)


def _chunks(samples: np.ndarray, rate: int) -> list[np.ndarray]:
    step = rate * MAX_DELTA_MS // 1000
    return [samples[i:i + step] for i in range(0, samples.size, step)] or [samples]


async def _stream_message(response: Response, text: str | AsyncIterator[str], conv: Conversation, dialect: Dialect,
                          emit: Emit, asks: tuple[str, str] | None = None) -> None:
    spec = response.spec
    audio = "audio" in spec.modalities
    item = Item(new_id("item"), "message", role="assistant", has_audio=audio, status="in_progress", asks=asks)
    if audio:
        await _speak(response, item, text, conv, dialect, emit)
    else:
        ids = await _open_part(response, item, "text", conv, dialect, emit)
        async for sentence in _sentences(text):
            for word in _words(sentence):
                await emit(names.TEXT_DELTA, delta=word, **ids)
                item.text += word
                await asyncio.sleep(0)
        await emit(names.TEXT_DONE, text=item.text, **ids)
        await _close_part(response, item, False, ids, dialect, emit)


async def _open_part(response: Response, item: Item, kind: str, conv: Conversation, dialect: Dialect,
                     emit: Emit) -> dict[str, Any]:
    await _add_item(response, item, conv, dialect, emit)
    ids = {"response_id": response.id, "item_id": item.id, "output_index": response.output.index(item),
           "content_index": 0}
    await emit(names.CONTENT_PART_ADDED, part={"type": kind, "transcript" if kind == "audio" else "text": ""}, **ids)
    return ids


async def _close_part(response: Response, item: Item, audio: bool, ids: dict[str, Any], dialect: Dialect,
                      emit: Emit) -> None:
    item.status = "completed"
    await emit(names.CONTENT_PART_DONE, part=_part(item, audio), **ids)
    response.output_tokens += max(1, len(item.text) // 4)
    await _finish_item(response, item, dialect, emit)


async def _speak(response: Response, item: Item, text: str | AsyncIterator[str], conv: Conversation,
                 dialect: Dialect, emit: Emit) -> None:
    rate = sample_rate(response.spec.output_format)
    spoken = _spoken(response.spec.voice, text, rate)
    first = asyncio.ensure_future(anext(spoken, None))  # the first phrase renders while the events before it go out
    try:
        ids = await _open_part(response, item, "audio", conv, dialect, emit)
        piece = await first
        while piece is not None:
            await _emit_phrase(response, item, piece, rate, ids, emit)
            piece = await anext(spoken, None)
    finally:
        if not first.done():
            first.cancel()
            with contextlib.suppress(BaseException):
                await first
        await spoken.aclose()
    await emit(names.AUDIO_DONE, **ids)
    await emit(names.TRANSCRIPT_DONE, transcript=item.text, **ids)
    await _close_part(response, item, True, ids, dialect, emit)


async def _spoken(voice: str, text: str | AsyncIterator[str],
                  rate: int) -> AsyncGenerator[tuple[str, np.ndarray], None]:
    """`(phrase, samples)` of `text` in order, rendered on the speech threads; phrase k+1 renders while phrase k
    goes out (one ahead within a sentence: a sentence still arriving is not waited for)."""
    synth: Synthesizer = await _speech_threads.run(FIRST, synthesizer, voice)
    first_words: int | None = FIRST_PHRASE_WORDS
    priority = FIRST
    rendering: asyncio.Future[np.ndarray] | None = None
    try:
        async for sentence in _sentences(text):
            phrases = split_phrases(sentence, MAX_PHRASE_WORDS, first_words)
            first_words = None
            for index, (phrase, kind) in enumerate(phrases):
                if rendering is None:
                    rendering = asyncio.ensure_future(_speech_threads.run(priority, synth.render_phrase, phrase,
                                                                          kind, rate))
                samples = await rendering
                rendering, priority = None, LATER
                if index + 1 < len(phrases):
                    rendering = asyncio.ensure_future(_speech_threads.run(LATER, synth.render_phrase,
                                                                          *phrases[index + 1], rate))
                yield phrase, samples
    finally:
        if rendering is not None:
            rendering.cancel()


async def _emit_phrase(response: Response, item: Item, piece: tuple[str, np.ndarray], rate: int,
                       ids: dict[str, Any], emit: Emit) -> None:
    phrase, samples = piece
    spec = response.spec
    start_ms = item.audio_ms
    for chunk in _chunks(samples, rate):
        if chunk.size == 0:
            continue
        response.produced_audio = True
        await emit(names.AUDIO_DELTA, delta=encode_audio(from_pcm16_samples(chunk, spec.output_format)), **ids)
        item.audio_ms += chunk.size * 1000 / rate
    if phrase:
        await emit(names.TRANSCRIPT_DELTA, delta=phrase, **ids)
        item.text += phrase
        item.phrases.append(PhraseMark(start_ms, item.audio_ms, phrase))
    await asyncio.sleep(0)  # let a cancel or a barge-in in between phrases


def _part(item: Item, audio: bool) -> dict[str, Any]:
    return {"type": "audio", "transcript": item.text} if audio else {"type": "text", "text": item.text}


def _words(text: str) -> list[str]:
    out: list[str] = []
    for index, word in enumerate(text.split(" ")):
        out.append(word if index == 0 else " " + word)
    return [w for w in out if w]


def usage(input_text: str, response: Response) -> dict[str, Any]:
    """A plausible token usage (about four characters a token)."""
    input_tokens = max(1, len(input_text) // 4)
    return {"total_tokens": input_tokens + response.output_tokens, "input_tokens": input_tokens,
            "output_tokens": response.output_tokens,
            "input_token_details": {"text_tokens": input_tokens, "audio_tokens": 0, "cached_tokens": 0},
            "output_token_details": {"text_tokens": response.output_tokens, "audio_tokens": 0}}
