"""Keeping the sound libraries' own stderr chatter (ALSA "underrun occurred", PortAudio notices) out of the screen.

Native code writes straight to file descriptor 2; while captured, fd 2 is a pipe drained by a thread that counts
the lines and keeps the last few. Python's `sys.stderr` stays on the real terminal, so our own messages still show.
"""

from __future__ import annotations

import contextlib
import os
import sys
import threading
from collections import deque
from typing import Any, TextIO


class StderrCapture:
    """`with StderrCapture() as captured:` … `captured.lines` (count) and `captured.recent` (the last `keep`)."""

    def __init__(self, keep: int = 20) -> None:
        self.lines = 0
        self.recent: deque[str] = deque(maxlen=keep)
        self._saved_fd: int | None = None
        self._saved_stream: Any = None
        self._own_stream: TextIO | None = None
        self._thread: threading.Thread | None = None
        self._read_fd: int | None = None

    def __enter__(self) -> StderrCapture:
        try:
            sys.stderr.flush()
            saved = os.dup(2)
            read_fd, write_fd = os.pipe()
            os.dup2(write_fd, 2)
            os.close(write_fd)
        except OSError:
            return self  # no fd 2 to redirect: nothing to capture
        self._saved_fd, self._read_fd = saved, read_fd
        self._saved_stream = sys.stderr
        self._own_stream = os.fdopen(os.dup(saved), "w", buffering=1, errors="replace")
        sys.stderr = self._own_stream
        self._thread = threading.Thread(target=self._drain, name="rtagent-stderr", daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        saved = self._saved_fd
        if saved is None:
            return
        self._saved_fd = None
        with contextlib.suppress(OSError):
            os.dup2(saved, 2)  # closes the pipe's last write end: the drain thread sees EOF
            os.close(saved)
        if self._thread is not None:
            self._thread.join(timeout=1.0)
        sys.stderr = self._saved_stream
        if self._own_stream is not None:
            with contextlib.suppress(OSError):
                self._own_stream.close()

    def _drain(self) -> None:
        assert self._read_fd is not None
        pending = b""
        with open(self._read_fd, "rb", buffering=0) as pipe:
            while chunk := pipe.read(4096):
                pending += chunk
                *complete, pending = pending.split(b"\n")
                for raw in complete:
                    self._line(raw)
        if pending:
            self._line(pending)

    def _line(self, raw: bytes) -> None:
        text = raw.decode(errors="replace").strip()
        if text:
            self.lines += 1
            self.recent.append(text)
