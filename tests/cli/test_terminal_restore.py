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
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
RTAGENT = str(Path(sys.executable).parent / "rtagent")

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="tmux is not installed (CI installs it)")


class Pane:
    def __init__(self) -> None:
        self.server = f"rtagent-restore-{uuid.uuid4().hex[:8]}"

    def tmux(self, *args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(["tmux", "-L", self.server, *args], capture_output=True, text=True)

    def start(self, command: str) -> None:
        env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
        script = f"cd {ROOT} && {command}; echo EXITED=$?; stty -a; echo STTY-DONE; sleep 60"
        result = subprocess.run(["tmux", "-L", self.server, "new-session", "-d", "-s", "t", "-x", "150", "-y", "40",
                                 script], capture_output=True, text=True, env=env)
        assert result.returncode == 0, result.stderr

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", "t", *keys)

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-J", "-S", "-200", "-t", "t").stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def pid_of_pane_child(self) -> int:
        shell = int(self.tmux("display-message", "-p", "-t", "t", "#{pane_pid}").stdout.strip())
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            children = subprocess.run(["pgrep", "-P", str(shell)], capture_output=True, text=True).stdout.split()
            if children:
                return int(children[0])
            time.sleep(0.1)
        raise AssertionError("the command never started")


@pytest.fixture
def pane() -> Iterator[Pane]:
    p = Pane()
    yield p
    p.tmux("kill-server")


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
        await asyncio.sleep(0.5)  # readline now holds the terminal in its own mode
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
