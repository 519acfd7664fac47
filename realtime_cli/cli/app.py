"""The `rtagent` command: Typer commands with lazy imports and plain help (it prints in tens of milliseconds), and the
one place errors become exit codes: 0 ok, 1 a failed run or expectation, 2 a usage or configuration error.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated

import typer

from .._version import __version__

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
BACKENDS = ("auto", "openai", "local")

_CONTEXT = {"help_option_names": ["-h", "--help"], "max_content_width": 100}

TALK_EPILOG = """\b
Voice keys (push-to-talk):
  SPACE    start talking, SPACE again to send
  ESC      interrupt the agent
  y / n    approve or reject a tool call that asks first
  q        quit (Ctrl-C too)

\b
Text commands (--text):
  /interrupt  stop the agent's reply
  /agent      the current agent, its tools and handoffs
  /history    the conversation so far
  /help       these commands
  /quit       end the session (Ctrl-D too)

\b
AGENT and SCRIPT are YAML files or the names of shipped examples
(see `rtagent examples`).

\b
Examples:
  rtagent talk --agent support
  rtagent talk --agent configs/assistant.yaml --text
  rtagent talk --agent support --script support
  rtagent talk --agent support --vad --backend openai --model gpt-realtime
"""


app = typer.Typer(
    name="rtagent", context_settings=_CONTEXT, epilog="Start here:  rtagent talk --agent support",
    rich_markup_mode=None,  # click's plain help: rich's formatting would cost ~250 ms per --help
    pretty_exceptions_enable=False, add_completion=False, no_args_is_help=True,
    help="Realtime voice agents in the terminal. Talk (push-to-talk or open mic) or type to agents defined in YAML, "
         "on OpenAI's Realtime API or on the embedded offline engine.",
)
examples_app = typer.Typer(
    context_settings=_CONTEXT, rich_markup_mode=None, add_completion=False, invoke_without_command=True,
    epilog="\b\nExamples:\n  rtagent examples\n  rtagent examples copy support my-agent",
    short_help="List the shipped example agents, or copy one.",
    help="List the shipped example agents; `copy` one out to edit.",
)
app.add_typer(examples_app, name="examples")


def _one_of_backends(value: str) -> str:
    if value not in BACKENDS:
        raise typer.BadParameter(f"'{value}' is not one of {', '.join(repr(b) for b in BACKENDS)}.")
    return value


def _print_version(value: bool) -> None:
    if value:
        typer.echo(f"rtagent {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: Annotated[bool, typer.Option("--version", "-V", is_eager=True, callback=_print_version,
                                                help="Show the version and exit.")] = False) -> None:
    """Realtime voice agents in the terminal. Talk (push-to-talk or open mic) or type to agents defined in
    YAML, on OpenAI's Realtime API or on the embedded offline engine."""


@app.command(epilog=TALK_EPILOG, short_help="Talk to an agent: voice, --text or --script.")
def talk(
    agent: Annotated[str, typer.Option("--agent", "-a", metavar="AGENT",
                                       help="Agent YAML file, or a shipped example's name.")],
    text: Annotated[bool, typer.Option("--text", help="Type instead of speaking (no audio device needed).")] = False,
    script: Annotated[str | None, typer.Option(metavar="SCRIPT",
                                               help="Run a scripted demo (YAML steps), or a shipped demo's name.")
                      ] = None,
    backend: Annotated[str, typer.Option(metavar="[auto|openai|local]", callback=_one_of_backends,
                                         help="auto: OpenAI when OPENAI_API_KEY is set, else the local engine.")
                       ] = "auto",
    model: Annotated[str | None, typer.Option(metavar="NAME", help="Realtime model name (overrides the YAML).")
                     ] = None,
    voice: Annotated[str | None, typer.Option(metavar="NAME", help="Agent voice (overrides the YAML).")] = None,
    vad: Annotated[bool, typer.Option("--vad", help="Open mic with voice detection instead of push-to-talk.")
                   ] = False,
    input_device: Annotated[str | None, typer.Option(metavar="DEVICE",
                                                     help="Microphone: device index or name substring.")] = None,
    output_device: Annotated[str | None, typer.Option(metavar="DEVICE",
                                                      help="Speaker: device index or name substring.")] = None,
    record: Annotated[Path | None, typer.Option(metavar="DIR",
                                                help="Write events (JSONL) and input/output WAVs to DIR.")] = None,
    debug: Annotated[bool, typer.Option("--debug", help="Log protocol events and show tracebacks.")] = False,
) -> None:
    """Talk to an agent: push-to-talk voice by default, --text to type, --script for a scripted run."""

    def run() -> int:
        from ..protocol.errors import UserError
        from .examples import looks_like_script, resolve_agent, resolve_script
        from .talk import TalkOptions, run_talk

        if looks_like_script(resolve_agent(agent)):
            raise UserError(f"{agent} is a script (it has `steps:`); run it with --script {agent} and an --agent "
                            "YAML file.")
        options = TalkOptions(agent=resolve_agent(agent), text=text,
                              script=resolve_script(script) if script is not None else None, backend=backend,
                              model=model, voice=voice, vad=vad, input_device=_device(input_device),
                              output_device=_device(output_device), record=record, debug=debug)
        if options.mode in ("push-to-talk", "open mic"):
            _check_devices(options.input_device, options.output_device)
        return run_talk(options)

    _exit(_guard(run, debug))


