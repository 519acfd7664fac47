"""The small commands: `devices`, `validate`, `schema` and `serve` — each prints and returns an exit code.

The audio and engine modules load only when the command that needs them runs.
"""

from __future__ import annotations

import asyncio
import json
import os
from pathlib import Path

import typer

from ..protocol.errors import UserError


def list_audio_devices() -> int:
    from ..audio.device import AudioError, list_devices

    try:
        found = list_devices()
    except AudioError as exc:
        raise UserError(str(exc)) from None
    if not found:
        typer.echo("No audio devices found. On a machine without a sound card use --text, or see README "
                   "'Audio' for a virtual device.")
        return 0
    for dev in found:
        flags = (("default-in", dev.is_default_input), ("default-out", dev.is_default_output))
        marks = " ".join(m for m, on in flags if on)
        typer.echo(f"{dev.index:3d}  {dev.name:40.40}  in:{dev.max_input_channels} out:{dev.max_output_channels}  "
                   f"{dev.default_samplerate:.0f} Hz  {marks}".rstrip())
    return 0


def validate_files(files: list[Path]) -> int:
    from .agent_config import AgentConfigError, load_agent_config

    bad = 0
    for path in files:
        try:
            loaded = load_agent_config(path)
        except AgentConfigError as exc:
            bad += 1
            typer.echo(str(exc), err=True)
            continue
        names = ", ".join(a.name for a in loaded.agents.values())
        typer.echo(f"{path}: ok — starts with {loaded.starting_agent.name}; agents: {names}")
    return 2 if bad else 0


def print_schema() -> int:
    from .agent_config import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
    return 0


def serve_engine(host: str, port: int, greet_after_ms: int | None, llm: str | None = None,
                 llm_model: str | None = None) -> int:
    from ..local.brain_llm import LLM_MODEL_ENV, LLM_URL_ENV
    from ..local.server import LocalRealtimeServer

    if llm is not None:
        if not llm.startswith(("http://", "https://")):
            raise UserError(f"--llm needs an http(s) URL of a chat-completions server, got {llm!r}.")
        os.environ[LLM_URL_ENV] = llm  # every session of this engine thinks with it
    if llm_model is not None:
        os.environ[LLM_MODEL_ENV] = llm_model

    async def run() -> None:
        server = LocalRealtimeServer(host, port, greet_after_ms=greet_after_ms)
        url = await server.start()
        typer.echo(url, color=False)
        typer.echo("Local realtime engine ready (any API key is accepted on loopback). Ctrl-C stops it.", err=True)
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()

    try:
        asyncio.run(run())
    except OSError as exc:
        raise UserError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Pick another --port.") from None
    return 0
