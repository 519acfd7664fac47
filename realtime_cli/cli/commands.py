"""The small commands: `devices`, `validate`, `schema`, `serve` and `examples` — each prints, returns an exit code.

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


def validate_files(files: list[str]) -> int:
    """Check each agent file (or script: a mapping with `steps:`); bare names are the shipped examples."""
    from .agent_config import AgentConfigError, load_agent_config
    from .examples import looks_like_script, resolve_agent

    bad = 0
    for name in files:
        path = resolve_agent(name)
        shown = name if path == Path(name) else f"{name} ({path})"
        if looks_like_script(path):
            bad += _validate_script(path, shown)
            continue
        try:
            loaded = load_agent_config(path)
        except AgentConfigError as exc:
            bad += 1
            typer.echo(str(exc), err=True)
            continue
        names = ", ".join(a.name for a in loaded.agents.values())
        typer.echo(f"{shown}: ok — starts with {loaded.starting_agent.name}; agents: {names}")
    return 2 if bad else 0


def _validate_script(path: Path, shown: str) -> int:
    from .script import load_script

    try:
        steps = load_script(path)
    except UserError as exc:
        typer.echo(str(exc), err=True)
        return 1
    typer.echo(f"{shown}: ok — a script of {len(steps)} steps (run it: rtagent talk --agent AGENT --script {path})")
    return 0


def print_examples() -> int:
    from .examples import examples_dir, list_examples

    found = list_examples()
    width = max(len(e.name) for e in found)
    typer.echo(f"Example agents (in {examples_dir()}):")
    for example in found:
        demo = "  [demo script]" if example.demo is not None else ""
        typer.echo(f"  {example.name:{width}}  {example.description}{demo}")
    first = "support" if any(e.name == "support" for e in found) else found[0].name
    typer.echo(f"\nTalk to one:     rtagent talk --agent {first}      (add --text to type)")
    typer.echo(f"Run its demo:    rtagent talk --agent {first} --script {first}")
    typer.echo(f"Copy to edit:    rtagent examples copy {first} [FOLDER]")
    return 0


def copy_example_files(name: str, folder: Path | None, force: bool) -> int:
    from .examples import copy_example

    copied = copy_example(name, folder, force)
    for path in copied:
        typer.echo(f"wrote {path}")
    agent = copied[0]
    typer.echo(f"\nEdit {agent}, then: rtagent talk --agent {agent}")
    demo = next((p for p in copied if p.parent.name == "demos"), None)
    if demo is not None:
        typer.echo(f"Its demo:  rtagent talk --agent {agent} --script {demo}")
    return 0


def print_schema() -> int:
    from .agent_config import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
    return 0


TOKEN_ENV = "RTAGENT_SERVE_TOKEN"
_LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "[::1]"})


def serve_engine(host: str, port: int, greet_after_ms: int | None, token: str | None = None,
                 llm: str | None = None, llm_model: str | None = None) -> int:
    from ..local.brain_llm import LLM_MODEL_ENV, LLM_URL_ENV

    if not 0 <= port <= 65535:
        raise UserError(f"--port {port} is not a port number: use 0 (a free one) to 65535.")
    if greet_after_ms is not None and not 0 < greet_after_ms <= 3_600_000:
        raise UserError("--greet-after-ms: use a number of milliseconds from 1 to 3600000.")
    token = token or None
    loopback = host.strip().lower() in _LOOPBACK or host.startswith("127.")
    if not loopback and token is None:
        raise UserError(f"--host {host} makes the engine reachable from the network: set a token with --token or "
                        f"{TOKEN_ENV} (clients send it as their API key).")
    from ..local.server import LocalRealtimeServer

    if llm is not None:
        if not llm.startswith(("http://", "https://")):
            raise UserError(f"--llm needs an http(s) URL of a chat-completions server, got {llm!r}.")
        os.environ[LLM_URL_ENV] = llm  # every session of this engine thinks with it
    if llm_model is not None:
        os.environ[LLM_MODEL_ENV] = llm_model

    async def run() -> None:
        server = LocalRealtimeServer(host, port, greet_after_ms=greet_after_ms, token=token)
        url = await server.start()
        typer.echo(url, color=False)
        if not loopback:
            typer.echo(f"Warning: listening on {host}, reachable from other machines; only clients that send the "
                       "token as their API key are accepted.", err=True)
        access = "clients must send the token as their API key" if token else "any API key is accepted on loopback"
        typer.echo(f"Local realtime engine ready ({access}). Ctrl-C stops it.", err=True)
        try:
            await asyncio.Event().wait()
        finally:
            await server.stop()

    try:
        asyncio.run(run())
    except OSError as exc:
        raise UserError(f"Cannot listen on {host}:{port}: {exc.strerror or exc}. Pick another --port.") from None
    return 0
