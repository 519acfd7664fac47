"""Scripted runs (`rtagent talk --script FILE`): type, speak (local TTS through the audio input path), play a
WAV, wait for events, interrupt, approve, and check expectations — exit 1 with a clear diff when one fails.
"""

from __future__ import annotations

import asyncio
import json
import sys
import time
import wave
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import yaml

from ..protocol.codecs import PCM16_RATE
from ..protocol.errors import UserError
from ..session import events as ev
from ..session.session import RealtimeSession
from .input_files import InputFileError, read_text_file
from .line_view import PlainPrinter
from .pump import SessionPump
from .recorder import Recorder
from .view_state import ViewState

STEP_KINDS = ("say", "speak", "play", "wait", "interrupt_after_ms", "approve", "expect", "pause_ms")
EXPECT_KINDS = ("tool", "arguments", "handoff", "guardrail", "transcript_contains", "user_transcript_contains",
                "no_tool")
FRAME = PCM16_RATE // 50  # 20 ms
MAX_STEP_MS = 3_600_000  # pause_ms / interrupt_after_ms / timeouts: an hour at most
_BOOL_OPTIONS = ("wait", "realtime")


@dataclass
class Step:
    kind: str
    value: Any
    line: int
    options: dict[str, Any] = field(default_factory=dict)


class ScriptFailed(Exception):
    """An expectation did not hold; the message is the diff to show."""


def load_script(path: Path) -> list[Step]:
    """Parse a script file; problems are UserErrors naming file:line."""
    try:
        text = read_text_file(path)
    except InputFileError as exc:
        where = f"{path}:{exc.line}:{exc.column}" if exc.line is not None else str(path)
        raise UserError(f"{where}: {exc.message} (the --script file).") from None
    try:
        node = yaml.compose(text)
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}:{mark.line + 1}:{mark.column + 1}" if mark else str(path)
        raise UserError(f"{where}: not valid YAML ({getattr(exc, 'problem', exc)}).") from None
    except RecursionError:
        raise UserError(f"{path}: the script nests too deeply to read; flatten it.") from None
    steps_node = None
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            if key.value == "steps":
                steps_node = value
    if not isinstance(data, dict) or not isinstance(data.get("steps"), list) or steps_node is None:
        raise UserError(f"{path}: a script is a mapping with a `steps:` list (e.g. `steps: [{{say: hello}}]`).")
    steps = []
    for raw, item in zip(data["steps"], steps_node.value, strict=False):
        line = item.start_mark.line + 1
        if not isinstance(raw, dict) or len(raw) != 1:
            raise UserError(f"{path}:{line}: each step is one `kind: value` pair; kinds: {', '.join(STEP_KINDS)}.")
        kind, value = next(iter(raw.items()))
        if kind not in STEP_KINDS:
            raise UserError(f"{path}:{line}: unknown step {kind!r}; use one of: {', '.join(STEP_KINDS)}.")
        options: dict[str, Any] = {}
        if kind in ("say", "speak", "play") and isinstance(value, dict):
            options = {k: v for k, v in value.items() if k != "text" and k != "file"}
            value = value.get("text", value.get("file"))
        if kind == "expect" and (not isinstance(value, dict) or not set(value) <= set(EXPECT_KINDS)):
            raise UserError(f"{path}:{line}: expect takes a mapping of {', '.join(EXPECT_KINDS)}.")
        if kind in ("interrupt_after_ms", "pause_ms") and (isinstance(value, bool) or not isinstance(value, int)
                                                           or not 0 <= value <= MAX_STEP_MS):
            raise UserError(f"{path}:{line}: {kind} takes a whole number of milliseconds from 0 to {MAX_STEP_MS}.")
        _check_options(path, line, kind, value if kind == "wait" and isinstance(value, dict) else options)
        if kind == "play":
            value = str((path.parent / str(value)).resolve()) if not Path(str(value)).is_absolute() else str(value)
        steps.append(Step(kind, value, line, options))
    return steps


def _check_options(path: Path, line: int, kind: str, options: dict[str, Any]) -> None:
    """`timeout` is a number of seconds in range; `wait`/`realtime` are booleans; `voice` is text."""
    where = f"{path}:{line}: {kind}"
    if "timeout" in options:
        timeout = options["timeout"]
        if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) \
                or not 0 < timeout <= MAX_STEP_MS / 1000:
            raise UserError(f"{where}: timeout takes a number of seconds from 0 to {MAX_STEP_MS // 1000} "
                            f"(got {str(timeout)[:40]!r}).")
    for key in _BOOL_OPTIONS:
        if key in options and not isinstance(options[key], bool):
            raise UserError(f"{where}: {key} takes true or false (got {str(options[key])[:40]!r}).")
    if "voice" in options and not isinstance(options["voice"], str):
        raise UserError(f"{where}: voice takes a voice name such as alloy.")