@app.command(epilog="\b\nExample:\n  rtagent devices", short_help="List audio devices.")
def devices() -> None:
    """List audio devices (index, name, channels, default rate)."""
    from .commands import list_audio_devices

    _exit(_guard(list_audio_devices, False))


@app.command(epilog="\b\nExamples:\n  rtagent validate configs/*.yaml\n  rtagent validate support\n"
                    "  rtagent validate configs/demos/support.yaml", short_help="Check agent YAML files and scripts.")
def validate(files: Annotated[list[str], typer.Argument(metavar="FILE...", show_default=False)]) -> None:
    """Check agent YAML files (or scripts); every problem is reported with file:line:column."""
    from .commands import validate_files

    _exit(_guard(lambda: validate_files(list(files)), False))


@app.command(epilog="\b\nExample:\n  rtagent schema > rtagent.schema.json",
             short_help="Print the JSON Schema of agent YAML files.")
def schema() -> None:
    """Print the JSON Schema of the agent YAML format (for editor completion and checks)."""
    from .commands import print_schema

    _exit(_guard(print_schema, False))


@app.command(epilog="\b\nExamples:\n  rtagent serve\n  rtagent serve --port 8765\n"
                     "  rtagent serve --llm http://127.0.0.1:11434/v1 --llm-model qwen2.5:1.5b",
             short_help="Run the offline engine as a WebSocket server.")
def serve(
    host: Annotated[str, typer.Option(help="Interface to listen on.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="Port; 0 picks a free one.")] = 0,
    greet_after_ms: Annotated[int | None, typer.Option(metavar="MS", help="Greet a silent client after this many ms.")
                              ] = None,
    token: Annotated[str | None, typer.Option(envvar="RTAGENT_SERVE_TOKEN", show_default=False,
                                              help="Clients must send this as their API key (required off loopback).")
                     ] = None,
    llm: Annotated[str | None, typer.Option(help="Think with this OpenAI-compatible chat-completions server "
                                                 "(e.g. http://127.0.0.1:11434/v1) instead of the rules.")] = None,
    llm_model: Annotated[str | None, typer.Option(help="Model name to ask the --llm server for.")] = None,
) -> None:
    """Run the embedded offline realtime engine as a WebSocket server and print its ws:// URL."""
    from .commands import serve_engine

    _exit(_guard(lambda: serve_engine(host, port, greet_after_ms, token, llm, llm_model), False))


@examples_app.callback()
def examples(ctx: typer.Context) -> None:
    """List the shipped example agents; `copy` one out to edit."""
    if ctx.invoked_subcommand is None:
        from .commands import print_examples

        _exit(_guard(print_examples, False))


@examples_app.command("copy", short_help="Copy an example out to edit.",
                      epilog="\b\nExample:\n  rtagent examples copy support my-agent\n"
                             "  rtagent talk --agent my-agent/support.yaml")
def examples_copy(
    name: Annotated[str, typer.Argument(metavar="NAME")],
    folder: Annotated[Path | None, typer.Argument(metavar="[FOLDER]", show_default=False)] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite files that exist.")] = False,
) -> None:
    """Copy example NAME (its YAML, tool modules and demo script) into FOLDER (default: ./NAME)."""
    from .commands import copy_example_files

    _exit(_guard(lambda: copy_example_files(name, folder, force), False))


def _device(value: str | None) -> int | str | None:
    if value is None:
        return None
    return int(value) if value.strip().isdigit() else value


def _check_devices(input_device: int | str | None, output_device: int | str | None) -> None:
    """A device named on the command line that does not exist is a usage error, not a reason to fall back."""
    if input_device is None and output_device is None:
        return
    from ..audio.device import AudioError, resolve_device
    from ..protocol.errors import UserError

    try:
        for spec, direction in ((input_device, "input"), (output_device, "output")):
            if spec is not None:
                resolve_device(spec, direction)  # type: ignore[arg-type]
    except AudioError as exc:
        raise UserError(f"--{direction}-device: {exc}") from None


def _exit(code: int) -> None:
    if code:
        sys.exit(code)


def _guard(run: Callable[[], int | None], debug: bool) -> int:
    """Run a command body; user errors print one line (exit 2), Ctrl-C exits quietly (130)."""
    from ..protocol.errors import RealtimeConnectionError, UserError

    try:
        return int(run() or 0)
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
        app(prog_name="rtagent")
    except KeyboardInterrupt:
        sys.exit(130)


if __name__ == "__main__":
    main()
