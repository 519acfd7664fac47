"""The `rtagent` command: Typer commands with lazy imports, and the one place errors become exit codes.

Exit codes: 0 ok, 1 a failed run or expectation, 2 a usage or configuration error.
"""

from __future__ import annotations

import sys
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="rtagent",
    help="Realtime voice agents in the terminal. Talk (push-to-talk or open mic) or type to agents defined in "
    "YAML, on OpenAI's Realtime API or on the embedded offline engine.\n\n"
    "Start here:  rtagent talk --agent configs/support.yaml",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


class Backend(str, Enum):
    auto = "auto"
    openai = "openai"
    local = "local"


EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2


def _fail(message: str, code: int = EXIT_USAGE) -> typer.Exit:
    typer.echo(f"rtagent: {message}", err=True)
    return typer.Exit(code)


@app.command(epilog="Examples:\n\n  rtagent talk --agent configs/support.yaml\n\n"
             "  rtagent talk --agent configs/assistant.yaml --text\n\n"
             "  rtagent talk --agent configs/support.yaml --script configs/demos/support.yaml\n\n"
             "  rtagent talk --agent configs/support.yaml --vad --backend openai --model gpt-realtime")
def talk(
    agent: Annotated[Path, typer.Option("--agent", "-a", help="Agent YAML file (see `rtagent schema`).")],
    text: Annotated[bool, typer.Option("--text", help="Type instead of speaking (no audio device needed).")] = False,
    script: Annotated[Path | None, typer.Option("--script", help="Run a scripted demo (YAML steps).")] = None,
    backend: Annotated[Backend, typer.Option(help="auto: OpenAI when OPENAI_API_KEY is set, else the local engine.")]
    = Backend.auto,
    model: Annotated[str | None, typer.Option(help="Realtime model name (overrides the YAML).")] = None,
    voice: Annotated[str | None, typer.Option(help="Agent voice (overrides the YAML).")] = None,
    vad: Annotated[bool, typer.Option("--vad", help="Open mic with server voice detection instead of push-to-talk.")]
    = False,
    input_device: Annotated[str | None, typer.Option(help="Microphone: device index or name substring.")] = None,
    output_device: Annotated[str | None, typer.Option(help="Speaker: device index or name substring.")] = None,
    record: Annotated[Path | None, typer.Option(help="Write events (JSONL) and input/output WAVs to DIR.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Log protocol events and show tracebacks.")] = False,
) -> None:
    """Talk to an agent: push-to-talk voice by default, --text to type, --script for a scripted run."""
    from .talk import TalkOptions, run_talk

    options = TalkOptions(agent=agent, text=text, script=script, backend=backend.value, model=model, voice=voice,
                          vad=vad, input_device=_device(input_device), output_device=_device(output_device),
                          record=record, debug=debug)
    raise typer.Exit(_guard(lambda: run_talk(options), debug))


@app.command(epilog="Example:\n\n  rtagent devices")
def devices() -> None:
    """List audio devices (index, name, channels, default rate)."""
    from .commands import list_audio_devices

    raise typer.Exit(_guard(list_audio_devices, False))


@app.command(epilog="Example:\n\n  rtagent validate configs/*.yaml")
def validate(
    files: Annotated[list[Path], typer.Argument(help="Agent YAML files to check.")],
) -> None:
    """Check agent YAML files; every problem is reported with file:line:column."""
    from .commands import validate_files

    raise typer.Exit(_guard(lambda: validate_files(files), False))


@app.command(epilog="Example:\n\n  rtagent schema > rtagent.schema.json")
def schema() -> None:
    """Print the JSON Schema of the agent YAML format (for editor completion and checks)."""
    from .commands import print_schema

    raise typer.Exit(_guard(print_schema, False))


@app.command(epilog="Examples:\n\n  rtagent serve\n\n  rtagent serve --port 8765\n\n"
             "  rtagent serve --llm http://127.0.0.1:11434/v1 --llm-model qwen2.5:1.5b")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on (loopback by default).")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 0,
    greet_after_ms: Annotated[int | None, typer.Option(help="Greet a silent client after this many ms.")]
    = None,
    llm: Annotated[str | None, typer.Option(help="Think with this OpenAI-compatible chat-completions server "
                                                 "(e.g. http://127.0.0.1:11434/v1) instead of the rules.")] = None,
    llm_model: Annotated[str | None, typer.Option(help="Model name to ask the --llm server for.")] = None,
) -> None:
    """Run the embedded offline realtime engine as a WebSocket server and print its ws:// URL."""
    from .commands import serve_engine

    raise typer.Exit(_guard(lambda: serve_engine(host, port, greet_after_ms, llm, llm_model), False))


def _device(value: str | None) -> int | str | None:
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


def _guard(run: object, debug: bool) -> int:
    """Run a command body; user errors print one line (exit 2), Ctrl-C exits quietly (130)."""
    from ..protocol.errors import RealtimeConnectionError, UserError

    try:
        result = run()  # type: ignore[operator]
        return int(result or 0)
    except UserError as exc:
        if debug:
            raise
        typer.echo(f"rtagent: {exc}", err=True)
        return EXIT_USAGE
    except RealtimeConnectionError as exc:
        if debug:
            raise
        typer.echo(f"rtagent: {exc}", err=True)
        return EXIT_FAILED
    except KeyboardInterrupt:
        return 130


def main() -> None:
    """Console entry point."""
    try:
        app()
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