def read_wav(path: str) -> np.ndarray:
    """A WAV file as 24 kHz mono int16 (resampled and downmixed as needed)."""
    try:
        with wave.open(path, "rb") as wav:
            rate, channels, width = wav.getframerate(), wav.getnchannels(), wav.getsampwidth()
            frames = wav.readframes(wav.getnframes())
    except (OSError, wave.Error, EOFError) as exc:
        raise UserError(f"Cannot play {path}: {exc}. Use a 16-bit PCM WAV file.") from None
    if width != 2:
        raise UserError(f"Cannot play {path}: {8 * width}-bit samples; use a 16-bit PCM WAV file.")
    samples = np.frombuffer(frames, dtype="<i2").reshape(-1, channels).mean(axis=1).astype(np.int16)
    if rate != PCM16_RATE:
        import soxr

        samples = np.asarray(soxr.resample(samples, rate, PCM16_RATE), dtype=np.int16)
    return np.asarray(samples, dtype=np.int16)


class ScriptRunner:
    def __init__(self, session: RealtimeSession, pump: SessionPump, recorder: Recorder | None,
                 after_step: Callable[[], None] | None = None, *, vad: bool = False) -> None:
        """`after_step` runs once each step is done (the output's chance to show the turn it ended); `vad`: the
        session detects turns itself (else each spoken step ends with a commit, as push-to-talk does)."""
        self.session = session
        self.vad = vad
        self.after_step = after_step
        self.pump = pump
        self.recorder = recorder
        self.turn_start = 0  # index into pump.events where the current turn began
        self.since = 0

    def _turn_events(self) -> list[Any]:
        return self.pump.events[self.turn_start:]

    async def run(self, steps: list[Step]) -> None:
        for step in steps:
            await getattr(self, f"_{step.kind}")(step)
            if self.after_step is not None:
                self.after_step()

    def _begin_turn(self) -> None:
        self.turn_start = len(self.pump.events)
        self.since = self.pump.responses_ended

    async def _settle(self, step: Step, wait: bool) -> None:
        if not wait:
            return
        deadline = time.monotonic() + float(step.options.get("timeout", 60))
        while time.monotonic() < deadline:
            if self.pump.pending_approvals:
                return  # the next step answers it
            if await self.pump.settled(self.since, timeout=0.5):
                return
            if self.pump.finished.is_set():
                raise ScriptFailed(f"line {step.line}: the session ended while waiting for the agent")
        raise ScriptFailed(f"line {step.line}: timed out waiting for the agent to answer")

    async def _say(self, step: Step) -> None:
        self._begin_turn()
        self.pump.state.add_user_message(str(step.value))
        await self.session.send_message(str(step.value))
        await self._settle(step, step.options.get("wait", True))

    async def _speak(self, step: Step) -> None:
        from ..local.tts import Synthesizer

        voice = str(step.options.get("voice", "alloy"))
        samples = await asyncio.to_thread(Synthesizer(voice).synthesize, str(step.value), PCM16_RATE)
        await self._send_audio(step, samples)

    async def _play(self, step: Step) -> None:
        await self._send_audio(step, read_wav(str(step.value)))

    async def _send_audio(self, step: Step, speech: np.ndarray) -> None:
        """Through the audio input path: 20 ms frames, then a commit (push-to-talk) or trailing silence (VAD)."""
        self._begin_turn()
        lead = np.zeros(PCM16_RATE // 5, np.int16)
        vad = self.vad
        tail = np.zeros(PCM16_RATE * (2 if vad else 0) // 1 + PCM16_RATE // 5, np.int16)
        audio = np.concatenate([lead, speech, tail]).astype("<i2")
        realtime = bool(step.options.get("realtime", vad))
        tick = time.monotonic()
        for start in range(0, audio.size, FRAME):
            frame = audio[start:start + FRAME].tobytes()
            if self.recorder is not None:
                self.recorder.input_audio(frame)
            await self.session.send_audio(frame)
            if realtime:
                tick += 0.02
                await asyncio.sleep(max(0.0, tick - time.monotonic()))
        self.pump.state.mark_turn_end()
        if not vad:
            await self.session.send_audio(b"", commit=True)
        await self._settle(step, step.options.get("wait", True))

    async def _wait(self, step: Step) -> None:
        spec = step.value if isinstance(step.value, dict) else {"event": step.value}
        kind = str(spec.get("event"))
        deadline = time.monotonic() + float(spec.get("timeout", 30))
        while time.monotonic() < deadline:
            if any(e.type == kind for e in self._turn_events()):
                return
            await asyncio.sleep(0.02)
        raise ScriptFailed(f"line {step.line}: no {kind!r} event within {spec.get('timeout', 30)} s")

    async def _interrupt_after_ms(self, step: Step) -> None:
        deadline = time.monotonic() + 30
        while not any(e.type == ev.AUDIO or e.type == ev.AGENT_START for e in self._turn_events()):
            if time.monotonic() > deadline:
                raise ScriptFailed(f"line {step.line}: the agent never started speaking, nothing to interrupt")
            await asyncio.sleep(0.01)
        await asyncio.sleep(int(step.value) / 1000)
        await self.session.interrupt()
        await self._settle(step, True)

    async def _pause_ms(self, step: Step) -> None:
        await asyncio.sleep(int(step.value) / 1000)

    async def _approve(self, step: Step) -> None:
        deadline = time.monotonic() + 30
        while not self.pump.pending_approvals:
            if time.monotonic() > deadline:
                raise ScriptFailed(f"line {step.line}: no tool call is waiting for approval")
            await asyncio.sleep(0.02)
        call_id = next(iter(self.pump.pending_approvals))
        self.pump.approval_answered(call_id)
        approved = bool(step.value)
        if approved:
            await self.session.approve_tool_call(call_id)
        else:
            await self.session.reject_tool_call(call_id)
        self.pump.state.resolve_approval(call_id, approved)
        await self._settle(step, True)

    async def _expect(self, step: Step) -> None:
        problems = check_expectations(step.value, self._turn_events(), self.session)
        if problems:
            raise ScriptFailed(f"line {step.line}: expectation failed\n" + "\n".join(problems))


def _matches(expected: Any, actual: Any) -> bool:
    if isinstance(expected, dict):
        return isinstance(actual, dict) and all(k in actual and _matches(v, actual[k]) for k, v in expected.items())
    if isinstance(expected, str):
        return str(actual).strip().lower() == expected.strip().lower()
    return bool(expected == actual)


def check_expectations(spec: dict[str, Any], events: list[Any], session: RealtimeSession) -> list[str]:
    """Diff lines (`- expected` / `+ actual`) for each expectation that does not hold."""
    problems: list[str] = []
    calls = [(e.tool.name, e.arguments) for e in events if e.type == ev.TOOL_START]
    if "tool" in spec or "arguments" in spec:
        wanted_name = spec.get("tool")
        wanted_args = spec.get("arguments") or {}
        found = any((wanted_name is None or name == wanted_name) and _matches(wanted_args, _json(args))
                    for name, args in calls)
        if not found:
            problems += [f"- tool call {wanted_name or '*'}({json.dumps(wanted_args)})",
                         f"+ tool calls: {', '.join(f'{n}({a})' for n, a in calls) or 'none'}"]
    if spec.get("no_tool") and calls:
        problems += ["- no tool call", f"+ tool calls: {', '.join(n for n, _ in calls)}"]
    if "handoff" in spec:
        targets = [e.to_agent.name for e in events if e.type == ev.HANDOFF]
        if not any(t.lower() == str(spec["handoff"]).lower() for t in targets):
            problems += [f"- handoff to {spec['handoff']}", f"+ handoffs: {', '.join(targets) or 'none'}"]
    if "guardrail" in spec:
        tripped = [r.guardrail.get_name() for e in events if e.type == ev.GUARDRAIL_TRIPPED
                   for r in e.guardrail_results]
        if spec["guardrail"] not in tripped:
            problems += [f"- guardrail {spec['guardrail']} tripped", f"+ tripped: {', '.join(tripped) or 'none'}"]
    if "transcript_contains" in spec:
        said = " ".join(i.text for i in _turn_items(session, events, "assistant"))
        if str(spec["transcript_contains"]).lower() not in said.lower():
            problems += [f"- agent said something containing {spec['transcript_contains']!r}",
                         f"+ agent said: {said!r}"]
    if "user_transcript_contains" in spec:
        heard = " ".join(i.text for i in _turn_items(session, events, "user"))
        if str(spec["user_transcript_contains"]).lower() not in heard.lower():
            problems += [f"- user transcript containing {spec['user_transcript_contains']!r}", f"+ heard: {heard!r}"]
    return problems


def _turn_items(session: RealtimeSession, events: list[Any], role: str) -> list[Any]:
    ids = {e.item.item_id for e in events if e.type == ev.HISTORY_ADDED}
    return [i for i in session.history if i.item_id in ids and i.type == "message" and i.role == role]


def _json(text: str) -> Any:
    try:
        return json.loads(text or "{}")
    except ValueError:
        return {}


async def run_script(session: RealtimeSession, state: ViewState, steps: list[Step], *,
                     recorder: Recorder | None = None, out: Any = None, vad: bool = False) -> int:
    printer = PlainPrinter(out or sys.stdout)
    pump = SessionPump(session, state, recorder, lambda _e: printer.feed(state))
    reader = asyncio.create_task(pump.run())
    runner = ScriptRunner(session, pump, recorder, after_step=lambda: printer.flush(state), vad=vad)
    code = 0
    try:
        await runner.run(steps)
    except ScriptFailed as exc:
        printer.finish(state)
        print(f"\nFAILED {exc}", file=out or sys.stdout)
        code = 1
    finally:
        await session.close()
        await asyncio.wait_for(reader, 10)
        printer.finish(state)
    if code == 0:
        print(f"\nOK: {len(steps)} steps passed", file=out or sys.stdout)
    return code
