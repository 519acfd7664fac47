"""The prompt and the output never interleave: a reply that arrives while the next prompt is still being drawn
comes after the prompt (which it then clears), never before it with the prompt drawn in its middle.

The real LineReader and TextPrinter on a terminal (a private tmux). The reader's thread is made slow to draw its
prompt, as a busy machine makes it; the ordering holds however slow it is (the printer waits for the prompt up to
SETTLE_S, which the script sets high so the result cannot depend on the machine's speed)."""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.terminal import Terminal

ROOT = Path(__file__).resolve().parents[2]

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")

SCRIPT = """
import asyncio, builtins, time
import readline
from realtime_cli.cli import line_reader
from realtime_cli.cli.line_reader import LineReader, TerminalGuard
from realtime_cli.cli.line_view import TextPrinter
from realtime_cli.cli.view_state import ViewState
from realtime_cli.protocol.server_events import ServerEvent

line_reader.SETTLE_S = 60.0
real_input = builtins.input
def slow_input(prompt=""):
    time.sleep(0.3)  # a busy machine: the thread is late to draw its prompt
    return real_input(prompt)
builtins.input = slow_input

async def main():
    state = ViewState(agent="Assistant")
    printer = TextPrinter(echo_typed=False, erase=True)
    lines = LineReader(asyncio.get_running_loop(), "you › ")
    printer.prompt = lines
    with TerminalGuard():
        lines.start()
        typed = await lines.get()
        printer.line_broken()
        printer.flush(state)
        lines.resume()  # the next prompt is on its way, and at once a reply starts to stream
        state.apply(ServerEvent({"type": "response.output_text.delta", "item_id": "item_a",
                                           "delta": "Once upon a time"}))
        printer.feed(state)
        second = await lines.get()
        print()
        print(f"GOT {typed!r} {second!r}")
asyncio.run(main())
"""


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    t = Terminal("rtagent-reader")
    yield t
    t.close()


def test_a_reply_arriving_while_the_prompt_is_drawn_comes_after_it(terminal: Terminal, tmp_path: Path) -> None:
    script = tmp_path / "prompt_race.py"
    script.write_text(SCRIPT)
    terminal.start(f"cd {ROOT} && {sys.executable} {script}; sleep 60")
    terminal.wait_for("you ›")
    terminal.keys("tell me a story", "Enter")
    terminal.wait_for("Once upon a time")
    terminal.keys("/interrupt", "Enter")
    screen = terminal.wait_for("GOT", history=True)
    assert "GOT 'tell me a story' '/interrupt'" in screen, screen
    assert "Assistant › Once upon a time/interrupt" in screen, screen  # the prompt came first and was cleared
    assert "Once upon a timeyou ›" not in screen, screen
