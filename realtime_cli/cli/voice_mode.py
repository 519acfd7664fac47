"""Voice mode: the full-duplex sound device, hold-to-talk / toggle push-to-talk (SPACE) or open mic, and the view.

Agent audio plays through the jitter buffer; mic audio is stamped at capture and coalesced on its way to the socket;
a dead device (not a busy loop) ends voice mode with a reason, and the caller continues in text mode.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import signal
import sys
import time
from typing import Any

from ..audio.latency import TurnLatency, TurnTimeline
from ..audio.stderr_capture import StderrCapture
from ..protocol import names
from ..protocol.playback import RealtimePlaybackTracker
from ..session import events as ev
from ..session.session import RealtimeSession
from .keys import KeyReader
from .line_view import PlainPrinter
from .mic_sender import MicSender
from .pump import SessionPump
from .recorder import Recorder
from .view import LiveView, make_console
from .view_state import ViewState

TICK_S = 0.1  # status bar, meter and watchdog cadence
IDLE_TICK_S = 0.25  # push-to-talk with nothing going on (a key or an event wakes the tick at once)
DELIVER_MS = 40.0  # mic audio is handed to the loop in batches of at least this much
IDLE_DELIVER_MS = 250.0  # push-to-talk between turns: only the preroll and the meter want the mic
BLOCK_MS = 10.0  # output block: PortAudio over PulseAudio plays ~2.5 blocks late (30 ms here, 50 ms at 20 ms)
INPUT_BLOCK_MS = 20.0  # input block: half the callbacks; capture stamps, not block edges, end a turn
HOLD_HINT = "hold SPACE to talk, release to send · ESC interrupt · q quit"
TOGGLE_HINT = "SPACE talk/stop (toggle: no key releases here) · ESC interrupt · q quit"
QUIT_KEYS = ("q", "Q", "\x04", "\x03")
# PAIR_NOT_DUPLEX: PortAudio's full-duplex stream over ALSA's PulseAudio plugin was seen spinning a core in its
# own thread (polling snd_pcm_delay) after a few agent replies, starving everything; separate input and output
# streams stay at a few percent.


def _meter_step(rms: float) -> float:
    """RMS snapped to the meter's bars (7.5 dB each), so noise that moves no bar does not redraw the view."""
    if rms <= 1e-3:
        return 0.0
    return float(10 ** (math.floor(20 * math.log10(rms) / 7.5) * 7.5 / 20) * 1.001)


class AudioUnavailable(Exception):
    """Voice mode cannot run here; the message says why (the caller falls back to text)."""


