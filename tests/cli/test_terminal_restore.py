"""Every way out of text mode leaves the terminal with echo and canonical mode on (`stty -a`, in a private tmux).

Ctrl-C, Ctrl-D, /quit and SIGTERM on the real `rtagent talk --text`; a crash while a line is being read, on the
same LineReader and TerminalGuard the text mode uses.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from support.terminal import Terminal

ROOT = Path(__file__).resolve().parents[2]
RTAGENT = str(Path(sys.executable).parent / "rtagent")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")


class Pane(Terminal):
    """The terminal of these tests: the command, then its exit code and the terminal's settings after it."""

    def start(self, command: str, **_: int) -> None:  # type: ignore[override]
        super().start(f"cd {ROOT} && {command}; echo EXITED=$?; stty -a; echo STTY-DONE; sleep 60",
                      width=150, height=40)

    def screen(self, *, history: bool = True) -> str:
        return super().screen(history=history)

    def wait_for(self, text: str, timeout: float = 30.0, *, history: bool = True) -> str:
        return super().wait_for(text, timeout, history=history)

    def pid_of_pane_child(self) -> int:
        shell = self.pane_pid()
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            children = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True).stdout.split()
            if children:
                return int(children[0])
            time.sleep(0.1)
        raise AssertionError("the command never started")


@pytest.fixture
def pane() -> Iterator[Pane]:
    p = Pane("rtagent-restore")
    yield p
    p.close()


def assert_restored(screen: str) -> None:
    stty = screen.split("EXITED=", 1)[1]
    flags = stty.replace("\n", " ").split()
    assert "icanon" in flags and "echo" in flags, stty
    assert "-icanon" not in flags and "-echo" not in flags, stty


@pytest.mark.parametrize("how", ["ctrl-c", "ctrl-d", "quit", "sigterm"])
def test_text_mode_restores_the_terminal(pane: Pane, how: str) -> None:
    pane.start(f"{RTAGENT} talk --agent configs/assistant.yaml --text")
    pane.wait_for("you ›")
    if how == "ctrl-c":
        pane.keys("C-c")
    elif how == "ctrl-d":
        pane.keys("C-d")
    elif how == "quit":
        pane.keys("/quit", "Enter")
    else:
        os.kill(pane.pid_of_pane_child(), 15)
    screen = pane.wait_for("STTY-DONE")
    assert "Traceback" not in screen
    assert_restored(screen)


CRASH = """
import asyncio
import readline  # what text mode reads with: it takes the terminal out of canonical mode while reading
from realtime_cli.cli.line_reader import LineReader, TerminalGuard
async def main():
    lines = LineReader(asyncio.get_running_loop(), "you › ")
    with TerminalGuard():
        lines.start()
        lines.settled()  # the prompt is drawn: readline now holds the terminal in its own mode
        print("CRASHING")
        raise RuntimeError("boom")
asyncio.run(main())
"""


def test_a_crash_while_reading_restores_the_terminal(pane: Pane, tmp_path: Path) -> None:
    script = tmp_path / "crash.py"
    script.write_text(CRASH)
    pane.start(f"{sys.executable} {script}")
    screen = pane.wait_for("STTY-DONE")
    assert "CRASHING" in screen and "RuntimeError: boom" in screen
    assert_restored(screen)


def _audio_device_problem() -> str | None:
    if not os.environ.get("PULSE_SERVER"):
        return "no PULSE_SERVER: source /tmp/rtagent-pulse/env.sh (CI starts a virtual card)"
    try:
        from realtime_cli.audio.device import list_devices

        if not any(d.max_input_channels > 0 for d in list_devices()):
            return "no input device"
    except Exception as exc:
        return f"no audio devices: {exc}"
    return None


@pytest.mark.parametrize("how", ["q", "sigterm"])
def test_voice_mode_restores_the_terminal(pane: Pane, how: str) -> None:
    problem = _audio_device_problem()
    if problem is not None:
        pytest.skip(problem)
    pane.start(f"{RTAGENT} talk --agent configs/assistant.yaml")
    pane.wait_for("SPACE talk/stop")
    if how == "q":
        pane.keys("q")
    else:
        os.kill(pane.pid_of_pane_child(), 15)
    screen = pane.wait_for("STTY-DONE")
    assert "Traceback" not in screen and "EXITED=0" in screen
    assert_restored(screen)
