"""rtagent driven in a real terminal (tmux send-keys / capture-pane), as a person would use it.

Text mode needs only tmux; the live voice view also needs an audio device (CI starts a virtual one).
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


class Terminal:
    def __init__(self, name: str) -> None:
        self.name = name

    def keys(self, *keys: str) -> None:
        subprocess.run(["tmux", "send-keys", "-t", self.name, *keys], check=True)

    def screen(self) -> str:
        return subprocess.run(["tmux", "capture-pane", "-p", "-t", self.name], capture_output=True, text=True).stdout

    def wait_for(self, text: str, timeout: float = 30.0) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen()
            if text in screen:
                return screen
            time.sleep(0.1)
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen()}")

    def alive(self) -> bool:
        return subprocess.run(["tmux", "has-session", "-t", self.name], capture_output=True).returncode == 0


@pytest.fixture
def terminal() -> Iterator[Terminal]:
    name = f"rtagent-{uuid.uuid4().hex[:8]}"
    yield Terminal(name)
    subprocess.run(["tmux", "kill-session", "-t", name], capture_output=True)


def _start(term: Terminal, command: str, width: int = 100) -> None:
    env = {k: v for k, v in os.environ.items() if k != "OPENAI_API_KEY"}
    # keep the pane open after exit so the test can read the last screen
    subprocess.run(["tmux", "new-session", "-d", "-s", term.name, "-x", str(width), "-y", "30",
                    f"cd {ROOT} && {command}; echo EXITED=$?; sleep 30"], check=True, env=env)


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


def test_ctrl_d_and_ctrl_c_exit_cleanly(terminal: Terminal) -> None:
    _start(terminal, f"{RTAGENT} talk --agent configs/assistant.yaml --text")
    terminal.wait_for("you ›")
    terminal.keys("C-d")
    terminal.wait_for("EXITED=0")
    subprocess.run(["tmux", "kill-session", "-t", terminal.name], capture_output=True)
    _start(terminal, f"{RTAGENT} talk --agent configs/assistant.yaml --text")
    terminal.wait_for("you ›")
    terminal.keys("C-c")
    screen = terminal.wait_for("EXITED=")
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
    terminal.keys("q")
    terminal.wait_for("EXITED=0")
