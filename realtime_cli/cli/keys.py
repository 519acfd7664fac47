"""Single-key input for voice mode: the terminal in cbreak mode (no echo, no Enter needed), keys delivered
to a callback on the event loop, and the terminal restored on exit whatever happens.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from collections.abc import Callable
from typing import Any


class KeyReader:
    """`with KeyReader(loop, on_key):` — `on_key(str)` gets each key; escape sequences (arrows…) are ignored
    except a lone ESC."""

    def __init__(self, loop: asyncio.AbstractEventLoop, on_key: Callable[[str], None]) -> None:
        self.loop = loop
        self.on_key = on_key
        self._fd = sys.stdin.fileno()
        self._saved: Any = None

    def __enter__(self) -> KeyReader:
        import termios
        import tty

        self._saved = termios.tcgetattr(self._fd)
        tty.setcbreak(self._fd)
        self.loop.add_reader(self._fd, self._read)
        return self

    def __exit__(self, *exc: object) -> None:
        import termios

        with contextlib.suppress(Exception):
            self.loop.remove_reader(self._fd)
        if self._saved is not None:
            termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)

    def _read(self) -> None:
        try:
            data = os.read(self._fd, 64).decode(errors="ignore")
        except OSError:
            return
        for key in split_keys(data):
            self.on_key(key)


def split_keys(data: str) -> list[str]:
    """Keys in a chunk of terminal input: printable characters, control characters, a lone ESC; escape
    sequences such as arrow keys are dropped."""
    keys: list[str] = []
    index = 0
    while index < len(data):
        char = data[index]
        if char == "\x1b" and index + 1 < len(data) and data[index + 1] in "[O":
            index += 2
            while index < len(data) and not data[index].isalpha() and data[index] != "~":
                index += 1
            index += 1
            continue
        keys.append(char)
        index += 1
    return keys
