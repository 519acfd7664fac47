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

    From `resume()` (and `start()`) until the prompt is on the screen, `settled()` blocks the caller: output
    written meanwhile would land before the prompt, and the prompt would then be drawn after it, in the middle
    of a streaming reply. Readline says when the prompt is drawn (its pre-input hook); without readline, or
    reading from a pipe, there is no prompt to wait for.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, prompt: str = "") -> None:
        self.loop = loop
        self.prompt = prompt
        self.queue: asyncio.Queue[str | None] = asyncio.Queue()
        self.prompt_shown = False
        self._pending = b""  # bytes read from a non-terminal stdin past the last full line
        self._resume = threading.Event()
        self._resume.set()
        self._drawing = threading.Lock()  # held from resume() until the prompt is on the screen
        self._owed = False  # the lock is held for a prompt still to be drawn
        self._thread = threading.Thread(target=self._run, name="rtagent-input", daemon=True)

    def start(self) -> None:
        self._hold()
        self._thread.start()

    async def get(self) -> str | None:
        return await self.queue.get()

    def resume(self) -> None:
        """The last line has been handled: show the prompt again."""
        if self._thread.is_alive():
            self._hold()
        self._resume.set()

    def settled(self) -> None:
        """Return once no prompt is about to be drawn (so what is written now lands after it), or after SETTLE_S:
        a reader that cannot draw never stalls the output for longer."""
        if self._drawing.acquire(timeout=SETTLE_S):
            self._drawing.release()

    def _hold(self) -> None:
        if not self._owed and self._drawing.acquire(timeout=SETTLE_S):
            self._owed = True

    def _drawn(self) -> None:
        self.prompt_shown = True
        self._release()

    def _release(self) -> None:
        if self._owed:
            self._owed = False
            self._drawing.release()

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
                self._release()  # no prompt on a pipe
                raw = self._raw_line()
                return None if raw is None else raw.decode("utf-8", "replace").rstrip("\r\n")
            if not _hook_prompt(self._drawn):
                self._drawn()  # no readline to tell us: the prompt is as good as drawn
            line = input(self.prompt)
        except (EOFError, OSError, ValueError, KeyboardInterrupt, RuntimeError, AttributeError):  # no usable stdin
            return None
        finally:
            self.prompt_shown = False
            self._release()  # (if input() failed before the prompt was up)
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


SETTLE_S = 0.5  # the longest output waits for a prompt being drawn


def _hook_prompt(drawn: Any) -> bool:
    """Have readline call `drawn()` once the prompt is on the screen; False where readline cannot."""
    readline = sys.modules.get("readline")  # (imported by text mode; never imported here for the first time)
    hook = getattr(readline, "set_pre_input_hook", None)
    if hook is None:
        return False
    hook(drawn)
    return True


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
