"""`rtagent talk`: load the agent YAML, pick and start the backend, open the session, and hand it to the
voice, text or scripted front end. Falls back to text when no audio device can be used.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..protocol import names
from ..protocol.errors import UserError
from ..protocol.playback import RealtimePlaybackTracker
from ..session.runner import RealtimeRunner
from ..session.session import RealtimeSession
from ..transport.local_backend import start_engine_process, start_local_engine
from .agent_config import LoadedConfig, load_agent_config
from .logging_setup import configure_logging
from .recorder import Recorder
from .view_state import ViewState


@dataclass(frozen=True)
class TalkOptions:
    agent: Path
    text: bool = False
    script: Path | None = None
    backend: str = "auto"
    model: str | None = None
    voice: str | None = None
    vad: bool = False
    input_device: int | str | None = None
    output_device: int | str | None = None
    record: Path | None = None
    debug: bool = False

    @property
    def mode(self) -> str:
        if self.script is not None:
            return "script"
        return "text" if self.text else ("open mic" if self.vad else "push-to-talk")


@dataclass
class Backend:
    kind: str  # "local" | "openai"
    url: str | None
    label: str
    server: Any = None


def choose_backend(requested: str) -> str:
    if requested == "auto":
        return "openai" if os.environ.get("OPENAI_API_KEY") else "local"
    if requested == "openai" and not os.environ.get("OPENAI_API_KEY"):
        raise UserError("--backend openai needs OPENAI_API_KEY; set it, or use --backend local to run offline.")
    return requested


@contextlib.asynccontextmanager
async def open_backend(kind: str, *, own_process: bool = False) -> AsyncIterator[Backend]:
    """The backend for a talk run; the local engine is started on a free loopback port and stopped after.
    `own_process`: run the engine in a child process (voice: its recognizer and voice then never wait for the
    interpreter lock the sound callbacks and the view hold, which cost 30-90 ms a push-to-talk turn)."""
    if kind == "openai":
        yield Backend("openai", None, "openai")
        return
    start = start_engine_process if own_process else start_local_engine
    server = await start(greet=False)  # in the CLI the user speaks first
    url = server.url
    try:
        yield Backend("local", url, f"local engine {url.removeprefix('ws://').removesuffix('/v1/realtime')}", server)
    finally:
        await server.stop()


def session_settings(loaded: LoadedConfig, options: TalkOptions) -> dict[str, Any]:
    """The run config of the YAML with the command line's overrides applied."""
    config = dict(loaded.run_config)
    settings = dict(config.get("model_settings") or {})
    if options.model:
        settings["model_name"] = options.model
    if options.voice:
        settings["voice"] = options.voice
    mode = options.mode
    if mode == "text":
        settings["modalities"] = ["text"]
        settings["turn_detection"] = None
    elif mode == "open mic":
        settings["turn_detection"] = dict(names.SERVER_VAD_DEFAULTS)
    elif mode == "push-to-talk":
        settings["turn_detection"] = None
    elif "turn_detection" not in settings:
        settings["turn_detection"] = None  # scripts speak push-to-talk unless the YAML asks for VAD
    settings.setdefault("input_audio_transcription", {"model": names.DEFAULT_TRANSCRIPTION_MODEL})
    config["model_settings"] = settings
    return config


def run_talk(options: TalkOptions) -> int:
    configure_logging(options.debug, [os.environ.get("OPENAI_API_KEY", "")])  # redacts keys, --debug or not
    loaded = load_agent_config(options.agent)
    kind = choose_backend(options.backend)
    return asyncio.run(_talk(loaded, options, kind))


async def _talk(loaded: LoadedConfig, options: TalkOptions, kind: str) -> int:
    config = session_settings(loaded, options)
    runner = RealtimeRunner(loaded.starting_agent, config=config)
    tracker = RealtimePlaybackTracker()
    async with open_backend(kind, own_process=options.mode in ("push-to-talk", "open mic")) as backend:
        model_config: dict[str, Any] = {"playback_tracker": tracker}
        if backend.url:
            model_config.update(url=backend.url, api_key="local")
        session = await runner.run(model_config=model_config)  # type: ignore[arg-type]
        settings = config["model_settings"]
        state = ViewState(backend=backend.label, model=str(settings.get("model_name") or names.DEFAULT_MODEL),
                          agent=loaded.starting_agent.name, mode=_view_mode(options))
        recorder = Recorder(options.record) if options.record else None
        try:
            state.set_connection("connecting")
            async with session:
                state.set_connection("connected")
                vad = settings.get("turn_detection", {}) is not None  # scripts speak push-to-talk without VAD
                code = await _front_end(session, state, options, tracker, recorder, vad)
        finally:
            if recorder is not None:
                recorder.close()
        return 1 if recorder is not None and recorder.failure else code  # a recording asked for and lost


def _view_mode(options: TalkOptions) -> Any:
    return "text" if options.mode in ("text", "script") else options.mode


async def _front_end(session: RealtimeSession, state: ViewState, options: TalkOptions,
                     tracker: RealtimePlaybackTracker, recorder: Recorder | None, vad: bool) -> int:
    if options.script is not None:
        from .script import load_script, run_script

        steps = load_script(options.script)
        return await run_script(session, state, steps, recorder=recorder, vad=vad)
    if not options.text:
        from .voice_mode import AudioUnavailable, run_voice

        try:
            return await run_voice(session, state, options, tracker, recorder)
        except AudioUnavailable as exc:
            print(f"rtagent: {exc} Continuing in text mode.")
            state.set_mode("text")
    from .text_mode import run_text

    return await run_text(session, state, recorder=recorder)
