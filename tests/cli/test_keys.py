"""Key parsing: legacy bytes, the kitty keyboard protocol's press/repeat/release reports, and support detection."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Callable

import pytest

from realtime_cli.cli.keys import (
    POP,
    PRESS,
    PUSH,
    RELEASE,
    REPEAT,
    KeyReader,
    parse_keys,
    split_keys,
    supports_kitty_reply,
)


def test_legacy_keys_are_presses_and_other_escape_sequences_are_dropped() -> None:
    assert parse_keys(" q\x1b") == [(" ", PRESS), ("q", PRESS), ("\x1b", PRESS)]
    assert split_keys("\x1b[A \x1bOB\x1b[15~y") == [" ", "y"]  # arrows, F5 dropped


def test_kitty_space_press_repeat_release() -> None:
    data = "\x1b[32u\x1b[32;1:2u\x1b[32;1:2u\x1b[32;1:3u"
    assert parse_keys(data) == [(" ", PRESS), (" ", REPEAT), (" ", REPEAT), (" ", RELEASE)]


def test_kitty_release_after_a_plain_text_press() -> None:
    # without "all keys as escape codes" a terminal may send the press as text and only the release as CSI u
    assert parse_keys(" \x1b[32;1:3u") == [(" ", PRESS), (" ", RELEASE)]


def test_kitty_modifiers_alternates_and_text_fields() -> None:
    assert parse_keys("\x1b[99;5u") == [("\x03", PRESS)]  # Ctrl+C, which the protocol no longer turns into SIGINT
    assert parse_keys("\x1b[100;5:3u") == [("\x04", RELEASE)]  # Ctrl+D released
    assert parse_keys("\x1b[27u") == [("\x1b", PRESS)]  # Esc, disambiguated
    assert parse_keys("\x1b[113:81;2u") == [("q", PRESS)]  # shifted-key alternate present
    assert parse_keys("\x1b[121;1;121u") == [("y", PRESS)]  # associated text present
    assert parse_keys("\x1b[57441;2u\x1b[57441;1:3u") == []  # lone left shift: not a key of ours


def test_query_replies_are_not_keys() -> None:
    assert parse_keys("\x1b[?1u\x1b[?62;22c") == []


def test_support_is_the_flags_reply_before_the_device_attributes() -> None:
    assert supports_kitty_reply("\x1b[?0u\x1b[?62;22c")
    assert not supports_kitty_reply("\x1b[?1;2c")  # only device attributes: no protocol (tmux, xterm, VTE)
    assert not supports_kitty_reply("")  # nothing came back in time


# --- the reader on a real pseudo-terminal, the test playing the terminal -------------------------------------

def _read_until(fd: int, text: str, timeout: float = 5.0) -> str:
    import os
    import select

    got = ""
    deadline = time.monotonic() + timeout
    while text not in got and time.monotonic() < deadline:
        if select.select([fd], [], [], 0.1)[0]:
            got += os.read(fd, 1024).decode(errors="ignore")
    return got


async def _until(condition: Callable[[], bool]) -> None:
    for _ in range(500):
        if condition():
            return
        await asyncio.sleep(0.01)


@pytest.mark.parametrize("speaks_kitty", [True, False])
async def test_reader_negotiates_hold_to_talk_and_restores_the_terminal(speaks_kitty: bool) -> None:
    import os
    import pty
    import termios

    master, slave = pty.openpty()
    before = termios.tcgetattr(slave)
    out = os.fdopen(os.dup(slave), "w")
    loop = asyncio.get_running_loop()
    events: list[tuple[str, str]] = []
    reader = KeyReader(loop, lambda k: events.append((k, PRESS)), lambda k: events.append((k, RELEASE)),
                       fd=slave, out=out, probe_s=2.0)
    answer = "\x1b[?0u\x1b[?62;22c" if speaks_kitty else "\x1b[?62;22c"

    def terminal() -> str:
        query = _read_until(master, "\x1b[c")
        os.write(master, answer.encode())
        return query

    query = loop.run_in_executor(None, terminal)
    with reader:
        assert "\x1b[?u" in await query
        assert reader.hold_to_talk is speaks_kitty
        if speaks_kitty:
            assert PUSH in _read_until(master, PUSH)
            os.write(master, b"\x1b[32u\x1b[32;1:2u\x1b[32;1:3u")
        else:
            os.write(master, b"  ")
        await _until(lambda: len(events) >= 2)
    if speaks_kitty:
        assert events == [(" ", PRESS), (" ", RELEASE)]
        assert POP in _read_until(master, POP)
    else:
        assert events == [(" ", PRESS), (" ", PRESS)]
    assert termios.tcgetattr(slave) == before
    out.close()
    os.close(master)
    os.close(slave)
