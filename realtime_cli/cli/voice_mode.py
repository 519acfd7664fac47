"""Voice mode: the full-duplex sound device, push-to-talk (SPACE) or open mic, keys, and the Rich live view.

Agent audio plays through the jitter buffer and is flushed on `audio_interrupted`; a stalled device or a
missing one ends voice mode with a reason, and the caller continues in text mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from typing import Any

import numpy as np

from ..protocol.playback import RealtimePlaybackTracker
from ..session.session import RealtimeSession
from .keys import KeyReader
from .line_view import PlainPrinter
from .pump import SessionPump
from .recorder import Recorder
from .view import LiveView, make_console
from .view_state import ViewState

SEND_QUEUE_FRAMES = 500  # 10 s of 20 ms frames: a stalled connection drops the oldest, never grows


class AudioUnavailable(Exception):
    """Voice mode cannot run here; the message says why (the caller falls back to text)."""


class _MicSender:
    """Mic frames from the audio layer to the session, in order, through a bounded queue."""

    def __init__(self, session: RealtimeSession, recorder: Recorder | None) -> None:
        self.session = session
        self.recorder = recorder
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(SEND_QUEUE_FRAMES)
        self.dropped = 0

    def __call__(self, samples: np.ndarray) -> None:
        data = samples.astype("<i2", copy=False).tobytes()
        if self.queue.full():
            with contextlib.suppress(asyncio.QueueEmpty):
                self.queue.get_nowait()
                self.dropped += 1
        self.queue.put_nowait(data)

    def commit(self) -> None:
        self.queue.put_nowait(None)

    async def run(self) -> None:
        while True:
            data = await self.queue.get()
            if data is None:
                await self.session.send_audio(b"", commit=True)
                continue
            if self.recorder is not None:
                self.recorder.input_audio(data)
            await self.session.send_audio(data)


async def run_voice(session: RealtimeSession, state: ViewState, options: Any, tracker: RealtimePlaybackTracker,
                    recorder: Recorder | None) -> int:
    from ..audio.device import AudioError
    from ..audio.duplex import AudioConfig, DuplexAudio
    from ..audio.input import OpenMic, PushToTalk

    if not sys.stdin.isatty():
        raise AudioUnavailable("Voice mode needs a terminal for its keys (stdin is not a TTY).")
    loop = asyncio.get_running_loop()
    background: set[asyncio.Task[Any]] = set()

    def spawn(coro: Any) -> None:
        task = loop.create_task(coro)
        background.add(task)
        task.add_done_callback(background.discard)
    sender = _MicSender(session, recorder)
    duplex = DuplexAudio(AudioConfig(input_device=options.input_device, output_device=options.output_device),
                         tracker=tracker)
    open_mic = options.mode == "open mic"

    def barge_in() -> None:
        spawn(session.interrupt())

    def turn_end() -> None:
        state.mark_turn_end()
        sender.commit()

    if open_mic:
        mic: Any = OpenMic(sender, playback_rms=lambda: duplex.playback_rms, agent_speaking=lambda: duplex.is_playing,
                           on_barge_in=barge_in)
    else:
        mic = PushToTalk(sender, on_turn_end=turn_end, on_barge_in=barge_in, agent_speaking=lambda: duplex.is_playing)
    duplex.mic_sink = mic.on_frame
    try:
        duplex.start(loop)
    except AudioError as exc:
        raise AudioUnavailable(str(exc)) from None

    responses: dict[str, str] = {}

    def on_event(event: Any) -> None:
        kind = event.type
        if kind == "audio":
            responses[event.item_id] = event.audio.response_id
            duplex.play(event.audio.data, item_id=event.item_id, content_index=event.content_index,
                        response_id=event.audio.response_id)
        elif kind == "audio_end":
            duplex.end_response(responses.get(event.item_id))
        elif kind == "audio_interrupted":
            duplex.interrupt()

    pump = SessionPump(session, state, recorder, on_event)
    quit_event = asyncio.Event()
    stalled: list[str] = []

    def on_key(key: str) -> None:
        if key in ("q", "Q", "\x04"):
            quit_event.set()
        elif key == " " and not open_mic:
            mic.toggle()
            state.set_ptt("talking" if mic.talking else "idle")
        elif key == "\x1b":
            spawn(session.interrupt())
        elif key in ("y", "n"):
            pending = state.snapshot().pending_approval
            if pending is not None:
                pump.approval_answered(pending.call_id)
                state.resolve_approval(pending.call_id, key == "y")
                call = session.approve_tool_call if key == "y" else session.reject_tool_call
                spawn(call(pending.call_id))

    async def tick(view: Any) -> None:
        while not quit_event.is_set():
            level = duplex.mic_level
            state.set_mic_level(level.rms, level.peak)
            if not open_mic:
                mic.poll()
                state.set_ptt("talking" if mic.talking else "idle")
            report = duplex.watchdog.check()
            if report is not None:
                stalled.append(report.message())
                quit_event.set()
            view.update(state.snapshot())
            await asyncio.sleep(0.08)

    state.set_mode("open mic" if open_mic else "push-to-talk")
    tasks: list[asyncio.Task[Any]] = []
    console = make_console()
    view: Any = LiveView(console, screen=True) if console.is_terminal else PlainPrinter(console)
    with view, KeyReader(loop, on_key):
        tasks = [asyncio.create_task(pump.run()), asyncio.create_task(sender.run()),
                 asyncio.create_task(tick(view))]
        finished = asyncio.create_task(pump.finished.wait())
        await asyncio.wait([asyncio.create_task(quit_event.wait()), finished], return_when=asyncio.FIRST_COMPLETED)
        view.update(state.snapshot())
    duplex.close()
    if console.is_terminal:  # leave the conversation in the scrollback once the full-screen view closes
        PlainPrinter(console).finish(state)
    for task in tasks[1:]:
        task.cancel()
    if stalled:
        tasks[0].cancel()
        raise AudioUnavailable(f"{stalled[0]}")
    await session.close()
    with contextlib.suppress(Exception):
        await asyncio.wait_for(tasks[0], 5)
    return 1 if pump.connection_lost else 0
