"""What stands before a response's first audio: a short first phrase that grows after, the voice and the models
loaded and warmed on worker threads (never on the event loop), and the wire order kept as the service sends it."""

from __future__ import annotations

import asyncio
import os
import sys
import threading

import pytest

from realtime_cli.local import responder, server
from realtime_cli.local.asr import shared_recognizer
from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.speech import synthesizer
from realtime_cli.local.tts import split_phrases
from support.engine_client import RawClient, ga_session

LONG = ("I can certainly help you with that booking today, and I will check the calendar for the next free "
        "morning slot with the dentist before I confirm anything with you.")


@pytest.mark.parametrize("text", [LONG, "Sure.", "Okay, done.", "one two three four five six seven eight nine ten "
                                  "eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen"])
def test_the_first_phrase_is_short_and_the_next_ones_grow(text: str) -> None:
    phrases = split_phrases(text, 12, 3)
    assert "".join(p for p, _ in phrases) == text
    sizes = [len(p.split()) for p, _ in phrases]
    assert sizes[0] <= 4 and max(sizes) <= 12
    limit = 3
    for size in sizes:  # each phrase at most twice the one before allowed (one more rather than leave one alone)
        assert size <= limit + 1
        limit = min(12, limit * 2)


def test_without_a_first_limit_phrases_are_as_before() -> None:
    assert split_phrases(LONG) == split_phrases(LONG, 6, None)
    assert all(len(p.split()) <= 6 for p, _ in split_phrases(LONG))


def test_the_first_transcript_delta_of_a_reply_is_a_few_words() -> None:
    phrases = split_phrases(LONG, responder.MAX_PHRASE_WORDS, responder.FIRST_PHRASE_WORDS)
    assert len(phrases[0][0].split()) <= responder.FIRST_PHRASE_WORDS + 1 < len(LONG.split())


async def test_the_engine_warms_up_on_a_worker_thread(monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    real_synth, real_asr = synthesizer, shared_recognizer

    def synth_spy(voice: str):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return real_synth(voice)

    def asr_spy(spec: str | None = None):  # type: ignore[no-untyped-def]
        seen.append(threading.current_thread().name)
        return real_asr(spec)

    monkeypatch.setattr(server, "synthesizer", synth_spy)
    monkeypatch.setattr(server, "shared_recognizer", asr_spy)
    monkeypatch.setattr(server, "_warm_pool", None)
    future = server.start_warming()
    assert future is not None and server.start_warming() is None  # once per process
    await asyncio.wrap_future(future)
    assert len(seen) == 2 and all(name.startswith("rtagent-warm") for name in seen)


async def test_a_reply_loads_its_voice_off_the_loop_and_keeps_the_wire_order(monkeypatch: pytest.MonkeyPatch) -> None:
    threads: list[threading.Thread] = []
    real = synthesizer

    def spy(voice: str):  # type: ignore[no-untyped-def]
        threads.append(threading.current_thread())
        return real(voice)

    monkeypatch.setattr(responder, "synthesizer", spy)
    async with LocalRealtimeServer(warm=False) as engine, RawClient(engine.url) as c:
        await c.wait_for("session.created")
        await c.send(ga_session(audio={"output": {"voice": "ash"}}))
        await c.wait_for("session.updated")
        await c.send({"type": "conversation.item.create", "item": {"type": "message", "role": "user",
                      "content": [{"type": "input_text", "text": "Hello there"}]}})
        await c.send({"type": "response.create"})
        await c.wait_for("response.done")
    assert threads and threading.main_thread() not in threads
    order = [t for t in c.types() if t.startswith("response.") or t.startswith("conversation.")]
    start = order.index("response.created")
    assert order[start:start + 5] == ["response.created", "response.output_item.added", "conversation.item.added",
                                      "response.content_part.added", "response.output_audio.delta"]
    first = next(e for e in c.events if e["type"] == "response.output_audio_transcript.delta")
    done = next(e for e in c.events if e["type"] == "response.output_audio_transcript.done")
    assert len(first["delta"].split()) <= responder.FIRST_PHRASE_WORDS + 1
    deltas = "".join(e["delta"] for e in c.events if e["type"] == "response.output_audio_transcript.delta")
    assert deltas == done["transcript"]


def _own_nice() -> int:
    return os.getpriority(os.PRIO_PROCESS, threading.get_native_id())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="per-thread nice values are a Linux feature")
async def test_later_phrases_render_on_lower_priority_threads() -> None:
    threads = responder.SpeechThreads(workers=1)
    urgent = await threads.run(responder.FIRST, _own_nice)
    later = await threads.run(responder.LATER, _own_nice)
    assert later == min(19, urgent + responder.LATER_NICE)
    names = await threads.run(responder.LATER, lambda: threading.current_thread().name)
    assert names.startswith("rtagent-tts-later")
