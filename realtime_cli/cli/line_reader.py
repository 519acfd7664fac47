"""Typed lines for text mode, read on a thread all the time (so a reply can be interrupted while it streams), and
the terminal put back as it was on every way out: /quit, Ctrl-D, Ctrl-C, SIGTERM, a crash, interpreter exit.
"""

from __future__ import annotations

import asyncio
import atexit
import contextlib
import signal
import sys
import threading
import time
from typing import Any


class TerminalGuard:
    """Saves the terminal's settings (echo, canonical mode…) on enter and restores them on exit or at exit."""

    def __init__(self, fd: int | None = None) -> None:
        self._fd = fd
        self._saved: Any = None

    def __enter__(self) -> TerminalGuard:
        try:
            import termios

            fd = sys.stdin.fileno() if self._fd is None else self._fd
            if not sys.stdin.isatty():
                return self
            self._fd = fd
            self._saved = termios.tcgetattr(fd)
        except (ImportError, OSError, ValueError, AttributeError):  # AttributeError: no sys.stdin at all
            return self
        atexit.register(self.restore)
        return self

    def __exit__(self, *exc: object) -> None:
        self.restore()

    def restore(self) -> None:
        if self._saved is None or self._fd is None:
            return
        import termios

        with contextlib.suppress(Exception):
            termios.tcsetattr(self._fd, termios.TCSANOW, self._saved)


class LineReader:
    """`lines = LineReader(loop, prompt); lines.start()`; `await lines.get()` returns a line, or None at EOF.

    One daemon thread calls `input(prompt)` in a loop; lines queue up on the event loop. After each line it
    waits for `resume()` (the caller has printed what the line caused), so the next prompt comes after that
    output. `prompt_shown` is True while the thread waits at the prompt (the printer clears and redraws it
    around streamed replies).
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, prompt: str = "") -> None:
        self.loop = loop
        self.prompt = prompt
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.prompt_shown = False
        self._pending = b""  # bytes read from a non-terminal stdin past the last full line
        self._resume = threading.Event()
        self._resume.set()
        self._thread = threading.Thread(target=self._run, name="rtagent-input", daemon=True)

    def start(self) -> None:
        self._thread.start()

    async def get(self) -> str | None:
        return await self.queue.get()

    def resume(self) -> None:
        """The last line has been handled: show the prompt again."""
        self._resume.set()

    def _run(self) -> None:
        while True:
            self._resume.wait()
            self._resume.clear()
            line = self._read()
            try:
                self.loop.call_soon_threadsafe(self.queue.put_nowait, line)
            except RuntimeError:  # the loop is gone: we are exiting
                return
            if line is None:
                return

    def _read(self) -> str | None:
        """One line, or None at the end of input. A terminal goes through input() (readline's line editing reads
        the terminal itself); anything else is read from the file descriptor, so this thread never holds the lock
        of Python's stdin buffer, which the interpreter must take when it exits."""
        try:
            tty = sys.stdin is not None and sys.stdin.isatty()
            if not tty:
                raw = self._raw_line()
                return None if raw is None else raw.decode("utf-8", "replace").rstrip("\r\n")
            self.prompt_shown = True
            line = input(self.prompt)
        except (EOFError, OSError, ValueError, KeyboardInterrupt, RuntimeError, AttributeError):  # no usable stdin
            return None
        finally:
            self.prompt_shown = False
        return line.encode("utf-8", "surrogateescape").decode("utf-8", "replace")  # non-UTF-8 bytes: U+FFFD

    def _raw_line(self) -> bytes | None:
        buffer = sys.stdin.buffer
        raw = getattr(buffer, "raw", None)
        if raw is None:  # not a file (a test's in-memory stdin): its lock is no hazard at exit
            return buffer.readline() or None
        while b"\n" not in self._pending:
            chunk = raw.read(4096)
            if chunk is None:  # a non-blocking descriptor with nothing yet
                time.sleep(0.05)
                continue
            if not chunk:
                rest, self._pending = self._pending, b""
                return rest or None
            self._pending += chunk
        line, _, self._pending = self._pending.partition(b"\n")
        return line

    def redraw(self, out: Any) -> None:
        """Show the prompt and what was typed so far again (after a streamed reply cleared the line)."""
        if not self.prompt_shown:
            return
        buffer = ""
        with contextlib.suppress(Exception):
            import readline

            buffer = readline.get_line_buffer()
        out.write(self.prompt + buffer)
        out.flush()


@contextlib.contextmanager
def cancel_on_sigterm(loop: asyncio.AbstractEventLoop) -> Any:
    """SIGTERM cancels the current task, so its `finally` blocks (terminal restore, session close) run."""
    task = asyncio.current_task()
    installed = False
    if task is not None:
        with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
            loop.add_signal_handler(signal.SIGTERM, task.cancel)
            installed = True
    try:
        yield
    finally:
        if installed:
            with contextlib.suppress(Exception):
                loop.remove_signal_handler(signal.SIGTERM)
