"""The reference's terminal demo (examples/realtime/cli/demo.py), import lines changed only, on the virtual sound
card against the local engine: the user speaks into the mic while the agent is talking, and the interrupted reply
is truncated at the milliseconds the demo's playback tracker reported as played (not at 0)."""

from __future__ import annotations

import asyncio
import subprocess
import wave
from pathlib import Path
from typing import Any

import pytest

from realtime_cli import RealtimePlaybackTracker
from realtime_cli.local.server import LocalRealtimeServer
from realtime_cli.local.tts import Synthesizer

pytestmark = [pytest.mark.audio_device, pytest.mark.slow]


@pytest.fixture(scope="module", autouse=True)
def _audio_env() -> None:
    from audio.conftest import _device_problem

    problem = _device_problem()
    if problem is not None:
        pytest.skip(f"no audio device: {problem}")


class CountingTracker(RealtimePlaybackTracker):
    """The real tracker, also keeping what was played per item in total (reset-proof), for the assertion."""

    def __init__(self) -> None:
        super().__init__()
        self.played_ms: dict[str, float] = {}

    def on_play_ms(self, item_id: str, item_content_index: int, ms: float) -> None:
        super().on_play_ms(item_id, item_content_index, ms)
        self.played_ms[item_id] = self.played_ms.get(item_id, 0.0) + ms


def _wav(path: Path, text: str) -> Path:
    samples = Synthesizer("alloy").synthesize(text, 24000)
    with wave.open(str(path), "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(24000)
        out.writeframes(samples.tobytes())
    return path


async def _until(check: Any, timeout: float) -> Any:
    async def poll() -> Any:
        while not (found := check()):
            await asyncio.sleep(0.02)  # the audio runs on the device's clock: look again each block
        return found

    return await asyncio.wait_for(poll(), timeout)


async def test_demo_truncates_at_the_played_milliseconds(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                                         capsys: pytest.CaptureFixture[str]) -> None:
    question = _wav(tmp_path / "question.wav", "what is the weather in paris")
    barge_in = _wav(tmp_path / "stop.wav", "wait, stop please, I have another question")
    async with LocalRealtimeServer() as server:
        monkeypatch.setenv("OPENAI_API_KEY", "sk-local-test")
        monkeypatch.setenv("RTAGENT_REALTIME_URL", server.url)
        from reference_examples import cli_demo

        demo = cli_demo.NoUIDemo()
        tracker = demo.playback_tracker = CountingTracker()
        task = asyncio.create_task(demo.run())
        try:
            await _until(lambda: demo.audio_capture_task is not None, 20)
            await asyncio.to_thread(subprocess.run, ["paplay", "-d", "vmic", str(question)], check=True)
            await _until(lambda: max(tracker.played_ms.values(), default=0.0) >= 500, 30)
            await asyncio.to_thread(subprocess.run, ["paplay", "-d", "vmic", str(barge_in)], check=True)

            def truncated() -> Any:
                return next((item for s in server.sessions for item in s.conv
                             if item.role == "assistant" and item.status == "incomplete"), None)

            item = await _until(truncated, 30)
        finally:
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
    out = capsys.readouterr().out
    assert "Unknown event type" not in out and "Error processing event" not in out, out[-2000:]
    assert "Audio interrupted" in out and "Raw model event: RealtimeModelRawServerEvent(" in out
    played = tracker.played_ms[item.id]
    assert 400 <= item.audio_ms <= played + 1  # cut where playback was, never at 0 nor past what was played
    assert played - item.audio_ms < 1500  # playback stops soon after the cut (fade-out and flush)
