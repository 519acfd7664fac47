"""End to end through the virtual sound card: synthesized speech played into `vmic` reaches the local engine in
push-to-talk mode and is transcribed, and the engine's spoken reply played by DuplexAudio comes out of `vspeaker`.

Needs the PulseAudio device from .ci/audio-setup.sh (skips with the reason otherwise).
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import wave
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from realtime_cli import RealtimeAgent, RealtimeRunner, function_tool
from realtime_cli.audio import AudioConfig, DuplexAudio, PushToTalk
from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.tts import Synthesizer

RATE = 24_000
TRANSCRIBED = "conversation.item.input_audio_transcription.completed"


@function_tool
def get_weather(city: str) -> str:
    """Get current weather for a city."""
    return f"The weather in {city} is sunny and 22 degrees."


def _write_wav(path: Path, samples: np.ndarray) -> None:
    with wave.open(str(path), "wb") as wav:
        wav.setnchannels(1)
        wav.setsampwidth(2)
        wav.setframerate(RATE)
        wav.writeframes(samples.astype("<i2").tobytes())


def _voiced_ms(samples: np.ndarray, threshold: float = 200.0) -> int:
    """Milliseconds of 20 ms frames whose RMS is above `threshold` (int16 units)."""
    frames = samples[: len(samples) // 480 * 480].astype(np.float64).reshape(-1, 480)
    return int(np.count_nonzero(np.sqrt(np.mean(frames**2, axis=1)) > threshold)) * 20


def _speech_span(samples: np.ndarray, threshold: int = 200) -> tuple[int, int]:
    idx = np.flatnonzero(np.abs(samples.astype(int)) > threshold)
    assert len(idx), "nothing audible was captured from vspeaker.monitor"
    return int(idx[0]), int(idx[-1]) + 1


@pytest.mark.audio_device
async def test_spoken_question_through_the_virtual_mic_is_transcribed_and_answered_aloud(
    audio_env: None, tmp_path: Path
) -> None:
    wav_path = tmp_path / "question.wav"
    _write_wav(wav_path, Synthesizer("alloy").synthesize("What is the weather in Paris?", RATE))
    speaker_raw = tmp_path / "speaker.raw"

    agent = RealtimeAgent(name="Weather", instructions="You answer weather questions for cities such as Paris, Rome and Oslo.",
                          tools=[get_weather])
    runner = RealtimeRunner(agent, config={"model_settings": {
        "turn_detection": None, "input_audio_transcription": {"model": "whisper-1"}}})
    events: list[Any] = []
    received = bytearray()
    pending: set[asyncio.Task[None]] = set()

    async with LocalRealtimeServer() as server:
        session = await runner.run(model_config={"url": server.url, "api_key": "x"})
        async with session:
            loop = asyncio.get_running_loop()

            def schedule(coro: Any) -> None:  # the sink and on_turn_end run on the loop, outside any coroutine
                task = loop.create_task(coro)
                pending.add(task)
                task.add_done_callback(pending.discard)

            ptt = PushToTalk(
                lambda frame: schedule(session.send_audio(frame.tobytes())),
                on_turn_end=lambda: schedule(session.send_audio(b"", commit=True)),
            )
            with open(speaker_raw, "wb") as out:
                parec = subprocess.Popen(
                    ["parec", "-d", "vspeaker.monitor", "--rate=24000", "--channels=1", "--format=s16le",
                     "--latency-msec=10"], stdout=out)
                try:
                    async with DuplexAudio(AudioConfig(), mic_sink=ptt.on_frame) as audio:
                        await asyncio.sleep(0.3)  # let PulseAudio prime the new streams
                        ptt.press()
                        paplay = await asyncio.create_subprocess_exec("paplay", "-d", "vmic", str(wav_path))
                        await asyncio.wait_for(paplay.wait(), timeout=5)
                        await asyncio.sleep(0.3)
                        ptt.release()

                        async def consume() -> None:
                            async for event in session:
                                events.append(event)
                                if event.type == "audio":
                                    received.extend(event.audio.data)
                                    audio.play(event.audio.data, item_id=event.item_id,
                                               content_index=event.content_index,
                                               response_id=event.audio.response_id)
                                elif event.type == "agent_end" and received and any(
                                    e.type == "tool_end" for e in events
                                ):
                                    return  # the spoken answer after the tool call is complete

                        await asyncio.wait_for(consume(), 10)
                        for rid in {e.audio.response_id for e in events if e.type == "audio"}:
                            audio.end_response(rid)
                        for _ in range(400):
                            if not audio.is_playing:
                                break
                            await asyncio.sleep(0.02)
                        await asyncio.sleep(0.2)
                        stats = audio.stats()
                finally:
                    os.kill(parec.pid, signal.SIGTERM)
                    parec.wait(timeout=5)

    errors = [e for e in events if e.type == "error"]
    assert not errors, errors
    heard = [e.transcript for e in events if getattr(e, "kind", "") == TRANSCRIBED]
    assert heard, "no input transcription: the mic audio did not reach the engine"
    assert "weather" in heard[0].lower() and "paris" in heard[0].lower(), heard[0]
    tool_end = next(e for e in events if e.type == "tool_end")
    assert "paris" in tool_end.output.lower()
    assert ptt.turns == 1 and ptt.forwarded_samples > RATE  # over a second of speech went out

    # (2') The reply as heard on the speaker: speech-like (not silence, not a tone), about as long as received.
    captured = np.fromfile(speaker_raw, dtype=np.int16)
    start, end = _speech_span(captured)
    reply = np.frombuffer(bytes(received), dtype="<i2")
    # voiced time, not the span: the answer after the tool call arrives later than the words before it, so the
    # speaker has a pause there that the concatenated deltas do not
    heard_ms, sent_ms = _voiced_ms(captured), _voiced_ms(reply)
    assert abs(heard_ms - sent_ms) <= 0.1 * sent_ms + 100, (heard_ms, sent_ms)
    body = captured[start:end].astype(np.float64) / 32768
    assert np.sqrt(np.mean(body**2)) > 0.01
    frames = body[: len(body) // 480 * 480].reshape(-1, 480)
    frame_rms = np.sqrt(np.mean(frames**2, axis=1))
    assert frame_rms.std() > 0.2 * frame_rms.mean()  # speech rises and falls; a steady tone would not
    assert stats.jitter is not None and stats.jitter.underruns == 0
