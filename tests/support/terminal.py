"""A terminal for tests: one tmux session on its own private server (`tmux -L <unique socket>`), never the
user's default server, with send-keys to type and capture-pane to read the screen."""

from __future__ import annotations

import os
import subprocess
import time
import uuid


class Terminal:
    """`start(script)` opens the session; `keys`, `screen`, `wait_for` drive it; `close` ends its server."""

    def __init__(self, prefix: str = "rtagent") -> None:
        self.name = f"{prefix}-{uuid.uuid4().hex[:12]}"  # the session name and its private server's socket

    def tmux(self, *args: str, check: bool = False, env: dict[str, str] | None = None) -> str:
        result = subprocess.run(["tmux", "-L", self.name, *args], capture_output=True, text=True, env=env)
        if check:
            assert result.returncode == 0, result.stderr
        return result.stdout

    def start(self, script: str, *, width: int = 100, height: int = 30) -> None:
        """Run `script` in a shell in the session, without the caller's OpenAI key or tmux."""
        env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "TMUX")}
        self.tmux("new-session", "-d", "-s", self.name, "-x", str(width), "-y", str(height), script,
                  check=True, env=env)

    def keys(self, *keys: str) -> None:
        self.tmux("send-keys", "-t", self.name, *keys, check=True)

    def screen(self, *, history: bool = False) -> str:
        """The visible screen, or with `history` the last 200 lines joined where they wrapped."""
        extra = ("-J", "-S", "-200") if history else ()
        return self.tmux("capture-pane", "-p", *extra, "-t", self.name)

    def wait_for(self, text: str, timeout: float = 30.0, *, history: bool = False) -> str:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            screen = self.screen(history=history)
            if text in screen:
                return screen
            time.sleep(0.1)  # polling the screen, not a timing assumption: the deadline only bounds a failure
        raise AssertionError(f"{text!r} never appeared; screen:\n{self.screen(history=history)}")

    def pane_pid(self) -> int:
        return int(self.tmux("display-message", "-p", "-t", self.name, "#{pane_pid}").strip())

    def close(self) -> None:
        self.tmux("kill-server")