class _Voice:
    """One voice-mode run, in named steps: open the device, wire the mic, handle keys and events, tick, close."""

    def __init__(self, session: RealtimeSession, state: ViewState, options: Any,
                 tracker: RealtimePlaybackTracker, recorder: Recorder | None) -> None:
        self.session, self.state, self.options, self.tracker = session, state, options, tracker
        self.open_mic = options.mode == "open mic"
        self.loop = asyncio.get_running_loop()
        self.background: set[asyncio.Task[Any]] = set()
        self.latency = TurnLatency()
        self.timeline = TurnTimeline()  # push-to-talk: where each turn's latency went
        self.recorder = recorder
        self.quit_event = asyncio.Event()
        self.stalled: list[str] = []
        self.responses: dict[str, str] = {}
        self.hold = False
        self.duplex: Any = None
        self.mic: Any = None
        self.sender = MicSender(session, recorder, time_of=lambda: self.mic.sink_time, open_mic=self.open_mic)
        self.sender.on_committed = lambda t: self.timeline.mark("committed", t)
        self.pump = SessionPump(session, state, recorder, self.on_event)
        self._heard: str | None = None
        self.silence_ms = 0.0  # the server VAD's silence wait (from session.updated)
        self.turn_lags: list[float] = []  # median capture-to-socket lag of each user turn
        self._wake: asyncio.Future[None] | None = None  # the tick's sleep
        state.use_external_latency()

    def spawn(self, coro: Any) -> None:
        task = self.loop.create_task(coro)
        self.background.add(task)
        task.add_done_callback(self.background.discard)

    # --- steps -----------------------------------------------------------------------------------------------

    def open_audio(self) -> None:
        from ..audio.device import AudioError
        from ..audio.duplex import AudioConfig, DuplexAudio

        config = AudioConfig(input_device=self.options.input_device, output_device=self.options.output_device,
                             block_ms=BLOCK_MS, input_block_ms=INPUT_BLOCK_MS, deliver_ms=DELIVER_MS,
                             prefer_duplex=False)  # PAIR_NOT_DUPLEX
        self.duplex = DuplexAudio(config, tracker=self.tracker)
        self.make_mic()
        self.duplex.mic_sink_timed = self.mic.on_frame
        try:
            self.duplex.start(self.loop)
        except AudioError as exc:
            raise AudioUnavailable(str(exc)) from None
        if not self.open_mic:
            self.duplex.set_deliver_ms(IDLE_DELIVER_MS)

    def make_mic(self) -> None:
        from ..audio.input import OpenMic, PushToTalk

        duplex = self.duplex
        if self.open_mic:
            self.mic = OpenMic(self.sender, playback_rms=lambda: duplex.playback_rms,
                               agent_speaking=lambda: duplex.is_playing, on_barge_in=self.barge_in)
        else:
            self.mic = PushToTalk(self.sender, on_turn_end=self.turn_ended, on_barge_in=self.barge_in,
                                  agent_speaking=lambda: duplex.is_playing)

    def turn_ended(self) -> None:
        self.timeline.mark("turn_end", time.monotonic())
        self.duplex.set_deliver_ms(IDLE_DELIVER_MS)
        self.sender.commit()
        self._note_turn_lag()

    def _note_turn_lag(self) -> None:
        lag = self.sender.lag.end_turn()
        if lag is not None:
            self.turn_lags.append(lag)

    def barge_in(self) -> None:
        self.spawn(self.session.interrupt())

    # --- session events --------------------------------------------------------------------------------------

    def on_event(self, event: Any) -> None:
        self.kick()
        kind = getattr(event, "kind", None) or event.type
        if kind == ev.AUDIO:
            self.timeline.mark("first_delta", time.monotonic())
            self.responses[event.item_id] = event.audio.response_id
            self.duplex.play(event.audio.data, item_id=event.item_id, content_index=event.content_index,
                             response_id=event.audio.response_id)
        elif kind == ev.AUDIO_END:
            self.duplex.end_response(self.responses.get(event.item_id))
        elif kind == ev.AUDIO_INTERRUPTED:
            self.duplex.interrupt()
        elif kind == ev.TOOL_APPROVAL_REQUIRED:
            self.latency.approval(True, time.monotonic())
        elif kind == names.SPEECH_STARTED and self.open_mic:
            self.latency.speech_started()
        elif kind in (names.SESSION_CREATED, names.SESSION_UPDATED):
            self.silence_ms = _silence_ms(event.data.get("session"), self.silence_ms)
        elif kind == names.SPEECH_STOPPED and self.open_mic:
            # the server's audio_end_ms includes the silence it waited for before deciding the turn was over
            end_ms = float(event.data.get("audio_end_ms", 0)) - self.silence_ms
            ended = self.sender.clock.time_at(max(0.0, end_ms))
            self.latency.speech_ended(ended if ended is not None else time.monotonic())
            self._note_turn_lag()
        elif kind == ev.CONNECTION and event.status == "reconnected":
            self.sender.clock.reset()  # a new server session counts its audio from 0 again

    # --- keys ------------------------------------------------------------------------------------------------

    def on_key(self, key: str) -> None:
        now = time.monotonic()
        self.kick()
        if key in QUIT_KEYS:
            self.quit_event.set()
        elif key == " " and not self.open_mic:
            if self.hold:
                self.mic.press(now)
            else:
                self.mic.toggle(now)
            self._after_talk_key(now)
        elif key == "\x1b":
            self.spawn(self.session.interrupt())
        elif key in ("y", "n"):
            self.answer_approval(key == "y")

    def on_release(self, key: str) -> None:
        self.kick()
        if key == " " and not self.open_mic and self.hold:
            now = time.monotonic()
            self.mic.release(now)
            self._after_talk_key(now)

    def _after_talk_key(self, now: float) -> None:
        if self.mic.held:
            self.latency.speech_started()
            self.timeline.cancel()
            self.duplex.set_deliver_ms(None)
        elif self.mic.released_at is not None:
            self.latency.speech_ended(self.mic.released_at)
            self.timeline.begin(self.mic.released_at)
            if self.mic.talking:  # the tail: every block as it comes, starting with what is already captured
                self.duplex.set_deliver_ms(0)
                self.duplex.deliver_mic()
        self.state.set_ptt("talking" if self.mic.talking else "idle")

    def answer_approval(self, approved: bool) -> None:
        pending = self.state.snapshot().pending_approval
        if pending is None:
            return
        self.latency.approval(False, time.monotonic())
        self.pump.approval_answered(pending.call_id)
        self.state.resolve_approval(pending.call_id, approved)
        call = self.session.approve_tool_call if approved else self.session.reject_tool_call
        self.spawn(call(pending.call_id))

    # --- the periodic step -----------------------------------------------------------------------------------

    def step(self) -> None:
        """Meter, push-to-talk deadline, heard-audio latency, capture lag and the watchdog, once per tick."""
        duplex, state = self.duplex, self.state
        level = duplex.mic_level
        state.set_mic_level(_meter_step(level.rms), 1.0 if level.peak >= 0.99 else 0.0)
        if not self.open_mic:
            self.mic.poll()
            state.set_ptt("talking" if self.mic.talking else "idle")
        state.set_agent_speaking(duplex.is_playing)
        started = duplex.play_started
        if started is not None and started[0] != self._heard:
            self._heard = started[0]
            self.timeline.mark("played", duplex.play_callback_at)
            self.timeline.mark("heard", started[1])
            ms = self.latency.agent_audio(started[1])
            if ms is not None:
                state.add_latency(ms)
        lag = self.sender.lag
        state.set_capture_lag(lag.last_ms, lag.warning)
        report = duplex.watchdog.check()
        if report is not None and not report.recovered:
            self.stalled.append(report.message())
            self.quit_event.set()

    async def tick(self, view: Any) -> None:
        """Draw only what changed (or a resized terminal): a quiet idle session costs almost nothing. Push-to-talk
        with nothing going on ticks slower; a key or an agent event wakes it at once (`kick`)."""
        shown = -1
        live = isinstance(view, LiveView)
        while not self.quit_event.is_set():
            self.step()
            snapshot = self.state.snapshot()
            changed = snapshot.version != shown
            if changed:
                shown = snapshot.version
                if live:
                    view.update(snapshot, refresh=True)
                else:
                    view.update(snapshot)
            elif live:
                view.redraw_if_resized()
            quiet = not changed and not self.open_mic and not self.mic.talking and not self.duplex.is_playing
            if quiet:
                await self._idle_sleep()
            else:
                await asyncio.sleep(TICK_S)

    async def _idle_sleep(self) -> None:
        self._wake = wake = self.loop.create_future()
        handle = self.loop.call_later(IDLE_TICK_S, self.kick)
        try:
            await wake
        finally:
            handle.cancel()
            self._wake = None

    def kick(self) -> None:
        """End an idle tick's wait now (a key was pressed, an event arrived); a busy tick keeps its pace."""
        if self._wake is not None and not self._wake.done():
            self._wake.set_result(None)

    # --- the whole run ---------------------------------------------------------------------------------------

    async def run(self) -> int:
        debug = bool(getattr(self.options, "debug", False))
        captured = StderrCapture(keep=5000 if debug else 20)
        try:
            with captured:  # native sound-library chatter on fd 2 never reaches the live view
                return await self._run()
        finally:
            if debug and captured.lines:
                print(f"rtagent: {captured.lines} lines on stderr during voice mode (sound library and log "
                      "messages), replayed here:", file=sys.stderr)
                for line in captured.recent:
                    print(f"  {line}", file=sys.stderr)

    async def _run(self) -> int:
        self.open_audio()
        self.state.set_mode("open mic" if self.open_mic else "push-to-talk")
        console = make_console()
        view: Any = (LiveView(console, screen=True, refresh_per_second=None) if console.is_terminal
                     else PlainPrinter(console))
        tasks: list[asyncio.Task[Any]] = []
        with contextlib.suppress(NotImplementedError, RuntimeError):
            self.loop.add_signal_handler(signal.SIGTERM, self.quit_event.set)
        try:
            reader = KeyReader(self.loop, self.on_key, None if self.open_mic else self.on_release)
            with view, reader:
                self.hold = reader.hold_to_talk
                if not self.open_mic:
                    self.state.set_key_hints(HOLD_HINT if self.hold else TOGGLE_HINT)
                tasks = [asyncio.create_task(self.pump.run()), asyncio.create_task(self.sender.run()),
                         asyncio.create_task(self.tick(view))]
                finished = asyncio.create_task(self.pump.finished.wait())
                await asyncio.wait([asyncio.create_task(self.quit_event.wait()), finished],
                                   return_when=asyncio.FIRST_COMPLETED)
                view.update(self.state.snapshot())
        finally:
            with contextlib.suppress(NotImplementedError, RuntimeError):
                self.loop.remove_signal_handler(signal.SIGTERM)
            self.duplex.close()
        return await self.close(console, tasks)

    async def close(self, console: Any, tasks: list[asyncio.Task[Any]]) -> int:
        if console.is_terminal:  # leave the conversation in the scrollback once the full-screen view closes
            PlainPrinter(console).finish(self.state)
        for line in self.summary():
            print(line)
        self.save_timeline()
        for task in tasks[1:]:
            task.cancel()
        if self.stalled:
            tasks[0].cancel()
            raise AudioUnavailable(self.stalled[0])
        await self.session.close()
        with contextlib.suppress(Exception):
            await asyncio.wait_for(tasks[0], 5)
        return 1 if self.pump.connection_lost else 0

    def summary(self) -> list[str]:
        lines = []
        latency = self.latency.summary()
        if latency is not None:
            lines.append(latency)
        lag = self.sender.lag
        if lag.first_ms is not None and lag.last_ms is not None:
            lines.append(f"mic capture → socket lag: first {lag.first_ms:.0f} ms, last {lag.last_ms:.0f} ms, "
                         f"max {lag.max_ms:.0f} ms over {lag.appends} appends"
                         + (f"; {self.sender.dropped_s:.1f} s of open-mic audio dropped" if self.sender.dropped_s
                            else ""))
        if 0 < len(self.turn_lags) <= 50:
            lines.append("mic lag, median of each turn (ms): " + " ".join(f"{ms:.0f}" for ms in self.turn_lags))
        if 0 < len(self.latency.values_ms) <= 50:
            lines.append("latency of each turn (ms): " + " ".join(f"{ms:.0f}" for ms in self.latency.values_ms))
        breakdown = self.timeline.summary()
        if breakdown is not None:
            lines.append(breakdown)
        jitter = self.duplex.jitter if self.duplex is not None else None
        if jitter is not None:
            lines.append(f"playback: {jitter.underruns} underruns, {jitter.overflows} overflows")
        return lines

    def save_timeline(self) -> None:
        """With --record: each push-to-talk turn's moments (monotonic seconds) as turns.jsonl, for the bench."""
        folder = getattr(self.recorder, "folder", None)
        if folder is None or not self.timeline.turns:
            return
        lines = "".join(json.dumps(turn) + "\n" for turn in self.timeline.turns)
        with contextlib.suppress(OSError):
            (folder / "turns.jsonl").write_text(lines, encoding="utf-8")


def _silence_ms(session: Any, default: float) -> float:
    """`silence_duration_ms` of a server_vad turn detector in a session object (either dialect)."""
    if not isinstance(session, dict):
        return default
    holder = session
    audio = session.get("audio")
    if "turn_detection" not in session and isinstance(audio, dict) and isinstance(audio.get("input"), dict):
        holder = audio["input"]  # the GA shape
    if "turn_detection" not in holder:
        return default
    detection = holder["turn_detection"]
    if not isinstance(detection, dict):
        return 0.0
    value = detection.get("silence_duration_ms")
    return float(value) if isinstance(value, (int, float)) and detection.get("type") == "server_vad" else 0.0


async def run_voice(session: RealtimeSession, state: ViewState, options: Any, tracker: RealtimePlaybackTracker,
                    recorder: Recorder | None) -> int:
    if not sys.stdin.isatty():
        raise AudioUnavailable("Voice mode needs a terminal for its keys (stdin is not a TTY).")
    return await _Voice(session, state, options, tracker, recorder).run()
