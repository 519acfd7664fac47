"""Single-key input for voice mode: the terminal in cbreak mode, keys (and, where the terminal speaks the kitty
keyboard protocol, key releases) delivered to callbacks on the event loop, the terminal restored on every exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import re
import select
import sys
import time
from collections.abc import Callable
from typing import Any

KITTY_FLAGS = 1 | 2 | 8  # disambiguate, report event types (press/repeat/release), all keys as escape codes
QUERY = "\x1b[?u\x1b[c"  # the protocol's flags query, then primary device attributes (which every terminal answers)
PUSH = f"\x1b[>{KITTY_FLAGS}u"
POP = "\x1b[<u"

PRESS, REPEAT, RELEASE = "press", "repeat", "release"
KeyEvent = tuple[str, str]
"""(key, action): key is the character (" ", "q", "\\x1b" for Esc, "\\x03" for Ctrl-C…), action press/repeat/release."""

_CSI_U = re.compile(r"\x1b\[(\d+)(?::\d*)*(?:;(\d*)(?::(\d+))?)?(?:;[\d:]*)?u")
_CSI_OTHER = re.compile(r"\x1b[\[O][\d;:?>]*[A-Za-z~]")
_ACTIONS = {"1": PRESS, "2": REPEAT, "3": RELEASE}
_CTRL = 4  # kitty modifier bit (the field is 1 + bits)


def _csi_u_key(code: int, modifiers: int) -> str | None:
    """The character a CSI … u key report stands for (Ctrl+letters as control characters), None for others."""
    if code in (27, 13, 9, 127, 32) or (32 < code < 0x110000 and not 57344 <= code <= 63743):
        char = chr(code)
        if modifiers & _CTRL and char.isascii() and char.isalpha():
            return chr(ord(char.lower()) - 96)
        return char
    return None  # functional keys (arrows, F-keys, lone modifiers) in the private-use area: not ours


def parse_keys(data: str) -> list[KeyEvent]:
    """Key events in a chunk of terminal input: plain characters are presses; kitty CSI u reports carry their
    event type; other escape sequences (arrows, replies) are dropped; a lone ESC is a key."""
    events: list[KeyEvent] = []
    index = 0
    while index < len(data):
        if data[index] == "\x1b" and index + 1 < len(data) and data[index + 1] in "[O":
            match = _CSI_U.match(data, index)
            if match is not None:
                mods = int(match.group(2)) - 1 if match.group(2) else 0
                key = _csi_u_key(int(match.group(1)), max(mods, 0))
                if key is not None:
                    events.append((key, _ACTIONS.get(match.group(3) or "1", PRESS)))
                index = match.end()
                continue
            other = _CSI_OTHER.match(data, index)
            index = other.end() if other is not None else index + 2
            continue
        events.append((data[index], PRESS))
        index += 1
    return events


def split_keys(data: str) -> list[str]:
    """Pressed keys only (the toggle-mode view of `parse_keys`)."""
    return [key for key, action in parse_keys(data) if action == PRESS]


def supports_kitty_reply(reply: str) -> bool:
    """Did the terminal answer the flags query (CSI ? flags u) before its device attributes (CSI ? … c)?"""
    flags = re.search(r"\x1b\[\?\d*u", reply)
    attributes = re.search(r"\x1b\[\?[\d;]*c", reply)
    return flags is not None and (attributes is None or flags.start() < attributes.start())


class KeyReader:
    """`with KeyReader(loop, on_key, on_release=…):` — `on_key(str)` gets each press, `on_release(str)` each
    release where the terminal reports them (`hold_to_talk` says whether it does); repeats are dropped.

    The terminal's settings and keyboard mode are put back on exit, on any exception, and at interpreter exit.
    """

    def __init__(self, loop: asyncio.AbstractEventLoop, on_key: Callable[[str], None],
                 on_release: Callable[[str], None] | None = None, *, probe_s: float = 0.3,
                 fd: int | None = None, out: Any = None) -> None:
        self.loop = loop
        self.on_key = on_key
        self.on_release = on_release
        self.probe_s = probe_s
        self.hold_to_talk = False
        self._fd = sys.stdin.fileno() if fd is None else fd
        self._out = out or sys.stdout
        self._saved: Any = None

    def __enter__(self) -> KeyReader:
        import atexit
        import termios
        import tty

        self._saved = termios.tcgetattr(self._fd)
        atexit.register(self.restore)
        tty.setcbreak(self._fd)
        if self.on_release is not None and self.probe_s > 0:
            self.hold_to_talk = self._probe()
            if self.hold_to_talk:
                self._write(PUSH)
        self.loop.add_reader(self._fd, self._read)
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(Exception):
            self.loop.remove_reader(self._fd)
        self.restore()

    def restore(self) -> None:
        """Keyboard mode popped and terminal settings back; safe to call more than once."""
        if self.hold_to_talk:
            self.hold_to_talk = False
            self._write(POP)
        if self._saved is not None:
            import termios

            with contextlib.suppress(Exception):
                termios.tcsetattr(self._fd, termios.TCSADRAIN, self._saved)
            self._saved = None

    def _write(self, text: str) -> None:
        with contextlib.suppress(Exception):
            self._out.write(text)
            self._out.flush()

    def _probe(self) -> bool:
        """Ask the terminal whether it speaks the kitty keyboard protocol; wait for its device attributes."""
        self._write(QUERY)
        reply = ""
        deadline = time.monotonic() + self.probe_s
        while not re.search(r"\x1b\[\?[\d;]*c", reply):
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._fd], [], [], left)[0]:
                break
            try:
                reply += os.read(self._fd, 256).decode(errors="ignore")
            except OSError:
                break
        return supports_kitty_reply(reply)

    def _read(self) -> None:
        try:
            data = os.read(self._fd, 256).decode(errors="ignore")
        except OSError:
            return
        for key, action in parse_keys(data):
            if action == PRESS:
                self.on_key(key)
            elif action == RELEASE and self.on_release is not None:
                self.on_release(key)
