"""rtagent driven in a real terminal (tmux send-keys / capture-pane), as a person would use it.

Text mode needs only tmux; the live voice view also needs an audio device (CI starts a virtual one). Each
terminal runs on its own private tmux server (`tmux -L <unique socket>`), never the user's default one.
"""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from support.terminal import Terminal

ROOT = Path(__file__).resolve().parents[2]
RTAGENT = str(Path(sys.executable).parent / "rtagent")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")


@pytest.fixture
def new_terminal() -> Iterator[Callable[[], Terminal]]:
    made: list[Terminal] = []

    def make() -> Terminal:
        made.append(Terminal())
        return made[-1]

    yield make
    for term in made:
        term.close()


@pytest.fixture
def terminal(new_terminal: Callable[[], Terminal]) -> Terminal:
    return new_terminal()


def _start(term: Terminal, command: str, width: int = 100) -> None:
    # keep the pane open after exit so the test can read the last screen
    term.start(f"cd {ROOT} && {command}; echo EXITED=$?; sleep 30", width=width)


def test_text_mode_in_a_terminal(terminal: Terminal) -> None:
    _start(terminal, f"{RTAGENT} talk --agent configs/support.yaml --text")
    terminal.wait_for("you ›")
    terminal.keys("Where is my order 1001?", "Enter")
    screen = terminal.wait_for("Customer Service › Order 1001")
    assert "⚙ lookup_order" in screen
    terminal.keys("I have a question about my invoice", "Enter")
    terminal.wait_for("→ Billing Support")
    terminal.keys("/quit", "Enter")
    terminal.wait_for("EXITED=0")


def test_ctrl_d_and_ctrl_c_exit_cleanly(new_terminal: Callable[[], Terminal]) -> None:
    first = new_terminal()
    _start(first, f"{RTAGENT} talk --agent configs/assistant.yaml --text")
    first.wait_for("you ›")
    first.keys("C-d")
    first.wait_for("EXITED=0")
    second = new_terminal()  # a fresh private server: nothing of the first run can answer for it
    _start(second, f"{RTAGENT} talk --agent configs/assistant.yaml --text")
    second.wait_for("you ›")
    second.keys("C-c")
    screen = second.wait_for("EXITED=")
    assert "Traceback" not in screen


def _audio_device_available() -> bool:
    try:
        from realtime_cli.audio.device import list_devices

        return any(d.max_output_channels > 0 for d in list_devices())
    except Exception:
        return False


@pytest.mark.audio_device
def test_live_voice_view_at_60_columns(terminal: Terminal) -> None:
    if not _audio_device_available():
        if os.environ.get("RTAGENT_REQUIRE_AUDIO_DEVICE"):
            pytest.fail("CI must provide an audio device (.ci/audio-setup.sh)")
        pytest.skip("no audio device (start one with .ci/audio-setup.sh)")
    _start(terminal, f"{RTAGENT} talk --agent configs/support.yaml", width=60)
    screen = terminal.wait_for("SPACE talk/stop")
    assert "connected" in screen and ("PTT" in screen or "push-to-talk" in screen)
    terminal.keys(" ")
    terminal.wait_for("talking")
    terminal.keys(" ")
    terminal.wait_for("idle")
    assert all(len(line) <= 60 for line in terminal.screen().splitlines())
    assert "q quit" not in terminal.screen()  # the key hint is cut at 60 columns…
    terminal.tmux("resize-window", "-t", terminal.name, "-x", "100", check=True)
    terminal.wait_for("q quit")  # …and whole once the idle view notices the wider terminal (no refresh thread)
    terminal.keys("q")
    terminal.wait_for("EXITED=0")


async def test_interrupt_cuts_a_reply_while_it_streams(terminal: Terminal) -> None:
    """Input is read while the agent replies: /interrupt typed during a streaming reply cancels it. The scripted
    server streams the start of a reply and then waits for the cancel (the sync point), so no timing is involved."""
    from support.scripted_server import ScriptedConnection, ScriptedServer
    from support.server_events import Events

    e = Events("ga")

    async def script(c: ScriptedConnection) -> None:
        await c.send(e.session_created())
        await c.expect("session.update")
        await c.expect("conversation.item.create")
        await c.expect("response.create")
        await c.send(e.response_created("resp_1"), e.output_item_added("resp_1", "item_a"),
                     e.text_delta("resp_1", "item_a", "Once upon a time"))
        cancel = await c.expect("response.cancel")
        assert cancel["response_id"] == "resp_1"
        await c.send(e.response_done("resp_1", "cancelled", "client_cancelled"))
        await c.ws.wait_closed()

    async with ScriptedServer(script) as server:
        _start(terminal, f"OPENAI_API_KEY=sk-test-interrupt-0000 RTAGENT_REALTIME_URL={server.url} "
                         f"{RTAGENT} talk --agent configs/assistant.yaml --text --backend openai")
        await asyncio.to_thread(terminal.wait_for, "you ›")
        terminal.keys("tell me a long story", "Enter")
        await asyncio.to_thread(terminal.wait_for, "Assistant › Once upon a time")
        terminal.keys("/interrupt", "Enter")
        screen = await asyncio.to_thread(terminal.wait_for, "· interrupted")
        # the reply was cut where it stood (the dash), and the notice follows it; whether the dash is drawn under the
        # speaker's name again depends on whether the reader saw the Enter first (test_line_view covers both)
        assert re.search(r"Assistant › Once upon a time/interrupt\n(Assistant › …)? ?—\n· interrupted", screen), screen
        terminal.keys("/quit", "Enter")
        await asyncio.to_thread(terminal.wait_for, "EXITED=0")
    server.check()
